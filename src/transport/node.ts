// The Node transport: node:net and node:tls sockets behind the Transport
// interface. Reads are pulled with bounded read-ahead: the socket is paused
// whenever HIGH_WATER bytes wait for read(), so a slow reader holds at most
// about that much here plus the socket's own readable buffer, and TCP flow
// control does the rest. Timeouts follow Python's socket timeouts: each connect,
// read or write wait is bounded, and a timed-out transport is closed (a
// Python socket is in an undefined state after a timeout). A socket holds
// the event loop only while a read or write is pending (undici unrefs an
// idle socket too): a forgotten close() never keeps a process alive.
import { readdirSync, readFileSync } from 'node:fs';
import * as net from 'node:net';
import { join } from 'node:path';
import * as tls from 'node:tls';
import { timeoutMs as toMs, TransportError, type ConnectOptions, type TlsOptions, type Transport, type TransportFactory } from './types.js';

type NodeSocket = net.Socket | tls.TLSSocket;

/** Linux's values of the socket options setSocketOption knows (Python's socket module constants). */
const SOCKOPT = { SOL_SOCKET: 1, SO_KEEPALIVE: 9, IPPROTO_TCP: 6, TCP_NODELAY: 1, TCP_KEEPIDLE: 4 } as const;

/** Received bytes held for read() before the socket is paused. */
const HIGH_WATER = 64 * 1024;

/** Size of each reused read buffer (libuv reads at most this much at once). */
const READ_BUFFER = 64 * 1024;

/**
 * Reused read memory for a plain TCP socket (net's `onread` option): Node
 * otherwise allocates a fresh 64 KiB buffer for every read, garbage that
 * piles up to tens of MiB before V8 collects it while a large body streams
 * through. Two buffers suffice: one lent to the reader (valid until its
 * next read()), one for the read in flight; a third use falls back to a
 * fresh allocation.
 */
class ReadBuffers {
  private readonly pool: Uint8Array[] = [new Uint8Array(READ_BUFFER), new Uint8Array(READ_BUFFER)];
  /** The buffer whose bytes the reader holds, or null. */
  lent: Uint8Array | null = null;
  /** Where received bytes go (the transport, once connected); `pooled` is the reused buffer they are in, if so. */
  sink: ((view: Uint8Array, pooled: Uint8Array | null) => void) | null = null;

  /** libuv's allocation callback: a buffer not lent to the reader. */
  next(): Uint8Array {
    for (const b of this.pool) if (b !== this.lent) return b;
    return new Uint8Array(READ_BUFFER);
  }

  /** onread's callback: `n` bytes arrived in `buf`. Returns true (keep reading; pausing is the transport's). */
  received(n: number, buf: Uint8Array): boolean {
    this.sink?.(buf.subarray(0, n), this.pool.includes(buf) ? buf : null);
    return true;
  }
}

interface Waiter {
  resolve(chunk: Uint8Array | null): void;
  reject(err: TransportError): void;
}

/** Wraps a Node error (or anything thrown) as a TransportError with its code. */
export function toTransportError(err: unknown, fallbackCode = 'EIO'): TransportError {
  if (err instanceof TransportError) return err;
  const e = err as NodeJS.ErrnoException | undefined;
  const code = typeof e?.code === 'string' ? e.code : fallbackCode;
  const message = e instanceof Error ? e.message : String(err);
  const opts: { cause?: unknown; errno?: number; syscall?: string } = { cause: err };
  // libuv reports negated errno values; Python's errno is positive.
  if (typeof e?.errno === 'number') opts.errno = Math.abs(e.errno);
  if (typeof e?.syscall === 'string') opts.syscall = e.syscall;
  return new TransportError(code, message, opts);
}

function timeoutError(what: string): TransportError {
  return new TransportError('ETIMEDOUT', `timed out (${what})`, { cause: new Error('timed out') });
}

