// Reference response parser: CPython 3.13 http.client, re-told step by step.
//
// This file is the independent judge of the real parser (assembly/ and src/),
// so it imports nothing from src/ and is written to be read, not to be fast.
// Each function names the CPython function it mirrors. The contract is
// docs/parser-semantics.md; the ground truth is test/cpython/oracle.py.
//
// It is total: every byte string gives a result object, nothing is thrown.
// Work is linear in the input (plus BigInt parsing of numbers bounded by the
// 65536-byte line limit), so multi-megabyte inputs are fine.

/** http.client._MAXLINE and _MAXHEADERS. */
const MAXLINE = 65536;
const MAXHEADERS = 100;

/** Largest length we report; CPython's unbounded int is clamped here (deliberate difference). */
const MAX_LENGTH = Number.MAX_SAFE_INTEGER;

/** Python's int() refuses decimal strings with more digits than this (sys.int_info.default_max_str_digits). */
const MAX_STR_DIGITS = 4300;

export type ReferenceResult = Record<string, unknown>;

/**
 * Places where the reference answers differently from CPython on purpose
 * (docs/differences.md). The differential test uses these to check that the
 * difference is exactly the documented one and nothing else.
 */
export type Deviation =
  /** A chunk-size line read as a negative number (`size`, in decimal):
   * refused like a non-number. CPython calls read(size): -1 takes everything
   * from `restOffset` to EOF as chunk data, anything else raises ValueError. */
  | { kind: 'negative-chunk-size'; size: string; restOffset: number }
  /** Content-Length above 2^53-1: reported (and used) as 2^53-1. */
  | { kind: 'content-length-clamped' }
  /** 1xx/204/304 with Transfer-Encoding: chunked: no body is read. */
  | { kind: 'no-body-status-chunked' };

export interface DetailedResult {
  result: ReferenceResult;
  deviations: Deviation[];
}

/** The result shape oracle.py prints for `input` followed by EOF. */
export function referenceParse(input: Uint8Array, method = 'GET'): ReferenceResult {
  return referenceParseDetailed(input, method).result;
}

/** referenceParse plus the deliberate differences from CPython it applied. */
export function referenceParseDetailed(input: Uint8Array, method = 'GET'): DetailedResult {
  const deviations: Deviation[] = [];
  const response = new Response(new BufferedReader(input), method, deviations);
  let result: ReferenceResult;
  try {
    result = response.run();
  } catch (e) {
    // Only a bug in this file gets here; keep the function total and make the
    // bug show up as a mismatch instead of a crash.
    result = { error: 'ReferenceBug', message: String(e instanceof Error ? e.stack : e) };
  }
  return { result, deviations };
}

// ---------------------------------------------------------------------------
// Exceptions: the http.client exceptions oracle.py reports, as result fields.

class HttpError {
  constructor(readonly fields: ReferenceResult) {}
}

const RemoteDisconnected = () => new HttpError({ error: 'RemoteDisconnected' });
const BadStatusLine = (line: string) => new HttpError({ error: 'BadStatusLine', line });
const LineTooLong = (what: string) => new HttpError({ error: 'LineTooLong', what });
const UnknownProtocol = (version: string) => new HttpError({ error: 'UnknownProtocol', version });
const HTTPException = (message: string) => new HttpError({ error: 'HTTPException', message });
const IncompleteRead = (partial: Uint8Array, expected: number | null) =>
  new HttpError({ error: 'IncompleteRead', partial: latin1(partial), expected });

// ---------------------------------------------------------------------------
// io.BufferedReader over io.BytesIO: the fake socket's file, ending in EOF.

class BufferedReader {
  pos = 0;
  constructor(private readonly data: Uint8Array) {}

  get remaining(): number {
    return this.data.length - this.pos;
  }

  /** readline(limit): up to `limit` bytes, stopping after the first \n. */
  readline(limit: number): Uint8Array {
    const end = Math.min(this.data.length, this.pos + limit);
    let stop = end;
    const nl = this.data.indexOf(0x0a, this.pos);
    if (nl >= 0 && nl < end) stop = nl + 1;
    const line = this.data.subarray(this.pos, stop);
    this.pos = stop;
    return line;
  }

