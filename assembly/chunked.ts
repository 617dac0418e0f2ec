// Chunked transfer coding, CPython 3.13's reading of it (_get_chunk_left,
// _read_next_chunk_size, _read_and_discard_trailer). A state machine over
// the input region whose whole state lives in context-block slots, so one
// WASM instance serves any number of connections (the caller saves and
// restores the CHUNK_* slots). Data is never copied: runs come back as offsets.
// One small function per state, as hyper's decode.rs.
import { ChunkState, Code, InFlag, Limit, LineKind, Slot, StrictRule } from "../src/abi/index";
import { INPUT, RUNS, getSlot, getSlotF64, inputCapacity, setSlot, setSlotF64 } from "./layout";
import { CLAMP, HexState, hexComplete, hexStep } from "./numbers";
import { hexValue } from "./tables";
import { StrictChunk, chunkStrictStep } from "./strict";

// The decoder's state is the CHUNK_* slots themselves; the byte loops keep
// what they update in locals and store it when they return.

function fail(code: i32, offset: i32, kind: i32): i32 {
  setSlot(Slot.ERROR_OFFSET, offset);
  setSlot(Slot.ERROR_KIND, kind);
  return code;
}

function startSizeLine(): void {
  setSlot(Slot.CHUNK_STATE, ChunkState.SIZE);
  setSlot(Slot.CHUNK_LINE_LEN, 0);
  setSlot(Slot.CHUNK_INT_STATE, HexState.LEAD);
  setSlot(Slot.CHUNK_NEGATIVE, 0);
  setSlotF64(Slot.CHUNK_VALUE_F64, 0);
  setSlot(Slot.CHUNK_STRICT, StrictChunk.HEX0);
}

/** The size line is complete (or cut by EOF): int(line[:line.find(b';')], 16). */
function endSizeLine(offset: i32): i32 {
  const value = getSlotF64(Slot.CHUNK_VALUE_F64);
  if (!hexComplete(getSlot(Slot.CHUNK_INT_STATE)) || (getSlot(Slot.CHUNK_NEGATIVE) && value != 0)) {
    return fail(Code.BAD_CHUNK_SIZE, offset, 0);
  }
  if (value == 0) {
    setSlot(Slot.CHUNK_STATE, ChunkState.TRAILER);
    setSlot(Slot.CHUNK_LINE_LEN, 0);
    setSlot(Slot.CHUNK_INT_STATE, 0);
    setSlot(Slot.CHUNK_STRICT, StrictChunk.TRAILER_START);
  } else {
    setSlot(Slot.CHUNK_STATE, ChunkState.DATA);
    setSlotF64(Slot.CHUNK_REMAINING_F64, value);
    setSlotF64(Slot.CHUNK_SIZE_F64, value);
  }
  return 0;
}

