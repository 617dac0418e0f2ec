// A transport over a WHATWG stream pair `{ readable, writable }`: what
// Deno.connect's conn, Cloudflare Workers' `connect()` socket and Chrome's
// Direct Sockets `TCPSocket.opened` hand out. Reads are pulled: read() asks
// the reader for one chunk, so the source is read no faster than the caller
// reads (beyond the stream's own queue). Writes wait for the writer's
// `ready` (the sink's backpressure) and then for the write itself.
// Timeouts are in seconds, as in the Node transport: each read, write or
// connect wait is bounded, and a timed-out transport is closed. Imports
// nothing from node:*.
import { bytesView } from '../core/buffer.js';
import { timeoutMs as toMs, TransportError, type ConnectOptions, type TlsOptions, type Transport, type TransportFactory } from './types.js';

/** A connected byte-stream pair, as the runtimes hand them out. */
export interface StreamPair {
  readable: ReadableStream<Uint8Array>;
  writable: WritableStream<Uint8Array>;
  /** Closes the underlying connection (Deno's `conn.close()`, a Workers socket's `close()`). */
  close?(): void | Promise<void>;
  /** Starts TLS over this connection (HTTPS through a CONNECT tunnel), giving the TLS pair. */
  startTls?(tls: TlsOptions): StreamPair | Promise<StreamPair>;
  /** The remote end, where known. */
  peer?: { address: string; port: number };
  /** Lets pending reads and writes hold the event loop (Deno's `conn.ref()`). */
  ref?(): void;
  /** Stops them holding it (Deno's `conn.unref()`): a pair that has this is watched for the peer's close while idle. */
  unref?(): void;
}

/** Opens a stream pair for a connect request (the argument of `streamTransportFactory`). */
export type StreamOpener = (options: ConnectOptions) => StreamPair | Promise<StreamPair>;

/** Error names Deno and Workers use, as the errno codes src/http maps to Python exceptions. */
const ERROR_CODES: Record<string, string> = {
  ConnectionRefused: 'ECONNREFUSED',
  ConnectionReset: 'ECONNRESET',
  ConnectionAborted: 'ECONNABORTED',
  BrokenPipe: 'EPIPE',
  TimedOut: 'ETIMEDOUT',
  NotConnected: 'ENOTCONN',
  AddrInUse: 'EADDRINUSE',
  AddrNotAvailable: 'EADDRNOTAVAIL',
  NotFound: 'ENOTFOUND',
};

/** Name-resolution failures that runtimes report only in the message (Deno: a plain Error). */
const LOOKUP_FAILED = /failed to lookup address|Name or service not known|nodename nor servname|No address associated/i;
const LOOKUP_AGAIN = /Temporary failure in name resolution/i;

/** Wraps a stream error (or anything thrown) as a TransportError with an errno-style code. */
export function streamError(err: unknown, fallbackCode = 'EIO'): TransportError {
  if (err instanceof TransportError) return err;
  const e = err as { code?: unknown; name?: unknown; message?: unknown } | null | undefined;
  let code = typeof e?.code === 'string' ? e.code : undefined;
  if (code === undefined && typeof e?.name === 'string') code = ERROR_CODES[e.name];
  const message = err instanceof Error ? err.message : String(err);
  if (code === undefined && LOOKUP_AGAIN.test(message)) code = 'EAI_AGAIN';
  else if (code === undefined && LOOKUP_FAILED.test(message)) code = 'ENOTFOUND';
  return new TransportError(code ?? fallbackCode, message, { cause: err });
}

/**
 * Throws where a runtime's TLS always verifies but `tls` asks it not to
 * (Deno, Workers): refused rather than silently verified.
 */
export function refuseUnverified(tls: TlsOptions, runtime: string): void {
  if (tls.rejectUnauthorized === false || tls.checkHostname === false) {
    throw new TransportError('EOPNOTSUPP', `${runtime}'s TLS cannot turn certificate or host name verification off`);
  }
}


function timeoutError(what: string): TransportError {
  return new TransportError('ETIMEDOUT', `timed out (${what})`, { cause: new Error('timed out') });
}

/** Whatever the stream hands out, as a Uint8Array (never copied when it is one). */
function asBytes(chunk: unknown): Uint8Array {
  const bytes = bytesView(chunk);
  if (bytes === null) throw new TransportError('EPROTO', `the readable stream gave a ${typeof chunk}, not bytes`);
  return bytes;
}

/**
 * Settles with `work`, or rejects with a timeout after `ms` (then calls
 * `onTimeout`). `ms` null: no bound.
 */
