// Strict mode: the byte-level rules a proxy needs (RFC 9112 framing), on
// top of CPython's lenient reading. A head is checked once it has parsed
// (`checkHeadStrict`); chunk framing is checked byte by byte inside
// `decodeChunked` (`chunkStrictStep`), its position kept in a slot so the
// check resumes across calls like the decoder itself.
import { Code, InFlag, Slot, StrictRule } from "../src/abi/index";
import { INPUT, inputCapacity, setSlot } from "./layout";
import { findCtl, findLF } from "./scan";
import { is, HEX, TCHAR } from "./tables";

// @ts-ignore: decorator
@inline function byteAt(offset: i32): u32 {
  return <u32>load<u8>(INPUT + <usize>offset);
}

/** Sets the error slots; returns STRICT_VIOLATION. */
export function violation(rule: i32, offset: i32): i32 {
  setSlot(Slot.ERROR_OFFSET, offset);
  setSlot(Slot.ERROR_KIND, rule);
  return Code.STRICT_VIOLATION;
}

// @ts-ignore: decorator
@inline function isDigit(c: u32): bool {
  return c - 0x30 < 10;
}

/** A control byte a field value must not hold (HTAB is allowed; obs-text is). */
// @ts-ignore: decorator
@inline function isValueCtl(c: u32): bool {
  return (c < 0x20 && c != 0x09) || c == 0x7f;
}

/** `HTTP/` DIGIT `.` DIGIT SP 3DIGIT [SP reason] over [0, cr); reason without controls. */
function checkStatusLine(cr: i32): i32 {
  if (cr < 12) return violation(StrictRule.STATUS_LINE, 0);
  if (byteAt(0) != 0x48 || byteAt(1) != 0x54 || byteAt(2) != 0x54 || byteAt(3) != 0x50 || byteAt(4) != 0x2f) {
    return violation(StrictRule.STATUS_LINE, 0);
  }
  if (!isDigit(byteAt(5)) || byteAt(6) != 0x2e || !isDigit(byteAt(7)) || byteAt(8) != 0x20) {
    return violation(StrictRule.STATUS_LINE, 5);
  }
  if (!isDigit(byteAt(9)) || !isDigit(byteAt(10)) || !isDigit(byteAt(11))) return violation(StrictRule.STATUS_LINE, 9);
  if (cr == 12) return 0;
  if (byteAt(12) != 0x20) return violation(StrictRule.STATUS_LINE, 12);
  for (let i = 13; i < cr; i++) {
    const c = byteAt(i);
    if (c == 0x0d) return violation(StrictRule.BARE_CR, i);
    if (isValueCtl(c)) return violation(StrictRule.STATUS_LINE, i);
  }
  return 0;
}

/**
 * `method SP request-target SP HTTP/1.x` over [0, cr): a token, a target
 * of visible ASCII, one space each, version 1.0 or 1.1 (RFC 9112 3).
 */
function checkRequestLine(cr: i32): i32 {
  let p = 0;
  while (p < cr && is(byteAt(p), TCHAR)) p++;
  if (p == 0 || p >= cr || byteAt(p) != 0x20) return violation(StrictRule.REQUEST_LINE, p);
  const ts = ++p;
  while (p < cr && byteAt(p) - 0x21 < 0x5e) p++; // 0x21-0x7e
  if (p == ts || p >= cr || byteAt(p) != 0x20) return violation(StrictRule.REQUEST_LINE, p);
  p++;
  if (cr - p != 8 || !(byteAt(p) == 0x48 && byteAt(p + 1) == 0x54 && byteAt(p + 2) == 0x54 && byteAt(p + 3) == 0x50 &&
      byteAt(p + 4) == 0x2f && byteAt(p + 5) == 0x31 && byteAt(p + 6) == 0x2e && (byteAt(p + 7) == 0x30 || byteAt(p + 7) == 0x31))) {
    return violation(StrictRule.REQUEST_LINE, p);
  }
  return 0;
}

/**
 * One field line [p, cr): `token ":" OWS value OWS`, no obs-fold, no
 * controls, no bare CR. `request`: whitespace between name and colon is
 * its own rule (a request smuggling form).
 */
function checkFieldLine(p: i32, cr: i32, request: bool): i32 {
  const first = byteAt(p);
  if (first == 0x20 || first == 0x09) return violation(StrictRule.OBS_FOLD, p);
  let q = p;
  while (q < cr && is(byteAt(q), TCHAR)) q++;
  if (request && q > p && q < cr && isBlank(byteAt(q))) return violation(StrictRule.WHITESPACE_BEFORE_COLON, q);
  if (q == p || q == cr || byteAt(q) != 0x3a) return violation(StrictRule.INVALID_NAME, q);
  const bad = <i32>(findCtl(INPUT + <usize>(q + 1), INPUT + <usize>cr) - INPUT);
  if (bad < cr) return violation(byteAt(bad) == 0x0d ? StrictRule.BARE_CR : StrictRule.INVALID_VALUE, bad);
  return 0;
}

