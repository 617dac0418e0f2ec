#!/usr/bin/env node
// Seeded fuzzer for the WASM parsers, responses or requests (see
// test/fuzz/harness.ts for what is generated and what is checked).
//
//   npm run fuzz -- --n 1000000 --seed 6          (node test/fuzz/fuzz.mjs)
//   npm run fuzz -- --target requests --n 1000000 --seed 6
//   node test/fuzz/fuzz.mjs --seed 6 --only 41234  replay one input, print its findings
//   options: --target responses|requests (default responses), --start I (first
//            index), --workers W (default 1), --stall S (seconds without
//            progress before an input counts as a hang, default 120),
//            --cpython K (requests: every K-th stream also read by CPython
//            3.13's http.server, test/cpython/request_oracle.py, the
//            reference; default 20, 0 for none), --report FILE (JSON summary;
//            default .tmp/fuzz/report-<seed>.json, report-requests-<seed>.json)
//
// The harness is TypeScript: it is bundled here with esbuild (a dev
// dependency) so that this script runs on plain Node 20. Inputs run in
// worker threads; each publishes the index it is working on in shared
// memory, and the main thread stops a worker whose index has not moved for
// --stall seconds and records that input as a hang (then goes on after it).
// Exit code 1 when anything was found.
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
// One bundle per run, so that runs side by side do not rebuild each other's.
const bundle = join(root, '.tmp', 'fuzz', `harness-${process.pid}.mjs`);
const pythonBundle = join(root, '.tmp', 'fuzz', `python-${process.pid}.mjs`);
const ORACLE = join(root, 'test', 'cpython', 'request_oracle.py');
/** Streams per CPython process (one start-up per batch). */
const ORACLE_BATCH = 500;

if (isMainThread) await main();
else await work();

function args() {
  const out = { n: 100_000, seed: 1, start: 0, workers: 1, stall: 120, only: null, report: null, target: 'responses', cpython: 20 };
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i += 2) {
    const key = argv[i].replace(/^--/, '');
    if (!(key in out)) throw new Error(`unknown option ${argv[i]}`);
    out[key] = key === 'report' || key === 'target' ? argv[i + 1] : Number(argv[i + 1]);
  }
  if (out.target !== 'responses' && out.target !== 'requests') throw new Error(`--target is responses or requests, not ${out.target}`);
  if (out.target === 'responses') out.cpython = 0; // responses have the reference parser on every input
  return out;
}

async function build() {
  const esbuild = await import('esbuild');
  const one = (entry, platform, outfile) =>
    esbuild.build({ entryPoints: [join(root, ...entry)], bundle: true, format: 'esm', platform, target: 'es2022', outfile, logLevel: 'warning' });
  await one(['test', 'fuzz', 'harness.ts'], 'neutral', bundle);
  // Finding CPython 3.13 (test/support/python.ts) needs node:child_process: a bundle of its own.
  await one(['test', 'support', 'python.ts'], 'node', pythonBundle);
}

