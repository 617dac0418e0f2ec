// urllib3 2.x's exceptions (urllib3/exceptions.py): the same names,
// hierarchy, constructor arguments and messages. Each error that wraps an
// httpwire (http.client) exception keeps it: as `reason` / `original_error`
// where urllib3 has such an attribute, and always as the standard `cause`.
//
// `instanceof` goes by tag, as in src/http/exceptions.ts, so that
// ReadTimeoutError is both a TimeoutError and a RequestError (urllib3's
// multiple inheritance). The tags are namespaced `urllib3.`: urllib3's
// TimeoutError and SSLError are not Python's built-in classes of the same name.
import { Exception, pyRepr } from '../http/exceptions.js';

const TAG: unique symbol = Symbol('httpwire.urllib3Tag');
const tagFor = (name: string): symbol => Symbol.for(`httpwire.urllib3.${name}`);

/** Gives `cls` its urllib3 name and tag, plus the tags of extra urllib3 bases. */
function register(cls: abstract new (...args: never[]) => unknown, name: string, alsoIs: string[] = []): void {
  Object.defineProperty(cls, TAG, { value: tagFor(name) });
  Object.defineProperty(cls.prototype, 'name', { value: name, writable: true, configurable: true });
  for (const n of [name, ...alsoIs]) Object.defineProperty(cls.prototype, tagFor(n), { value: true });
}

/**
 * Python's built-in ValueError tag on `cls` (src/http/exceptions.ts tests
 * instances by it): `instanceof ValueError` holds, as urllib3's
 * LocationValueError(ValueError, HTTPError) is one in Python.
 */
function alsoValueError(cls: abstract new (...args: never[]) => unknown): void {
  Object.defineProperty(cls.prototype, Symbol.for('httpwire.python.ValueError'), { value: true });
}

/** Sets the standard `cause` (an own, non-enumerable property, as `new Error(m, {cause})` does). */
function setCause(err: Error, cause: unknown): void {
  if (cause !== undefined && cause !== null) Object.defineProperty(err, 'cause', { value: cause, writable: true, configurable: true });
}

/** `urllib3.exceptions.HTTPError`: the base of every urllib3 error. */
export class HTTPError extends Exception {
  static override [Symbol.hasInstance]<T>(this: abstract new (...args: never[]) => T, value: unknown): value is T {
    const tag = Object.hasOwn(this, TAG) ? (this as unknown as Record<symbol, symbol>)[TAG]! : null;
    if (tag === null) return Function.prototype[Symbol.hasInstance].call(this, value);
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[tag] === true;
  }
}
register(HTTPError, 'HTTPError');

/** A connection pool in an error message: urllib3 shows `repr(pool)`. */
export interface PoolLike {
  host: string;
  port: number | null;
}

function poolRepr(pool: PoolLike | null): string {
  if (pool === null) return 'None';
  const r = (pool as { __repr__?: () => string }).__repr__;
  return typeof r === 'function' ? r.call(pool) : `${pool.constructor?.name ?? 'Pool'}(host=${pyRepr(pool.host)}, port=${pool.port})`;
}

/** `PoolError(pool, message)`: something went wrong with a pool. */
export class PoolError extends HTTPError {
  declare pool: PoolLike | null;
  constructor(pool: PoolLike | null, message: string) {
    super(`${poolRepr(pool)}: ${message}`);
    this.pool = pool;
  }
}
register(PoolError, 'PoolError');

/** `RequestError(pool, url, message)`: a PoolError about one URL. */
export class RequestError extends PoolError {
  declare url: string;
  constructor(pool: PoolLike | null, url: string, message: string) {
    super(pool, message);
    this.url = url;
  }
}
register(RequestError, 'RequestError');

/** `SSLError`: TLS failed (the httpwire `ssl.SSLError` is the cause). */
export class SSLError extends HTTPError {}
register(SSLError, 'SSLError');