/**
 * Node's error for a TLS handshake the peer ended with a clean FIN (no
 * syscall: a reset says `read ECONNRESET`); OpenSSL, and so Python, calls
 * that SSLEOFError.
 */
function isHandshakeEof(err: NodeJS.ErrnoException): boolean {
  return err.code === 'ECONNRESET' && err.syscall === undefined && /before secure TLS connection/.test(err.message);
}


/**
 * Transports with writes waiting for the end of this turn of the event loop
 * (see NodeTransport.batchWrites), and whether the flush is scheduled.
 */
const batched: NodeTransport[] = [];
let batchScheduled = false;

/** Hands every batched write to its socket, in the order they were made. */
function flushBatched(): void {
  batchScheduled = false;
  for (const t of batched.splice(0)) t.flushWrites();
}

export class NodeTransport implements Transport {
  readonly socket: NodeSocket;
  peer?: { address: string; port: number };
  private readonly queue: Uint8Array[] = [];
  private queuedBytes = 0;
  private waiter: Waiter | null = null;
  private eof = false;
  private error: TransportError | null = null;
  private _closed = false;
  /** A write failed (EPIPE, ECONNRESET): no more writes; reads drain what the kernel holds first. */
  private writeError: TransportError | null = null;
  private timeoutMs: number | null = null;
  private readonly buffers: ReadBuffers | null;
  /** Reads and writes pending: the sockets hold the event loop only while this is above 0. */
  private busy = 0;
  /**
   * A paused socket was resumed and a full poll turn has not passed since
   * (nor since the last chunk after it): the kernel may still hold the
   * peer's FIN, unread, so peerClosed may be stale (see whenPeerKnown).
   */
  private unsettled = false;
  /**
   * The socket was resumed since the last write: each chunk of this
   * response unsettles it again (a slow peer's last chunk may come after a
   * quiet turn, and libuv reads the FIN behind it only on the next poll).
   * Responses that never reach the read-ahead limit never set it: no cost.
   */
  private resumed = false;
  /** A chunk arrived while unsettled: one more poll turn is needed (it may have been a partial read before the FIN). */
  private chunkWhileUnsettled = false;
  /** Resolved once settled. */
  private settledWaiters: (() => void)[] | null = null;
  /** What to ref and unref: the socket, and under a tunnel's TLS also the TCP socket it runs on. */
  private readonly holds: NodeSocket[];
  /**
   * A chunk from read() is valid only until the next read() (its memory is
   * reused): consumers that keep bytes copy them. True for plain TCP.
   */
  readonly reusesChunks: boolean;
  /**
   * Close this transport as soon as the peer's FIN arrives (a pool sets it
   * while the connection is idle, so that a server's keep-alive close is
   * not left half-open until the next request). A flag read by the one
   * 'end' listener, not a listener added and removed per request.
   */
  closeOnPeerEnd = false;
  /**
   * Writes wait for the end of the event loop's turn (its check phase,
   * after the I/O callbacks of the poll) and go out together, in order. A
   * pool sets it: with many connections in one loop, a request written
   * at once wakes the server, which on loopback often runs on this CPU and
   * preempts the client in the middle of the turn (the wake is a sync one),
   * so the client's other responses wait for it; written after the turn's
   * I/O, the server runs when the client has nothing left to do. In a perf
   * profile of the pool benchmark the preemptions were 0.7-0.9 a request
   * and 11% of the client's main thread at the write call; batched, 0.1-0.2.
   */
  batchWrites = false;
  /**
   * Settles each write in flight when the socket closes (this transport's
   * one 'close' listener calls them: not a listener added and removed on
   * the socket for every write).
   */
  private readonly writesOnClose: (() => void)[] = [];
  /** Writes made with batchWrites on and not yet handed to the socket. */
  private pendingWrites: (() => void)[] | null = null;

