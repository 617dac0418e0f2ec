// httpwire/proxy: a forward HTTP proxy on node:net with both halves of the
// wire read by httpwire. Client requests are read by the core's
// RequestReader (strict by default: the request smuggling forms are
// refused with 400), sent on with HTTPConnection (strict too, so a
// response that splits is refused with 502), and the response streamed
// back; CONNECT opens a TCP tunnel (HTTPS). Node only.
//
// Memory per client connection is bounded: the client socket is read only
// when the reader needs more bytes (pull, not push), one request at a
// time; bodies move one piece at a time and wait for the other side to
// drain. Upstream connections are kept alive in a small per-origin cache
// (a stand-in until issue 12's pool lands; see the note on OriginCache).
import { connect as netConnect, createServer, type Server, type Socket } from 'node:net';
import { Code } from '../abi/index.js';
import { BodyKind, RequestReader, type RequestEvent, type RequestHead } from '../core/index.js';
// The Node entry: HTTPConnection with node:net as its transport.
import { HTTPConnection, type HTTPResponse } from '../index.js';
import { requestError } from '../http/server.js';

/** Options of `createProxy`. */
export interface ProxyOptions {
  /** Refuse request smuggling and response splitting forms (default true). */
  strict?: boolean;
  /** Seconds for upstream connect and each upstream read or write (default 30); a timeout answers 504. */
  timeout?: number;
  /** Seconds a client connection may sit idle between requests (default 60). */
  idleTimeout?: number;
  /** Idle keep-alive connections kept per origin (default 8). */
  maxIdlePerOrigin?: number;
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
  /** Upstream keep-alive connections waiting in the cache. */
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
  for (const v of values) for (const t of v.split(',')) if (t.trim()) out.add(t.trim().toLowerCase());
  return out;
}

/** [name, value] pairs without hop-by-hop fields and those named in Connection. */
function endToEnd(fields: [string, string][]): [string, string][] {
  const listed = connectionTokens(fields.filter(([k]) => k.toLowerCase() === 'connection').map(([, v]) => v));
  return fields.filter(([k]) => {
    const lower = k.toLowerCase();
    return !HOP_BY_HOP.has(lower) && !listed.has(lower);
  });
}

function latin1Bytes(s: string): Buffer {
  return Buffer.from(s, 'latin1');
}

/**
 * Keep-alive upstream connections per origin. A small stand-in for issue
 * 12's pool (urllib3's HTTPConnectionPool over HTTPConnection): once that
 * lands, `take`/`give` become the pool's urlopen-level checkout.
 */
class OriginCache {
  private readonly idle = new Map<string, HTTPConnection[]>();
  active = 0;

  constructor(
    private readonly maxIdle: number,
    private readonly timeout: number,
    private readonly strict: boolean,
  ) {}

  /** An idle connection to host:port whose transport is still open, or (or with `fresh`) a new one. */
  take(host: string, port: number, fresh = false): { conn: HTTPConnection; reused: boolean } {
    const list = this.idle.get(`${host}:${port}`);
    this.active++;
    while (!fresh && list && list.length) {
      const conn = list.pop()!;
      if (conn.sock && !conn.sock.closed) return { conn, reused: true };
      conn.close();
    }
    return { conn: new HTTPConnection(host, port, { timeout: this.timeout, strict: this.strict }), reused: false };
  }

  /** Returns a connection after its response was read to the end; `reusable` false closes it. */
  give(conn: HTTPConnection, reusable: boolean): void {
    this.active--;
    if (!reusable || !conn.sock || conn.sock.closed) {
      conn.close();
      return;
    }
    const key = `${conn.host}:${conn.port}`;
    let list = this.idle.get(key);
    if (!list) this.idle.set(key, (list = []));
    if (list.length >= this.maxIdle) {
      conn.close();
      return;
    }
    list.push(conn);
  }

  get idleCount(): number {
    let n = 0;
    for (const list of this.idle.values()) n += list.length;
    return n;
  }

