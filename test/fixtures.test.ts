// Every Markdown fixture (test/fixtures/response/*.md) through httpwire's
// parser, on both WASM builds: whole, split in two at every byte offset
// (sampled for inputs over 4 KiB), and followed by the start of another
// response when the message ends on its own (it must stop at its end).
import { describe, expect, it } from 'vitest';
import { createWasmParser, type WasmParser } from '../src/core/index.js';
import type { ResponseResult } from '../src/http/report.js';
import { loadResponseFixtures } from './support/fixtures.js';
import { read, splitOffsets, trickled } from './support/replay.js';

const fixtures = loadResponseFixtures();
const builds: [string, WasmParser][] = [
  ['simd', createWasmParser('simd')],
  ['scalar', createWasmParser('scalar')],
];
const TRAILING = Uint8Array.from('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n', (c) => c.charCodeAt(0));

describe('response fixtures', () => {
  it('loads at least 150 cases', () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(150);
  });

  for (const [build, wasm] of builds) {
    describe(build, () => {
      for (const fx of fixtures) {
        it(`${fx.file}: ${fx.title}`, () => {
          const whole = read(fx, wasm, [fx.input]).result;
          expect(whole).toEqual(fx.expected);

          for (const at of splitOffsets(fx.input.length)) {
            const split = read(fx, wasm, [fx.input.subarray(0, at), fx.input.subarray(at)]).result;
            if (JSON.stringify(split) !== JSON.stringify(whole)) {
              expect({ splitAt: at, result: split }).toEqual({ splitAt: at, result: whole });
            }
          }

          // Trickled 1-7 bytes at a time: split status text and header
          // lines must be joined (the resume hint must lose nothing).
          if (fx.input.length <= 4096) expect(read(fx, wasm, trickled(fx.input)).result).toEqual(whole);

          // A message that ends without EOF must stop at its end.
          const open = read(fx, wasm, [fx.input], false).reader;
          if (open.finished && !('error' in fx.expected)) {
            const joined = new Uint8Array(fx.input.length + TRAILING.length);
            joined.set(fx.input);
            joined.set(TRAILING, fx.input.length);
            const { result, reader } = read(fx, wasm, [joined], false);
            expect(result).toEqual(fx.expected);
            expect(reader.trailing).toBe(open.trailing + TRAILING.length);
          }
        });
      }
    });
  }
});

// Strict mode over the same fixtures: a case with a ```json strict block
// must give exactly that, whole, at every split and trickled; every other
// case must give its default result or a refusal (strict mode never reads
// a response differently, it only refuses more: a StrictViolation, or an
// IncompleteRead where a line is cut by EOF).
describe('response fixtures in strict mode', () => {
  const withStrict = fixtures.filter((fx) => fx.strict);

  it('every strict rule has a fixture it refuses, and some are accepted', () => {
    const rules = new Set(withStrict.map((fx) => fx.strict!.rule).filter(Boolean));
    expect(rules.size).toBe(16);
    expect(withStrict.some((fx) => !('error' in fx.strict!))).toBe(true);
  });

  for (const [build, wasm] of builds) {
    describe(build, () => {
      for (const fx of withStrict) {
        it(`${fx.file}: ${fx.title}`, () => {
          expect(read(fx, wasm, [fx.input], true, true).result).toEqual(fx.strict);
          for (const at of splitOffsets(fx.input.length)) {
            const split = read(fx, wasm, [fx.input.subarray(0, at), fx.input.subarray(at)], true, true).result;
            if (JSON.stringify(split) !== JSON.stringify(fx.strict)) {
              expect({ splitAt: at, result: split }).toEqual({ splitAt: at, result: fx.strict });
            }
          }
          const parts: Uint8Array[] = [];
          for (let i = 0; i < fx.input.length; i += 3) parts.push(fx.input.subarray(i, i + 3));
          expect(read(fx, wasm, parts, true, true).result).toEqual(fx.strict);
        });
      }

      it('every other fixture: the default result, or a refusal', () => {
        const bad: { title: string; strict: ResponseResult | null }[] = [];
        for (const fx of fixtures) {
          if (fx.strict) continue;
          const r = read(fx, wasm, [fx.input], true, true).result;
          const same = JSON.stringify(r) === JSON.stringify(fx.expected);
          if (!same && r?.error !== 'StrictViolation' && r?.error !== 'IncompleteRead') bad.push({ title: fx.title, strict: r });
        }
        expect(bad).toEqual([]);
      });
    });
  }
});
