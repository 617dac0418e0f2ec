// The WASM ABI: the one source of truth for slot numbers, flags, limits and
// return codes. A layer of its own that imports nothing: AssemblyScript
// (assembly/) and TypeScript (src/core/) both import this file, so the two
// sides cannot drift and the innermost layer (assembly/) depends on no
// outer one. Only `const enum`s with literal values live here: they compile
// to plain integers on both sides (tsc inlines them; asc as well).

/** Fixed sizes of the parser's memory and of CPython's limits. */
export const enum Limit {
  /** CPython's `_MAXLINE`: the longest line, counting its `\n`. */
  MAX_LINE = 65536,
  /** CPython's `_MAXHEADERS`: header lines, counting the blank line. */
  MAX_HEADERS = 100,
  /**
   * Input that always decides a head: a status line and 100 header lines at
   * the limit, plus the 65537 bytes that make the next line an error.
   */
  MAX_HEAD = 6684736, // 102 * 65536 + 64
  /** Python `int()` refuses longer decimal strings (sys.int_info.default_max_str_digits). */
  MAX_INT_DIGITS = 4300,
  /** Number of i32 slots in the context block (f64 slots overlay pairs of them). */
  CONTEXT_SLOTS = 64,
  /** Chunk data runs one `decodeChunked` call can report. */
  RUN_CAPACITY = 1024,
  /** Default input-region size before any `reserve` call. */
  INITIAL_INPUT = 65536,
  /** Default header-entry capacity before any `reserve` call. */
  INITIAL_ENTRIES = 512,
}

/**
 * Context-block slots: indexes into an Int32Array at `contextPtr()`. The
 * block holds everything the WASM side keeps between and during calls
 * (it has no mutable globals): the layout, the results of the last call,
 * and the working state of the head and chunk decoders. Head slots are
 * written by `parseHead`; chunk slots are read and written by
 * `decodeChunked` (the caller saves and restores them per connection).
 * Slots marked "scratch" are working state of one call: JS never needs
 * them, but they are laid out here so that both sides agree on the block.
 */
export const enum Slot {
  STATUS = 0,
  /** 10, 11, or 0 when the version is not HTTP/1.x or HTTP/0.9. */
  VERSION = 1,
  VERSION_START = 2,
  VERSION_END = 3,
  REASON_START = 4,
  REASON_END = 5,
  /** Offset just after the status line or request line (its `\n`, or the end at EOF). */
  STATUS_LINE_END = 6,
  HEADER_COUNT = 7,
  /** Bit set of `HeadFlag`. */
  FLAGS = 8,
  /** Offset of the first byte after the head (= the return value). */
  HEAD_END = 9,
  /** Offset of the byte that made the input invalid. */
  ERROR_OFFSET = 10,
  /** Resume hint out: start of the first incomplete framing line. */
  SCANNED = 11,
  /** Resume hint out: complete framing lines before `SCANNED`. */
  LINES = 12,
  /** With `Code.NEED_ENTRIES`: header entries the head needs. */
  NEEDED_ENTRIES = 13,
  /** Which CPython check failed, for error messages (`LineKind`). */
  ERROR_KIND = 14,

  // Chunked decoder state (in and out).
  CHUNK_STATE = 16,
  CHUNK_LINE_LEN = 17,
  CHUNK_INT_STATE = 18,
  CHUNK_NEGATIVE = 19,
  /** Data runs written by the last `decodeChunked` call. */
  RUN_COUNT = 20,
  /** Strict mode's position in the chunk-size or trailer grammar (`StrictChunk`). */
  CHUNK_STRICT = 21,

  // f64 slots: i32 index 2k is Float64Array index k.
  /** Content-Length value (f64) when `HeadFlag.HAS_LENGTH`. */
  CONTENT_LENGTH_F64 = 24,
  /** Bytes left in the current chunk (f64). */
  CHUNK_REMAINING_F64 = 26,
  /** Chunk size being accumulated while its line is incomplete (f64). */
  CHUNK_VALUE_F64 = 28,
  /** Size of the chunk being read (f64): CPython's IncompleteRead leaves it out. */
  CHUNK_SIZE_F64 = 30,

  // Request heads (`parseRequestHead`); VERSION_START/END then span the
  // last word of the request line when it has three or more.
  /** The method: the first word of the request line. */
  METHOD_START = 32,
  METHOD_END = 33,
  /** The request-target: the second word. */
  TARGET_START = 34,
  TARGET_END = 35,
  /** Words of the request line (split on whitespace), capped at 4. */
  WORD_COUNT = 36,
  /**
   * A clean request head read in one pass: its first Host, Content-Length
   * and Transfer-Encoding fields and whether each comes twice, packed as
   * `RequestFields`; -1 when the head was read the exact way.
   */
  REQUEST_FIELDS = 37,

  // Scratch of a head parse: the value spans of the first header of each
  // name the framing rules read (-1 when absent), and the header whose
  // continuation lines are still being read (as _parse_headers' lastheader).
  TE_START = 38, TE_END = 39, // Transfer-Encoding
  CL_START = 40, CL_END = 41, // Content-Length
  CONN_START = 42, CONN_END = 43, // Connection
  KA_START = 44, KA_END = 45, // Keep-Alive
  PC_START = 46, PC_END = 47, // Proxy-Connection
  /** The pending header: its name (start -1 when none is pending), its value's start. */
  PENDING_NAME_START = 48, PENDING_NAME_END = 49, PENDING_VALUE_START = 50,
  /** End of the pending header's last line (its continuations included). */
  PENDING_LINE_END = 51,
  /** Scratch: `DecimalFlag` bits of the last Python `int()` parse. */
  DECIMAL_FLAGS = 52,

  // The layout, written at start-up and by `reserve`: byte addresses in the
  // instance's memory and capacities, from which JS rebuilds its views.
  // The input region (JS copies received bytes here) and the bytes it holds:
  INPUT_PTR = 56, INPUT_CAPACITY = 57,
  // Header entries, {nameStart, nameEnd, valueStart, valueEnd} as i32, and
  // how many fit; the entries move on `reserve`:
  ENTRIES_PTR = 58, ENTRY_CAPACITY = 59,
  /** Chunk data runs: `Limit.RUN_CAPACITY` pairs of i32 [start, end). */
  RUNS_PTR = 60,
}

