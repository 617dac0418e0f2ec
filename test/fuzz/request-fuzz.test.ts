// The fuzzer, extended to requests: generated request streams
// (test/support/generate-requests.ts), half of them mutated again
// (test/support/generate.ts's mutateBytes, one to four times), read by the
// core's RequestReader and checked:
//
// 1. No crash: nothing but ParseError ever comes out (a WASM trap would),
//    and every stream reaches a decision at EOF (no stuck reader, no loop:
//    readRequests pulls a bounded number of events per byte).
// 2. SIMD whole = scalar whole = scalar fed at random cut points; strict
//    mode equals the default result or refuses.
// 3. The ABI on both builds: parseRequestHead's return code is a known
//    one, every span it writes (method, target, version, header entries,
//    error offset) lies inside the bytes handed in, and the two builds fill
//    the out-block identically.
// 4. A sample (REQ_FUZZ_CPYTHON, default 2,000) also against CPython 3.13's
//    http.server (test/cpython/request_oracle.py): the reference.
//
// REQ_FUZZ_N (default 20,000) and REQ_FUZZ_SEED set the run.
import { describe, expect, it } from 'vitest';
import { Code, createWasmParser, InFlag, Slot, type WasmParser } from '../../src/core/index.js';
import { runCpythonOracle } from '../support/fixtures.js';
import { latin1Bytes, makeRng, mutateBytes, splitPoints } from '../support/generate.js';
import { generateRequests } from '../support/generate-requests.js';
import { PYTHON313 } from '../support/python.js';
import { readRequests } from '../support/request-replay.js';

const N = Number(process.env.REQ_FUZZ_N ?? 20_000);
const SEED = Number(process.env.REQ_FUZZ_SEED ?? 20261202);
const CPYTHON_SAMPLE = Number(process.env.REQ_FUZZ_CPYTHON ?? 2000);
const simd = createWasmParser('simd');
const scalar = createWasmParser('scalar');
const HEAD_CODES = new Set<number>([Code.NEED_MORE, Code.REMOTE_DISCONNECTED, Code.LINE_TOO_LONG, Code.TOO_MANY_HEADERS, Code.BAD_REQUEST_LINE]);

interface Case {
  index: number;
  text: string;
  input: Uint8Array;
  protocol: 'HTTP/1.0' | 'HTTP/1.1';
}

function makeCase(index: number): Case & { cuts: number[] } {
  const rng = makeRng((SEED ^ Math.imul(index + 1, 0x9e3779b1)) >>> 0);
  const g = generateRequests(rng);
  let text = g.text;
  if (rng.chance(0.5)) for (let k = rng.int(1, 4); k > 0; k--) text = mutateBytes(rng, text);
  const input = latin1Bytes(text);
  return { index, text, input, protocol: g.protocol, cuts: splitPoints(rng, input.length) };
}

function pieces(input: Uint8Array, cuts: number[]): Uint8Array[] {
  const out: Uint8Array[] = [];
  let at = 0;
  for (const c of cuts) {
    out.push(input.subarray(at, c));
    at = c;
  }
  out.push(input.subarray(at));
  return out;
}

/** parseRequestHead on the whole input: problems with its return value and out-block, and the out-block itself. */
function abiCheck(wasm: WasmParser, input: Uint8Array): { problems: string[]; out: number[] } {
  const problems: string[] = [];
  const total = Math.min(input.length, wasm.inputCapacity);
  wasm.stageOnce(input.subarray(0, total));
  let r = wasm.parseRequestHead(total, 0, 0, total === input.length ? InFlag.EOF : 0);
  if (r === Code.NEED_ENTRIES) {
    wasm.reserve(0, wasm.out[Slot.NEEDED_ENTRIES]!);
    wasm.stageOnce(input.subarray(0, total));
    r = wasm.parseRequestHead(total, 0, 0, total === input.length ? InFlag.EOF : 0);
  }
  const o = wasm.out;
  const inside = (name: string, s: number, e: number, limit: number) => {
    if (!(Number.isInteger(s) && Number.isInteger(e) && 0 <= s && s <= e && e <= limit)) problems.push(`${name} [${s}, ${e}) outside [0, ${limit}]`);
  };
  const out: number[] = [r];
  if (r > 0) {
    if (r > total) problems.push(`head length ${r} > ${total}`);
    inside('method', o[Slot.METHOD_START]!, o[Slot.METHOD_END]!, r);
    inside('target', o[Slot.TARGET_START]!, o[Slot.TARGET_END]!, r);
    if (o[Slot.WORD_COUNT]! >= 3) inside('version', o[Slot.VERSION_START]!, o[Slot.VERSION_END]!, r);
    if (![9, 10, 11].includes(o[Slot.VERSION]!)) problems.push(`version ${o[Slot.VERSION]}`);
    const count = o[Slot.HEADER_COUNT]!;
    for (let i = 0; i < count; i++) {
      const e = wasm.entries.subarray(i * 4, i * 4 + 4);
      inside(`header ${i} name`, e[0]!, e[1]!, r);
      inside(`header ${i} value`, e[2]!, e[3]!, r);
      out.push(...e);
    }
    for (const s of [Slot.METHOD_START, Slot.METHOD_END, Slot.TARGET_START, Slot.TARGET_END, Slot.VERSION, Slot.FLAGS, Slot.HEADER_COUNT]) out.push(o[s]!);
    if (wasm.checkHeadStrict(r, InFlag.REQUEST) < 0) inside('strict error offset', o[Slot.ERROR_OFFSET]!, o[Slot.ERROR_OFFSET]!, r);
  } else {
    if (!HEAD_CODES.has(r)) problems.push(`unknown code ${r}`);
    if (r < 0) {
      inside('error offset', o[Slot.ERROR_OFFSET]!, o[Slot.ERROR_OFFSET]!, total);
      out.push(o[Slot.ERROR_KIND]!);
    }
  }
  return { problems, out };
}

