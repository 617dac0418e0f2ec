// Request heads, the proxy's side of the wire: the same WASM head parser
// with a request line (parse_request's rules, CPython 3.13's http.server),
// the parsed head with lazily decoded fields, and strict mode's request
// rules (the forms request smuggling relies on; docs/strict-mode.md).
import { Code, HeadFlag, InFlag, Limit, RequestFields, RequestLineError, Slot, StrictRule } from '../abi/index.js';
import { ParseError } from './errors.js';
import { BodyKind, HeadScan, takeHeaderFields, type HeaderFields } from './head.js';
import { hasNativeLatin1, latin1Decode, latin1Encode } from './latin1.js';
import { getWasmParser, type WasmParser } from './wasm.js';

/** Input staged whole for a new head (HeadScan's first window). */
const FIRST_WINDOW = 16384;

/** The version a server speaks: decides `closeConnection` as http.server's `protocol_version`. */
export type ProtocolVersion = 'HTTP/1.0' | 'HTTP/1.1';

/** One parsed request head. */
export class RequestHead {
  /** The head as a Latin-1 string (request line through the blank line). */
  readonly text: string;
  /** Length of this head in bytes. */
  readonly headLength: number;
  private rawBytes: Uint8Array | null = null;
  /** The method as sent (parse_request's `command`). */
  readonly method: string;
  /** The request-target as sent (before parse_request's `//` reduction). */
  readonly target: string;
  private readonly versionStart: number;
  private readonly versionEnd: number;
  /** 9 (a two-word line), 10 (below 1.1) or 11 (1.1 up to 2.0). */
  readonly version: number;
  readonly headers: HeaderFields;
  /** The first Transfer-Encoding is `chunked` (CPython's `chunked` rule). */
  readonly chunked: boolean;
  /** Content-Length as CPython's begin() reads it (int(), >= 0, ignored when chunked), else null. */
  readonly length: number | null;
  /** How the body ends: NONE, CHUNKED or LENGTH (a request never reads until close). */
  readonly bodyKind: BodyKind;
  /** Content-Length was above 2^53-1 and was clamped there. */
  readonly lengthClamped: boolean;
  private readonly protocol: ProtocolVersion;
  private close: boolean | null = null;

  constructor(wasm: WasmParser, headLength: number, protocol: ProtocolVersion = 'HTTP/1.1') {
    const o = wasm.out;
    const flags = o[Slot.FLAGS]!;
    this.headLength = headLength;
    const text = latin1Decode(wasm.input, 0, headLength, !hasNativeLatin1 && !wasm.hasHighBytes(headLength));
    this.text = text;
    this.method = text.substring(o[Slot.METHOD_START]!, o[Slot.METHOD_END]!);
    this.target = text.substring(o[Slot.TARGET_START]!, o[Slot.TARGET_END]!);
    this.version = o[Slot.VERSION]!;
    this.versionStart = o[Slot.VERSION_START]!;
    this.versionEnd = o[Slot.VERSION_END]!;
    this.headers = takeHeaderFields(wasm, text);
    const chunked = (flags & HeadFlag.CHUNKED) !== 0;
    this.chunked = chunked;
    // NO_BODY marks a request that nothing frames: no length was sent.
    const length = flags & HeadFlag.HAS_LENGTH && !(flags & HeadFlag.NO_BODY) ? wasm.contentLength : null;
    this.length = length;
    this.lengthClamped = (flags & HeadFlag.LENGTH_CLAMPED) !== 0;
    this.bodyKind = chunked ? BodyKind.CHUNKED : length ? BodyKind.LENGTH : BodyKind.NONE;

    this.protocol = protocol;
  }

  /** The version word as sent, or `HTTP/0.9` for a two-word request line (`request_version`). */
  get versionText(): string {
    return this.version === 9 ? 'HTTP/0.9' : this.text.substring(this.versionStart, this.versionEnd);
  }

