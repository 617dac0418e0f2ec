// The request writer, sans-IO: pure functions from a request's method,
// target, header lines and body to the bytes CPython 3.13's http.client
// puts on the wire. Which framing header request() adds (Content-Length,
// Transfer-Encoding: chunked, or none), the automatic Host value, header
// lines, the head, and how a body joins its head. The checks that refuse a
// request (CR/LF injection, a bad name) are in request.ts; the http layer
// turns a refusal into the Python exception and keeps the Python names
// (putrequest, putheader, endheaders).
import { concatBytes } from './buffer.js';
import { latin1Encode } from './latin1.js';
import { stripIpv6Zone, urlNetloc, wrapIpv6 } from './request.js';

/** Bytes in any of the forms JavaScript has them. */
export type BytesLike = Uint8Array | ArrayBuffer | ArrayBufferView;

/** Something with a Python-style `read(size)` (sync or async), like a Python file. */
export interface ReadableFile {
  read(size: number): BytesLike | string | null | undefined | Promise<BytesLike | string | null | undefined>;
}

/** Bytes (an ArrayBuffer or any view of one). */
export function isBytesLike(v: unknown): v is BytesLike {
  return v instanceof ArrayBuffer || ArrayBuffer.isView(v);
}

/** A Blob (or File), where the engine has them. */
export function isBlob(v: unknown): v is Blob {
  return typeof Blob !== 'undefined' && v instanceof Blob;
}

/** A web ReadableStream (or anything with getReader()). */
export function isWebStream(v: unknown): v is ReadableStream<Uint8Array> {
  return typeof v === 'object' && v !== null && typeof (v as ReadableStream).getReader === 'function';
}

/** Python's `hasattr(body, 'read')`: a file-like body (sent in blocks, length unknown). */
export function isFileLike(v: unknown): boolean {
  return typeof v === 'object' && v !== null && (typeof (v as ReadableFile).read === 'function' || isWebStream(v));
}