  /** read(n): up to n bytes; read() with no n (or n < 0) reads to EOF. */
  read(n?: number): Uint8Array {
    const end = n === undefined || n < 0 ? this.data.length : Math.min(this.data.length, this.pos + n);
    const out = this.data.subarray(this.pos, end);
    this.pos = end;
    return out;
  }
}

// ---------------------------------------------------------------------------
// HTTPResponse

interface Head {
  status: number;
  reason: string;
  version: number;
  headers: [string, string][];
  chunked: boolean;
  length: number | null;
  will_close: boolean;
}

class Response {
  private head: Head | null = null;

  constructor(
    private readonly fp: BufferedReader,
    private readonly method: string,
    private readonly deviations: Deviation[],
  ) {}

  /** oracle.py run(): begin(), then read(); an error after begin() keeps the head fields. */
  run(): ReferenceResult {
    try {
      this.head = this.begin();
      const body = this.read(this.head);
      return { ...this.head, body: latin1(body) };
    } catch (e) {
      if (!(e instanceof HttpError)) throw e;
      return { ...(this.head ?? {}), ...e.fields };
    }
  }

  /** HTTPResponse._read_status: one framing line split into version, status, reason. */
  private readStatus(): { version: string; status: number; reason: string } {
    const raw = this.fp.readline(MAXLINE + 1);
    if (raw.length > MAXLINE) throw LineTooLong('status line');
    if (raw.length === 0) throw RemoteDisconnected();
    const line = latin1(raw);

    // `version, status, reason = line.split(None, 2)`, falling back to
    // split(None, 1) with reason "", falling back to version "".
    let version = '';
    let statusText = '';
    let reason = '';
    const three = pySplitWhitespace(line, 2);
    if (three.length === 3) {
      [version, statusText, reason] = three as [string, string, string];
    } else {
      const two = pySplitWhitespace(line, 1);
      if (two.length === 2) [version, statusText] = two as [string, string];
    }
    if (!version.startsWith('HTTP/')) throw BadStatusLine(line);

    // `int(status)`, then 100..999. In the two-token case statusText keeps the
    // line's trailing whitespace, which int() strips only partly (not \x1c-\x1f).
    const status = pyIntFromStr(statusText);
    if (status === null || status < 100n || status > 999n) throw BadStatusLine(line);
    return { version, status: Number(status), reason };
  }

  /** HTTPResponse.begin: status (skipping 100s), headers, framing decisions. */
  private begin(): Head {
    let version: string;
    let status: number;
    let reason: string;
    for (;;) {
      ({ version, status, reason } = this.readStatus());
      if (status !== 100) break;
      readHeaderLines(this.fp); // the 100 response's headers are read and dropped
    }

    reason = pyStrip(reason);
    let versionCode: number;
    if (version === 'HTTP/1.0' || version === 'HTTP/0.9') versionCode = 10;
    else if (version.startsWith('HTTP/1.')) versionCode = 11;
    else throw UnknownProtocol(version);

    const headers = parseHeaders(this.fp);
    const get = (name: string) => getHeader(headers, name);

    // Transfer-Encoding: the first value, lowered, is exactly "chunked".
    const trEnc = get('transfer-encoding');
    const chunked = !!trEnc && asciiLower(trEnc) === 'chunked';

    let willClose = checkClose(versionCode, get);

    // Content-Length: ignored when chunked, empty, not an int, or negative.
    let length: bigint | null = null;
    const cl = get('content-length');
    if (cl && !chunked) {
      const n = pyIntFromStr(cl);
      if (n !== null && n >= 0n) length = n;
    }

    // No body for 204, 304, 1xx, or a HEAD request.
    if (isNoBodyStatus(status) || this.method === 'HEAD') length = 0n;

    if (!willClose && !chunked && length === null) willClose = true;

    return { status, reason, version: versionCode, headers, chunked, length: this.clampLength(length), will_close: willClose };
  }

  /** Deliberate difference: lengths above 2^53-1 become 2^53-1. */
  private clampLength(n: bigint | null): number | null {
    if (n === null) return null;
    if (n <= BigInt(MAX_LENGTH)) return Number(n);
    this.deviations.push({ kind: 'content-length-clamped' });
    return MAX_LENGTH;
  }