function bounded<T>(work: Promise<T>, ms: number | null, what: string, onTimeout: (err: TransportError) => void): Promise<T> {
  if (ms === null) return work;
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      const err = timeoutError(what);
      onTimeout(err);
      reject(err);
    }, ms);
    work.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e) => {
        clearTimeout(timer);
        reject(e);
      },
    );
  });
}

export class StreamTransport implements Transport {
  readonly peer?: { address: string; port: number };
  private readonly pair: StreamPair;
  private readonly reader: ReadableStreamDefaultReader<Uint8Array>;
  private readonly writer: WritableStreamDefaultWriter<Uint8Array>;
  private timeoutMs: number | null;
  private error: TransportError | null = null;
  private reading = false;
  private eof = false;
  private _closed = false;
  /** A read started while idle (see `idle`), handed to the next read(). */
  private ahead: Promise<ReadableStreamReadResult<Uint8Array>> | null = null;
  /** The read ahead saw the end of the stream or an error. */
  private sawEnd = false;
  /** Reads and writes pending: the pair holds the event loop only while this is above 0. */
  private busy = 0;

  constructor(pair: StreamPair, timeoutSeconds: number | null = null) {
    this.pair = pair;
    this.timeoutMs = toMs(timeoutSeconds);
    this.reader = pair.readable.getReader();
    this.writer = pair.writable.getWriter();
    // A failed write or a reset also shows as a rejected `closed`: mark it
    // handled here; each call reports its own error.
    this.writer.closed.catch(() => {});
    this.reader.closed.catch(() => {});
    if (pair.peer) this.peer = pair.peer;
    pair.unref?.();
  }

  get closed(): boolean {
    return this._closed;
  }

  /** The peer's close, or an error, was seen (by a read, or the read ahead while idle). */
  get peerClosed(): boolean {
    return this.eof || this.sawEnd || this.error !== null;
  }

  /**
   * Nothing is in flight: where the pair can stop holding the event loop
   * (Deno), one read is started ahead so that the peer's close is seen
   * while idle, as the Node transport sees it; its result goes to the next
   * read(). Elsewhere a pending read would keep the runtime alive: nothing.
   */
  idle(): void {
    if (!this.pair.unref || this.ahead || this.reading || this.eof || this.error || this._closed) return;
    const ahead = this.reader.read();
    this.ahead = ahead;
    ahead.then(
      (r) => {
        if (r.done) this.sawEnd = true;
      },
      () => {
        this.sawEnd = true;
      },
    );
  }

  /** A read or write starts: the pair holds the event loop. */
  private hold(): void {
    if (this.busy++ === 0) this.pair.ref?.();
  }

  /** A read or write ended: when none is left, the pair stops holding the event loop. */
  private release(): void {
    if (--this.busy === 0) this.pair.unref?.();
  }

  setTimeout(seconds: number | null): void {
    this.timeoutMs = toMs(seconds);
  }

  /** Current timeout in seconds, or null. */
  get timeout(): number | null {
    return this.timeoutMs === null ? null : this.timeoutMs / 1000;
  }

  async read(): Promise<Uint8Array | null> {
    if (this.error) throw this.error;
    if (this._closed) throw new TransportError('ECLOSED', 'read on a closed transport');
    if (this.eof) return null;
    if (this.reading) throw new TransportError('EBUSY', 'a read is already pending');
    this.reading = true;
    this.hold();
    try {
      for (;;) {
        const next = this.ahead ?? this.reader.read();
        this.ahead = null;
        const r = await bounded(next, this.timeoutMs, 'read', (err) => this.failTimeout(err));
        if (r.done) {
          if (this._closed) throw new TransportError('ECLOSED', 'transport closed during read');
          this.eof = true;
          return null;
        }
        const chunk = asBytes(r.value);
        // An empty chunk is not EOF: ask again.
        if (chunk.length > 0) return chunk;
      }
    } catch (err) {
      throw this.fail(err, 'ECONNRESET');
    } finally {
      this.reading = false;
      this.release();
    }
  }

  async write(data: Uint8Array): Promise<void> {
    if (this.error) throw this.error;
    if (this._closed) throw new TransportError('ECLOSED', 'write on a closed transport');
    if (data.length === 0) return;
    this.hold();
    try {
      // `ready` is the sink's backpressure; the write resolves once the sink took the bytes.
      const written = this.writer.ready.then(() => this.writer.write(data));
      await bounded(written, this.timeoutMs, 'write', (err) => this.failTimeout(err));
    } catch (err) {
      // Not recorded for later reads: the peer may have answered before it
      // stopped reading (an early 413), and that answer is still readable,
      // as with the Node transport (CPython's test_epipe).
      if (err instanceof TransportError && err.code === 'ETIMEDOUT') throw err;
      if (this._closed) throw new TransportError('ECLOSED', 'transport closed during write', { cause: err });
      throw streamError(err, 'EPIPE');
    } finally {
      this.release();
    }
  }