/** Bits of `Slot.DECIMAL_FLAGS`. */
export const enum DecimalFlag {
  /** The sign was `-`. */
  NEGATIVE = 1,
  /** The value exceeded 2^53-1 and was clamped there. */
  CLAMPED = 2,
}

/**
 * `Slot.REQUEST_FIELDS`: a field's index + 1 (0: none) in 8 bits at
 * HOST, CONTENT_LENGTH and TRANSFER_ENCODING, and a bit per name that
 * comes more than once.
 */
export const enum RequestFields {
  HOST = 0,
  CONTENT_LENGTH = 8,
  TRANSFER_ENCODING = 16,
  INDEX_MASK = 0xff,
  HOST_TWICE = 1 << 24,
  CONTENT_LENGTH_TWICE = 1 << 25,
  TRANSFER_ENCODING_TWICE = 1 << 26,
}

/** Bits of `Slot.FLAGS`. */
export const enum HeadFlag {
  /** CPython's `chunked`: first Transfer-Encoding is `chunked`. */
  CHUNKED = 1,
  /** CPython's `length` is not None. */
  HAS_LENGTH = 2,
  /** CPython's `will_close`. */
  WILL_CLOSE = 4,
  /** No body: 1xx, 204, 304 or a HEAD request (CPython sets length 0). */
  NO_BODY = 8,
  /** Content-Length was larger than 2^53-1 and was clamped. */
  LENGTH_CLAMPED = 16,
}

/** Bits of the `flags` argument of `parseHead` and `decodeChunked`. */
export const enum InFlag {
  /** No more input will come: a partial line is a final line. */
  EOF = 1,
  /** The request method was HEAD (no body). */
  HEAD_REQUEST = 2,
  /** `decodeChunked`: strict mode (RFC 9112 chunk grammar; see `StrictRule`). */
  STRICT = 4,
  /** `checkHeadStrict`: the head is a request (request line, request rules). */
  REQUEST = 8,
}

