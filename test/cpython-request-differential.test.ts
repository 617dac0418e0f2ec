// The request reader against CPython 3.13's own http.server
// (test/cpython/request_oracle.py): every request fixture's json block must
// be what CPython says, and on generated request streams (REQ_CPYTHON_N,
// default 3000; seed REQ_CPYTHON_SEED) httpwire's reading must equal
// CPython's on both WASM builds. Strict mode on the same streams must read
// the same or refuse (never read differently).
import { beforeAll, describe, expect, it } from 'vitest';
import { createWasmParser } from '../src/core/index.js';
import { fromLatin1, loadResponseFixtures, runCpythonOracle, type OracleOutcome } from './support/fixtures.js';
import { makeRng } from './support/generate.js';
import { generateRequests, type GeneratedRequests } from './support/generate-requests.js';
import { PYTHON313 } from './support/python.js';
import { readRequests } from './support/request-replay.js';

const N = Number(process.env.REQ_CPYTHON_N ?? 3000);
const SEED = Number(process.env.REQ_CPYTHON_SEED ?? 1);
const ORACLE = new URL('./cpython/request_oracle.py', import.meta.url).pathname;
const fixtures = loadResponseFixtures(new URL('./fixtures/request/', import.meta.url).pathname);
const simd = createWasmParser('simd');
const scalar = createWasmParser('scalar');

type Requests = { requests: Record<string, unknown>[] };

function python(): string {
  if (!PYTHON313) throw new Error('CPython 3.13 is needed: set PYTHON313, or put python3.13 on PATH');
  return PYTHON313;
}

describe('request fixtures agree with CPython http.server', () => {
  let outcomes: OracleOutcome[] = [];
  beforeAll(async () => {
    outcomes = await runCpythonOracle(fixtures.map((f) => ({ input: f.input, method: 'GET', protocol: 'HTTP/1.1' })), { python: python(), oracle: ORACLE });
  }, 120_000);

  it('has the cases', () => {
    expect(outcomes).toHaveLength(fixtures.length);
  });
  fixtures.forEach((f, i) => {
    it(`${f.file}: ${f.title}`, () => {
      expect(outcomes[i]).toStrictEqual(f.expected);
    });
  });
});

describe(`generated request streams against CPython (${N}, seed ${SEED})`, () => {
  const rng = makeRng(SEED);
  const cases: (GeneratedRequests & { input: Uint8Array })[] = [];
  for (let i = 0; i < N; i++) {
    const g = generateRequests(rng);
    cases.push({ ...g, input: fromLatin1(g.text) });
  }
  let outcomes: OracleOutcome[] = [];
  beforeAll(async () => {
    outcomes = await runCpythonOracle(cases.map((c) => ({ input: c.input, method: 'GET', protocol: c.protocol })), { python: python(), oracle: ORACLE });
  }, 300_000);

  it('reads every stream as CPython does, on both builds; strict mode reads the same or refuses', () => {
    expect(outcomes).toHaveLength(N);
    const mismatches: unknown[] = [];
    const tally = { accepted: 0, refused: 0, strictRefused: 0 };
    for (let i = 0; i < N; i++) {
      const c = cases[i]!;
      const want = outcomes[i] as Requests;
      for (const wasm of [simd, scalar]) {
        const got = readRequests([c.input], { wasm, protocol: c.protocol });
        if (JSON.stringify(got) !== JSON.stringify(want)) mismatches.push({ i, build: wasm.build, kind: c.kind, input: c.text.slice(0, 300), want, got });
      }
      const strict = readRequests([c.input], { wasm: simd, protocol: c.protocol, strict: true });
      const n = strict.requests.length;
      const last = strict.requests[n - 1]!;
      const refused = (last.status === 400 && String(last.message).startsWith('Bad request: ')) || last.body_error === 'StrictViolation' || last.body_error === 'IncompleteRead';
      const same = JSON.stringify(strict) === JSON.stringify(want);
      if (refused && !same) {
        tally.strictRefused++;
        if (JSON.stringify(strict.requests.slice(0, n - 1)) !== JSON.stringify(want.requests.slice(0, n - 1))) mismatches.push({ i, strict: true, input: c.text.slice(0, 300), want, got: strict });
      } else if (!same) {
        mismatches.push({ i, strict: true, input: c.text.slice(0, 300), want, got: strict });
      }
      if (want.requests.some((r) => 'command' in r)) tally.accepted++;
      else tally.refused++;
    }
    expect({ count: mismatches.length, first: mismatches.slice(0, 3) }).toEqual({ count: 0, first: [] });
    // The generator must reach both sides of every decision, or the test proves little.
    expect(tally.accepted).toBeGreaterThan(N / 4);
    expect(tally.refused).toBeGreaterThan(N / 10);
    expect(tally.strictRefused).toBeGreaterThan(N / 10);
  });
});
