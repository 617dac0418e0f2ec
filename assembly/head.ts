// Message heads: a response's status line or a request's request line,
// then the header block, CPython 3.13's rules (docs/parser-semantics.md;
// requests: http.server's parse_request). Two passes, picohttpparser's
// shape: a resumable framing pass finds the end of the head under CPython's
// limits, then one pass over the complete head fills the context block.
//
// All state is in the context block (src/abi/index.ts, `Slot`): the results,
// and the scratch of one parse (the framing headers' spans, the header whose
// continuation lines are being read). Whether the head is a request travels
// as the `InFlag.REQUEST` bit of `flags`.
import { Code, DecimalFlag, HeadFlag, InFlag, Limit, LineKind, RequestLineError, Slot } from "../src/abi/index";
import { INPUT, getSlot, inputCapacity, setSlot, setSlotF64 } from "./layout";
import { CLEAN_MAX_HEADERS, LINE_ENDS, cleanLineEnds, findCRLF, findLF, findNonName } from "./scan";
import { is, SPLIT_WS } from "./tables";
import { parseDecimal } from "./numbers";

// @ts-ignore: decorator
@inline function byteAt(offset: i32): u32 {
  return <u32>load<u8>(INPUT + <usize>offset);
}

function fail(code: i32, offset: i32, kind: i32): i32 {
  setSlot(Slot.ERROR_OFFSET, offset);
  setSlot(Slot.ERROR_KIND, kind);
  return code;
}

/** True when [s, e) starts with the ASCII bytes of `prefix` packed in a u64. */
function startsWith(s: i32, e: i32, text: u64, len: i32): bool {
  if (e - s < len) return false;
  for (let i = 0; i < len; i++) {
    if (byteAt(s + i) != <u32>((text >> (<u64>i << 3)) & 0xff)) return false;
  }
  return true;
}

// "HTTP/" "HTTP/1." "HTTP/1.0" "HTTP/0.9" "From ", little-endian packed.
const HTTP_SLASH: u64 = 0x2f50545448;
const HTTP_1_DOT: u64 = 0x2e312f50545448;
const HTTP_1_0: u64 = 0x302e312f50545448;
const HTTP_0_9: u64 = 0x392e302f50545448;
const FROM_SP: u64 = 0x206d6f7246;
const HTTP_1_1: u64 = 0x312e312f50545448;
/** CRLF as a little-endian u16. */
const CRLF: u16 = 0x0a0d;
/** Bit n set when a framing header's name (see `noteSpecial`) has n bytes: 10, 14, 16, 17. */
const FRAMING_LENGTHS: i32 = (1 << 10) | (1 << 14) | (1 << 16) | (1 << 17);

/**
 * Checks the status line [0, end) as `_read_status` and `begin` do and
 * writes STATUS, VERSION, the version and reason spans, STATUS_LINE_END.
 * Returns 0 or BAD_STATUS_LINE / UNKNOWN_PROTOCOL.
 */
