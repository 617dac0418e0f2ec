// The proxy benchmark: httpwire/proxy against a node:http server with an
// undici forwarder, both in front of nginx (GET /100b, keep-alive on
// every hop), at 1 and 50 client connections.
//
//   npm run build && node bench/proxy/run.mjs [--rounds 3] [--ms 2000] [--alt /path/to/other/dist]
//
// --alt runs a second httpwire build's proxy (`httpwire-alt`, e.g. a build
// of main) in the same rounds: a same-run A/B of a change to the proxy.
// --cpu-prof DIR runs the httpwire proxies (and -alt, started second in a round) under `node --cpu-prof`,
// one .cpuprofile per proxy process in DIR; --conns N measures only N
// client connections (e.g. 50, for a profile of the loaded case).
//
// Each proxy runs in its own process; the load client (raw keep-alive
// sockets, absolute-form requests, one request in flight per connection)
// runs here. After a warm-up of 2,000 requests, a round runs both
// proxies for --ms each (bounded also at 200,000 requests), order alternating; we report per proxy the median
// requests/s, the proxy process's CPU time per request and the p99
// latency, and httpwire/node-undici as the median of per-round ratios.
import { spawn } from 'node:child_process';
import * as net from 'node:net';
import { cpus } from 'node:os';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { startNginx, stopChild } from '../e2e/servers.mjs';
import { median, percentile } from '../e2e/workloads.mjs';

function option(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 || i + 1 >= process.argv.length ? fallback : Number(process.argv[i + 1]);
}
const ROUNDS = option('rounds', 3);
const altAt = process.argv.indexOf('--alt');
const ALT = altAt < 0 ? null : resolve(process.argv[altAt + 1]);
const MS = option('ms', 2000);
const MAX_REQUESTS = 200_000;
const WARMUP = 2000;
const KINDS = ALT ? ['httpwire', 'httpwire-alt', 'node-undici'] : ['httpwire', 'node-undici'];
const profAt = process.argv.indexOf('--cpu-prof');
const PROF_DIR = profAt < 0 ? null : resolve(process.argv[profAt + 1]);
const CONNS = process.argv.includes('--conns') ? [option('conns', 50)] : [1, 50];

async function startProxy(kind) {
  const args = kind === 'httpwire-alt' ? ['httpwire', ALT] : [kind];
  const prof = PROF_DIR && kind !== 'node-undici' ? ['--cpu-prof', '--cpu-prof-dir', PROF_DIR] : [];
  const child = spawn(process.execPath, [...prof, new URL('./proxy-server.mjs', import.meta.url).pathname, ...args], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout });
  const waiters = [];
  lines.on('line', (l) => waiters.shift()?.(l));
  const nextLine = () => new Promise((r) => waiters.push(r));
  const port = Number((await nextLine()).split(' ')[1]);
  return {
    port,
    async cpu() {
      child.stdin.write('cpu\n');
      return Number((await nextLine()).split(' ')[1]);
    },
    stop: () => stopChild(child),
  };
}

/** One keep-alive client connection: sends `request`, waits for the whole response, again, until `until`. */
function clientLoop(port, request, until, latencies, counter) {
  return new Promise((resolve, reject) => {
    const s = net.connect({ port, host: '127.0.0.1', noDelay: true });
    let buf = '';
    let t0 = 0;
    const send = () => {
      if (performance.now() >= until || counter.n >= (counter.max ?? MAX_REQUESTS)) {
        s.destroy();
        resolve();
        return;
      }
      t0 = performance.now();
      s.write(request);
    };
    s.on('connect', send);
    s.on('data', (d) => {
      buf += d.toString('latin1');
      for (;;) {
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) return;
        const m = /\r\ncontent-length: *([0-9]+)/i.exec(buf.slice(0, end));
        if (!m) return reject(new Error(`no Content-Length: ${buf.slice(0, 200)}`));
        const total = end + 4 + Number(m[1]);
        if (buf.length < total) return;
        if (!buf.startsWith('HTTP/1.1 200')) return reject(new Error(buf.slice(0, 200)));
        buf = buf.slice(total);
        latencies.push(performance.now() - t0);
        counter.n++;
        send();
      }
    });
    s.on('error', reject);
  });
}

