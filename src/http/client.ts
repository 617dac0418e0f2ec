// HTTPConnection and HTTPSConnection: CPython's http.client connection
// classes over a Transport, a Python-named shell over the core. The
// connection's states are the table in src/core/connection.ts (asked before
// anything changes; CPython's exception where it has no row); the request's
// bytes come from src/core/request-writer.ts; a caller's headers and bodies
// become bytes in request-input.ts. Where CPython leaves a connection stuck
// or lets CR/LF through, this file says so and does better
// (docs/differences.md lists each case).
import { disallowedMethodChar, disallowedUrlChar, splitHostPort, wrapIpv6 } from '../core/request.js';
import {
  ACCEPT_IDENTITY_LINE,
  bodyLength,
  connectHead,
  frameChunk,
  headerLine,
  headWithBody,
  hostValue,
  idnaHost,
  isBlob,
  isBytesLike,
  isFileLike,
  isIterable,
  joinHead,
  LAST_CHUNK,
  requestFraming,
  type BytesLike,
  type ReadableFile,
} from '../core/request-writer.js';
import {
  blockBytes,
  chunkBytes,
  debugRepr,
  encodeLatin1,
  GIVEN_ACCEPT_ENCODING,
  GIVEN_CONTENT_LENGTH,
  GIVEN_HOST,
  GIVEN_TRANSFER_ENCODING,
  givenHeaders,
  headerName,
  headerValue,
  isTextStream,
  readBlocks,
  type FileHandleLike,
  type HeaderValue,
  type RequestBody,
  type RequestHeaders,
} from './request-input.js';
import { ConnectionEvent, ConnectionState, nextState } from '../core/connection.js';
import { bytesView } from '../core/buffer.js';
import { encodeBelow } from '../core/latin1.js';
import type { ConnectOptions, TlsOptions, Transport, TransportFactory } from '../transport/types.js';
import { HTTPS_PORT, HTTP_PORT } from './constants.js';
import {
  CannotSendHeader,
  CannotSendRequest,
  ConnectionAbortedError,
  ConnectionError,
  InvalidURL,
  NotConnected,
  OSError,
  pyRepr,
  ResponseNotReady,
  RuntimeError,
  TypeError as PyTypeError,
  UnicodeEncodeError,
  ValueError,
} from './exceptions.js';
import type { HTTPMessage } from './message.js';
import { pyEncode } from '../python/codecs.js';
import { pyModules, pyType } from '../python/repr.js';
import { abortable, type SignalOption } from './abort.js';
import { placeError, pythonError, type ErrorPhase } from './oserror.js';
import { observe } from './observe.js';
import { debugPrint, HTTPResponse } from './response.js';
import { create_default_context, type SSLContext } from './ssl.js';

/** CPython's names of the connection states (`_CS_IDLE`, ...), shown in its exceptions; by ConnectionState. */
const STATE_NAMES = ['Idle', 'Request-started', 'Request-sent'];

/** How many of request()'s header lines a connection keeps for reuse (see `_putGivenHeaders`). */
const GIVEN_LINES_MAX = 8;

let defaultTransportFactory: TransportFactory | null = null;

/**
 * Sets the transport factory connections use when none is given (the Node
 * entry point installs node:net/tls; other runtimes pass one per connection).
 */
export function setDefaultTransportFactory(factory: TransportFactory | null): void {
  defaultTransportFactory = factory;
}

export type { BytesLike, FileHandleLike, HeaderValue, ReadableFile, RequestBody, RequestHeaders };

/** Options of `new HTTPConnection(host, port, options)` (Python's keyword arguments). */
export interface HTTPConnectionOptions {
  /** Seconds for connect and for each read or write; null or omitted: no timeout. */
  timeout?: number | null;
  /** [host, port] to bind the local end to. */
  source_address?: [string, number] | null;
  /** Bytes per read of a file-like body. Default 8192. */
  blocksize?: number;
  /** How to open the byte stream; default: the runtime's (node:net/tls in Node). */
  transportFactory?: TransportFactory;
  /**
   * Strict mode (docs/strict-mode.md): refuse responses with the framing
   * request smuggling and response splitting rely on (StrictViolation),
   * and refuse to send obs-fold in header values, a space in a header name
   * or in the method (ValueError). Default false: CPython's rules.
   */
  strict?: boolean;
  /**
   * Cancels every call of this connection (and of its responses) once
   * aborted: the pending call rejects with `signal.reason` and the
   * connection is closed; while the signal stays aborted every later call
   * rejects the same way.
   */
  signal?: AbortSignal | null;
}

/** The options object every Promise-returning call takes (beyond Python): cancellation. */
export interface CallOptions {
  /** Aborting rejects the call with `signal.reason` and closes the connection (the next request reconnects). */
  signal?: AbortSignal | null;
}