async function main() {
  const opt = args();
  mkdirSync(dirname(bundle), { recursive: true });
  await build();
  process.on('exit', () => {
    rmSync(bundle, { force: true });
    rmSync(pythonBundle, { force: true });
  });
  const requests = opt.target === 'requests';
  const python = opt.cpython > 0 ? (await import(pythonBundle)).PYTHON313 : null;
  if (opt.cpython > 0 && !python) throw new Error('--cpython needs CPython 3.13: set PYTHON313, or put python3.13 on PATH (or pass --cpython 0)');
  if (opt.only !== null) {
    const harness = await import(bundle);
    const { Fuzzer, fuzzInput, requestFuzzInput } = harness;
    const { input, method, kind, protocol } = requests ? requestFuzzInput(opt.seed, opt.only) : fuzzInput(opt.seed, opt.only);
    const fuzzer = new Fuzzer();
    const found = requests ? fuzzer.runRequest(opt.seed, opt.only) : fuzzer.run(opt.seed, opt.only);
    if (python) found.push(...againstCpython(python, harness, fuzzer.simd, [requestFuzzInput(opt.seed, opt.only)], [opt.only], opt.seed));
    console.log(JSON.stringify({ index: opt.only, kind, method: method ?? protocol, length: input.length, input: String.fromCharCode(...input.subarray(0, 2000)) }));
    for (const f of found) console.log(`${f.kind} in ${f.where}: ${f.detail}`);
    process.exit(found.length ? 1 : 0);
  }

  const end = opt.start + opt.n;
  const workers = Math.max(1, opt.workers);
  const current = new Int32Array(new SharedArrayBuffer(4 * workers));
  const started = Date.now();
  const totals = { inputs: 0, bytes: 0, largest: 0, kinds: {}, strictAccepted: 0, strictRefused: {}, outcomes: {}, abiCalls: 0, accepted: 0, cpython: 0 };
  const findings = [];
  const hangs = [];
  let done = 0;
  let unreported = 0;

  // Index ranges, one per worker; a worker stopped for a hang resumes after the input.
  const per = Math.ceil(opt.n / workers);
  const ranges = Array.from({ length: workers }, (_, w) => [opt.start + w * per, Math.min(end, opt.start + (w + 1) * per)]);
  const progress = setInterval(() => {
    const rate = done / ((Date.now() - started) / 1000);
    process.stderr.write(`\r${done}/${opt.n} inputs, ${rate.toFixed(0)}/s, ${findings.length} findings, ${hangs.length} hangs  `);
  }, 5000);

  await Promise.all(
    ranges.map(async ([from, to], slot) => {
      while (from < to) {
        from = await runWorker(slot, from, to);
      }
    }),
  );
  clearInterval(progress);
  const seconds = (Date.now() - started) / 1000;
  // Findings by class: kind, place (build and pieces aside) and the first words of the detail.
  const classes = {};
  for (const f of findings) {
    const key = `${f.kind} in ${f.where.replace(/ \(.*\)$/, '')}: ${f.detail.split(/[;\n]/)[0].replace(/-?\d+/g, 'N').slice(0, 80)}`;
    classes[key] = (classes[key] ?? 0) + 1;
  }
  totals.inputs += unreported;
  const summary = { target: opt.target, seed: opt.seed, classes, start: opt.start, inputs: totals.inputs, hangs: hangs.length, seconds, findings: findings.length, totals, node: process.version, findingsList: findings.slice(0, 200), hangList: hangs };
  const reportFile = opt.report ?? join(root, '.tmp', 'fuzz', `report-${requests ? 'requests-' : ''}${opt.seed}.json`);
  mkdirSync(dirname(reportFile), { recursive: true });
  writeFileSync(reportFile, JSON.stringify(summary, null, 2));
  process.stderr.write('\n');
  console.log(`${opt.target}, seed ${opt.seed}: ${totals.inputs} inputs (${(totals.bytes / 1e6).toFixed(1)} MB, largest ${totals.largest} bytes) in ${seconds.toFixed(1)} s`);
  if (requests) console.log(`streams with a request accepted: ${totals.accepted}; read by CPython too: ${totals.cpython}`);
  console.log(`kinds: ${JSON.stringify(totals.kinds)}`);
  console.log(`default outcomes: ${JSON.stringify(totals.outcomes)}`);
  console.log(`strict: ${totals.strictAccepted} accepted as default, refused ${JSON.stringify(totals.strictRefused)}`);
  console.log(`ABI calls checked: ${totals.abiCalls}`);
  console.log(`findings: ${findings.length} (crashes ${findings.filter((f) => f.kind === 'crash').length}), hangs: ${hangs.length}; report: ${reportFile}`);
  for (const [k, n] of Object.entries(classes)) console.log(`  ${n} x ${k}`);
  for (const f of findings.slice(0, 20)) console.log(`  #${f.index} ${f.kind} in ${f.where}: ${f.detail.slice(0, 400)}\n    input ${JSON.stringify(f.input.slice(0, 300))}`);
  process.exit(findings.length || hangs.length ? 1 : 0);

  /** Runs [from, to) in one worker; resolves with the index to go on from. */
  function runWorker(slot, from, to) {
    return new Promise((resolve, reject) => {
      current[slot] = from;
      const worker = new Worker(fileURLToPath(import.meta.url), {
        workerData: { file: bundle, seed: opt.seed, from, to, current, slot, requests, cpython: opt.cpython, python },
      });
      let last = from;
      let lastMove = Date.now();
      let flushedUpTo = from;
      let next = to; // where the range goes on after this worker exits
      const watch = setInterval(() => {
        const now = Atomics.load(current, slot);
        if (now !== last) {
          last = now;
          lastMove = Date.now();
        } else if (Date.now() - lastMove > opt.stall * 1000) {
          clearInterval(watch);
          hangs.push({ index: now, seconds: opt.stall });
          findings.push({ index: now, kind: 'hang', where: 'worker', detail: `no progress for ${opt.stall} s`, method: '', input: '' });
          // Inputs checked since the worker's last report count as run (their findings were sent as found).
          unreported += now + 1 - flushedUpTo;
          next = now + 1;
          void worker.terminate();
        }
      }, 1000);
      worker.on('message', (m) => {
        if (m.findings) findings.push(...m.findings);
        if (m.stats) {
          done += m.stats.inputs;
          flushedUpTo = m.upTo;
          merge(totals, m.stats);
        }
      });
      worker.on('error', (e) => {
        clearInterval(watch);
        reject(e);
      });
      worker.on('exit', () => {
        clearInterval(watch);
        resolve(next);
      });
    });
  }
}

