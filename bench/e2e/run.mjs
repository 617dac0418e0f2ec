// End-to-end benchmark: whole HTTP clients on the wire, side by side, in one
// process tree on 127.0.0.1.
//
//   npm run build && npm run bench:e2e     (node bench/e2e/run.mjs)
//   node bench/e2e/run.mjs --rounds 9 --servers canned --workloads seq,conc10
//   node bench/e2e/run.mjs --alt /tmp/copy/dist/index.js   (a second httpwire build: an A/B in the same run)
//
// Processes: this runner; two servers (nginx, and the canned node:net server
// bench/e2e/server.mjs); one process per client (bench/e2e/client.mjs for
// httpwire, undici, node:http and the raw-socket floor, bench/e2e/client.py
// for CPython's http.client), each driven over stdin/stdout, so each
// client's CPU time is its own; and at the end the memory test
// (bench/e2e/memory.mjs). Only one client runs at a time.
//
// A round runs, for each server and workload, every client once for the
// workload's time (order rotated between rounds) on connections kept open
// from round to round; round 0 is a warm-up and is not recorded. Per
// client: the median over rounds of requests/s (MB/s for bodies), of CPU
// time per request, and of the round's p50 and p99 latency; and the ratio
// to httpwire as the median of the per-round ratios, the number to trust on
// a shared machine (absolute rates move with the machine's phases).
// Results: a JSON file (--out) and Markdown tables on stdout. Timing is only
// reported, never asserted.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { startCanned, startNginx, stopChild } from './servers.mjs';
import { median, percentile, WORKLOADS } from './workloads.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = join(HERE, '..', '..');

function option(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0 || i + 1 >= process.argv.length) return fallback;
  return typeof fallback === 'number' ? Number(process.argv[i + 1]) : process.argv[i + 1];
}
const ROUNDS = option('rounds', 11); // recorded rounds (plus one warm-up)
const SCALE = option('scale', 1); // multiplies every workload's time per segment
const DIST = resolve(option('dist', join(ROOT, 'dist', 'index.js')));
const ALT = option('alt', '');
const OUT = resolve(option('out', join(HERE, 'results.json')));
const MAX_MINUTES = option('max-minutes', 20);
const SERVERS = option('servers', 'nginx,canned').split(',');
const ONLY = option('workloads', '');
const CLIENT_KEYS = option('clients', 'httpwire,undici,node-http,python,raw').split(',');
const MEMORY = !process.argv.includes('--no-memory');
const workloads = ONLY ? WORKLOADS.filter((w) => ONLY.split(',').includes(w.key)) : WORKLOADS;

const REPORT = option('report', '');
if (REPORT) {
  // Tables again from a results file (the summary recomputed from its rounds).
  const res = JSON.parse(readFileSync(REPORT, 'utf8'));
  res.summary = summarize(res.raw, Object.keys(res.clients));
  console.log(report(res));
  process.exit(0);
}

for (const dist of [DIST, ALT].filter(Boolean)) {
  if (!existsSync(dist)) {
    console.error(`${dist} does not exist: run \`npm run build\` first (the benchmark imports the built library)`);
    process.exit(2);
  }
}

// ---- child processes --------------------------------------------------------

const children = new Set();
const cleanups = [];
async function shutdown() {
  for (const c of children) c.stdin?.end();
  await Promise.all([...children].map(stopChild));
  for (const stop of cleanups.splice(0)) await stop();
}
const killAll = () => {
  for (const c of children) c.kill('SIGKILL');
};
process.on('exit', killAll);
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, async () => {
    await shutdown();
    process.exit(130);
  });
}
const overall = setTimeout(async () => {
  console.error(`e2e: over the ${MAX_MINUTES}-minute bound, stopping`);
  await shutdown();
  process.exit(3);
}, MAX_MINUTES * 60_000);
overall.unref();

/** A client process that answers one JSON line per command. */
class ClientProc {
  constructor(key, command, args) {
    this.key = key;
    this.child = spawn(command, args, { stdio: ['pipe', 'pipe', 'inherit'], cwd: ROOT });
    children.add(this.child);
    this.child.once('exit', () => children.delete(this.child));
    this.lines = createInterface({ input: this.child.stdout })[Symbol.asyncIterator]();
  }

