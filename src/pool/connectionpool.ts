// urllib3's HTTPConnectionPool and HTTPSConnectionPool
// (urllib3/connectionpool.py, 2.x) over httpwire's HTTPConnection: keep-alive
// connections to one origin, reused newest first (urllib3's LIFO queue),
// checked for liveness before reuse; `maxsize` connections kept, and with
// `block` at most `maxsize` in use (others wait, bounded by `pool_timeout`
// and the AbortSignal). `urlopen()` sends one request with Retry (errors,
// status_forcelist, Retry-After), Timeout and same-host redirects.
import { HTTPConnection, HTTPSConnection, type RequestHeaders } from '../http/client.js';
import {
  gaierror,
  HTTPException,
  OSError,
  pyRepr,
  SSLError as PySSLError,
  TimeoutError as PyTimeoutError,
  ValueError,
} from '../http/exceptions.js';
import { create_default_context, CERT_NONE, CERT_REQUIRED, type SSLContext, type TLSVersion } from '../http/ssl.js';
import type { HTTPResponse as RawResponse } from '../http/response.js';
import type { Transport, TransportFactory } from '../transport/types.js';
import {
  ClosedPoolError,
  ConnectTimeoutError,
  EmptyPoolError,
  HostChangedError,
  MaxRetryError,
  NameResolutionError,
  NewConnectionError,
  ProtocolError,
  ProxyError,
  ReadTimeoutError,
  SSLError,
  UnrewindableBodyError,
  withCause,
} from './errors.js';
import { isConnected, poolObserve, requestNotSent, runtime, type PoolEvent, type TimingsEvent } from './hooks.js';
import { HTTPHeaderDict, hasHeader, mergeHeaders, mergedHeaders, prepareForMethodChange, withHeader, type Headers } from './headers.js';
import { encodeRequest, parse_url, type RequestBodyOptions } from './request.js';
import { HTTPResponse } from './response.js';
import { Retry } from './retry.js';
import { Timeout, toTimeout, type TimeoutValue } from './timeout.js';

/** Python's socket constants for `socket_options` (Linux's values). */
export const IPPROTO_TCP = 6;
export const TCP_NODELAY = 1;
export const SOL_SOCKET = 1;
export const SO_KEEPALIVE = 9;
export const TCP_KEEPIDLE = 4;
/** The options set on every connection unless `socket_options` is given (urllib3's HTTPConnection.default_socket_options). */
export const default_socket_options: readonly (readonly [number, number, number])[] = Object.freeze([Object.freeze([IPPROTO_TCP, TCP_NODELAY, 1] as const)]);
const SETTABLE = new Set([`${IPPROTO_TCP}:${TCP_NODELAY}`, `${SOL_SOCKET}:${SO_KEEPALIVE}`, `${IPPROTO_TCP}:${TCP_KEEPIDLE}`]);

/** The User-Agent sent when the caller gives none (urllib3 sends `python-urllib3/<version>`). */
export const DEFAULT_USER_AGENT = 'httpwire/0.1';

/** A proxy as a pool sees it. */
export interface ProxyConfig {
  scheme: 'http' | 'https';
  host: string;
  port: number;
  /** Headers for the proxy: on each absolute-form request, or on CONNECT. */
  headers: Headers;
  /** An https:// proxy: the SSLContext of the TLS connection to the proxy itself (urllib3's `proxy_ssl_context`). */
  ssl_context?: SSLContext | null;
  /** An https:// proxy and https:// targets: absolute-form requests to the proxy instead of a CONNECT tunnel. */
  use_forwarding_for_https?: boolean;
}

/** Options of `new HTTPConnectionPool(host, port, options)` (urllib3's keyword arguments). */
export interface HTTPConnectionPoolOptions {
  /** Default Timeout (or seconds for connect and read); default: no timeout. */
  timeout?: Timeout | TimeoutValue;
  /** Connections kept for reuse (and, with `block`, the most in use at once). Default 1. */
  maxsize?: number;
  /** Wait for a free connection instead of opening one beyond maxsize. Default false. */
  block?: boolean;
  /** Headers for every request that gives none. */
  headers?: Headers;
  /** Default Retry (or total count, or false). Default Retry.DEFAULT (3). */
  retries?: Retry | number | false | null;
  /** How connections open their transport (default: the runtime's). */
  transportFactory?: TransportFactory;
  /** httpwire's strict parsing for the responses (docs/strict-mode.md). */
  strict?: boolean;
  /**
   * urllib3's `socket_options`: [level, name, value] set on each new
   * connection's TCP socket, replacing the default
   * `default_socket_options` (TCP_NODELAY on). What Node can set:
   * TCP_NODELAY, SO_KEEPALIVE, TCP_KEEPIDLE; any other is a ValueError here.
   */
  socket_options?: readonly (readonly [number, number, number | boolean])[] | null;
  /** Through a proxy: for `http` pools, requests in absolute form to it; for `https` pools, a CONNECT tunnel. */
  _proxy?: ProxyConfig | null;
  _tunnel?: boolean;
}