  /** HTTPResponse.read() with no amount. */
  private read(head: Head): Uint8Array {
    if (this.method === 'HEAD') return new Uint8Array(0);
    if (head.chunked) {
      // Deliberate difference: CPython reads a chunked body even for 1xx/204/304.
      if (isNoBodyStatus(head.status)) {
        this.deviations.push({ kind: 'no-body-status-chunked' });
        return new Uint8Array(0);
      }
      return this.readChunked();
    }
    if (head.length === null) return this.fp.read();
    return this.safeRead(head.length);
  }

  /** HTTPResponse._safe_read: exactly `amt` bytes or IncompleteRead(data, missing). */
  private safeRead(amt: number): Uint8Array {
    const data = this.fp.read(amt);
    if (data.length < amt) throw IncompleteRead(data, amt - data.length);
    return data;
  }

  /**
   * HTTPResponse._read_chunked with _get_chunk_left inlined. Any IncompleteRead
   * on the way is re-raised with only the chunks completed so far, and no
   * `expected`; LineTooLong goes through untouched.
   */
  private readChunked(): Uint8Array {
    const value: Uint8Array[] = [];
    const incomplete = () => IncompleteRead(concat(value), null);
    let first = true;
    for (;;) {
      // After a chunk's data two bytes are dropped, whatever they are.
      if (!first && this.fp.read(2).length < 2) throw incomplete();
      first = false;

      const size = this.readNextChunkSize();
      if (size === null) throw incomplete();
      if (size < 0n) {
        // Deliberate difference: CPython goes on to fp.read(size).
        this.deviations.push({ kind: 'negative-chunk-size', size: size.toString(), restOffset: this.fp.pos });
        throw incomplete();
      }
      if (size === 0n) {
        this.readAndDiscardTrailer();
        return concat(value);
      }
      // _safe_read(chunk_left): a short chunk is lost entirely.
      if (BigInt(this.fp.remaining) < size) throw incomplete();
      value.push(this.fp.read(Number(size)));
    }
  }

  /** HTTPResponse._read_next_chunk_size: int(line up to ';', 16), or null for ValueError. */
  private readNextChunkSize(): bigint | null {
    let line = this.fp.readline(MAXLINE + 1);
    if (line.length > MAXLINE) throw LineTooLong('chunk size');
    const semi = line.indexOf(0x3b); // ';' starts the chunk extensions
    if (semi >= 0) line = line.subarray(0, semi);
    return pyIntFromBytesHex(line);
  }

  /** HTTPResponse._read_and_discard_trailer: lines until a blank one or EOF. */
  private readAndDiscardTrailer(): void {
    for (;;) {
      const line = this.fp.readline(MAXLINE + 1);
      if (line.length > MAXLINE) throw LineTooLong('trailer line');
      if (line.length === 0 || isBlankLine(line)) return;
    }
  }
}

function isNoBodyStatus(status: number): boolean {
  return status === 204 || status === 304 || (status >= 100 && status < 200);
}

/** HTTPResponse._check_close: does the connection close after this response? */
function checkClose(version: number, get: (name: string) => string | undefined): boolean {
  const conn = get('connection');
  if (version === 11) return !!conn && asciiLower(conn).includes('close');
  if (get('keep-alive')) return false;
  if (conn && asciiLower(conn).includes('keep-alive')) return false;
  const pconn = get('proxy-connection');
  if (pconn && asciiLower(pconn).includes('keep-alive')) return false;
  return true;
}

// ---------------------------------------------------------------------------
// Head framing: http.client._read_headers and parse_headers

/** The framing line that ends a head or a trailer: exactly b'\r\n' or b'\n'. */
function isBlankLine(line: Uint8Array): boolean {
  return (line.length === 1 && line[0] === 0x0a) || (line.length === 2 && line[0] === 0x0d && line[1] === 0x0a);
}

/** http.client._read_headers: framing lines up to a blank line or EOF, under both limits. */
function readHeaderLines(fp: BufferedReader): Uint8Array[] {
  const lines: Uint8Array[] = [];
  for (;;) {
    const line = fp.readline(MAXLINE + 1);
    if (line.length > MAXLINE) throw LineTooLong('header line');
    lines.push(line);
    if (lines.length > MAXHEADERS) throw HTTPException(`got more than ${MAXHEADERS} headers`);
    if (line.length === 0 || isBlankLine(line)) return lines;
  }
}

