// Request heads, the proxy's side of the wire: the same WASM head parser
// with a request line (parse_request's rules, CPython 3.13's http.server),
// the parsed head with lazily decoded fields, and strict mode's request
// rules (the forms request smuggling relies on; docs/strict-mode.md).
import { Code, HeadFlag, InFlag, Limit, RequestLineError, Slot, StrictRule } from '../abi/index.js';
import { ParseError } from './errors.js';
import { BodyKind, HeadScan, takeHeaderFields, type HeaderFields } from './head.js';
import { hasNativeLatin1, latin1Decode, latin1Encode } from './latin1.js';
import { getWasmParser, type WasmParser } from './wasm.js';

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
    this.text = latin1Decode(wasm.input, 0, headLength, !hasNativeLatin1 && !wasm.hasHighBytes(headLength));
    this.method = this.text.substring(o[Slot.METHOD_START]!, o[Slot.METHOD_END]!);
    this.target = this.text.substring(o[Slot.TARGET_START]!, o[Slot.TARGET_END]!);
    this.version = o[Slot.VERSION]!;
    this.versionStart = o[Slot.VERSION_START]!;
    this.versionEnd = o[Slot.VERSION_END]!;
    this.headers = takeHeaderFields(wasm, this.text);
    this.chunked = (flags & HeadFlag.CHUNKED) !== 0;
    // NO_BODY marks a request that nothing frames: no length was sent.
    this.length = flags & HeadFlag.HAS_LENGTH && !(flags & HeadFlag.NO_BODY) ? wasm.contentLength : null;
    this.lengthClamped = (flags & HeadFlag.LENGTH_CLAMPED) !== 0;
    this.bodyKind = this.chunked ? BodyKind.CHUNKED : this.length ? BodyKind.LENGTH : BodyKind.NONE;

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

  constructor(options: RequestHeadParserOptions = {}) {
    this.wasm = options.wasm ?? getWasmParser();
    this.strict = options.strict ?? false;
    this.protocol = options.protocolVersion ?? 'HTTP/1.1';
    this.scan = new HeadScan(this.wasm);
  }

  /** The head at the start of `input`, or null when more bytes are needed (`eof`: none will come). */
  execute(input: Uint8Array, eof = false): RequestHead | null {
    const r = this.scan.run(input, eof, 0, true);
    if (r === Code.NEED_MORE) return null;
    this.scan.reset();
    if (r < 0) throw this.error(r, input);
    const head = new RequestHead(this.wasm, r, this.protocol);
    if (this.strict) checkRequestStrict(this.wasm, head);
    return head;
  }

  /** Forgets a partly parsed head. */
  reset(): void {
    this.scan.reset();
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
 * the line rules in WASM, then framing, Host and target form over the
 * fields. Every request it accepts is framed the same way by CPython's
 * rules and by RFC 9112's, so no second parser can read a different
 * message boundary. Throws STRICT_VIOLATION.
 */
function checkRequestStrict(wasm: WasmParser, head: RequestHead): void {
  if (wasm.checkHeadStrict(head.headLength, InFlag.REQUEST) < 0) {
    refuse(wasm.out[Slot.ERROR_KIND]!, wasm.out[Slot.ERROR_OFFSET]!);
  }
  // Field lookups compare in place (no lowercased copies): a head with no
  // framing fields costs a few length checks per field.
  const h = head.headers;
  const cl = h.indexOf('content-length');
  if (cl >= 0) {
    // Plain digits (the parser dropped leading blanks; trailing ones are
    // OWS to RFC 9112 and to int() alike): no sign, `_`, comma list.
    if (!/^[0-9]+[ \t]*$/.test(h.value(cl))) refuse(StrictRule.INVALID_CONTENT_LENGTH);
    if (h.indexOf('content-length', cl + 1) >= 0) refuse(StrictRule.MULTIPLE_CONTENT_LENGTH);
  }
  const te = h.indexOf('transfer-encoding');
  if (te >= 0) {
    if (h.indexOf('transfer-encoding', te + 1) >= 0) refuse(StrictRule.MULTIPLE_TRANSFER_ENCODING);
    // CPython decodes chunks only for a value that is exactly `chunked`
    // (any case); RFC 9112 when the last coding is. Only where both agree
    // is the body framed the same: `chunked` alone, nothing after it.
    if (h.value(te).toLowerCase() !== 'chunked') refuse(StrictRule.TRANSFER_ENCODING_NOT_CHUNKED);
    if (cl >= 0) refuse(StrictRule.CONTENT_LENGTH_WITH_TRANSFER_ENCODING);
  }
  const host = h.indexOf('host');
  if (host >= 0 && h.indexOf('host', host + 1) >= 0) refuse(StrictRule.MULTIPLE_HOST);
  if (host < 0 && head.version === 11) refuse(StrictRule.MISSING_HOST);
  if (NO_BODY_METHODS.has(head.method) && (te >= 0 || (head.length ?? 0) > 0)) refuse(StrictRule.BODY_NOT_ALLOWED);
  if (!targetFits(head.method, head.target)) refuse(StrictRule.INVALID_TARGET);
}

/**
 * The request-target form fits the method (RFC 9112 3.2): authority-form
 * (`host:port`) for CONNECT only, `*` for OPTIONS only, else origin-form
 * (`/path`) or absolute-form (`scheme://...`).
 */
function targetFits(method: string, target: string): boolean {
  if (method === 'CONNECT') return /^[^/?#@\s]+:[0-9]+$/.test(target);
  if (target === '*') return method === 'OPTIONS';
  return target.startsWith('/') || /^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(target);
}
