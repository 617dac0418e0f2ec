#!/usr/bin/env node
// Soak: N sequential keep-alive requests on one HTTPConnection to a canned
// node:net server in a child process (alternating Content-Length and chunked
// responses, so both body paths and the WASM chunk decoder run), measuring
// what a long-lived connection must not grow:
//
//   RSS growth after warm-up (after gc)      at most --max-rss-mib (16)
//   WASM linear memory after warm-up          unchanged
//   open file descriptors (/proc/self/fd)     the same after warm-up and at the end; back to the start after close
//   listeners on the socket and the process   the same after warm-up and at the end
//   TCP connections the server accepted       exactly 1
//
//   node --expose-gc test/soak/soak.mjs [--n 100000] [--warmup 5000] [--json]
//
// Prints the numbers (one JSON line with --json, for test/soak/soak.test.ts)
// and exits 1 when a limit is broken. Every wait is bounded: the connection
// has a 10 s timeout and the whole run a wall-clock limit (--max-seconds).
// The sources are TypeScript: bundled here with esbuild, as the fuzzer does.
import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const opt = { n: 100_000, warmup: 5_000, 'max-rss-mib': 16, 'max-seconds': 600, json: false };
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
  const key = argv[i].replace(/^--/, '');
  if (!(key in opt)) throw new Error(`unknown option ${argv[i]}`);
  if (key === 'json') opt.json = true;
  else opt[key] = Number(argv[++i]);
}

/** The canned server: answers each request head with a fixed response; reports its counts on "GET /stats". */
const SERVER = `
const net = require('node:net');
const CL = Buffer.from('HTTP/1.1 200 OK\\r\\nContent-Type: text/plain\\r\\nContent-Length: 2\\r\\n\\r\\nok');
const CH = Buffer.from('HTTP/1.1 200 OK\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n1\\r\\no\\r\\n1;x=y\\r\\nk\\r\\n0\\r\\nT: 1\\r\\n\\r\\n');
let connections = 0, requests = 0;
const server = net.createServer((s) => {
  connections++;
  let tail = '';
  s.on('error', () => {});
  s.on('data', (d) => {
    const text = tail + d.toString('latin1');
    let at = 0, end;
    while ((end = text.indexOf('\\r\\n\\r\\n', at)) >= 0) {
      const head = text.slice(at, end);
      at = end + 4;
      if (head.startsWith('GET /stats ')) {
        const body = JSON.stringify({ connections, requests });
        s.write('HTTP/1.1 200 OK\\r\\nContent-Length: ' + body.length + '\\r\\n\\r\\n' + body);
      } else {
        s.write(requests++ % 2 ? CH : CL);
      }
    }
    tail = text.slice(at);
  });
});
server.listen(0, '127.0.0.1', () => console.log(server.address().port));
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
`;

