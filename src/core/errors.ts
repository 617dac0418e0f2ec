// Parse failures of the core, as data. The core does not throw Python
// exceptions (only src/http does); it throws `ParseError`, which carries
// the ABI code, the offending offset, and the facts src/http needs to build
// CPython's exception with CPython's message.
import { Code, Limit, LineKind, RequestLineError, StrictRule } from '../abi/index.js';

/** CPython's wording for each `LineKind` in LineTooLong("got more than ... when reading X"). */
export const LINE_KIND_TEXT: Record<number, string> = {
  [LineKind.STATUS]: 'status line',
  [LineKind.HEADER]: 'header line',
  [LineKind.CHUNK_SIZE]: 'chunk size',
  [LineKind.TRAILER]: 'trailer line',
  [LineKind.REQUEST]: 'request line',
};

/** Each strict-mode rule: its name (stable, for code that matches on it) and what it refuses. */
export const STRICT_RULES: Record<number, [name: string, text: string]> = {
  [StrictRule.BARE_CR]: ['bare-cr', 'a CR not followed by LF'],
  [StrictRule.BARE_LF]: ['bare-lf', 'a line ending in LF without CR'],
  [StrictRule.OBS_FOLD]: ['obs-fold', 'a header line folded onto the previous one (obs-fold)'],
  [StrictRule.INVALID_NAME]: ['invalid-header-name', 'a header name that is not a token, or not followed directly by a colon'],
  [StrictRule.INVALID_VALUE]: ['invalid-header-value', 'a control byte in a header value'],
  [StrictRule.STATUS_LINE]: ['invalid-status-line', "a status line other than 'HTTP/d.d ddd reason'"],
  [StrictRule.UNTERMINATED_HEAD]: ['unterminated-head', 'a head not ended by an empty line'],
  [StrictRule.CONTENT_LENGTH_WITH_TRANSFER_ENCODING]: ['content-length-with-transfer-encoding', 'Content-Length together with Transfer-Encoding'],
  [StrictRule.CONFLICTING_CONTENT_LENGTH]: ['conflicting-content-length', 'Content-Length fields that differ'],
  [StrictRule.INVALID_CONTENT_LENGTH]: ['invalid-content-length', 'a Content-Length that is not a decimal number'],
  [StrictRule.TRANSFER_ENCODING_NOT_CHUNKED]: ['transfer-encoding-not-chunked', 'a Transfer-Encoding other than chunked alone'],
  [StrictRule.INFORMATIONAL_WITH_BODY]: ['informational-with-body', 'a 1xx response with Content-Length or Transfer-Encoding'],
  [StrictRule.CHUNK_SIZE]: ['invalid-chunk-size', 'a chunk size that is not hexadecimal digits'],
  [StrictRule.CHUNK_EXTENSION]: ['invalid-chunk-extension', 'a malformed chunk extension'],
  [StrictRule.CHUNK_DATA_END]: ['chunk-data-without-crlf', 'chunk data not followed by CRLF'],
  [StrictRule.TRAILER]: ['invalid-trailer', 'a malformed trailer field'],
  [StrictRule.REQUEST_LINE]: ['invalid-request-line', "a request line other than 'token SP target SP HTTP/1.x'"],
  [StrictRule.WHITESPACE_BEFORE_COLON]: ['whitespace-before-colon', 'whitespace between a header name and its colon'],
  [StrictRule.MULTIPLE_CONTENT_LENGTH]: ['multiple-content-length', 'more than one Content-Length field in a request'],
  [StrictRule.MULTIPLE_TRANSFER_ENCODING]: ['multiple-transfer-encoding', 'more than one Transfer-Encoding field'],
  [StrictRule.MISSING_HOST]: ['missing-host', 'an HTTP/1.1 request without Host'],
  [StrictRule.MULTIPLE_HOST]: ['multiple-host', 'more than one Host field'],
  [StrictRule.BODY_NOT_ALLOWED]: ['body-not-allowed', 'a body on a GET, HEAD, TRACE or CONNECT request'],
  [StrictRule.INVALID_TARGET]: ['invalid-request-target', 'a request-target whose form does not fit the method'],
};

/** parse_request's reason for refusing a request line (`RequestLineError`), before the quoted text. */
export const REQUEST_LINE_TEXT: Record<number, string> = {
  [RequestLineError.EMPTY]: 'empty request line',
  [RequestLineError.VERSION]: 'Bad request version',
  [RequestLineError.VERSION_NOT_SUPPORTED]: 'Invalid HTTP version',
  [RequestLineError.SYNTAX]: 'Bad request syntax',
  [RequestLineError.HTTP09_METHOD]: 'Bad HTTP/0.9 request type',
};

/** A response the core cannot read, with where and why. */
export class ParseError extends Error {
  /** A negative `Code`. */
  readonly code: number;
  /** Offset of the offending byte, relative to the bytes handed to the parser. */
  readonly offset: number;
  /** For LINE_TOO_LONG: which line (`LineKind`); for STRICT_VIOLATION: the `StrictRule`. */
  readonly kind: number;
  /** For BAD_STATUS_LINE: the status line (Latin-1); for UNKNOWN_PROTOCOL: the version. */
  readonly text: string;
  /** For an incomplete Content-Length body: bytes still expected. */
  readonly expected: number | null;

  constructor(code: number, offset: number, kind = 0, text = '', expected: number | null = null) {
    super(describe(code, kind, text));
    this.name = 'ParseError';
    this.code = code;
    this.offset = offset;
    this.kind = kind;
    this.text = text;
    this.expected = expected;
  }
}

function describe(code: number, kind: number, text: string): string {
  switch (code) {
    case Code.REMOTE_DISCONNECTED:
      return 'Remote end closed connection without response';
    case Code.BAD_STATUS_LINE:
      return `bad status line: ${JSON.stringify(text)}`;
    case Code.LINE_TOO_LONG:
      return `got more than ${Limit.MAX_LINE} bytes when reading ${LINE_KIND_TEXT[kind] ?? 'line'}`;
    case Code.TOO_MANY_HEADERS:
      return `got more than ${Limit.MAX_HEADERS} headers`;
    case Code.UNKNOWN_PROTOCOL:
      return `unknown protocol: ${JSON.stringify(text)}`;
    case Code.BAD_CHUNK_SIZE:
      return 'invalid chunk size line';
    case Code.INCOMPLETE_CHUNK:
      return 'connection closed inside a chunk';
    case Code.INCOMPLETE_BODY:
      return 'connection closed before the end of the body';
    case Code.BAD_REQUEST_LINE:
      return `${REQUEST_LINE_TEXT[kind] ?? 'bad request line'}: ${JSON.stringify(text)}`;
    case Code.STRICT_VIOLATION:
      return `strict mode refuses ${STRICT_RULES[kind]?.[1] ?? 'this response'} [${STRICT_RULES[kind]?.[0] ?? kind}]`;
    default:
      return `parser error ${code}`;
  }
}
