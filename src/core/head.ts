// Response heads: the WASM head parser behind a small incremental API, and
// the parsed head with lazily decoded strings (the head bytes are copied out
// once; a name or value becomes a string only when asked for).
import { Code, HeadFlag, InFlag, Limit, Slot, StrictRule } from '../abi/index.js';
import { ParseError } from './errors.js';
import { hasNativeLatin1, latin1Decode, latin1Encode } from './latin1.js';
import { getWasmParser, type WasmParser } from './wasm.js';

/** First window staged for a head: larger than nearly every real head. */
const FIRST_WINDOW = 16384;

/** How the body of a response is delimited (after CPython's rules). */
export const enum BodyKind {
  NONE = 0,
  CHUNKED = 1,
  LENGTH = 2,
  UNTIL_CLOSE = 3,
}

/** Values (i32) per span chunk: 32 KiB, 80 heads of 25 fields. */
const SPAN_CHUNK = 8192;

/**
 * Where header spans are kept: 32 KiB Int32Array chunks filled by one copy
 * per head. A new typed array per head costs an off-heap allocation (about
 * a microsecond, and it is their count that costs: 8 KiB chunks, one per
 * 20 realistic heads, took 5% of the realistic head's time, 9% of a small
 * head's); a plain array costs a copy per element (4% slower). A head keeps
 * its chunk alive, so the chunk size bounds what a long-lived head retains.
 */
class SpanArena {
  private current = new Int32Array(SPAN_CHUNK);
  private used = 0;

  /** The chunk the next `take` of `n` values will land in. */
  chunk(n: number): Int32Array {
    if (this.used + n > this.current.length) {
      this.current = new Int32Array(Math.max(SPAN_CHUNK, n));
      this.used = 0;
    }
    return this.current;
  }

  /**
   * Copies the first `n` entry values of `wasm` into the chunk `chunk(n)`
   * returned; returns their offset. Two fields or fewer are copied by hand
   * (cheaper than `set` for so few), more with one `set` from a cached view.
   */
  take(wasm: WasmParser, n: number): number {
    const at = this.used;
    const to = this.current;
    if (n <= 8) {
      const from = wasm.entries;
      for (let i = 0; i < n; i++) to[at + i] = from[i]!;
    } else {
      to.set(wasm.entryPrefix(n), at);
    }
    this.used = at + n;
    return at;
  }
}

const spanArena = new SpanArena();

/** The header fields of one head: order-preserving, duplicates kept. */
export class HeaderFields {
  /** Number of fields. */
  readonly length: number;
  /** The head as a Latin-1 string (decoded once, eagerly). */
  private readonly text: string;
  /** Four offsets per field into `text` (nameStart, nameEnd, valueStart, valueEnd), from `base`. */
  private readonly spans: Int32Array;
  private readonly base: number;

  /** `spans[base ..]`: four offsets into `text` per field, `count` fields. */
  constructor(text: string, spans: Int32Array, base: number, count: number) {
    this.text = text;
    this.spans = spans;
    this.base = base;
    this.length = count;
  }

  /** Name of field `i` as received (case kept). */
  name(i: number): string {
    const at = this.base + i * 4;
    return this.text.substring(this.spans[at]!, this.spans[at + 1]!);
  }

  /** Value of field `i` (leading blanks and trailing CR/LF removed, as CPython). */
  value(i: number): string {
    const at = this.base + i * 4;
    return this.text.substring(this.spans[at + 2]!, this.spans[at + 3]!);
  }

  /**
   * Index of the first field named `name`, compared as Python's
   * `k.lower() == name.lower()` (Message.get), or -1. Names are ASCII here,
   * and the only non-ASCII character whose lowercase is ASCII is U+212A
   * KELVIN SIGN ('k', checked over all of Unicode in both languages), so
   * no lowercased copy of `name` is needed.
   */
  indexOf(name: string, from = 0): number {
    const n = name.length;
    const s = this.spans;
    const text = this.text;
    outer: for (let i = from; i < this.length; i++) {
      const at = this.base + i * 4;
      const start = s[at]!;
      if (s[at + 1]! - start !== n) continue;
      for (let j = 0; j < n; j++) {
        let a = text.charCodeAt(start + j);
        let b = name.charCodeAt(j);
        if (a === b) continue;
        if (b > 0x7f) b = b === 0x212a ? 0x6b : -1;
        if (a >= 0x41 && a <= 0x5a) a |= 0x20;
        if (b >= 0x41 && b <= 0x5a) b |= 0x20;
        if (a !== b) continue outer;
      }
      return i;
    }
    return -1;
  }

