// Differential: the SIMD build, the scalar build and the readable pure-TS
// reference parser (test/reference/parser.ts) must agree on every
// generated and mutated input. Seeded, so a failure replays exactly:
// DIFF_SEED and DIFF_N override the defaults.
import { describe, expect, it } from 'vitest';
import { createWasmParser, type WasmParser } from '../src/core/index.js';
import { ResponseReader, type ResponseResult } from '../src/http/report.js';
import { referenceParse } from './reference/parser.js';
import { generateResponse, makeRng, splitPoints } from './support/generate.js';

const SEED = Number(process.env.DIFF_SEED ?? 20261122);
const N = Number(process.env.DIFF_N ?? 100_000);
const simd = createWasmParser('simd');
const scalar = createWasmParser('scalar');

function ours(wasm: WasmParser, input: Uint8Array, method: string, cuts: number[] = []): ResponseResult {
  const reader = new ResponseReader({ method, wasm });
  let at = 0;
  for (const cut of cuts) {
    reader.feed(input.subarray(at, cut));
    at = cut;
  }
  reader.feed(input.subarray(at));
  reader.end();
  return reader.result();
}

function show(input: Uint8Array): string {
  return JSON.stringify(String.fromCharCode(...input.subarray(0, 600)));
}

describe(`differential: simd = scalar = reference (seed ${SEED}, ${N} inputs)`, () => {
  it('agrees on every input, whole and split', () => {
    const rng = makeRng(SEED);
    let failures = 0;
    const kinds: Record<string, number> = {};
    for (let i = 0; i < N && failures < 5; i++) {
      const { input, method, kind } = generateResponse(rng);
      kinds[kind] = (kinds[kind] ?? 0) + 1;
      const ref = JSON.stringify(referenceParse(input, method));
      const a = ours(simd, input, method);
      const b = ours(scalar, input, method);
      // One in eight inputs is also fed in pieces at random cut points.
      const c = i % 8 === 0 ? ours(simd, input, method, splitPoints(rng, input.length)) : a;
      const want = JSON.parse(ref) as Record<string, unknown>;
      for (const [name, got] of [['simd', a], ['scalar', b], ['simd split', c]] as const) {
        if (!sameResult(got, want)) {
          failures++;
          console.error(`input #${i} (${kind}, ${method}) ${name} differs:\n  input ${show(input)}\n${diffKeys(got as Record<string, unknown>, want)}`);
        }
      }
    }
    expect(failures).toBe(0);
    // The generator must keep producing its whole mix.
    expect(Object.keys(kinds).length).toBeGreaterThan(3);
  });
});

/** The keys on which two results differ, each side shortened. */
function diffKeys(ours: Record<string, unknown>, ref: Record<string, unknown>): string {
  const keys = new Set([...Object.keys(ours), ...Object.keys(ref)]);
  const cut = (v: unknown) => (JSON.stringify(v) ?? 'undefined').slice(0, 300);
  return [...keys]
    .filter((k) => JSON.stringify(ours[k]) !== JSON.stringify(ref[k]))
    .map((k) => `  ${k}: ours ${cut(ours[k])}\n  ${' '.repeat(k.length)}  ref  ${cut(ref[k])}`)
    .join('\n');
}

/** Deep equality of two result objects, ignoring key order. */
function sameResult(a: unknown, b: unknown): boolean {
  return JSON.stringify(sorted(a)) === JSON.stringify(sorted(b));
}

function sorted(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sorted);
  if (v && typeof v === 'object') {
    return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sorted((v as Record<string, unknown>)[k])]));
  }
  return v;
}
