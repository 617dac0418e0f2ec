// In-memory WHATWG stream pairs for the stream transport's tests: the
// client side is what Deno.connect or Workers' connect() would hand out;
// the test plays the server through `server`. No node:*.
import { expect } from 'vitest';
import type { StreamPair } from '../../src/transport/streams.js';

const enc = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));

/** A source that hands out `chunks` one per pull and counts the pulls. */
export function countingSource(chunks: (Uint8Array | string)[]): { readable: ReadableStream<Uint8Array>; pulls: () => number } {
  let pulls = 0;
  let next = 0;
  const readable = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        pulls++;
        if (next < chunks.length) {
          const c = chunks[next++]!;
          controller.enqueue(typeof c === 'string' ? enc(c) : c);
        } else controller.close();
      },
    },
    { highWaterMark: 0 },
  );
  return { readable, pulls: () => pulls };
}

/** A sink that records each write. */
export function recordingSink(): { writable: WritableStream<Uint8Array>; written: Uint8Array[] } {
  const written: Uint8Array[] = [];
  const writable = new WritableStream<Uint8Array>({
    write(chunk) {
      written.push(chunk.slice());
    },
  });
  return { writable, written };
}

/**
 * A connected pair: what the client writes, `server.readable` reads; what
 * `server.writable` gets, the client reads. `closes` counts client close() calls.
 */
export function connectedPair(): { client: StreamPair; server: { readable: ReadableStream<Uint8Array>; writable: WritableStream<Uint8Array> }; closes: () => number } {
  const up = new TransformStream<Uint8Array, Uint8Array>();
  const down = new TransformStream<Uint8Array, Uint8Array>();
  let closes = 0;
  return {
    client: {
      readable: down.readable,
      writable: up.writable,
      close: () => {
        closes++;
      },
    },
    server: { readable: up.readable, writable: down.writable },
    closes: () => closes,
  };
}

/** Reads from `reader` until the text read so far contains `marker`. */
export async function readUntil(reader: ReadableStreamDefaultReader<Uint8Array>, marker: string): Promise<string> {
  let text = '';
  while (!text.includes(marker)) {
    const r = await reader.read();
    if (r.done) break;
    text += String.fromCharCode(...r.value);
  }
  return text;
}

/** What `p` rejects with, checked to be an instance of `cls`. */
export async function rejection<T extends Error>(p: Promise<unknown>, cls: abstract new (...args: never[]) => T): Promise<T> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(cls);
  return err as T;
}

export { enc };
