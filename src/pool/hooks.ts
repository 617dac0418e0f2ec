// What the pool needs from the connection and the runtime, in one place:
//
// - the adapter over HTTPConnection (issue 10's contract: `is_connected`,
//   and error `phase`), with a fallback for connections without them;
// - runtime hooks an entry point installs (src/pool/node.ts for Node):
//   whether a transport is still alive, and un-referencing idle transports
//   so that they never keep the process alive;
// - the observability hooks (null unless an entry point installed them;
//   the Node entry publishes them on diagnostics_channel, as
//   src/http/observe.ts does for the connection's events).
import type { HTTPConnection } from '../http/client.js';
import type { Transport } from '../transport/types.js';

/** Runtime hooks; each may be null. */
export interface RuntimeHooks {
  /** False when the transport saw the peer's FIN/RST or has unread bytes (urllib3's is_connection_dropped). */
  transportAlive: ((transport: Transport) => boolean) | null;
  /** Marks a transport idle (true: must not keep the process alive; closed when the peer closes) or in use again (false). */
  setIdle: ((transport: Transport, idle: boolean) => void) | null;
}

export const runtime: RuntimeHooks = { transportAlive: null, setIdle: null };

/**
 * Whether `conn` holds an open transport worth reusing: issue 10's
 * `is_connected` getter where the connection has it, else the transport's
 * own state plus the runtime's check.
 */
export function isConnected(conn: HTTPConnection): boolean {
  const own = (conn as { is_connected?: unknown }).is_connected;
  if (typeof own === 'boolean') return own && (runtime.transportAlive === null || conn.sock === null || runtime.transportAlive(conn.sock));
  const sock = conn.sock;
  if (sock === null || sock.closed) return false;
  return runtime.transportAlive === null || runtime.transportAlive(sock);
}

/**
 * Whether `err` came before any byte of the request was written: issue
 * 10's `phase` attribute (`connect`/`tls`) where the error has one, else
 * whether it came from the pool's own connect step.
 */
export function requestNotSent(err: unknown, duringConnect: boolean): boolean {
  const phase = typeof err === 'object' && err !== null ? (err as { phase?: unknown }).phase : undefined;
  if (typeof phase === 'string') return phase === 'connect' || phase === 'tls';
  return duringConnect;
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
