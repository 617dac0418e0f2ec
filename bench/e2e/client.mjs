// One client of the end-to-end benchmark, in a process of its own, driven by
// bench/e2e/run.mjs over stdin/stdout (one JSON object per line):
//
//   node bench/e2e/client.mjs <httpwire|undici|node-http|raw> [--dist path/to/dist/index.js]
//   <- {"ready": true, "label": "..."}
//   -> {"server": "nginx", "port": N, "workload": "seq", "ms": 300, "min": 20, "record": true}
//   <- {"requests": n, "bytes": b, "seconds": s, "cpuUs": c, "p50": ms, "p99": ms}
//
// Connections are opened once per server and workload, with one unmeasured
// request, and kept (keep-alive) for every later round. A segment issues
// requests for `ms` milliseconds (at least `min`), on `conns` connections at
// once, and reports what it did, its own CPU time (process.cpuUsage) and
// the latency of each request, from the call that sends it to the last body
// byte read.
import { createRequire } from 'node:module';
import * as http from 'node:http';
import * as net from 'node:net';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';
import { BODY_BYTE, percentile, PIECE, WORKLOADS } from './workloads.mjs';

const require = createRequire(import.meta.url);
const HOST = '127.0.0.1';
const kind = process.argv[2];
const distArg = process.argv.indexOf('--dist');
const DIST = resolve(distArg > 0 ? process.argv[distArg + 1] : new URL('../../dist/index.js', import.meta.url).pathname);

const postBodies = new Map();
/** The request body of `w` (the same bytes for every request). */
function postBody(w) {
  if (!w.bodySize) return null;
  if (!postBodies.has(w.bodySize)) postBodies.set(w.bodySize, Buffer.alloc(w.bodySize, BODY_BYTE));
  return postBodies.get(w.bodySize);
}

// ---- the clients: open(port, workload) -> a connection; connection.fetch() -> body bytes read

async function httpwireClient() {
  const { HTTPConnection } = await import(pathToFileURL(DIST).href);
  return {
    label: `httpwire HTTPConnection (${DIST})`,
    async open(port, w) {
      const conn = new HTTPConnection(HOST, port);
      const body = postBody(w);
      const piece = new Uint8Array(PIECE);
      return {
        async fetch() {
          await conn.request(w.method, w.path, body);
          const res = await conn.getresponse();
          if (res.status !== 200) throw new Error(`status ${res.status}`);
          if (w.read === 'whole') return (await res.read()).length;
          let n = 0;
          for (let k; (k = await res.readinto(piece)) > 0; ) n += k;
          return n;
        },
        close: () => conn.close(),
      };
    },
  };
}

async function undiciClient() {
  const { Client } = require('undici');
  const version = require('undici/package.json').version;
  return {
    label: `undici ${version} Client (pipelining 1) request()`,
    async open(port, w) {
      const client = new Client(`http://${HOST}:${port}`, { pipelining: 1 });
      const options = { path: w.path, method: w.method, body: postBody(w) ?? undefined };
      return {
        async fetch() {
          const { statusCode, body } = await client.request(options);
          if (statusCode !== 200) throw new Error(`status ${statusCode}`);
          if (w.read === 'whole') return (await body.arrayBuffer()).byteLength;
          let n = 0;
          for await (const chunk of body) n += chunk.length;
          return n;
        },
        close: () => client.close(),
      };
    },
  };
}

async function nodeHttpClient() {
  // One agent, as a program would have, with a socket per concurrent request.
  const agent = new http.Agent({ keepAlive: true, maxSockets: 10 });
  return {
    label: `node:http ${process.version}, keep-alive Agent`,
    async open(port, w) {
      const body = postBody(w);
      const options = { host: HOST, port, path: w.path, method: w.method, agent };
      if (body) options.headers = { 'Content-Length': body.length };
      const fetch = () =>
        new Promise((done, fail) => {
          const req = http.request(options, (res) => {
            if (res.statusCode !== 200) fail(new Error(`status ${res.statusCode}`));
            let n = 0;
            const chunks = w.read === 'whole' ? [] : null;
            res.on('data', (c) => {
              n += c.length;
              chunks?.push(c);
            });
            res.on('end', () => done(chunks ? Buffer.concat(chunks, n).length : n));
            res.on('error', fail);
          });
          req.on('error', fail);
          req.end(body ?? undefined);
        });
      return { fetch, close: () => agent.destroy() };
    },
  };
}

