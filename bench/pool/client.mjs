// One client of the pool benchmark, in a process of its own (so its CPU time
// and peak RSS are its own): `node bench/pool/client.mjs <client> <json>`
// with the job { base, paths: [[path, gzip]], requests, conns, maxMs, dist }.
// Runs `requests` GETs, `conns` at a time over `conns` keep-alive
// connections, each body read whole (gzip ones decoded: by the client where
// it decodes, else with node:zlib), and prints one JSON line: requests,
// seconds, cpuUs, p50/p99 latency (ms), maxRssMiB, and the RSS after the
// first tenth and at the end (memory over the run).
import * as http from 'node:http';
import { gunzipSync } from 'node:zlib';

const [name, jobText] = process.argv.slice(2);
const job = JSON.parse(jobText);
const { base, paths, requests, conns, maxMs } = job;
const origin = new URL(base);

/** One GET of `path` (gzip: with Accept-Encoding gzip); resolves with the decoded body length. */
async function makeClient() {
  switch (name) {
    case 'httpwire-pool':
    case 'httpwire-pool-alt': {
      const { PoolManager } = await import(job.dist);
      const pm = new PoolManager({ maxsize: conns, block: true });
      const gz = { headers: { 'Accept-Encoding': 'gzip' } };
      return async (path, gzip) => {
        const r = await pm.request('GET', base + path, gzip ? gz : undefined);
        if (r.status !== 200) throw new Error(`status ${r.status}`);
        return r.data.length;
      };
    }
    case 'undici-pool':
    case 'undici-agent': {
      const { Pool, Agent, request } = await import('undici');
      const read = async (res) => {
        if (res.statusCode !== 200) throw new Error(`status ${res.statusCode}`);
        const body = new Uint8Array(await res.body.arrayBuffer());
        return res.headers['content-encoding'] === 'gzip' ? gunzipSync(body).length : body.length;
      };
      if (name === 'undici-pool') {
        const pool = new Pool(origin.origin, { connections: conns });
        return async (path, gzip) => read(await pool.request({ path, method: 'GET', headers: gzip ? { 'accept-encoding': 'gzip' } : {} }));
      }
      const agent = new Agent({ connections: conns });
      return async (path, gzip) => read(await request(base + path, { dispatcher: agent, headers: gzip ? { 'accept-encoding': 'gzip' } : {} }));
    }
    case 'undici-fetch': {
      const { fetch, Agent } = await import('undici');
      const agent = new Agent({ connections: conns });
      return async (path, gzip) => {
        const res = await fetch(base + path, { dispatcher: agent, headers: gzip ? { 'accept-encoding': 'gzip' } : {} });
        if (res.status !== 200) throw new Error(`status ${res.status}`);
        return (await res.arrayBuffer()).byteLength; // fetch decodes gzip itself
      };
    }
    case 'node-http': {
      const agent = new http.Agent({ keepAlive: true, maxSockets: conns });
      return (path, gzip) =>
        new Promise((resolve, reject) => {
          const req = http.get({ host: origin.hostname, port: origin.port, path, agent, headers: gzip ? { 'accept-encoding': 'gzip' } : {} }, (res) => {
            const chunks = [];
            res.on('data', (c) => chunks.push(c));
            res.on('end', () => {
              if (res.statusCode !== 200) return reject(new Error(`status ${res.statusCode}`));
              const body = Buffer.concat(chunks);
              resolve(res.headers['content-encoding'] === 'gzip' ? gunzipSync(body).length : body.length);
            });
            res.on('error', reject);
          });
          req.on('error', reject);
        });
    }
    default:
      throw new Error(`unknown client ${name}`);
  }
}

const fetchOne = await makeClient();
const latencies = new Float64Array(requests);
let next = 0;
let done = 0;
let failed = 0;
let rssEarly = 0;
const TENTHS = Boolean(process.env.POOL_BENCH_TENTHS);
const cpu0 = process.cpuUsage();
const usage0 = process.resourceUsage();
const t0 = performance.now();
async function worker() {
  for (;;) {
    if (performance.now() - t0 > maxMs) return;
    const i = next++;
    if (i >= requests) return;
    const [path, gzip] = paths[i % paths.length];
    const s = performance.now();
    try {
      await fetchOne(path, gzip);
      latencies[done++] = performance.now() - s;
    } catch (e) {
      failed++;
      if (failed === 1) console.error(name, String(e));
    }
    if (done === Math.floor(requests / 10)) rssEarly = process.memoryUsage().rss;
    // POOL_BENCH_TENTHS=1: CPU and wall time at each tenth of the run (the first tenths carry the JIT's warm-up).
    if (TENTHS && done % Math.floor(requests / 10) === 0) {
      const c = process.cpuUsage(cpu0);
      console.error(`${name} ${done} requests: ${((c.user + c.system) / 1000).toFixed(0)} ms CPU, ${(performance.now() - t0).toFixed(0)} ms wall`);
    }
  }
}
await Promise.all(Array.from({ length: conns }, worker));
const seconds = (performance.now() - t0) / 1000;
// POOL_BENCH_THREADS=1: CPU time of the main thread and of the others (V8's compiler and GC helpers), over the process's life, from /proc.
if (process.env.POOL_BENCH_THREADS) {
  const { readdirSync, readFileSync } = await import('node:fs');
  const ms = { main: 0, other: 0 };
  for (const t of readdirSync('/proc/self/task')) {
    const st = readFileSync(`/proc/self/task/${t}/stat`, 'latin1');
    const f = st.slice(st.lastIndexOf(')') + 2).split(' ');
    ms[Number(t) === process.pid ? 'main' : 'other'] += (Number(f[11]) + Number(f[12])) * 10;
  }
  console.error(`${name} thread CPU ms: main ${ms.main}, other threads ${ms.other}`);
}
const cpu = process.cpuUsage(cpu0);
const lat = latencies.subarray(0, done).sort();
const pct = (p) => (lat.length ? lat[Math.min(lat.length - 1, Math.ceil((p / 100) * lat.length) - 1)] : NaN);
console.log(
  JSON.stringify({
    client: name,
    requests: done,
    failed,
    seconds,
    cpuUs: cpu.user + cpu.system,
    cpuSystemUs: cpu.system,
    // Minor page faults over the run: fresh memory touched (allocations the allocator got from the kernel again).
    minorFaults: process.resourceUsage().minorPageFault - usage0.minorPageFault,
    // Context switches over the run: involuntary ones are preemptions (e.g. by nginx, woken by a request write on this CPU).
    voluntarySwitches: process.resourceUsage().voluntaryContextSwitches - usage0.voluntaryContextSwitches,
    involuntarySwitches: process.resourceUsage().involuntaryContextSwitches - usage0.involuntaryContextSwitches,
    p50: pct(50),
    p99: pct(99),
    maxRssMiB: process.resourceUsage().maxRSS / 1024,
    rssEarlyMiB: rssEarly / 1048576,
    rssEndMiB: process.memoryUsage().rss / 1048576,
  }),
);
process.exit(0);
