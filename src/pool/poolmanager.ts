// urllib3's PoolManager and ProxyManager (urllib3/poolmanager.py, 2.x):
// a bounded LRU of connection pools, one per origin (scheme, host, port,
// TLS settings, proxy), and redirects across origins with urllib3's rules
// (303 becomes GET without a body; Cookie, Authorization and
// Proxy-Authorization dropped when the host changes; the Retry budget
// counts them). Proxies: ProxyManager for one proxy, or `trust_env` to
// take HTTP_PROXY / HTTPS_PROXY / ALL_PROXY / NO_PROXY per request.
import type { SSLContext } from '../http/ssl.js';
import {
  _incrementFor,
  makeContext,
  HTTPConnectionPool,
  HTTPSConnectionPool,
  type HTTPSConnectionPoolOptions,
  type ProxyConfig,
  type RequestOptions,
  type UrlopenOptions,
} from './connectionpool.js';
import { LocationValueError, ProxySchemeUnknown, URLSchemeUnknown } from './errors.js';
import { poolObserve } from './hooks.js';
import { HTTPHeaderDict, hasHeader, mergeHeaders, prepareForMethodChange, withoutHeaders, type Headers } from './headers.js';
import { encodeRequest, make_headers, parse_url, type Url } from './request.js';
import type { HTTPResponse } from './response.js';
import { Retry } from './retry.js';

/** Options of `new PoolManager(options)`: pool options for every pool, plus these. */
export interface PoolManagerOptions extends HTTPSConnectionPoolOptions {
  /** Pools kept (least recently used closed first). Default 10. */
  num_pools?: number;
  /** Take proxies from HTTP_PROXY / HTTPS_PROXY / ALL_PROXY / NO_PROXY (requests' name). Default false. */
  trust_env?: boolean;
  /** The environment read with trust_env (default: process.env where there is one). */
  env?: Record<string, string | undefined>;
}

/** Keys of distinct SSLContext objects (a pool per context). */
const contextIds = new WeakMap<SSLContext, number>();
let nextContextId = 1;

function contextKey(ctx: SSLContext | null | undefined): number | null {
  if (!ctx) return null;
  let id = contextIds.get(ctx);
  if (id === undefined) contextIds.set(ctx, (id = nextContextId++));
  return id;
}

/** The TLS settings that make a pool distinct (urllib3's PoolKey fields). */
function tlsKey(o: HTTPSConnectionPoolOptions): string {
  return JSON.stringify([
    contextKey(o.ssl_context), o.ca_certs ?? null, o.ca_cert_dir ?? null, typeof o.ca_cert_data === 'string' ? o.ca_cert_data : o.ca_cert_data ? Array.from(o.ca_cert_data).join(',') : null,
    o.cert_reqs ?? null, o.assert_hostname ?? null, o.cert_file ?? null, o.key_file ?? null,
    o.assert_fingerprint ?? null, o.ssl_minimum_version ?? null, o.ssl_maximum_version ?? null,
  ]);
}

/**
 * urllib3's `PoolManager`: `await http.request('GET', 'https://host/path')`
 * picks (or makes) the pool for the URL's origin and follows redirects
 * anywhere. `clear()` closes every pool.
 */
export class PoolManager {
  /** The options every new pool gets. */
  readonly connection_pool_kw: HTTPSConnectionPoolOptions;
  readonly num_pools: number;
  headers: Headers;
  /** The pools, least recently used first. */
  readonly pools = new Map<string, HTTPConnectionPool>();
  protected readonly trustEnv: boolean;
  protected readonly env: Record<string, string | undefined>;
  /** The key of the most recently used pool (the last in `pools`). */
  private lastKey: string | null = null;
  /** The arguments connection_from_host last resolved, and its pool: a scraper asks for the same origin again and again. */
  private last: { host: string; port: number | null; scheme: string; proxy: ProxyConfig | null; pool: HTTPConnectionPool } | null = null;