/** TLS options of an HTTPS pool (urllib3's names). */
export interface HTTPSConnectionPoolOptions extends HTTPConnectionPoolOptions {
  /** The SSLContext to use as is (wins over the options below). */
  ssl_context?: SSLContext | null;
  /** CA bundle file to trust instead of the system's. */
  ca_certs?: string | null;
  ca_cert_dir?: string | null;
  ca_cert_data?: string | Uint8Array | null;
  /** 'CERT_NONE' turns verification off (and host name checks). Default 'CERT_REQUIRED'. */
  cert_reqs?: 'CERT_NONE' | 'CERT_REQUIRED' | number | null;
  /**
   * false: do not check the host name (the chain is still verified); a
   * name: check the certificate against it instead of the host connected
   * to (SNI unchanged; the Node transport), as urllib3.
   */
  assert_hostname?: string | false | null;
  cert_file?: string | null;
  key_file?: string | null;
  key_password?: string | null;
  /**
   * The server certificate's MD5, SHA-1 or SHA-256 digest in hex (colons
   * allowed): a connection whose certificate has another is an SSLError.
   * The host name is then not checked (the chain still is, unless
   * CERT_NONE), as urllib3.
   */
  assert_fingerprint?: string | null;
  /** The lowest and highest TLS version to use (`TLSVersion` values, as ssl.TLSVersion). */
  ssl_minimum_version?: TLSVersion | null;
  ssl_maximum_version?: TLSVersion | null;
}

/** Options of `urlopen()` (urllib3's keyword arguments, plus `signal`). */
export interface UrlopenOptions {
  body?: unknown;
  headers?: Headers | null;
  retries?: Retry | number | false | null;
  /** Follow redirects (same host only for a pool; any host for a PoolManager). Default true. */
  redirect?: boolean;
  /** Refuse URLs of another host (HostChangedError). Default true. */
  assert_same_host?: boolean;
  timeout?: Timeout | TimeoutValue;
  /** Seconds to wait for a free connection in block mode (default: no limit). */
  pool_timeout?: number | null;
  /**
   * Accepted for urllib3's signature; the connection goes back to the pool
   * when the body has been read to its end (or on release_conn()/close()) either way.
   */
  release_conn?: boolean;
  /** Send the body with Transfer-Encoding: chunked. */
  chunked?: boolean;
  /** Read the whole body before returning (default true). */
  preload_content?: boolean;
  /** Decode gzip/deflate/br/zstd (default true). */
  decode_content?: boolean;
  /** Cancels the request, the waits between retries and the body reads. */
  signal?: AbortSignal | null;
}

/** Options of `request()`: urlopen's plus `fields` and `json`. */
export interface RequestOptions extends UrlopenOptions, Omit<RequestBodyOptions, 'headers' | 'body'> {}

/**
 * The certificate did not match `assert_hostname`: urllib3's
 * CertificateError text (`hostname 'x' doesn't match 'a'`, or `either of
 * 'a', 'b'`, from the certificate's DNS names), found on the Node error
 * under `e`; null when `e` is not that failure.
 */
function hostnameMismatch(e: unknown, name: string): string | null {
  for (let c: unknown = e, depth = 0; c !== null && typeof c === 'object' && depth < 6; c = (c as { cause?: unknown }).cause, depth++) {
    const err = c as { code?: unknown; cert?: { subjectaltname?: string } };
    // The TransportError above it carries the same code, without the certificate.
    if (err.code !== 'ERR_TLS_CERT_ALTNAME_INVALID' || !err.cert) continue;
    const dns = (err.cert.subjectaltname ?? '').split(', ').filter((n) => n.startsWith('DNS:')).map((n) => pyRepr(n.slice(4)));
    if (dns.length === 0) return 'no appropriate subjectAltName fields were found';
    return `hostname ${pyRepr(name)} doesn't match ${dns.length > 1 ? `either of ${dns.join(', ')}` : dns[0]}`;
  }
  return null;
}

/** An error from opening a connection, as urllib3's HTTPConnection._new_conn raises it. */
function connectError(e: unknown, conn: HTTPConnection, timeout: number | null, assertHostname: string | null = null): unknown {
  if (e instanceof gaierror) return withCause(new NameResolutionError(conn.host, conn, e), e);
  if (e instanceof PyTimeoutError) {
    // urllib3's args are (conn, message); the message alone here, as for NewConnectionError (docs/pool.md).
    const err = new ConnectTimeoutError(`Connection to ${conn.host} timed out. (connect timeout=${timeout === null ? 'None' : timeout})`);
    Object.defineProperty(err, 'conn', { value: conn, writable: true, configurable: true });
    return withCause(err, e);
  }
  if (e instanceof PySSLError) {
    const mismatch = assertHostname === null ? null : hostnameMismatch(e, assertHostname);
    return withCause(new SSLError(mismatch ?? e), e);
  }
  if (e instanceof OSError) return withCause(new NewConnectionError(conn, `Failed to establish a new connection: ${e.message}`), e);
  return e;
}

/** An error of sending the request or reading the response head, as urllib3's urlopen wraps it. */
function requestError(e: unknown, pool: HTTPConnectionPool, url: string, readTimeout: number | null): unknown {
  if (e instanceof PyTimeoutError) {
    return withCause(new ReadTimeoutError(pool, url, `Read timed out. (read timeout=${readTimeout === null ? 'None' : readTimeout})`), e);
  }
  if (e instanceof PySSLError) return withCause(new SSLError(e), e);
  if (e instanceof OSError || e instanceof HTTPException) return withCause(new ProtocolError('Connection aborted.', e), e);
  return e;
}

