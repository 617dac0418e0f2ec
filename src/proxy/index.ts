// httpwire/proxy: a forward HTTP proxy on node:net with both halves of the
// wire read by httpwire. Client requests are read by the core's
// RequestReader (strict by default: the request smuggling forms are
// refused with 400), sent on with httpwire's pool (a PoolManager, one
// HTTPConnectionPool per origin; strict too, so a response that splits is
// refused with 502; no redirects followed, no content decoded, no retry of
// a request the origin may have acted on: only the in-flight race is
// retried, see `lostInFlightRace`), and the response streamed back;
// CONNECT opens a TCP tunnel (HTTPS), and so does an Upgrade request
// (WebSocket) once the origin answers 101. Node only.
//
// Memory per client connection is bounded: the client socket is read only
// when the reader needs more bytes (pull, not push), one request at a
// time; bodies move one piece at a time and wait for the other side to
// drain.
import { connect as netConnect, createServer, type Server, type Socket } from 'node:net';
import { Code } from '../abi/index.js';
import { BodyKind, RequestReader, type RequestEvent, type RequestHead } from '../core/index.js';
import type { ReceiveBuffer } from '../core/buffer.js';
import type { HeaderValue } from '../http/client.js';
import type { HTTPResponse as RawResponse } from '../http/response.js';
import type { Transport } from '../transport/types.js';
import { requestError } from '../http/server.js';
// The Node entries: HTTPConnection over node:net, and the pool with Node's hooks.
import { HTTPConnection } from '../index.js';
import {
  HTTPConnectionPool,
  HTTPHeaderDict,
  MaxRetryError,
  NewConnectionError,
  PoolManager,
  ProtocolError,
  Retry,
  TimeoutError as PoolTimeoutError,
  type HTTPResponse as PoolResponse,
  type PoolManagerOptions,
} from '../pool/node.js';

/** Options of `createProxy`. */
export interface ProxyOptions {
  /** Refuse request smuggling and response splitting forms (default true). */
  strict?: boolean;
  /** Seconds for upstream connect and each upstream read or write (default 30); a timeout answers 504. */
  timeout?: number;
  /** Seconds a client connection may sit idle (nothing read or written) before it is closed (default 60; 0: never). Checked by a sweep every eighth of it (at most every second): closed up to two sweeps late, never early. */
  idleTimeout?: number;
  /** Idle keep-alive connections kept per origin: each origin's pool `maxsize` (default 8). */
  maxIdlePerOrigin?: number;
  /** Origins whose pools are kept, least recently used closed first: the PoolManager's `num_pools` (default 64). */
  maxOrigins?: number;
  /** This proxy's name in `Via` (default `httpwire`). */
  via?: string;
  /** Body bytes moved per step (default 64 KiB): with socket buffers, the memory bound per connection. */
  chunkSize?: number;
  /**
   * Decides whether a request may go to `host:port` (CONNECT included);
   * false answers 403. Default: every destination.
   */
  allow?: (host: string, port: number, method: string) => boolean;
}

/** What a proxy is doing now (for tests and monitoring). */
export interface ProxyStats {
  /** Client connections open. */
  clients: number;
  /** Upstream connections in use by a request. */
  upstreamActive: number;
  /** Upstream keep-alive connections idle in the pools. */
  upstreamIdle: number;
  /** CONNECT tunnels open. */
  tunnels: number;
  /** Requests answered, by status class. */
  answered: Record<string, number>;
}

/** A running proxy: a node:net Server plus its state. */
export interface Proxy {
  readonly server: Server;
  stats(): ProxyStats;
  /** Stops listening, closes every client, tunnel and upstream connection. */
  close(): Promise<void>;
}

/** Hop-by-hop fields (RFC 9110 7.6.1 and the ones every proxy drops), lowercase. */
const HOP_BY_HOP = new Set(['connection', 'proxy-connection', 'keep-alive', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'proxy-authorization', 'proxy-authenticate']);

/** The header names a Connection field lists, lowercase. */
function connectionTokens(values: string[]): Set<string> {
  const out = new Set<string>();
  for (const v of values) addTokens(out, v);
  return out;
}

function addTokens(out: Set<string>, value: string): void {
  // Most values are one token (nginx's `keep-alive` on every response): no split.
  if (!value.includes(',')) {
    const token = value.trim();
    if (token) out.add(token.toLowerCase());
    return;
  }
  for (const t of value.split(',')) {
    const token = t.trim();
    if (token) out.add(token.toLowerCase());
  }
}

/** The lengths of the HOP_BY_HOP names: a name of another length is none of them (no lowercase copy needed). */
const HOP_LENGTHS = new Set([...HOP_BY_HOP].map((h) => h.length));

/** The lowercase names the Connection fields among `fields` list, or null when there is no Connection field. */
function connectionListed(fields: [string, string][]): string[] | null {
  let listed: Set<string> | null = null;
  for (const [k, v] of fields) if (k.length === 10 && k.toLowerCase() === 'connection') addTokens((listed ??= new Set()), v);
  return listed === null ? null : [...listed];
}