/** Options of `new HTTPSConnection(host, port, options)`. */
export interface HTTPSConnectionOptions extends HTTPConnectionOptions {
  /** The TLS settings; default: `create_default_context()` with ALPN http/1.1. */
  context?: SSLContext | null;
}

/** Python's `host.encode('idna')`: UnicodeEncodeError for a name IDNA refuses. */
function idnaEncode(host: string): string {
  const name = idnaHost(host);
  if (name === null) throw idnaError(host);
  return name;
}

function idnaError(host: string): UnicodeEncodeError {
  return new UnicodeEncodeError('idna', host, 0, Array.from(host).length, 'label invalid');
}

/**
 * Python's `http.client.HTTPConnection`: one HTTP/1.1 connection to
 * `host:port`, opened on the first request (or `connect()`), kept alive
 * between requests when the server allows, reopened after the server or
 * an error closed it. Requests go one at a time: `request()` (or
 * `putrequest()` / `putheader()` / `endheaders()`), then `getresponse()`,
 * then read the response before the next `getresponse()`.
 */
export class HTTPConnection {
  static readonly default_port: number = HTTP_PORT;
  static response_class: typeof HTTPResponse = HTTPResponse;
  /** 80 here, 443 for HTTPSConnection (also on the class). */
  declare default_port: number;
  /** The class `getresponse()` makes (a subclass of HTTPResponse may be set). */
  declare response_class: typeof HTTPResponse;
  /** Connect on demand when sending (CPython's auto_open); 0 raises NotConnected instead. */
  declare auto_open: number;
  declare _http_vsn: number;
  declare _http_vsn_str: string;

  host: string;
  port: number;
  timeout: number | null;
  source_address: [string, number] | null;
  blocksize: number;
  /** Strict mode for the responses read on this connection (see HTTPConnectionOptions). */
  strict: boolean;
  /** The connection-wide AbortSignal (see HTTPConnectionOptions), or null. */
  signal: AbortSignal | null;
  debuglevel = 0;
  /** The open transport, or null. Assignable (tests put a MemoryTransport here). */
  sock: Transport | null = null;
  /** Opens transports (Python's `socket.create_connection`); assignable. */
  _create_connection: TransportFactory;
  _buffer: Uint8Array[] = [];
  _method: string | null = null;
  _url: string | null = null;
  _tunnel_host: string | null = null;
  _tunnel_port: number | null = null;
  _tunnel_headers: Record<string, string> = {};
  _raw_proxy_headers: Uint8Array[] | null = null;
  private _proxy_message: HTTPMessage | null = null;
  /** Where the connection is in the core's table (src/core/connection.ts). */
  private _cs: ConnectionState = ConnectionState.IDLE;
  private _response: HTTPResponse | null = null;
  /** Counts close() calls: a request or connect that sees it change was aborted by close(). */
  private _epoch = 0;
  /** Aborts the connect in progress (its half-open socket is destroyed at once); close() fires it. */
  private _connecting: AbortController | null = null;
  /** Some byte of the current request reached the transport. */
  private _requestWritten = false;
  /** The transport a response was last read from: a request on it reuses the connection. */
  private _usedSock: Transport | null = null;
  /**
   * This server (or proxy) closed a reused connection just as a request went
   * out: it closes after responses without saying so. From then on a reused
   * connection gets one turn of the event loop before its first byte, so
   * that a FIN already on its way is seen and the request reconnects.
   */
  private _closesAfterResponses = false;
  /** The automatic Host line last made, and the host and port it was made for. */
  private _hostLine: Uint8Array | null = null;
  private _hostLineKey: string | null = null;
  /** request()'s header lines of earlier requests, by position (see `_putGivenHeaders`). */
  private readonly _givenLines: { name: string; value: string; strict: boolean; line: Uint8Array }[] = [];

  /**
   * `host` may carry the port (`example.com:8080`, `[::1]:8080`) when
   * `port` is omitted. Raises InvalidURL for a non-numeric port or a
   * control character or space in the host.
   */
  constructor(
    host: string,
    port?: number | null,
    options: HTTPConnectionOptions | number | null = {},
    source_address?: [string, number] | null,
    blocksize?: number,
  ) {
    // Python's HTTPConnection also takes timeout, source_address and
    // blocksize by position: HTTPConnection(host, port, 10).
    if (options === null || typeof options !== 'object') {
      options = { timeout: options ?? null };
      if (source_address !== undefined) options.source_address = source_address;
      if (blocksize !== undefined) options.blocksize = blocksize;
    } else if (source_address !== undefined || blocksize !== undefined) {
      throw new PyTypeError('source_address and blocksize go in the options object when options are given');
    }
    this.timeout = options.timeout ?? null;
    this.source_address = options.source_address ?? null;
    this.blocksize = options.blocksize ?? 8192;
    this.strict = options.strict ?? false;
    this.signal = options.signal ?? null;
    [this.host, this.port] = this._get_hostport(host, port);
    this._validate_host(this.host);
    const factory = options.transportFactory ?? defaultTransportFactory;
    this._create_connection =
      factory ??
      (() => Promise.reject(new NotConnected('no transport: pass the transportFactory option (no default in this runtime)')));
  }

