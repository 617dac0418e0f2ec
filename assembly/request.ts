// Request heads: the export JS calls, and the one-pass reading of a clean
// head. A clean head is what nearly every client sends and what strict
// mode accepts: `token SP target SP HTTP/1.x CRLF`, then `token ":" OWS
// value CRLF` lines (no obs-fold, no control bytes but HTAB), then CRLF.
// For such a head CPython's reading (parse_request's words, the email
// parser's lines, begin()'s framing) has one answer, read here directly
// (in the SIMD build the header lines' ends first, then their names and
// values); anything else goes to the exact two-pass reading in head.ts,
// which names the error CPython would raise.
import { InFlag, Limit, RequestFields, Slot } from "../src/abi/index";
import { INPUT, getSlot, inputCapacity, setSlot } from "./layout";
import { CLEAN_MAX_HEADERS, LINE_ENDS, cleanLineEnds, findCtl } from "./scan";
import { is, TCHAR } from "./tables";
import { finishHead, parseAnyHead } from "./head";
import { checkHeadStrict } from "./strict";

// @ts-ignore: decorator
@inline function byteAt(offset: i32): u32 {
  return <u32>load<u8>(INPUT + <usize>offset);
}

// "HTTP/1.1" and "HTTP/1.0" as little-endian u64; CRLF as u16.
const HTTP_1_1: u64 = 0x312e312f50545448;
const HTTP_1_0: u64 = 0x302e312f50545448;
const CRLF: u16 = 0x0a0d;


/**
 * First byte in [p, end) that is not an RFC 9110 `tchar` (`token`), or
 * not visible ASCII 0x21-0x7e (a target's bytes; `!token`); or `end`.
 * SIMD tells tchars by the classic nibble lookup: a byte is one when the
 * bit its high nibble selects is set in the mask its low nibble selects.
 * May read up to 15 bytes past `end` (layout padding).
 */
// @ts-ignore: decorator
@inline function findOutside(p: usize, end: usize, token: bool): usize {
  if (ASC_FEATURE_SIMD) {
    // Bit k of LOW[lo] is set when byte (k+2)<<4 | lo is a tchar (rows
    // 0x2_ to 0x7_); HIGH[hi] is that row's bit, 0 for the other rows.
    const low = i8x16(58, 63, 62, 63, 63, 63, 63, 63, 62, 62, 61, 21, 52, 21, 61, 28);
    const high = i8x16(0, 0, 1, 2, 4, 8, 16, 32, 0, 0, 0, 0, 0, 0, 0, 0);
    while (p < end) {
      const v = v128.load(p);
      const out = token
        ? i8x16.eq(v128.and(i8x16.swizzle(low, v128.and(v, i8x16.splat(0x0f))), i8x16.swizzle(high, i8x16.shr_u(v, 4))), i8x16.splat(0))
        : v128.or(i8x16.lt_u(v, i8x16.splat(0x21)), i8x16.gt_u(v, i8x16.splat(0x7e)));
      const m = i8x16.bitmask(out);
      if (m) {
        const q = p + <usize>ctz(m);
        return q < end ? q : end;
      }
      p += 16;
    }
    return end;
  } else {
    while (p < end) {
      const c = <u32>load<u8>(p);
      if (token ? !is(c, TCHAR) : c - 0x21 >= 0x5e) break;
      p++;
    }
    return p;
  }
}

/** Case-insensitive compare of name [s, s + lower.length) with a lowercase ASCII name (tchar bytes: |0x20 folds letters only). */
function nameIs(s: i32, lower: string): bool {
  for (let i = 0; i < lower.length; i++) {
    if ((byteAt(s + i) | 0x20) != <u32>lower.charCodeAt(i)) return false;
  }
  return true;
}

/**
 * Header `index` of a clean request head: its entry, and (the first of
 * each name frames the body, as in head.ts; strict mode in src/core wants
 * to know of a second one) the framing fields' slots.
 */