  constructor(socket: NodeSocket, timeoutSeconds: number | null = null, buffers: ReadBuffers | null = null, under: NodeSocket | null = null) {
    this.socket = socket;
    this.holds = under ? [socket, under] : [socket];
    this.timeoutMs = toMs(timeoutSeconds);
    this.buffers = buffers;
    this.reusesChunks = buffers !== null;
    // Flowing from the start, bounded by HIGH_WATER: bytes that arrive
    // while a request is still being written (an early 413 before a reset)
    // are kept for read(), as the kernel keeps them for a Python socket.
    if (buffers) buffers.sink = (view, pooled) => this.onChunk(view, pooled);
    else socket.on('data', (buf: Buffer) => this.onChunk(new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength), null));
    // A failed write must not destroy the socket before the read side has
    // drained: the peer's early answer (a 413 before its reset) waits in
    // the kernel, readable once the write has taken the error (CPython reads
    // it). Node destroys on a write error only through autoDestroy.
    const states = socket as unknown as { _readableState?: { autoDestroy: boolean }; _writableState?: { autoDestroy: boolean } };
    if (states._readableState && states._writableState) states._readableState.autoDestroy = states._writableState.autoDestroy = false;
    socket.on('end', () => this.onEnd());
    socket.on('error', (err: Error) => this.onError(toTransportError(err)));
    socket.on('close', () => this.onClose());
    this.updatePeer();
    // Idle until the first read or write.
    for (const s of this.holds) s.unref();
  }

  get closed(): boolean {
    return this._closed;
  }

  /** The peer's FIN or reset, or an error, was seen (see Transport.peerClosed). */
  get peerClosed(): boolean {
    return this.eof || this.error !== null || this.writeError !== null || this.socket.destroyed;
  }

  /** Null when peerClosed is current; else resolves once a poll turn has shown what followed a resume (Transport.whenPeerKnown). */
  whenPeerKnown(): Promise<void> | null {
    if (!this.unsettled || this.peerClosed) return null;
    return new Promise<void>((resolve) => (this.settledWaiters ??= []).push(resolve));
  }

  /** Resumes the paused socket: its peer state is unknown until a poll turn has read what waits in the kernel. */
  private resumeSocket(): void {
    this.socket.resume();
    this.resumed = true;
    this.unsettle();
  }

  /** Peer state unknown from now until a poll turn passes with no new chunk (or the end, an error, a close). */
  private unsettle(): void {
    if (this.unsettled) {
      this.chunkWhileUnsettled = true;
      return;
    }
    this.unsettled = true;
    this.chunkWhileUnsettled = false;
    this.awaitPollTurn();
  }

  /**
   * Two check-phase turns: the second runs after a poll phase that began
   * after the resume (the first may run before that poll). libuv stops at
   * a partial read, so a chunk meanwhile means one more turn for the FIN.
   */
  private awaitPollTurn(): void {
    setImmediate(() =>
      setImmediate(() => {
        if (!this.unsettled) return;
        if (this.chunkWhileUnsettled && !this.socket.isPaused()) {
          this.chunkWhileUnsettled = false;
          this.awaitPollTurn();
        } else this.settle();
      }),
    );
  }

  /** The peer state is current again: wakes whoever waits in whenPeerKnown. */
  private settle(): void {
    this.unsettled = false;
    const waiters = this.settledWaiters;
    this.settledWaiters = null;
    if (waiters) for (const w of waiters) w();
  }

  /** A read or write starts: the sockets hold the event loop. */
  private hold(): void {
    if (this.busy++ === 0) for (const s of this.holds) s.ref();
  }

  /** A read or write ended: when none is left, the sockets stop holding the event loop. */
  private release(): void {
    if (--this.busy === 0) for (const s of this.holds) s.unref();
  }

  /** Bytes received and held client-side: queued chunks plus the socket's readable buffer. */
  get bufferedBytes(): number {
    return this.queuedBytes + this.socket.readableLength;
  }

  setTimeout(seconds: number | null): void {
    this.timeoutMs = toMs(seconds);
  }

  /** Current timeout in seconds, or null. */
  get timeout(): number | null {
    return this.timeoutMs === null ? null : this.timeoutMs / 1000;
  }

  /** The socket's file descriptor, or -1 (a TLS socket over a tunnel has none of its own). */
  fileno(): number {
    const handle = (this.socket as unknown as { _handle?: { fd?: number } })._handle;
    return typeof handle?.fd === 'number' ? handle.fd : -1;
  }

  /** The peer's certificate in DER, or null (plain TCP, or no certificate). */
  peerCertificate(): Uint8Array | null {
    const s = this.socket as tls.TLSSocket;
    if (typeof s.getPeerCertificate !== 'function') return null;
    const raw = s.getPeerCertificate(false)?.raw;
    return raw ? new Uint8Array(raw.buffer, raw.byteOffset, raw.byteLength) : null;
  }

  /** SO_KEEPALIVE and TCP_KEEPIDLE as set so far (Node sets them together). */
  private keepAlive: { on: boolean; idleSeconds: number } = { on: false, idleSeconds: 0 };

  /**
   * Python's setsockopt for what Node can set: TCP_NODELAY (6, 1),
   * SO_KEEPALIVE (1, 9), TCP_KEEPIDLE (6, 4; seconds). Applied to the TCP
   * socket (the one under a tunnel's TLS too). False for any other option.
   */
  setSocketOption(level: number, name: number, value: number): boolean {
    const tcp = (this.holds[this.holds.length - 1] ?? this.socket) as net.Socket;
    if (level === SOCKOPT.IPPROTO_TCP && name === SOCKOPT.TCP_NODELAY) {
      tcp.setNoDelay(Boolean(value));
      return true;
    }
    if (level === SOCKOPT.SOL_SOCKET && name === SOCKOPT.SO_KEEPALIVE) this.keepAlive.on = Boolean(value);
    else if (level === SOCKOPT.IPPROTO_TCP && name === SOCKOPT.TCP_KEEPIDLE) this.keepAlive.idleSeconds = value;
    else return false;
    tcp.setKeepAlive(this.keepAlive.on, this.keepAlive.idleSeconds * 1000);
    return true;
  }

  /**
   * Starts TLS over this connection (HTTPS inside a CONNECT tunnel). The
   * TCP socket passes to the returned transport; this one is spent.
   */
  startTls(options: TlsOptions, signal: AbortSignal | null = null): Promise<Transport> {
    if (this.error) return Promise.reject(this.error);
    if (this._closed) return Promise.reject(new TransportError('ECLOSED', 'startTls on a closed transport'));
    this.flushWrites();
    const socket = this.socket;
    socket.pause();
    socket.removeAllListeners('data');
    socket.removeAllListeners('end');
    socket.removeAllListeners('error');
    socket.removeAllListeners('close');
    this._closed = true;
    // The handshake holds the event loop (this transport had let go of it).
    socket.ref();
    let tlsOpts: tls.ConnectionOptions;
    try {
      tlsOpts = { ...tlsConnectionOptions(options), socket };
    } catch (err) {
      socket.destroy();
      return Promise.reject(toTransportError(err));
    }
    return whenReady(tls.connect(tlsOpts), 'secureConnect', this.timeoutMs, this.timeout, null, socket, signal);
  }

  updatePeer(): void {
    const { remoteAddress, remotePort } = this.socket;
    if (remoteAddress !== undefined && remotePort !== undefined) {
      this.peer = { address: remoteAddress, port: remotePort };
    }
  }

  read(): Promise<Uint8Array | null> {
    // The chunk the last read() returned is no longer the reader's.
    if (this.buffers) this.buffers.lent = null;
    if (this.queue.length > 0) {
      const chunk = this.queue.shift()!;
      this.queuedBytes -= chunk.length;
      if (this.queuedBytes < HIGH_WATER && !this.eof && !this._closed && this.socket.isPaused()) this.resumeSocket();
      return Promise.resolve(chunk);
    }
    if (this.error) return Promise.reject(this.error);
    if (this._closed) return Promise.reject(new TransportError('ECLOSED', 'read on a closed transport'));
    if (this.eof) return Promise.resolve(null);
    if (this.waiter) return Promise.reject(new TransportError('EBUSY', 'a read is already pending'));
    return new Promise<Uint8Array | null>((resolve, reject) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const done = () => {
        if (timer !== undefined) clearTimeout(timer);
        this.waiter = null;
        this.release();
      };
      this.hold();
      this.waiter = {
        resolve: (chunk) => {
          done();
          resolve(chunk);
        },
        reject: (err) => {
          done();
          reject(err);
        },
      };
      if (this.timeoutMs !== null) {
        timer = setTimeout(() => this.failTimeout('read'), this.timeoutMs);
      }
      if (this.socket.isPaused()) this.resumeSocket();
    });
  }

  write(data: Uint8Array): Promise<void> {
    if (data.length === 0 && !this.error && !this._closed) return Promise.resolve();
    return this.writeWith((done) => this.socket.write(data, done));
  }

  /**
   * Writes `pieces` as one write: corked, Node hands them to libuv as one
   * request (a writev), so they go out in order with one system call, and
   * fail together: a later piece never goes out after an earlier one failed.
   */
  writev(pieces: Uint8Array[]): Promise<void> {
    return this.writeWith((done) => {
      const socket = this.socket;
      socket.cork();
      try {
        for (let i = 0; i < pieces.length - 1; i++) socket.write(pieces[i]!);
        socket.write(pieces[pieces.length - 1] ?? new Uint8Array(0), done);
      } finally {
        socket.uncork();
      }
    });
  }

  /** One write started by `start` (given the socket's write callback), bounded by the timeout, settled honestly. */
  private writeWith(start: (done: (err?: Error | null) => void) => void): Promise<void> {
    if (this.error) return Promise.reject(this.error);
    if (this.writeError) return Promise.reject(this.writeError);
    if (this._closed) return Promise.reject(new TransportError('ECLOSED', 'write on a closed transport'));
    // A new exchange: its response unsettles the peer state only if it too is paused and resumed.
    this.resumed = false;
    this.hold();
    return new Promise<void>((resolve, reject) => {
      let settled = false;
      let timer: ReturnType<typeof setTimeout> | undefined;
      const settle = (err: TransportError | null) => {
        if (settled) return;
        settled = true;
        if (timer !== undefined) clearTimeout(timer);
        const i = this.writesOnClose.indexOf(onClose);
        if (i >= 0) this.writesOnClose.splice(i, 1);
        this.release();
        if (err) reject(err);
        else resolve();
      };
      const onClose = () => settle(this.error ?? new TransportError('ECLOSED', 'transport closed during write'));
      this.writesOnClose.push(onClose);
      if (this.timeoutMs !== null) {
        timer = setTimeout(() => {
          this.failTimeout('write');
          settle(this.error!);
        }, this.timeoutMs);
      }
      const go = () => {
        try {
          start((err) => {
            if (err) {
              const te = toTransportError(err, 'EPIPE');
              if (te.code === 'ERR_STREAM_WRITE_AFTER_END' || te.code === 'ERR_STREAM_DESTROYED') {
                settle(this.error ?? new TransportError('EPIPE', te.message, { cause: err }));
              } else settle(this.error ?? te);
            } else if (this.error) {
              settle(this.error);
            } else if (!this.socket.destroyed) {
              settle(null);
            }
            // Destroyed without an error yet: Node calls a write's callback
            // without an error once a reset destroyed the socket (its
            // onWriteComplete, nodejs/node#29810), though the bytes never went
            // out. Not trusted: the 'close' listener settles with the reset.
          });
        } catch (err) {
          settle(toTransportError(err, 'EPIPE'));
        }
      };
      if (!this.batchWrites) go();
      else if (this.pendingWrites !== null) this.pendingWrites.push(go);
      else {
        this.pendingWrites = [go];
        batched.push(this);
        if (!batchScheduled) {
          batchScheduled = true;
          setImmediate(flushBatched);
        }
      }
    });
  }

  /** Hands the batched writes to the socket now (the batch's flush, and before a close or a TLS start). */
  flushWrites(): void {
    const pending = this.pendingWrites;
    if (pending === null) return;
    this.pendingWrites = null;
    for (const go of pending) go();
  }

  close(): void {
    if (this._closed) return;
    // Bytes written before the close go out first, as they did when written at once.
    this.flushWrites();
    this._closed = true;
    this.settle();
    this.socket.destroy();
    if (this.waiter) this.waiter.reject(new TransportError('ECLOSED', 'transport closed during read'));
  }

  /** Received bytes: to the waiting reader (lent, if in reused memory), else queued (copied if reused). */
  private onChunk(chunk: Uint8Array, pooled: Uint8Array | null): void {
    if (this.resumed) this.unsettle();
    if (this.waiter) {
      if (pooled) this.buffers!.lent = pooled;
      this.waiter.resolve(chunk);
      return;
    }
    if (pooled) chunk = chunk.slice();
    this.queue.push(chunk);
    this.queuedBytes += chunk.length;
    if (this.queuedBytes >= HIGH_WATER) this.socket.pause();
  }

  private onEnd(): void {
    this.eof = true;
    // Half-open is over when the write side already failed (autoDestroy is off).
    if (this.writeError) queueMicrotask(() => this.socket.destroy());
    this.settle();
    if (this.waiter && this.queue.length === 0) this.waiter.resolve(null);
    if (this.closeOnPeerEnd) this.close();
  }

  private onError(err: TransportError): void {
    if (err.syscall === 'write' && !this.socket.destroyed && !this.eof) {
      // The write side is dead; the read side still drains what arrived
      // (Node marks the readable errored too, which would hide its end).
      this.writeError ??= err;
      (this.socket as unknown as { _readableState: { errored: unknown } })._readableState.errored = null;
      return;
    }
    if (!this.error) this.error = err;
    this.settle();
    if (this.waiter) this.waiter.reject(this.error);
  }

  private onClose(): void {
    this.settle();
    if (this.waiter) {
      if (this.error) this.waiter.reject(this.error);
      else if (this.eof) this.waiter.resolve(null);
      else this.waiter.reject(new TransportError('ECLOSED', 'connection closed'));
    }
    for (const settleWrite of this.writesOnClose.slice()) settleWrite();
  }

  private failTimeout(what: string): void {
    const err = timeoutError(what);
    if (!this.error) this.error = err;
    if (this.waiter) this.waiter.reject(err);
    this.close();
  }
}