/** `ProxyError(message, error)`: the proxy failed; `original_error` is what it failed with. */
export class ProxyError extends HTTPError {
  declare original_error: unknown;
  constructor(message: string, error: unknown) {
    super(message, error);
    this.original_error = error;
    setCause(this, error);
  }
}
register(ProxyError, 'ProxyError');

/** `DecodeError`: a body did not decode with its Content-Encoding. */
export class DecodeError extends HTTPError {}
register(DecodeError, 'DecodeError');

/** `ProtocolError`: the connection broke mid-request or mid-response (urllib3 also names it ConnectionError). */
export class ProtocolError extends HTTPError {}
register(ProtocolError, 'ProtocolError');

/**
 * `MaxRetryError(pool, url, reason)`: the Retry budget ran out. `reason`
 * is the last error (a NewConnectionError, ReadTimeoutError, a
 * ResponseError for too many error responses or redirects, ...).
 */
export class MaxRetryError extends RequestError {
  declare reason: unknown;
  constructor(pool: PoolLike | null, url: string, reason: unknown = null) {
    super(pool, url, `Max retries exceeded with url: ${url} (Caused by ${reprError(reason)})`);
    this.reason = reason;
    setCause(this, reason);
  }
}
register(MaxRetryError, 'MaxRetryError');

function reprError(e: unknown): string {
  if (e === null || e === undefined) return 'None';
  const r = (e as { __repr__?: () => string }).__repr__;
  if (typeof r === 'function') return r.call(e);
  if (e instanceof Error) return `${e.name}(${pyRepr(e.message)})`;
  return pyRepr(e);
}

/** `HostChangedError(pool, url, retries)`: a pool was asked for another host's URL. */
export class HostChangedError extends RequestError {
  declare retries: unknown;
  constructor(pool: PoolLike | null, url: string, retries: unknown = 3) {
    super(pool, url, `Tried to open a foreign host with url: ${url}`);
    this.retries = retries;
  }
}
register(HostChangedError, 'HostChangedError');

/** `TimeoutStateError`: a Timeout object was misused. */
export class TimeoutStateError extends HTTPError {}
register(TimeoutStateError, 'TimeoutStateError');

/** `TimeoutError`: the base of the read and connect timeouts (not Python's built-in TimeoutError). */
export class TimeoutError extends HTTPError {}
register(TimeoutError, 'TimeoutError');

/** `ReadTimeoutError(pool, url, message)`: no response byte within the read timeout. */
export class ReadTimeoutError extends TimeoutError {
  declare pool: PoolLike | null;
  declare url: string;
  constructor(pool: PoolLike | null, url: string, message: string) {
    super(`${poolRepr(pool)}: ${message}`);
    this.pool = pool;
    this.url = url;
  }
}
register(ReadTimeoutError, 'ReadTimeoutError', ['RequestError', 'PoolError']);

/** `ConnectTimeoutError`: the connection was not established in time. */
export class ConnectTimeoutError extends TimeoutError {}
register(ConnectTimeoutError, 'ConnectTimeoutError');

/**
 * `NewConnectionError(conn, message)`: the connection could not be opened
 * (refused, unreachable, TLS handshake failed before a byte of the request).
 * No byte of the request was sent.
 */
export class NewConnectionError extends ConnectTimeoutError {
  declare conn: unknown;
  constructor(conn: unknown, message: string) {
    super(message);
    this.conn = conn;
  }
  /** urllib3 2.x deprecated this alias of `conn`. */
  get pool(): unknown {
    return this.conn;
  }
}
register(NewConnectionError, 'NewConnectionError');

/** `NameResolutionError(host, conn, reason)`: the host name did not resolve. */
export class NameResolutionError extends NewConnectionError {
  constructor(host: string, conn: unknown, reason: unknown) {
    super(conn, `Failed to resolve '${host}' (${reason instanceof Error ? reason.message : String(reason)})`);
    setCause(this, reason);
  }
}
register(NameResolutionError, 'NameResolutionError');