describe(`request fuzz: ${N} generated and mutated request streams (seed ${SEED})`, () => {
  it('no crash or stuck reader, simd = scalar = pieces, strict reads the same or refuses, ABI spans inside the input', () => {
    const findings: string[] = [];
    let strictRefused = 0;
    let accepted = 0;
    for (let i = 0; i < N && findings.length < 10; i++) {
      const c = makeCase(i);
      const note = (what: string) => findings.push(`#${i} ${what}\n  input ${JSON.stringify(c.text.slice(0, 300))}`);
      try {
        const a = readRequests([c.input], { wasm: simd, protocol: c.protocol });
        const b = readRequests([c.input], { wasm: scalar, protocol: c.protocol });
        const p = readRequests(pieces(c.input, c.cuts), { wasm: scalar, protocol: c.protocol });
        const ja = JSON.stringify(a);
        if (ja !== JSON.stringify(b)) note(`simd != scalar: ${ja.slice(0, 300)} / ${JSON.stringify(b).slice(0, 300)}`);
        if (ja !== JSON.stringify(p)) note(`whole != pieces at ${c.cuts}: ${ja.slice(0, 300)} / ${JSON.stringify(p).slice(0, 300)}`);
        if (ja.includes('"stuck"')) note('stuck reader');
        if (a.requests.some((r) => 'command' in r)) accepted++;
        const s = readRequests(pieces(c.input, c.cuts), { wasm: simd, protocol: c.protocol, strict: true });
        const js = JSON.stringify(s);
        if (js !== ja) {
          const n = s.requests.length;
          const last = s.requests[n - 1]!;
          const refused = (last.status === 400 && String(last.message).startsWith('Bad request: ')) || last.body_error === 'StrictViolation' || last.body_error === 'IncompleteRead';
          if (!refused || JSON.stringify(s.requests.slice(0, n - 1)) !== JSON.stringify(a.requests.slice(0, n - 1))) note(`strict reads differently: ${js.slice(0, 300)}`);
          strictRefused++;
        }
        const x = abiCheck(simd, c.input);
        const y = abiCheck(scalar, c.input);
        for (const problem of [...x.problems, ...y.problems]) note(`ABI: ${problem}`);
        if (JSON.stringify(x.out) !== JSON.stringify(y.out)) note(`ABI out-block differs: ${x.out.slice(0, 20)} / ${y.out.slice(0, 20)}`);
      } catch (e) {
        note(`crash: ${(e as Error)?.stack ?? e}`);
      }
    }
    expect(findings).toEqual([]);
    expect(accepted).toBeGreaterThan(N / 5);
    expect(strictRefused).toBeGreaterThan(N / 10);
  });

  it(`a sample of ${CPYTHON_SAMPLE} fuzzed streams reads as CPython's http.server reads it`, async () => {
    if (!PYTHON313) throw new Error('CPython 3.13 is needed: set PYTHON313, or put python3.13 on PATH');
    const cases = Array.from({ length: CPYTHON_SAMPLE }, (_, k) => makeCase(k * Math.max(1, Math.floor(N / CPYTHON_SAMPLE))));
    const want = await runCpythonOracle(
      cases.map((c) => ({ input: c.input, method: 'GET', protocol: c.protocol })),
      { python: PYTHON313, oracle: new URL('../cpython/request_oracle.py', import.meta.url).pathname },
    );
    const mismatches: unknown[] = [];
    cases.forEach((c, k) => {
      const got = readRequests([c.input], { wasm: simd, protocol: c.protocol });
      if (JSON.stringify(got) !== JSON.stringify(want[k])) mismatches.push({ index: c.index, input: c.text.slice(0, 300), want: want[k], got });
    });
    expect({ count: mismatches.length, first: mismatches.slice(0, 2) }).toEqual({ count: 0, first: [] });
  }, 300_000);
});
