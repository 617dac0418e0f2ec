// Chunked transfer coding, CPython 3.13's reading of it (_get_chunk_left,
// _read_next_chunk_size, _read_and_discard_trailer). A state machine over
// the input region whose whole state lives in out-block slots, so one WASM
// instance serves any number of connections (the caller saves and restores
// the CHUNK_* slots). Data is never copied: runs come back as offsets.
// One small function per state, as hyper's decode.rs.
import { ChunkState, Code, InFlag, Limit, LineKind, Slot, StrictRule } from "../src/abi/index";
import { INPUT, RUNS, inputCap, slotPtr } from "./layout";
import { CLAMP, HexState, hexComplete, hexStep } from "./numbers";
import { hexValue } from "./tables";
import { StrictChunk, chunkStrictStep } from "./strict";

let state: i32 = 0;
let lineLen: i32 = 0;
let intState: i32 = 0; // HexState in SIZE; the trailer line's first byte in TRAILER
let negative: i32 = 0;
let remaining: f64 = 0;
let value: f64 = 0;
let size: f64 = 0;
let runCount: i32 = 0;
let errorOffset: i32 = 0;
let errorKind: i32 = 0;
let strict = false;
let strictState: i32 = 0; // StrictChunk, with InFlag.STRICT

function loadState(): void {
  state = load<i32>(slotPtr(Slot.CHUNK_STATE));
  lineLen = load<i32>(slotPtr(Slot.CHUNK_LINE_LEN));
  intState = load<i32>(slotPtr(Slot.CHUNK_INT_STATE));
  negative = load<i32>(slotPtr(Slot.CHUNK_NEGATIVE));
  remaining = load<f64>(slotPtr(Slot.CHUNK_REMAINING_F64));
  value = load<f64>(slotPtr(Slot.CHUNK_VALUE_F64));
  size = load<f64>(slotPtr(Slot.CHUNK_SIZE_F64));
  strictState = load<i32>(slotPtr(Slot.CHUNK_STRICT));
  runCount = 0;
}

function saveState(): void {
  store<i32>(slotPtr(Slot.CHUNK_STATE), state);
  store<i32>(slotPtr(Slot.CHUNK_LINE_LEN), lineLen);
  store<i32>(slotPtr(Slot.CHUNK_INT_STATE), intState);
  store<i32>(slotPtr(Slot.CHUNK_NEGATIVE), negative);
  store<f64>(slotPtr(Slot.CHUNK_REMAINING_F64), remaining);
  store<f64>(slotPtr(Slot.CHUNK_VALUE_F64), value);
  store<f64>(slotPtr(Slot.CHUNK_SIZE_F64), size);
  store<i32>(slotPtr(Slot.RUN_COUNT), runCount);
  store<i32>(slotPtr(Slot.CHUNK_STRICT), strictState);
}

/** Strict mode: feeds byte `c` at `offset` to the line grammar; false on a violation (error globals set). */
function strictByte(c: u32, offset: i32): bool {
  const next = chunkStrictStep(strictState, c, offset);
  if (next < 0) {
    errorOffset = load<i32>(slotPtr(Slot.ERROR_OFFSET));
    errorKind = load<i32>(slotPtr(Slot.ERROR_KIND));
    return false;
  }
  strictState = next;
  return true;
}

function startSizeLine(): void {
  state = ChunkState.SIZE;
  lineLen = 0;
  intState = HexState.LEAD;
  negative = 0;
  value = 0;
  strictState = StrictChunk.HEX0;
}

/** The size line is complete (or cut by EOF): int(line[:line.find(b';')], 16). */
function endSizeLine(offset: i32): i32 {
  if (!hexComplete(intState) || (negative && value != 0)) {
    errorOffset = offset;
    return Code.BAD_CHUNK_SIZE;
  }
  if (value == 0) {
    state = ChunkState.TRAILER;
    lineLen = 0;
    intState = 0;
    strictState = StrictChunk.TRAILER_START;
  } else {
    state = ChunkState.DATA;
    remaining = value;
    size = value;
  }
  return 0;
}

/** SIZE and EXTENSION: consume up to the `\n` of the size line. */
function sizeLine(pos: i32, total: i32): i32 {
  while (pos < total) {
    const c = <u32>load<u8>(INPUT + <usize>pos);
    pos++;
    lineLen++;
    if (lineLen > Limit.MAX_LINE) {
      errorOffset = pos - 1;
      errorKind = LineKind.CHUNK_SIZE;
      return Code.LINE_TOO_LONG;
    }
    if (strict && !strictByte(c, pos - 1)) return Code.STRICT_VIOLATION;
    if (c == 0x0a) {
      const r = endSizeLine(pos - 1);
      return r < 0 ? r : pos;
    }
    if (state == ChunkState.EXTENSION) continue;
    if (c == 0x3b) {
      state = ChunkState.EXTENSION;
      continue;
    }
    const next = hexStep(intState, c);
    if (next == HexState.DIGITS) {
      value = value * 16 + <f64>hexValue(c);
      if (value > CLAMP) value = CLAMP;
    } else if (intState == HexState.LEAD && next == HexState.SIGN) {
      negative = c == 0x2d ? 1 : 0;
    }
    intState = next;
  }
  return pos;
}

