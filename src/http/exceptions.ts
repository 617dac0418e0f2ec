// The exceptions of CPython's http.client (HTTPException and its family,
// and httpwire's StrictViolation), and the mapping from the core's parse
// failures to them. Every exception the package raises is exported from
// here: the Python built-ins and the socket/ssl errors are defined in
// src/python/exceptions.ts, the email package's in src/email/errors.ts.
//
// This module imports nothing from node:* (it runs in browsers too).

import { BaseException, ConnectionResetError, Exception, MemoryError, register } from '../python/exceptions.js';
import { pyRepr, reprNumber } from '../python/repr.js';
import { Code, Limit } from '../abi/index.js';
import { LINE_KIND_TEXT, STRICT_RULES, type ParseError } from '../core/errors.js';

export { pyRepr, pyStr } from '../python/repr.js';
export {
  BaseException,
  BrokenPipeError,
  ConnectionAbortedError,
  ConnectionError,
  ConnectionRefusedError,
  ConnectionResetError,
  Exception,
  FileNotFoundError,
  gaierror,
  KeyError,
  LookupError,
  MemoryError,
  OSError,
  RuntimeError,
  SSLCertVerificationError,
  SSLEOFError,
  SSLError,
  TimeoutError,
  TypeError,
  unicodeEncodeError,
  UnicodeEncodeError,
  UnicodeError,
  ValueError,
} from '../python/exceptions.js';
export { HeaderParseError, HeaderWriteError, MessageError, MessageParseError } from '../email/errors.js';

// ---------------------------------------------------------------------------
// http.client

/** `http.client.HTTPException(...args)`: base of every http.client exception. */
export class HTTPException extends Exception {}
register(HTTPException, 'HTTPException');

/** `http.client.error`: the old alias of HTTPException (the same class). */
export const error = HTTPException;
/** `http.client.error`: the old alias of HTTPException. */
export type error = HTTPException;

/** `http.client.NotConnected(...args)`. */
export class NotConnected extends HTTPException {}
register(NotConnected, 'NotConnected');

/** `http.client.InvalidURL(...args)`: e.g. `InvalidURL("nonnumeric port: 'x'")`. */
export class InvalidURL extends HTTPException {}
register(InvalidURL, 'InvalidURL');

/** `http.client.UnknownProtocol(version)`: `version` attribute; str(e) is the version. */
export class UnknownProtocol extends HTTPException {
  declare version: string;

  constructor(version: string) {
    super(version);
    this.version = version;
  }
}
register(UnknownProtocol, 'UnknownProtocol');

/** `http.client.UnknownTransferEncoding(...args)`. */
export class UnknownTransferEncoding extends HTTPException {}
register(UnknownTransferEncoding, 'UnknownTransferEncoding');

/** `http.client.UnimplementedFileMode(...args)`. */
export class UnimplementedFileMode extends HTTPException {}
register(UnimplementedFileMode, 'UnimplementedFileMode');

/**
 * `http.client.IncompleteRead(partial, expected=None)`: the body ended
 * early. `partial`: the bytes read; `expected`: bytes still expected, or
 * null. `args` is `[partial]`. str(e) and repr(e) are both
 * `IncompleteRead(3 bytes read, 5 more expected)` (or
 * `IncompleteRead(3 bytes read)` when `expected` is null).
 */
export class IncompleteRead extends HTTPException {
  declare partial: Uint8Array;
  declare expected: number | null;

  constructor(partial: Uint8Array, expected: number | null = null) {
    super(partial);
    this.partial = partial;
    this.expected = expected;
  }

  override __repr__(): string {
    const e = this.expected !== null && this.expected !== undefined ? `, ${reprNumber(this.expected)} more expected` : '';
    return `${this.name}(${this.partial.length} bytes read${e})`;
  }

  // CPython sets __str__ = object.__str__, which is repr().
  override __str__(): string {
    return this.__repr__();
  }
}
register(IncompleteRead, 'IncompleteRead');

/** `http.client.ImproperConnectionState(...args)`: base of the three state errors. */
export class ImproperConnectionState extends HTTPException {}
register(ImproperConnectionState, 'ImproperConnectionState');

/** `http.client.CannotSendRequest(...args)`: e.g. `CannotSendRequest('Request-sent')`. */
export class CannotSendRequest extends ImproperConnectionState {}
register(CannotSendRequest, 'CannotSendRequest');

/** `http.client.CannotSendHeader(...args)`. */
export class CannotSendHeader extends ImproperConnectionState {}
register(CannotSendHeader, 'CannotSendHeader');

/** `http.client.ResponseNotReady(...args)`: e.g. `ResponseNotReady('Idle')`. */
export class ResponseNotReady extends ImproperConnectionState {}
register(ResponseNotReady, 'ResponseNotReady');

/**
 * `http.client.BadStatusLine(line)`: `line` attribute and `args = [line]`.
 * As CPython's, an empty (falsy) line is replaced by its repr: `''` gives
 * the two-character string `''` (and null/undefined give `None`).
 */
export class BadStatusLine extends HTTPException {
  declare line: string;

  constructor(line: string) {
    const shown = line ? line : pyRepr(line);
    super(shown);
    this.line = shown;
  }
}
register(BadStatusLine, 'BadStatusLine');