/** The error for a request not a byte of which was sent: a connect error (retried for any method). */
function notSentError(e: unknown, conn: HTTPConnection): unknown {
  const inner = (e as { cause?: unknown }).cause ?? e;
  return withCause(new NewConnectionError(conn, `Failed to establish a new connection: ${inner instanceof Error ? inner.message : String(inner)}`), inner);
}

/**
 * Errors of the pool's own checks on a new connection (socket_options,
 * assert_fingerprint): thrown as they are, wherever the connect happened
 * (never wrapped as a connect, request or proxy error).
 */
const checkFailed = new WeakSet<object>();

/** A request body that can be sent again for a retry or redirect (bytes and text can; streams only before any byte went). */
function isReplayable(body: unknown): boolean {
  return body === null || body === undefined || typeof body === 'string' || body instanceof ArrayBuffer || ArrayBuffer.isView(body);
}

/**
 * `retries.increment` for a response about to be followed or retried, its
 * body drained either way. null: retries ran out and `raise` is off, so the
 * caller returns the response (undrained) as it is.
 */
export async function _incrementFor(
  retries: Retry,
  method: string,
  url: string,
  response: HTTPResponse,
  pool: HTTPConnectionPool,
  raise: 'raise_on_redirect' | 'raise_on_status',
): Promise<Retry | null> {
  let next: Retry;
  try {
    next = retries.increment(method, url, response, null, pool);
  } catch (e) {
    if (e instanceof MaxRetryError && !retries[raise]) return null;
    await response.drain_conn();
    throw e;
  }
  await response.drain_conn();
  return next;
}

/** A failed attempt that Retry decides about (urlopen's loop catches it; never seen by callers). */
class AttemptFailed {
  constructor(readonly error: unknown) {}
}

interface Waiter {
  resolve(conn: HTTPConnection | null): void;
  reject(e: unknown): void;
}

/**
 * urllib3's `HTTPConnectionPool`: connections to one host and port.
 * `await pool.request('GET', '/path')` or `pool.urlopen(...)`; `close()`
 * closes the idle connections and refuses further requests.
 */
export class HTTPConnectionPool {
  static readonly scheme: string = 'http';
  readonly scheme: string = 'http';
  readonly host: string;
  readonly port: number;
  timeout: Timeout;
  retries: Retry;
  readonly maxsize: number;
  readonly block: boolean;
  headers: Headers;
  readonly proxy: ProxyConfig | null;
  /** Requests go through the proxy in a CONNECT tunnel (https), not in absolute form (http). */
  readonly tunnel: boolean;
  /** Connections made so far (urllib3's `num_connections`) and requests sent (`num_requests`). */
  num_connections = 0;
  num_requests = 0;
  protected readonly transportFactory: TransportFactory | undefined;
  protected readonly strict: boolean;
  /** `socket_options` as given (null: the transport's own defaults, which are default_socket_options). */
  readonly socket_options: readonly (readonly [number, number, number | boolean])[] | null;
  /** Idle connections, newest last (reused first). */
  private idle: HTTPConnection[] = [];
  /** Connections handed out and not yet put back. */
  private inUse = 0;
  private waiters: Waiter[] = [];
  private closedPool = false;

  constructor(host: string, port?: number | null, options: HTTPConnectionPoolOptions = {}) {
    this.host = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
    this.port = port ?? this.defaultPort();
    this.timeout = toTimeout(options.timeout, new Timeout());
    this.retries = options.retries === undefined || options.retries === null ? Retry.DEFAULT : Retry.from_int(options.retries);
    this.maxsize = Math.max(1, options.maxsize ?? 1);
    this.block = options.block ?? false;
    this.headers = options.headers ?? {};
    this.proxy = options._proxy ?? null;
    this.tunnel = options._tunnel ?? false;
    this.transportFactory = options.transportFactory;
    this.strict = options.strict ?? false;
    this.socket_options = options.socket_options ?? null;
    for (const [level, name] of this.socket_options ?? []) {
      if (!SETTABLE.has(`${level}:${name}`)) {
        throw new ValueError(`socket option (${level}, ${name}) cannot be set here: only TCP_NODELAY, SO_KEEPALIVE and TCP_KEEPIDLE`);
      }
    }
    poolObserve.created?.(this.event());
  }

  protected defaultPort(): number {
    return 80;
  }

  /** `HTTPConnectionPool(host='127.0.0.1', port=8080)` */
  __repr__(): string {
    return `${this.constructor.name}(host=${pyRepr(this.host)}, port=${this.port})`;
  }

  toString(): string {
    return this.__repr__();
  }

  protected event(connection?: HTTPConnection): PoolEvent {
    const e: PoolEvent = { pool: { scheme: this.scheme, host: this.host, port: this.port } };
    if (connection) e.connection = connection;
    return e;
  }

  /** A new connection object (not connected yet): to the host, or to the proxy. */
  _new_conn(): HTTPConnection {
    this.num_connections++;
    const target = this.proxy ?? { host: this.host, port: this.port };
    const conn = new HTTPConnection(target.host, target.port, this.connectionOptions());
    if (this.proxy && this.tunnel) conn.set_tunnel(this.host, this.port, mergedHeaders(this.proxy.headers));
    this._overProxyTls(conn);
    this._checkEveryConnect(conn);
    return conn;
  }

