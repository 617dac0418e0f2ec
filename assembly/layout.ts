// Linear-memory layout. Everything lives at fixed places after the static
// data; only `reserve` moves the input region and header entries, and only
// when JS asks for more room (a head larger than any seen so far). Nothing
// is allocated per call, so memory is bounded by the largest head accepted.
import { Limit } from "../src/abi/index";

// SIMD and SWAR scans may read 15 bytes past the input: keep them ours.
const PAD: usize = 32;

/** Out-block: `Limit.OUT_SLOTS` i32 slots (f64 slots overlay pairs). */
export let OUT: usize = (__heap_base + 15) & ~15;
/** Chunk data runs: `Limit.RUN_CAPACITY` pairs of i32 [start, end). */
export let RUNS: usize = OUT + (<usize>Limit.OUT_SLOTS << 2);
/** The input region: JS copies received bytes here. */
export let INPUT: usize = (RUNS + (<usize>Limit.RUN_CAPACITY << 3) + 15) & ~15;
export let inputCap: i32 = Limit.INITIAL_INPUT;
/** Header entries: {nameStart, nameEnd, valueStart, valueEnd} as i32. */
export let ENTRIES: usize = entriesAfter(INPUT, inputCap);
export let entryCap: i32 = Limit.INITIAL_ENTRIES;

function entriesAfter(input: usize, cap: i32): usize {
  return (input + <usize>cap + PAD + 15) & ~15;
}

function ensurePages(end: usize): bool {
  const have = <usize>memory.size() << 16;
  if (end <= have) return true;
  const pages = <i32>((end - have + 0xffff) >> 16);
  return memory.grow(pages) >= 0;
}

// The initial layout must fit before the first call.
ensurePages(ENTRIES + (<usize>entryCap << 4));

export function slotPtr(slot: i32): usize {
  return OUT + (<usize>slot << 2);
}

/**
 * Make room for `inputBytes` of input and `entries` header entries.
 * Capacities only grow. Returns 1 on success, 0 when memory cannot grow
 * (the previous layout stays valid). Moves ENTRIES; input bytes already
 * copied in stay in place.
 */
export function reserveLayout(inputBytes: i32, entries: i32): i32 {
  if (inputBytes < 0 || entries < 0) return 0;
  if (inputBytes > (Limit.MAX_HEAD << 1) || entries > Limit.MAX_HEAD) return 0;
  const newInput = max(inputBytes, inputCap);
  const newEntries = max(entries, entryCap);
  const newEntriesPtr = entriesAfter(INPUT, newInput);
  if (!ensurePages(newEntriesPtr + (<usize>newEntries << 4))) return 0;
  inputCap = newInput;
  entryCap = newEntries;
  ENTRIES = newEntriesPtr;
  return 1;
}
