// An in-memory transport for tests: CPython test_httplib's FakeSocket.
// Reads hand out the given response bytes (in pieces of at most
// `chunkSize`; given as a list, each element arrives in reads of its own,
// as packets sent at different times would), then null; everything written is recorded. No node:*.
// The options mirror test_httplib's variants: `eofIsError` is its
// NoEOFBytesIO, `resetAtEof` its ECONNRESET reader, `pipeTrigger` its
// EPipeSocket; `host`/`port` are FakeSocket's (what connect was asked for).
import { concatBytes } from '../core/buffer.js';
import { latin1Encode } from '../core/latin1.js';
import { TransportError, type ConnectOptions, type Transport, type TransportFactory } from './types.js';

export interface MemoryTransportOptions {
  /** Deliver reads in pieces of at most this many bytes. */
  chunkSize?: number;
  peer?: { address: string; port: number };
  /** The host and port this transport was connected to (FakeSocket's host/port). */
  host?: string;
  port?: number;
  /** A read at EOF throws instead of returning null (a caller read past the end). */
  eofIsError?: boolean;
  /** A read at EOF throws TransportError('ECONNRESET') instead of returning null. */
  resetAtEof?: boolean;
  /** A write whose bytes contain these throws TransportError('EPIPE') and records nothing. */
  pipeTrigger?: Uint8Array | string;
}

function indexOfBytes(haystack: Uint8Array, needle: Uint8Array): number {
  outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

function toBytes(data: Uint8Array | string): Uint8Array {
  return typeof data === 'string' ? latin1Encode(data) : data;
}

export class MemoryTransport implements Transport {
  /** Each write's bytes (copies). */
  readonly writes: Uint8Array[] = [];
  /** Last timeout set through setTimeout (seconds or null). */
  timeout: number | null = null;
  readonly peer?: { address: string; port: number };
  readonly host?: string;
  readonly port?: number;
  private readonly eofIsError: boolean;
  private readonly resetAtEof: boolean;
  private readonly pipeTrigger: Uint8Array | null;
  private readonly data: Uint8Array;
  /** Offsets where a read must stop: the starts of the given pieces after the first. */
  private readonly boundaries: number[];
  private readonly chunkSize: number;
  private offset = 0;
  private _closed = false;

  constructor(data: Uint8Array | string | (Uint8Array | string)[], options: MemoryTransportOptions = {}) {
    const pieces = Array.isArray(data) ? data.map(toBytes) : [toBytes(data)];
    this.data = concatBytes(pieces);
    this.boundaries = [];
    let at = 0;
    for (const p of pieces.slice(0, -1)) this.boundaries.push((at += p.length));
    const size = options.chunkSize ?? Infinity;
    if (!(size >= 1)) throw new RangeError('chunkSize must be at least 1');
    this.chunkSize = size;
    if (options.peer) this.peer = options.peer;
    if (options.host !== undefined) this.host = options.host;
    if (options.port !== undefined) this.port = options.port;
    this.eofIsError = options.eofIsError ?? false;
    this.resetAtEof = options.resetAtEof ?? false;
    this.pipeTrigger = options.pipeTrigger === undefined ? null : toBytes(options.pipeTrigger);
  }

  /** The bytes not read yet (what test_httplib reads with `sock.file.read()`). */
  remaining(): Uint8Array {
    return this.data.slice(this.offset);
  }

  get closed(): boolean {
    return this._closed;
  }

  /** Everything written, concatenated. */
  get sent(): Uint8Array {
    return concatBytes(this.writes);
  }

  async read(): Promise<Uint8Array | null> {
    if (this._closed) throw new TransportError('ECLOSED', 'read on a closed transport');
    if (this.offset >= this.data.length) {
      if (this.eofIsError) throw new Error('caller tried to read past EOF');
      if (this.resetAtEof) throw new TransportError('ECONNRESET', 'connection reset at EOF');
      return null;
    }
    const boundary = this.boundaries.find((b) => b > this.offset) ?? this.data.length;
    const end = Math.min(boundary, this.offset + this.chunkSize);
    // A fresh copy: a returned chunk is never shared or reused.
    const chunk = this.data.slice(this.offset, end);
    this.offset = end;
    return chunk;
  }

  async write(data: Uint8Array): Promise<void> {
    if (this._closed) throw new TransportError('ECLOSED', 'write on a closed transport');
    if (this.pipeTrigger && indexOfBytes(data, this.pipeTrigger) >= 0) throw new TransportError('EPIPE', 'gotcha');
    this.writes.push(new Uint8Array(data)); // a copy (a Buffer's slice() would be a view)
  }

  close(): void {
    this._closed = true;
  }

  setTimeout(seconds: number | null): void {
    this.timeout = seconds;
  }
}

/** A factory handing out one MemoryTransport per connect, recording each call. */
export interface MemoryFactory extends TransportFactory {
  /** The options of each connect call, in order. */
  readonly connects: ConnectOptions[];
  /** The transports handed out, in order. */
  readonly transports: MemoryTransport[];
}

export function memoryFactory(
  responses: (Uint8Array | string)[],
  options: MemoryTransportOptions = {},
): MemoryFactory {
  const connects: ConnectOptions[] = [];
  const transports: MemoryTransport[] = [];
  let next = 0;
  const factory = async (opts: ConnectOptions): Promise<Transport> => {
    connects.push({ ...opts });
    if (next >= responses.length) {
      throw new TransportError('ECONNREFUSED', `no more responses for ${opts.host}:${opts.port}`);
    }
    const t = new MemoryTransport(responses[next++]!, { ...options, host: opts.host, port: opts.port });
    t.setTimeout(opts.timeout ?? null);
    transports.push(t);
    return t;
  };
  return Object.assign(factory, { connects, transports });
}
