// httpwire/pool: urllib3 2.x's layer over httpwire's HTTPConnection —
// connection pools, PoolManager, ProxyManager, Retry, Timeout, redirects
// and decompression — for any runtime with a transport (the entry points
// for Node, Deno and Workers install theirs; elsewhere pass
// `transportFactory` in the pool options). docs/pool.md maps urllib3's API.
import { PoolManager } from './poolmanager.js';
import type { RequestOptions } from './connectionpool.js';
import type { HTTPResponse } from './response.js';

export * from './errors.js';
export { Timeout, DEFAULT_TIMEOUT, type TimeoutOptions, type TimeoutValue } from './timeout.js';
export { Retry, type RequestHistory, type RetryCount, type RetryOptions, type RetryResponse } from './retry.js';
export { HTTPResponse, type PoolResponseOptions, type ReadOptions, type ResponsePool } from './response.js';
export {
  HTTPConnectionPool,
  HTTPSConnectionPool,
  connection_from_url,
  assertFingerprint as assert_fingerprint,
  default_socket_options,
  IPPROTO_TCP,
  TCP_NODELAY,
  SOL_SOCKET,
  SO_KEEPALIVE,
  TCP_KEEPIDLE,
  DEFAULT_USER_AGENT,
  type HTTPConnectionPoolOptions,
  type HTTPSConnectionPoolOptions,
  type ProxyConfig,
  type RequestOptions,
  type UrlopenOptions,
} from './connectionpool.js';
export {
  PoolManager,
  ProxyManager,
  proxy_from_url,
  proxy_from_env,
  no_proxy_matches,
  type PoolManagerOptions,
  type ProxyManagerOptions,
} from './poolmanager.js';
export { HTTPHeaderDict, type HeaderSource } from './headers.js';
export {
  encode_multipart_formdata,
  choose_boundary,
  make_headers,
  parse_url,
  urlencode,
  type FieldValue,
  type Fields,
  type Headers,
  type MakeHeadersOptions,
  type Url,
} from './request.js';
export { decoders, decoderChain, webDecoderFactory, type ContentDecoder, type DecoderFactory } from './decode.js';
export {
  poolObserve,
  runtime as poolRuntime,
  type PoolEvent,
  type PoolObservers,
  type RedirectEvent,
  type RetryEvent,
  type RuntimeHooks,
  type TimingsEvent,
} from './hooks.js';

let defaultManager: PoolManager | null = null;

/**
 * urllib3's top-level `request(method, url, ...)`: one request through a
 * module-wide PoolManager (made on first use; its idle connections never
 * keep the process alive).
 */
export function request(method: string, url: string, options: RequestOptions = {}): Promise<HTTPResponse> {
  defaultManager ??= new PoolManager();
  return defaultManager.request(method, url, options);
}
