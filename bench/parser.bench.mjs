// Parser benchmark: httpwire against undici 7's llhttp WASM, Node's own
// parser and http-parser-js, side by side in one process, with tinybench.
//
//   npm run build && npm run bench           (node --expose-gc bench/parser.bench.mjs)
//   node --expose-gc bench/parser.bench.mjs --rounds 20 --time 30 --corpora small,realistic
//   node --expose-gc bench/parser.bench.mjs --alt /tmp/copy/dist/core/index.js
//     (adds another build of httpwire/core, e.g. a scratch copy with a
//     change, as two more peers "httpwire alt": an A/B in the same run)
//
// Every peer keeps one connection (parser state) per task and reads one
// whole response per call, fed as the same socket-sized reads. A tinybench
// sample is a batch of B responses (B sized once so a batch takes ~1 ms,
// at most MAX_BATCH); responses/s = B / median sample time. One "round" of
// a corpus x workload cell runs every peer once (order rotated between
// rounds) for TASK_MS and at least MIN_SAMPLES batches, between two probes
// (a fixed JS workload): a round is quiet when both probes are within
// QUIET_FACTOR of the fastest probe seen. Short rounds keep all peers of a
// round in one phase of the (noisy, shared) machine. Per peer we report the
// median and the best responses/s over the quiet rounds, and the ratio
// httpwire/peer as the median of the per-round ratios (both measured in the
// same round). Timing is only reported, never asserted.
import { readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Bench } from 'tinybench';
import { corpora, NAMED, SEGMENT } from './corpora.mjs';
import * as undici from './peers/undici.mjs';
import * as node from './peers/node.mjs';
import * as hpj from './peers/http-parser-js.mjs';
import * as httpwire from './peers/httpwire.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const TINYBENCH = (() => {
  try {
    // tinybench's exports map hides package.json from require().
    const main = createRequire(import.meta.url).resolve('tinybench');
    return JSON.parse(readFileSync(join(dirname(main), '..', 'package.json'), 'utf8')).version;
  } catch {
    return '?';
  }
})();

// ---- options --------------------------------------------------------------
function option(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0 || i + 1 >= process.argv.length) return fallback;
  return typeof fallback === 'number' ? Number(process.argv[i + 1]) : process.argv[i + 1];
}
const ROUNDS = option('rounds', 20); // rounds per cell (short rounds: a round's peers run within ~0.3 s, in one machine phase)
const TASK_MS = option('time', 30); // tinybench time budget per task and round
const ALT = option('alt', ''); // another build of httpwire/core to compare (A/B)
const ONLY = option('corpora', ''); // comma-separated corpus keys (default: all)
const MIN_SAMPLES = 10; // tinybench minimum iterations (batches) per task and round
const BATCH_MS = 1; // target duration of one batch
const MAX_BATCH = 5000; // cap on responses per batch
const QUIET_FACTOR = 1.25;
const WORKLOADS = [
  { key: 'named', title: `(a) status + ${NAMED.join(', ')}` },
  { key: 'all', title: '(b) every header name and value as strings' },
];

const gc = globalThis.gc ?? null;

// ---- peers ----------------------------------------------------------------
const PEERS = [
  { id: 'httpwire', label: httpwire.label('simd'), make: (w) => httpwire.createConnection(w, 'simd') },
  { id: 'httpwire-scalar', label: httpwire.label('scalar'), make: (w) => httpwire.createConnection(w, 'scalar') },
  { id: 'undici', label: `${undici.label} ${undici.undiciVersion}, ${undici.llhttpFile}`, make: (w) => undici.createConnection(w) },
  // Not undici's own path in (a): strings for the three wanted headers only (see peers/undici.mjs).
  { id: 'undici-lazy', label: `${undici.label}, lazy strings in (a) (not undici's path)`, make: (w) => undici.createConnection(w, true) },
  { id: 'node', label: node.label, make: (w) => node.createConnection(w) },
  { id: 'http-parser-js', label: hpj.label, make: (w) => hpj.createConnection(w) },
];
if (ALT) {
  const alt = httpwire.connector(await import(pathToFileURL(resolve(ALT)).href));
  PEERS.splice(
    2,
    0,
    { id: 'alt', label: httpwire.label('simd', `alt ${ALT}`), make: (w) => alt(w, 'simd') },
    { id: 'alt-scalar', label: httpwire.label('scalar', 'alt'), make: (w) => alt(w, 'scalar') },
  );
}
const BASE = 'httpwire';