  /** parse_request's `close_connection` for the server's `protocol_version` (decided on first use). */
  get closeConnection(): boolean {
    if (this.close === null) {
      // parse_request: keep-alive from 1.1 when the server speaks 1.1; a
      // two-word line closes; then the first Connection header decides,
      // compared whole after lower() (no strip: `close ` is not `close`).
      const speaks11 = this.protocol >= 'HTTP/1.1';
      let close = !(this.version === 11 && speaks11);
      const conn = (this.headers.get('Connection') ?? '').toLowerCase();
      if (conn === 'close') close = true;
      else if (conn === 'keep-alive' && speaks11) close = false;
      this.close = close;
    }
    return this.close;
  }

  /** parse_request would answer `100 Continue` (handle_expect_100). */
  get expectContinue(): boolean {
    // request_version is compared as a string, as parse_request does.
    return (
      this.protocol >= 'HTTP/1.1' && this.versionText >= 'HTTP/1.1' && (this.headers.get('Expect') ?? '').toLowerCase() === '100-continue'
    );
  }

  /** Bytes of this head (request line through the blank line), made on first use. */
  get raw(): Uint8Array {
    return (this.rawBytes ??= latin1Encode(this.text));
  }
}

/** Options of a `RequestHeadParser`. */
export interface RequestHeadParserOptions {
  /** The WASM instance to use (default: the shared SIMD-or-scalar one). */
  wasm?: WasmParser;
  /** Strict mode: also refuse the forms request smuggling relies on (`StrictRule`). */
  strict?: boolean;
  /** The server's `protocol_version` (default `HTTP/1.1`): decides `closeConnection`. */
  protocolVersion?: ProtocolVersion;
}

/**
 * Incremental request-head parser for one connection. Hand it the
 * unconsumed received bytes, starting at the head, each time more arrive;
 * it returns the head once complete, or throws `ParseError`:
 * BAD_REQUEST_LINE (kind: `RequestLineError`), LINE_TOO_LONG (kind
 * `LineKind.REQUEST` or `HEADER`), TOO_MANY_HEADERS, REMOTE_DISCONNECTED
 * (EOF before any byte), STRICT_VIOLATION.
 */
export class RequestHeadParser {
  private readonly wasm: WasmParser;
  private readonly strict: boolean;
  private readonly protocol: ProtocolVersion;
  private readonly scan: HeadScan;
  /** A head is partly received: the resumable scan owns it until it completes. */
  private partial = false;

  constructor(options: RequestHeadParserOptions = {}) {
    this.wasm = options.wasm ?? getWasmParser();
    this.strict = options.strict ?? false;
    this.protocol = options.protocolVersion ?? 'HTTP/1.1';
    this.scan = new HeadScan(this.wasm);
  }

  /** The head at the start of `input`, or null when more bytes are needed (`eof`: none will come). */
  execute(input: Uint8Array, eof = false): RequestHead | null {
    let r: number = Code.NEED_MORE;
    let linesChecked = false;
    if (!this.partial) {
      // The usual case, a new head at the front of what was received:
      // its first window staged in one copy and parsed in one call, in
      // strict mode with the line rules.
      r = this.parseFirst(input, eof);
      linesChecked = this.strict;
      if (r === Code.NEED_MORE && input.length <= FIRST_WINDOW) {
        this.partial = true; // all there is: wait for more
        return null;
      }
    }
    if (r === Code.NEED_MORE) {
      // Longer than the first window, or arriving in pieces: the
      // resumable scan (it restages the head once, then copies only
      // what is new).
      linesChecked = false;
      r = this.scan.run(input, eof, 0, true);
      if (r === Code.NEED_MORE) {
        this.partial = true;
        return null;
      }
      this.scan.reset();
      this.partial = false;
    }
    if (r < 0) {
      if (r === Code.STRICT_VIOLATION) refuse(this.wasm.out[Slot.ERROR_KIND]!, this.wasm.out[Slot.ERROR_OFFSET]!);
      throw this.error(r, input);
    }
    const head = new RequestHead(this.wasm, r, this.protocol);
    if (this.strict) checkRequestStrict(this.wasm, head, linesChecked);
    return head;
  }