/**
 * Checks the head the last `parseHead` (or, with `InFlag.REQUEST` in
 * `flags`, `parseRequestHead`) call accepted, still in the input region at
 * [0, end) (`end`: its return value), against strict mode's line rules:
 * every line ends in CRLF (no bare CR or LF), the status line is
 * `HTTP/d.d ddd reason` (a request line `token SP target SP HTTP/1.x`),
 * field names are tokens directly followed by `:`, values hold no control
 * bytes, no obs-fold, and a blank line ends the head. Returns 0,
 * STRICT_VIOLATION (ERROR_KIND = `StrictRule`, ERROR_OFFSET = the
 * offending byte) or INPUT_TOO_LARGE for a bad `end`.
 */
export function checkHeadStrict(end: i32, flags: i32): i32 {
  const request = (flags & InFlag.REQUEST) != 0;
  if (end <= 0 || end > inputCapacity()) return Code.INPUT_TOO_LARGE;
  let p = 0;
  let first = true;
  while (p < end) {
    if (!first) {
      // The usual field line in one pass: a token, a colon, then a value
      // whose first control byte is the CR of its CRLF. Anything else takes
      // the line-by-line path below, which names the rule.
      let q = p;
      while (q < end && is(byteAt(q), TCHAR)) q++;
      if (q > p && q < end && byteAt(q) == 0x3a) {
        const x = <i32>(findCtl(INPUT + <usize>(q + 1), INPUT + <usize>end) - INPUT);
        if (x + 1 < end && byteAt(x) == 0x0d && byteAt(x + 1) == 0x0a) {
          p = x + 2;
          continue;
        }
      }
    }
    const lf = <i32>(findLF(INPUT + <usize>p, INPUT + <usize>end) - INPUT);
    if (lf >= end) return violation(StrictRule.UNTERMINATED_HEAD, end);
    if (lf == p || byteAt(lf - 1) != 0x0d) return violation(StrictRule.BARE_LF, lf);
    const cr = lf - 1;
    let r: i32;
    if (first) {
      r = request ? checkRequestLine(cr) : checkStatusLine(cr);
      first = false;
    } else if (cr == p) {
      return lf + 1 == end ? 0 : violation(StrictRule.UNTERMINATED_HEAD, lf + 1);
    } else {
      r = checkFieldLine(p, cr, request);
    }
    if (r < 0) return r;
    p = lf + 1;
  }
  return violation(StrictRule.UNTERMINATED_HEAD, end);
}

// -- chunk framing --------------------------------------------------------------

/** Where strict mode is in a chunk-size line or a trailer line (`Slot.CHUNK_STRICT`). */
export const enum StrictChunk {
  HEX0 = 0, // first hex digit of a size
  HEX = 1,
  BWS = 2, // blanks after the size or an extension
  EXT_PRE_NAME = 3,
  EXT_NAME = 4,
  EXT_POST_NAME = 5,
  EXT_PRE_VALUE = 6,
  EXT_VALUE = 7,
  EXT_QUOTED = 8,
  EXT_QUOTED_ESCAPE = 9,
  CR = 10, // CR seen: LF must follow
  TRAILER_START = 11,
  TRAILER_NAME = 12,
  TRAILER_VALUE = 13,
  TRAILER_CR = 14,
  TRAILER_END_CR = 15,
  /** A line ended well: the decoder moves on. */
  LINE_DONE = 16,
}

// @ts-ignore: decorator
@inline function isBlank(c: u32): bool {
  return c == 0x20 || c == 0x09;
}

/** qdtext and quoted-pair content: HTAB, SP, VCHAR except `"` and `\`, obs-text. */
// @ts-ignore: decorator
@inline function isQdText(c: u32): bool {
  return c == 0x09 || c == 0x20 || c == 0x21 || (c >= 0x23 && c <= 0x5b) || (c >= 0x5d && c <= 0x7e) || c >= 0x80;
}

/**
 * One byte `c` (at `offset`) of a chunk-size line or trailer line in state
 * `s`: the next state (LINE_DONE after the line's LF), or a negative
 * STRICT_VIOLATION. Size lines: `1*HEXDIG *( BWS ";" BWS token [ BWS "="
 * BWS ( token / quoted-string ) ] ) CRLF`, at most 16 significant hex
 * digits; trailer lines: field lines as in a head, then an empty CRLF line.
 */
