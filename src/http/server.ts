// The server's side in Python's names: what CPython 3.13's
// http.server.BaseHTTPRequestHandler.parse_request (with handle_one_request's
// 65,537-byte readline) makes of a request, and the error it would send
// (send_error's status, message and explain). The parsing is the core's
// RequestReader; this module only speaks Python.
import { Code, Limit, LineKind, RequestLineError } from '../abi/index.js';
import { ParseError, STRICT_RULES } from '../core/errors.js';
import { latin1Decode } from '../core/latin1.js';
import type { ProtocolVersion, RequestHead } from '../core/request-head.js';
import { RequestReader } from '../core/request-reader.js';
import type { WasmParser } from '../core/wasm.js';
import { HTTPStatus } from './constants.js';
import { pyRepr } from './exceptions.js';
import { HTTPMessage } from './message.js';

/** What send_error(code, message, explain) sends, its defaults resolved. */
export interface SendError {
  code: number;
  message: string;
  explain: string;
}

function sendError(code: number, message?: string, explain?: string): SendError {
  const s = HTTPStatus(code);
  return { code, message: message ?? s.phrase, explain: explain ?? s.description };
}

/**
 * The answer CPython's request handler gives to a request the core
 * refused: send_error's arguments, or null where it closes the connection
 * without a word (a blank request line, EOF between requests). Strict-mode
 * refusals (httpwire's own) are answered 400 with the rule's name.
 */
export function requestError(e: ParseError): SendError | null {
  switch (e.code) {
    case Code.REMOTE_DISCONNECTED:
      return null;
    case Code.LINE_TOO_LONG:
      if (e.kind === LineKind.REQUEST) return sendError(414);
      return sendError(431, 'Line too long', `got more than ${Limit.MAX_LINE} bytes when reading header line`);
    case Code.TOO_MANY_HEADERS:
      return sendError(431, 'Too many headers', `got more than ${Limit.MAX_HEADERS} headers`);
    case Code.BAD_REQUEST_LINE:
      switch (e.kind) {
        case RequestLineError.EMPTY:
          return null;
        case RequestLineError.VERSION:
          return sendError(400, `Bad request version (${pyRepr(e.text)})`);
        case RequestLineError.VERSION_NOT_SUPPORTED:
          return sendError(505, `Invalid HTTP version (${e.text.slice(5)})`);
        case RequestLineError.HTTP09_METHOD:
          return sendError(400, `Bad HTTP/0.9 request type (${pyRepr(e.text)})`);
        default:
          return sendError(400, `Bad request syntax (${pyRepr(e.text)})`);
      }
    case Code.STRICT_VIOLATION: {
      const [name, text] = STRICT_RULES[e.kind] ?? [String(e.kind), 'this request'];
      return sendError(400, `Bad request: ${name}`, `strict mode refuses ${text}`);
    }
    default:
      return sendError(400);
  }
}

/** parse_request's `path`: the target with a leading `//...` reduced to `/` (gh-87389). */
export function requestPath(target: string): string {
  return target.startsWith('//') ? '/' + target.replace(/^\/+/, '') : target;
}

/** What `parse_request` leaves on the handler, in Python's attribute names. */
export interface ParsedRequest {
  /** The method, or null when the request line was refused. */
  command: string | null;
  path: string | null;
  request_version: string | null;
  /** The request line, CR/LF stripped. */
  requestline: string;
  /** The header block; null when refused before it was read. */
  headers: HTTPMessage | null;
  close_connection: boolean;
  /** handle_expect_100 would have sent `100 Continue`. */
  expect_100: boolean;
  /** send_error's arguments on failure; null on success or a silent close. */
  error: SendError | null;
  /** The core's head, for body framing (`bodyKind`, `length`, `chunked`); null on failure. */
  head: RequestHead | null;
}

/** Options of `parse_request`. */
export interface ParseRequestOptions {
  /** The handler's `protocol_version` (CPython's default is `HTTP/1.0`; a keep-alive server's `HTTP/1.1`). */
  protocol_version?: ProtocolVersion;
  /** Refuse request-smuggling forms (400) as well. */
  strict?: boolean;
  wasm?: WasmParser;
}

/**
 * Python's `BaseHTTPRequestHandler.parse_request` (after
 * handle_one_request's readline) over the bytes of one request head:
 * `data` is what the client sent; EOF is taken to follow it. Returns the
 * handler's attributes as parse_request leaves them. The request line and
 * headers are read by the core's `RequestReader`, the same parser a proxy
 * uses. Named and shaped as Python's method since that is what a Python
 * user looks up; it is a function here because httpwire has no handler
 * class.
 */
export function parse_request(data: Uint8Array, options: ParseRequestOptions = {}): ParsedRequest {
  const protocol = options.protocol_version ?? 'HTTP/1.0';
  const reader = new RequestReader({
    protocolVersion: protocol,
    strict: options.strict ?? false,
    ...(options.wasm ? { wasm: options.wasm } : {}),
  });
  reader.feed(data);
  reader.end();
  const ev = reader.next();
  const nl = data.indexOf(0x0a);
  let lineEnd = nl < 0 ? data.length : nl;
  while (lineEnd > 0 && (data[lineEnd - 1] === 0x0d || data[lineEnd - 1] === 0x0a)) lineEnd--;
  const requestline = latin1Decode(data, 0, Math.min(lineEnd, Limit.MAX_LINE));
  const out: ParsedRequest = {
    command: null,
    path: null,
    request_version: null,
    requestline,
    headers: null,
    close_connection: true,
    expect_100: false,
    error: null,
    head: null,
  };
  if (ev.type === 'head') {
    const h = ev.head;
    const raw = h.raw;
    const headerStart = raw.indexOf(0x0a);
    Object.assign(out, {
      command: h.method,
      path: requestPath(h.target),
      request_version: h.versionText,
      headers: new HTTPMessage(h.headers, raw.subarray(headerStart < 0 ? raw.length : headerStart + 1)),
      close_connection: h.closeConnection,
      expect_100: h.expectContinue,
      head: h,
    });
  } else if (ev.type === 'error') {
    out.error = requestError(ev.error);
  }
  return out;
}