/** http.client.parse_headers: frame the head with readline, then hand it to the email parser. */
function parseHeaders(fp: BufferedReader): [string, string][] {
  return emailHeaders(latin1(concat(readHeaderLines(fp))));
}

// ---------------------------------------------------------------------------
// email.parser.Parser (compat32 policy), headers only: the body part of the
// email parse never changes the top-level headers.

/** email.feedparser.headerRE: unix-from, a header with a colon, or a continuation. */
const HEADER_RE = /^(?:From |[\x21-\x39\x3b-\x7e]*:|[\t ])/;

/** BufferedSubFile line cracking: lines end at \r\n, \r or \n (ending kept); a last partial line counts. */
function splitEmailLines(text: string): string[] {
  const lines: string[] = [];
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x0a || c === 0x0d) {
      if (c === 0x0d && text.charCodeAt(i + 1) === 0x0a) i++;
      lines.push(text.slice(start, i + 1));
      start = i + 1;
    }
  }
  if (start < text.length) lines.push(text.slice(start));
  return lines;
}

/** FeedParser._parsegen, header part: take lines while they look like header lines. */
function emailHeaders(text: string): [string, string][] {
  const lines: string[] = [];
  for (const line of splitEmailLines(text)) {
    if (!HEADER_RE.test(line)) break; // blank line, or body: the header section ends
    lines.push(line);
  }
  return emailParseHeaderLines(lines);
}

/** FeedParser._parse_headers: join continuations, drop unix-from lines and empty names. */
function emailParseHeaderLines(lines: string[]): [string, string][] {
  const headers: [string, string][] = [];
  let current: string[] = []; // the lines of the header being continued, or none
  const flush = () => {
    if (current.length > 0) headers.push(headerSourceParse(current));
    current = [];
  };
  for (const line of lines) {
    if (line[0] === ' ' || line[0] === '\t') {
      if (current.length > 0) current.push(line); // else: continuation with nothing to continue, dropped
      continue;
    }
    flush();
    if (line.startsWith('From ')) continue; // unix-from envelope line (first, last or misplaced): dropped
    if (line.indexOf(':') === 0) continue; // "Missing header name": dropped
    current = [line];
  }
  flush();
  return headers;
}

/** Compat32.header_source_parse: name before the first ':', value lstripped of ' \t', joined, rstripped of '\r\n'. */
function headerSourceParse(sourceLines: string[]): [string, string] {
  const first = sourceLines[0]!;
  const colon = first.indexOf(':');
  const name = first.slice(0, colon);
  const value = lstripChars(first.slice(colon + 1), ' \t') + sourceLines.slice(1).join('');
  return [name, rstripChars(value, '\r\n')];
}

/** Message.get: the first header whose name matches case-insensitively (names are ASCII). */
function getHeader(headers: [string, string][], name: string): string | undefined {
  for (const [k, v] of headers) if (asciiLower(k) === name) return v;
  return undefined;
}

// ---------------------------------------------------------------------------
// Python built-ins used above.

/** str.isspace() for a Latin-1 character. */
function pyIsSpace(c: number): boolean {
  return (c >= 0x09 && c <= 0x0d) || (c >= 0x1c && c <= 0x20) || c === 0x85 || c === 0xa0;
}

/** Py_ISSPACE: the C-level ASCII whitespace int() strips: \t \n \v \f \r and space. */
function cIsSpace(c: number): boolean {
  return (c >= 0x09 && c <= 0x0d) || c === 0x20;
}

/** str.split(None, maxsplit): whitespace-separated tokens; the last keeps its trailing whitespace. */
function pySplitWhitespace(s: string, maxsplit: number): string[] {
  const out: string[] = [];
  let i = 0;
  const n = s.length;
  while (maxsplit-- > 0) {
    while (i < n && pyIsSpace(s.charCodeAt(i))) i++;
    if (i === n) break;
    const j = i;
    while (i < n && !pyIsSpace(s.charCodeAt(i))) i++;
    out.push(s.slice(j, i));
  }
  if (i < n) {
    while (i < n && pyIsSpace(s.charCodeAt(i))) i++;
    if (i < n) out.push(s.slice(i));
  }
  return out;
}