  constructor(options: PoolManagerOptions = {}) {
    const { num_pools, trust_env, env, headers, ...pool } = options;
    this.connection_pool_kw = pool;
    this.num_pools = Math.max(1, num_pools ?? 10);
    this.headers = headers ?? {};
    this.trustEnv = trust_env ?? false;
    const proc = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process;
    this.env = env ?? proc?.env ?? {};
  }

  /** The proxy for a URL: none here unless trust_env (ProxyManager: its proxy). */
  protected proxyFor(u: Url): ProxyConfig | null {
    if (!this.trustEnv) return null;
    const proxy = proxy_from_env(u.url, this.env);
    if (proxy === null) return null;
    const config = proxyConfig(proxy, {});
    // An https:// proxy from the environment: one context for all of them, from this manager's CA options.
    if (config.scheme === 'https') config.ssl_context = this.envProxyContext ??= makeContext(this.connection_pool_kw, true);
    return config;
  }

  /** The SSLContext for https:// proxies from the environment, made on first use. */
  private envProxyContext: SSLContext | null = null;

  /**
   * The pool for `scheme://host:port` (and the proxy): the one kept, moved
   * to most recently used, or a new one (closing the least recently used
   * beyond num_pools).
   */
  connection_from_host(host: string, port: number | null = null, scheme = 'http', pool_kwargs: HTTPSConnectionPoolOptions | null = null, proxy: ProxyConfig | null = null): HTTPConnectionPool {
    const last = this.last;
    if (
      last !== null && pool_kwargs === null && last.host === host && last.port === port && last.scheme === scheme &&
      last.proxy === proxy && !last.pool.closed
    ) {
      // The most recently used pool already: no key to build and hash.
      return last.pool;
    }
    const args = { host, port, scheme, proxy };
    if (!host) throw new LocationValueError('No host specified.');
    scheme = scheme.toLowerCase();
    if (scheme !== 'http' && scheme !== 'https') throw new URLSchemeUnknown(scheme);
    const kw = pool_kwargs ? { ...this.connection_pool_kw, ...pool_kwargs } : this.connection_pool_kw;
    port ??= scheme === 'https' ? 443 : 80;
    host = host.toLowerCase();
    // Plain HTTP through a proxy: one pool to the proxy for every target (absolute-form requests).
    const viaProxyHttp = proxy !== null && scheme === 'http';
    // https:// through an https:// proxy with use_forwarding_for_https: absolute-form too, a pool per target (urllib3's).
    const forwardHttps = proxy !== null && scheme === 'https' && proxy.scheme === 'https' && proxy.use_forwarding_for_https === true;
    const proxyKey = proxy
      ? `${proxy.scheme}://${proxy.host}:${proxy.port}|${JSON.stringify(proxy.headers)}|${contextKey(proxy.ssl_context)}|${forwardHttps}`
      : '';
    // socket_options make pools distinct too (urllib3's key_socket_options).
    const sockKey = kw.socket_options ? JSON.stringify(kw.socket_options) : '';
    const key = viaProxyHttp
      ? `proxy|${proxyKey}|${sockKey}`
      : `${scheme}://${host}:${port}|${scheme === 'https' ? tlsKey(kw) : ''}|${proxyKey}|${sockKey}`;
    const found = this.pools.get(key);
    if (found !== undefined && !found.closed) {
      // Most recently used already: a scraper on one site asks for the same pool every time.
      if (key !== this.lastKey) {
        this.pools.delete(key);
        this.pools.set(key, found);
        this.lastKey = key;
      }
      this.last = pool_kwargs === null ? { ...args, pool: found } : null;
      return found;
    }
    let pool: HTTPConnectionPool;
    if (viaProxyHttp) {
      pool = new HTTPConnectionPool(proxy.host, proxy.port, { ...kw, _proxy: proxy, _tunnel: false });
    } else if (scheme === 'https') {
      pool = new HTTPSConnectionPool(host, port, { ...kw, _proxy: proxy, _tunnel: proxy !== null && !forwardHttps });
    } else {
      pool = new HTTPConnectionPool(host, port, kw);
    }
    this.pools.delete(key);
    this.pools.set(key, pool);
    this.lastKey = key;
    this.last = pool_kwargs === null ? { ...args, pool } : null;
    while (this.pools.size > this.num_pools) {
      const [oldKey, old] = this.pools.entries().next().value!;
      this.pools.delete(oldKey);
      old.close();
    }
    return pool;
  }