  /**
   * `_connected` after every connect of `conn`: the pool's own, and the
   * one HTTPConnection makes by itself when it sends on a connection
   * whose peer has closed (auto_open). urllib3 checks in its connection's
   * connect(), so a reopened connection is never used unchecked.
   */
  protected _checkEveryConnect(conn: HTTPConnection): void {
    const connect = conn.connect;
    conn.connect = async (options) => {
      try {
        this._beforeConnect();
      } catch (e) {
        if (typeof e === 'object' && e !== null) checkFailed.add(e);
        throw e;
      }
      await connect.call(conn, options);
      try {
        await this._connected(conn);
      } catch (e) {
        if (typeof e === 'object' && e !== null) checkFailed.add(e);
        throw e;
      }
    };
  }

  /** Before every connect of a pool connection (the HTTPS pool adjusts a caller's SSLContext). */
  protected _beforeConnect(): void {}

  /**
   * Through an https:// proxy: the connection's transport to the proxy
   * is TLS (the proxy's own SSLContext, verified against the proxy's
   * name), whatever runs over it: absolute-form requests, or CONNECT and
   * the target's TLS inside that TLS (urllib3's TLS-in-TLS).
   */
  protected _overProxyTls(conn: HTTPConnection): void {
    const proxy = this.proxy;
    if (proxy === null || proxy.scheme !== 'https') return;
    const ctx = (proxy.ssl_context ??= defaultProxyContext());
    const factory = conn._create_connection;
    conn._create_connection = (options) => factory({ ...options, tls: ctx.tlsOptions(proxy.host) });
  }

  protected connectionOptions(): { transportFactory?: TransportFactory; strict: boolean } {
    const o: { transportFactory?: TransportFactory; strict: boolean } = { strict: this.strict };
    if (this.transportFactory) o.transportFactory = this.transportFactory;
    return o;
  }

  /**
   * A connection for one request: the newest idle one (closed first if its
   * peer has gone), a new one, or — in block mode with maxsize in use — the
   * next one put back, waiting at most `timeout` seconds (EmptyPoolError).
   */
  async _get_conn(timeout: number | null = null, signal: AbortSignal | null = null): Promise<HTTPConnection> {
    if (this.closedPool) throw new ClosedPoolError(this, 'Pool is closed.');
    let conn: HTTPConnection | null;
    if (this.block && this.inUse >= this.maxsize) {
      // The connection put back comes with its slot: inUse stays as it is.
      conn = await this.waitForConn(timeout, signal);
    } else {
      this.inUse++;
      conn = this.idle.pop() ?? null;
    }
    if (conn !== null) {
      if (conn.sock !== null) runtime.setIdle?.(conn.sock, false);
      // urllib3's is_connection_dropped: a peer that closed (keep-alive
      // timeout) or sent unasked bytes; the next request reconnects.
      if (conn.sock !== null && !isConnected(conn)) conn.close();
    }
    conn ??= this._new_conn();
    poolObserve.acquired?.({ ...this.event(conn), reused: conn.sock !== null });
    return conn;
  }