  /** CPython's `_get_hostport`: [host, port] from `host[:port]`, brackets removed. */
  _get_hostport(host: string, port?: number | null): [string, number] {
    const r = splitHostPort(host, port, this.default_port);
    if ('error' in r) throw new InvalidURL(`nonnumeric port: '${r.error}'`);
    return [r.host, r.port];
  }

  /** Sets the debug level: above 0, requests and responses are printed as Python prints them. */
  set_debuglevel(level: number): void {
    this.debuglevel = level;
  }

  /**
   * Sends requests through an HTTP proxy: `this.host:this.port` is the
   * proxy, and `host:port` the server reached with CONNECT. `headers` go
   * with the CONNECT request (a Host header is added if missing). Must be
   * called before the connection opens (RuntimeError otherwise).
   */
  set_tunnel(host: string, port?: number | null, headers?: Record<string, string> | Map<string, string> | null): void {
    if (this.sock) throw new RuntimeError("Can't set up tunnel for established connection");
    const [h, p] = this._get_hostport(host, port);
    // CPython does not check these; a CR/LF here would inject into CONNECT.
    this._validate_host(h);
    const copy: Record<string, string> = {};
    for (const [k, v] of headers instanceof Map ? headers.entries() : Object.entries(headers ?? {})) {
      headerName(k, this.strict);
      headerValue(v, this.strict);
      copy[k] = v;
    }
    this._tunnel_host = h;
    this._tunnel_port = p;
    this._tunnel_headers = copy;
    if (!Object.keys(copy).some((k) => k.toLowerCase() === 'host')) {
      // CPython omits the brackets of an IPv6 literal here; a Host header needs them.
      copy['Host'] = `${wrapIpv6(idnaEncode(h))}:${p}`;
    }
  }

  /** The headers of the proxy's answer to CONNECT, or null if no tunnel was set up. */
  get_proxy_response_headers(): HTTPMessage | null {
    return this._raw_proxy_headers !== null ? this._proxy_message : null;
  }

  /** TLS options for the server (none for plain HTTP). */
  protected _tls_options(): TlsOptions | null {
    return null;
  }

  /**
   * True when a transport is open and has seen neither the peer's FIN or
   * reset, nor an error, nor a local close (urllib3 2.x's name). Cheap, no
   * I/O: a pool can test a connection before handing it out. A request on
   * a connection whose peer is known gone reconnects before writing.
   */
  get is_connected(): boolean {
    const sock = this.sock;
    return sock !== null && !sock.closed && sock.peerClosed !== true;
  }

  /** Runs `work` under this connection's signal and `signal`: an abort closes the connection. */
  private _guard<T>(signal: SignalOption, work: () => Promise<T>): Promise<T> {
    if (!signal && !this.signal) return work();
    return abortable(
      this.signal,
      signal,
      () => {
        this._on(ConnectionEvent.ABORT);
        this.close();
      },
      work,
    );
  }

  /**
   * Takes the table's row for `event` (src/core/connection.ts): true and
   * the next state, or false and no change where the table has none.
   */
  private _on(event: ConnectionEvent): boolean {
    const next = nextState(this._cs, event, this._requestWritten);
    if (next < 0) return false;
    this._cs = next as ConnectionState;
    return true;
  }

  /** Adds host, port and `phase` to a connection error raised here (its text stays CPython's). */
  private _place<T>(err: T, phase: ErrorPhase): T {
    return placeError(err, this.host, this.port, phase);
  }

  /** Opens the connection (and the tunnel, if set). Requests open it on demand. */
  connect(options: CallOptions = {}): Promise<void> {
    return this._guard(options?.signal, () => this._connect());
  }

  private async _connect(): Promise<void> {
    // A second connect() replaces the transport (CPython drops the old socket).
    if (this.sock) {
      this.sock.close();
      this.sock = null;
    }
    const epoch = this._epoch;
    observe.connect?.(this, this.host, this.port);
    const tlsOpts = this._tls_options();
    // close() (or an abort, which calls it) during the connect destroys the
    // socket at once, rather than leaving it half-open until the connect ends.
    const connecting = new AbortController();
    this._connecting = connecting;
    const options: ConnectOptions = {
      host: this.host,
      port: this.port,
      timeout: this.timeout,
      source_address: this.source_address,
      tls: this._tunnel_host ? null : tlsOpts,
      signal: connecting.signal,
    };
    try {
      await this._open(options, tlsOpts, epoch, connecting.signal);
    } finally {
      if (this._connecting === connecting) this._connecting = null;
    }
  }