  async next(timeoutMs) {
    let timer;
    const timeout = new Promise((_, fail) => {
      timer = setTimeout(() => fail(new Error(`${this.key}: no answer in ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      const { value, done } = await Promise.race([this.lines.next(), timeout]);
      if (done) throw new Error(`${this.key}: the process exited`);
      const msg = JSON.parse(value);
      if (msg.error) throw new Error(`${this.key}: ${msg.error}`);
      return msg;
    } finally {
      clearTimeout(timer);
    }
  }

  async start() {
    this.label = (await this.next(30_000)).label;
    return this;
  }

  ask(cmd) {
    this.child.stdin.write(JSON.stringify(cmd) + '\n');
    return this.next(cmd.ms + 60_000);
  }
}

const node = process.execPath;
const clientScript = join(HERE, 'client.mjs');
const CLIENT_COMMANDS = {
  httpwire: [node, [clientScript, 'httpwire', '--dist', DIST]],
  alt: [node, [clientScript, 'httpwire', '--dist', resolve(ALT || '.')]],
  undici: [node, [clientScript, 'undici']],
  'node-http': [node, [clientScript, 'node-http']],
  python: ['python3', [join(HERE, 'client.py')]],
  raw: [node, [clientScript, 'raw']],
};
const keys = [...CLIENT_KEYS];
if (ALT) keys.splice(1, 0, 'alt');
if (keys[0] !== 'httpwire') throw new Error('--clients must start with httpwire (the base of every ratio)');

// ---- machine ----------------------------------------------------------------

function machine(servers) {
  const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
  const require = createRequire(import.meta.url);
  return {
    cpu: /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1].trim() ?? 'unknown',
    cores: cpus().length,
    node: process.version,
    python: spawnSync('python3', ['--version'], { encoding: 'utf8' }).stdout.trim(),
    undici: require('undici/package.json').version,
    servers: Object.fromEntries(servers.map((s) => [s.name, s.version])),
    build: buildOf(DIST),
    altBuild: ALT ? buildOf(resolve(ALT)) : null,
  };
}

/**
 * Which commit a dist/index.js was built from: a \`.commit\` file beside
 * its dist/ (a scratch copy made with \`git archive\` can carry one), else
 * the git HEAD of its tree, marked when src/ or assembly/ differ from it.
 */
function buildOf(dist) {
  const root = join(dirname(dist), '..');
  if (existsSync(join(root, '.commit'))) return `${readFileSync(join(root, '.commit'), 'utf8').trim()} (${dist})`;
  const git = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' });
  if (git.status !== 0) return `unknown commit (${dist})`;
  const dirty = spawnSync('git', ['status', '--porcelain', 'src', 'assembly'], { cwd: root, encoding: 'utf8' });
  return `${git.stdout.trim()}${dirty.stdout.trim() ? ' with uncommitted changes in src/ or assembly/' : ''} (${dist})`;
}

// ---- the run ------------------------------------------------------------------

const started = Date.now();
const servers = [];
let results;
try {
  for (const name of SERVERS) {
    const s = name === 'nginx' ? await startNginx() : await startCanned();
    cleanups.push(s.stop);
    servers.push(s);
  }
  const clients = await Promise.all(keys.map((k) => new ClientProc(k, ...CLIENT_COMMANDS[k]).start()));
  const info = machine(servers);
  console.error(`e2e: ${clients.length} clients, servers ${servers.map((s) => `${s.name}:${s.port}`).join(' ')}, ${ROUNDS} rounds`);

  // rounds[server][workload] = [{ client: result }, ...] (recorded rounds only)
  const rounds = {};
  for (let round = 0; round <= ROUNDS; round++) {
    for (const server of servers) {
      for (const w of workloads) {
        const row = {};
        const order = clients.map((_, i) => clients[(i + round) % clients.length]);
        for (const c of order) {
          const ms = Math.round(w.ms * SCALE * (round === 0 ? 0.5 : 1));
          row[c.key] = await c.ask({ server: server.name, port: server.port, workload: w.key, spec: w, ms, min: w.min });
        }
        if (round > 0) ((rounds[server.name] ??= {})[w.key] ??= []).push(row);
      }
    }
    console.error(`e2e: round ${round}${round === 0 ? ' (warm-up)' : ''} done, ${((Date.now() - started) / 1000).toFixed(0)} s`);
  }
  let memory = null;
  const canned = servers.find((s) => s.name === 'canned');
  if (MEMORY && canned) memory = await runMemory(canned.port);
  results = {
    date: new Date().toISOString(),
    command: `node ${process.argv.slice(1).map((a) => (a.startsWith('/') ? a.replace(ROOT + '/', '') : a)).join(' ')}`,
    machine: info,
    rounds: ROUNDS,
    clients: Object.fromEntries(clients.map((c) => [c.key, c.label])),
    workloads: workloads.map(({ key, title, read, conns }) => ({ key, title, read, conns })),
    summary: summarize(rounds, clients.map((c) => c.key)),
    memory,
    raw: rounds,
  };
} finally {
  await shutdown();
}
writeFileSync(OUT, JSON.stringify(results, null, 1) + '\n');
console.log(report(results));
console.error(`e2e: results in ${OUT}, ${((Date.now() - started) / 1000).toFixed(0)} s`);

/** The memory test in a process of its own (bench/e2e/memory.mjs), for each httpwire build. */
async function runMemory(port) {
  const out = {};
  for (const [key, dist] of [['httpwire', DIST], ...(ALT ? [['alt', resolve(ALT)]] : [])]) {
    const proc = new ClientProc(`memory ${key}`, node, [join(HERE, 'memory.mjs'), '--port', String(port), '--dist', dist]);
    out[key] = await proc.next(600_000);
    proc.child.stdin.end();
  }
  return out;
}

// ---- summary ------------------------------------------------------------------

function summarize(rounds, clientKeys) {
  const summary = {};
  for (const [server, byWorkload] of Object.entries(rounds)) {
    for (const [wkey, rows] of Object.entries(byWorkload)) {
      const cell = ((summary[server] ??= {})[wkey] = {});
      for (const k of clientKeys) {
        const rate = (r) => r[k].requests / r[k].seconds;
        // MB/s of body: the response's, or the request's for an upload.
        const bodyBytes = WORKLOADS.find((w) => w.key === wkey)?.bodySize;
        const mbps = (r) => (bodyBytes ? r[k].requests * bodyBytes : r[k].bytes) / r[k].seconds / 1e6;
        const cpu = (r) => r[k].cpuUs / r[k].requests;
        const speed = rows.map((r) => rate({ [k]: r.httpwire }) / rate(r));
        cell[k] = {
          rps: median(rows.map(rate)),
          mbps: median(rows.map(mbps)),
          cpuUsPerReq: median(rows.map(cpu)),
          p50: median(rows.map((r) => r[k].p50)),
          p99: median(rows.map((r) => r[k].p99)),
          // > 1: httpwire better (more requests/s; less CPU per request)
          speedRatio: median(speed),
          speedRatioQ1: percentile(speed, 25),
          speedRatioQ3: percentile(speed, 75),
          cpuRatio: median(rows.map((r) => cpu(r) / cpu({ [k]: r.httpwire }))),
          requests: rows.reduce((n, r) => n + r[k].requests, 0),
        };
      }
    }
  }
  return summary;
}

function fmt(x, digits = 0) {
  return Number.isFinite(x) ? x.toFixed(digits) : '-';
}
function fmtRate(r) {
  return !Number.isFinite(r) ? '-' : r >= 100 ? Math.round(r).toLocaleString('en-US') : r.toFixed(1);
}
function fmtMs(x) {
  return !Number.isFinite(x) ? '-' : x >= 10 ? x.toFixed(1) : x >= 1 ? x.toFixed(2) : x.toFixed(3);
}

/** Markdown: one table per server and workload, then the targets. */
function report(res) {
  const lines = [];
  const m = res.machine;
  lines.push(`Machine: ${m.cpu}, ${m.cores} cores; Node ${m.node}; ${m.python}; ${m.servers.nginx ?? ''}; undici ${m.undici}; httpwire ${m.build}${m.altBuild ? `; alt ${m.altBuild}` : ''}.`);
  lines.push(`Command: \`${res.command}\` (${res.rounds} recorded rounds).`, '');
  for (const [server, byWorkload] of Object.entries(res.summary)) {
    for (const w of res.workloads) {
      const cell = byWorkload[w.key];
      if (!cell) continue;
      const bulk = w.key === 'cl16m' || w.key === 'post1m' || w.key === 'chunked';
      lines.push(`#### ${server}: ${w.title}`, '');
      lines.push(`| client | req/s | ${bulk ? 'MB/s | ' : ''}CPU µs/req | p50 ms | p99 ms | httpwire/client speed (quartiles of rounds) | client/httpwire CPU |`);
      lines.push(`|---|---:|${bulk ? '---:|' : ''}---:|---:|---:|---:|---:|`);
      for (const [k, s] of Object.entries(cell)) {
        const base = k === 'httpwire';
        const speed = `${fmt(s.speedRatio, 2)}x (${fmt(s.speedRatioQ1, 2)}–${fmt(s.speedRatioQ3, 2)})`;
        lines.push(
          `| ${k === 'alt' ? 'httpwire (alt build)' : k} | ${fmtRate(s.rps)} | ${bulk ? fmt(s.mbps, 0) + ' | ' : ''}${fmt(s.cpuUsPerReq, s.cpuUsPerReq < 100 ? 1 : 0)} | ${fmtMs(s.p50)} | ${fmtMs(s.p99)} | ${base ? '—' : speed} | ${base ? '—' : fmt(s.cpuRatio, 2) + 'x'} |`,
        );
      }
      lines.push('');
    }
  }
  lines.push('#### Targets (median of per-round ratios)', '', '| server | target | measured | status |', '|---|---|---:|---|');
  for (const [server, c] of Object.entries(res.summary)) {
    const t = (label, value, goal) => lines.push(`| ${server} | ${label} | ${fmt(value, 2)}x | ${!Number.isFinite(value) ? 'not run' : value >= goal ? 'met' : '**missed**'} |`);
    if (c.seq?.undici) t('1 connection, 100 B: httpwire ≥ 1.2x undici req/s', c.seq.undici.speedRatio, 1.2);
    if (c.seq?.raw) t('1 connection, 100 B: httpwire ≥ 0.85x the raw-socket floor', c.seq.raw.speedRatio, 0.85);
    if (c.conc10?.undici) t('10 connections: httpwire ≥ undici', c.conc10.undici.speedRatio, 1);
    if (c.chunked?.undici) t('64 KiB chunked: httpwire ≥ undici MB/s', c.chunked.undici.speedRatio, 1);
    if (c.cl16m?.undici) t('16 MiB body: httpwire ≥ undici MB/s', c.cl16m.undici.speedRatio, 1);
    if (c.post1m?.undici) t('POST 1 MiB: httpwire ≥ undici', c.post1m.undici.speedRatio, 1);
  }
  if (res.memory) {
    lines.push('', '#### Memory: 1 GiB through readinto(64 KiB), canned server', '');
    lines.push('| build | peak RSS growth | JS heap bytes / readinto (wire) | ArrayBuffer bytes / readinto (wire) | JS heap bytes / readinto (no-alloc transport) | async-call floor (bytes) |');
    lines.push('|---|---:|---:|---:|---:|---:|');
    for (const [k, r] of Object.entries(res.memory)) {
      lines.push(
        `| ${k} | ${fmt(r.peakRssGrowthMiB, 1)} MiB | ${fmt(r.wire.heapBytesPerCall, 0)} | ${fmt(r.wire.arrayBufferBytesPerCall, 0)} | ${fmt(r.isolated.heapBytesPerCall, 0)} | ${fmt(r.isolated.asyncFloorBytesPerCall, 0)} |`,
      );
    }
  }
  return lines.join('\n');
}