/** SIZE and EXTENSION: consume up to the `\n` of the size line. */
function sizeLine(pos: i32, total: i32, strict: bool): i32 {
  let extension = getSlot(Slot.CHUNK_STATE) == ChunkState.EXTENSION;
  let lineLen = getSlot(Slot.CHUNK_LINE_LEN);
  let intState = getSlot(Slot.CHUNK_INT_STATE);
  let negative = getSlot(Slot.CHUNK_NEGATIVE);
  let value = getSlotF64(Slot.CHUNK_VALUE_F64);
  let strictState = getSlot(Slot.CHUNK_STRICT);
  let code = 0;
  let lineEnd = false;
  while (pos < total) {
    const c = <u32>load<u8>(INPUT + <usize>pos);
    pos++;
    lineLen++;
    if (lineLen > Limit.MAX_LINE) {
      code = fail(Code.LINE_TOO_LONG, pos - 1, LineKind.CHUNK_SIZE);
      break;
    }
    if (strict) {
      // chunkStrictStep sets the error slots on a violation.
      const next = chunkStrictStep(strictState, c, pos - 1);
      if (next < 0) {
        code = Code.STRICT_VIOLATION;
        break;
      }
      strictState = next;
    }
    if (c == 0x0a) {
      lineEnd = true;
      break;
    }
    if (extension) continue;
    if (c == 0x3b) {
      extension = true;
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
  setSlot(Slot.CHUNK_STATE, extension ? ChunkState.EXTENSION : ChunkState.SIZE);
  setSlot(Slot.CHUNK_LINE_LEN, lineLen);
  setSlot(Slot.CHUNK_INT_STATE, intState);
  setSlot(Slot.CHUNK_NEGATIVE, negative);
  setSlotF64(Slot.CHUNK_VALUE_F64, value);
  setSlot(Slot.CHUNK_STRICT, strictState);
  if (code < 0) return code;
  if (lineEnd) {
    const r = endSizeLine(pos - 1);
    return r < 0 ? r : pos;
  }
  return pos;
}

/** DATA: report [pos, pos + n) as a run without touching the bytes. */
function dataRun(pos: i32, total: i32): i32 {
  let remaining = getSlotF64(Slot.CHUNK_REMAINING_F64);
  const avail = <f64>(total - pos);
  const n = <i32>(remaining < avail ? remaining : avail);
  const count = getSlot(Slot.RUN_COUNT);
  const run = RUNS + (<usize>count << 3);
  store<i32>(run, pos);
  store<i32>(run, pos + n, 4);
  setSlot(Slot.RUN_COUNT, count + 1);
  remaining -= <f64>n;
  setSlotF64(Slot.CHUNK_REMAINING_F64, remaining);
  if (remaining == 0) {
    setSlot(Slot.CHUNK_STATE, ChunkState.DATA_END);
    setSlot(Slot.CHUNK_LINE_LEN, 0);
  }
  return pos + n;
}

/** DATA_END: `_safe_read(2)` tosses two bytes, whatever they are (strict: they must be CRLF). */
function dataEnd(pos: i32, total: i32, strict: bool): i32 {
  let lineLen = getSlot(Slot.CHUNK_LINE_LEN);
  const take = min(2 - lineLen, total - pos);
  if (strict) {
    for (let i = 0; i < take; i++) {
      const want: u32 = lineLen + i == 0 ? 0x0d : 0x0a;
      if (<u32>load<u8>(INPUT + <usize>(pos + i)) != want) {
        return fail(Code.STRICT_VIOLATION, pos + i, StrictRule.CHUNK_DATA_END);
      }
    }
  }
  lineLen += take;
  if (lineLen == 2) startSizeLine();
  else setSlot(Slot.CHUNK_LINE_LEN, lineLen);
  return pos + take;
}

/** TRAILER: lines until one that is exactly `\r\n` or `\n`. */
function trailer(pos: i32, total: i32, strict: bool): i32 {
  let lineLen = getSlot(Slot.CHUNK_LINE_LEN);
  let first = getSlot(Slot.CHUNK_INT_STATE); // the line's first byte
  let strictState = getSlot(Slot.CHUNK_STRICT);
  let code = 0;
  while (pos < total) {
    const c = <i32>load<u8>(INPUT + <usize>pos);
    pos++;
    lineLen++;
    if (lineLen > Limit.MAX_LINE) {
      code = fail(Code.LINE_TOO_LONG, pos - 1, LineKind.TRAILER);
      break;
    }
    if (strict) {
      const next = chunkStrictStep(strictState, <u32>c, pos - 1);
      if (next < 0) {
        code = Code.STRICT_VIOLATION;
        break;
      }
      strictState = next;
    }
    if (lineLen == 1) first = c;
    if (c == 0x0a) {
      if (lineLen == 1 || (lineLen == 2 && first == 0x0d)) {
        setSlot(Slot.CHUNK_STATE, ChunkState.DONE);
        break;
      }
      lineLen = 0;
    }
  }
  setSlot(Slot.CHUNK_LINE_LEN, lineLen);
  setSlot(Slot.CHUNK_INT_STATE, first);
  setSlot(Slot.CHUNK_STRICT, strictState);
  return code < 0 ? code : pos;
}

/**
 * Decodes chunked framing in the input region [0, total), continuing from
 * the CHUNK_* slots (all zero for a new body). `flags`: InFlag.EOF when no
 * more input will come; InFlag.STRICT for strict mode (size lines, chunk
 * ends and trailers must follow RFC 9112: STRICT_VIOLATION with the
 * `StrictRule` in ERROR_KIND; a line cut by EOF is INCOMPLETE_CHUNK).
 *
 * Returns the bytes consumed (>= 0): framing is consumed and data is
 * reported as RUN_COUNT runs [start, end) at RUNS_PTR. It stops right
 * after the RUN_CAPACITY-th run (so the CHUNK_* slots describe that run's
 * chunk) or at the end of the body (CHUNK_STATE = DONE);
 * bytes after the body are not consumed. Negative: BAD_CHUNK_SIZE,
 * LINE_TOO_LONG (ERROR_KIND CHUNK_SIZE or TRAILER), INCOMPLETE_CHUNK (EOF
 * inside data or the two bytes after it), INPUT_TOO_LARGE. ERROR_OFFSET is
 * set on failure.
 */
export function decodeChunked(total: i32, flags: i32): i32 {
  if (total < 0 || total > inputCapacity()) return Code.INPUT_TOO_LARGE;
  setSlot(Slot.RUN_COUNT, 0);
  const strict = (flags & InFlag.STRICT) != 0;
  let pos = 0;
  let state = getSlot(Slot.CHUNK_STATE);
  while (pos < total && state != ChunkState.DONE) {
    let r: i32;
    if (state == ChunkState.DATA) {
      r = dataRun(pos, total);
      if (getSlot(Slot.RUN_COUNT) == Limit.RUN_CAPACITY) {
        pos = r; // stop right after the last run: its chunk's state is current
        break;
      }
    } else if (state == ChunkState.SIZE || state == ChunkState.EXTENSION) {
      r = sizeLine(pos, total, strict);
    } else if (state == ChunkState.DATA_END) {
      r = dataEnd(pos, total, strict);
    } else {
      r = trailer(pos, total, strict);
    }
    if (r < 0) return r;
    pos = r;
    state = getSlot(Slot.CHUNK_STATE);
  }
  state = getSlot(Slot.CHUNK_STATE);
  if ((flags & InFlag.EOF) && pos == total && state != ChunkState.DONE) {
    // Strict: a line cut by EOF is a truncated body, never a final line.
    if (strict && state != ChunkState.DATA && state != ChunkState.DATA_END) {
      return fail(Code.INCOMPLETE_CHUNK, total, 0);
    }
    // readline() at EOF returns the partial line; _safe_read falls short.
    if (state == ChunkState.SIZE || state == ChunkState.EXTENSION) {
      if (getSlot(Slot.CHUNK_LINE_LEN) == 0) return fail(Code.BAD_CHUNK_SIZE, total, 0);
      const r = endSizeLine(total);
      if (r < 0) return r;
      state = getSlot(Slot.CHUNK_STATE);
    }
    if (state == ChunkState.DATA || state == ChunkState.DATA_END) {
      return fail(Code.INCOMPLETE_CHUNK, total, 0);
    }
    setSlot(Slot.CHUNK_STATE, ChunkState.DONE); // EOF in the trailer ends the body
  }
  return pos;
}