  /** The rest of _connect: the transport, then the tunnel and its TLS if set. */
  private async _open(options: ConnectOptions, tlsOpts: TlsOptions | null, epoch: number, signal: AbortSignal): Promise<void> {
    let sock: Transport;
    try {
      sock = await this._create_connection(options);
    } catch (e) {
      if (this._epoch !== epoch) throw closedDuringRequest();
      throw this._place(pythonError(e, this.host), 'connect');
    }
    if (this._epoch !== epoch) {
      // close() was called while connecting: the new transport is not ours to keep.
      sock.close();
      throw closedDuringRequest();
    }
    this.sock = sock;
    if (this._tunnel_host) {
      try {
        await this._tunnel();
      } catch (e) {
        // The CONNECT exchange is part of connecting: no byte of the request went out.
        throw this._place(e, 'connect');
      }
      if (tlsOpts) {
        const plain = this.sock!;
        if (!plain.startTls) {
          this.close();
          throw new OSError('the transport cannot start TLS inside a tunnel');
        }
        let secured: Transport;
        try {
          secured = await plain.startTls(tlsOpts, signal);
        } catch (e) {
          if (this._epoch !== epoch) throw closedDuringRequest();
          this.sock = null;
          plain.close();
          throw this._place(pythonError(e, this._tunnel_host), 'tls');
        }
        if (this._epoch !== epoch) {
          secured.close();
          throw closedDuringRequest();
        }
        this.sock = secured;
      }
    }
  }

  /** Sends CONNECT and reads the proxy's answer (CPython's `_tunnel`). */
  private async _tunnel(): Promise<void> {
    const host = wrapIpv6(idnaEncode(this._tunnel_host!));
    const head = connectHead(host, this._tunnel_port!, this._http_vsn_str, Object.entries(this._tunnel_headers));
    await this.send(pyEncode(head, 'latin-1'));
    const response = new this.response_class(this.sock!, { method: this._method, strict: this.strict });
    try {
      const head = await response._read_tunnel_head();
      this._raw_proxy_headers = head.lines;
      this._proxy_message = head.message;
      if (this.debuglevel > 0) {
        for (const line of head.lines) debugPrint('header:', String.fromCharCode(...line));
      }
      if (head.status !== 200) {
        this.close();
        throw new OSError(`Tunnel connection failed: ${head.status} ${head.reason.trim()}`);
      }
    } catch (e) {
      if (this.sock && !(e instanceof OSError)) this.close();
      throw e;
    } finally {
      response.close();
    }
  }

  /** Closes the connection and any response still open on it. The next request reopens it. */
  close(): void {
    this._on(ConnectionEvent.CLOSE);
    this._epoch++;
    const connecting = this._connecting;
    if (connecting) {
      this._connecting = null;
      connecting.abort();
    }
    try {
      const sock = this.sock;
      if (sock) {
        this.sock = null;
        sock.close();
      }
    } finally {
      const response = this._response;
      if (response) {
        this._response = null;
        response.close();
      }
    }
  }

  /** `await using conn = new HTTPConnection(...)` closes it. */
  async [Symbol.asyncDispose](): Promise<void> {
    this.close();
  }

  /**
   * Writes to the transport (`data` in order, as one write where the
   * transport can); a failure raises the Python OSError and leaves the
   * connection as it is.
   */
  private async _write(data: Uint8Array | Uint8Array[]): Promise<void> {
    const sock = this.sock!;
    try {
      if (!Array.isArray(data)) await sock.write(data);
      else if (sock.writev) await sock.writev(data);
      else for (const piece of data) await sock.write(piece);
      this._requestWritten = true;
    } catch (e) {
      // As CPython, the connection stays open and 'Request-sent': a server
      // that stopped reading (EPIPE) may already have answered, with a 401 or
      // a 413, and getresponse() still reads that answer (test_epipe).
      // getresponse() or close() then frees the connection for the next request.
      if (sock === this._usedSock && !this._requestWritten) this._closesAfterResponses = true;
      throw this._place(pythonError(e), 'write');
    }
  }

  /**
   * Sends `data` as it is: bytes, a Latin-1 string, a file-like body (read
   * in `blocksize` blocks), or an iterable of bytes. Opens the connection
   * first if needed (NotConnected when `auto_open` is 0).
   */
  send(data: RequestBody, options: CallOptions = {}): Promise<void> {
    return this._guard(options?.signal, () => this._send(data));
  }