  /**
   * parseRequestHead over the first window of `input` (all of it, up to
   * FIRST_WINDOW bytes), staged as nobody's prefix; in strict mode with
   * the line rules checked in the same call.
   */
  private parseFirst(input: Uint8Array, eof: boolean): number {
    const wasm = this.wasm;
    const n = Math.min(input.length, FIRST_WINDOW);
    if (n > wasm.inputCapacity && !wasm.reserve(n, 0)) throw new ParseError(Code.INPUT_TOO_LARGE, 0);
    wasm.claimInput().set(n === input.length ? input : input.subarray(0, n), 0);
    const flags = (eof && n === input.length ? InFlag.EOF : 0) | (this.strict ? InFlag.STRICT : 0);
    let r = wasm.parseRequestHead(n, 0, 0, flags);
    if (r === Code.NEED_ENTRIES) {
      if (!wasm.reserve(0, wasm.out[Slot.NEEDED_ENTRIES]!)) throw new ParseError(Code.INPUT_TOO_LARGE, 0);
      r = wasm.parseRequestHead(n, 0, 0, flags);
    }
    return r;
  }

  /** Forgets a partly parsed head. */
  reset(): void {
    this.scan.reset();
    this.partial = false;
  }

  private error(code: number, input: Uint8Array): ParseError {
    const o = this.wasm.out;
    const kind = o[Slot.ERROR_KIND]!;
    let text = '';
    if (code === Code.BAD_REQUEST_LINE) {
      // The request line as parse_request keeps it (rstrip('\r\n')), or
      // for a bad version the version word.
      if (kind === RequestLineError.VERSION || kind === RequestLineError.VERSION_NOT_SUPPORTED) {
        text = latin1Decode(input, o[Slot.VERSION_START]!, o[Slot.VERSION_END]!);
      } else if (kind === RequestLineError.HTTP09_METHOD) {
        text = latin1Decode(input, o[Slot.METHOD_START]!, o[Slot.METHOD_END]!);
      } else {
        let end = Math.min(o[Slot.STATUS_LINE_END]!, input.length, Limit.MAX_LINE);
        while (end > 0 && (input[end - 1] === 0x0a || input[end - 1] === 0x0d)) end--;
        text = latin1Decode(input, 0, end);
      }
    }
    return new ParseError(code, o[Slot.ERROR_OFFSET]!, kind, text);
  }
}

/** Methods whose requests strict mode refuses a body on (`body-not-allowed`). */
const NO_BODY_METHODS = new Set(['GET', 'HEAD', 'TRACE', 'CONNECT']);

function refuse(rule: StrictRule, offset = -1): never {
  throw new ParseError(Code.STRICT_VIOLATION, offset, rule);
}

/**
 * Strict mode's checks of a parsed request head (its bytes still staged):
 * the line rules in WASM (unless `linesChecked`: the parse call did), then
 * framing, Host and target form over the fields. Every request it accepts
 * is framed the same way by CPython's rules and by RFC 9112's, so no
 * second parser can read a different message boundary. Throws
 * STRICT_VIOLATION.
 */