  private waitForConn(timeout: number | null, signal: AbortSignal | null): Promise<HTTPConnection | null> {
    return new Promise((resolve, reject) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const cleanup = () => {
        if (timer !== undefined) clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        const i = this.waiters.indexOf(waiter);
        if (i >= 0) this.waiters.splice(i, 1);
      };
      const waiter: Waiter = {
        resolve: (c) => {
          cleanup();
          resolve(c);
        },
        reject: (e) => {
          cleanup();
          reject(e);
        },
      };
      const onAbort = () => waiter.reject(signal!.reason);
      if (signal?.aborted) return reject(signal.reason);
      signal?.addEventListener('abort', onAbort, { once: true });
      if (timeout !== null) {
        timer = setTimeout(
          () => waiter.reject(new EmptyPoolError(this, "Pool is empty and a new connection can't be opened due to blocking mode.")),
          Math.max(0, timeout * 1000),
        );
      }
      this.waiters.push(waiter);
    });
  }

  /**
   * Puts a connection back: to a waiter first, else among the idle ones
   * (its transport no longer keeps the process alive); closed when the
   * pool is closed or already holds maxsize idle connections.
   */
  _put_conn(conn: HTTPConnection | null): void {
    if (conn !== null) poolObserve.released?.(this.event(conn));
    const waiter = this.closedPool ? undefined : this.waiters.shift();
    if (waiter !== undefined) {
      // The waiter takes over this connection and its slot.
      waiter.resolve(conn ?? this._new_conn());
      return;
    }
    this.inUse = Math.max(0, this.inUse - 1);
    if (conn === null) return;
    if (this.closedPool) {
      conn.close();
      return;
    }
    if (this.idle.length >= this.maxsize) {
      // urllib3 logs "Connection pool is full, discarding connection".
      conn.close();
      return;
    }
    if (conn.sock !== null) runtime.setIdle?.(conn.sock, true);
    this.idle.push(conn);
  }

  /** Idle connections kept now. */
  get num_idle(): number {
    return this.idle.length;
  }

  /** Closes every idle connection and refuses new requests (ClosedPoolError); connections in use close when put back. */
  close(): void {
    if (this.closedPool) return;
    this.closedPool = true;
    for (const c of this.idle.splice(0)) c.close();
    for (const w of this.waiters.splice(0)) w.reject(new ClosedPoolError(this, 'Pool is closed.'));
  }

  get closed(): boolean {
    return this.closedPool;
  }

  /** Whether `url` (absolute, or a path) is for this pool's scheme, host and port. */
  is_same_host(url: string): boolean {
    if (url.startsWith('/')) return true;
    let u;
    try {
      u = parse_url(url);
    } catch {
      return false;
    }
    const port = u.port ?? (u.scheme === 'https' ? 443 : u.scheme === 'http' ? 80 : null);
    return u.scheme === this.scheme && u.host.toLowerCase() === this.host.toLowerCase() && port === this.port;
  }

  /**
   * The headers as sent: the proxy's merged in (absolute-form requests), a
   * User-Agent added when there is none — before the others, where urllib3
   * 2.x's HTTPConnection.request puts it on the wire.
   */
  private headersToSend(headers: Headers): Headers {
    const out = this.proxy && !this.tunnel ? mergeHeaders(headers, this.proxy.headers) : headers;
    if (hasHeader(out, 'user-agent')) return out;
    if (out instanceof HTTPHeaderDict) {
      const h = new HTTPHeaderDict({ 'User-Agent': DEFAULT_USER_AGENT });
      h.extend(out);
      return h;
    }
    // Per request: a literal with a constant key (V8 keeps it a fast object), not the general merge.
    return { 'User-Agent': DEFAULT_USER_AGENT, ...out };
  }

  /** A Location resolved against the URL it answered (a relative one stays a path on this pool). */
  protected resolveLocation(url: string, location: string): string {
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(location)) return location;
    const here = /^[a-z][a-z0-9+.-]*:\/\//i.test(url) ? url : `http://pool.invalid${url.startsWith('/') ? url : '/' + url}`;
    const u = new URL(location, here);
    return u.host === 'pool.invalid' ? u.pathname + u.search : u.href;
  }

  /** The request target for `url`: absolute form through a plain-HTTP proxy, else origin form. */
  protected requestTarget(url: string): string {
    const absolute = /^[a-z][a-z0-9+.-]*:\/\//i.test(url);
    if (this.proxy && !this.tunnel) {
      if (absolute) return url;
      const host = this.host.includes(':') ? `[${this.host}]` : this.host;
      return `${this.scheme}://${host}${this.port === this.defaultPort() ? '' : ':' + this.port}${url}`;
    }
    return absolute ? parse_url(url).request_uri : url || '/';
  }

  /**
   * urllib3's `request()`: `fields` and `json` encoded, then `urlopen()`.
   */
  request(method: string, url: string, options: RequestOptions = {}): Promise<HTTPResponse> {
    const r = encodeRequest(method, url, options, this.headers);
    // No per-request copy of the options unless a subclass overrides urlopen.
    if (this.urlopen === HTTPConnectionPool.prototype.urlopen) {
      return this._urlopen(method, r.url, options, r.body, r.headers, options.retries, options.redirect ?? true, options.assert_same_host ?? true);
    }
    return this.urlopen(method, r.url, { ...options, body: r.body, headers: r.headers });
  }

  /**
   * Sends one request and returns the response, retrying per `retries`
   * and following same-host redirects. Raises MaxRetryError when the
   * retries run out (its `reason` the last error), the error itself when
   * retries are off, EmptyPoolError/ClosedPoolError from the pool, and the
   * signal's reason when aborted.
   */
  urlopen(method: string, url: string, o: UrlopenOptions = {}): Promise<HTTPResponse> {
    return this._urlopen(method, url, o, o.body ?? null, o.headers ?? this.headers, o.retries, o.redirect ?? true, o.assert_same_host ?? true);
  }

  /**
   * urlopen with body, headers, retries, redirect and assert_same_host
   * given apart from the options `o` (whose own values for them are
   * ignored): request() and PoolManager call it without copying the
   * options object for every request.
   */
  async _urlopen(
    method: string,
    url: string,
    o: UrlopenOptions,
    body: unknown,
    headers: Headers,
    retriesOption: UrlopenOptions['retries'],
    redirect: boolean,
    assertSameHost: boolean,
  ): Promise<HTTPResponse> {
    let retries = retriesOption instanceof Retry ? retriesOption : Retry.from_int(retriesOption, redirect, this.retries);
    const signal = o.signal ?? null;
    for (;;) {
      if (signal?.aborted) throw signal.reason;
      if (assertSameHost && !this.is_same_host(url)) throw new HostChangedError(this, url, retries);
      let response: HTTPResponse;
      try {
        response = await this._attempt(method, url, body, headers, o, retries);
      } catch (e) {
        if (signal?.aborted) throw signal.reason;
        if (!(e instanceof AttemptFailed)) throw e;
        const error = e.error as Error & { _bodySent?: boolean };
        if (error._bodySent && !isReplayable(body)) throw withCause(new UnrewindableBodyError('Unable to record file position for rewinding request body during a redirect/retry.'), error);
        retries = retries.increment(method, url, null, error, this);
        poolObserve.retried?.({ ...this.event(), method, url, error, status: null });
        await retries.sleep(null, signal);
        continue;
      }
      const location = redirect ? response.get_redirect_location() : false;
      if (location) {
        if (response.status === 303) {
          method = 'GET';
          body = null;
          headers = prepareForMethodChange(headers);
        }
        const incremented = await _incrementFor(retries, method, url, response, this, 'raise_on_redirect');
        if (incremented === null) return response;
        retries = incremented;
        await retries.sleep_for_retry(response, signal);
        poolObserve.redirected?.({ ...this.event(), method, url, location, status: response.status });
        url = this.resolveLocation(url, location);
        continue;
      }
      const hasRetryAfter = Boolean(response.headers.get('Retry-After'));
      if (retries.is_retry(method, response.status, hasRetryAfter)) {
        const incremented = await _incrementFor(retries, method, url, response, this, 'raise_on_status');
        if (incremented === null) return response;
        retries = incremented;
        poolObserve.retried?.({ ...this.event(), method, url, error: null, status: response.status });
        await retries.sleep(response, signal);
        continue;
      }
      return response;
    }
  }

  /**
   * One attempt: a connection, the request, the response head (and the
   * body, when preloading). A failure that may be retried is thrown as
   * AttemptFailed(urllib3 error); the connection goes back closed.
   */
  private async _attempt(method: string, url: string, body: unknown, headers: Headers, o: UrlopenOptions, retries: Retry): Promise<HTTPResponse> {
    const signal = o.signal ?? null;
    const timeout = toTimeout(o.timeout, this.timeout);
    // Timings (a clock read per phase, the event, its report) only while subscribed.
    const timings: TimingsEvent | null = poolObserve.timings
      ? { ...this.event(), method, url, status: null, reused: false, queued: 0, connect: null, tls: null, firstByte: null, done: null, error: null }
      : null;
    const started = timings ? performance.now() : 0;
    const report = timings
      ? (error: unknown) => {
          timings.error = error;
          if (error === null) timings.done = performance.now() - started;
          poolObserve.timings?.(timings);
        }
      : null;
    const conn = await this._get_conn(o.pool_timeout ?? null, signal);
    if (timings) {
      timings.queued = performance.now() - started;
      timings.connection = conn;
    }
    let phase: 'connect' | 'send' | 'head' | 'body' = 'connect';
    let readTimeout: number | null = null;
    try {
      timeout.start_connect();
      const connectTimeout = timeout.connect_timeout;
      conn.timeout = connectTimeout;
      if (!isConnected(conn)) {
        if (conn.sock !== null) conn.close();
        const t0 = performance.now();
        const restore = timings ? this.timeTls(conn, timings) : null;
        try {
          await conn.connect({ signal });
        } catch (e) {
          if (signal?.aborted || checkFailed.has(e as object)) throw e;
          throw this.proxyWrap(connectError(e, conn, connectTimeout, (this as { assert_hostname?: string | null }).assert_hostname ?? null), true);
        } finally {
          restore?.();
        }
        if (timings && timings.connect === null) timings.connect = performance.now() - t0;
      } else {
        if (timings) timings.reused = true;
        conn.sock!.setTimeout(connectTimeout);
      }
      phase = 'send';
      this.num_requests++;
      const target = this.requestTarget(url);
      let sendHeaders = this.headersToSend(headers);
      // chunked: the body framed in chunks (http.client frames only when told by this header).
      if (o.chunked && body !== null && !hasHeader(sendHeaders, 'transfer-encoding')) {
        sendHeaders = withHeader(sendHeaders, 'Transfer-Encoding', 'chunked');
      }
      await conn.request(method, target, body as never, sendHeaders as RequestHeaders, { encode_chunked: o.chunked ?? false, signal });
      phase = 'head';
      readTimeout = timeout.read_timeout;
      conn.sock?.setTimeout(readTimeout);
      const raw: RawResponse = await conn.getresponse({ signal });
      if (timings) {
        timings.firstByte = performance.now() - started;
        timings.status = raw.status;
      }
      phase = 'body';
      const response = new HTTPResponse(raw, {
        pool: this,
        connection: conn,
        url,
        retries,
        decode_content: o.decode_content ?? true,
        signal,
        onDone: report,
      });
      if (o.preload_content ?? true) await response.read();
      return response;
    } catch (e) {
      if (signal?.aborted) {
        conn.close();
        if (phase !== 'body') this._put_conn(conn);
        report?.(signal.reason);
        throw signal.reason;
      }
      let err: unknown;
      // A failed check of a connection reopened while sending: as on the pool's own connect.
      const check = checkFailed.has(e as object);
      if (phase === 'connect' || phase === 'body' || check) err = e;
      else if (requestNotSent(e)) err = notSentError(e, conn);
      else err = requestError(e, this, url, readTimeout);
      if (phase !== 'body') {
        conn.close();
        this._put_conn(conn);
        report?.(err);
      }
      // Only urllib3's connection, timeout, protocol, TLS and proxy errors
      // are retried (a DecodeError or a ValueError about the request is not).
      const retryable =
        err instanceof ConnectTimeoutError || err instanceof SSLError || err instanceof ProxyError ||
        err instanceof ProtocolError || err instanceof ReadTimeoutError;
      if (!retryable) throw err;
      if (phase !== 'connect' && !check && !(err instanceof NewConnectionError)) (err as { _bodySent?: boolean })._bodySent = body !== null;
      throw new AttemptFailed(err);
    }
  }

  /**
   * A new connection is up (after every connect: `_checkEveryConnect`):
   * urllib3's `socket_options` set on it (the default, TCP_NODELAY, is the
   * transport's own). The HTTPS pool checks `assert_fingerprint` here too.
   * Throws what counts as a connect error.
   */
  protected async _connected(conn: HTTPConnection): Promise<void> {
    const options = this.socket_options;
    if (options === null) return;
    const sock = conn.sock!;
    // The list replaces the default: TCP_NODELAY is off unless it is in it.
    const all: (readonly [number, number, number | boolean])[] = [[IPPROTO_TCP, TCP_NODELAY, 0], ...options];
    for (const [level, name, value] of all) {
      if (!sock.setSocketOption?.(level, name, Number(value))) {
        conn.close();
        throw new NewConnectionError(conn, `Failed to establish a new connection: socket option (${level}, ${name}) is not supported by this transport`);
      }
    }
  }

  /** Errors while reaching the target through a proxy (connect, CONNECT, TLS in the tunnel) are ProxyError, as urllib3's. */
  private proxyWrap(e: unknown, connecting: boolean): unknown {
    if (!this.proxy || !connecting || e instanceof ProxyError) return e;
    return withCause(new ProxyError('Unable to connect to proxy', e), e);
  }

  /**
   * Times TCP and TLS apart for the timings event: the TCP connection
   * first, then TLS over it (where the transport can). Returns the function
   * that puts the connection's own factory back.
   */
  private timeTls(conn: HTTPConnection, timings: TimingsEvent): () => void {
    const factory = conn._create_connection;
    conn._create_connection = async (options) => {
      const t0 = performance.now();
      if (!options.tls) {
        const t = await factory(options);
        timings.connect = performance.now() - t0;
        return t;
      }
      const plain: Transport = await factory({ ...options, tls: null });
      timings.connect = performance.now() - t0;
      if (!plain.startTls) {
        plain.close();
        return factory(options);
      }
      const t1 = performance.now();
      const secure = await plain.startTls(options.tls);
      timings.tls = performance.now() - t1;
      return secure;
    };
    return () => {
      conn._create_connection = factory;
    };
  }
}