  /**
   * Starts TLS over this connection, where the pair can (`startTls`). This
   * transport is spent: its reader and writer are released to the pair.
   */
  async startTls(tls: TlsOptions, signal: AbortSignal | null = null): Promise<Transport> {
    if (this.error) throw this.error;
    if (this._closed) throw new TransportError('ECLOSED', 'startTls on a closed transport');
    const start = this.pair.startTls;
    if (!start) throw new TransportError('EOPNOTSUPP', 'this stream pair cannot start TLS');
    this._closed = true;
    // The handshake holds the event loop.
    this.pair.ref?.();
    this.reader.releaseLock();
    this.writer.releaseLock();
    // The handshake is bounded by the timeout like any other wait; if it
    // fails, the plain connection is closed here (this transport is spent,
    // so close() would not).
    const pair = this.pair;
    const closePair = () => {
      pair.readable.cancel().catch(() => {});
      pair.writable.abort().catch(() => {});
      try {
        const closing = pair.close?.();
        if (closing) Promise.resolve(closing).catch(() => {});
      } catch {
        // already closed
      }
    };
    try {
      const upgraded = Promise.resolve().then(() => start.call(pair, tls));
      // A TLS pair that arrives after an abort is nobody's: closed on arrival.
      upgraded.then(
        (p) => {
          if (signal?.aborted) new StreamTransport(p).close();
        },
        () => {},
      );
      const tlsPair = await bounded(untilAborted(upgraded, signal), this.timeoutMs, 'handshake', closePair);
      return new StreamTransport(tlsPair, this.timeout);
    } catch (err) {
      closePair();
      throw streamError(err);
    }
  }

  close(): void {
    if (this._closed) return;
    this._closed = true;
    // Cancelling settles a pending read with done; aborting drops unsent bytes,
    // as closing a socket does.
    this.reader.cancel().catch(() => {});
    this.writer.abort().catch(() => {});
    try {
      const closing = this.pair.close?.();
      if (closing) Promise.resolve(closing).catch(() => {});
    } catch {
      // already closed
    }
  }

  /** Records the first error (a read after close reports ECLOSED). */
  private fail(err: unknown, fallbackCode: string): TransportError {
    if (this.error) return this.error;
    if (this._closed) return new TransportError('ECLOSED', 'transport closed', { cause: err });
    this.error = streamError(err, fallbackCode);
    return this.error;
  }

  private failTimeout(err: TransportError): void {
    if (!this.error) this.error = err;
    this.close();
  }
}

/**
 * A TransportFactory from a function that opens a stream pair (Deno's
 * `Deno.connect`, Workers' `connect()`, a Direct Sockets `TCPSocket`). The
 * connect wait is bounded by `options.timeout` (seconds) and ends at once
 * when `options.signal` aborts (the opener gets the signal too, to drop
 * what it has half-opened); a pair that opens after its timeout or abort
 * is closed as soon as it arrives.
 */
export function streamTransportFactory(open: StreamOpener): TransportFactory {
  return async (options: ConnectOptions): Promise<Transport> => {
    const ms = toMs(options.timeout);
    const signal = options.signal ?? null;
    let late = false;
    const opening = Promise.resolve().then(() => open(options));
    opening.then(
      (pair) => {
        if (late) new StreamTransport(pair).close();
      },
      () => {},
    );
    let pair: StreamPair;
    try {
      pair = await bounded(untilAborted(opening, signal), ms, 'connect', () => {
        late = true;
      });
    } catch (err) {
      // Timed out or aborted: a pair that still opens is closed on arrival.
      late = true;
      const te = streamError(err, 'ECONNREFUSED');
      te.phase ??= 'connect';
      throw te;
    }
    return new StreamTransport(pair, options.timeout ?? null);
  };
}

/** `work`, or a rejection (ECLOSED) as soon as `signal` aborts. */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal | null): Promise<T> {
  if (!signal) return work;
  if (signal.aborted) return Promise.reject(new TransportError('ECLOSED', 'connect aborted'));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new TransportError('ECLOSED', 'connect aborted'));
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}
