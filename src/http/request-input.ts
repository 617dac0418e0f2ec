// A request's inputs as a JavaScript caller gives them, turned into bytes
// by CPython's rules and with its exceptions: header names and values
// (putheader), the headers argument of request() (a plain object, a Map,
// pairs), string bodies (`_encode`), and bodies as the runtime has them —
// bytes, a Blob, a Node Readable or FileHandle, a web ReadableStream, an
// object with Python's read(size), an iterable — read as CPython's
// `_read_readable` reads a file, in blocks of at most `blocksize` bytes.
import { bytesView } from '../core/buffer.js';
import { encodeBelow, latin1Encode } from '../core/latin1.js';
import { isIllegalHeaderValue, isLegalHeaderName } from '../core/request.js';
import { isBlob, isBytesLike, isWebStream, type BytesLike, type ReadableFile } from '../core/request-writer.js';
import { pyRepr, TypeError as PyTypeError, unicodeEncodeError, UnicodeEncodeError, ValueError } from './exceptions.js';
import { pyEncode } from '../python/codecs.js';
import { pyType } from '../python/repr.js';

/** A Node FileHandle (node:fs/promises): read(buffer, offset, length, position). */
export interface FileHandleLike {
  fd: number;
  read(buffer: Uint8Array, offset: number, length: number, position: number | null): Promise<{ bytesRead: number }>;
  stat(): Promise<unknown>;
}

/**
 * A request body: bytes, a Latin-1 string, a Blob, a Node Readable, a web
 * ReadableStream, a Node FileHandle, an object with `read(size)`, or a
 * sync or async iterable of bytes (or Latin-1 strings).
 */
export type RequestBody =
  | string
  | BytesLike
  | Blob
  | ReadableStream<Uint8Array>
  | FileHandleLike
  | ReadableFile
  | Iterable<BytesLike | string>
  | AsyncIterable<BytesLike | string>
  | null
  | undefined;

function isFileHandle(v: unknown): v is FileHandleLike {
  const f = v as FileHandleLike;
  return typeof v === 'object' && v !== null && typeof f.fd === 'number' && typeof f.read === 'function' && typeof f.stat === 'function';
}

/** A Node Readable: read it by async iteration (its chunks may be strings after setEncoding). */
function isNodeReadable(v: unknown): v is AsyncIterable<Uint8Array | string> & { readableEncoding?: string | null } {
  const r = v as { pipe?: unknown; read?: unknown; [Symbol.asyncIterator]?: unknown };
  return typeof v === 'object' && v !== null && typeof r.pipe === 'function' && typeof r.read === 'function' && typeof r[Symbol.asyncIterator] === 'function';
}

/** A Node Readable that yields text (setEncoding was called): its blocks are encoded as Latin-1. */
export function isTextStream(v: unknown): boolean {
  return isNodeReadable(v) && Boolean(v.readableEncoding);
}

/**
 * The blocks of a file-like body (or a Blob), at most `size` bytes each:
 * a Blob and a FileHandle are read in `size` slices, a stream's pieces are
 * cut to `size`, and `read(size)` is called until it returns nothing.
 * `toBytes` turns a block that is not bytes into bytes, or throws.
 */
export async function* readBlocks(readable: unknown, size: number, toBytes: (block: unknown) => Uint8Array): AsyncGenerator<Uint8Array> {
  if (isBlob(readable)) {
    for (let at = 0; at < readable.size; at += size) {
      yield new Uint8Array(await readable.slice(at, at + size).arrayBuffer());
    }
    return;
  }
  if (isFileHandle(readable)) {
    for (;;) {
      const block = new Uint8Array(size);
      const { bytesRead } = await readable.read(block, 0, size, null);
      if (bytesRead === 0) return;
      yield block.subarray(0, bytesRead);
    }
  }
  if (isNodeReadable(readable) || isWebStream(readable)) {
    for await (const piece of readable as AsyncIterable<unknown>) {
      const bytes = toBytes(piece);
      for (let at = 0; at < bytes.length; at += size) yield bytes.subarray(at, Math.min(bytes.length, at + size));
    }
    return;
  }
  const file = readable as ReadableFile;
  for (;;) {
    const block = await file.read(size);
    if (block === null || block === undefined) return;
    const bytes = toBytes(block);
    if (bytes.length === 0) return;
    yield bytes;
  }
}

/** Header value forms `putheader` accepts (an integer becomes its decimal text). */
export type HeaderValue = string | BytesLike | number | bigint | boolean;

/** Request headers: a plain object, a Map, or [name, value] pairs. */
export type RequestHeaders =
  | Record<string, HeaderValue>
  | Map<string | Uint8Array, HeaderValue>
  | Iterable<readonly [string | Uint8Array, HeaderValue]>;

/** Python's repr of a body for the debug lines. */
export function debugRepr(v: unknown): string {
  if (typeof v === 'string' || v instanceof Uint8Array) return pyRepr(v);
  if (isBytesLike(v)) return pyRepr(bytesView(v)!);
  // A list body prints as Python prints a list: "Unable to determine size of [b'x']".
  if (Array.isArray(v)) return '[' + v.map(debugRepr).join(', ') + ']';
  const name = (v as object | null)?.constructor?.name ?? typeof v;
  return `<${name} object>`;
}

/**
 * Latin-1 bytes of `text`, or CPython's `_encode` error: a
 * UnicodeEncodeError whose reason names the offending text and suggests
 * UTF-8 (`name`: 'body' or 'data').
 */