  private async _send(data: RequestBody): Promise<void> {
    // A transport closed under the connection (a timeout, a refused
    // response) is replaced, as after close().
    if (this.sock !== null && this.sock.closed) this.sock = null;
    if (this.sock === null) {
      if (!this.auto_open) throw new NotConnected();
      try {
        await this.connect();
      } catch (e) {
        // Nothing of the request was written: the connection is idle again.
        if (this._on(ConnectionEvent.CONNECT_FAILED)) this._buffer = [];
        throw e;
      }
    }
    if (this.debuglevel > 0) debugPrint('send:', debugRepr(data));
    // After close() (or an abort) the rest of a streamed body must not go
    // to whatever connection is opened next.
    const epoch = this._epoch;
    if (isFileLike(data) || isBlob(data)) {
      if (this.debuglevel > 0) debugPrint('sending a readable');
      for await (const block of this._read_readable(data)) {
        if (this._epoch !== epoch) throw closedDuringRequest();
        observe.send?.(this, block);
        await this._write(block);
      }
      return;
    }
    observe.send?.(this, data);
    if (typeof data === 'string') return this._write(encodeLatin1(data, 'data'));
    if (isBytesLike(data)) return this._write(bytesView(data)!);
    if (isIterable(data)) {
      for await (const d of data as AsyncIterable<unknown>) {
        if (this._epoch !== epoch) throw closedDuringRequest();
        await this._write(chunkBytes(d));
      }
      return;
    }
    throw new PyTypeError(`data should be a bytes-like object or an iterable, got ${pyType(data)}`);
  }

  /** The blocks of a file-like body, at most `blocksize` bytes each (CPython's `_read_readable`). */
  async *_read_readable(readable: unknown): AsyncGenerator<Uint8Array> {
    if (this.debuglevel > 0 && isTextStream(readable)) debugPrint('encoding file using iso-8859-1');
    yield* readBlocks(readable, this.blocksize, blockBytes);
  }

  /** True while the table lets a stale transport be replaced (nothing of the request written yet). */
  private _mayReplace(): boolean {
    return nextState(this._cs, ConnectionEvent.PEER_CLOSED, this._requestWritten) >= 0;
  }

  /** Adds a line to the request head being built (no CRLF). */
  _output(s: Uint8Array): void {
    this._buffer.push(s);
  }

  /** Sends the buffered head, then the body (framed when `encode_chunked`). */
  private async _send_output(message_body: RequestBody, encode_chunked: boolean): Promise<void> {
    const epoch = this._epoch;
    const head = joinHead(this._buffer);
    this._buffer = [];
    const chunked = encode_chunked && this._http_vsn === 11;
    const none = message_body === null || message_body === undefined;
    // A kept-alive transport whose peer has closed since is replaced before
    // a byte of this request is written (the table's PEER_CLOSED row).
    let stale = this.sock;
    if (stale !== null && stale === this._usedSock && this._mayReplace() && !stale.peerClosed) {
      // The transport resumed a socket paused at its read-ahead limit (a
      // large response): the FIN that followed the response is still
      // unread. Waits one poll turn, only then (null otherwise: no cost).
      const known = stale.whenPeerKnown?.();
      if (known) {
        await known;
        if (this._epoch !== epoch) throw closedDuringRequest();
        stale = this.sock;
      }
    }
    if (stale !== null && this._closesAfterResponses && stale === this._usedSock && this._mayReplace() && !stale.peerClosed) {
      // The FIN of such a server arrives with, or just after, the last
      // bytes of the response: one macrotask lets the transport see it.
      await new Promise<void>((resolve) => setTimeout(resolve, 0));
      if (this._epoch !== epoch) throw closedDuringRequest();
      stale = this.sock;
    }
    if (stale !== null && stale.peerClosed === true && this._on(ConnectionEvent.PEER_CLOSED)) {
      this.sock = null;
      stale.close();
    }
    if (
      this.sock !== null &&
      !this.sock.closed &&
      this.debuglevel === 0 &&
      this.send === HTTPConnection.prototype.send &&
      (none || (isBytesLike(message_body) && !chunked))
    ) {
      // The common request, on an open connection: a small bytes body goes
      // out in the same write as the head (copied), a large one with it as
      // one writev, so that it never goes out after its head failed (the
      // same bytes and audit events as through send(), which a subclass
      // that overrides it still gets).
      observe.send?.(this, head);
      const body = none ? null : bytesView(message_body as BytesLike)!;
      if (body !== null && body.length > 0) observe.send?.(this, body);
      await this._write(headWithBody(head, body));
      observe.headersSent?.({ connection: this, method: this._method ?? '', url: this._url ?? '', headers: head });
      return;
    }
    await this.send(head);
    observe.headersSent?.({ connection: this, method: this._method ?? '', url: this._url ?? '', headers: head });
    if (none) return;
    let chunks: AsyncIterable<unknown> | Iterable<unknown>;
    if (isFileLike(message_body) || isBlob(message_body)) {
      if (this.debuglevel > 0) debugPrint('reading a readable');
      chunks = this._read_readable(message_body);
    } else if (typeof message_body === 'string' || isBytesLike(message_body)) {
      chunks = [message_body];
    } else if (isIterable(message_body)) {
      chunks = message_body as Iterable<unknown>;
    } else {
      throw new PyTypeError(`message_body should be a bytes-like object or an iterable, got ${pyType(message_body)}`);
    }
    for await (const chunk of chunks as AsyncIterable<unknown>) {
      const bytes = chunkBytes(chunk);
      if (bytes.length === 0) {
        if (this.debuglevel > 0) debugPrint('Zero length chunk ignored');
        continue;
      }
      // After close() the rest of this body must not open a new connection
      // and arrive there as the start of a message.
      if (this._epoch !== epoch) throw closedDuringRequest();
      await this.send(chunked ? frameChunk(bytes) : bytes);
    }
    if (this._epoch !== epoch) throw closedDuringRequest();
    if (chunked) await this.send(LAST_CHUNK);
  }

