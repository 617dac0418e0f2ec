// The fuzzer (test/fuzz/harness.ts) on 20,000 inputs, as part of the suite:
// no crash, no out-of-range offset, no stalled parse loop, and the SIMD
// build, the scalar build and the reference parser agree (strict mode: the
// two builds agree, and strict either equals the default or refuses).
// FUZZ_SEED and FUZZ_N override the run; the million-input run is
// `npm run fuzz -- --n 1000000 --seed S` (numbers in docs/reliability.md).
import { describe, expect, it } from 'vitest';
import { ChunkedReader, createWasmParser, ParseError, ReceiveBuffer } from '../../src/core/index.js';
import { Fuzzer } from './harness.js';

const SEED = Number(process.env.FUZZ_SEED ?? 20261130);
const N = Number(process.env.FUZZ_N ?? 20_000);

describe(`fuzz: ${N} generated and mutated responses (seed ${SEED})`, () => {
  it('no crash, offsets inside the input, every call makes progress, simd = scalar = reference', () => {
    const fuzzer = new Fuzzer();
    for (let i = 0; i < N && fuzzer.findings.length < 20; i++) fuzzer.run(SEED, i);
    const shown = fuzzer.findings.map((f) => `#${f.index} ${f.kind} in ${f.where}: ${f.detail.slice(0, 400)}\n  input ${JSON.stringify(f.input.slice(0, 300))}`);
    expect(shown).toEqual([]);
    const s = fuzzer.stats;
    expect(s.inputs).toBe(N);
    // The mix reaches every generator branch, mutated and not, and both
    // strict outcomes (so the strict comparison is not vacuous).
    for (const kind of ['valid', 'mutated', 'soup', 'random', 'edge', 'long']) {
      expect(s.kinds[kind]).toBeGreaterThan(0);
      expect(s.kinds[`${kind}+fuzz`]).toBeGreaterThan(0);
    }
    expect(s.strictAccepted).toBeGreaterThan(N / 20);
    expect(Object.keys(s.strictRefused).length).toBeGreaterThan(10);
    expect(s.outcomes.ok).toBeGreaterThan(N / 4);
  });
});

describe('regressions found by the fuzzer', () => {
  // A bare CR as the last byte of one read, its refusal decided by the first
  // byte of the next: the violation's offset pointed one byte before the
  // bytes handed in (-1), and StrictViolation.offset showed it.
  it.each([
    ['5\r', 'x'],
    ['1;a=b\r', 'x'],
    ['0\r\nT: x\r', 'y'],
  ])('strict chunk framing: a bare CR at the end of a read (%j then %j) gives an offset inside the input', (first, second) => {
    const wasm = createWasmParser('simd');
    const reader = new ChunkedReader(wasm, true);
    const buf = new ReceiveBuffer();
    buf.push(Uint8Array.from(first, (c) => c.charCodeAt(0)));
    expect(reader.next(buf, 1 << 20, false).length).toBe(0);
    buf.push(Uint8Array.from(second, (c) => c.charCodeAt(0)));
    let err: unknown = null;
    try {
      reader.next(buf, 1 << 20, false);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ParseError);
    expect((err as ParseError).offset).toBeGreaterThanOrEqual(0);
    expect((err as ParseError).offset).toBeLessThanOrEqual(second.length);
  });
});
