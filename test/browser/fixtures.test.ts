// The Markdown parser fixtures in headless Chromium, on both WASM builds:
// whole, split at every offset, and trickled (as test/fixtures.test.ts
// does in Node). The fixtures are read in Node and provided to the page.
import { beforeEach, describe, expect, inject, it } from 'vitest';
import { createWasmParser, getWasmParser, type WasmParser } from '../../src/core/index.js';
import { read, splitOffsets, trickled } from '../support/replay.js';

const fixtures = inject('fixtures').map((fx) => ({ ...fx, input: Uint8Array.from(fx.input, (c) => c.charCodeAt(0)) }));

beforeEach(() => expect(inject('setupError')).toBe(''));

describe('WebAssembly in Chromium', () => {
  it('compiles both builds synchronously on the main thread, and picks SIMD', () => {
    expect(typeof window).toBe('object');
    expect(createWasmParser('scalar').build).toBe('scalar');
    expect(getWasmParser().build).toBe('simd');
  });
});

describe('response fixtures in Chromium', () => {
  it('has the fixtures', () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(150);
  });

  for (const build of ['simd', 'scalar'] as const) {
    describe(build, () => {
      const wasm: WasmParser = createWasmParser(build);
      for (const fx of fixtures) {
        it(`${fx.file}: ${fx.title}`, () => {
          expect(read(fx, wasm, [fx.input]).result).toEqual(fx.expected);
          for (const at of splitOffsets(fx.input.length)) {
            const split = read(fx, wasm, [fx.input.subarray(0, at), fx.input.subarray(at)]).result;
            if (JSON.stringify(split) !== JSON.stringify(fx.expected)) {
              expect({ splitAt: at, result: split }).toEqual({ splitAt: at, result: fx.expected });
            }
          }
          if (fx.input.length <= 4096) expect(read(fx, wasm, trickled(fx.input)).result).toEqual(fx.expected);
        });
      }
    });
  }
});