  /**
   * Starts a request: the request line and the automatic `Host` and
   * `Accept-Encoding: identity` headers (unless skipped). Nothing is sent
   * until `endheaders()`. Raises CannotSendRequest unless the connection
   * is idle, ValueError for a control character in `method`, InvalidURL
   * for one (or a space) in `url`, UnicodeEncodeError for non-ASCII.
   */
  putrequest(
    method: string,
    url: string,
    options: { skip_host?: boolean; skip_accept_encoding?: boolean } | boolean = {},
    skip_accept_encoding?: boolean,
  ): void {
    // Python's putrequest(method, url, skip_host, skip_accept_encoding) by position too.
    if (typeof options !== 'object' || options === null) {
      options = { skip_host: Boolean(options), skip_accept_encoding: Boolean(skip_accept_encoding) };
    }
    if (this._response && this._response.isclosed()) this._response = null;
    if (nextState(this._cs, ConnectionEvent.START_REQUEST) < 0) throw new CannotSendRequest(STATE_NAMES[this._cs]);
    // Checked before the state changes: CPython checks after, and a refused
    // request then leaves the connection refusing every later one.
    this._validate_method(method);
    url = url || '/';
    this._validate_path(url);
    const requestLine = this._encode_request(`${method} ${url} ${this._http_vsn_str}`);
    this._on(ConnectionEvent.START_REQUEST);
    this._requestWritten = false;
    this._method = method;
    this._url = url;
    this._buffer = [];
    this._output(requestLine);
    if (this._http_vsn === 11) {
      // The automatic lines are the same on every request of a connection
      // (for a relative URL): made once and reused, unless a subclass
      // changes how headers are put.
      const own = this.putheader === HTTPConnection.prototype.putheader && this._putHost === HTTPConnection.prototype._putHost;
      if (!options.skip_host) {
        const key = own && !url.startsWith('http') ? `${this._tunnel_host ?? this.host}\n${this._tunnel_host ? this._tunnel_port : this.port}` : null;
        if (key !== null && key === this._hostLineKey) {
          this._output(this._hostLine!);
        } else {
          this._putHost(url);
          if (key !== null) {
            this._hostLineKey = key;
            this._hostLine = this._buffer[this._buffer.length - 1]!;
          }
        }
      }
      if (!options.skip_accept_encoding) {
        if (own) this._output(ACCEPT_IDENTITY_LINE);
        else this.putheader('Accept-Encoding', 'identity');
      }
    }
    observe.requestCreated?.({ connection: this, method, url });
  }

  /** The automatic Host header: from an absolute URL, else the (tunnel) host and port. */
  _putHost(url: string): void {
    const tunnel = this._tunnel_host;
    const host = hostValue(url, tunnel ?? this.host, tunnel ? this._tunnel_port! : this.port, this.default_port);
    if (typeof host !== 'string') throw host.error === 'ipv6' ? new ValueError('Invalid IPv6 URL') : idnaError(host.text);
    this.putheader('Host', host);
  }

  /**
   * The request line as bytes: ASCII, or UnicodeEncodeError. A subclass may
   * override it to send another encoding (CPython's hook, bpo-36274).
   */
  _encode_request(request: string): Uint8Array {
    return encodeBelow(request, 0x80) ?? pyEncode(request, 'ascii');
  }

  _validate_method(method: string): void {
    const bad = disallowedMethodChar(method, this.strict);
    if (bad !== null) {
      throw new ValueError(`method can't contain control characters. ${pyRepr(method)} (found at least ${pyRepr(bad)})`);
    }
  }

  _validate_path(url: string): void {
    refuseUrlChars(url);
  }

  _validate_host(host: string): void {
    refuseUrlChars(host);
  }

  /**
   * Adds a header line to the request being built; several values are
   * joined as CPython joins them (CRLF TAB). Raises CannotSendHeader
   * outside a request, ValueError for an invalid name or a value that would
   * break the line (CR/LF injection).
   */
  putheader(header: string | Uint8Array, ...values: HeaderValue[]): void {
    if (nextState(this._cs, ConnectionEvent.PUT_HEADER) < 0) throw new CannotSendHeader();
    const name = headerName(header, this.strict);
    this._output(headerLine(name, values.map((v) => headerValue(v, this.strict))));
  }