/**
 * urllib3's `HTTPSConnectionPool`: an HTTPConnectionPool over TLS. The
 * certificate and host name are verified (system CAs, or `ca_certs`)
 * unless `cert_reqs: 'CERT_NONE'`; `ssl_context` gives the SSLContext
 * itself.
 */
export class HTTPSConnectionPool extends HTTPConnectionPool {
  static override readonly scheme: string = 'https';
  override readonly scheme: string = 'https';
  readonly ssl_context: SSLContext;

  /** The expected certificate digest (hex, lower case, no colons), or null. */
  readonly assert_fingerprint: string | null;
  /** The name the certificate must match instead of the host (assert_hostname as a string), or null. */
  readonly assert_hostname: string | null;

  /** With a caller's ssl_context: the verify_mode to set on it (cert_reqs given) and whether to turn its host name check off. */
  private readonly callerContext: { verifyMode: number | null; noHostnameCheck: boolean } | null;

  constructor(host: string, port?: number | null, options: HTTPSConnectionPoolOptions = {}) {
    super(host, port, options);
    this.ssl_context = options.ssl_context ?? makeContext(options);
    this.assert_fingerprint = options.assert_fingerprint ? options.assert_fingerprint.replace(/:/g, '').toLowerCase() : null;
    this.assert_hostname = typeof options.assert_hostname === 'string' ? options.assert_hostname : null;
    const cert_reqs = options.cert_reqs;
    this.callerContext = options.ssl_context
      ? {
          verifyMode: cert_reqs === 'CERT_NONE' ? CERT_NONE : cert_reqs === 'CERT_REQUIRED' ? CERT_REQUIRED : typeof cert_reqs === 'number' ? cert_reqs : null,
          // assert_hostname as a name stays checked by the context (against that name: _assertHostname).
          noHostnameCheck: Boolean(options.assert_fingerprint) || options.assert_hostname === false,
        }
      : null;
  }