// ---- probe ----------------------------------------------------------------
let probeSink = 0;
const probeSrc = new Uint8Array(1 << 19).fill(0x61);
const probeDst = new Uint8Array(1 << 19);
/**
 * A fixed JS workload whose duration tracks machine speed: an ALU loop,
 * memory copies (cache and bandwidth contention) and short-lived strings and
 * objects (allocation), so it sees the slow phases the parsers see.
 */
function probe() {
  const t0 = performance.now();
  let x = 0x9e3779b9 | 0;
  for (let i = 0; i < 1_000_000; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
  }
  for (let i = 0; i < 8; i++) probeDst.set(i & 1 ? probeSrc : probeSrc.subarray(1), 0);
  const text = 'Content-Type: text/html; charset=utf-8\r\n'.repeat(50);
  for (let i = 0; i < 4000; i++) {
    const o = { s: text.substring(i % 100, 40 + (i % 100)), n: i };
    x ^= o.s.length + o.n;
  }
  probeSink ^= x ^ probeDst[7];
  return performance.now() - t0;
}

// ---- helpers --------------------------------------------------------------
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length === 0 ? NaN : s.length & 1 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const fmtRate = (r) => (Number.isFinite(r) ? (r >= 1e5 ? Math.round(r / 1000) + 'k' : r >= 1000 ? (r / 1000).toFixed(1) + 'k' : r.toFixed(0)) : '-');
const fmtUs = (r) => (Number.isFinite(r) ? (1e6 / r).toFixed(r > 1e5 ? 2 : 1) : '-');
const fmtRatio = (x) => (Number.isFinite(x) ? x.toFixed(2) + 'x' : '-');

function machine() {
  let model = 'unknown';
  try {
    const m = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'));
    if (m) model = m[1].trim();
  } catch {}
  return { nproc: cpus().length, model, node: process.version, v8: process.versions.v8 };
}

// ---- verification ---------------------------------------------------------
/** Every peer, each corpus and workload: same status, header count, body length, checksum. */
function verify(list) {
  const failures = [];
  for (const c of list) {
    for (const w of WORKLOADS) {
      const sums = new Map();
      for (const p of PEERS) {
        const conn = p.make(w.key);
        // Three responses on one connection: keep-alive reuse must work too.
        for (let k = 0; k < 3; k++) {
          let sum;
          try {
            sum = conn.response(c.segments);
          } catch (e) {
            failures.push(`${p.id} ${c.key}/${w.key}: threw ${e && e.message}`);
            break;
          }
          const got = [conn.status, conn.headerCount, conn.bodyLength];
          const want = [c.status, c.headerCount, c.bodyLength];
          if (got.join() !== want.join()) {
            failures.push(`${p.id} ${c.key}/${w.key}: status/headers/body ${got.join('/')} != ${want.join('/')}`);
            break;
          }
          sums.set(p.id, sum);
        }
      }
      if (new Set(sums.values()).size > 1) {
        failures.push(`${c.key}/${w.key}: checksums differ: ${[...sums].map(([k, v]) => `${k}=${v}`).join(' ')}`);
      }
    }
  }
  if (failures.length) {
    console.error('VERIFICATION FAILED:\n  ' + failures.join('\n  '));
    process.exit(1);
  }
}

// ---- batching -------------------------------------------------------------
/** Responses per batch so one batch takes ~BATCH_MS (bounded in time and count). */
function batchSize(conn, segs) {
  for (let i = 0; i < 3; i++) conn.response(segs);
  let n = 0;
  const t0 = performance.now();
  let t = 0;
  while (n < 20000 && (t = performance.now() - t0) < 20) {
    conn.response(segs);
    n++;
  }
  const per = t / n;
  return Math.max(1, Math.min(MAX_BATCH, Math.round(BATCH_MS / per)));
}

