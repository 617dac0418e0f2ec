// Content-Encoding decoders (urllib3's response.py decoders), over the
// runtime's own decompressors: a decoder turns the raw body, an async
// iterable of bytes, into the decoded body, pulling raw bytes only as the
// decoded ones are consumed (so memory stays bounded by the streams'
// buffers, whatever the compression ratio). This module uses the web
// DecompressionStream (gzip, deflate; br and zstd where the runtime has
// them); the Node entry installs node:zlib instead (src/pool/node.ts).
// Corrupt or truncated data raises DecodeError, never a silent cut.
import { DecodeError, withCause } from './errors.js';

/**
 * Decodes one content coding: raw body pieces in, decoded pieces out.
 * `whole`, where the runtime has a one-shot decoder, decodes a body read
 * whole in one call (a preloaded body: far cheaper than a stream per body).
 */
export interface ContentDecoder {
  (source: AsyncIterable<Uint8Array>): AsyncIterable<Uint8Array>;
  whole?: ((data: Uint8Array) => Uint8Array) | undefined;
}

/** Makes the decoder for a coding (`gzip`, `deflate`, `br`, `zstd`), or null when this runtime has none. */
export type DecoderFactory = (coding: string) => ContentDecoder | null;

/** The installed decoder factory (the Node entry replaces the web one). */
export const decoders: { factory: DecoderFactory } = { factory: webDecoderFactory };

/** urllib3's DeflateDecoder: "deflate" is zlib-wrapped (RFC 9110), but raw deflate is common; sniff the header. */
export function isZlibHeader(b: Uint8Array): boolean {
  return b.length >= 2 && (b[0]! & 0x0f) === 8 && (b[0]! >> 4) <= 7 && ((b[0]! << 8) | b[1]!) % 31 === 0;
}

/** The first piece of `source` (so a decoder can be chosen) and the whole of it again. */
export async function peekFirst(source: AsyncIterable<Uint8Array>): Promise<{ first: Uint8Array | null; all: AsyncIterable<Uint8Array> }> {
  const it = source[Symbol.asyncIterator]();
  let r = await it.next();
  while (!r.done && r.value.length === 0) r = await it.next();
  const first = r.done ? null : r.value;
  async function* all(): AsyncGenerator<Uint8Array> {
    if (first === null) return;
    yield first;
    for (;;) {
      const n = await it.next();
      if (n.done) return;
      yield n.value;
    }
  }
  return { first, all: all() };
}

function decodeError(coding: string, cause: unknown): DecodeError {
  const detail = cause instanceof Error ? cause.message : String(cause);
  return withCause(new DecodeError('Received response with content-encoding: ' + coding + ', but failed to decode it.', detail), cause);
}

/** A web DecompressionStream format, or null if the runtime does not have it. */
function webFormat(format: string): boolean {
  if (typeof DecompressionStream === 'undefined') return false;
  try {
    new DecompressionStream(format as CompressionFormat);
    return true;
  } catch {
    return false;
  }
}

async function* throughWebStream(format: string, coding: string, source: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  const it = source[Symbol.asyncIterator]();
  // An error of the raw body (a reset, a timeout) is passed on as it is.
  let sourceError: unknown = null;
  const input = new ReadableStream<Uint8Array>({
    async pull(controller) {
      let r: IteratorResult<Uint8Array>;
      try {
        r = await it.next();
      } catch (e) {
        sourceError = e;
        throw e;
      }
      if (r.done) controller.close();
      else controller.enqueue(r.value);
    },
    async cancel() {
      await it.return?.();
    },
  });
  const reader = input.pipeThrough(new DecompressionStream(format as CompressionFormat) as unknown as TransformStream<Uint8Array, Uint8Array>).getReader();
  try {
    for (;;) {
      let r: ReadableStreamReadResult<Uint8Array>;
      try {
        r = await reader.read();
      } catch (e) {
        if (sourceError !== null) throw sourceError;
        throw decodeError(coding, e);
      }
      if (r.done) return;
      if (r.value.length > 0) yield r.value;
    }
  } finally {
    reader.releaseLock();
  }
}

/** Decoders from the web's DecompressionStream (browsers, Deno, Workers). */
export function webDecoderFactory(coding: string): ContentDecoder | null {
  switch (coding) {
    case 'gzip':
    case 'x-gzip':
      return webFormat('gzip') ? (s) => throughWebStream('gzip', coding, s) : null;
    case 'deflate':
      if (!webFormat('deflate') || !webFormat('deflate-raw')) return null;
      return (s) =>
        (async function* () {
          const { first, all } = await peekFirst(s);
          if (first === null) return;
          yield* throughWebStream(isZlibHeader(first) ? 'deflate' : 'deflate-raw', coding, all);
        })();
    case 'br':
      return webFormat('brotli') ? (s) => throughWebStream('brotli', coding, s) : null;
    case 'zstd':
      return webFormat('zstd') ? (s) => throughWebStream('zstd', coding, s) : null;
    default:
      return null;
  }
}

/**
 * The decoders for a Content-Encoding value, applied in reverse order of
 * the list (the last coding applied is undone first). Null when there is
 * nothing to decode (absent or identity) or a coding is unknown here: the
 * body is then returned as it came, as urllib3 does.
 */
export function decoderChain(contentEncoding: string | null | undefined): ContentDecoder | null {
  if (!contentEncoding) return null;
  const codings = contentEncoding
    .split(',')
    .map((c) => c.trim().toLowerCase())
    .filter((c) => c && c !== 'identity');
  if (codings.length === 0) return null;
  const steps: ContentDecoder[] = [];
  for (const c of codings) {
    const d = decoders.factory(c);
    if (d === null) return null;
    steps.push(d);
  }
  steps.reverse();
  // An empty body (HEAD, 204, or a server that sent nothing) decodes to nothing.
  const chain: ContentDecoder = (source) =>
    (async function* () {
      const { first, all } = await peekFirst(source);
      if (first === null) return;
      yield* steps.reduce((s, step) => step(s), all);
    })();
  if (steps.every((step) => step.whole)) {
    chain.whole = (data) => (data.length === 0 ? data : steps.reduce((d, step) => step.whole!(d), data));
  }
  return chain;
}

export { decodeError as _decodeError };
