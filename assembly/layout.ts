// Linear-memory layout. The context block (src/abi/index.ts, `Slot`) holds
// all state the module keeps: the layout, the results of the last call and
// the decoders' working state. The module has no mutable state in globals:
// INPUT is set once at start-up (from `__heap_base`, known only then) and
// never changes. Only `reserve` moves the header entries (recording where
// in the block), and only when JS asks for more room (a head larger than
// any seen so far). Nothing is allocated per call, so memory is bounded by
// the largest head accepted.
import { Limit, Slot } from "../src/abi/index";

// SIMD and SWAR scans may read 15 bytes past the input: keep them ours.
const PAD: usize = 32;

// The context block and the run table are static (zero-filled) data, so
// their addresses are constants of the build: a slot access compiles to a
// load from a fixed address.
/** The context block: `Limit.CONTEXT_SLOTS` i32 slots (f64 slots overlay pairs). */
export const CONTEXT: usize = memory.data(<i32>Limit.CONTEXT_SLOTS << 2, 16);
/** Chunk data runs: `Limit.RUN_CAPACITY` pairs of i32 [start, end). */
export const RUNS: usize = memory.data(<i32>Limit.RUN_CAPACITY << 3, 16);
/** The input region: JS copies received bytes here. It never moves; it grows in place. */
export const INPUT: usize = (__heap_base + 15) & ~15;

/** The i32 in slot `slot`. */
// @ts-ignore: decorator
@inline export function getSlot(slot: i32): i32 {
  return load<i32>(CONTEXT + (<usize>slot << 2));
}

/** Stores `value` in slot `slot`. */
// @ts-ignore: decorator
@inline export function setSlot(slot: i32, value: i32): void {
  store<i32>(CONTEXT + (<usize>slot << 2), value);
}

/** The f64 in the slot pair starting at `slot` (even). */
// @ts-ignore: decorator
@inline export function getSlotF64(slot: i32): f64 {
  return load<f64>(CONTEXT + (<usize>slot << 2));
}

/** Stores `value` in the slot pair starting at `slot` (even). */
// @ts-ignore: decorator
@inline export function setSlotF64(slot: i32, value: f64): void {
  store<f64>(CONTEXT + (<usize>slot << 2), value);
}

/** Bytes the input region holds. */
// @ts-ignore: decorator
@inline export function inputCapacity(): i32 {
  return getSlot(Slot.INPUT_CAPACITY);
}

function entriesAfter(cap: i32): usize {
  return (INPUT + <usize>cap + PAD + 15) & ~15;
}

function ensurePages(end: usize): bool {
  const have = <usize>memory.size() << 16;
  if (end <= have) return true;
  const pages = <i32>((end - have + 0xffff) >> 16);
  return memory.grow(pages) >= 0;
}

function setLayout(inputCap: i32, entriesPtr: usize, entryCap: i32): void {
  setSlot(Slot.INPUT_PTR, <i32>INPUT);
  setSlot(Slot.INPUT_CAPACITY, inputCap);
  setSlot(Slot.ENTRIES_PTR, <i32>entriesPtr);
  setSlot(Slot.ENTRY_CAPACITY, entryCap);
  setSlot(Slot.RUNS_PTR, <i32>RUNS);
}

// The initial layout must fit before the first call.
ensurePages(entriesAfter(Limit.INITIAL_INPUT) + (<usize>Limit.INITIAL_ENTRIES << 4));
setLayout(Limit.INITIAL_INPUT, entriesAfter(Limit.INITIAL_INPUT), Limit.INITIAL_ENTRIES);

/**
 * Make room for `inputBytes` of input and `entries` header entries.
 * Capacities only grow. Returns 1 on success, 0 when memory cannot grow
 * (the previous layout stays valid). Moves ENTRIES_PTR; input bytes
 * already copied in stay in place.
 */
export function reserveLayout(inputBytes: i32, entries: i32): i32 {
  if (inputBytes < 0 || entries < 0) return 0;
  if (inputBytes > (Limit.MAX_HEAD << 1) || entries > Limit.MAX_HEAD) return 0;
  const newInput = max(inputBytes, getSlot(Slot.INPUT_CAPACITY));
  const newEntries = max(entries, getSlot(Slot.ENTRY_CAPACITY));
  const newEntriesPtr = entriesAfter(newInput);
  if (!ensurePages(newEntriesPtr + (<usize>newEntries << 4))) return 0;
  setLayout(newInput, newEntriesPtr, newEntries);
  return 1;
}
