// httpwire/pool for Node: the portable pool (./index.js) with what only Node
// has, installed here as DESIGN.md wants Node-only modules reached from the
// Node entry: node:net/tls as the transport (the root Node entry), node:zlib
// as the decoders (gzip, deflate, br, and zstd where this Node has it),
// idle sockets closed when the peer closes them, and the
// pool's events published on diagnostics_channel.
import { createHash } from 'node:crypto';
import * as diagnostics_channel from 'node:diagnostics_channel';
import { Readable, pipeline } from 'node:stream';
import * as zlib from 'node:zlib';
import '../index.js';
import type { NodeTransport } from '../transport/node.js';
import type { Transport } from '../transport/types.js';
import { _decodeError, decoders, isZlibHeader, peekFirst, type ContentDecoder } from './decode.js';
import { poolObserve, runtime } from './hooks.js';

export * from './index.js';

type ZlibStream = NodeJS.ReadWriteStream & { destroy(error?: Error): void };

/** Decodes through a node:zlib stream; pulls raw bytes only as decoded ones are read (stream back-pressure). */
function throughZlib(make: () => ZlibStream, coding: string, source: AsyncIterable<Uint8Array>): AsyncIterable<Uint8Array> {
  return (async function* () {
    let sourceError: unknown = null;
    const input = Readable.from(
      (async function* () {
        try {
          yield* source;
        } catch (e) {
          sourceError = e;
          throw e;
        }
      })(),
      { objectMode: false },
    );
    const z = make();
    pipeline(input, z, () => {});
    try {
      for await (const chunk of z as AsyncIterable<Buffer>) {
        if (chunk.length > 0) yield new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.length);
      }
    } catch (e) {
      if (sourceError !== null) throw sourceError;
      throw _decodeError(coding, e);
    } finally {
      z.destroy();
      input.destroy();
    }
  })();
}

const zstd = (zlib as { createZstdDecompress?: () => ZlibStream }).createZstdDecompress;
const zstdSync = (zlib as { zstdDecompressSync?: (b: Uint8Array) => Buffer }).zstdDecompressSync;

/** A decoder from a stream maker and a one-shot function, both node:zlib's. */
function zlibDecoder(coding: string, make: () => ZlibStream, sync: (b: Uint8Array) => Buffer): ContentDecoder {
  const d: ContentDecoder = (s) => throughZlib(make, coding, s);
  d.whole = (data) => {
    try {
      const out = sync(data);
      return new Uint8Array(out.buffer, out.byteOffset, out.length);
    } catch (e) {
      throw _decodeError(coding, e);
    }
  };
  return d;
}

/** node:zlib decoders by coding. */
function zlibDecoderFactory(coding: string): ContentDecoder | null {
  switch (coding) {
    case 'gzip':
    case 'x-gzip':
      return zlibDecoder(coding, () => zlib.createGunzip(), (b) => zlib.gunzipSync(b));
    case 'deflate': {
      const d: ContentDecoder = (s) =>
        (async function* () {
          const { first, all } = await peekFirst(s);
          if (first === null) return;
          yield* throughZlib(() => (isZlibHeader(first) ? zlib.createInflate() : zlib.createInflateRaw()), coding, all);
        })();
      d.whole = zlibDecoder(coding, () => zlib.createInflate(), (b) => (isZlibHeader(b) ? zlib.inflateSync(b) : zlib.inflateRawSync(b))).whole;
      return d;
    }
    case 'br':
      return zlibDecoder(coding, () => zlib.createBrotliDecompress(), (b) => zlib.brotliDecompressSync(b));
    case 'zstd':
      return zstd && zstdSync ? zlibDecoder(coding, () => zstd(), zstdSync) : null;
    default:
      return null;
  }
}

decoders.factory = zlibDecoderFactory;

/** The Node socket under a transport (NodeTransport's `socket`), if it is one. */
function socketOf(t: Transport): NodeTransport['socket'] | null {
  const s = (t as Partial<NodeTransport>).socket;
  return s && typeof s.once === 'function' ? s : null;
}

// The transport itself tells FIN, reset and errors (is_connected); bytes
// that arrived on an idle connection unasked make it unfit too (urllib3's
// is_connection_dropped reads such a socket as dropped).
runtime.transportAlive = (t) => (socketOf(t) === null ? true : (t as NodeTransport).bufferedBytes === 0);

// An idle socket the server closed is closed at once, not left half-open
// until the pool next looks at it: the transport's flag, set while idle.
// (Idle sockets are already unreferenced by the transport: they never keep
// the process alive.)
// A connection of the pool writes its requests batched at the end of the
// event loop's turn (NodeTransport.batchWrites: the server woken by a
// request then runs when the client's turn is done, not in the middle of it).
runtime.setIdle = (t, idle) => {
  if (socketOf(t) === null) return;
  const n = t as NodeTransport;
  n.closeOnPeerEnd = idle;
  n.batchWrites = true;
};

// assert_fingerprint's digests, MD5 included (Web Crypto has none).
runtime.digest = (algorithm, data) => {
  const d = createHash(algorithm).update(data).digest();
  return new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
};

/** The diagnostics_channel names the pool publishes on (each only while subscribed). */
export const poolChannels = {
  /** `{ pool }` when a connection pool is made. */
  created: diagnostics_channel.channel('httpwire:pool:created'),
  /** `{ pool, connection, reused }` when a request takes a connection. */
  acquired: diagnostics_channel.channel('httpwire:pool:acquired'),
  /** `{ pool, connection }` when a connection is put back. */
  released: diagnostics_channel.channel('httpwire:pool:released'),
  /** `{ pool, method, url, error, status }` before a retry. */
  retried: diagnostics_channel.channel('httpwire:pool:retried'),
  /** `{ pool, method, url, location, status }` before following a redirect. */
  redirected: diagnostics_channel.channel('httpwire:pool:redirected'),
  /** Phase timings of each request (TimingsEvent), when it is done or failed. */
  timings: diagnostics_channel.channel('httpwire:pool:timings'),
};

// A hook is there only while its channel has subscribers: with none the pool
// sees null and builds no event (one check per acquire, release, request;
// timings also skip their clock reads). Assigning a hook replaces this.
for (const name of Object.keys(poolChannels) as (keyof typeof poolChannels)[]) {
  const channel = poolChannels[name];
  const publish = (e: unknown) => channel.publish(e);
  Object.defineProperty(poolObserve, name, {
    get: () => (channel.hasSubscribers ? publish : null),
    set: (hook: unknown) => Object.defineProperty(poolObserve, name, { value: hook, writable: true, configurable: true, enumerable: true }),
    configurable: true,
    enumerable: true,
  });
}