  /** The pool for a URL's origin. */
  connection_from_url(url: string, pool_kwargs: HTTPSConnectionPoolOptions | null = null): HTTPConnectionPool {
    const u = parse_url(url);
    return this.connection_from_host(u.host, u.port, u.scheme, pool_kwargs, this.proxyFor(u));
  }

  /** urllib3's `request()`: fields/json encoded, then `urlopen()`. */
  request(method: string, url: string, options: RequestOptions = {}): Promise<HTTPResponse> {
    const r = encodeRequest(method, url, options, this.headers);
    // No per-request copy of the options unless a subclass overrides urlopen.
    if (this.urlopen === PoolManager.prototype.urlopen) return this._urlopen(method, r.url, options, r.body, r.headers);
    return this.urlopen(method, r.url, { ...options, body: r.body, headers: r.headers });
  }

  /**
   * Sends a request to an absolute URL through the pool of its origin,
   * following redirects to any origin (each counted by the Retry's
   * `redirect` and `total`). Raises what HTTPConnectionPool.urlopen raises.
   */
  urlopen(method: string, url: string, o: UrlopenOptions = {}): Promise<HTTPResponse> {
    return this._urlopen(method, url, o, o.body ?? null, o.headers ?? this.headers);
  }

  /** urlopen with the body and headers given apart from the options `o` (request() calls it without copying them). */
  async _urlopen(method: string, url: string, o: UrlopenOptions, body: unknown, headers: Headers): Promise<HTTPResponse> {
    const redirect = o.redirect ?? true;
    let retries = o.retries instanceof Retry ? o.retries : Retry.from_int(o.retries, redirect, this.connection_pool_kw.retries ?? null);
    for (;;) {
      const u = parse_url(url);
      const proxy = this.proxyFor(u);
      const pool = this.connection_from_host(u.host, u.port, u.scheme, null, proxy);
      // Absolute form to the proxy: http://, and https:// forwarded through an https:// proxy (no tunnel).
      const absolute = proxy !== null && (u.scheme === 'http' || (u.scheme === 'https' && proxy.scheme === 'https' && proxy.use_forwarding_for_https === true));
      const target = absolute ? u.url : u.request_uri;
      const sent = absolute ? setProxyHeaders(u, headers) : headers;
      // Each pool's own redirects off: they are followed here, to any origin.
      const response =
        pool.urlopen === HTTPConnectionPool.prototype.urlopen
          ? await pool._urlopen(method, target, o, body, sent, retries, false, false)
          : await pool.urlopen(method, target, { ...o, body, headers: sent, retries, redirect: false, assert_same_host: false });
      response.url = u.url;
      const location = redirect ? response.get_redirect_location() : false;
      if (!location) return response;
      const next = new URL(location, u.url).href;
      if (response.status === 303) {
        method = 'GET';
        body = null;
        headers = prepareForMethodChange(headers);
      }
      // The pool's Retry after its own retries of this request.
      retries = response.retries ?? retries;
      if (retries.remove_headers_on_redirect.size > 0 && !pool.is_same_host(next)) {
        headers = withoutHeaders(headers, retries.remove_headers_on_redirect);
      }
      const incremented = await _incrementFor(retries, method, url, response, pool, 'raise_on_redirect');
      if (incremented === null) return response;
      retries = incremented;
      poolObserve.redirected?.({ pool: { scheme: u.scheme, host: u.host, port: pool.port }, method, url, location: next, status: response.status });
      url = next;
    }
  }

  /** Closes every pool and forgets them (urllib3's `clear()`). */
  clear(): void {
    for (const pool of this.pools.values()) pool.close();
    this.pools.clear();
    this.lastKey = null;
    this.last = null;
  }