function parseStatusLine(end: i32): i32 {
  // The usual line, `HTTP/1.x DDD reason`, read directly: the same fields
  // as the general reading below, which every other line takes.
  if (end > 13 && byteAt(8) == 0x20 && byteAt(12) == 0x20) {
    const word = load<u64>(INPUT);
    const d0 = byteAt(9) - 0x30, d1 = byteAt(10) - 0x30, d2 = byteAt(11) - 0x30;
    if ((word == HTTP_1_1 || word == HTTP_1_0) && d0 - 1 < 9 && d1 < 10 && d2 < 10) {
      let rs = 13;
      while (rs < end && is(byteAt(rs), SPLIT_WS)) rs++;
      if (rs < end) {
        // A reason follows (else the status field is read with the line's
        // trailing whitespace: the general reading decides).
        let re = end;
        while (re > rs && is(byteAt(re - 1), SPLIT_WS)) re--;
        setSlot(Slot.STATUS, <i32>(d0 * 100 + d1 * 10 + d2));
        setSlot(Slot.VERSION, word == HTTP_1_1 ? 11 : 10);
        setSlot(Slot.VERSION_START, 0);
        setSlot(Slot.VERSION_END, 8);
        setSlot(Slot.REASON_START, rs);
        setSlot(Slot.REASON_END, re);
        setSlot(Slot.STATUS_LINE_END, end);
        return 0;
      }
    }
  }
  // str.split(None, 2): three whitespace-separated fields.
  let p = 0;
  while (p < end && is(byteAt(p), SPLIT_WS)) p++;
  const vs = p;
  while (p < end && !is(byteAt(p), SPLIT_WS)) p++;
  const ve = p;
  while (p < end && is(byteAt(p), SPLIT_WS)) p++;
  const ss = p;
  while (p < end && !is(byteAt(p), SPLIT_WS)) p++;
  const se = p;
  // One field or none: Python sets version = "" and fails its prefix check.
  if (ss == se || !startsWith(vs, ve, HTTP_SLASH, 5)) {
    return fail(Code.BAD_STATUS_LINE, vs, 0);
  }
  while (p < end && is(byteAt(p), SPLIT_WS)) p++;
  // With no third field Python falls back to split(None, 1), whose second
  // field keeps the line's trailing whitespace; int() strips only its own,
  // smaller set, so "200\x1c\r\n" is refused while "200\x85\r\n" is not.
  const statusEnd = p == end ? end : se;
  const status = parseDecimal(INPUT + <usize>ss, INPUT + <usize>statusEnd);
  if (status < 100 || status > 999 || (getSlot(Slot.DECIMAL_FLAGS) & DecimalFlag.NEGATIVE)) {
    return fail(Code.BAD_STATUS_LINE, ss, 0);
  }
  let re = end;
  while (re > p && is(byteAt(re - 1), SPLIT_WS)) re--;

  let version = 0;
  if (ve - vs == 8 && (startsWith(vs, ve, HTTP_1_0, 8) || startsWith(vs, ve, HTTP_0_9, 8))) {
    version = 10;
  } else if (startsWith(vs, ve, HTTP_1_DOT, 7)) {
    version = 11;
  }
  const code = <i32>status;
  setSlot(Slot.STATUS, code);
  setSlot(Slot.VERSION, version);
  setSlot(Slot.VERSION_START, vs);
  setSlot(Slot.VERSION_END, ve);
  setSlot(Slot.REASON_START, p);
  setSlot(Slot.REASON_END, re);
  setSlot(Slot.STATUS_LINE_END, end);
  // begin() checks the version only for the final response, not a 100.
  if (version == 0 && code != 100) return fail(Code.UNKNOWN_PROTOCOL, vs, 0);
  return 0;
}

/** The first line of the head [0, end): a status line, or a request line (`InFlag.REQUEST` in `flags`). */
function parseStartLine(end: i32, flags: i32): i32 {
  return flags & InFlag.REQUEST ? parseRequestLine(end) : parseStatusLine(end);
}

/**
 * Digits of one version component [s, e): 1-10 ASCII digits, as
 * parse_request's isdigit(), length and int() checks. Returns the value,
 * or -1 when parse_request raises ValueError.
 */
function versionComponent(s: i32, e: i32): f64 {
  if (e <= s || e - s > 10) return -1;
  let v: f64 = 0;
  for (let i = s; i < e; i++) {
    const c = byteAt(i);
    if (c - 0x30 >= 10) return -1; // also \xb2 \xb3 \xb9: isdigit() but int() refuses them
    v = v * 10 + <f64>(c - 0x30);
  }
  return v;
}

/**
 * Checks the request line [0, end) as BaseHTTPRequestHandler.parse_request
 * does (str.split() into words; the version word first) and writes
 * METHOD/TARGET/VERSION spans, WORD_COUNT, VERSION (9 for a two-word
 * HTTP/0.9 line, 11 from 1.1 up, else 10), STATUS (0), STATUS_LINE_END.
 * Returns 0 or BAD_REQUEST_LINE with ERROR_KIND = `RequestLineError`.
 */