/** Debian's and Red Hat's CA bundles: what OpenSSL (and so Python) trusts by default. */
const SYSTEM_CA_FILES = ['/etc/ssl/certs/ca-certificates.crt', '/etc/pki/tls/certs/ca-bundle.crt', '/etc/ssl/cert.pem'];
let systemCA: Buffer | null | undefined;

/** The system CA bundle (SSL_CERT_FILE first, as OpenSSL), or null to use Node's bundled roots. */
function systemCABundle(): Buffer | null {
  if (systemCA !== undefined) return systemCA;
  systemCA = null;
  const env = typeof process !== 'undefined' ? process.env.SSL_CERT_FILE : undefined;
  for (const file of env ? [env, ...SYSTEM_CA_FILES] : SYSTEM_CA_FILES) {
    try {
      systemCA = readFileSync(file);
      break;
    } catch {
      // try the next place
    }
  }
  return systemCA;
}

/**
 * Secure contexts by their trust and identity settings. Parsing a CA bundle
 * costs tens of milliseconds of event-loop time, so it is done once per
 * distinct setting, not per connection (Python parses it once per
 * SSLContext). Bounded: the oldest entry goes first.
 */
const secureContexts = new Map<string, tls.SecureContext>();
const SECURE_CONTEXTS_MAX = 32;

