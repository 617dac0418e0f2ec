// Every request fixture (test/fixtures/request/*.md) through the core's
// RequestReader on both WASM builds: whole, split in two at every byte
// offset (sampled over 4 KiB), and trickled in 1-7 byte pieces. Strict
// mode: a case's ```json strict block exactly; smuggling.md cases without
// one read as in the default mode; every other case reads as in the
// default mode or is refused.
import { describe, expect, it } from 'vitest';
import { createWasmParser, type WasmParser } from '../src/core/index.js';
import { loadResponseFixtures } from './support/fixtures.js';
import { readRequests } from './support/request-replay.js';
import { splitOffsets, trickled } from './support/replay.js';

const dir = new URL('./fixtures/request/', import.meta.url).pathname;
const fixtures = loadResponseFixtures(dir);
const builds: [string, WasmParser][] = [
  ['simd', createWasmParser('simd')],
  ['scalar', createWasmParser('scalar')],
];

/** `input` read whole, at every split and trickled: one result, or the first that differs. */
function everyWay(input: Uint8Array, wasm: WasmParser, strict: boolean): unknown {
  const whole = readRequests([input], { wasm, strict });
  const text = JSON.stringify(whole);
  for (const at of splitOffsets(input.length)) {
    const split = readRequests([input.subarray(0, at), input.subarray(at)], { wasm, strict });
    if (JSON.stringify(split) !== text) return { splitAt: at, result: split };
  }
  if (input.length <= 4096) {
    const t = readRequests(trickled(input), { wasm, strict });
    if (JSON.stringify(t) !== text) return { trickled: true, result: t };
  }
  return whole;
}

/** A strict result that only refuses: the default result, cut where strict mode said no. */
function isRefusalOf(strict: { requests: Record<string, unknown>[] }, plain: { requests: Record<string, unknown>[] }): boolean {
  const n = strict.requests.length;
  const last = strict.requests[n - 1]!;
  const refused = (last.status === 400 && String(last.message).startsWith('Bad request: ')) || last.body_error === 'StrictViolation' || last.body_error === 'IncompleteRead';
  if (!refused) return JSON.stringify(strict) === JSON.stringify(plain);
  return JSON.stringify(strict.requests.slice(0, n - 1)) === JSON.stringify(plain.requests.slice(0, n - 1));
}

describe('request fixtures', () => {
  it('loads the cases, with a strict refusal for every request rule', () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(150);
    const rules = new Set<string>();
    for (const fx of fixtures) {
      for (const r of (fx.strict?.requests as Record<string, unknown>[] | undefined) ?? []) {
        if (typeof r.message === 'string' && r.message.startsWith('Bad request: ')) rules.add(r.message.slice(13));
      }
    }
    for (const rule of ['content-length-with-transfer-encoding', 'multiple-content-length', 'invalid-content-length', 'transfer-encoding-not-chunked', 'multiple-transfer-encoding', 'obs-fold', 'whitespace-before-colon', 'bare-lf', 'bare-cr', 'invalid-header-name', 'invalid-header-value', 'invalid-request-line', 'missing-host', 'multiple-host', 'body-not-allowed', 'invalid-request-target']) {
      expect(rules).toContain(rule);
    }
  });

  for (const [build, wasm] of builds) {
    describe(build, () => {
      for (const fx of fixtures) {
        it(`${fx.file}: ${fx.title}`, () => {
          expect(everyWay(fx.input, wasm, false)).toEqual(fx.expected);
          const strict = everyWay(fx.input, wasm, true) as { requests: Record<string, unknown>[] };
          if (fx.strict) expect(strict).toEqual(fx.strict);
          else if (fx.file === 'smuggling.md') expect(strict).toEqual(fx.expected);
          else expect(isRefusalOf(strict, fx.expected as { requests: Record<string, unknown>[] }), JSON.stringify(strict)).toBe(true);
        });
      }
    });
  }
});