  /**
   * Ends the request head and sends it, followed by `message_body` if
   * given (framed as chunks with `encode_chunked`). Raises
   * CannotSendHeader unless a request was started.
   */
  async endheaders(message_body?: RequestBody, options: { encode_chunked?: boolean; signal?: AbortSignal | null } = {}): Promise<void> {
    if (!this._on(ConnectionEvent.END_HEADERS)) throw new CannotSendHeader();
    await this._guard(options.signal, () => this._send_output(message_body, options.encode_chunked ?? false));
  }

  /** CPython's `_get_content_length`: the body's length, 0 for no body on PATCH/POST/PUT, else null. */
  static _get_content_length(body: RequestBody, method: string): number | null {
    return bodyLength(body, method);
  }

  /**
   * Sends a whole request: `method` `url`, the headers, and `body`. Adds
   * `Content-Length` when the body's length is known (and for PATCH/POST/
   * PUT without a body), else `Transfer-Encoding: chunked` and frames the
   * body, unless the caller gave either header. A string body must be
   * Latin-1 (UnicodeEncodeError naming the text otherwise).
   */
  async request(
    method: string,
    url: string,
    body: RequestBody = null,
    headers: RequestHeaders | null = {},
    options: { encode_chunked?: boolean; signal?: AbortSignal | null } = {},
  ): Promise<void> {
    return this._guard(options?.signal, () => this._request(method, url, body, headers, options?.encode_chunked ?? false));
  }

  private async _request(
    method: string,
    url: string,
    body: RequestBody,
    headers: RequestHeaders | null,
    encode_chunked: boolean,
  ): Promise<void> {
    const { entries, given } = givenHeaders(headers);
    let sentHead = false;
    try {
      this.putrequest(method, url, { skip_host: (given & GIVEN_HOST) !== 0, skip_accept_encoding: (given & GIVEN_ACCEPT_ENCODING) !== 0 });
      // Through the class, as CPython's self._get_content_length: a subclass may replace it.
      const measure = (this.constructor as typeof HTTPConnection)._get_content_length;
      const framing = requestFraming(method, body, (given & GIVEN_CONTENT_LENGTH) !== 0, (given & GIVEN_TRANSFER_ENCODING) !== 0, encode_chunked, measure);
      if (framing.addChunked) {
        if (this.debuglevel > 0) debugPrint(`Unable to determine size of ${debugRepr(body)}`);
        this.putheader('Transfer-Encoding', 'chunked');
      } else if (framing.contentLength !== null) {
        this.putheader('Content-Length', String(framing.contentLength));
      }
      this._putGivenHeaders(entries);
      const encoded = typeof body === 'string' ? encodeLatin1(body, 'body') : body;
      sentHead = true;
      await this.endheaders(encoded, { encode_chunked: framing.chunked });
    } catch (e) {
      // A request refused before anything was sent leaves the connection
      // idle (the table's REFUSED row).
      if (!sentHead && this._on(ConnectionEvent.REFUSED)) this._buffer = [];
      observe.error?.({ connection: this, error: e });
      throw e;
    }
  }

  /**
   * request()'s header lines. A line made from the same name and value
   * strings at the same position in the last request is reused (a pool
   * sends the same User-Agent every time): the same bytes, checked then;
   * unless a subclass changes how headers are put.
   */
  private _putGivenHeaders(entries: readonly (readonly [string | Uint8Array, HeaderValue])[]): void {
    const own = this.putheader === HTTPConnection.prototype.putheader;
    const cache = this._givenLines;
    for (let i = 0; i < entries.length; i++) {
      const [k, v] = entries[i]!;
      const c = own && i < GIVEN_LINES_MAX ? cache[i] : undefined;
      if (c !== undefined && c.name === k && c.value === v && c.strict === this.strict) {
        this._output(c.line);
        continue;
      }
      this.putheader(k, v);
      if (own && i < GIVEN_LINES_MAX && typeof k === 'string' && typeof v === 'string') {
        cache[i] = { name: k, value: v, strict: this.strict, line: this._buffer[this._buffer.length - 1]! };
      }
    }
  }

  /**
   * The response to the request sent. Raises ResponseNotReady if no
   * request was sent or the previous response is still being read. A
   * response that will close the connection takes the transport with it;
   * the next request opens a new connection. On any error the connection
   * is closed, so the next request starts afresh.
   */
  getresponse(options: CallOptions = {}): Promise<HTTPResponse> {
    return this._guard(options?.signal, () => this._getresponse());
  }