function secureContextFor(t: TlsOptions): tls.SecureContext | undefined {
  const files = t.caFile === undefined ? [] : Array.isArray(t.caFile) ? t.caFile : [t.caFile];
  const bundle = t.systemCA ? systemCABundle() : null;
  const custom =
    files.length > 0 || t.caPath !== undefined || t.ca !== undefined || bundle !== null || t.cert !== undefined ||
    t.certFile !== undefined || t.minVersion !== undefined || t.maxVersion !== undefined;
  // Node's own default context already trusts its bundled roots.
  if (!custom) return undefined;
  const key = JSON.stringify([
    bundle !== null, files, t.caPath ?? null, typeof t.ca === 'string' || t.ca === undefined ? (t.ca ?? null) : Buffer.from(t.ca).toString('base64'),
    t.cert ?? null, t.key ?? null, t.certFile ?? null, t.keyFile ?? null, t.passphrase ?? null, t.minVersion ?? null, t.maxVersion ?? null,
  ]);
  let ctx = secureContexts.get(key);
  if (ctx) return ctx;
  const cas: (string | Buffer)[] = [];
  if (bundle) cas.push(bundle);
  for (const file of files) cas.push(readFileSync(file));
  if (t.caPath !== undefined) {
    for (const name of readdirSync(t.caPath)) {
      if (/\.(pem|crt|\d+)$/.test(name)) cas.push(readFileSync(join(t.caPath, name)));
    }
  }
  if (t.ca !== undefined) cas.push(typeof t.ca === 'string' ? t.ca : Buffer.from(t.ca));
  const options: tls.SecureContextOptions = {};
  if (cas.length > 0) options.ca = cas;
  const cert = t.cert ?? (t.certFile !== undefined ? readFileSync(t.certFile, 'utf8') : undefined);
  const pkey = t.key ?? (t.keyFile !== undefined ? readFileSync(t.keyFile, 'utf8') : undefined);
  if (cert !== undefined) options.cert = cert;
  if (pkey !== undefined) options.key = pkey;
  if (t.passphrase !== undefined) options.passphrase = t.passphrase;
  if (t.minVersion !== undefined) options.minVersion = t.minVersion as tls.SecureVersion;
  if (t.maxVersion !== undefined) options.maxVersion = t.maxVersion as tls.SecureVersion;
  ctx = tls.createSecureContext(options);
  if (secureContexts.size >= SECURE_CONTEXTS_MAX) secureContexts.delete(secureContexts.keys().next().value!);
  secureContexts.set(key, ctx);
  return ctx;
}