/** A sync or async iterable object (a string is not one here). */
export function isIterable(v: unknown): v is Iterable<unknown> | AsyncIterable<unknown> {
  return (
    typeof v === 'object' &&
    v !== null &&
    (typeof (v as Iterable<unknown>)[Symbol.iterator] === 'function' || typeof (v as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function')
  );
}

/** Methods for which CPython sends `Content-Length: 0` when there is no body. */
const METHODS_EXPECTING_BODY = new Set(['PATCH', 'POST', 'PUT']);

/**
 * CPython's `_get_content_length`: the length of `body` when it is known
 * without reading it (bytes, a Blob, a string: its code points, each one
 * Latin-1 byte), 0 for no body on PATCH/POST/PUT, else null (no body on
 * another method, a file-like body, an iterable).
 */
export function bodyLength(body: unknown, method: string): number | null {
  if (body === null || body === undefined) return METHODS_EXPECTING_BODY.has(method.toUpperCase()) ? 0 : null;
  if (isFileLike(body)) return null;
  if (isBytesLike(body)) return body.byteLength;
  if (isBlob(body)) return body.size;
  if (typeof body === 'string') return Array.from(body).length;
  return null;
}

/** How request() frames the body, by CPython's rules. */
export interface RequestFraming {
  /** A `Content-Length` header to add, or null. */
  contentLength: number | null;
  /** Add `Transfer-Encoding: chunked`: the body's length is not known. */
  addChunked: boolean;
  /** Send the body as chunks (chunk sizes, the last chunk). */
  chunked: boolean;
}

/**
 * CPython's request(): with neither `Content-Length` nor
 * `Transfer-Encoding` among the caller's headers, a known length is sent
 * as Content-Length and an unknown one as `Transfer-Encoding: chunked`
 * (the caller's `encodeChunked` is ignored). A caller's Content-Length
 * sends the body as it is; a caller's Transfer-Encoding alone frames it
 * as chunks only when `encodeChunked` says so. `measure` is the length
 * rule (CPython's request() calls `self._get_content_length`, which a
 * subclass may replace).
 */
export function requestFraming(
  method: string,
  body: unknown,
  hasContentLength: boolean,
  hasTransferEncoding: boolean,
  encodeChunked: boolean,
  measure: (body: never, method: string) => number | null = bodyLength,
): RequestFraming {
  if (hasContentLength) return { contentLength: null, addChunked: false, chunked: false };
  if (hasTransferEncoding) return { contentLength: null, addChunked: false, chunked: encodeChunked };
  const length = measure(body as never, method);
  const unsized = length === null && body !== null && body !== undefined;
  return { contentLength: length, addChunked: unsized, chunked: unsized };
}

/**
 * The automatic Host value CPython's putrequest() makes: the netloc of an
 * absolute `target`, else `host` (bracketed when IPv6), with `:port`
 * unless it is the default port. An IPv6 zone (`%eth0`) is dropped. Returns
 * `{ error: 'ipv6' }` for an unbalanced bracket in the target's netloc,
 * `{ error: 'idna', text }` for a name IDNA cannot encode.
 */
export function hostValue(
  target: string,
  host: string,
  port: number,
  defaultPort: number,
): string | { error: 'ipv6' } | { error: 'idna'; text: string } {
  if (target.startsWith('http')) {
    const netloc = urlNetloc(target);
    if (netloc === null) return { error: 'ipv6' };
    if (netloc) {
      const name = idnaHost(netloc);
      return name === null ? { error: 'idna', text: netloc } : stripIpv6Zone(name);
    }
  }
  const name = idnaHost(host);
  if (name === null) return { error: 'idna', text: host };
  const wrapped = host.includes(':') ? stripIpv6Zone(wrapIpv6(name)) : wrapIpv6(name);
  return port === defaultPort ? wrapped : `${wrapped}:${port}`;
}

/**
 * Python's `host.encode('idna')` for a host name: ASCII as it is, other
 * names through the engine's URL parser (its IDNA), or null where that
 * refuses the name.
 */
export function idnaHost(host: string): string | null {
  let ascii = true;
  for (let i = 0; i < host.length && ascii; i++) ascii = host.charCodeAt(i) < 0x80;
  if (ascii) return host;
  try {
    return new URL(`http://${host}/`).hostname;
  } catch {
    return null;
  }
}

/** The CONNECT request's head for a tunnel to `host:port` (CPython's `_tunnel`), as text. */
export function connectHead(host: string, port: number, version: string, headers: Iterable<readonly [string, string]>): string {
  let head = `CONNECT ${host}:${port} ${version}\r\n`;
  for (const [name, value] of headers) head += `${name}: ${value}\r\n`;
  return head + '\r\n';
}

const HEADER_SEP_0 = 0x3a; // ':'
const HEADER_SEP_1 = 0x20; // ' '

/**
 * A header line without its CRLF: `name: value`, several values joined by
 * CRLF HTAB (CPython's putheader). One allocation.
 */
export function headerLine(name: Uint8Array, values: readonly Uint8Array[]): Uint8Array {
  let size = name.length + 2 + 3 * Math.max(0, values.length - 1);
  for (const v of values) size += v.length;
  const line = new Uint8Array(size);
  line.set(name);
  let at = name.length;
  line[at++] = HEADER_SEP_0;
  line[at++] = HEADER_SEP_1;
  for (let i = 0; i < values.length; i++) {
    if (i > 0) {
      line[at++] = 0x0d;
      line[at++] = 0x0a;
      line[at++] = 0x09;
    }
    line.set(values[i]!, at);
    at += values[i]!.length;
  }
  return line;
}

/** `Accept-Encoding: identity`, the line putrequest adds unless skipped. */
export const ACCEPT_IDENTITY_LINE: Uint8Array = latin1Encode('Accept-Encoding: identity');

/** The head: the request line and header lines, each followed by CRLF, then the empty line. One allocation. */
export function joinHead(lines: readonly Uint8Array[]): Uint8Array {
  let size = 2;
  for (const line of lines) size += line.length + 2;
  const head = new Uint8Array(size);
  let at = 0;
  for (const line of lines) {
    head.set(line, at);
    at += line.length;
    head[at++] = 0x0d;
    head[at++] = 0x0a;
  }
  head[at++] = 0x0d;
  head[at] = 0x0a;
  return head;
}

/** Bodies up to this size go out in the same write as the head (one copy, one system call). */
export const JOIN_BODY_MAX = 64 * 1024;

/**
 * What to write for a head and a bytes body in one go: the head alone (no
 * body or an empty one), head and body joined into one buffer (up to
 * `JOIN_BODY_MAX`), or both as a pair for one gathered write (a large body
 * is not copied).
 */
export function headWithBody(head: Uint8Array, body: Uint8Array | null): Uint8Array | [Uint8Array, Uint8Array] {
  if (body === null || body.length === 0) return head;
  return body.length > JOIN_BODY_MAX ? [head, body] : concatBytes([head, body], head.length + body.length);
}

export { frameChunk, LAST_CHUNK } from './request.js';
