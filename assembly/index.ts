// httpwire's WASM parser: the exports JS calls. The ABI (slots, flags,
// codes) is src/abi/index.ts, shared with the TypeScript side. No imports,
// no callbacks, no allocation after start-up: bytes in, integers out, and
// every outcome a return code (hostile input never traps).
import { CONTEXT, INPUT, inputCapacity, reserveLayout } from "./layout";
import { hasHighByte } from "./scan";

export { parseHead } from "./head";
export { parseRequestHead } from "./request";
export { decodeChunked } from "./chunked";
export { checkHeadStrict } from "./strict";

/**
 * Byte address of the context block (Int32Array of `Limit.CONTEXT_SLOTS`,
 * `Slot`); fixed for the life of the instance. Everything else JS needs
 * to find (input region, header entries, chunk runs, their capacities) is
 * in its layout slots (`Slot.INPUT_PTR` ... `Slot.RUNS_PTR`).
 */
export function contextPtr(): usize { return CONTEXT; }

/**
 * Grows the input region to at least `inputBytes` and the entry table to
 * at least `entries`, and writes the new layout slots. Returns 1, or 0
 * when refused (over the limits or out of memory; the old layout stays).
 * Memory may grow: JS must rebuild its views of `memory.buffer` afterwards.
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
  const n = end < 0 ? 0 : min(end, inputCapacity());
  return hasHighByte(INPUT, INPUT + <usize>n) ? 1 : 0;
}
