// Request bodies as the JavaScript runtime has them — bytes, strings, a
// Blob, a Node Readable or FileHandle, a web ReadableStream, an object with
// Python's read(size), an iterable — read as CPython's `_read_readable`
// reads a file: blocks of at most `blocksize` bytes. How a block becomes
// bytes (and the Python error when it cannot) is the caller's, client.ts.
import { isBlob, isWebStream, type BytesLike, type ReadableFile } from '../core/request-writer.js';

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