  /** Same as clear(). */
  close(): void {
    this.clear();
  }

  /** `await using http = new PoolManager()` clears it. */
  async [Symbol.asyncDispose](): Promise<void> {
    this.clear();
  }
}

/** A proxy URL as a ProxyConfig; its user:password becomes Proxy-Authorization (urllib3's ProxyManager). */
export function proxyConfig(proxy_url: string, proxy_headers: Headers): ProxyConfig {
  let u: Url;
  try {
    u = parse_url(proxy_url.includes('://') ? proxy_url : 'http://' + proxy_url);
  } catch {
    throw new ProxySchemeUnknown(null);
  }
  if (u.scheme !== 'http' && u.scheme !== 'https') throw new ProxySchemeUnknown(u.scheme);
  let headers: Headers = proxy_headers instanceof HTTPHeaderDict ? proxy_headers.copy() : { ...proxy_headers };
  if (u.auth && !hasHeader(headers, 'proxy-authorization')) headers = mergeHeaders(headers, make_headers({ proxy_basic_auth: u.auth }));
  return { scheme: u.scheme, host: u.host, port: u.port ?? (u.scheme === 'https' ? 443 : 80), headers };
}

/**
 * urllib3 2.x's ProxyManager._set_proxy_headers, for a request in absolute
 * form: `Accept: *\/*` and `Host:` the URL's host and port (never its
 * userinfo; http.client would take the Host from the whole netloc of the
 * URL), each unless the caller gives it (any case), then the caller's.
 */
function setProxyHeaders(u: Url, headers: Headers): Headers {
  const host = u.host.includes(':') ? `[${u.host}]` : u.host;
  const base: Record<string, string> = { Accept: '*/*', Host: u.port === null ? host : `${host}:${u.port}` };
  // urllib3 returns a dict: an HTTPHeaderDict's repeated values joined with ", " (its Mapping view).
  const given: Record<string, string> = headers instanceof HTTPHeaderDict ? Object.fromEntries(headers.itermerged()) : headers;
  // A given Accept or Host keeps the place of the default it replaces (a dict's update()), as on urllib3's wire.
  // Names compare in any case here (urllib3's dict is case-sensitive and would send both `Accept` and `accept`).
  const out: Record<string, string> = {};
  const names = new Map(Object.keys(given).map((k) => [k.toLowerCase(), k]));
  for (const [k, v] of Object.entries(base)) {
    const name = names.get(k.toLowerCase());
    if (name === undefined) out[k] = v;
    else out[name] = given[name]!;
  }
  for (const [k, v] of Object.entries(given)) out[k] = v;
  return out;
}

/** Options of `new ProxyManager(proxy_url, options)`. */
export interface ProxyManagerOptions extends PoolManagerOptions {
  /** Headers for the proxy: on every absolute-form request, and on CONNECT. */
  proxy_headers?: Headers;
  /**
   * An https:// proxy: the SSLContext for the TLS connection to the proxy.
   * Default: one made from `ca_certs` / `ca_cert_dir` / `ca_cert_data` /
   * `cert_reqs` (the system's CAs without them), as urllib3 2.x.
   */
  proxy_ssl_context?: SSLContext | null;
  /**
   * An https:// proxy: send https:// requests to it in absolute form (the
   * proxy sees them and makes the TLS connection to the server) instead of
   * a CONNECT tunnel with TLS to the server inside. Default false.
   */
  use_forwarding_for_https?: boolean;
}

/**
 * urllib3's `ProxyManager`: every request through one proxy, http:// or
 * https:// (then the connection to the proxy is TLS) —
 * `http://` URLs as absolute-form requests to the proxy (one pool of
 * connections to it), `https://` URLs in a CONNECT tunnel per origin (TLS
 * to the server inside it, set up with set_tunnel; TLS inside TLS through
 * an https:// proxy), or in absolute form with `use_forwarding_for_https`.
 */