// @ts-ignore: decorator
@inline function cleanField(index: i32, ns: i32, ne: i32, vs: i32, ve: i32): void {
  const e = <usize>getSlot(Slot.ENTRIES_PTR) + (<usize>index << 4);
  store<i32>(e, ns);
  store<i32>(e, ne, 4);
  store<i32>(e, vs, 8);
  store<i32>(e, ve, 12);
  const len = ne - ns;
  const n = index + 1;
  if (len == 17) {
    if (nameIs(ns, "transfer-encoding")) {
      if (getSlot(Slot.TE_START) < 0) {
        setSlot(Slot.TE_START, vs);
        setSlot(Slot.TE_END, ve);
        setSlot(Slot.REQUEST_FIELDS, getSlot(Slot.REQUEST_FIELDS) | (n << RequestFields.TRANSFER_ENCODING));
      } else setSlot(Slot.REQUEST_FIELDS, getSlot(Slot.REQUEST_FIELDS) | RequestFields.TRANSFER_ENCODING_TWICE);
    }
  } else if (len == 14) {
    if (nameIs(ns, "content-length")) {
      if (getSlot(Slot.CL_START) < 0) {
        setSlot(Slot.CL_START, vs);
        setSlot(Slot.CL_END, ve);
        setSlot(Slot.REQUEST_FIELDS, getSlot(Slot.REQUEST_FIELDS) | (n << RequestFields.CONTENT_LENGTH));
      } else setSlot(Slot.REQUEST_FIELDS, getSlot(Slot.REQUEST_FIELDS) | RequestFields.CONTENT_LENGTH_TWICE);
    }
  } else if (len == 4) {
    if (nameIs(ns, "host")) {
      const fields = getSlot(Slot.REQUEST_FIELDS);
      setSlot(Slot.REQUEST_FIELDS, fields & (RequestFields.INDEX_MASK << RequestFields.HOST) ? fields | RequestFields.HOST_TWICE : fields | (n << RequestFields.HOST));
    }
  }
}

/**
 * A clean request head complete in [0, total), read directly: the
 * slots and entries `parseRequestHead` writes, and its length. Returns 0
 * when the head is not clean, not complete, or near a limit: the caller
 * then reads it the exact way (which gives the same result for every head
 * this function accepts).
 */
