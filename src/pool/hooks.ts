// What the pool needs from the connection and the runtime, in one place:
//
// - the adapter over HTTPConnection (issue 10's contract): `is_connected`,
//   and the error `phase` that tells whether a byte of a request was sent;
// - runtime hooks an entry point installs (src/pool/node.ts for Node):
//   whether a transport holds bytes nobody asked for, and closing idle
//   transports whose peer closed them;
// - the observability hooks (null unless an entry point installed them;
//   the Node entry publishes them on diagnostics_channel, as
//   src/http/observe.ts does for the connection's events).
import type { HTTPConnection } from '../http/client.js';
import type { Transport } from '../transport/types.js';

/** Runtime hooks; each may be null. */
export interface RuntimeHooks {
  /** False when a transport the connection calls open is unfit for reuse (bytes arrived that nobody asked for). */
  transportAlive: ((transport: Transport) => boolean) | null;
  /** Marks a transport idle in the pool (true: close it when the peer closes) or in use again (false). */
  setIdle: ((transport: Transport, idle: boolean) => void) | null;
  /** A digest of `data` (assert_fingerprint); without it, Web Crypto's SHA-1 and SHA-256 are used (no MD5). */
  digest: ((algorithm: 'md5' | 'sha1' | 'sha256', data: Uint8Array) => Uint8Array) | null;
}

/** The installed runtime hooks (none by default: every transport counts as fit, nothing is watched while idle). */
export const runtime: RuntimeHooks = { transportAlive: null, setIdle: null, digest: null };

/**
 * Whether `conn` holds an open transport worth reusing (urllib3's
 * `not is_connection_dropped(conn)`): `is_connected` (no FIN, reset, error
 * or local close seen), and no unasked bytes where the runtime can tell.
 */
export function isConnected(conn: HTTPConnection): boolean {
  return conn.is_connected && (runtime.transportAlive === null || runtime.transportAlive(conn.sock!));
}

/**
 * Whether `err` came before any byte of the request was written: its
 * `phase` is `connect` or `tls` (a connection opened, or reopened after
 * a stale keep-alive, inside the request).
 */
export function requestNotSent(err: unknown): boolean {
  const phase = typeof err === 'object' && err !== null ? (err as { phase?: unknown }).phase : undefined;
  return phase === 'connect' || phase === 'tls';
}

// ------------------------------------------------------------ observability

/** A pool event: which pool (`scheme://host:port`), and the connection where there is one. */
export interface PoolEvent {
  pool: { scheme: string; host: string; port: number };
  connection?: HTTPConnection;
}

/** A retried attempt: the method, URL, the error or status that caused it, and the Retry now in force. */
export interface RetryEvent extends PoolEvent {
  method: string;
  url: string;
  error: unknown;
  status: number | null;
}

/** A redirect followed. */
export interface RedirectEvent extends PoolEvent {
  method: string;
  url: string;
  location: string;
  status: number;
}

/**
 * Phase timings of one request, in milliseconds from its start (null for a
 * phase that did not happen: no connect on a reused connection, no TLS on
 * plain HTTP). `queued`: waiting for a connection; `connect`: TCP open;
 * `tls`: the handshake; `firstByte`: the response head; `done`: the body.
 */
export interface TimingsEvent extends PoolEvent {
  method: string;
  url: string;
  status: number | null;
  reused: boolean;
  queued: number;
  connect: number | null;
  tls: number | null;
  firstByte: number | null;
  done: number | null;
  error: unknown;
}

export interface PoolObservers {
  created: ((e: PoolEvent) => void) | null;
  acquired: ((e: PoolEvent & { reused: boolean }) => void) | null;
  released: ((e: PoolEvent) => void) | null;
  retried: ((e: RetryEvent) => void) | null;
  redirected: ((e: RedirectEvent) => void) | null;
  timings: ((e: TimingsEvent) => void) | null;
}

/** The hooks the pool calls; set by an entry point. */
export const poolObserve: PoolObservers = {
  created: null,
  acquired: null,
  released: null,
  retried: null,
  redirected: null,
  timings: null,
};