async function measure(proxy, conns, originPort) {
  const request = Buffer.from(`GET http://127.0.0.1:${originPort}/100b HTTP/1.1\r\nHost: 127.0.0.1:${originPort}\r\nUser-Agent: bench\r\nAccept: */*\r\n\r\n`, 'latin1');
  // Warm-up: connections to nginx made, JIT and WASM compiled: 2,000
  // requests (or 5 s), so that start-up costs stay out of the measurement.
  const warm = { n: 0, max: WARMUP };
  const warmUntil = performance.now() + 5000;
  while (warm.n < WARMUP && performance.now() < warmUntil) {
    await Promise.all(Array.from({ length: conns }, () => clientLoop(proxy.port, request, Math.min(warmUntil, performance.now() + 500), [], warm)));
  }
  const latencies = [];
  const counter = { n: 0 };
  const cpu0 = await proxy.cpu();
  const t0 = performance.now();
  await Promise.all(Array.from({ length: conns }, () => clientLoop(proxy.port, request, t0 + MS, latencies, counter)));
  const seconds = (performance.now() - t0) / 1000;
  const cpu = (await proxy.cpu()) - cpu0;
  return { rps: counter.n / seconds, cpuPerRequest: cpu / counter.n, p99: percentile(latencies, 99) };
}

const nginx = await startNginx();
const results = {};
try {
  for (const conns of CONNS) {
    for (const kind of KINDS) results[`${kind}/${conns}`] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const order = round % 2 ? [...KINDS].reverse() : KINDS;
      for (const kind of order) {
        const proxy = await startProxy(kind);
        try {
          const r = await measure(proxy, conns, nginx.port);
          results[`${kind}/${conns}`].push(r);
          console.error(`round ${round + 1} conns ${conns} ${kind}: ${Math.round(r.rps)} req/s, ${r.cpuPerRequest.toFixed(1)} µs CPU/req, p99 ${r.p99.toFixed(2)} ms`);
        } finally {
          await proxy.stop();
        }
      }
    }
  }
} finally {
  await nginx.stop();
}

console.log(`# Proxy benchmark\n\nNode ${process.version}, ${nginx.version}, ${cpus()[0]?.model ?? '?'} x${cpus().length}; GET /100b through the proxy to nginx; ${ROUNDS} rounds x ${MS} ms per proxy${ALT ? `; httpwire-alt: ${ALT}` : ''}.\n`);
const altColumn = ALT ? ' httpwire / httpwire-alt req/s (median of per-round ratios) |' : '';
console.log(`| client connections | proxy | requests/s (median) | proxy CPU µs/request (median) | p99 ms (median) | httpwire / node-undici req/s (median of per-round ratios) |${altColumn}`);
console.log(`|---:|---|---:|---:|---:|---:|${ALT ? '---:|' : ''}`);
/** "1.23x": the median over rounds of kind a's req/s over kind b's in the same round. */
const ratio = (conns, a, b) => median(results[`${a}/${conns}`].map((r, i) => r.rps / results[`${b}/${conns}`][i].rps)).toFixed(2) + 'x';
for (const conns of CONNS) {
  for (const kind of KINDS) {
    const rs = results[`${kind}/${conns}`];
    const vsUndici = kind === 'node-undici' ? '' : ratio(conns, kind, 'node-undici');
    const vsAlt = !ALT ? '' : kind === 'httpwire' ? ` ${ratio(conns, 'httpwire', 'httpwire-alt')} |` : ' |';
    console.log(`| ${conns} | ${kind} | ${Math.round(median(rs.map((r) => r.rps))).toLocaleString('en-US')} | ${median(rs.map((r) => r.cpuPerRequest)).toFixed(1)} | ${median(rs.map((r) => r.p99)).toFixed(2)} | ${vsUndici} |${vsAlt}`);
  }
}
