// The public path without I/O: HTTPResponse over a MemoryTransport, for
// each parser corpus (bench/corpora.mjs): `begin()`, every header as a
// string (msg.items()), then `read()` of the whole body. What the http
// layer adds over the core shows here (head copies, HTTPMessage, the body
// bookkeeping); an A/B needs another build:
//
//   node --expose-gc bench/response.bench.mjs --alt /tmp/base/dist/index.js
//     [--rounds 10] [--time 40] [--corpora small,realistic,...]
//
// Rounds alternate the two builds (order rotated) and the ratio is the
// median of per-round ratios, this checkout over --alt. Timing is only
// reported, never asserted.
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Bench } from 'tinybench';
import { corpora } from './corpora.mjs';
import * as here from '../dist/index.js';

function option(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0 || i + 1 >= process.argv.length) return fallback;
  return typeof fallback === 'number' ? Number(process.argv[i + 1]) : process.argv[i + 1];
}
const ROUNDS = option('rounds', 10);
const TASK_MS = option('time', 40);
const ALT = option('alt', '');
const ONLY = option('corpora', '');
if (!ALT) {
  console.error('usage: node --expose-gc bench/response.bench.mjs --alt PATH/dist/index.js');
  process.exit(2);
}
const alt = await import(pathToFileURL(resolve(ALT)).href);

/** One response read the way a user reads it; returns a checksum. */
async function readOne(lib, segments) {
  const res = new lib.HTTPResponse(new lib.MemoryTransport(segments));
  await res.begin();
  let sum = res.status;
  for (const [name, value] of res.msg.items()) sum += name.length + value.length;
  const body = await res.read();
  return sum + body.length;
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length & 1 ? s[m] : (s[m - 1] + s[m]) / 2;
};

const list = corpora().filter((c) => !ONLY || ONLY.split(',').includes(c.key));
console.log(`command: node ${process.execArgv.join(' ')} bench/response.bench.mjs --rounds ${ROUNDS} --time ${TASK_MS} --alt ${ALT}${ONLY ? ' --corpora ' + ONLY : ''}`);
for (const c of list) {
  // Same result from both builds before timing anything.
  const a = await readOne(here, c.segments);
  const b = await readOne(alt, c.segments);
  if (a !== b) throw new Error(`${c.key}: checksums differ (${a} vs ${b})`);
}
globalThis.gc?.();
console.log('\n| corpus | this µs/resp (median) | alt µs/resp (median) | this/alt speed (median of rounds) |\n|---|---:|---:|---:|');
for (const c of list) {
  const ratios = [];
  const mine = [];
  const theirs = [];
  for (let r = -1; r < ROUNDS; r++) {
    const bench = new Bench({ time: TASK_MS, warmupTime: 10 });
    const tasks = [
      ['this', () => readOne(here, c.segments)],
      ['alt', () => readOne(alt, c.segments)],
    ];
    if (r & 1) tasks.reverse();
    for (const [name, fn] of tasks) bench.add(name, fn);
    await bench.run();
    if (r < 0) continue; // warm-up round
    const t = Object.fromEntries(bench.tasks.map((x) => [x.name, x.result.latency.p50]));
    mine.push(t.this * 1000);
    theirs.push(t.alt * 1000);
    ratios.push(t.alt / t.this);
  }
  console.log(`| ${c.title} | ${median(mine).toFixed(2)} | ${median(theirs).toFixed(2)} | ${median(ratios).toFixed(2)}x |`);
}