  /**
   * urllib3 2.x sets these on the SSLContext it was given, before each
   * connect (_ssl_wrap_socket_and_match_hostname): verify_mode from
   * cert_reqs first (a ValueError, as ssl's, for CERT_NONE while the
   * context checks host names), then check_hostname off when a
   * fingerprint is pinned or assert_hostname is false. The caller's
   * context is changed, as urllib3 does (an SSLContext cannot be copied).
   */
  protected override _beforeConnect(): void {
    const c = this.callerContext;
    if (c === null || (this.proxy && !this.tunnel)) return;
    if (c.verifyMode !== null) this.ssl_context.verify_mode = c.verifyMode;
    if (c.noHostnameCheck) this.ssl_context.check_hostname = false;
  }

  /** Also urllib3's assert_fingerprint, on every new connection (not through a proxy forwarding https://: there is no TLS to the server). */
  protected override async _connected(conn: HTTPConnection): Promise<void> {
    await super._connected(conn);
    if (this.assert_fingerprint === null || (this.proxy && !this.tunnel)) return;
    try {
      await assertFingerprint(conn.sock!.peerCertificate?.() ?? null, this.assert_fingerprint);
    } catch (e) {
      conn.close();
      throw e;
    }
  }

  protected override defaultPort(): number {
    return 443;
  }