/**
 * Whether a field is hop-by-hop: one of HOP_BY_HOP or named in Connection
 * (`listed`). A name is lowercased only when its length matches one of
 * them (names are Latin-1 text, whose lowercase has the same length).
 */
function hopByHop(name: string, listed: string[] | null): boolean {
  const n = name.length;
  let lower: string | null = null;
  if (HOP_LENGTHS.has(n) && HOP_BY_HOP.has((lower = name.toLowerCase()))) return true;
  if (listed !== null) for (const t of listed) if (t.length === n && (lower ??= name.toLowerCase()) === t) return true;
  return false;
}

/** [name, value] pairs without hop-by-hop fields and those named in Connection. */
function endToEnd(fields: [string, string][]): [string, string][] {
  const listed = connectionListed(fields);
  return fields.filter(([k]) => !hopByHop(k, listed));
}

/**
 * urllib3's SKIP_HEADER: a User-Agent with this value is not sent. The
 * pool adds its own User-Agent to a request that has none; a proxy must
 * send the client's headers as they came.
 */
const SKIP_HEADER = '@@@SKIP_HEADER@@@';

/**
 * The upstream connection: HTTPConnection that sends only the headers it is
 * given — no `Accept-Encoding: identity` added (an absent Accept-Encoding
 * means any coding is fine, RFC 9110 12.5.3), and no SKIP_HEADER value —
 * and that marks a failed response read with whether the request went out
 * on a transport an earlier request had used (the in-flight race can only
 * be lost on a reused connection; see `lostInFlightRace`).
 */
class UpstreamConnection extends HTTPConnection {
  /** The transport the last request went out on. */
  private lastSock: Transport | null = null;
  /** Whether the current request went out on a transport used before. */
  private reusedSock = false;

  override putrequest(method: string, url: string): void {
    this.reusedSock = this.sock !== null && this.sock === this.lastSock;
    this.lastSock = this.sock;
    super.putrequest(method, url, { skip_host: true, skip_accept_encoding: true });
  }

  override putheader(header: string | Uint8Array, ...values: HeaderValue[]): void {
    if (values.length === 1 && values[0] === SKIP_HEADER) return;
    super.putheader(header, ...values);
  }

  override getresponse(...args: Parameters<HTTPConnection['getresponse']>): ReturnType<HTTPConnection['getresponse']> {
    // No async wrapper on the way that succeeds: only a rejection is marked.
    return super.getresponse(...args).catch((e: unknown) => {
      if (typeof e === 'object' && e !== null) (e as { upstreamReused?: boolean }).upstreamReused = this.reusedSock;
      throw e;
    });
  }
}

/**
 * The pools of upstream connections: urllib3's PoolManager, one
 * HTTPConnectionPool per origin, each making UpstreamConnections. (urllib3
 * would take `ConnectionCls`; httpwire's pool has no such attribute, so
 * each new pool gets its `_new_conn`.)
 */
class UpstreamPools extends PoolManager {
  constructor(
    options: PoolManagerOptions,
    private readonly strict: boolean,
  ) {
    super(options);
  }

  override connection_from_host(...args: Parameters<PoolManager['connection_from_host']>): HTTPConnectionPool {
    const pool = super.connection_from_host(...args);
    if (!upstreamPools.has(pool)) {
      upstreamPools.add(pool);
      const strict = this.strict;
      pool._new_conn = function (this: HTTPConnectionPool) {
        this.num_connections++;
        return new UpstreamConnection(this.host, this.port, { strict });
      };
    }
    return pool;
  }

  /** Idle keep-alive connections over every pool. */
  get idleCount(): number {
    let n = 0;
    for (const pool of this.pools.values()) n += pool.num_idle;
    return n;
  }
}

const upstreamPools = new WeakSet<HTTPConnectionPool>();

/**
 * The pool's retries: one, only for a request not a byte of which was
 * written (a connect error, or a kept-alive connection found closed before
 * writing — the origin saw nothing). No redirect followed, no Retry-After
 * honoured: a proxy passes those to its client. The one retry of a
 * request the origin may have seen is `forward`'s, for the in-flight race
 * only (see `lostInFlightRace`).
 */
const UPSTREAM_RETRY = new Retry({ total: 1, connect: 1, read: 0, redirect: false, status: 0, other: 0, respect_retry_after_header: false });

/** An origin's body of known length that ended before its length (the origin closed early). */
class UpstreamBodyCut extends Error {
  constructor() {
    super('the origin closed before the end of its body');
  }
}

/** A client's request body that could not be read to its end (cut, refused, or the client left). */
class ClientBodyFailed extends Error {
  constructor(readonly event: RequestEvent) {
    super('the client request body could not be read');
  }
}

/** RFC 9110 9.2.2: the methods a client may send again without asking (their effect is the same). */
const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE', 'PUT', 'DELETE']);

/**
 * Whether an upstream failure is the keep-alive in-flight race: the
 * request went out on a reused connection, the origin closed or reset it
 * and not a byte of a response came (`response_bytes: 0`, set by
 * http.client on the error; docs/reliability.md). The origin closed an idle
 * connection as the request arrived, so it did not act on it. A timeout is
 * not this race (the origin may be working on the request).
 */