function parseRequestLine(end: i32): i32 {
  let words = 0;
  let p = 0;
  let lastStart = 0, lastEnd = 0;
  while (words < 4) {
    while (p < end && is(byteAt(p), SPLIT_WS)) p++;
    if (p >= end) break;
    const ws = p;
    while (p < end && !is(byteAt(p), SPLIT_WS)) p++;
    if (words == 0) { setSlot(Slot.METHOD_START, ws); setSlot(Slot.METHOD_END, p); }
    else if (words == 1) { setSlot(Slot.TARGET_START, ws); setSlot(Slot.TARGET_END, p); }
    lastStart = ws;
    lastEnd = p;
    words++;
  }
  if (words == 4) {
    // The version is the LAST word: find it past any further words.
    for (;;) {
      while (p < end && is(byteAt(p), SPLIT_WS)) p++;
      if (p >= end) break;
      lastStart = p;
      while (p < end && !is(byteAt(p), SPLIT_WS)) p++;
      lastEnd = p;
    }
  }
  setSlot(Slot.WORD_COUNT, words);
  setSlot(Slot.STATUS, 0);
  setSlot(Slot.STATUS_LINE_END, end);
  setSlot(Slot.VERSION_START, lastStart);
  setSlot(Slot.VERSION_END, lastEnd);
  if (words == 0) return fail(Code.BAD_REQUEST_LINE, 0, RequestLineError.EMPTY);
  let version = 9;
  if (words >= 3) {
    // "HTTP/" then exactly one "." between two digit runs.
    if (!startsWith(lastStart, lastEnd, HTTP_SLASH, 5)) return fail(Code.BAD_REQUEST_LINE, lastStart, RequestLineError.VERSION);
    let dot = -1;
    for (let i = lastStart + 5; i < lastEnd; i++) {
      if (byteAt(i) == 0x2e) {
        if (dot >= 0) return fail(Code.BAD_REQUEST_LINE, i, RequestLineError.VERSION);
        dot = i;
      }
    }
    if (dot < 0) return fail(Code.BAD_REQUEST_LINE, lastStart, RequestLineError.VERSION);
    const major = versionComponent(lastStart + 5, dot);
    const minor = versionComponent(dot + 1, lastEnd);
    if (major < 0 || minor < 0) return fail(Code.BAD_REQUEST_LINE, lastStart, RequestLineError.VERSION);
    if (major >= 2) return fail(Code.BAD_REQUEST_LINE, lastStart, RequestLineError.VERSION_NOT_SUPPORTED);
    version = major == 1 && minor >= 1 ? 11 : 10;
  }
  setSlot(Slot.VERSION, version);
  if (words > 3 || words < 2) return fail(Code.BAD_REQUEST_LINE, 0, RequestLineError.SYNTAX);
  if (words == 2) {
    const ms = getSlot(Slot.METHOD_START);
    const me = getSlot(Slot.METHOD_END);
    if (me - ms != 3 || byteAt(ms) != 0x47 || byteAt(ms + 1) != 0x45 || byteAt(ms + 2) != 0x54) {
      return fail(Code.BAD_REQUEST_LINE, ms, RequestLineError.HTTP09_METHOD);
    }
  }
  return 0;
}


/** Case-insensitive compare of [s, e) with a lowercase ASCII string. */
function nameIs(s: i32, e: i32, lower: string): bool {
  const n = lower.length;
  if (e - s != n) return false;
  for (let i = 0; i < n; i++) {
    // Name bytes are 0x21-0x7e, so |0x20 folds only A-Z onto a-z here.
    if ((byteAt(s + i) | 0x20) != <u32>lower.charCodeAt(i)) return false;
  }
  return true;
}

/** Case-insensitive substring test of a lowercase ASCII needle in [s, e). */
function contains(s: i32, e: i32, needle: string): bool {
  const n = needle.length;
  for (let i = s; i + n <= e; i++) {
    let j = 0;
    while (j < n && (byteAt(i + j) | 0x20) == <u32>needle.charCodeAt(j)) j++;
    if (j == n) return true;
  }
  return false;
}

/** Keeps [vs, ve) in the span slot pair at `slot` unless a header of that name came first. */
// @ts-ignore: decorator
@inline function noteFirst(slot: i32, vs: i32, ve: i32): void {
  if (getSlot(slot) < 0) {
    setSlot(slot, vs);
    setSlot(slot + 1, ve);
  }
}

/** Records the value span of a header the framing rules read (the first of its name). */
// @ts-ignore: decorator
@inline function noteSpecial(ns: i32, ne: i32, vs: i32, ve: i32): void {
  const len = ne - ns;
  if (len == 17) {
    if (nameIs(ns, ne, "transfer-encoding")) noteFirst(Slot.TE_START, vs, ve);
  } else if (len == 14) {
    if (nameIs(ns, ne, "content-length")) noteFirst(Slot.CL_START, vs, ve);
  } else if (len == 10) {
    if (nameIs(ns, ne, "connection")) noteFirst(Slot.CONN_START, vs, ve);
    else if (nameIs(ns, ne, "keep-alive")) noteFirst(Slot.KA_START, vs, ve);
  } else if (len == 16) {
    if (nameIs(ns, ne, "proxy-connection")) noteFirst(Slot.PC_START, vs, ve);
  }
}