  override _new_conn(): HTTPConnection {
    // Forwarding through an https:// proxy: plain HTTP over the proxy's TLS, absolute-form requests.
    if (this.proxy && !this.tunnel) return super._new_conn();
    this.num_connections++;
    const target = this.proxy && this.tunnel ? this.proxy : { host: this.host, port: this.port };
    const conn = new HTTPSConnection(target.host, target.port, { ...this.connectionOptions(), context: this.ssl_context });
    if (this.proxy && this.tunnel) conn.set_tunnel(this.host, this.port, mergedHeaders(this.proxy.headers));
    if (this.assert_hostname !== null) this._assertHostname(conn, this.assert_hostname);
    this._overProxyTls(conn);
    this._checkEveryConnect(conn);
    return conn;
  }

  /**
   * urllib3's `assert_hostname` as a name: the target's TLS (never an
   * https:// proxy's own) checks the certificate against it — on a
   * direct connection, and wherever TLS starts over a plain transport (a
   * CONNECT tunnel, or TCP and TLS timed apart).
   */
  private _assertHostname(conn: HTTPConnection, name: string): void {
    const factory = conn._create_connection;
    const direct = this.proxy === null;
    conn._create_connection = async (options) => {
      const t = await factory(direct && options.tls ? { ...options, tls: { ...options.tls, identity: name } } : options);
      const startTls = t.startTls?.bind(t);
      if (startTls) t.startTls = (tlsOptions, signal) => startTls({ ...tlsOptions, identity: name }, signal);
      return t;
    };
  }
}

const FINGERPRINT_HASHES: Record<number, 'md5' | 'sha1' | 'sha256'> = { 32: 'md5', 40: 'sha1', 64: 'sha256' };

/**
 * urllib3's `assert_fingerprint(cert, fingerprint)`: the DER certificate's
 * digest (by the fingerprint's length: MD5, SHA-1, SHA-256) must be the
 * fingerprint (hex, lower case, no colons); SSLError otherwise, with
 * urllib3's messages.
 */
export async function assertFingerprint(cert: Uint8Array | null, fingerprint: string): Promise<void> {
  if (cert === null) throw new SSLError('No certificate for the peer.');
  const algorithm = FINGERPRINT_HASHES[fingerprint.length];
  if (algorithm === undefined || !/^[0-9a-f]*$/.test(fingerprint)) throw new SSLError(`Fingerprint of invalid length: ${fingerprint}`);
  let digest: Uint8Array;
  if (runtime.digest) digest = runtime.digest(algorithm, cert);
  else if (algorithm !== 'md5') digest = new Uint8Array(await crypto.subtle.digest(algorithm === 'sha1' ? 'SHA-1' : 'SHA-256', cert as Uint8Array<ArrayBuffer>));
  else throw new SSLError(`Hash function implementation unavailable for fingerprint length: ${fingerprint.length}`);
  const got = Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
  // Not a secret: a plain comparison (urllib3's compare_digest guards against timing, moot for a public certificate).
  if (got !== fingerprint) throw new SSLError(`Fingerprints did not match. Expected "${fingerprint}", got "${got}"`);
}

/** The SSLContext for an https:// proxy when none was given: the system's CAs, host name checked, ALPN http/1.1. */
function defaultProxyContext(): SSLContext {
  const ctx = create_default_context();
  ctx.set_alpn_protocols(['http/1.1']);
  return ctx;
}

/**
 * An SSLContext from urllib3's TLS options (ALPN http/1.1, as
 * HTTPSConnection's default). `forProxy`: the context for an https://
 * proxy made from the same CA and verification options, without the
 * client certificate (urllib3 2.x's create_proxy_ssl_context).
 */
export function makeContext(o: HTTPSConnectionPoolOptions, forProxy = false): SSLContext {
  const ctx =
    o.ca_certs || o.ca_cert_dir || o.ca_cert_data
      ? create_default_context({ cafile: o.ca_certs ?? null, capath: o.ca_cert_dir ?? null, cadata: o.ca_cert_data ?? null })
      : create_default_context();
  ctx.set_alpn_protocols(['http/1.1']);
  if (o.cert_reqs === 'CERT_NONE' || o.cert_reqs === CERT_NONE) {
    ctx.check_hostname = false;
    ctx.verify_mode = CERT_NONE;
  } else if (o.assert_hostname === false || (o.assert_fingerprint && !forProxy)) {
    // A pinned fingerprint replaces the host name check (urllib3's rule).
    ctx.check_hostname = false;
  }
  if (o.ssl_minimum_version) ctx.minimum_version = o.ssl_minimum_version;
  if (o.ssl_maximum_version) ctx.maximum_version = o.ssl_maximum_version;
  if (o.cert_file && !forProxy) ctx.load_cert_chain(o.cert_file, o.key_file ?? null, o.key_password ?? null);
  return ctx;
}

/**
 * urllib3's `connection_from_url(url, options)`: a pool for the URL's
 * scheme, host and port.
 */
export function connection_from_url(url: string, options: HTTPSConnectionPoolOptions = {}): HTTPConnectionPool {
  const u = parse_url(url);
  if (u.scheme === 'https') return new HTTPSConnectionPool(u.host, u.port ?? 443, options);
  return new HTTPConnectionPool(u.host, u.port ?? 80, options);
}