/**
 * The floor: a canned request written, and as many bytes awaited as the
 * first response had (found once by reading the framing), nothing parsed.
 */
async function rawClient() {
  return {
    label: 'raw socket (canned request, byte count awaited)',
    async open(port, w) {
      const socket = net.connect({ host: HOST, port, noDelay: true });
      await new Promise((ok, fail) => socket.once('connect', ok).once('error', fail));
      const body = postBody(w);
      const head = Buffer.from(
        `${w.method} ${w.path} HTTP/1.1\r\nHost: ${HOST}:${port}\r\n${body ? `Content-Length: ${body.length}\r\n` : ''}\r\n`,
        'latin1',
      );
      let expected = -1; // response size, learned from the first response
      let got = 0;
      let first = []; // bytes of the first response, until its size is known
      let waiter = null;
      socket.on('data', (chunk) => {
        got += chunk.length;
        if (expected < 0) {
          first.push(chunk);
          const size = responseSize(Buffer.concat(first));
          if (size < 0) return;
          expected = size;
          first = null;
        }
        if (got > expected) waiter?.fail(new Error(`raw: ${got} bytes for a ${expected}-byte response`));
        else if (got === expected) waiter?.ok();
      });
      socket.on('error', (e) => waiter?.fail(e));
      return {
        fetch() {
          got = 0;
          return new Promise((ok, fail) => {
            waiter = { ok: () => ok(expected), fail };
            socket.write(head);
            if (body) socket.write(body);
          });
        },
        close: () => socket.destroy(),
      };
    },
  };
}

/** The byte size of the response at the start of `buf` (Content-Length or chunked), -1 if not all there yet. */
function responseSize(buf) {
  const end = buf.indexOf('\r\n\r\n');
  if (end < 0) return -1;
  const head = buf.subarray(0, end).toString('latin1');
  const cl = /\r\ncontent-length:[ \t]*(\d+)/i.exec(head);
  if (cl) return end + 4 + Number(cl[1]) <= buf.length ? end + 4 + Number(cl[1]) : -1;
  if (!/\r\ntransfer-encoding:[ \t]*chunked/i.test(head)) throw new Error('raw: neither Content-Length nor chunked');
  let at = end + 4;
  for (;;) {
    const eol = buf.indexOf('\r\n', at);
    if (eol < 0) return -1;
    const size = parseInt(buf.subarray(at, eol).toString('latin1'), 16);
    if (size === 0) return buf.indexOf('\r\n\r\n', eol) < 0 ? -1 : buf.indexOf('\r\n\r\n', eol) + 4;
    at = eol + 2 + size + 2;
    if (at > buf.length) return -1;
  }
}

const CLIENTS = { httpwire: httpwireClient, undici: undiciClient, 'node-http': nodeHttpClient, raw: rawClient };

// ---- segments

const client = await CLIENTS[kind]();
/** Open connections, by "server workload": kept across rounds. */
const pools = new Map();

async function segment(cmd) {
  const w = WORKLOADS.find((x) => x.key === cmd.workload);
  const key = `${cmd.server} ${w.key}`;
  if (!pools.has(key)) {
    const conns = [];
    for (let i = 0; i < w.conns; i++) conns.push(await client.open(cmd.port, w));
    for (const c of conns) await c.fetch(); // opens the connection, unmeasured
    pools.set(key, conns);
  }
  const conns = pools.get(key);
  const latencies = [];
  let requests = 0;
  let bytes = 0;
  const t0 = performance.now();
  const deadline = t0 + cmd.ms;
  const cpu0 = process.cpuUsage();
  await Promise.all(
    conns.map(async (c) => {
      while (performance.now() < deadline || requests < cmd.min) {
        const start = performance.now();
        bytes += await c.fetch();
        latencies.push(performance.now() - start);
        requests++;
      }
    }),
  );
  const cpu = process.cpuUsage(cpu0);
  const seconds = (performance.now() - t0) / 1000;
  return { requests, bytes, seconds, cpuUs: cpu.user + cpu.system, p50: percentile(latencies, 50), p99: percentile(latencies, 99) };
}

const out = (o) => process.stdout.write(JSON.stringify(o) + '\n');
out({ ready: true, label: client.label });
for await (const line of createInterface({ input: process.stdin })) {
  if (!line.trim()) continue;
  try {
    out(await segment(JSON.parse(line)));
  } catch (e) {
    out({ error: String(e?.stack ?? e) });
  }
}
for (const conns of pools.values()) for (const c of conns) c.close();