/** `noteSpecial` as a call: one copy of its code for both header loops. */
function noteSpecialCall(ns: i32, ne: i32, vs: i32, ve: i32): void {
  noteSpecial(ns, ne, vs, ve);
}

/** Appends a header entry (counted past the table's capacity, for NEED_ENTRIES). */
function addHeader(ns: i32, ne: i32, vs: i32, lastLineEnd: i32): void {
  // header_source_parse: value.rstrip('\r\n') over the joined lines.
  let ve = lastLineEnd;
  while (ve > vs) {
    const c = byteAt(ve - 1);
    if (c != 0x0d && c != 0x0a) break;
    ve--;
  }
  const count = getSlot(Slot.HEADER_COUNT);
  if (count < getSlot(Slot.ENTRY_CAPACITY)) {
    const e = <usize>getSlot(Slot.ENTRIES_PTR) + (<usize>count << 4);
    store<i32>(e, ns);
    store<i32>(e, ne, 4);
    store<i32>(e, vs, 8);
    store<i32>(e, ve, 12);
  }
  setSlot(Slot.HEADER_COUNT, count + 1);
  noteSpecialCall(ns, ne, vs, ve);
}

// The email header section being read: a header waiting for its
// continuation lines (PENDING_* slots), as _parse_headers' lastheader.

function beginHeaders(): void {
  setSlot(Slot.HEADER_COUNT, 0);
  setSlot(Slot.TE_START, -1);
  setSlot(Slot.CL_START, -1);
  setSlot(Slot.CONN_START, -1);
  setSlot(Slot.KA_START, -1);
  setSlot(Slot.PC_START, -1);
  setSlot(Slot.PENDING_NAME_START, -1);
}

/** Adds the pending header, if any; none is pending afterwards. */
// @ts-ignore: decorator
@inline function flushPending(): void {
  const ns = getSlot(Slot.PENDING_NAME_START);
  if (ns >= 0) {
    addHeader(ns, getSlot(Slot.PENDING_NAME_END), getSlot(Slot.PENDING_VALUE_START), getSlot(Slot.PENDING_LINE_END));
    setSlot(Slot.PENDING_NAME_START, -1);
  }
}

/**
 * One email line [p, e), the next starting at `next` (feedparser's header
 * loop and `_parse_headers`, compat32 policy). Returns false when the line
 * ends the header section (an empty line, or one that is not a header).
 */
function emailLine(p: i32, e: i32, next: i32): bool {
  if (e == p) return false; // an empty line ends the header section
  const c = byteAt(p);
  if (c == 0x20 || c == 0x09) {
    // Continuation; with no header to continue, a dropped defect.
    if (getSlot(Slot.PENDING_NAME_START) >= 0) setSlot(Slot.PENDING_LINE_END, next);
    return true;
  }
  flushPending();
  if (startsWith(p, e, FROM_SP, 5)) return true; // mbox envelope line: never a header
  const q = <i32>(findNonName(INPUT + <usize>p, INPUT + <usize>e) - INPUT);
  if (q >= e || byteAt(q) != 0x3a) return false; // not a header: the body starts
  if (q > p) {
    let v = q + 1;
    while (v < e) {
      const b = byteAt(v);
      if (b != 0x20 && b != 0x09) break;
      v++;
    }
    setSlot(Slot.PENDING_NAME_START, p);
    setSlot(Slot.PENDING_NAME_END, q);
    setSlot(Slot.PENDING_VALUE_START, v);
    setSlot(Slot.PENDING_LINE_END, next);
  } // else an empty name: dropped
  return true;
}

/** The email header pass over the complete header bytes [start, end). */
function parseHeaderLines(start: i32, end: i32): void {
  beginHeaders();
  let p = start;
  while (p < end) {
    const e = <i32>(findCRLF(INPUT + <usize>p, INPUT + <usize>end) - INPUT);
    let next = e + 1;
    if (e >= end) next = end;
    else if (byteAt(e) == 0x0d && e + 1 < end && byteAt(e + 1) == 0x0a) next = e + 2;
    if (!emailLine(p, e, next)) break;
    p = next;
  }
  flushPending();
}