  /** Value of the first field named `name`, or `undefined`. */
  get(name: string): string | undefined {
    const i = this.indexOf(name);
    return i < 0 ? undefined : this.value(i);
  }

  /** Values of every field named `name`, in order. */
  getAll(name: string): string[] {
    const out: string[] = [];
    for (let i = this.indexOf(name); i >= 0; i = this.indexOf(name, i + 1)) out.push(this.value(i));
    return out;
  }

  /** All fields as [name, value] pairs. */
  toArray(): [string, string][] {
    const out: [string, string][] = [];
    for (let i = 0; i < this.length; i++) out.push([this.name(i), this.value(i)]);
    return out;
  }
}

/** One parsed response head. */
export class ResponseHead {
  /** The head as a Latin-1 string (status line through the blank line). */
  readonly text: string;
  /** Length of this head in bytes. */
  readonly headLength: number;
  private rawBytes: Uint8Array | null = null;
  readonly status: number;
  /** 10 or 11 as CPython's `version`; 0 only for a 100 with an unknown version. */
  readonly version: number;
  readonly headers: HeaderFields;
  /** CPython's `chunked`: the first Transfer-Encoding is `chunked`. */
  readonly chunked: boolean;
  /** CPython's `length` after begin(): body bytes, or null when not known. */
  readonly length: number | null;
  /** CPython's `will_close`. */
  readonly willClose: boolean;
  /** How the body ends (see `BodyKind`). */
  readonly bodyKind: BodyKind;
  /** Content-Length was above 2^53-1 and was clamped there. */
  readonly lengthClamped: boolean;
  private readonly reasonStart: number;
  private readonly reasonEnd: number;
  private readonly versionStart: number;
  private readonly versionEnd: number;

  constructor(wasm: WasmParser, headLength: number) {
    const o = wasm.out;
    const flags = o[Slot.FLAGS]!;
    this.headLength = headLength;
    // One Latin-1 decode of the head, eagerly, from the staged bytes: cheaper
    // than copying the bytes out (a new off-heap ArrayBuffer per head).
    this.text = latin1Decode(wasm.input, 0, headLength, !hasNativeLatin1 && !wasm.hasHighBytes(headLength));
    this.status = o[Slot.STATUS]!;
    this.version = o[Slot.VERSION]!;
    this.reasonStart = o[Slot.REASON_START]!;
    this.reasonEnd = o[Slot.REASON_END]!;
    this.versionStart = o[Slot.VERSION_START]!;
    this.versionEnd = o[Slot.VERSION_END]!;
    this.headers = takeHeaderFields(wasm, this.text);
    this.chunked = (flags & HeadFlag.CHUNKED) !== 0;
    this.length = flags & HeadFlag.HAS_LENGTH ? wasm.contentLength : null;
    this.willClose = (flags & HeadFlag.WILL_CLOSE) !== 0;
    this.lengthClamped = (flags & HeadFlag.LENGTH_CLAMPED) !== 0;
    // A head with no body wins over chunked: CPython would try to read
    // chunks after a 204/304/1xx (see docs/differences.md).
    this.bodyKind =
      flags & HeadFlag.NO_BODY
        ? BodyKind.NONE
        : this.chunked
          ? BodyKind.CHUNKED
          : this.length !== null
            ? BodyKind.LENGTH
            : BodyKind.UNTIL_CLOSE;
  }

  /** Bytes of this head (status line through the blank line), made on first use. */
  get raw(): Uint8Array {
    return (this.rawBytes ??= latin1Encode(this.text));
  }

  /** The reason phrase, stripped as CPython's `reason.strip()`. */
  get reason(): string {
    return this.text.substring(this.reasonStart, this.reasonEnd);
  }

  /** The protocol version token as sent (`HTTP/1.1`). */
  get versionText(): string {
    return this.text.substring(this.versionStart, this.versionEnd);
  }
}