function checkRequestStrict(wasm: WasmParser, head: RequestHead, linesChecked: boolean): void {
  if (!linesChecked && wasm.checkHeadStrict(head.headLength, InFlag.REQUEST) < 0) {
    refuse(wasm.out[Slot.ERROR_KIND]!, wasm.out[Slot.ERROR_OFFSET]!);
  }
  // The framing fields and Host, and whether each comes twice.
  const h = head.headers;
  let cl = -1, te = -1, host = -1;
  let cl2 = false, te2 = false, host2 = false;
  const packed = wasm.out[Slot.REQUEST_FIELDS]!;
  if (packed >= 0) {
    // A clean head: WASM found the fields in its pass.
    host = ((packed >> RequestFields.HOST) & RequestFields.INDEX_MASK) - 1;
    cl = ((packed >> RequestFields.CONTENT_LENGTH) & RequestFields.INDEX_MASK) - 1;
    te = ((packed >> RequestFields.TRANSFER_ENCODING) & RequestFields.INDEX_MASK) - 1;
    host2 = (packed & RequestFields.HOST_TWICE) !== 0;
    cl2 = (packed & RequestFields.CONTENT_LENGTH_TWICE) !== 0;
    te2 = (packed & RequestFields.TRANSFER_ENCODING_TWICE) !== 0;
  } else {
    // One pass over the names, in the staged bytes (tokens by now, so
    // |0x20 folds only letters).
    const e = wasm.entries;
    const input = wasm.input;
    for (let i = 0, at = 0; i < h.length; i++, at += 4) {
      const s = e[at]!;
      const n = e[at + 1]! - s;
      if (n === 4) {
        if (bytesAre(input, s, 'host')) {
          if (host < 0) host = i;
          else host2 = true;
        }
      } else if (n === 14) {
        if (bytesAre(input, s, 'content-length')) {
          if (cl < 0) cl = i;
          else cl2 = true;
        }
      } else if (n === 17) {
        if (bytesAre(input, s, 'transfer-encoding')) {
          if (te < 0) te = i;
          else te2 = true;
        }
      }
    }
  }
  // The rules in a fixed order: which rule a head breaks does not depend
  // on where its fields are.
  if (cl >= 0) {
    // Plain digits (the parser dropped leading blanks; trailing ones are
    // OWS to RFC 9112 and to int() alike): no sign, `_`, comma list.
    if (!/^[0-9]+[ \t]*$/.test(h.value(cl))) refuse(StrictRule.INVALID_CONTENT_LENGTH);
    if (cl2) refuse(StrictRule.MULTIPLE_CONTENT_LENGTH);
  }
  if (te >= 0) {
    if (te2) refuse(StrictRule.MULTIPLE_TRANSFER_ENCODING);
    // CPython decodes chunks only for a value that is exactly `chunked`
    // (any case); RFC 9112 when the last coding is. Only where both agree
    // is the body framed the same: `chunked` alone, nothing after it.
    if (h.value(te).toLowerCase() !== 'chunked') refuse(StrictRule.TRANSFER_ENCODING_NOT_CHUNKED);
    if (cl >= 0) refuse(StrictRule.CONTENT_LENGTH_WITH_TRANSFER_ENCODING);
  }
  if (host2) refuse(StrictRule.MULTIPLE_HOST);
  if (host < 0 && head.version === 11) refuse(StrictRule.MISSING_HOST);
  if ((te >= 0 || (head.length ?? 0) > 0) && NO_BODY_METHODS.has(head.method)) refuse(StrictRule.BODY_NOT_ALLOWED);
  if (!targetFits(head.method, head.target)) refuse(StrictRule.INVALID_TARGET);
}

/** `input[at ..]` spells `lower` (lowercase letters and `-`), any case. */
function bytesAre(input: Uint8Array, at: number, lower: string): boolean {
  for (let j = 0; j < lower.length; j++) if ((input[at + j]! | 0x20) !== lower.charCodeAt(j)) return false;
  return true;
}

/**
 * The request-target form fits the method (RFC 9112 3.2): authority-form
 * (`host:port`) for CONNECT only, `*` for OPTIONS only, else origin-form
 * (`/path`) or absolute-form (`scheme://...`).
 */
function targetFits(method: string, target: string): boolean {
  // The usual forms first: origin-form, and a proxy's absolute http(s) URL.
  if (target.charCodeAt(0) === 0x2f || target.startsWith('http://') || target.startsWith('https://')) return method !== 'CONNECT';
  if (method === 'CONNECT') return /^[^/?#@\s]+:[0-9]+$/.test(target);
  if (target === '*') return method === 'OPTIONS';
  return target.startsWith('/') || /^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(target);
}