/** Node's TLS options for ours; files named in them are read here (the only file access), once per setting. */
function tlsConnectionOptions(t: TlsOptions): tls.ConnectionOptions {
  const out: tls.ConnectionOptions = {};
  if (t.hostname !== undefined) out.host = t.hostname;
  if (t.servername !== undefined) out.servername = t.servername;
  const secureContext = secureContextFor(t);
  if (secureContext) out.secureContext = secureContext;
  if (t.rejectUnauthorized !== undefined) out.rejectUnauthorized = t.rejectUnauthorized;
  if (t.checkHostname === false) out.checkServerIdentity = () => undefined;
  else if (t.identity !== undefined) {
    const name = t.identity;
    out.checkServerIdentity = (_host, cert) => tls.checkServerIdentity(name, cert);
  }
  if (t.ALPNProtocols !== undefined) out.ALPNProtocols = t.ALPNProtocols;
  return out;
}

/**
 * Resolves with a NodeTransport once `socket` emits `readyEvent`; bounded
 * by `timeoutMs`. A failure says its phase: 'connect' before the TCP
 * connection was up, 'tls' after (`under`: the TCP socket a tunnel's TLS
 * runs on, already connected). `signal` aborts it: the socket (and
 * `under`) is destroyed at once, so a half-open connect neither holds the
 * event loop nor stays open at the peer.
 */