/**
 * The resumable scan for one head of one connection, response or request:
 * stages the received bytes in WASM (a small window first, grown only while
 * the head is incomplete) and keeps the resume hints between calls.
 */
export class HeadScan {
  readonly wasm: WasmParser;
  private scanned = 0;
  private lines = 0;
  /** Bytes staged by the last call that needed more (the window only grows). */
  private staged = 0;

  constructor(wasm: WasmParser) {
    this.wasm = wasm;
  }

  /**
   * Parses the head at the start of `input` (the bytes received so far; a
   * later call passes the same bytes plus more) with `parseHead`, or
   * `parseRequestHead` when `request`. `eof`: nothing more will arrive.
   * Returns the head length (the context block describes it until the next
   * WASM call), NEED_MORE, or a negative `Code` (context block error slots
   * set). Throws INPUT_TOO_LARGE when WASM memory cannot grow.
   */
  run(input: Uint8Array, eof: boolean, kind: number, request: boolean): number {
    const wasm = this.wasm;
    // A head never exceeds MAX_HEAD, so bytes past it cannot change the
    // outcome. Within that, stage a small window first and grow it only
    // while the head is incomplete: a 100-byte head at the front of a 7 MB
    // buffer must not cost a 7 MB copy.
    const limit = Math.min(input.length, Limit.MAX_HEAD);
    let total = Math.min(limit, Math.max(this.staged, FIRST_WINDOW));
    for (;;) {
      if (!wasm.stage(this, total === input.length ? input : input.subarray(0, total))) {
        throw new ParseError(Code.INPUT_TOO_LARGE, 0);
      }
      const flags = kind | (eof && total === input.length ? InFlag.EOF : 0);
      let r = request ? wasm.parseRequestHead(total, this.scanned, this.lines, flags) : wasm.parseHead(total, this.scanned, this.lines, flags);
      if (r === Code.NEED_ENTRIES) {
        if (!wasm.reserve(0, wasm.out[Slot.NEEDED_ENTRIES]!)) throw new ParseError(Code.INPUT_TOO_LARGE, 0);
        r = request ? wasm.parseRequestHead(total, this.scanned, this.lines, flags) : wasm.parseHead(total, this.scanned, this.lines, flags);
      }
      if (r !== Code.NEED_MORE) return r;
      this.scanned = wasm.out[Slot.SCANNED]!;
      this.lines = wasm.out[Slot.LINES]!;
      this.staged = total;
      if (total < limit) {
        total = Math.min(limit, total * 2);
        continue;
      }
      return Code.NEED_MORE;
    }
  }

  /** Forgets a partly parsed head (call before parsing the next one). */
  reset(): void {
    this.scanned = 0;
    this.lines = 0;
    this.staged = 0;
    this.wasm.release(this);
  }
}

/**
 * The header fields the last head parse (response or request) wrote to the
 * context block, over the head's text: their spans copied into the shared
 * arena, so the fields outlive the next parse.
 */
export function takeHeaderFields(wasm: WasmParser, text: string): HeaderFields {
  const count = wasm.out[Slot.HEADER_COUNT]!;
  return new HeaderFields(text, spanArena.chunk(count * 4), spanArena.take(wasm, count * 4), count);
}

/** Options of a `HeadParser`. */
export interface HeadParserOptions {
  /** The WASM instance to use (default: the shared SIMD-or-scalar one). */
  wasm?: WasmParser;
  /**
   * Strict mode: also refuse what request smuggling and response splitting
   * rely on (see `StrictRule`), with a STRICT_VIOLATION ParseError.
   */
  strict?: boolean;
}

/**
 * Incremental response-head parser for one connection. Hand it the
 * unconsumed received bytes, starting at the head, each time more arrive;
 * it returns the head once complete. A `100 Continue` head is returned like
 * any other: the caller skips it (see `readHead`).
 */
export class HeadParser {
  private readonly wasm: WasmParser;
  private readonly strict: boolean;
  private readonly scan: HeadScan;

  constructor(options: HeadParserOptions = {}) {
    this.wasm = options.wasm ?? getWasmParser();
    this.strict = options.strict ?? false;
    this.scan = new HeadScan(this.wasm);
  }