function merge(into, s) {
  for (const k of ['inputs', 'bytes', 'strictAccepted', 'abiCalls', 'accepted', 'cpython']) into[k] += s[k] ?? 0;
  into.largest = Math.max(into.largest, s.largest);
  for (const k of ['kinds', 'strictRefused', 'outcomes']) {
    for (const [name, n] of Object.entries(s[k])) into[k][name] = (into[k][name] ?? 0) + n;
  }
}

async function work() {
  const { file, seed, from, to, current, slot, requests, cpython, python } = workerData;
  const harness = await import(file);
  const { Fuzzer, newStats, requestFuzzInput } = harness;
  const fuzzer = new Fuzzer();
  let sent = newStats();
  let checkedByCpython = 0;
  let sentCpython = 0;
  /** Streams waiting for CPython, with their indexes. */
  let batch = [];
  let batchIndexes = [];
  const oracle = () => {
    if (batch.length === 0) return;
    const found = againstCpython(python, harness, fuzzer.simd, batch, batchIndexes, seed);
    checkedByCpython += batch.length;
    batch = [];
    batchIndexes = [];
    if (found.length) parentPort.postMessage({ findings: found });
  };
  const flush = (upTo) => {
    oracle();
    const s = fuzzer.stats;
    const delta = { ...s, inputs: s.inputs - sent.inputs, bytes: s.bytes - sent.bytes, strictAccepted: s.strictAccepted - sent.strictAccepted, abiCalls: s.abiCalls - sent.abiCalls, accepted: s.accepted - sent.accepted, cpython: checkedByCpython - sentCpython, kinds: diff(s.kinds, sent.kinds), strictRefused: diff(s.strictRefused, sent.strictRefused), outcomes: diff(s.outcomes, sent.outcomes) };
    sent = structuredClone(s);
    sentCpython = checkedByCpython;
    parentPort.postMessage({ stats: delta, upTo });
  };
  for (let i = from; i < to; i++) {
    Atomics.store(current, slot, i);
    const found = requests ? fuzzer.runRequest(seed, i) : fuzzer.run(seed, i);
    if (found.length) parentPort.postMessage({ findings: found });
    if (cpython > 0 && i % cpython === 0) {
      batch.push(requestFuzzInput(seed, i));
      batchIndexes.push(i);
      if (batch.length >= ORACLE_BATCH) oracle();
    }
    if ((i - from) % 1000 === 999) flush(i + 1);
  }
  flush(to);
}

/**
 * The streams read by CPython 3.13's http.server (one oracle process for
 * the batch) and by httpwire (SIMD, whole): a mismatch finding per stream
 * read differently, a crash finding when the oracle fails.
 */
function againstCpython(python, harness, wasm, cases, indexes, seed) {
  const { requestOracleLine, requestResult } = harness;
  const r = spawnSync(python, [ORACLE], { input: cases.map((c) => requestOracleLine(c) + '\n').join(''), maxBuffer: 1 << 30, encoding: 'utf8' });
  const lines = (r.stdout ?? '').split('\n').filter((l) => l.trim() !== '');
  const text = (c) => String.fromCharCode(...c.input.subarray(0, 4096));
  if (r.status !== 0 || lines.length !== cases.length) {
    return [{ index: indexes[0], kind: 'crash', where: 'CPython oracle', detail: `exit ${r.status}, ${lines.length} results for ${cases.length} streams (seed ${seed}): ${(r.stderr ?? '').slice(-600)}`, method: '', input: text(cases[0]) }];
  }
  const found = [];
  cases.forEach((c, k) => {
    const want = JSON.stringify(JSON.parse(lines[k]));
    const got = JSON.stringify(requestResult(wasm, c));
    if (got !== want) found.push({ index: indexes[k], kind: 'mismatch', where: 'simd vs CPython', detail: `\n  ours    ${got.slice(0, 300)}\n  CPython ${want.slice(0, 300)}`, method: c.protocol, input: text(c) });
  });
  return found;
}

function diff(a, b) {
  const out = {};
  for (const [k, v] of Object.entries(a)) if (v - (b[k] ?? 0)) out[k] = v - (b[k] ?? 0);
  return out;
}
