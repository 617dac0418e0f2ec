// The pool benchmark: a scraper's workload through nginx, clients side by
// side in one run on 127.0.0.1.
//
//   npm run build && node bench/pool/run.mjs
//   node bench/pool/run.mjs --rounds 5 --requests 10000 --clients httpwire-pool,undici-pool
//   node bench/pool/run.mjs --clients httpwire-pool,undici-pool --alt /tmp/base/dist/pool/node.js   (A/B)
//
// Workload: GETs of 40 files, 30 binary bodies of 1-100 KB and 10 text
// bodies asked for with Accept-Encoding gzip (one request in ten; nginx
// gzips them on the fly), `conns` (8) at a time over 8 keep-alive
// connections; nginx with keepalive_requests 100 and keepalive_timeout 1s
// as in the scraper test, so connections are renewed throughout.
// Clients (each in its own process, one at a time, order rotated each
// round): httpwire's PoolManager, undici Pool and Agent with request(),
// undici fetch, node:http with a keep-alive Agent (bench/pool/client.mjs),
// and Python urllib3 (bench/pool/client.py, Debian's python3-urllib3).
// Reported per client: the median over rounds of req/s, client CPU per
// request, p50/p99 latency, peak RSS, RSS after a tenth of the run and at
// its end, and the per-round ratio to undici Pool (median). Round 0 is a
// warm-up. Timing is only reported, never asserted.
// Also per client: minor page faults and involuntary context switches
// (preemptions) per request. Environment knobs for digging:
// POOL_BENCH_TENTHS=1 (CPU and wall time at each tenth of a client's run),
// POOL_BENCH_THREADS=1 (main-thread vs helper-thread CPU), POOL_BENCH_WRAP
// (a command each client runs under, e.g. "perf record -g -o /tmp/p-%c.data --").
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findProgram, startNginx } from '../e2e/servers.mjs';
import { median } from '../e2e/workloads.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = join(HERE, '..', '..');
const option = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0 || i + 1 >= process.argv.length) return fallback;
  return typeof fallback === 'number' ? Number(process.argv[i + 1]) : process.argv[i + 1];
};
const ROUNDS = option('rounds', 5);
const REQUESTS = option('requests', 10_000);
const CONNS = option('conns', 8);
const MAX_MS = option('max-ms', 60_000); // per client and round, whatever the count
const CLIENTS = option('clients', 'httpwire-pool,undici-pool,undici-agent,undici-fetch,node-http,python-urllib3').split(',');
const DIST = resolve(option('dist', join(ROOT, 'dist', 'pool', 'node.js')));
// A second build (e.g. a copy of dist/ before a change) as client httpwire-pool-alt: an A/B in one run.
const ALT = option('alt', '');
if (ALT) CLIENTS.push('httpwire-pool-alt');
const OUT = resolve(option('out', join(HERE, 'results.json')));
const TASKSET = process.argv.includes('--pin'); // each client on CPU 0 (nginx stays unpinned)
// Extra node flags for the Node clients, e.g. --node-args "--cpu-prof --cpu-prof-dir /tmp/prof" (a profile per client and round).
const NODE_ARGS = option('node-args', '').split(' ').filter(Boolean);
const WRAP = (process.env.POOL_BENCH_WRAP ?? '').split(' ').filter(Boolean);