function lostInFlightRace(e: unknown): boolean {
  let err = e instanceof MaxRetryError ? e.reason : e;
  if (!(err instanceof ProtocolError)) return false;
  // ProtocolError wraps http.client's error (RemoteDisconnected, ConnectionResetError).
  for (let depth = 0; depth < 4 && typeof err === 'object' && err !== null; depth++) {
    const marks = err as { response_bytes?: number; upstreamReused?: boolean; cause?: unknown };
    if (marks.response_bytes !== undefined) return marks.response_bytes === 0 && marks.upstreamReused === true;
    err = marks.cause;
  }
  return false;
}

/**
 * The headers sent upstream: `Host` from the target's authority (RFC 9112
 * 3.2.2), the client's end-to-end fields as sent, `Via` appended to (to the
 * last Via line; a new line when there is none). Framing (Content-Length,
 * Transfer-Encoding) is set from the body as read, and `Expect` is
 * answered here. A plain object when every name comes once (the common
 * case, and the cheapest for the pool and http.client to walk); an
 * HTTPHeaderDict when a name repeats, so that each field goes out as its
 * own line, in the order sent (fields of one name together, at the first
 * one's place: urllib3's HTTPHeaderDict order), as it came from the client.
 */
function upstreamHeaders(head: RequestHead, authority: string, via: string, upgrade: string | null): Record<string, string> | HTTPHeaderDict {
  // A plain object (Object.create(null) would be a slow dictionary for
  // every pass the pool and http.client make over it).
  const out: Record<string, string> = { Host: authority };
  const keyOf = new Map<string, string>();
  const h = head.headers;
  // The fields read in place (no pair list): names listed in Connection are hop-by-hop too.
  const listed = h.indexOf('connection') < 0 ? null : connectionTokens(h.getAll('connection'));
  for (let i = 0; i < h.length; i++) {
    const k = h.name(i);
    const lower = k.toLowerCase();
    if (!sentOn(lower, listed)) continue;
    // A repeated name, or one an object would reorder (an array index, such as `1`): kept as lines.
    if (keyOf.has(lower) || INDEX_LIKE.test(k)) return upstreamHeaderDict(head, authority, via, upgrade, listed);
    keyOf.set(lower, k);
    const v = h.value(i);
    // A field named __proto__ is a field like any other, not the prototype.
    if (k === '__proto__') Object.defineProperty(out, k, { value: v, writable: true, enumerable: true, configurable: true });
    else out[k] = v;
  }
  const viaKey = keyOf.get('via');
  if (viaKey === undefined) out.Via = via;
  else out[viaKey] += `, ${via}`;
  if (!keyOf.has('user-agent')) out['User-Agent'] = SKIP_HEADER;
  if (head.bodyKind === BodyKind.LENGTH) out['Content-Length'] = String(head.length ?? 0);
  if (upgrade !== null) {
    // Hop-by-hop, but the upgrade is asked of the origin: passed on as asked.
    out.Upgrade = upgrade;
    out.Connection = 'upgrade';
  }
  return out;
}

/** Whether a client field (lowercase name) goes upstream as sent: not hop-by-hop, and not one set or answered here (Host, Expect, Content-Length). */
function sentOn(lower: string, listed: Set<string> | null): boolean {
  return !HOP_BY_HOP.has(lower) && !listed?.has(lower) && lower !== 'host' && lower !== 'expect' && lower !== 'content-length';
}

/** A name a JS object would move to the front (an array index): such a field goes in an HTTPHeaderDict. */
const INDEX_LIKE = /^(?:0|[1-9][0-9]*)$/;

/** upstreamHeaders when a name repeats: the same fields, each value its own line. */
function upstreamHeaderDict(head: RequestHead, authority: string, via: string, upgrade: string | null, listed: Set<string> | null): HTTPHeaderDict {
  const out = new HTTPHeaderDict();
  out.add('Host', authority);
  const h = head.headers;
  for (let i = 0; i < h.length; i++) {
    const k = h.name(i);
    const lower = k.toLowerCase();
    if (!sentOn(lower, listed)) continue;
    out.add(k, h.value(i));
  }
  const vias = out.getlist('via');
  if (vias.length === 0) {
    out.add('Via', via);
  } else {
    // Our entry joins the last Via line (RFC 9110 7.6.3: appended to the list).
    const name = out.keys().find((k) => k.toLowerCase() === 'via')!;
    vias[vias.length - 1] += `, ${via}`;
    out.set(name, vias[0]!);
    for (let j = 1; j < vias.length; j++) out.add(name, vias[j]!);
  }
  if (!out.has('user-agent')) out.add('User-Agent', SKIP_HEADER);
  if (head.bodyKind === BodyKind.LENGTH) out.add('Content-Length', String(head.length ?? 0));
  if (upgrade !== null) {
    out.add('Upgrade', upgrade);
    out.add('Connection', 'upgrade');
  }
  return out;
}