/** Header `index` of a clean response head: its entry, and the framing headers' spans. */
// @ts-ignore: decorator
@inline function cleanField(index: i32, ns: i32, ne: i32, vs: i32, ve: i32): void {
  const at = <usize>getSlot(Slot.ENTRIES_PTR) + (<usize>index << 4);
  store<i32>(at, ns);
  store<i32>(at, ne, 4);
  store<i32>(at, vs, 8);
  store<i32>(at, ve, 12);
  // Only names of 10, 14, 16 or 17 bytes can be framing headers.
  const len = ne - ns;
  if (len < 18 && ((FRAMING_LENGTHS >> len) & 1)) noteSpecialCall(ns, ne, vs, ve);
}

/**
 * The header block of a clean response head, from `start` (just after the
 * status line) in [0, total): lines `name ":" OWS value CRLF`, the name of
 * email name bytes, no CR or LF inside a line, no continuation line, then
 * CRLF; well within the line and header limits. Such a head has a single
 * reading (its framing lines and email lines are the same lines), taken
 * here directly: each line's end found once, its name scanned once, no
 * pending-header slots.
 * Writes the entries, HEADER_COUNT and the framing headers' spans and
 * returns the head end; or returns 0 for anything else, which the general
 * loop of `parseFused` (or the exact reading) then reads from the start.
 * Call `beginHeaders` first.
 */
function parseCleanHeaders(start: i32, total: i32): i32 {
  const end = INPUT + <usize>total;
  const cap = min(getSlot(Slot.ENTRY_CAPACITY), CLEAN_MAX_HEADERS);
  let count = 0;
  let p = start;
  if (ASC_FEATURE_SIMD) {
    // Two passes (as for requests): the line ends first, each the line's
    // first CR or LF (a clean line has none before its CRLF), then each
    // line's name and value.
    const lines = cleanLineEnds(INPUT, p, total, cap, false, Limit.MAX_LINE + 1);
    if (lines < 0) return 0;
    const headEnd = load<i32>(LINE_ENDS + (<usize>lines << 2)) + 2;
    let ls = p;
    for (let i = 0; i < lines; i++) {
      const e = load<i32>(LINE_ENDS + (<usize>i << 2));
      // A continuation line, an empty name or a `From ` line stops here.
      const q = <i32>(findNonName(INPUT + <usize>ls, INPUT + <usize>e) - INPUT);
      if (q == ls || q >= e || byteAt(q) != 0x3a) return 0;
      let v = q + 1;
      while (v < e) {
        const b = byteAt(v);
        if (b != 0x20 && b != 0x09) break;
        v++;
      }
      cleanField(count++, ls, q, v, e);
      ls = e + 2;
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
      // A continuation line, an empty name or a `From ` line stops here.
      const q = <i32>(findNonName(INPUT + <usize>p, end) - INPUT);
      if (q == p || q >= total || byteAt(q) != 0x3a) return 0;
      let v = q + 1;
      while (v < total) {
        const b = byteAt(v);
        if (b != 0x20 && b != 0x09) break;
        v++;
      }
      const e = <i32>(findCRLF(INPUT + <usize>v, end) - INPUT);
      if (e + 1 >= total || load<u16>(INPUT + <usize>e) != CRLF) return 0;
      if (e + 2 - p > Limit.MAX_LINE || count >= cap) return 0;
      cleanField(count++, p, q, v, e);
      p = e + 2;
    }
  }
  setSlot(Slot.HEADER_COUNT, count);
  return p;
}

/**
 * The common case in one pass: a head that is complete in [0, total) and
 * within every limit, read as framing lines and email lines together.
 * Returns the head end; a negative status-line `Code`; or 0 when anything
 * is unusual (incomplete, at a limit, a 100, EOF-dependent), for the exact
 * two-pass path to decide.
 */