/** Deterministic bytes (an LCG), so every run serves the same bodies. */
function bytes(length, seed) {
  const out = Buffer.alloc(length);
  let x = seed >>> 0;
  for (let i = 0; i < length; i++) {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}
const files = {};
const paths = [];
for (let i = 0; i < 30; i++) {
  files[`s/${i}.bin`] = bytes(1024 + Math.floor((i * 99 * 1024) / 29), i + 1);
}
for (let i = 0; i < 10; i++) {
  let s = '';
  for (let j = 0; j < 20 + i * 150; j++) s += `line ${String(j).padStart(6, '0')}: the quick brown fox jumps over the lazy dog\n`;
  files[`gz/${i}.txt`] = Buffer.from(s, 'latin1');
}
// One request in ten is for a gzipped text.
for (let i = 0; i < 100; i++) paths.push(i % 10 === 0 ? [`/gz/${(i / 10) % 10}.txt`, true] : [`/s/${i % 30}.bin`, false]);

/** The nginx process this run started (a child of this process), for its CPU time; null where /proc is missing. */
function nginxPid() {
  try {
    for (const d of readdirSync('/proc')) {
      if (!/^\d+$/.test(d)) continue;
      try {
        const stat = readFileSync(`/proc/${d}/stat`, 'latin1');
        const close = stat.lastIndexOf(')');
        const comm = stat.slice(stat.indexOf('(') + 1, close);
        const ppid = Number(stat.slice(close + 2).split(' ')[1]);
        if (comm === 'nginx' && ppid === process.pid) return Number(d);
      } catch {
        // the process ended meanwhile
      }
    }
  } catch {
    // no /proc
  }
  return null;
}

/** User + system CPU time of a process in µs (from /proc, in clock ticks of 10 ms), or NaN. */
function cpuOf(pid) {
  if (pid === null) return NaN;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) * 10_000; // utime, stime (fields 14, 15)
  } catch {
    return NaN;
  }
}

async function runClient(name, base) {
  // nginx (one process, one worker) serves every client: its CPU time per request, and its share of the wall time, say whether it is the bottleneck.
  const n0 = cpuOf(NGINX_PID);
  const r = await spawnClient(name, base);
  r.nginxCpuUs = cpuOf(NGINX_PID) - n0;
  return r;
}

function spawnClient(name, base) {
  const job = JSON.stringify({ base, paths, requests: REQUESTS, conns: CONNS, maxMs: MAX_MS, dist: name === 'httpwire-pool-alt' ? resolve(ALT) : DIST });
  const [cmd, args] =
    name === 'python-urllib3' ? ['/usr/bin/python3', [join(HERE, 'client.py'), job]] : [process.execPath, [...NODE_ARGS, join(HERE, 'client.mjs'), name, job]];
  let argv = TASKSET ? ['taskset', ['-c', '0', cmd, ...args]] : [cmd, args];
  // POOL_BENCH_WRAP="perf record -g -o /tmp/perf-%c.data --": a command each client runs under (%c: the client's name).
  if (WRAP.length) argv = [WRAP[0], [...WRAP.slice(1).map((w) => w.replace('%c', name)), argv[0], ...argv[1]]];
  return new Promise((resolvePromise, reject) => {
    const child = spawn(argv[0], argv[1], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), MAX_MS + 30_000);
    child.stdout.on('data', (b) => (out += b));
    child.on('exit', (code) => {
      clearTimeout(timer);
      try {
        resolvePromise(JSON.parse(out.trim().split('\n').at(-1)));
      } catch {
        reject(new Error(`${name} exited ${code} without a result: ${out.slice(0, 500)}`));
      }
    });
  });
}

const nginx = await startNginx({
  files,
  keepaliveTimeout: '1s',
  keepaliveRequests: 100,
  locations: 'location /gz/ { gzip on; gzip_types text/plain; gzip_min_length 1; gzip_comp_level 6; }',
});
const base = `http://127.0.0.1:${nginx.port}`;
const NGINX_PID = nginxPid();
if (TASKSET) findProgram('taskset');
const rounds = [];
try {
  for (let round = 0; round <= ROUNDS; round++) {
    const order = CLIENTS.map((_, i) => CLIENTS[(i + round) % CLIENTS.length]);
    const results = {};
    for (const name of order) results[name] = await runClient(name, base);
    if (round > 0) rounds.push(results);
    const line = order
      .map((n) => `${n} ${(results[n].requests / results[n].seconds).toFixed(0)}/s ${(results[n].cpuUs / results[n].requests).toFixed(0)} µs/req`)
      .join('  ');
    console.error(`round ${round}${round === 0 ? ' (warm-up)' : ''}: ${line}`);
  }
} finally {
  await nginx.stop();
}