/** The `Upgrade` a request asks for (RFC 9110 7.8: the field, and `upgrade` among Connection's tokens), or null. */
function upgradeAsked(head: RequestHead): string | null {
  const h = head.headers;
  // Most requests have no Upgrade field: one lookup, no copies.
  if (h.indexOf('upgrade') < 0) return null;
  if (!connectionTokens(h.getAll('connection')).has('upgrade')) return null;
  const values = h.getAll('upgrade').map((v) => v.trim());
  return values.every(Boolean) ? values.join(', ') : null;
}

/**
 * The bytes a response's file holds past its head (a copy). http.client
 * has no API for them; its file keeps them in `buf`, or (since the
 * response machine) in `machine.buffer`: both are read, so that this works
 * on either side of that change.
 */
function bufferedAfterHead(raw: RawResponse): Uint8Array {
  const fp = raw.fp as unknown as { buf?: ReceiveBuffer; machine?: { buffer: ReceiveBuffer } } | null;
  const buffer = fp?.machine?.buffer ?? fp?.buf;
  return buffer ? buffer.view().slice() : new Uint8Array(0);
}

/** An upstream connection after a 101: its transport, and the bytes that came after the 101 head. */
interface Upgraded {
  transport: Transport;
  early: Uint8Array;
}

/**
 * Takes the transport of a 101 response out of its pooled connection: the
 * bytes buffered after the head are copied out, the connection forgets the
 * transport (it reconnects when the pool hands it out again) and goes back
 * to the pool. (Neither urllib3 nor http.client has a way to hand over a
 * connection after 101; this is that way, kept here.)
 */
function takeUpstream(res: PoolResponse): Upgraded {
  const raw = res._fp!;
  const conn = res.connection!;
  const transport = conn.sock!;
  const early = bufferedAfterHead(raw);
  conn.sock = null; // so that close() leaves it open
  conn.close();
  res.release_conn();
  return { transport, early };
}

/** Why an exchange failed, as the answer the client gets: 504 for a timeout, else 502. */
function upstreamFailure(e: unknown): { code: number; message: string } {
  const cause = e instanceof MaxRetryError ? e.reason : e;
  // NewConnectionError is a ConnectTimeoutError in urllib3's tree: a refused connect is not a timeout.
  if (cause instanceof PoolTimeoutError && !(cause instanceof NewConnectionError)) return { code: 504, message: 'Gateway Timeout' };
  return { code: 502, message: 'Bad Gateway' };
}

/** The text of an upstream failure for the 502/504 body: the cause's, not MaxRetryError's wrapping. */
function failureText(e: unknown): string {
  const cause = e instanceof MaxRetryError && e.reason ? e.reason : e;
  return (cause as Error)?.message ?? String(cause);
}