/** DATA: report [pos, pos + n) as a run without touching the bytes. */
function dataRun(pos: i32, total: i32): i32 {
  const avail = <f64>(total - pos);
  const n = <i32>(remaining < avail ? remaining : avail);
  const run = RUNS + (<usize>runCount << 3);
  store<i32>(run, pos);
  store<i32>(run, pos + n, 4);
  runCount++;
  remaining -= <f64>n;
  if (remaining == 0) {
    state = ChunkState.DATA_END;
    lineLen = 0;
  }
  return pos + n;
}

/** DATA_END: `_safe_read(2)` tosses two bytes, whatever they are (strict: they must be CRLF). */
function dataEnd(pos: i32, total: i32): i32 {
  const take = min(2 - lineLen, total - pos);
  if (strict) {
    for (let i = 0; i < take; i++) {
      const want: u32 = lineLen + i == 0 ? 0x0d : 0x0a;
      if (<u32>load<u8>(INPUT + <usize>(pos + i)) != want) {
        errorOffset = pos + i;
        errorKind = StrictRule.CHUNK_DATA_END;
        return Code.STRICT_VIOLATION;
      }
    }
  }
  lineLen += take;
  if (lineLen == 2) startSizeLine();
  return pos + take;
}

/** TRAILER: lines until one that is exactly `\r\n` or `\n`. */
function trailer(pos: i32, total: i32): i32 {
  while (pos < total) {
    const c = <i32>load<u8>(INPUT + <usize>pos);
    pos++;
    lineLen++;
    if (lineLen > Limit.MAX_LINE) {
      errorOffset = pos - 1;
      errorKind = LineKind.TRAILER;
      return Code.LINE_TOO_LONG;
    }
    if (strict && !strictByte(<u32>c, pos - 1)) return Code.STRICT_VIOLATION;
    if (lineLen == 1) intState = c;
    if (c == 0x0a) {
      if (lineLen == 1 || (lineLen == 2 && intState == 0x0d)) {
        state = ChunkState.DONE;
        return pos;
      }
      lineLen = 0;
    }
  }
  return pos;
}

function failWith(code: i32): i32 {
  saveState();
  store<i32>(slotPtr(Slot.ERROR_OFFSET), errorOffset);
  store<i32>(slotPtr(Slot.ERROR_KIND), errorKind);
  return code;
}

/**
 * Decodes chunked framing in the input region [0, total), continuing from
 * the CHUNK_* slots (all zero for a new body). `flags`: InFlag.EOF when no
 * more input will come; InFlag.STRICT for strict mode (size lines, chunk
 * ends and trailers must follow RFC 9112: STRICT_VIOLATION with the
 * `StrictRule` in ERROR_KIND; a line cut by EOF is INCOMPLETE_CHUNK).
 *
 * Returns the bytes consumed (>= 0): framing is consumed and data is
 * reported as RUN_COUNT runs [start, end) at `runsPtr()`. It stops right
 * after the RUN_CAPACITY-th run (so the CHUNK_* slots describe that run's
 * chunk) or at the end of the body (CHUNK_STATE = DONE);
 * bytes after the body are not consumed. Negative: BAD_CHUNK_SIZE,
 * LINE_TOO_LONG (ERROR_KIND CHUNK_SIZE or TRAILER), INCOMPLETE_CHUNK (EOF
 * inside data or the two bytes after it), INPUT_TOO_LARGE. ERROR_OFFSET is
 * set on failure.
 */
export function decodeChunked(total: i32, flags: i32): i32 {
  if (total < 0 || total > inputCap) return Code.INPUT_TOO_LARGE;
  loadState();
  errorKind = 0;
  strict = (flags & InFlag.STRICT) != 0;
  let pos = 0;
  while (pos < total && state != ChunkState.DONE) {
    let r: i32;
    if (state == ChunkState.DATA) {
      r = dataRun(pos, total);
      if (runCount == Limit.RUN_CAPACITY) {
        pos = r; // stop right after the last run: its chunk's state is current
        break;
      }
    } else if (state == ChunkState.SIZE || state == ChunkState.EXTENSION) {
      r = sizeLine(pos, total);
    } else if (state == ChunkState.DATA_END) {
      r = dataEnd(pos, total);
    } else {
      r = trailer(pos, total);
    }
    if (r < 0) return failWith(r);
    pos = r;
  }
  if ((flags & InFlag.EOF) && pos == total && state != ChunkState.DONE) {
    // Strict: a line cut by EOF is a truncated body, never a final line.
    if (strict && state != ChunkState.DATA && state != ChunkState.DATA_END) {
      errorOffset = total;
      return failWith(Code.INCOMPLETE_CHUNK);
    }
    // readline() at EOF returns the partial line; _safe_read falls short.
    if (state == ChunkState.SIZE || state == ChunkState.EXTENSION) {
      if (lineLen == 0) {
        errorOffset = total;
        return failWith(Code.BAD_CHUNK_SIZE);
      }
      const r = endSizeLine(total);
      if (r < 0) return failWith(r);
    }
    if (state == ChunkState.DATA || state == ChunkState.DATA_END) {
      errorOffset = total;
      return failWith(Code.INCOMPLETE_CHUNK);
    }
    state = ChunkState.DONE; // EOF in the trailer ends the body
  }
  saveState();
  return pos;
}