const summary = {};
for (const name of CLIENTS) {
  const rs = rounds.map((r) => r[name]);
  const ref = rounds.map((r) => r['undici-pool']);
  summary[name] = {
    reqPerSec: median(rs.map((r) => r.requests / r.seconds)),
    cpuUsPerReq: median(rs.map((r) => r.cpuUs / r.requests)),
    // The kernel's part of it (system time: on loopback the TCP delivery to nginx runs in the client's write call).
    systemUsPerReq: median(rs.map((r) => (r.cpuSystemUs ?? NaN) / r.requests)),
    // Minor page faults per request (fresh memory touched; Python's client does not report them).
    faultsPerReq: median(rs.map((r) => (r.minorFaults ?? NaN) / r.requests)),
    // Involuntary context switches per request: the client preempted (by nginx woken on its CPU, or anything else).
    preemptionsPerReq: median(rs.map((r) => (r.involuntarySwitches ?? NaN) / r.requests)),
    // Client CPU time over wall time (1.0 = one core busy; the 2-core machine also runs nginx), nginx's likewise.
    clientCpuShare: median(rs.map((r) => r.cpuUs / 1e6 / r.seconds)),
    nginxCpuUsPerReq: median(rs.map((r) => r.nginxCpuUs / r.requests)),
    nginxCpuShare: median(rs.map((r) => r.nginxCpuUs / 1e6 / r.seconds)),
    p50: median(rs.map((r) => r.p50)),
    p99: median(rs.map((r) => r.p99)),
    maxRssMiB: Math.max(...rs.map((r) => r.maxRssMiB)),
    rssEarlyMiB: median(rs.map((r) => r.rssEarlyMiB)),
    rssEndMiB: median(rs.map((r) => r.rssEndMiB)),
    failed: rs.reduce((a, r) => a + r.failed, 0),
    vsUndiciPool: ref.every(Boolean) ? median(rs.map((r, i) => r.requests / r.seconds / (ref[i].requests / ref[i].seconds))) : NaN,
    cpuVsUndiciPool: ref.every(Boolean) ? median(rs.map((r, i) => r.cpuUs / r.requests / (ref[i].cpuUs / ref[i].requests))) : NaN,
  };
}
const meta = { node: process.version, cpus: cpus().length, nginx: nginx.version, requests: REQUESTS, conns: CONNS, rounds: ROUNDS, pinned: TASKSET, date: new Date().toISOString() };
writeFileSync(OUT, JSON.stringify({ meta, summary, rounds }, null, 2) + '\n');
const f = (x, d = 0) => (Number.isFinite(x) ? x.toFixed(d) : '–');
console.log(`\n${meta.requests} GETs per client and round, ${meta.conns} connections, ${meta.rounds} rounds (median), ${meta.node}, ${meta.nginx}${TASKSET ? ', pinned to CPU 0' : ''}\n`);
console.log('| client | req/s | vs undici Pool | CPU µs/req | CPU vs undici Pool | of which system µs/req | page faults/req | preemptions/req | client CPU/wall | nginx CPU µs/req | nginx CPU/wall | p50 ms | p99 ms | peak RSS MiB | RSS at 10% → end MiB | failed |');
console.log('|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|');
for (const [name, s] of Object.entries(summary)) {
  console.log(
    `| ${name} | ${f(s.reqPerSec)} | ${f(s.vsUndiciPool, 2)}x | ${f(s.cpuUsPerReq)} | ${f(s.cpuVsUndiciPool, 2)}x | ${f(s.systemUsPerReq)} | ${f(s.faultsPerReq, 1)} | ${f(s.preemptionsPerReq, 2)} | ${f(s.clientCpuShare, 2)} | ${f(s.nginxCpuUsPerReq)} | ${f(s.nginxCpuShare, 2)} | ${f(s.p50, 2)} | ${f(s.p99, 2)} | ${f(s.maxRssMiB, 1)} | ${f(s.rssEarlyMiB, 1)} → ${f(s.rssEndMiB, 1)} | ${s.failed} |`,
  );
}