/** str.strip() with no argument. */
function pyStrip(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && pyIsSpace(s.charCodeAt(a))) a++;
  while (b > a && pyIsSpace(s.charCodeAt(b - 1))) b--;
  return s.slice(a, b);
}

function lstripChars(s: string, chars: string): string {
  let a = 0;
  while (a < s.length && chars.includes(s[a]!)) a++;
  return s.slice(a);
}

function rstripChars(s: string, chars: string): string {
  let b = s.length;
  while (b > 0 && chars.includes(s[b - 1]!)) b--;
  return s.slice(0, b);
}

/** str.lower() restricted to what matters here: non-ASCII Latin-1 never lowers to ASCII. */
function asciiLower(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    out += c >= 0x41 && c <= 0x5a ? String.fromCharCode(c + 0x20) : s[i];
  }
  return out;
}

/**
 * int(s) for a str, base 10; null where Python raises ValueError.
 * Non-ASCII whitespace (\x85, \xa0) counts as space, other non-ASCII is
 * invalid; then CPython's PyLong_FromString rules apply.
 */
function pyIntFromStr(s: string): bigint | null {
  const codes: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) codes.push(c);
    else if (pyIsSpace(c)) codes.push(0x20);
    else return null;
  }
  return pyLongFromString(codes, 10);
}

/** int(b, 16) for bytes; null where Python raises ValueError. */
function pyIntFromBytesHex(b: Uint8Array): bigint | null {
  return pyLongFromString(b, 16);
}

function digitValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x7a) return c - 0x61 + 10;
  if (c >= 0x41 && c <= 0x5a) return c - 0x41 + 10;
  return 99;
}

/**
 * CPython's PyLong_FromString for base 10 or 16 over the whole string:
 * whitespace, sign, optional 0x (base 16, then one '_' allowed), digits with
 * single '_' between them, whitespace, end. Base 10 refuses more than 4300
 * digits (leading zeros count); base 16, a power of two, has no such limit.
 */
function pyLongFromString(codes: ArrayLike<number>, base: 10 | 16): bigint | null {
  let i = 0;
  const n = codes.length;
  while (i < n && cIsSpace(codes[i]!)) i++;
  let negative = false;
  if (codes[i] === 0x2b) i++;
  else if (codes[i] === 0x2d) {
    negative = true;
    i++;
  }
  if (base === 16 && codes[i] === 0x30 && (codes[i + 1] === 0x78 || codes[i + 1] === 0x58)) {
    i += 2;
    if (codes[i] === 0x5f) i++;
  }
  if (codes[i] === 0x5f) return null; // may not start with '_'

  let digits = '';
  let prevUnderscore = false;
  for (; i < n; i++) {
    const c = codes[i]!;
    if (c === 0x5f) {
      if (prevUnderscore) return null; // only one '_' in a row
      prevUnderscore = true;
    } else if (digitValue(c) < base) {
      digits += String.fromCharCode(c);
      prevUnderscore = false;
    } else {
      break;
    }
  }
  if (prevUnderscore) return null; // trailing '_'
  if (base === 10 && digits.length > MAX_STR_DIGITS) return null;
  if (digits.length === 0) return null;

  while (i < n && cIsSpace(codes[i]!)) i++;
  if (i !== n) return null; // anything else after the number (a NUL included)

  const value = BigInt((base === 16 ? '0x' : '') + digits);
  return negative ? -value : value;
}

// ---------------------------------------------------------------------------
// Bytes

/** Latin-1 decoding by hand: byte 0xNN is U+00NN. */
function latin1(bytes: Uint8Array): string {
  const parts: string[] = [];
  const step = 8192; // keeps fromCharCode's argument list small
  for (let i = 0; i < bytes.length; i += step) {
    parts.push(String.fromCharCode(...bytes.subarray(i, i + step)));
  }
  return parts.join('');
}

function concat(chunks: Uint8Array[]): Uint8Array {
  let total = 0;
  for (const c of chunks) total += c.length;
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}
