// The fuzzer, extended to requests (test/fuzz/harness.ts, `runRequest`):
// generated request streams (test/support/generate-requests.ts), half of
// them mutated again (the generator's byte mutations and the harness's),
// read by the core's RequestReader and checked:
//
// 1. No crash: nothing but ParseError ever comes out (a WASM trap would),
//    and every stream reaches a decision at EOF (no stuck reader, no loop:
//    readRequests pulls a bounded number of events per byte).
// 2. SIMD whole = scalar whole = both fed at random cut points; strict
//    mode equals the default result or refuses.
// 3. The ABI on both builds: parseRequestHead's return code is a known
//    one, every span it writes (method, target, version, header entries,
//    error offset) lies inside the bytes handed in, the two builds fill the
//    out-block identically, whole and fed in pieces; decodeChunked over
//    what follows the head likewise.
// 4. A sample (REQ_FUZZ_CPYTHON, default 2,000) also against CPython 3.13's
//    http.server (test/cpython/request_oracle.py): the reference.
//
// REQ_FUZZ_N (default 20,000) and REQ_FUZZ_SEED set the run; the long run is
// `npm run fuzz -- --target requests --n N` (numbers in docs/reliability.md).
import { describe, expect, it } from 'vitest';
import { createWasmParser } from '../../src/core/index.js';
import { runCpythonOracle } from '../support/fixtures.js';
import { PYTHON313 } from '../support/python.js';
import { Fuzzer, requestFuzzInput, requestResult } from './harness.js';

const N = Number(process.env.REQ_FUZZ_N ?? 20_000);
const SEED = Number(process.env.REQ_FUZZ_SEED ?? 20261202);
const CPYTHON_SAMPLE = Number(process.env.REQ_FUZZ_CPYTHON ?? 2000);

describe(`request fuzz: ${N} generated and mutated request streams (seed ${SEED})`, () => {
  it('no crash or stuck reader, simd = scalar = pieces, strict reads the same or refuses, ABI spans inside the input', () => {
    const fuzzer = new Fuzzer();
    for (let i = 0; i < N && fuzzer.findings.length < 10; i++) fuzzer.runRequest(SEED, i);
    const findings = fuzzer.findings.map((f) => `#${f.index} ${f.kind} in ${f.where}: ${f.detail.slice(0, 400)}\n  input ${JSON.stringify(f.input.slice(0, 300))}`);
    expect(findings).toEqual([]);
    const s = fuzzer.stats;
    expect(s.inputs).toBe(N);
    expect(s.accepted).toBeGreaterThan(N / 5);
    const strictRefused = Object.values(s.strictRefused).reduce((a, b) => a + b, 0);
    expect(strictRefused).toBeGreaterThan(N / 10);
    // Mutated and unmutated streams both ran, and strict mode refused chunk
    // framing in bodies (a body's refusal is named StrictViolation alone).
    expect(Object.keys(s.kinds).some((k) => k.endsWith('+fuzz'))).toBe(true);
    expect(Object.keys(s.kinds).some((k) => !k.endsWith('+fuzz'))).toBe(true);
    expect(s.strictRefused.StrictViolation ?? 0).toBeGreaterThan(0);
  });

  it(`a sample of ${CPYTHON_SAMPLE} fuzzed streams reads as CPython's http.server reads it`, async () => {
    if (!PYTHON313) throw new Error('CPython 3.13 is needed: set PYTHON313, or put python3.13 on PATH');
    const simd = createWasmParser('simd');
    const cases = Array.from({ length: CPYTHON_SAMPLE }, (_, k) => {
      const index = k * Math.max(1, Math.floor(N / CPYTHON_SAMPLE));
      return { index, ...requestFuzzInput(SEED, index) };
    });
    const want = await runCpythonOracle(
      cases.map((c) => ({ input: c.input, method: 'GET', protocol: c.protocol })),
      { python: PYTHON313, oracle: new URL('../cpython/request_oracle.py', import.meta.url).pathname },
    );
    const mismatches: unknown[] = [];
    cases.forEach((c, k) => {
      const got = requestResult(simd, c);
      if (JSON.stringify(got) !== JSON.stringify(want[k])) mismatches.push({ index: c.index, input: String.fromCharCode(...c.input.subarray(0, 300)), want: want[k], got });
    });
    expect({ count: mismatches.length, first: mismatches.slice(0, 2) }).toEqual({ count: 0, first: [] });
  }, 300_000);
});
