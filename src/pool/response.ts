// urllib3's HTTPResponse (urllib3/response.py, 2.x) over http.client's
// response: the body whole (`data`, `json()`) when preloaded, or streamed
// (`read(amt)`, `stream()`), decoded from its Content-Encoding unless
// `decode_content` is false. When the body has been read to its end the
// connection goes back to its pool by itself; `release_conn()` does it
// earlier (dropping the connection's transport if body bytes are left),
// `drain_conn()` reads the rest and releases.
import type { HTTPConnection } from '../http/client.js';
import {
  HTTPException,
  OSError,
  pyRepr,
  SSLError as PySSLError,
  TimeoutError as PyTimeoutError,
  ValueError,
} from '../http/exceptions.js';
import type { HTTPMessage } from '../http/message.js';
import type { HTTPResponse as RawResponse } from '../http/response.js';
import { concatBytes } from '../core/buffer.js';
import { decoderChain, type ContentDecoder } from './decode.js';
import { DecodeError, ProtocolError, ReadTimeoutError, SSLError, withCause, type PoolLike } from './errors.js';
import type { Retry } from './retry.js';

const EMPTY = new Uint8Array(0);
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
/** Bytes per raw read while decoding or streaming. */
const RAW_READ = 64 * 1024;
/** A body left unread at release time is drained (keeping the connection) up to this many bytes, else the transport is dropped. */
const DRAIN_MAX = 64 * 1024;

/** What the response needs of its pool. */
export interface ResponsePool extends PoolLike {
  _put_conn(conn: HTTPConnection | null): void;
}

/** Where a response came from and how to read it. */
export interface PoolResponseOptions {
  pool: ResponsePool | null;
  connection: HTTPConnection | null;
  url: string;
  retries: Retry | null;
  decode_content: boolean;
  signal: AbortSignal | null;
  /** Called once, when the body has been read or the response released (phase timings). */
  onDone?: ((error: unknown) => void) | null;
}

/**
 * An error while reading a body as urllib3 raises it: a read timeout as
 * ReadTimeoutError, a TLS failure as SSLError, a cut or broken body as
 * ProtocolError('Connection broken: ...'), each with the httpwire
 * exception as `cause`; an abort as the signal's reason.
 */
function readError(e: unknown, pool: PoolLike | null, url: string, signal: AbortSignal | null): unknown {
  if (signal?.aborted) return signal.reason;
  if (e instanceof DecodeError || e instanceof ProtocolError || e instanceof ReadTimeoutError) return e;
  if (e instanceof PyTimeoutError) return withCause(new ReadTimeoutError(pool, url, 'Read timed out.'), e);
  if (e instanceof PySSLError) return withCause(new SSLError(e), e);
  if (e instanceof HTTPException || e instanceof OSError) return withCause(new ProtocolError(`Connection broken: ${pyRepr(e)}`, e), e);
  return e;
}

/** Options of `read()` and `stream()`. */
export interface ReadOptions {
  /** Decode the Content-Encoding (default: the response's `decode_content`). */
  decode_content?: boolean;
  /** Keep the whole body in `data` when read whole (default true, as `data` then works). */
  cache_content?: boolean;
}

/**
 * urllib3's `HTTPResponse`: status, headers and the body of one response
 * from a pool. Returned by `urlopen()`/`request()`; with `preload_content`
 * (the default) the body is already in `data`.
 */
export class HTTPResponse {
  static readonly REDIRECT_STATUSES = REDIRECT_STATUSES;
  readonly status: number;
  readonly reason: string;
  /** 10 or 11, as http.client's. */
  readonly version: number;
  /** The response headers (http.client's HTTPMessage: `get(name)`, case-insensitive). */
  readonly headers: HTTPMessage;
  /** The URL requested (absolute when it came through a PoolManager). */
  url: string;
  /** The Retry state after this request (its `history` lists the retries and redirects before it). */
  retries: Retry | null;
  decode_content: boolean;
  /** The http.client response underneath (null once released). */
  _fp: RawResponse | null;
  private _pool: ResponsePool | null;
  private _connection: HTTPConnection | null;
  private _body: Uint8Array | null = null;
  private _decoded: AsyncIterator<Uint8Array> | null = null;
  private _decodedFor: boolean | null = null;
  private _chainMade: ContentDecoder | null = null;
  private _pending: Uint8Array = EMPTY;
  private _finished = false;
  private readonly _signal: AbortSignal | null;
  private _onDone: ((error: unknown) => void) | null;

