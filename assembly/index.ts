// httpwire's WASM parser: the exports JS calls. The ABI (slots, flags,
// codes) is src/abi/index.ts, shared with the TypeScript side. No imports,
// no callbacks, no allocation after start-up: bytes in, integers out, and
// every outcome a return code (hostile input never traps).
import { INPUT, OUT, RUNS, ENTRIES, inputCap, entryCap, reserveLayout } from "./layout";
import { hasHighByte } from "./scan";

export { parseHead, parseRequestHead } from "./head";
export { decodeChunked } from "./chunked";
export { checkHeadStrict } from "./strict";

/** Byte address of the out-block (Int32Array of `Limit.OUT_SLOTS`). */
export function outPtr(): usize { return OUT; }
/** Byte address of the chunk data runs (pairs of i32). */
export function runsPtr(): usize { return RUNS; }
/** Byte address of the input region; valid until the next `reserve`. */
export function inputPtr(): usize { return INPUT; }
/** Bytes the input region holds. */
export function inputCapacity(): i32 { return inputCap; }
/** Byte address of the header entries; moves on `reserve`. */
export function entriesPtr(): usize { return ENTRIES; }
/** Header entries that fit at `entriesPtr()`. */
export function entryCapacity(): i32 { return entryCap; }

/**
 * Grows the input region to at least `inputBytes` and the entry table to
 * at least `entries`. Returns 1, or 0 when refused (over the limits or out
 * of memory; the old layout stays). Memory may grow: JS must rebuild its
 * views of `memory.buffer` afterwards.
 */
export function reserve(inputBytes: i32, entries: i32): i32 {
  return reserveLayout(inputBytes, entries);
}

/**
 * 1 when some byte of the input region [0, end) is >= 0x80, else 0; for
 * engines without a native Latin-1 decoder, which take a faster path for
 * ASCII. `end` is clamped to the input capacity.
 */
export function hasHighBytes(end: i32): i32 {
  const n = end < 0 ? 0 : min(end, inputCap);
  return hasHighByte(INPUT, INPUT + <usize>n) ? 1 : 0;
}