// ---- main -----------------------------------------------------------------
async function main() {
  const info = machine();
  const list = corpora().filter((c) => !ONLY || ONLY.split(',').includes(c.key));
  const t0 = performance.now();
  console.log('# httpwire parser benchmark\n');
  console.log(`machine: ${info.nproc} vCPU, ${info.model}; node ${info.node} (V8 ${info.v8})`);
  console.log(
    `command: ${['node', ...process.execArgv].join(' ')} bench/parser.bench.mjs --rounds ${ROUNDS} --time ${TASK_MS}` +
      `${ONLY ? ' --corpora ' + ONLY : ''}${ALT ? ' --alt ' + ALT : ''}`,
  );
  if (!gc) console.log('note: without --expose-gc there is no full GC between set-up and measuring');
  for (const build of ['simd', 'scalar']) {
    const f = join(root, 'build', `httpwire.${build}.wasm`);
    let size = '?';
    try {
      size = statSync(f).size + ' bytes';
    } catch {}
    console.log(`WASM build/httpwire.${build}.wasm: ${size}`);
  }
  console.log(`tinybench ${TINYBENCH}; ${ROUNDS} rounds (+1 warm-up), ${TASK_MS} ms and ≥ ${MIN_SAMPLES} batches per task and round`);
  console.log(`undici ${undici.undiciVersion} uses ${undici.llhttpFile} here; reads are ≤ ${SEGMENT} bytes`);
  console.log('peers: ' + PEERS.map((p) => p.label).join('; '));
  console.log(
    'corpora: ' +
      list
        .map((c) => `${c.key} ${c.bytes.length} B (head ${c.headLength} B, ${c.headerCount} headers, body ${c.bodyLength} B${c.chunks ? ` in ${c.chunks} chunks` : ''}, ${c.segments.length} read${c.segments.length > 1 ? 's' : ''})`)
        .join('; '),
  );

  verify(list);
  console.log('verified: every peer gives the same status, header count, body length and string checksum\n');

  // Cells: corpus x workload, each with its connections and batch sizes.
  const cells = [];
  for (const c of list) {
    for (const w of WORKLOADS) {
      const tasks = PEERS.map((p) => {
        const conn = p.make(w.key);
        return { peer: p, conn, batch: batchSize(conn, c.segments) };
      });
      cells.push({ corpus: c, workload: w, tasks });
    }
  }

  // One full GC after set-up, none while measuring: a forced gc() before each
  // task was tried and made rounds bimodal (after a full GC V8 shrinks the
  // young generation, so the next task pays for extra scavenges; medians fell
  // to half the best). Each peer's own garbage is part of its cost.
  gc?.();
  // One unrecorded round first: every task runs long enough for V8 to tier
  // up its JS and WASM before anything is recorded.
  let bestProbe = Infinity;
  const rounds = []; // {cell, before, after, rates: Map(peerId -> rate)}
  for (let r = -1; r < ROUNDS; r++) {
    for (const cell of cells) {
      const before = r < 0 ? Infinity : probe();
      const bench = new Bench({
        time: TASK_MS,
        iterations: MIN_SAMPLES,
        warmupTime: 10,
        warmupIterations: 2,
        throws: true,
      });
      // Rotate the peer order each round.
      const order = cell.tasks.map((_, i) => cell.tasks[(i + r + 1) % cell.tasks.length]);
      let sink = 0;
      for (const t of order) {
        const { conn, batch } = t;
        const segs = cell.corpus.segments;
        bench.add(t.peer.id, () => {
          for (let i = 0; i < batch; i++) sink += conn.response(segs);
        });
      }
      await bench.run();
      const after = r < 0 ? Infinity : probe();
      bestProbe = Math.min(bestProbe, before, after);
      const rates = new Map();
      for (const task of bench.tasks) {
        const t = cell.tasks.find((x) => x.peer.id === task.name);
        const res = task.result;
        if (res.state !== 'completed') throw new Error(`${task.name}: ${res.state} ${res.error ?? ''}`);
        // Median batch time -> responses/s for this round.
        rates.set(task.name, (t.batch * 1000) / res.latency.p50);
      }
      if (r >= 0) rounds.push({ cell, before, after, rates, sink });
      if (process.env.BENCH_DEBUG && r >= 0) {
        const ids = order.map((t) => t.peer.id);
        console.error(`${cell.corpus.key}/${cell.workload.key} r${r} probes ${before.toFixed(1)}/${after.toFixed(1)} ` + ids.map((id) => `${id}=${(1e6 / rates.get(id)).toFixed(2)}`).join(' '));
      }
    }
    process.stderr.write(`${r < 0 ? 'warm-up round' : `round ${r + 1}/${ROUNDS}`} done (${((performance.now() - t0) / 1000).toFixed(0)} s)\n`);
  }

  // Quiet rounds: both probes close to the fastest probe of the run.
  const limit = bestProbe * QUIET_FACTOR;
  for (const cell of cells) {
    const mine = rounds.filter((x) => x.cell === cell);
    let use = mine.filter((x) => x.before <= limit && x.after <= limit);
    cell.quietCount = use.length;
    if (use.length === 0) use = mine; // nothing quiet: report all, flagged
    cell.used = use;
  }

  // Report.
  const allProbes = rounds.flatMap((x) => [x.before, x.after]);
  console.log(
    `probe: best ${bestProbe.toFixed(2)} ms, median ${median(allProbes).toFixed(2)} ms, worst ${Math.max(...allProbes).toFixed(2)} ms; ` +
      `quiet = both probes ≤ ${QUIET_FACTOR}x best`,
  );
  for (const c of list) {
    console.log(`\n## ${c.title} — ${c.bytes.length} bytes\n`);
    for (const w of WORKLOADS) {
      const cell = cells.find((x) => x.corpus === c && x.workload === w);
      console.log(
        `### ${w.title} — ${cell.quietCount}/${ROUNDS} quiet rounds${cell.quietCount === 0 ? ' (NONE quiet: all rounds shown)' : ''}\n`,
      );
      const altHead = ALT ? ' alt/peer (median of rounds) |' : '';
      console.log(`| peer | median resp/s | best resp/s | µs/resp (median) | httpwire/peer (median of rounds) | httpwire/peer (best/best) |${altHead}`);
      console.log(`|---|---:|---:|---:|---:|---:|${ALT ? '---:|' : ''}`);
      const base = cell.used.map((x) => x.rates.get(BASE));
      const baseBest = Math.max(...base);
      for (const t of cell.tasks) {
        const rs = cell.used.map((x) => x.rates.get(t.peer.id));
        const med = median(rs);
        const best = Math.max(...rs);
        const ratio = median(cell.used.map((x) => x.rates.get(BASE) / x.rates.get(t.peer.id)));
        const ratioBest = baseBest / best;
        const altCol = ALT
          ? ` ${t.peer.id === 'alt' ? '—' : fmtRatio(median(cell.used.map((x) => x.rates.get('alt') / x.rates.get(t.peer.id))))} |`
          : '';
        console.log(
          `| ${t.peer.label} | ${fmtRate(med)} | ${fmtRate(best)} | ${fmtUs(med)} | ${t.peer.id === BASE ? '—' : fmtRatio(ratio)} | ${t.peer.id === BASE ? '—' : fmtRatio(ratioBest)} |${altCol}`,
        );
      }
      console.log('');
    }
  }

  // Targets (realistic corpus), for httpwire and, with --alt, the other build.
  if (!list.some((c) => c.key === 'realistic')) return;
  const perRound = (w, a, b) => {
    const cell = cells.find((x) => x.corpus.key === 'realistic' && x.workload.key === w);
    return median(cell.used.map((x) => x.rates.get(a) / x.rates.get(b)));
  };
  console.log('## Targets (realistic corpus, median of per-round ratios)\n');
  for (const id of ALT ? [BASE, 'alt'] : [BASE]) {
    const check = (what, ratio, need, strict) => {
      const ok = strict ? ratio > need : ratio >= need;
      console.log(`- ${id}: ${what}: ${fmtRatio(ratio)} (target ${strict ? '>' : '≥'} ${need}x) — ${ok ? 'MET' : 'MISSED'}`);
    };
    check('workload (b) vs undici', perRound('all', id, 'undici'), 2, false);
    check('workload (b) vs node', perRound('all', id, 'node'), 1, true);
    check('workload (a) vs undici', perRound('named', id, 'undici'), 4, false);
    const lazy = perRound('named', id, 'undici-lazy');
    console.log(`- ${id}: (for reference) workload (a) vs a lazier undici consumer than undici itself: ${fmtRatio(lazy)}`);
  }
  console.log(`\ntotal ${((performance.now() - t0) / 1000).toFixed(0)} s`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