  constructor(raw: RawResponse, options: PoolResponseOptions) {
    this._fp = raw;
    this.status = raw.status;
    this.reason = raw.reason;
    this.version = raw.version;
    this.headers = raw.headers;
    this.url = options.url;
    this.retries = options.retries;
    this.decode_content = options.decode_content;
    this._pool = options.pool;
    this._connection = options.connection;
    this._signal = options.signal;
    this._onDone = options.onDone ?? null;
  }

  /** The connection this response is read from, until it is released. */
  get connection(): HTTPConnection | null {
    return this._connection;
  }

  /** The Location of a redirect (301, 302, 303, 307, 308), else false. */
  get_redirect_location(): string | null | false {
    if (REDIRECT_STATUSES.has(this.status)) return this.headers.get('location') ?? null;
    return false;
  }

  /** The URL requested. */
  geturl(): string {
    return this.url;
  }

  /**
   * The whole body (decoded), when it was preloaded or read whole.
   * Raises ValueError if the body was not read yet: with `preload_content:
   * false`, call `await read()` first (a property cannot wait).
   */
  get data(): Uint8Array {
    if (this._body !== null) return this._body;
    if (this._finished) return EMPTY;
    throw new ValueError('the body was not read: the response was made with preload_content false; await read() first');
  }

  /** The body parsed as JSON (UTF-8), as urllib3's `json()`. */
  json(): unknown {
    return JSON.parse(new TextDecoder('utf-8').decode(this.data));
  }

  /** True once the body was read to its end or the response closed. */
  get closed(): boolean {
    return this._fp === null || this._fp.isclosed();
  }

  isclosed(): boolean {
    return this.closed;
  }

  /** Body bytes still to come by Content-Length (null when unknown). */
  get length_remaining(): number | null {
    return this._fp?.length ?? null;
  }

  /**
   * Up to `amt` body bytes (all of it when `amt` is null), decoded unless
   * `decode_content` is false; empty bytes at the end. Reading the body to
   * its end releases the connection to the pool.
   */
  async read(amt: number | null = null, options: ReadOptions = {}): Promise<Uint8Array> {
    const decode = options.decode_content ?? this.decode_content;
    if (amt !== null && (!Number.isInteger(amt) || amt < 0)) throw new ValueError('amt must be a non-negative integer or null');
    if (this._finished && this._pending.length === 0) return EMPTY;
    let out: Uint8Array;
    try {
      const chain = decode ? this._chain() : null;
      if (chain === null) {
        out = await this._readRaw(amt);
      } else if (amt === null && this._decoded === null && chain.whole) {
        // The whole body at once: one raw read and a one-shot decode.
        const fp = this._fp;
        out = fp === null ? EMPTY : chain.whole(await fp.read(null, { signal: this._signal }));
      } else {
        this._decoded ??= chain(this._rawPieces())[Symbol.asyncIterator]();
        out = await this._readDecoded(amt);
      }
    } catch (e) {
      const err = readError(e, this._pool, this.url, this._signal);
      this._fail(err);
      throw err;
    }
    if (amt === null) {
      if (options.cache_content ?? true) this._body = out;
      this._end();
    }
    return out;
  }

  /** The body in pieces of at most `amt` bytes (decoded unless `decode_content` is false). */
  async *stream(amt: number | null = RAW_READ, decode_content?: boolean): AsyncGenerator<Uint8Array> {
    for (;;) {
      const piece = await this.read(amt ?? RAW_READ, { decode_content: decode_content ?? this.decode_content, cache_content: false });
      if (piece.length === 0) return;
      yield piece;
    }
  }

  /** `for await (const piece of response)`: stream(). */
  [Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    return this.stream();
  }