function parseFused(total: i32, flags: i32): i32 {
  const statusLimit = min(total, Limit.MAX_LINE);
  const nl = <i32>(findLF(INPUT, INPUT + <usize>statusLimit) - INPUT);
  if (nl >= statusLimit) return 0;
  const statusEnd = nl + 1;
  const r = parseStartLine(statusEnd, flags);
  if (r < 0) return r;
  if (!(flags & InFlag.REQUEST)) {
    if (getSlot(Slot.STATUS) == 100) return 0;
    beginHeaders();
    const clean = parseCleanHeaders(statusEnd, total);
    if (clean > 0) return clean;
  }
  beginHeaders();
  let open = true; // the email section has not ended
  let p = statusEnd;
  let frameStart = statusEnd;
  let lines = 1;
  for (;;) {
    const limit = min(total, frameStart + Limit.MAX_LINE);
    const e = <i32>(findCRLF(INPUT + <usize>p, INPUT + <usize>limit) - INPUT);
    if (e >= limit) return 0;
    let next = e + 1;
    let frameEnd = true;
    if (byteAt(e) == 0x0d) {
      if (next >= total) return 0; // a CR at the end: is a LF coming?
      if (byteAt(next) == 0x0a) next++;
      else frameEnd = false; // a bare CR ends an email line, not a framing line
    }
    if (open) open = emailLine(p, e, next);
    p = next;
    if (frameEnd) {
      const len = next - frameStart;
      if (len > Limit.MAX_LINE || lines > Limit.MAX_HEADERS) return 0;
      lines++;
      if (len == 1 || (len == 2 && byteAt(frameStart) == 0x0d)) break;
      frameStart = next;
    }
  }
  flushPending();
  return p;
}

/** Writes FLAGS and CONTENT_LENGTH from the header spans (begin()'s rules). */
// @ts-ignore: decorator
@inline function decideFraming(status: i32, version: i32, flags: i32): void {
  const request = (flags & InFlag.REQUEST) != 0;
  const teStart = getSlot(Slot.TE_START), teEnd = getSlot(Slot.TE_END);
  const clStart = getSlot(Slot.CL_START), clEnd = getSlot(Slot.CL_END);
  const connStart = getSlot(Slot.CONN_START), connEnd = getSlot(Slot.CONN_END);
  const kaStart = getSlot(Slot.KA_START), kaEnd = getSlot(Slot.KA_END);
  const pcStart = getSlot(Slot.PC_START), pcEnd = getSlot(Slot.PC_END);
  let out = 0;
  const chunked = teStart >= 0 && teEnd - teStart == 7 && contains(teStart, teEnd, "chunked");
  if (chunked) out |= HeadFlag.CHUNKED;

  let willClose: bool;
  if (version == 11) {
    willClose = connStart >= 0 && contains(connStart, connEnd, "close");
  } else {
    willClose = !(
      (kaStart >= 0 && kaEnd > kaStart) ||
      (connStart >= 0 && contains(connStart, connEnd, "keep-alive")) ||
      (pcStart >= 0 && contains(pcStart, pcEnd, "keep-alive"))
    );
  }

  let hasLength = false;
  let length: f64 = 0;
  if (clStart >= 0 && clEnd > clStart && !chunked) {
    const v = parseDecimal(INPUT + <usize>clStart, INPUT + <usize>clEnd);
    const sign = getSlot(Slot.DECIMAL_FLAGS);
    if (v >= 0 && !((sign & DecimalFlag.NEGATIVE) && v != 0)) {
      hasLength = true;
      length = v;
      if (sign & DecimalFlag.CLAMPED) out |= HeadFlag.LENGTH_CLAMPED;
    }
  }
  // A request without framing headers has no body (RFC 9112 6.3, rule 7).
  if (request ? !chunked && !hasLength : status == 204 || status == 304 || (status >= 100 && status < 200) || (flags & InFlag.HEAD_REQUEST)) {
    hasLength = true;
    length = 0;
    out |= HeadFlag.NO_BODY;
  }
  if (!willClose && !chunked && !hasLength) willClose = true;
  // A server's close_connection follows other rules: src/core decides it.
  if (willClose && !request) out |= HeadFlag.WILL_CLOSE;
  if (hasLength) out |= HeadFlag.HAS_LENGTH;
  setSlot(Slot.FLAGS, out);
  setSlotF64(Slot.CONTENT_LENGTH_F64, length);
}

/**
 * Parses one response head from the input region [0, total).
 *
 * `scannedBefore`/`linesBefore` are the SCANNED/LINES slots of the previous
 * call on the same head that returned NEED_MORE (0/0 for a new head): the
 * framing pass resumes there, so a trickle is not rescanned. `flags` are
 * `InFlag` bits (EOF: a partial line is final; HEAD_REQUEST: no body).
 *
 * Returns the head length (> 0) and fills the head slots and entries;
 * NEED_MORE (0) with SCANNED/LINES set; or a negative `Code` with
 * ERROR_OFFSET (and ERROR_KIND for LINE_TOO_LONG). A 100 Continue head is
 * returned like any other (STATUS 100, no entries): the caller skips it.
 */