export function encodeLatin1(text: string, name: string): Uint8Array {
  const err = unicodeEncodeError(text, 'latin-1');
  if (err) {
    const chars = Array.from(text);
    const shown = pyRepr(chars.slice(err.start, err.end).join('')).slice(0, 20);
    const title = name[0]!.toUpperCase() + name.slice(1);
    throw new UnicodeEncodeError(
      err.encoding,
      err.object,
      err.start,
      err.end,
      `${title} (${shown}) is not valid Latin-1. Use ${name}.encode('utf-8') if you want to send it encoded in UTF-8.`,
    );
  }
  return latin1Encode(text);
}

/** A header name as bytes (a str must be ASCII), checked with CPython's rule. */
export function headerName(header: string | Uint8Array, strict = false): Uint8Array {
  const name = typeof header === 'string' ? (encodeBelow(header, 0x80) ?? pyEncode(header, 'ascii')) : bytesView(header)!;
  if (!isLegalHeaderName(name, strict)) throw new ValueError(`Invalid header name ${pyRepr(name)}`);
  return name;
}

/** A header value as bytes (str: Latin-1; integer: decimal), checked with CPython's rule. */
export function headerValue(value: HeaderValue, strict = false): Uint8Array {
  let bytes: Uint8Array;
  if (typeof value === 'string') bytes = encodeBelow(value, 0x100) ?? pyEncode(value, 'latin-1');
  else if (typeof value === 'number' && Number.isInteger(value)) bytes = latin1Encode(BigInt(value).toString());
  else if (typeof value === 'bigint') bytes = latin1Encode(value.toString());
  else if (typeof value === 'boolean') bytes = latin1Encode(value ? 'True' : 'False');
  else if (isBytesLike(value)) bytes = bytesView(value)!;
  else {
    const t = pyType(value).slice(8, -2);
    throw new PyTypeError(`expected string or bytes-like object, got '${t}'`);
  }
  if (isIllegalHeaderValue(bytes, strict)) throw new ValueError(`Invalid header value ${pyRepr(bytes)}`);
  return bytes;
}

/** Header entries of a plain object, Map or pair list, in order. */
function headerEntries(headers: RequestHeaders | null | undefined): [string | Uint8Array, HeaderValue][] {
  if (headers === null || headers === undefined) return [];
  if (headers instanceof Map) return Array.from(headers.entries());
  if (typeof (headers as Iterable<unknown>)[Symbol.iterator] === 'function') {
    return Array.from(headers as Iterable<readonly [string | Uint8Array, HeaderValue]>, ([k, v]) => [k, v]);
  }
  return Object.entries(headers as Record<string, HeaderValue>);
}

/** Bits of `GivenHeaders.given`: the headers request() adds unless the caller gave them. */
export const GIVEN_HOST = 1;
export const GIVEN_ACCEPT_ENCODING = 2;
export const GIVEN_CONTENT_LENGTH = 4;
export const GIVEN_TRANSFER_ENCODING = 8;

/** The headers of request() in order, and which of the automatic ones they name (any case). */
export interface GivenHeaders {
  entries: [string | Uint8Array, HeaderValue][];
  /** GIVEN_* bits. */
  given: number;
}

const NO_HEADERS: GivenHeaders = { entries: [], given: 0 };

/** request()'s `headers` argument as entries and GIVEN_* bits; none (the common `{}`) costs nothing. */
export function givenHeaders(headers: RequestHeaders | null | undefined): GivenHeaders {
  if (headers === null || headers === undefined || (headers.constructor === Object && isEmptyObject(headers))) return NO_HEADERS;
  const entries = headerEntries(headers);
  let given = 0;
  for (const [k] of entries) given |= givenBit(k);
  return { entries, given };
}

function isEmptyObject(o: object): boolean {
  for (const _ in o) return false;
  return true;
}

/**
 * The GIVEN_* bit of a header name, 0 for any other. Lower-casing never
 * shortens a string and maps no non-ASCII character of the same length to
 * a letter of these names, so a name of another length is none of them and
 * is not lower-cased at all (the usual header costs a length check).
 */
function givenBit(name: string | Uint8Array): number {
  const n = name.length;
  if (n !== 4 && n !== 14 && n !== 15 && n !== 17) return 0;
  switch ((typeof name === 'string' ? name : String.fromCharCode(...name)).toLowerCase()) {
    case 'host':
      return GIVEN_HOST;
    case 'accept-encoding':
      return GIVEN_ACCEPT_ENCODING;
    case 'content-length':
      return GIVEN_CONTENT_LENGTH;
    case 'transfer-encoding':
      return GIVEN_TRANSFER_ENCODING;
    default:
      return 0;
  }
}

/** One item of an iterable body as bytes (strings are Latin-1, with `_encode`'s error). */
export function chunkBytes(d: unknown): Uint8Array {
  if (typeof d === 'string') return encodeLatin1(d, 'data');
  if (isBytesLike(d)) return bytesView(d)!;
  throw new PyTypeError(`a bytes-like object is required, not '${pyType(d).slice(8, -2)}'`);
}

/**
 * One block read from a file-like body as bytes. Text is encoded as
 * CPython's send() encodes a text file's blocks, `.encode("iso-8859-1")`,
 * whose error is the codec's own (not `_encode`'s advice about UTF-8).
 */
export function blockBytes(block: unknown): Uint8Array {
  return typeof block === 'string' ? pyEncode(block, 'latin-1') : chunkBytes(block);
}