  /**
   * Gives the connection back to its pool now. Body bytes not read yet are
   * drained when few, else the transport is closed (the next request on
   * that connection reconnects).
   */
  release_conn(): void {
    const conn = this._connection;
    const pool = this._pool;
    if (conn === null) return;
    this._connection = null;
    const fp = this._fp;
    if (fp !== null && !fp.isclosed()) fp.close();
    this._finish(null);
    pool?._put_conn(conn);
  }

  /** Reads the rest of the raw body (a little: DRAIN_MAX) so the connection can be reused, then releases it. */
  async drain_conn(): Promise<void> {
    const fp = this._fp;
    try {
      if (fp !== null && !fp.isclosed() && (fp.length === null || fp.length <= DRAIN_MAX)) {
        let left = DRAIN_MAX;
        while (left > 0 && !fp.isclosed()) {
          const piece = await fp.read(Math.min(left, RAW_READ), { signal: this._signal });
          if (piece.length === 0) break;
          left -= piece.length;
        }
      }
    } catch {
      // A body that fails to drain only costs the connection its transport.
    }
    this.release_conn();
  }

  /** Closes the response (and its transport, unless the body was read); the connection goes back to the pool. */
  close(): void {
    this._fp?.close();
    this.release_conn();
    this._fp = null;
  }

  /** `await using res = await pool.request(...)` releases it. */
  async [Symbol.asyncDispose](): Promise<void> {
    this.release_conn();
  }

  // ------------------------------------------------------------ internals

  /** The decoder chain for the Content-Encoding, made once; null when there is nothing to decode. */
  private _chain(): ContentDecoder | null {
    if (this._decodedFor === true) return this._chainMade;
    const chain = decoderChain(this.headers.get('content-encoding'));
    if (chain === null) return null;
    if (this._decodedFor === false) throw new ValueError('decode_content cannot be switched on after raw body bytes were read');
    this._decodedFor = true;
    this._chainMade = chain;
    return chain;
  }

  /** The raw body, one transport read at a time (bounded: RAW_READ). */
  private async *_rawPieces(): AsyncGenerator<Uint8Array> {
    for (;;) {
      const fp = this._fp;
      if (fp === null) return;
      const piece = await fp.read1(RAW_READ, { signal: this._signal });
      if (piece.length === 0) return;
      yield piece;
    }
  }

  private async _readRaw(amt: number | null): Promise<Uint8Array> {
    const fp = this._fp;
    if (fp === null) return EMPTY;
    if (this._decodedFor === null && this.headers.get('content-encoding')) this._decodedFor = false;
    const out = await fp.read(amt, { signal: this._signal });
    if (fp.isclosed() || (amt !== null && amt > 0 && out.length === 0)) this._end();
    return out;
  }

  private async _readDecoded(amt: number | null): Promise<Uint8Array> {
    const it = this._decoded!;
    const pieces: Uint8Array[] = [];
    let have = 0;
    if (this._pending.length > 0) {
      pieces.push(this._pending);
      have = this._pending.length;
      this._pending = EMPTY;
    }
    while (amt === null || have < amt) {
      const r = await it.next();
      if (r.done) {
        this._end();
        break;
      }
      pieces.push(r.value);
      have += r.value.length;
    }
    const all = pieces.length === 1 ? pieces[0]! : concatBytes(pieces, have);
    if (amt === null || all.length <= amt) return all;
    this._pending = all.subarray(amt);
    return all.subarray(0, amt);
  }

  /** The body ended: the connection goes back to the pool. */
  private _end(): void {
    if (this._finished) return;
    this._finished = true;
    this.release_conn();
  }

  /** A read failed: the transport is dropped and the connection goes back (it reconnects). */
  private _fail(err: unknown): void {
    this._finished = true;
    this._fp?.close();
    this._finish(err);
    const conn = this._connection;
    if (conn !== null) {
      conn.close();
      this._connection = null;
      this._pool?._put_conn(conn);
    }
  }

  private _finish(error: unknown): void {
    const done = this._onDone;
    if (done !== null) {
      this._onDone = null;
      done(error);
    }
  }
}

