// Python's int() rules, byte by byte, without allocating.
import { DecimalFlag, Limit, Slot } from "../src/abi/index";
import { setSlot } from "./layout";
import { is, INT_WS, DIGIT, BYTES_WS, HEX } from "./tables";

/** Largest value kept exactly; larger values clamp here. */
export const CLAMP: f64 = 9007199254740991.0; // 2^53 - 1

/**
 * Python `int(s)` (base 10, str) over bytes [s, e): surrounding int()
 * whitespace, optional sign, ASCII digits with single `_` between digits,
 * at most 4300 digits. Returns the magnitude, or -1 when Python raises
 * ValueError; writes `Slot.DECIMAL_FLAGS` (the sign, a clamped value).
 */
export function parseDecimal(s: usize, e: usize): f64 {
  while (s < e && is(load<u8>(s), INT_WS)) s++;
  while (e > s && is(load<u8>(e - 1), INT_WS)) e--;
  let flags = 0;
  setSlot(Slot.DECIMAL_FLAGS, 0);
  if (s == e) return -1;
  const first = load<u8>(s);
  if (first == 0x2b || first == 0x2d) {
    if (first == 0x2d) flags = DecimalFlag.NEGATIVE;
    s++;
  }
  let value: f64 = 0;
  let digits = 0;
  let afterUnderscore = true; // a leading `_` is refused
  for (let p = s; p < e; p++) {
    const c = <u32>load<u8>(p);
    if (is(c, DIGIT)) {
      value = value * 10 + <f64>(c - 0x30);
      if (value > CLAMP) {
        value = CLAMP;
        flags |= DecimalFlag.CLAMPED;
      }
      digits++;
      afterUnderscore = false;
    } else if (c == 0x5f && !afterUnderscore) {
      afterUnderscore = true;
    } else {
      return -1;
    }
  }
  setSlot(Slot.DECIMAL_FLAGS, flags);
  if (digits == 0 || afterUnderscore || digits > Limit.MAX_INT_DIGITS) return -1;
  return value;
}

/**
 * Streaming Python `int(line, 16)` (bytes): states of the chunk-size
 * grammar, fed one byte at a time so a size line never has to be kept.
 */
export const enum HexState {
  LEAD = 0,
  SIGN = 1,
  ZERO = 2,
  PREFIX = 3,
  DIGITS = 4,
  UNDERSCORE = 5,
  TRAIL = 6,
  INVALID = 7,
}

/** Next state after byte `c`. A step into DIGITS means `c` is a digit to add. */
export function hexStep(state: i32, c: u32): i32 {
  const ws = is(c, BYTES_WS);
  const hex = is(c, HEX);
  switch (state) {
    case HexState.LEAD:
      if (ws) return HexState.LEAD;
      if (c == 0x2b || c == 0x2d) return HexState.SIGN;
      if (c == 0x30) return HexState.ZERO;
      return hex ? HexState.DIGITS : HexState.INVALID;
    case HexState.SIGN:
      if (c == 0x30) return HexState.ZERO;
      return hex ? HexState.DIGITS : HexState.INVALID;
    case HexState.ZERO:
      if (c == 0x78 || c == 0x58) return HexState.PREFIX;
      if (c == 0x5f) return HexState.UNDERSCORE;
      if (ws) return HexState.TRAIL;
      return hex ? HexState.DIGITS : HexState.INVALID;
    case HexState.PREFIX:
      if (c == 0x5f) return HexState.UNDERSCORE;
      return hex ? HexState.DIGITS : HexState.INVALID;
    case HexState.DIGITS:
      if (c == 0x5f) return HexState.UNDERSCORE;
      if (ws) return HexState.TRAIL;
      return hex ? HexState.DIGITS : HexState.INVALID;
    case HexState.UNDERSCORE:
      return hex ? HexState.DIGITS : HexState.INVALID;
    case HexState.TRAIL:
      return ws ? HexState.TRAIL : HexState.INVALID;
  }
  return HexState.INVALID;
}

/** True when the state ends a valid number (a digit was seen, nothing after). */
export function hexComplete(state: i32): bool {
  return state == HexState.ZERO || state == HexState.DIGITS || state == HexState.TRAIL;
}