function parseCleanRequest(total: i32): i32 {
  const end = INPUT + <usize>total;
  // Request line: method, target, version, each ended by what must follow it.
  const me = <i32>(findOutside(INPUT, end, true) - INPUT);
  if (me == 0 || me >= total || byteAt(me) != 0x20) return 0;
  const ts = me + 1;
  const te = <i32>(findOutside(INPUT + <usize>ts, end, false) - INPUT);
  if (te == ts || te >= total || byteAt(te) != 0x20) return 0;
  const vs = te + 1;
  let p = vs + 10;
  if (p > total || p >= Limit.MAX_LINE || load<u16>(INPUT + <usize>(vs + 8)) != CRLF) return 0;
  const word = load<u64>(INPUT + <usize>vs);
  const version = word == HTTP_1_1 ? 11 : word == HTTP_1_0 ? 10 : 0;
  if (version == 0) return 0;

  const cap = min(getSlot(Slot.ENTRY_CAPACITY), CLEAN_MAX_HEADERS);
  setSlot(Slot.TE_START, -1);
  setSlot(Slot.CL_START, -1);
  setSlot(Slot.REQUEST_FIELDS, 0);
  let count = 0;
  if (ASC_FEATURE_SIMD) {
    // Two passes: the line ends first, each the line's first control byte
    // (a clean line has none before its CR), then each line's name and
    // value, lines independent of each other.
    const lines = cleanLineEnds(INPUT, p, total, cap, true, Limit.MAX_LINE);
    if (lines < 0) return 0;
    const headEnd = load<i32>(LINE_ENDS + (<usize>lines << 2)) + 2;
    let ls = p;
    for (let i = 0; i < lines; i++) {
      const ve = load<i32>(LINE_ENDS + (<usize>i << 2));
      const ne = <i32>(findOutside(INPUT + <usize>ls, INPUT + <usize>ve, true) - INPUT);
      if (ne == ls || ne >= ve || byteAt(ne) != 0x3a) return 0;
      let v = ne + 1;
      while (v < ve && (byteAt(v) == 0x20 || byteAt(v) == 0x09)) v++;
      cleanField(count++, ls, ne, v, ve);
      ls = ve + 2;
    }
    p = headEnd;
  } else {
    for (;;) {
      if (p + 2 > total) return 0;
      if (byteAt(p) == 0x0d) {
        if (byteAt(p + 1) != 0x0a) return 0;
        p += 2;
        break;
      }
      const ne = <i32>(findOutside(INPUT + <usize>p, end, true) - INPUT);
      if (ne == p || ne >= total || byteAt(ne) != 0x3a) return 0;
      let v = ne + 1;
      while (v < total && (byteAt(v) == 0x20 || byteAt(v) == 0x09)) v++;
      const ve = <i32>(findCtl(INPUT + <usize>v, end) - INPUT);
      if (ve + 1 >= total || load<u16>(INPUT + <usize>ve) != CRLF) return 0;
      if (ve + 2 - p >= Limit.MAX_LINE || count >= cap) return 0;
      cleanField(count++, p, ne, v, ve);
      p = ve + 2;
    }
  }

  setSlot(Slot.METHOD_START, 0);
  setSlot(Slot.METHOD_END, me);
  setSlot(Slot.TARGET_START, ts);
  setSlot(Slot.TARGET_END, te);
  setSlot(Slot.WORD_COUNT, 3);
  setSlot(Slot.STATUS, 0);
  setSlot(Slot.STATUS_LINE_END, vs + 10);
  setSlot(Slot.VERSION_START, vs);
  setSlot(Slot.VERSION_END, vs + 8);
  setSlot(Slot.VERSION, version);
  setSlot(Slot.HEAD_END, p);
  setSlot(Slot.HEADER_COUNT, count);
  // Connection and Keep-Alive decide nothing for a request here (src/core
  // computes close_connection), so only the framing fields are passed on.
  setSlot(Slot.CONN_START, -1);
  setSlot(Slot.KA_START, -1);
  setSlot(Slot.PC_START, -1);
  return finishHead(p, InFlag.REQUEST);
}

/**
 * Parses one request head from the input region [0, total), as
 * `parseHead` does for a response (same arguments, resume hints, return
 * values and entries), with parse_request's request line: METHOD, TARGET
 * and VERSION spans, WORD_COUNT, VERSION 9/10/11, STATUS 0. Errors: a
 * request line over `Limit.MAX_LINE` is LINE_TOO_LONG with ERROR_KIND
 * `LineKind.REQUEST`; a refused line is BAD_REQUEST_LINE with ERROR_KIND a
 * `RequestLineError`; EOF before any byte is REMOTE_DISCONNECTED (a
 * client that closed between requests). FLAGS: CHUNKED and HAS_LENGTH as
 * for a response; a request with neither has NO_BODY and length 0; never
 * WILL_CLOSE (src/core computes close_connection). REQUEST_FIELDS: the
 * Host, Content-Length and Transfer-Encoding fields of a clean head, else
 * -1. `flags`: EOF, and
 * STRICT: a head that parses is then checked as `checkHeadStrict` with
 * `InFlag.REQUEST` checks it (STRICT_VIOLATION, its slots), in this call.
 */
export function parseRequestHead(total: i32, scannedBefore: i32, linesBefore: i32, flags: i32): i32 {
  if (scannedBefore == 0 && linesBefore == 0 && total > 0 && total <= inputCapacity()) {
    // A clean head keeps every strict line rule: nothing more to check.
    const clean = parseCleanRequest(total);
    if (clean > 0) return clean;
  }
  setSlot(Slot.REQUEST_FIELDS, -1);
  const r = parseAnyHead(total, scannedBefore, linesBefore, (flags & InFlag.EOF) | InFlag.REQUEST);
  if (r > 0 && (flags & InFlag.STRICT)) {
    const s = checkHeadStrict(r, InFlag.REQUEST);
    if (s < 0) return s;
  }
  return r;
}