/** `EmptyPoolError`: no connection became free within the pool timeout (block mode). */
export class EmptyPoolError extends PoolError {}
register(EmptyPoolError, 'EmptyPoolError');

/** `FullPoolError`: a connection was put back into a full blocking pool. */
export class FullPoolError extends PoolError {}
register(FullPoolError, 'FullPoolError');

/** `ClosedPoolError`: the pool was closed. */
export class ClosedPoolError extends PoolError {}
register(ClosedPoolError, 'ClosedPoolError');

/** `LocationValueError`: a URL without a host, or otherwise unusable (also a ValueError). */
export class LocationValueError extends HTTPError {}
register(LocationValueError, 'LocationValueError');
alsoValueError(LocationValueError);

/** `LocationParseError(location)`: the URL did not parse. */
export class LocationParseError extends LocationValueError {
  declare location: string;
  constructor(location: string) {
    super(`Failed to parse: ${location}`);
    this.location = location;
  }
}
register(LocationParseError, 'LocationParseError');

/** `URLSchemeUnknown(scheme)`: neither http nor https. */
export class URLSchemeUnknown extends LocationValueError {
  declare scheme: string;
  constructor(scheme: string) {
    super(`Not supported URL scheme ${scheme}`);
    this.scheme = scheme;
  }
}
register(URLSchemeUnknown, 'URLSchemeUnknown');

/** `ProxySchemeUnknown(scheme)`: a proxy URL that is neither http nor https. */
export class ProxySchemeUnknown extends URLSchemeUnknown {
  constructor(scheme: string | null) {
    super(scheme ?? 'None');
    this.args = [scheme === 'localhost' || scheme === null ? `Proxy URL had no scheme, should start with http:// or https://` : `Proxy URL had unsupported scheme ${scheme}, should use http:// or https://`];
  }
}
register(ProxySchemeUnknown, 'ProxySchemeUnknown');

/** `ResponseError`: the reason of a MaxRetryError caused by responses, not exceptions. */
export class ResponseError extends HTTPError {
  static readonly GENERIC_ERROR = 'too many error responses';
  static readonly SPECIFIC_ERROR = 'too many {status_code} error responses';
}
register(ResponseError, 'ResponseError');

/** `InvalidHeader`: e.g. an unparsable Retry-After. */
export class InvalidHeader extends HTTPError {}
register(InvalidHeader, 'InvalidHeader');

/** `IncompleteRead(partial, expected)`: the body ended early (counts of bytes, as urllib3's). */
export class IncompleteRead extends ProtocolError {
  declare partial: number;
  declare expected: number | null;
  constructor(partial: number, expected: number | null) {
    super(`IncompleteRead(${partial} bytes read, ${expected === null ? 'None' : expected} more expected)`);
    this.partial = partial;
    this.expected = expected;
  }
}
register(IncompleteRead, 'IncompleteRead');

/** `UnrewindableBodyError`: a body stream could not be sent again for a retry or redirect. */
export class UnrewindableBodyError extends HTTPError {}
register(UnrewindableBodyError, 'UnrewindableBodyError');

/** `ResponseNotChunked`: `read_chunked()` on a response that is not chunked. */
export class ResponseNotChunked extends ProtocolError {}
register(ResponseNotChunked, 'ResponseNotChunked');
alsoValueError(ResponseNotChunked);

/** `ProxySchemeUnsupported`: a proxy scheme that cannot be used (urllib3 raises it for TLS-in-TLS where its SSL module lacks it; exported for its name). */
export class ProxySchemeUnsupported extends HTTPError {}
register(ProxySchemeUnsupported, 'ProxySchemeUnsupported');
alsoValueError(ProxySchemeUnsupported);

/** Attaches `cause` to an error built here (every wrapper keeps the httpwire exception). */
export function withCause<E extends Error>(err: E, cause: unknown): E {
  setCause(err, cause);
  return err;
}