  closeAll(): void {
    for (const list of this.idle.values()) for (const c of list) c.close();
    this.idle.clear();
  }
}

/** Why an exchange failed, as the answer the client gets. */
function upstreamFailure(e: unknown): { code: number; message: string } {
  const name = (e as { name?: string } | null)?.name ?? '';
  if (name === 'TimeoutError' || /timed? ?out/i.test(String((e as Error)?.message))) return { code: 504, message: 'Gateway Timeout' };
  return { code: 502, message: 'Bad Gateway' };
}

/** Starts a forward proxy listening on `port` (0: any) at `host` (default 127.0.0.1). */
export function createProxy(options: ProxyOptions = {}): Proxy {
  const strict = options.strict ?? true;
  const timeout = options.timeout ?? 30;
  const idleMs = (options.idleTimeout ?? 60) * 1000;
  const via = `1.1 ${options.via ?? 'httpwire'}`;
  const chunkSize = options.chunkSize ?? 65536;
  const allow = options.allow ?? (() => true);
  const cache = new OriginCache(options.maxIdlePerOrigin ?? 8, timeout, strict);
  const clients = new Set<Socket>();
  const tunnels = new Set<Socket>();
  const answered: Record<string, number> = {};
  /** Counts an answer sent to a client under its status class (`stats().answered`). */
  const countAnswer = (code: number): void => {
    const cls = `${Math.floor(code / 100)}xx`;
    answered[cls] = (answered[cls] ?? 0) + 1;
  };

  const server = createServer({ noDelay: true }, (sock) => {
    clients.add(sock);
    sock.once('close', () => clients.delete(sock));
    sock.setTimeout(idleMs, () => sock.destroy());
    void serveClient(sock).catch(() => sock.destroy());
  });

  /** Writes `data` to `sock`, resolving once it may take more (backpressure). */
  function write(sock: Socket, data: Uint8Array | string): Promise<void> {
    if (sock.destroyed) return Promise.reject(new Error('client gone'));
    if (sock.write(data)) return Promise.resolve();
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
    await write(sock, latin1Bytes(head)).catch(() => {});
    await write(sock, Buffer.from(body)).catch(() => {});
    if (close) sock.end();
  }

  async function serveClient(sock: Socket): Promise<void> {
    const reader = new RequestReader({ strict });
    // The socket flows while the reader holds less than `highWater` unread
    // bytes, and pauses above it until the reader needs bytes again: memory
    // stays bounded without a pause and resume (two epoll changes) per read.
    const highWater = Math.max(chunkSize, 65536);
    let wake: (() => void) | null = null;
    let ended = false;
    sock.on('data', (chunk: Buffer) => {
      reader.feed(chunk);
      if (reader.buffered > highWater) sock.pause();
      wake?.();
    });
    sock.on('end', () => {
      ended = true;
      reader.end();
      wake?.();
    });
    sock.on('close', () => {
      ended = true;
      wake?.();
    });
    sock.on('error', () => {});

    /** The next event, reading from the socket while the reader needs more. */
    const next = async (): Promise<RequestEvent> => {
      for (;;) {
        const ev = reader.next(chunkSize);
        if (ev.type !== 'need-more') return ev;
        if (sock.destroyed || (ended && !sock.readable)) {
          if (!ended) return { type: 'closed' };
          // EOF was fed: the reader decides on the next call.
          const again = reader.next(chunkSize);
          return again.type === 'need-more' ? { type: 'closed' } : again;
        }
        await new Promise<void>((resolve) => {
          wake = resolve;
          if (sock.isPaused()) sock.resume();
        });
        wake = null;
      }
    };

    for (;;) {
      const ev = await next();
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
    // From here the client's bytes are the tunnel's: held until the pipe.
    sock.pause();
    sock.removeAllListeners('data');
    sock.removeAllListeners('end');
    const early = reader.detach();
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
    sock.setTimeout(0);
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

  /**
   * One request sent on and its response streamed back. Returns whether
   * the client connection stays open for the next request.
   */
  async function forward(sock: Socket, head: RequestHead, next: () => Promise<RequestEvent>): Promise<boolean> {
    // The path goes on as sent: a URL parser would re-encode it and
    // resolve dot segments, which is the origin's business.
    const m = ABSOLUTE_HTTP.exec(head.target);
    const port = m ? (m[2] ? Number(m[2]) : 80) : 0;
    if (!m || !(port > 0 && port < 65536)) {
      await drainBody(next);
      await answer(sock, 400, 'Bad Request', 'a forward proxy needs an absolute http:// target (or CONNECT for https)');
      return false;
    }
    const host = m[1]!.replace(/^\[|\]$/g, '');
    if (!allow(host, port, head.method)) {
      await drainBody(next);
      await answer(sock, 403, 'Forbidden', 'destination not allowed');
      return false;
    }
    const authority = m[2] ? `${m[1]}:${m[2]}` : m[1]!;
    const rest = m[3] ?? '';
    const path = rest.startsWith('/') ? rest : '/' + rest;
    // A request without a body has nothing more to read: its end is taken
    // now, so the request can be sent a second time.
    if (head.bodyKind === BodyKind.NONE) await next();
    let { conn, reused } = cache.take(host, port);
    for (let attempt = 0; ; attempt++) {
      let res: HTTPResponse | null;
      try {
        res = await sendRequest(conn, head, authority, path, next, sock);
      } catch (e) {
        cache.give(conn, false);
        if (attempt === 0 && reused && head.bodyKind === BodyKind.NONE && isStaleConnection(e)) {
          // A kept-alive connection the origin had closed: once more, fresh.
          ({ conn, reused } = cache.take(host, port, true));
          continue;
        }
        const f = upstreamFailure(e);
        await answer(sock, f.code, f.message, `${head.method} ${head.target}: ${(e as Error)?.message ?? e}`);
        return false;
      }
      if (res === null) {
        cache.give(conn, false);
        return false; // the client went away (or was refused) mid-body
      }
      let upstreamOk = false;
      try {
        const keep = await relayResponse(sock, head, res);
        upstreamOk = !res.will_close;
        return keep;
      } catch {
        sock.destroy(); // the head was sent: a cut body is all the client can be told
        return false;
      } finally {
        cache.give(conn, upstreamOk && res.isclosed());
      }
    }
  }

  /** Sends the head and body upstream; the response, or null when the client left mid-body. */
  async function sendRequest(
    conn: HTTPConnection,
    head: RequestHead,
    authority: string,
    path: string,
    next: () => Promise<RequestEvent>,
    sock: Socket,
  ): Promise<HTTPResponse | null> {
    conn.putrequest(head.method, path, { skip_host: true, skip_accept_encoding: true });
    // RFC 9112 3.2.2: a proxy replaces Host with the absolute-form target's
    // authority (an HTTP/1.0 client may have sent none at all).
    conn.putheader('Host', authority);
    const fields = endToEnd(head.headers.toArray());
    let sawVia = false;
    for (const [k, v] of fields) {
      const lower = k.toLowerCase();
      if (lower === 'expect' || lower === 'host') continue; // answered here (see below); Host set above
      if (lower === 'via') {
        conn.putheader(k, `${v}, ${via}`);
        sawVia = true;
        continue;
      }
      conn.putheader(k, v);
    }
    if (!sawVia) conn.putheader('Via', via);
    const chunked = head.chunked;
    if (chunked) conn.putheader('Transfer-Encoding', 'chunked');
    if (head.expectContinue) {
      // The client waits for 100 before its body; the proxy says it (as
      // http.server's handle_expect_100) and sends the body on unasked.
      await write(sock, 'HTTP/1.1 100 Continue\r\n\r\n');
    }
    await conn.endheaders();
    while (head.bodyKind !== BodyKind.NONE) {
      const ev = await next();
      if (ev.type === 'end') break;
      if (ev.type === 'data') {
        if (chunked) {
          await conn.send(latin1Bytes(`${ev.data.length.toString(16)}\r\n`));
          await conn.send(ev.data);
          await conn.send(CRLF);
        } else {
          await conn.send(ev.data);
        }
        continue;
      }
      // error (cut or refused body) or closed: the origin must not get half a request.
      conn.close();
      if (ev.type === 'error') {
        const s = requestError(ev.error);
        if (s && ev.error.code === Code.STRICT_VIOLATION) await answer(sock, s.code, s.message, s.explain);
        else sock.destroy();
      } else {
        sock.destroy();
      }
      return null;
    }
    if (chunked) await conn.send(LAST_CHUNK);
    return conn.getresponse();
  }

  /** The response head and body to the client. Returns whether the client connection stays open. */
  async function relayResponse(sock: Socket, head: RequestHead, res: HTTPResponse): Promise<boolean> {
    const status = res.status;
    const noBody = head.method === 'HEAD' || status === 204 || status === 304 || (status >= 100 && status < 200);
    const fields = endToEnd(res.getheaders());
    // Until-close bodies are sent chunked, so the client connection lives on.
    const lengthKnown = !res.chunked && res.length !== null;
    const rechunk = !noBody && !lengthKnown;
    const close = head.closeConnection || (rechunk && head.version !== 11);
    let out = `HTTP/1.1 ${status} ${res.reason}\r\n`;
    let sawVia = false;
    for (const [k, v] of fields) {
      if (k.toLowerCase() === 'via') {
        out += `${k}: ${v}, ${via}\r\n`;
        sawVia = true;
      } else {
        out += `${k}: ${v}\r\n`;
      }
    }
    if (!sawVia) out += `Via: ${via}\r\n`;
    if (rechunk && !close) out += 'Transfer-Encoding: chunked\r\n';
    if (close) out += 'Connection: close\r\n';
    out += '\r\n';
    countAnswer(status);
    // Head and a body already buffered go out in one write; a body that is
    // not there yet does not hold the head back (uncorked on the next turn).
    sock.cork();
    setImmediate(() => sock.uncork());
    await write(sock, latin1Bytes(out));
    if (!noBody) {
      const framed = rechunk && !close;
      for (;;) {
        const piece = await res.read1(chunkSize);
        if (piece.length === 0) break;
        if (framed) await write(sock, `${piece.length.toString(16)}\r\n`);
        await write(sock, piece);
        if (framed) await write(sock, CRLF);
      }
      if (framed) await write(sock, LAST_CHUNK);
    } else {
      await res.read();
    }
    return !close;
  }

  /** Reads and drops the current request's body (before an answer of our own). */
  async function drainBody(next: () => Promise<RequestEvent>): Promise<void> {
    for (;;) {
      const ev = await next();
      if (ev.type !== 'data') return;
    }
  }

  return {
    server,
    stats: () => ({ clients: clients.size, upstreamActive: cache.active, upstreamIdle: cache.idleCount, tunnels: tunnels.size, answered: { ...answered } }),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const c of clients) c.destroy();
        for (const t of tunnels) t.destroy();
        cache.closeAll();
      }),
  };
}

/** An error that says a kept-alive connection was already closed by the origin. */
function isStaleConnection(e: unknown): boolean {
  const name = (e as { constructor?: { name?: string } } | null)?.constructor?.name ?? '';
  return ['RemoteDisconnected', 'ConnectionResetError', 'BrokenPipeError', 'ConnectionAbortedError'].includes(name);
}

/** `http://host[:port][/path?query]`: host (a name or a bracketed IPv6), port, the rest. No userinfo. */
const ABSOLUTE_HTTP = /^http:\/\/(\[[0-9A-Fa-f:.]+\]|[^/?#@:[\]]+)(?::([0-9]{1,5}))?([/?].*)?$/i;
const CRLF = Buffer.from('\r\n');
const LAST_CHUNK = Buffer.from('0\r\n\r\n');
