// Paired A/B of two builds of httpwire/core on one corpus, timed in CPU time
// (process.cpuUsage) rather than wall time: on a shared, loaded machine the
// process is descheduled for whole slices, which wall-time rounds cannot
// tell from slowness; CPU time mostly can. The builds alternate in short
// slices (order swapped every pair) and the median of the per-pair ratios
// is reported with its quartiles. Bounded: `pairs` pairs of 2 x 15 ms.
//
//   node bench/parser-ab.mjs A/dist/core/index.js B/dist/core/index.js \
//     [corpus=realistic] [workload=all|named|parseHead] [build=simd|scalar] [pairs=40]
//
// `all` and `named` are the parser benchmark's workloads (b) and (a),
// driven by bench/peers/httpwire.mjs; `parseHead` times the WASM call alone
// on the corpus's head, already staged.
import { corpora } from './corpora.mjs';
import { connector } from './peers/httpwire.mjs';

const [aPath, bPath, key = 'realistic', workload = 'all', build = 'simd', pairsArg = '40'] = process.argv.slice(2);
if (!aPath || !bPath) {
  console.error('usage: node bench/parser-ab.mjs A/dist/core/index.js B/dist/core/index.js [corpus] [all|named|parseHead] [simd|scalar] [pairs]');
  process.exit(2);
}
const pairs = Math.min(Number(pairsArg), 400);
const corpus = corpora().find((c) => c.key === key);
if (!corpus) throw new Error(`no corpus ${key}`);

/** A function doing `batch` units of work with one build. */
function workFor(core) {
  if (workload === 'parseHead') {
    const head = corpus.bytes.subarray(0, corpus.headLength);
    const wasm = core.createWasmParser(build);
    wasm.stageOnce(head);
    if (wasm.parseHead(head.length, 0, 0, 0) !== head.length) throw new Error('parseHead did not take the head');
    return () => {
      for (let i = 0; i < 200; i++) wasm.parseHead(head.length, 0, 0, 0);
      return 200;
    };
  }
  const conn = connector(core)(workload, build);
  return () => {
    for (let i = 0; i < 50; i++) conn.response(corpus.segments);
    return 50;
  };
}

/** Units per CPU second over a slice of `ms` CPU milliseconds. */
function rate(work, ms) {
  const start = process.cpuUsage();
  let n = 0;
  let used = 0;
  do {
    n += work();
    const d = process.cpuUsage(start);
    used = d.user + d.system;
  } while (used < ms * 1000);
  return (n / used) * 1e6;
}

const a = workFor(await import(aPath));
const b = workFor(await import(bPath));
for (let i = 0; i < 5; i++) rate(a, 20), rate(b, 20); // warm-up: both builds tiered up
const ratios = [];
for (let i = 0; i < pairs; i++) {
  let ra, rb;
  if (i & 1) (rb = rate(b, 15)), (ra = rate(a, 15));
  else (ra = rate(a, 15)), (rb = rate(b, 15));
  ratios.push(ra / rb);
}
ratios.sort((x, y) => x - y);
const q = (f) => ratios[Math.floor((ratios.length - 1) * f)].toFixed(3);
console.log(`${key} ${workload} ${build}: A/B median ${q(0.5)} (quartiles ${q(0.25)}-${q(0.75)}, ${pairs} pairs)`);