export class ProxyManager extends PoolManager {
  readonly proxy: ProxyConfig;
  readonly proxy_headers: Headers;
  readonly proxy_ssl_context: SSLContext | null;
  readonly use_forwarding_for_https: boolean;

  constructor(proxy_url: string, options: ProxyManagerOptions = {}) {
    const { proxy_headers, proxy_ssl_context, use_forwarding_for_https, ...rest } = options;
    super(rest);
    this.proxy_headers = proxy_headers ?? {};
    this.proxy = proxyConfig(proxy_url, this.proxy_headers);
    this.use_forwarding_for_https = use_forwarding_for_https ?? false;
    this.proxy.use_forwarding_for_https = this.use_forwarding_for_https;
    this.proxy_ssl_context = proxy_ssl_context ?? null;
    if (this.proxy.scheme === 'https') this.proxy.ssl_context = proxy_ssl_context ?? makeContext(rest, true);
  }

  protected override proxyFor(): ProxyConfig {
    return this.proxy;
  }
}

/** `proxy_from_url(url, options)`: a ProxyManager. */
export function proxy_from_url(url: string, options: ProxyManagerOptions = {}): ProxyManager {
  return new ProxyManager(url, options);
}

// ------------------------------------------------------------ environment

function envValue(env: Record<string, string | undefined>, name: string): string | undefined {
  const v = env[name.toLowerCase()] ?? env[name.toUpperCase()];
  return v === undefined || v === '' ? undefined : v;
}

function ipv4(host: string): number | null {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host);
  if (!m) return null;
  const parts = m.slice(1).map(Number);
  if (parts.some((p) => p > 255)) return null;
  return ((parts[0]! << 24) | (parts[1]! << 16) | (parts[2]! << 8) | parts[3]!) >>> 0;
}

/**
 * Whether NO_PROXY excludes `host:port` (curl's and requests' rules): `*`
 * excludes all; an entry matches the host itself or, as a domain, any
 * host under it (a leading dot optional); `host:port` matches that port
 * only; an IPv4 CIDR (`10.0.0.0/8`) matches addresses in it.
 */
export function no_proxy_matches(host: string, port: number, no_proxy: string): boolean {
  host = host.toLowerCase();
  const hostIp = ipv4(host);
  for (let entry of no_proxy.split(/[\s,]+/)) {
    entry = entry.trim().toLowerCase();
    if (!entry) continue;
    if (entry === '*') return true;
    const cidr = /^([\d.]+)\/(\d{1,2})$/.exec(entry);
    if (cidr) {
      const net = ipv4(cidr[1]!);
      const bits = Number(cidr[2]);
      if (net !== null && hostIp !== null && bits <= 32) {
        const mask = bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0;
        if ((net & mask) === (hostIp & mask)) return true;
      }
      continue;
    }
    let entryPort: number | null = null;
    const pm = /^(.*):(\d+)$/.exec(entry);
    if (pm && !entry.startsWith('[')) {
      entry = pm[1]!;
      entryPort = Number(pm[2]);
    }
    if (entry.startsWith('[') && entry.endsWith(']')) entry = entry.slice(1, -1);
    if (entryPort !== null && entryPort !== port) continue;
    const domain = entry.startsWith('.') ? entry.slice(1) : entry;
    if (host === domain || host.endsWith('.' + domain)) return true;
  }
  return false;
}

/**
 * The proxy URL the environment gives for `url`: `<scheme>_proxy` (lower
 * case first, then upper), else `all_proxy`; null when there is none or
 * NO_PROXY excludes the host.
 */
export function proxy_from_env(url: string, env: Record<string, string | undefined>): string | null {
  const u = parse_url(url);
  const proxy = envValue(env, `${u.scheme}_proxy`) ?? envValue(env, 'all_proxy');
  if (proxy === undefined) return null;
  const noProxy = envValue(env, 'no_proxy');
  if (noProxy !== undefined && no_proxy_matches(u.host, u.port ?? (u.scheme === 'https' ? 443 : 80), noProxy)) return null;
  return proxy;
}