export function parseHead(total: i32, scannedBefore: i32, linesBefore: i32, flags: i32): i32 {
  return parseAnyHead(total, scannedBefore, linesBefore, flags & ~InFlag.REQUEST);
}

/**
 * `parseHead`, or with `InFlag.REQUEST` in `flags` the exact reading
 * behind `parseRequestHead` (assembly/request.ts).
 */
export function parseAnyHead(total: i32, scannedBefore: i32, linesBefore: i32, flags: i32): i32 {
  if (total < 0 || total > inputCapacity() || scannedBefore < 0 || scannedBefore > total || linesBefore < 0) {
    return fail(Code.INPUT_TOO_LARGE, 0, 0);
  }
  if (scannedBefore == 0 && linesBefore == 0) {
    const fused = parseFused(total, flags);
    if (fused < 0) return fused;
    if (fused > 0) {
      setSlot(Slot.HEAD_END, fused);
      return finishHead(fused, flags);
    }
  }
  const eof = (flags & InFlag.EOF) != 0;
  let pos = scannedBefore;
  let lines = linesBefore;
  let headEnd = -1;
  let statusChecked = false;

  // Framing pass: _read_status's readline, then _read_headers.
  while (headEnd < 0) {
    const window = min(total, pos + Limit.MAX_LINE);
    const nl = <i32>(findLF(INPUT + <usize>pos, INPUT + <usize>window) - INPUT);
    if (nl < window) {
      const lineEnd = nl + 1;
      if (lines == 0) {
        const r = parseStartLine(lineEnd, flags);
        if (r < 0) return r;
        statusChecked = true;
      } else {
        if (lines > Limit.MAX_HEADERS) return fail(Code.TOO_MANY_HEADERS, pos, 0);
        const len = lineEnd - pos;
        if (len == 1 || (len == 2 && byteAt(pos) == 0x0d)) headEnd = lineEnd;
      }
      lines++;
      pos = lineEnd;
      continue;
    }
    const kind = lines == 0 ? (flags & InFlag.REQUEST ? LineKind.REQUEST : LineKind.STATUS) : LineKind.HEADER;
    if (total - pos > Limit.MAX_LINE) return fail(Code.LINE_TOO_LONG, pos + Limit.MAX_LINE, kind);
    if (!eof) {
      setSlot(Slot.SCANNED, pos);
      setSlot(Slot.LINES, lines);
      return Code.NEED_MORE;
    }
    // EOF: the partial line is the last line; readline then returns b''.
    if (lines == 0) {
      if (total == 0) return fail(Code.REMOTE_DISCONNECTED, 0, 0);
      const r = parseStartLine(total, flags);
      if (r < 0) return r;
      statusChecked = true;
    } else {
      let count = lines - 1;
      if (total > pos) count++;
      if (count + 1 > Limit.MAX_HEADERS) return fail(Code.TOO_MANY_HEADERS, total, 0);
    }
    headEnd = total;
  }

  if (!statusChecked) {
    // Checked by an earlier call; recompute its slots.
    const nl = <i32>(findLF(INPUT, INPUT + <usize>min(total, Limit.MAX_LINE)) - INPUT);
    parseStartLine(nl < total ? nl + 1 : total, flags);
  }
  const status = getSlot(Slot.STATUS);
  setSlot(Slot.HEAD_END, headEnd);
  if (status == 100 && !(flags & InFlag.REQUEST)) {
    // Skipped by the caller: its headers are only counted and limited.
    setSlot(Slot.HEADER_COUNT, 0);
    setSlot(Slot.FLAGS, HeadFlag.NO_BODY);
    return headEnd;
  }
  parseHeaderLines(getSlot(Slot.STATUS_LINE_END), headEnd);
  return finishHead(headEnd, flags);
}

/** Header count, entry-table check and framing flags of a parsed head. */
export function finishHead(headEnd: i32, flags: i32): i32 {
  const count = getSlot(Slot.HEADER_COUNT);
  if (count > getSlot(Slot.ENTRY_CAPACITY)) {
    setSlot(Slot.NEEDED_ENTRIES, count);
    return fail(Code.NEED_ENTRIES, headEnd, 0);
  }
  decideFraming(getSlot(Slot.STATUS), getSlot(Slot.VERSION), flags);
  return headEnd;
}