/** Starts a forward proxy listening on `port` (0: any) at `host` (default 127.0.0.1). */
export function createProxy(options: ProxyOptions = {}): Proxy {
  const strict = options.strict ?? true;
  const timeout = options.timeout ?? 30;
  const idleMs = (options.idleTimeout ?? 60) * 1000;
  const via = `1.1 ${options.via ?? 'httpwire'}`;
  const viaLine = `Via: ${via}\r\n`;
  const chunkSize = options.chunkSize ?? 65536;
  const allow = options.allow ?? (() => true);
  const pools = new UpstreamPools(
    { num_pools: options.maxOrigins ?? 64, maxsize: options.maxIdlePerOrigin ?? 8, timeout, strict, retries: UPSTREAM_RETRY },
    strict,
  );
  let upstreamActive = 0;
  const clients = new Set<Socket>();
  /** What each open tunnel (CONNECT or an upgraded connection) closes with. */
  const tunnels = new Set<{ destroy(): void }>();
  const answered: Record<string, number> = {};
  /** Counts an answer sent to a client under its status class (`stats().answered`). */
  const countAnswer = (code: number): void => {
    const cls = STATUS_CLASS[Math.floor(code / 100)] ?? `${Math.floor(code / 100)}xx`;
    answered[cls] = (answered[cls] ?? 0) + 1;
  };

  // Idle clients are found by a sweep, not by a socket timeout: Node
  // re-arms a socket's timer on every read and write (two timer-list moves
  // per request); here a read or write stores the sweep's tick number. A
  // client with neither for `idleMs` is closed by a later sweep (up to two
  // sweep steps late, never early). The sweep runs while clients are
  // watched, and does not keep the process alive.
  const idleStep = Math.min(1000, Math.max(1, Math.floor(idleMs / 8)));
  const idleTicks = Math.ceil(idleMs / idleStep);
  /** Client connections under the idle watch (not tunnels), with the tick of their last read or write. */
  const watched = new Map<Socket, { tick: number }>();
  let tick = 0;
  let sweep: ReturnType<typeof setInterval> | null = null;
  const sweepIdle = () => {
    tick++;
    for (const [sock, seen] of watched) if (tick - seen.tick > idleTicks) sock.destroy();
    if (watched.size === 0 && sweep !== null) {
      clearInterval(sweep);
      sweep = null;
    }
  };

  const server = createServer({ noDelay: true }, (sock) => {
    clients.add(sock);
    const seen = { tick };
    if (idleMs > 0 && Number.isFinite(idleMs)) {
      watched.set(sock, seen);
      sweep ??= setInterval(sweepIdle, idleStep).unref();
    }
    sock.once('close', () => {
      clients.delete(sock);
      watched.delete(sock);
    });
    void serveClient(sock, seen).catch(() => sock.destroy());
  });

  /** Writes `data` (text as Latin-1) to `sock`, resolving once it may take more (backpressure). */
  function write(sock: Socket, data: Uint8Array | string): Promise<void> {
    if (sock.destroyed) return Promise.reject(new Error('client gone'));
    return send(sock, data) ? Promise.resolve() : drained(sock);
  }

  /** Hands `data` (text as Latin-1) to `sock`; false when it should drain before more. Throws when the client is gone. */
  function send(sock: Socket, data: Uint8Array | string): boolean {
    if (sock.destroyed) throw new Error('client gone');
    const seen = watched.get(sock);
    if (seen !== undefined) seen.tick = tick;
    // Text goes out as Latin-1 (heads are; the rest is ASCII): no Buffer made here for it.
    return typeof data === 'string' ? sock.write(data, 'latin1') : sock.write(data);
  }

  /** Resolves on `sock`'s next drain; rejects if it closes first. */
  function drained(sock: Socket): Promise<void> {
    return new Promise((resolve, reject) => {
      const done = (err?: Error) => {
        sock.off('drain', ok);
        sock.off('close', gone);
        if (err) reject(err);
        else resolve();
      };
      const ok = () => done();
      const gone = () => done(new Error('client gone'));
      sock.once('drain', ok);
      sock.once('close', gone);
    });
  }

  /** A short answer of our own, then (by default) the connection's end. */
  async function answer(sock: Socket, code: number, message: string, explain: string, close = true): Promise<void> {
    countAnswer(code);
    const body = `${code} ${message}\n${explain}\n`;
    const head = `HTTP/1.1 ${code} ${message}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nVia: ${via}\r\n${close ? 'Connection: close\r\n' : ''}\r\n`;
    await write(sock, head).catch(() => {});
    await write(sock, Buffer.from(body)).catch(() => {});
    if (close) sock.end();
  }

  async function serveClient(sock: Socket, seen: { tick: number }): Promise<void> {
    const reader = new RequestReader({ strict });
    // The socket flows while the reader holds less than `highWater` unread
    // bytes, and pauses above it until the reader needs bytes again: memory
    // stays bounded without a pause and resume (two epoll changes) per read.
    const highWater = Math.max(chunkSize, 65536);
    let ended = false;
    /** The read waiting for an event (one at most: events are pulled one at a time). */
    let waiting: ((ev: RequestEvent) => void) | null = null;
    /** No more bytes will come: the socket is destroyed, or ended and read to its end. */
    const done = (): boolean => sock.destroyed || (ended && !sock.readable);
    /** The event once no more bytes will come: `closed`, or the reader's last word after EOF. */
    const last = (): RequestEvent => {
      if (!ended) return { type: 'closed' };
      const again = reader.next(chunkSize);
      return again.type === 'need-more' ? { type: 'closed' } : again;
    };
    /**
     * Settles the waiting read with the reader's next event when it has one
     * (a partial head or body piece does not wake the reader's caller), or
     * with `last()` once no more bytes will come.
     */
    const settle = (): void => {
      if (waiting === null) return;
      let ev = reader.next(chunkSize);
      if (ev.type === 'need-more') {
        if (!done()) return;
        ev = last();
      }
      const resolve = waiting;
      waiting = null;
      resolve(ev);
    };
    sock.on('data', (chunk: Buffer) => {
      seen.tick = tick;
      reader.feed(chunk);
      settle();
      // A read still waiting needs more bytes (a head over highWater, up to
      // the reader's own limits): the socket flows on for it, or nothing
      // would resume it. Otherwise the bytes wait for the next read.
      if (waiting === null && reader.buffered > highWater) sock.pause();
    });
    sock.on('end', () => {
      ended = true;
      reader.end();
      settle();
    });
    sock.on('close', () => {
      ended = true;
      settle();
    });
    sock.on('error', () => {});

    /**
     * The next event: at once when the reader has it (the usual case: a
     * whole request came in one read), else a promise of it, settled from
     * the socket's events (the socket resumed if it was paused).
     */
    const next = (): RequestEvent | Promise<RequestEvent> => {
      const ev = reader.next(chunkSize);
      if (ev.type !== 'need-more') return ev;
      if (done()) return last();
      return new Promise<RequestEvent>((resolve) => {
        waiting = resolve;
        if (sock.isPaused()) sock.resume();
      });
    };

    for (;;) {
      let ev = next();
      if (ev instanceof Promise) ev = await ev;
      if (ev.type === 'closed') {
        sock.end();
        return;
      }
      if (ev.type === 'error') {
        const s = requestError(ev.error);
        if (s) await answer(sock, s.code, s.message, s.explain);
        else sock.end();
        return;
      }
      if (ev.type !== 'head') {
        sock.destroy(); // never: bodies are read by the handlers below
        return;
      }
      const head = ev.head;
      if (head.method === 'CONNECT') {
        await tunnel(sock, head, reader);
        return;
      }
      const keepOpen = await forward(sock, head, next);
      if (typeof keepOpen === 'object') {
        upgradedTunnel(sock, reader, keepOpen);
        return;
      }
      if (!keepOpen) {
        sock.end();
        return;
      }
    }
  }

  /** CONNECT host:port: a TCP tunnel, piped both ways with backpressure. */
  async function tunnel(sock: Socket, head: RequestHead, reader: RequestReader): Promise<void> {
    const m = /^\[?([^\]]*?)\]?:([0-9]{1,5})$/.exec(head.target);
    const port = m ? Number(m[2]) : NaN;
    if (!m || !(port > 0 && port < 65536)) return answer(sock, 400, 'Bad Request', 'CONNECT needs host:port');
    if (!allow(m[1]!, port, 'CONNECT')) return answer(sock, 403, 'Forbidden', 'destination not allowed');
    const early = takeClient(sock, reader);
    const up = netConnect({ host: m[1]!, port, noDelay: true });
    tunnels.add(up);
    up.once('close', () => tunnels.delete(up));
    const timer = setTimeout(() => up.destroy(Object.assign(new Error('connect timed out'), { name: 'TimeoutError' })), timeout * 1000);
    try {
      await new Promise<void>((resolve, reject) => {
        up.once('connect', resolve);
        up.once('error', reject);
      });
    } catch (e) {
      const f = upstreamFailure(e);
      return answer(sock, f.code, f.message, `CONNECT to ${head.target} failed`);
    } finally {
      clearTimeout(timer);
    }
    countAnswer(200);
    await write(sock, `HTTP/1.1 200 Connection Established\r\nVia: ${via}\r\n\r\n`).catch(() => {});
    if (early.length) up.write(early);
    up.on('error', () => sock.destroy());
    sock.on('error', () => up.destroy());
    up.once('close', () => sock.destroy());
    sock.once('close', () => up.destroy());
    sock.pipe(up);
    up.pipe(sock);
    sock.resume();
  }

  /** From here the client's bytes are a tunnel's: the socket paused and taken from the reader; what it had buffered. */
  function takeClient(sock: Socket, reader: RequestReader): Uint8Array {
    sock.pause();
    sock.removeAllListeners('data');
    sock.removeAllListeners('end');
    watched.delete(sock);
    return reader.detach();
  }

  /**
   * After a 101 (RFC 9110 7.8) the connection speaks the new protocol: the
   * client socket and the upstream transport (taken out of the pool) piped
   * both ways, each piece written before the next is read, no timeout (a
   * WebSocket may sit idle); either side closing closes both.
   */
  function upgradedTunnel(sock: Socket, reader: RequestReader, up: Upgraded): void {
    const fromClient = takeClient(sock, reader);
    const { transport } = up;
    transport.setTimeout(null);
    const entry = { destroy: () => close() };
    tunnels.add(entry);
    const close = () => {
      tunnels.delete(entry);
      transport.close();
      sock.destroy();
    };
    sock.on('error', close);
    sock.once('close', close);
    // Origin to client: what came after the 101 head, then every read.
    void (async () => {
      if (up.early.length) await write(sock, up.early);
      for (;;) {
        const chunk = await transport.read();
        if (chunk === null) break;
        // A transport may reuse a chunk's memory on its next read; the socket may still hold it.
        await write(sock, transport.reusesChunks ? Buffer.from(chunk) : chunk);
      }
      sock.end();
    })().catch(close);
    // Client to origin.
    const send = (data: Uint8Array) => {
      sock.pause();
      transport.write(data).then(() => sock.resume(), close);
    };
    if (fromClient.length) send(fromClient);
    sock.on('data', send);
    sock.on('end', close);
    if (!fromClient.length) sock.resume();
  }

  /**
   * One request sent on and its response streamed back. Returns whether
   * the client connection stays open for the next request, or the upstream
   * connection to tunnel to after a 101.
   */
  async function forward(sock: Socket, head: RequestHead, next: () => RequestEvent | Promise<RequestEvent>): Promise<boolean | Upgraded> {
    // The path goes on as sent: a URL parser would re-encode it and
    // resolve dot segments, which is the origin's business.
    const m = ABSOLUTE_HTTP.exec(head.target);
    const port = m ? (m[2] ? Number(m[2]) : 80) : 0;
    if (!m || !(port > 0 && port < 65536)) {
      await drainBody(next);
      await answer(sock, 400, 'Bad Request', 'a forward proxy needs an absolute http:// target (or CONNECT for https)');
      return false;
    }
    const host = m[1]!.startsWith('[') ? m[1]!.slice(1, -1) : m[1]!;
    if (!allow(host, port, head.method)) {
      await drainBody(next);
      await answer(sock, 403, 'Forbidden', 'destination not allowed');
      return false;
    }
    const authority = m[2] ? `${m[1]}:${m[2]}` : m[1]!;
    const rest = m[3] ?? '';
    const path = rest.startsWith('/') ? rest : '/' + rest;
    const bodyless = head.bodyKind === BodyKind.NONE;
    const upgrade = upgradeAsked(head);
    // A request without a body has nothing more to read: its end is taken now.
    if (bodyless) {
      const end = next();
      if (end instanceof Promise) await end;
    }
    if (head.expectContinue) {
      // The client waits for 100 before its body; the proxy says it (as
      // http.server's handle_expect_100) and sends the body on unasked.
      await write(sock, 'HTTP/1.1 100 Continue\r\n\r\n');
    }
    upstreamActive++;
    let res: PoolResponse;
    const headers = upstreamHeaders(head, authority, via, upgrade);
    const pool = pools.connection_from_host(host, port, 'http');
    for (let attempt = 0; ; attempt++) {
      try {
        // The pool's urlopen with the path as sent: a URL parser would
        // re-encode it and resolve dot segments, which is the origin's business.
        res = await pool.urlopen(head.method, path, {
          body: bodyless ? null : clientBody(next),
          headers,
          chunked: head.chunked,
          retries: UPSTREAM_RETRY,
          redirect: false,
          assert_same_host: false,
          preload_content: false,
          decode_content: false,
        });
        break;
      } catch (e) {
        if (attempt === 0 && bodyless && IDEMPOTENT.has(head.method) && lostInFlightRace(e)) {
          // The in-flight race, lost: once more. The failed connection went
          // back to the pool closed, on top of its idle stack, so the next
          // attempt takes it and connects afresh; one macrotask first lets
          // other idle connections the origin closed show their FIN.
          await new Promise((resolve) => setImmediate(resolve));
          continue;
        }
        upstreamActive--;
        if (e instanceof ClientBodyFailed) {
          // A cut or refused body: the origin got half a request and its connection was closed.
          const ev = e.event;
          const s = ev.type === 'error' && ev.error.code === Code.STRICT_VIOLATION ? requestError(ev.error) : null;
          if (s) await answer(sock, s.code, s.message, s.explain);
          else sock.destroy();
          return false;
        }
        const f = upstreamFailure(e);
        await answer(sock, f.code, f.message, `${head.method} ${head.target}: ${failureText(e)}`);
        return false;
      }
    }
    if (res.status === 101) {
      upstreamActive--;
      if (upgrade === null) {
        // Switching protocols unasked: nothing the client could read.
        res.connection?.close();
        res.release_conn();
        await answer(sock, 502, 'Bad Gateway', `${head.method} ${head.target}: 101 without an Upgrade request`);
        return false;
      }
      const up = takeUpstream(res);
      countAnswer(101);
      const fields = endToEnd(res._fp!.getheaders()).filter(([k]) => k.toLowerCase() !== 'via');
      const viaIn = res.headers.get('via');
      let out = `HTTP/1.1 101 ${res.reason}\r\n`;
      for (const [k, v] of fields) out += `${k}: ${v}\r\n`;
      out += `Upgrade: ${res.headers.get('upgrade') ?? upgrade}\r\nConnection: upgrade\r\nVia: ${viaIn ? `${viaIn}, ${via}` : via}\r\n\r\n`;
      try {
        await write(sock, out);
      } catch {
        up.transport.close();
        return false;
      }
      return up;
    }
    try {
      return await relayResponse(sock, head, res);
    } catch {
      // The head went out (relayResponse hands it to the socket before it
      // throws): a cut body is all the client can be told, so the client
      // connection ends after what was written (FIN, then closed), and the
      // client sees an incomplete body, not a missing response. The
      // upstream connection goes back closed (the pool reconnects it).
      res.connection?.close();
      sock.destroySoon();
      return false;
    } finally {
      res.release_conn();
      upstreamActive--;
    }
  }

  /** The response head and body to the client. Returns whether the client connection stays open. */
  async function relayResponse(sock: Socket, head: RequestHead, res: PoolResponse): Promise<boolean> {
    // http.client's response under the pool's: read1 (what has arrived,
    // not a full piece) and the framing it read.
    const raw = res._fp!;
    const status = res.status;
    const noBody = head.method === 'HEAD' || status === 204 || status === 304 || (status >= 100 && status < 200);
    // Hop-by-hop fields are left out as the head is written (no filtered copy of the list).
    const fields = raw.getheaders();
    const listed = connectionListed(fields);
    // Until-close bodies are sent chunked, so the client connection lives on.
    const lengthKnown = !raw.chunked && raw.length !== null;
    const rechunk = !noBody && !lengthKnown;
    const close = head.closeConnection || (rechunk && head.version !== 11);
    let out = `HTTP/1.1 ${status} ${res.reason}\r\n`;
    let sawVia = false;
    for (const [k, v] of fields) {
      if (hopByHop(k, listed)) continue;
      if (k.length === 3 && k.toLowerCase() === 'via') {
        out += `${k}: ${v}, ${via}\r\n`;
        sawVia = true;
      } else {
        out += `${k}: ${v}\r\n`;
      }
    }
    if (!sawVia) out += viaLine;
    if (rechunk && !close) out += 'Transfer-Encoding: chunked\r\n';
    if (close) out += 'Connection: close\r\n';
    out += '\r\n';
    countAnswer(status);
    // What this turn writes goes out at its check phase, with the other
    // clients' answers of the same poll (as the cork until setImmediate
    // before), and the head goes out with the body's first piece when that
    // piece is there by then: nginx sends a file's head and body as two
    // segments, and a head written alone costs a second write here and a
    // second wake-up at the client. A body not there by the check phase
    // does not hold the head back (no timer: a late body is an SSE stream,
    // a long poll or a slow handler, whose client should see the head at
    // once); a piece after the check phase goes out at once.
    let pendingHead: string | null = noBody ? null : out;
    let corked = true;
    /** Hands the head, if still held, to the socket alone, and uncorks. */
    const flush = (): void => {
      if (pendingHead !== null) {
        const text = pendingHead;
        pendingHead = null;
        if (!sock.destroyed) send(sock, text);
      }
      if (corked) {
        corked = false;
        sock.uncork();
      }
    };
    sock.cork();
    setImmediate(flush);
    let ok = true;
    try {
      if (noBody) {
        ok = send(sock, out);
        await raw.read();
      } else {
        const framed = rechunk && !close;
        for (;;) {
          if (!ok) {
            flush();
            await drained(sock);
          }
          const piece = await raw.read1(chunkSize);
          if (piece.length === 0) break;
          if (pendingHead !== null && !framed && piece.length <= JOIN_MAX) {
            // Head and a small piece as one buffer: one plain write, not a writev of a string and a buffer.
            const buf = Buffer.allocUnsafe(pendingHead.length + piece.length);
            buf.write(pendingHead, 0, 'latin1');
            buf.set(piece, pendingHead.length);
            pendingHead = null;
            ok = send(sock, buf);
          } else {
            if (pendingHead !== null) {
              send(sock, pendingHead);
              pendingHead = null;
            }
            if (framed) {
              // Size line, piece and CRLF as one write.
              sock.cork();
              send(sock, `${piece.length.toString(16)}\r\n`);
              send(sock, piece);
              ok = send(sock, CRLF);
              sock.uncork();
            } else {
              ok = send(sock, piece);
            }
          }
          // A body of known length read to its end closes the response: no read for its end.
          if (raw.isclosed()) break;
        }
        // A body of known length that ended short (the origin closed early)
        // is cut, not complete: the client must not wait for the rest.
        if (lengthKnown && raw.length !== null && raw.length > 0) throw new UpstreamBodyCut();
        if (pendingHead !== null) {
          send(sock, pendingHead);
          pendingHead = null;
        }
        if (framed) ok = send(sock, LAST_CHUNK);
      }
    } catch (e) {
      // The head goes out before the caller cuts the connection: a client
      // that saw no response at all would take it for the keep-alive race
      // and might send again a request the origin answered.
      if (!sock.destroyed) flush();
      throw e;
    }
    if (!ok) await drained(sock);
    return !close;
  }

  /** Reads and drops the current request's body (before an answer of our own). */
  async function drainBody(next: () => RequestEvent | Promise<RequestEvent>): Promise<void> {
    for (;;) {
      const ev = await next();
      if (ev.type !== 'data') return;
    }
  }

  return {
    server,
    stats: () => ({ clients: clients.size, upstreamActive, upstreamIdle: pools.idleCount, tunnels: tunnels.size, answered: { ...answered } }),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        if (sweep !== null) clearInterval(sweep);
        sweep = null;
        for (const c of clients) c.destroy();
        for (const t of tunnels) t.destroy();
        pools.clear();
      }),
  };
}

/** The client's request body, piece by piece as the pool sends it (each piece sent before the next is read). */
async function* clientBody(next: () => RequestEvent | Promise<RequestEvent>): AsyncGenerator<Uint8Array> {
  for (;;) {
    const ev = await next();
    if (ev.type === 'end') return;
    if (ev.type !== 'data') throw new ClientBodyFailed(ev);
    yield ev.data;
  }
}

/** `http://host[:port][/path?query]`: host (a name or a bracketed IPv6), port, the rest. No userinfo. */
const ABSOLUTE_HTTP = /^http:\/\/(\[[0-9A-Fa-f:.]+\]|[^/?#@:[\]]+)(?::([0-9]{1,5}))?([/?].*)?$/i;
const CRLF = Buffer.from('\r\n');
/** A first body piece up to this size is copied behind the head, for one plain write. */
const JOIN_MAX = 16384;
/** `stats().answered` keys by status / 100 (made once, not per answer). */
const STATUS_CLASS = ['0xx', '1xx', '2xx', '3xx', '4xx', '5xx'];
const LAST_CHUNK = Buffer.from('0\r\n\r\n');