export function chunkStrictStep(state: i32, c: u32, offset: i32): i32 {
  // HEX keeps the count of significant digits above its low byte.
  const s = state & 0xff;
  if (c == 0x0a) {
    if (s == StrictChunk.CR || s == StrictChunk.TRAILER_END_CR) return StrictChunk.LINE_DONE;
    if (s == StrictChunk.TRAILER_CR) return StrictChunk.TRAILER_START;
    return violation(StrictRule.BARE_LF, offset);
  }
  // The CR may have ended the previous read: report the byte after it,
  // which is in this input.
  if (s == StrictChunk.CR || s == StrictChunk.TRAILER_CR || s == StrictChunk.TRAILER_END_CR) {
    return violation(StrictRule.BARE_CR, offset);
  }
  const blank = isBlank(c);
  const token = is(c, TCHAR);
  switch (s) {
    case StrictChunk.HEX0:
      if (!is(c, HEX)) return violation(StrictRule.CHUNK_SIZE, offset);
      return c == 0x30 ? StrictChunk.HEX : StrictChunk.HEX | (1 << 8);
    case StrictChunk.HEX:
      if (is(c, HEX)) {
        // More than 16 significant digits is past 64 bits: a peer that
        // wraps the size would frame the body differently.
        const digits = (state >> 8) + (state > 0xff || c != 0x30 ? 1 : 0);
        return digits > 16 ? violation(StrictRule.CHUNK_SIZE, offset) : StrictChunk.HEX | (digits << 8);
      }
      if (c == 0x0d) return StrictChunk.CR;
      if (c == 0x3b) return StrictChunk.EXT_PRE_NAME;
      if (blank) return StrictChunk.BWS;
      return violation(StrictRule.CHUNK_SIZE, offset);
    case StrictChunk.BWS:
      if (blank) return StrictChunk.BWS;
      if (c == 0x0d) return StrictChunk.CR;
      if (c == 0x3b) return StrictChunk.EXT_PRE_NAME;
      return violation(StrictRule.CHUNK_EXTENSION, offset);
    case StrictChunk.EXT_PRE_NAME:
      if (blank) return StrictChunk.EXT_PRE_NAME;
      return token ? StrictChunk.EXT_NAME : violation(StrictRule.CHUNK_EXTENSION, offset);
    case StrictChunk.EXT_NAME:
    case StrictChunk.EXT_POST_NAME:
      if (token && s == StrictChunk.EXT_NAME) return StrictChunk.EXT_NAME;
      if (blank) return StrictChunk.EXT_POST_NAME;
      if (c == 0x3d) return StrictChunk.EXT_PRE_VALUE;
      if (c == 0x3b) return StrictChunk.EXT_PRE_NAME;
      if (c == 0x0d) return StrictChunk.CR;
      return violation(StrictRule.CHUNK_EXTENSION, offset);
    case StrictChunk.EXT_PRE_VALUE:
      if (blank) return StrictChunk.EXT_PRE_VALUE;
      if (c == 0x22) return StrictChunk.EXT_QUOTED;
      return token ? StrictChunk.EXT_VALUE : violation(StrictRule.CHUNK_EXTENSION, offset);
    case StrictChunk.EXT_VALUE:
      if (token) return StrictChunk.EXT_VALUE;
      if (blank) return StrictChunk.BWS;
      if (c == 0x3b) return StrictChunk.EXT_PRE_NAME;
      if (c == 0x0d) return StrictChunk.CR;
      return violation(StrictRule.CHUNK_EXTENSION, offset);
    case StrictChunk.EXT_QUOTED:
      if (c == 0x22) return StrictChunk.BWS;
      if (c == 0x5c) return StrictChunk.EXT_QUOTED_ESCAPE;
      return isQdText(c) ? StrictChunk.EXT_QUOTED : violation(StrictRule.CHUNK_EXTENSION, offset);
    case StrictChunk.EXT_QUOTED_ESCAPE:
      return isQdText(c) || c == 0x22 || c == 0x5c ? StrictChunk.EXT_QUOTED : violation(StrictRule.CHUNK_EXTENSION, offset);
    case StrictChunk.TRAILER_START:
      if (c == 0x0d) return StrictChunk.TRAILER_END_CR;
      if (blank) return violation(StrictRule.OBS_FOLD, offset);
      return token ? StrictChunk.TRAILER_NAME : violation(StrictRule.TRAILER, offset);
    case StrictChunk.TRAILER_NAME:
      if (token) return StrictChunk.TRAILER_NAME;
      return c == 0x3a ? StrictChunk.TRAILER_VALUE : violation(StrictRule.TRAILER, offset);
    case StrictChunk.TRAILER_VALUE:
      if (c == 0x0d) return StrictChunk.TRAILER_CR;
      return isValueCtl(c) ? violation(StrictRule.TRAILER, offset) : StrictChunk.TRAILER_VALUE;
  }
  return violation(StrictRule.CHUNK_SIZE, offset);
}
