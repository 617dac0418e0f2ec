// Replaying a response fixture through the parser: whole, split at every
// offset, trickled in 1-7 byte pieces. Shared by test/fixtures.test.ts
// (Node) and test/browser/fixtures.test.ts (Chromium); no node:*.
import type { WasmParser } from '../../src/core/index.js';
import { ResponseReader, type ResponseResult } from '../../src/http/report.js';
import type { ResponseFixture } from './fixtures.js';
import { makeRng } from './generate.js';

/** Feeds `pieces` to a new reader (then EOF, unless `eof` is false). */
export function read(
  fx: Pick<ResponseFixture, 'method'>,
  wasm: WasmParser,
  pieces: Uint8Array[],
  eof = true,
  strict = false,
): { result: ResponseResult | null; reader: ResponseReader } {
  const reader = new ResponseReader({ method: fx.method, wasm, strict });
  for (const p of pieces) reader.feed(p);
  if (eof) reader.end();
  // Without EOF a response that has not ended has no result yet.
  return { result: eof || reader.finished ? reader.result() : null, reader };
}

/** Every split offset of an input of n bytes (sampled over 4 KiB). */
export function splitOffsets(n: number): number[] {
  if (n <= 4096) return Array.from({ length: n + 1 }, (_, i) => i);
  const out = new Set<number>();
  for (let i = 0; i <= 256; i++) {
    out.add(i);
    out.add(n - i);
  }
  for (let i = 0; i < n; i += 997) out.add(i);
  return [...out].filter((i) => i >= 0 && i <= n).sort((a, b) => a - b);
}

/** `input` in pieces of 1 to 7 bytes, chosen by a generator seeded with its length. */
export function trickled(input: Uint8Array): Uint8Array[] {
  const rng = makeRng(input.length);
  const parts: Uint8Array[] = [];
  for (let i = 0; i < input.length; ) {
    const n = rng.int(1, 7);
    parts.push(input.subarray(i, i + n));
    i += n;
  }
  return parts;
}