  /**
   * Parses the head at the start of `input` (the bytes received so far; a
   * later call must pass the same bytes plus more). `eof`: nothing more
   * will arrive. `headRequest`: the request was HEAD (no body).
   * Returns the head, or null when more bytes are needed. Throws
   * `ParseError` on a malformed head.
   */
  execute(input: Uint8Array, eof = false, headRequest = false): ResponseHead | null {
    const r = this.scan.run(input, eof, headRequest ? InFlag.HEAD_REQUEST : 0, false);
    if (r === Code.NEED_MORE) return null;
    this.scan.reset();
    if (r < 0) throw this.error(r, input);
    const head = new ResponseHead(this.wasm, r);
    if (this.strict) checkStrict(this.wasm, head);
    return head;
  }

  /** Forgets a partly parsed head (call before parsing a new response). */
  reset(): void {
    this.scan.reset();
  }

  private error(code: number, input: Uint8Array): ParseError {
    const o = this.wasm.out;
    const offset = o[Slot.ERROR_OFFSET]!;
    let text = '';
    if (code === Code.BAD_STATUS_LINE) {
      let end = input.indexOf(0x0a);
      end = end < 0 ? Math.min(input.length, Limit.MAX_LINE) : end + 1;
      text = latin1Decode(input, 0, end);
    } else if (code === Code.UNKNOWN_PROTOCOL) {
      text = latin1Decode(input, o[Slot.VERSION_START]!, o[Slot.VERSION_END]!);
    }
    return new ParseError(code, offset, o[Slot.ERROR_KIND]!, text);
  }
}

/** A header value without the optional whitespace around it. */
function trimOws(v: string): string {
  return v.replace(/^[ \t]+|[ \t]+$/g, '');
}

/**
 * Strict mode's checks of a parsed head (its bytes still staged): the line
 * rules in WASM, then the framing fields. Throws STRICT_VIOLATION.
 */
function checkStrict(wasm: WasmParser, head: ResponseHead): void {
  if (wasm.checkHeadStrict(head.headLength) < 0) {
    throw new ParseError(Code.STRICT_VIOLATION, wasm.out[Slot.ERROR_OFFSET]!, wasm.out[Slot.ERROR_KIND]!);
  }
  const h = head.headers;
  let length: string | null = null;
  let codings: string[] | null = null;
  for (let i = 0; i < h.length; i++) {
    const name = h.name(i).toLowerCase();
    if (name === 'content-length') {
      const v = trimOws(h.value(i));
      if (!/^[0-9]+$/.test(v)) throw new ParseError(Code.STRICT_VIOLATION, -1, StrictRule.INVALID_CONTENT_LENGTH);
      if (length !== null && Number(length) !== Number(v)) {
        throw new ParseError(Code.STRICT_VIOLATION, -1, StrictRule.CONFLICTING_CONTENT_LENGTH);
      }
      length = v;
    } else if (name === 'transfer-encoding') {
      codings ??= [];
      // CPython compares the value with its trailing blanks (`chunked ` is
      // not chunked to it); an RFC 9112 peer drops them as OWS.
      if (/[ \t]$/.test(h.value(i))) throw new ParseError(Code.STRICT_VIOLATION, -1, StrictRule.TRANSFER_ENCODING_NOT_CHUNKED);
      for (const c of h.value(i).split(',')) {
        const t = trimOws(c).toLowerCase();
        if (t) codings.push(t);
      }
    }
  }
  if (codings !== null) {
    if (length !== null) throw new ParseError(Code.STRICT_VIOLATION, -1, StrictRule.CONTENT_LENGTH_WITH_TRANSFER_ENCODING);
    // Only chunked alone: the body is read as CPython reads it, which decodes
    // chunked only when it is the first coding, so `gzip, chunked` would
    // be framed differently by a peer that follows RFC 9112.
    if (codings.length !== 1 || codings[0] !== 'chunked') {
      throw new ParseError(Code.STRICT_VIOLATION, -1, StrictRule.TRANSFER_ENCODING_NOT_CHUNKED);
    }
  }
  if (head.status < 200 && (codings !== null || length !== null)) {
    throw new ParseError(Code.STRICT_VIOLATION, -1, StrictRule.INFORMATIONAL_WITH_BODY);
  }
}
