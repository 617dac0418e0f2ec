// A response body as a web ReadableStream. Uses only HTTPResponse's public
// reading API (read1): each pull makes at most one transport read, and the
// stream pulls only when its consumer reads (highWaterMark 0), so the
// connection is read no faster than the body is consumed. Imports nothing
// from node:* (the Node Readable view is in node-streams.ts).
import { IncompleteRead } from './exceptions.js';
import type { HTTPResponse } from './response.js';

export interface BodyStreamOptions {
  /** Most bytes per chunk. Default 65536. */
  chunkSize?: number;
  /** Aborting errors the stream with `signal.reason` and closes the response and its connection (the connection's own signal applies too). */
  signal?: AbortSignal | null;
}

const EMPTY = new Uint8Array(0);

/**
 * The next piece of the body (at most `size` bytes, one transport read at
 * most), or null at its end. A Content-Length body that ends early raises
 * IncompleteRead, as `read()` of the whole body would.
 */
export async function nextBodyChunk(res: HTTPResponse, size: number, signal?: AbortSignal | null): Promise<Uint8Array | null> {
  const chunk = await res.read1(size, signal ? { signal } : undefined);
  if (chunk.length > 0) return chunk;
  if (res.length !== null && res.length > 0) throw new IncompleteRead(EMPTY, res.length);
  return null;
}

function chunkSizeOf(options: BodyStreamOptions): number {
  const size = options.chunkSize ?? 65536;
  if (!(Number.isSafeInteger(size) && size >= 1)) throw new RangeError('chunkSize must be a whole number of at least 1');
  return size;
}

/**
 * The rest of `res`'s body as a web ReadableStream of Uint8Array chunks.
 * Errors (IncompleteRead, a timeout, a reset) error the stream; cancelling
 * the stream closes the response.
 */
export function toReadableStream(res: HTTPResponse, options: BodyStreamOptions = {}): ReadableStream<Uint8Array> {
  const size = chunkSizeOf(options);
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        const chunk = await nextBodyChunk(res, size, options.signal);
        if (chunk) controller.enqueue(chunk);
        else controller.close();
      },
      cancel() {
        res.close();
      },
    },
    { highWaterMark: 0 },
  );
}

export { chunkSizeOf as _chunkSizeOf };