  private async _getresponse(): Promise<HTTPResponse> {
    if (this._response && this._response.isclosed()) this._response = null;
    const state = STATE_NAMES[this._cs];
    if (nextState(this._cs, ConnectionEvent.READ_RESPONSE) < 0 || this._response) throw new ResponseNotReady(state);
    if (this.sock === null) {
      // The request never reached a transport: free the connection for the next one.
      this._on(ConnectionEvent.RESPONSE_FAILED);
      this.close();
      throw new ResponseNotReady(state);
    }
    const response = new this.response_class(this.sock, {
      debuglevel: this.debuglevel > 0 ? this.debuglevel : 0,
      method: this._method,
      strict: this.strict,
    });
    response._connection = this;
    const usedSock = this.sock === this._usedSock;
    // close() (or an abort) while the head is awaited: the connection may
    // already carry the next request, which this late failure must not touch.
    const epoch = this._epoch;
    try {
      try {
        await response.begin();
      } catch (e) {
        if (e instanceof ConnectionError && this._epoch === epoch) this.close();
        throw e;
      }
      if (this._epoch !== epoch) throw closedDuringRequest();
      this._on(ConnectionEvent.RESPONSE_HEAD);
      this._usedSock = this.sock;
      if (response.will_close) {
        // The response now owns the transport (CPython: the socket lives on in the response's file).
        response._takeTransport();
        this.sock = null;
        this.close();
      } else {
        this._response = response;
      }
      observe.responseHead?.({ connection: this, response });
      return response;
    } catch (e) {
      response.close();
      // The table's RESPONSE_FAILED row: the connection is closed (CPython
      // keeps it 'Request-sent' after a non-connection error, refusing
      // every later request).
      if (this._epoch === epoch) {
        this._on(ConnectionEvent.RESPONSE_FAILED);
        this.close();
      }
      // A reset or RemoteDisconnected with no byte of the response read is
      // the race a reused connection can lose (the peer closed it while the
      // request was in flight): response_bytes 0 says nothing was read, so
      // the caller may retry an idempotent request.
      this._place(e, 'read');
      if (e instanceof OSError && (e as { response_bytes?: number }).response_bytes === undefined) {
        (e as { response_bytes?: number }).response_bytes = response._bytesRead();
        // Lost on a reused connection: the server closes after responses.
        if (response._bytesRead() === 0 && e instanceof ConnectionError && usedSock) this._closesAfterResponses = true;
      }
      observe.error?.({ connection: this, error: e });
      throw e;
    }
  }
}

HTTPConnection.prototype.default_port = HTTP_PORT;
// Python shows http.client's classes with their module in type() reprs.
pyModules.set(HTTPConnection, 'http.client');
pyModules.set(HTTPResponse, 'http.client');
HTTPConnection.prototype.response_class = HTTPResponse;
HTTPConnection.prototype.auto_open = 1;
HTTPConnection.prototype._http_vsn = 11;
HTTPConnection.prototype._http_vsn_str = 'HTTP/1.1';

/** CPython's InvalidURL for a control character or space in a URL path or host. */
function refuseUrlChars(text: string): void {
  const bad = disallowedUrlChar(text);
  if (bad !== null) throw new InvalidURL(`URL can't contain control characters. ${pyRepr(text)} (found at least ${pyRepr(bad)})`);
}

/** The error of a request or connect that close() interrupted. */
function closedDuringRequest(): ConnectionAbortedError {
  return new ConnectionAbortedError('HTTPConnection.close() was called while the request was being sent');
}

/** CPython's `_create_https_context`: the default context, offering ALPN http/1.1. */
function createHttpsContext(httpVersion: number): SSLContext {
  const context = create_default_context();
  if (httpVersion === 11) context.set_alpn_protocols(['http/1.1']);
  return context;
}

/**
 * Python's `http.client.HTTPSConnection`: HTTPConnection over TLS. By
 * default the certificate and host name are verified against the
 * system's trusted CAs, with SNI and ALPN http/1.1; `context` changes
 * that (see `create_default_context`, `_create_unverified_context`).
 * Through `set_tunnel`, TLS runs inside the proxy's CONNECT tunnel.
 */
export class HTTPSConnection extends HTTPConnection {
  static override readonly default_port: number = HTTPS_PORT;
  _context: SSLContext;

  constructor(host: string, port?: number | null, options: HTTPSConnectionOptions = {}) {
    // Python's HTTPSConnection takes everything after port by keyword only.
    if (options === null || typeof options !== 'object') {
      throw new PyTypeError('HTTPSConnection takes its options (timeout, context, ...) as an object');
    }
    super(host, port, options);
    this._context = options.context ?? createHttpsContext(this._http_vsn);
  }

  protected override _tls_options(): TlsOptions {
    return this._context.tlsOptions(this._tunnel_host ?? this.host);
  }
}

HTTPSConnection.prototype.default_port = HTTPS_PORT;
pyModules.set(HTTPSConnection, 'http.client');