function whenReady(
  socket: NodeSocket,
  readyEvent: 'connect' | 'secureConnect',
  timeoutMs: number | null,
  timeoutSeconds: number | null,
  buffers: ReadBuffers | null = null,
  under: NodeSocket | null = null,
  signal: AbortSignal | null = null,
): Promise<NodeTransport> {
  return new Promise<NodeTransport>((resolve, reject) => {
    /** Destroys the socket (and the one under it) for good; a late error from it is not unhandled. */
    const drop = () => {
      socket.on('error', () => {});
      socket.destroy();
      if (under) {
        under.on('error', () => {});
        under.destroy();
      }
    };
    let timer: ReturnType<typeof setTimeout> | undefined;
    let tcpUp = under !== null;
    const onTcp = () => {
      tcpUp = true;
    };
    const phase = (): 'connect' | 'tls' => (readyEvent === 'secureConnect' && tcpUp ? 'tls' : 'connect');
    const cleanup = () => {
      if (timer !== undefined) clearTimeout(timer);
      socket.off(readyEvent, onReady);
      socket.off('error', onError);
      socket.off('connect', onTcp);
      signal?.removeEventListener('abort', onAbort);
    };
    const onAbort = () => {
      cleanup();
      drop();
      const te = new TransportError('ECLOSED', 'connect aborted');
      te.phase = phase();
      reject(te);
    };
    const onReady = () => {
      cleanup();
      // Python's http.client sets TCP_NODELAY: a request goes out at once.
      if (typeof socket.setNoDelay === 'function') socket.setNoDelay(true);
      resolve(new NodeTransport(socket, timeoutSeconds, buffers, under));
    };
    const onError = (err: Error) => {
      cleanup();
      drop();
      const p = phase();
      const te = p === 'tls' && isHandshakeEof(err) ? new TransportError('ESSLEOF', err.message, { cause: err }) : toTransportError(err);
      te.phase = p;
      reject(te);
    };
    if (signal?.aborted) {
      onAbort();
      return;
    }
    signal?.addEventListener('abort', onAbort, { once: true });
    if (readyEvent === 'secureConnect' && !tcpUp) socket.once('connect', onTcp);
    socket.once(readyEvent, onReady);
    socket.once('error', onError);
    if (timeoutMs !== null) {
      timer = setTimeout(() => {
        cleanup();
        drop();
        const te = timeoutError('connect');
        te.phase = phase();
        reject(te);
      }, timeoutMs);
    }
  });
}

/** Connects over TCP, or TLS when `options.tls` is set. */
export const nodeTransportFactory: TransportFactory = (options: ConnectOptions): Promise<NodeTransport> => {
  let timeoutMs: number | null;
  try {
    timeoutMs = toMs(options.timeout);
  } catch (err) {
    return Promise.reject(err);
  }
  const base: net.TcpNetConnectOpts = { host: options.host, port: options.port, allowHalfOpen: true };
  const src = options.source_address;
  if (src) {
    if (src[0]) base.localAddress = src[0];
    if (src[1]) base.localPort = src[1];
  }
  let socket: NodeSocket;
  let buffers: ReadBuffers | null = null;
  try {
    if (options.tls) {
      socket = tls.connect({ ...tlsConnectionOptions(options.tls), ...base });
    } else {
      const b = (buffers = new ReadBuffers());
      socket = net.connect({ ...base, onread: { buffer: () => b.next(), callback: (n, buf) => b.received(n, buf) } });
    }
  } catch (err) {
    return Promise.reject(toTransportError(err));
  }
  return whenReady(socket, options.tls ? 'secureConnect' : 'connect', timeoutMs, options.timeout ?? null, buffers, null, options.signal ?? null);
};