/** `http.client.LineTooLong(line_type)`: str(e) is `got more than 65536 bytes when reading <line_type>`. */
export class LineTooLong extends HTTPException {
  constructor(line_type: string) {
    super(`got more than ${Limit.MAX_LINE} bytes when reading ${line_type}`);
  }
}
register(LineTooLong, 'LineTooLong');

/**
 * `http.client.RemoteDisconnected(*args)`: the server closed the connection
 * before sending a status line. Python's bases are ConnectionResetError
 * and BadStatusLine; here it extends ConnectionResetError and carries the
 * BadStatusLine and HTTPException tags, so it is `instanceof` all of them.
 * Arguments as OSError's; `line` is `''` with its quotes (CPython calls
 * `BadStatusLine.__init__(self, "")`).
 */
export class RemoteDisconnected extends ConnectionResetError {
  declare line: string;

  constructor(...args: unknown[]) {
    super(...args);
    this.line = "''";
  }
}
register(RemoteDisconnected, 'RemoteDisconnected', ['BadStatusLine', 'HTTPException']);

/**
 * Strict mode refused a response (httpwire's own class, an HTTPException):
 * `rule` names the rule (`'bare-lf'`, `'content-length-with-transfer-encoding'`,
 * ...; docs/strict-mode.md lists them), `offset` the byte where it was
 * found in the head or body framing (-1 when the rule is about the head
 * as a whole). The connection it came from is not reused.
 */
export class StrictViolation extends HTTPException {
  declare rule: string;
  declare offset: number;

  constructor(rule: string, message: string, offset = -1) {
    super(message);
    this.rule = rule;
    this.offset = offset;
  }
}
register(StrictViolation, 'StrictViolation');

// ---------------------------------------------------------------------------
// Core parse errors -> Python exceptions

/** What a core `ParseError` lacks to become an IncompleteRead. */
export interface ParseErrorExtra {
  /** The body bytes read before the error (IncompleteRead.partial); default empty. */
  partial?: Uint8Array;
  /**
   * IncompleteRead.expected; default: the error's own `expected` for an
   * incomplete Content-Length body, null for a chunked body.
   */
  expected?: number | null;
}

/** The Python exception class CPython raises for each core `Code`. */
const PYTHON_EXCEPTION: Record<number, string> = {
  [Code.REMOTE_DISCONNECTED]: 'RemoteDisconnected',
  [Code.BAD_STATUS_LINE]: 'BadStatusLine',
  [Code.LINE_TOO_LONG]: 'LineTooLong',
  [Code.TOO_MANY_HEADERS]: 'HTTPException',
  [Code.UNKNOWN_PROTOCOL]: 'UnknownProtocol',
  [Code.BAD_CHUNK_SIZE]: 'IncompleteRead',
  [Code.INCOMPLETE_CHUNK]: 'IncompleteRead',
  [Code.INCOMPLETE_BODY]: 'IncompleteRead',
  [Code.STRICT_VIOLATION]: 'StrictViolation',
};

/** Name of the Python exception CPython raises for a core parse failure with `code` (a negative `Code`). */
export function pythonExceptionName(code: number): string {
  return PYTHON_EXCEPTION[code] ?? 'HTTPException';
}

/**
 * The Python exception CPython raises where the core threw `e`:
 * RemoteDisconnected("Remote end closed connection without response"),
 * BadStatusLine(line), LineTooLong("status line" / "header line" /
 * "chunk size" / "trailer line"), HTTPException("got more than 100
 * headers"), UnknownProtocol(version), IncompleteRead(partial, expected).
 * A core failure CPython has no equivalent for (the WASM input region
 * could not grow) becomes MemoryError; an unknown code an HTTPException
 * with the core's message. The ParseError is kept as the result's `cause`.
 */
export function fromParseError(e: ParseError, extra: ParseErrorExtra = {}): BaseException {
  let out: BaseException;
  switch (e.code) {
    case Code.REMOTE_DISCONNECTED:
      out = new RemoteDisconnected('Remote end closed connection without response');
      break;
    case Code.BAD_STATUS_LINE:
      out = new BadStatusLine(e.text);
      break;
    case Code.LINE_TOO_LONG:
      out = new LineTooLong(LINE_KIND_TEXT[e.kind] ?? 'line');
      break;
    case Code.TOO_MANY_HEADERS:
      out = new HTTPException(`got more than ${Limit.MAX_HEADERS} headers`);
      break;
    case Code.UNKNOWN_PROTOCOL:
      out = new UnknownProtocol(e.text);
      break;
    case Code.BAD_CHUNK_SIZE:
    case Code.INCOMPLETE_CHUNK:
      out = new IncompleteRead(extra.partial ?? new Uint8Array(0), extra.expected !== undefined ? extra.expected : null);
      break;
    case Code.INCOMPLETE_BODY:
      out = new IncompleteRead(extra.partial ?? new Uint8Array(0), extra.expected !== undefined ? extra.expected : e.expected);
      break;
    case Code.INPUT_TOO_LARGE:
      out = new MemoryError(e.message);
      break;
    case Code.STRICT_VIOLATION:
      out = new StrictViolation(STRICT_RULES[e.kind]?.[0] ?? String(e.kind), e.message, e.offset);
      break;
    default:
      out = new HTTPException(e.message);
  }
  Object.defineProperty(out, 'cause', { value: e, writable: true, configurable: true });
  return out;
}