function startServer() {
  const child = spawn(process.execPath, ['-e', SERVER], { stdio: ['pipe', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the canned server did not start in 10 s')), 10_000);
    child.once('error', reject);
    child.stdout.once('data', (d) => {
      clearTimeout(timer);
      resolve({ port: Number(String(d).trim()), stop: () => child.stdin.end() });
    });
  });
}

async function bundle() {
  const esbuild = await import('esbuild');
  const entry = join(root, 'test', 'soak', 'entry.ts');
  const outfile = join(root, '.tmp', 'soak', `httpwire-${process.pid}.mjs`);
  mkdirSync(dirname(outfile), { recursive: true });
  await esbuild.build({ entryPoints: [entry], bundle: true, format: 'esm', platform: 'node', target: 'node20', outfile, logLevel: 'warning',
    // package.json's sideEffects names dist/ files only: keep src/index.ts's default transport.
    ignoreAnnotations: true });
  process.on('exit', () => rmSync(outfile, { force: true }));
  return import(outfile);
}

const fds = () => readdirSync('/proc/self/fd').length;
const gc = () => {
  if (globalThis.gc) for (let i = 0; i < 3; i++) globalThis.gc();
};
const MiB = 1 << 20;
const memory = () => {
  const m = process.memoryUsage();
  return { rss: m.rss, heap: m.heapUsed, heapTotal: m.heapTotal, external: m.external, arrayBuffers: m.arrayBuffers };
};

const { HTTPConnection, getWasmParser } = await bundle();
const started = Date.now();
const server = await startServer();
const fdsAtStart = fds();
const conn = new HTTPConnection('127.0.0.1', server.port, { timeout: 10 });
const decoder = new TextDecoder();

async function one(path) {
  await conn.request('GET', path);
  const resp = await conn.getresponse();
  const body = decoder.decode(await resp.read());
  if (resp.status !== 200) throw new Error(`status ${resp.status} for ${path}`);
  return body;
}

function listeners() {
  const socket = conn.sock?.socket;
  const events = ['data', 'end', 'error', 'close', 'timeout', 'drain', 'readable'];
  return {
    socket: socket ? Object.fromEntries(events.map((e) => [e, socket.listenerCount(e)])) : null,
    process: Object.fromEntries(['exit', 'uncaughtException', 'unhandledRejection', 'warning'].map((e) => [e, process.listenerCount(e)])),
  };
}

let warm = null;
for (let i = 0; i < opt.n; i++) {
  if ((i & 1023) === 0 && (Date.now() - started) / 1000 > opt['max-seconds']) throw new Error(`over ${opt['max-seconds']} s after ${i} requests`);
  const body = await one(`/r${i}`);
  if (body !== 'ok') throw new Error(`request ${i}: body ${JSON.stringify(body)}`);
  if (i + 1 === opt.warmup) {
    gc();
    warm = { ...memory(), wasm: getWasmParser().memoryBytes, fds: fds(), listeners: listeners(), at: Date.now() };
  }
}
gc();
const end = { ...memory(), wasm: getWasmParser().memoryBytes, fds: fds(), listeners: listeners() };
const stats = JSON.parse(await one('/stats'));
conn.close();
server.stop();
// The socket's descriptor is released on the next turns of the event loop.
let fdsAfterClose = fds();
for (let i = 0; i < 100 && fdsAfterClose > fdsAtStart; i++) {
  await new Promise((r) => setTimeout(r, 10));
  fdsAfterClose = fds();
}

const result = {
  requests: opt.n,
  warmup: opt.warmup,
  seconds: (Date.now() - started) / 1000,
  requestsPerSecond: Math.round((opt.n - opt.warmup) / ((Date.now() - warm.at) / 1000)),
  gc: Boolean(globalThis.gc),
  rssAfterWarmupMiB: +(warm.rss / MiB).toFixed(1),
  rssAtEndMiB: +(end.rss / MiB).toFixed(1),
  rssGrowthMiB: +((end.rss - warm.rss) / MiB).toFixed(2),
  heapGrowthMiB: +((end.heap - warm.heap) / MiB).toFixed(2),
  heapTotalGrowthMiB: +((end.heapTotal - warm.heapTotal) / MiB).toFixed(2),
  externalGrowthMiB: +((end.external - warm.external) / MiB).toFixed(2),
  arrayBuffersGrowthMiB: +((end.arrayBuffers - warm.arrayBuffers) / MiB).toFixed(2),
  wasmBytesAfterWarmup: warm.wasm,
  wasmBytesAtEnd: end.wasm,
  fdsAtStart,
  fdsAfterWarmup: warm.fds,
  fdsAtEnd: end.fds,
  fdsAfterClose,
  listenersAfterWarmup: warm.listeners,
  listenersAtEnd: end.listeners,
  serverConnections: stats.connections,
  serverRequests: stats.requests,
};
const broken = [];
if (result.rssGrowthMiB > opt['max-rss-mib']) broken.push(`RSS grew ${result.rssGrowthMiB} MiB`);
if (end.wasm !== warm.wasm) broken.push('WASM memory grew');
if (end.fds !== warm.fds || fdsAfterClose !== fdsAtStart) broken.push('file descriptors leaked');
if (JSON.stringify(end.listeners) !== JSON.stringify(warm.listeners)) broken.push('listeners leaked');
if (stats.connections !== 1 || stats.requests !== opt.n) broken.push(`server saw ${stats.connections} connections, ${stats.requests} requests`);
result.broken = broken;
if (opt.json) console.log(JSON.stringify(result));
else console.log(JSON.stringify(result, null, 2));
process.exit(broken.length ? 1 : 0);
