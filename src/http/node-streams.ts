// A response body as a Node Readable (Node entry only: imports node:stream).
// Node calls read() only while its buffer is below highWaterMark, and we
// make one transport read per call, so the socket is not read faster than
// the consumer reads.
import { Readable } from 'node:stream';
import type { HTTPResponse } from './response.js';
import { _chunkSizeOf, nextBodyChunk, type BodyStreamOptions } from './streams.js';

export interface NodeBodyStreamOptions extends BodyStreamOptions {
  /** The Readable's highWaterMark in bytes. Default 16384. */
  highWaterMark?: number;
}

/**
 * The rest of `res`'s body as a Node Readable. Errors destroy the stream;
 * destroying it closes the response.
 */
export function toNodeReadable(res: HTTPResponse, options: NodeBodyStreamOptions = {}): Readable {
  const size = _chunkSizeOf(options);
  return new Readable({
    highWaterMark: options.highWaterMark ?? 16384,
    read() {
      nextBodyChunk(res, size, options.signal).then(
        (chunk) => this.push(chunk),
        (err: unknown) => this.destroy(err as Error),
      );
    },
    destroy(err, callback) {
      res.close();
      callback(err);
    },
  });
}