/** Which line a `LINE_TOO_LONG` refers to (`Slot.ERROR_KIND`). */
export const enum LineKind {
  STATUS = 1,
  HEADER = 2,
  CHUNK_SIZE = 3,
  TRAILER = 4,
  /** The request line (answered 414 by a server). */
  REQUEST = 5,
}

/**
 * Why a request line was refused (`Slot.ERROR_KIND` with
 * `Code.BAD_REQUEST_LINE`), in the order a server checks them.
 */
export const enum RequestLineError {
  /** No words at all (a blank line): no answer, the connection closes. */
  EMPTY = 1,
  /** The last of three or more words is not `HTTP/<digits>.<digits>` (400). */
  VERSION = 2,
  /** A version of 2.0 or above (505). */
  VERSION_NOT_SUPPORTED = 3,
  /** Not two or three words (400). */
  SYNTAX = 4,
  /** Two words (HTTP/0.9) whose method is not GET (400). */
  HTTP09_METHOD = 5,
}

/** Return codes: >0 bytes consumed, 0 need more, <0 one of these. */
export const enum Code {
  NEED_MORE = 0,
  /** EOF before any status-line byte: CPython's RemoteDisconnected. */
  REMOTE_DISCONNECTED = -1,
  BAD_STATUS_LINE = -2,
  /** A line over `Limit.MAX_LINE`; `Slot.ERROR_KIND` says which. */
  LINE_TOO_LONG = -3,
  TOO_MANY_HEADERS = -4,
  UNKNOWN_PROTOCOL = -5,
  /** A chunk-size line that Python `int(x, 16)` refuses, or negative. */
  BAD_CHUNK_SIZE = -6,
  /** EOF inside chunk data or the two bytes after it. */
  INCOMPLETE_CHUNK = -7,
  /** More header entries than reserved: `reserve` and call again. */
  NEED_ENTRIES = -8,
  /** `total` exceeds the input region: caller error. */
  INPUT_TOO_LARGE = -9,
  /** EOF before a Content-Length body was complete (raised by src/core, never by WASM). */
  INCOMPLETE_BODY = -10,
  /** Strict mode refused the input; `Slot.ERROR_KIND` is the `StrictRule`. */
  STRICT_VIOLATION = -11,
  /** A request line a server refuses; `Slot.ERROR_KIND` is the `RequestLineError`. */
  BAD_REQUEST_LINE = -12,
}

/**
 * What strict mode refuses (`Slot.ERROR_KIND` with `Code.STRICT_VIOLATION`):
 * the forms request smuggling and response splitting rely on. The rules
 * up to STATUS_LINE are checked by `checkHeadStrict`, the CHUNK_* and
 * TRAILER ones by `decodeChunked` with `InFlag.STRICT`, the rest by src/core.
 */
export const enum StrictRule {
  BARE_CR = 1,
  BARE_LF = 2,
  OBS_FOLD = 3,
  INVALID_NAME = 4,
  INVALID_VALUE = 5,
  STATUS_LINE = 6,
  UNTERMINATED_HEAD = 7,
  CONTENT_LENGTH_WITH_TRANSFER_ENCODING = 8,
  CONFLICTING_CONTENT_LENGTH = 9,
  INVALID_CONTENT_LENGTH = 10,
  TRANSFER_ENCODING_NOT_CHUNKED = 11,
  INFORMATIONAL_WITH_BODY = 12,
  CHUNK_SIZE = 13,
  CHUNK_EXTENSION = 14,
  CHUNK_DATA_END = 15,
  TRAILER = 16,
  // Requests (a proxy's side): line rules in `checkHeadStrict` with
  // `InFlag.REQUEST`, framing rules in src/core/request-head.ts.
  REQUEST_LINE = 17,
  WHITESPACE_BEFORE_COLON = 18,
  MULTIPLE_CONTENT_LENGTH = 19,
  MULTIPLE_TRANSFER_ENCODING = 20,
  MISSING_HOST = 21,
  MULTIPLE_HOST = 22,
  BODY_NOT_ALLOWED = 23,
  INVALID_TARGET = 24,
}

/** `Slot.CHUNK_STATE` values. */
export const enum ChunkState {
  SIZE = 0,
  EXTENSION = 1,
  DATA = 2,
  DATA_END = 3,
  TRAILER = 4,
  DONE = 5,
}
