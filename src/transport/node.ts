// The Node transport: node:net and node:tls sockets behind the Transport
// interface. Reads are pulled: the socket is paused whenever a received chunk
// is waiting for read(), so a slow reader holds at most one chunk here plus
// the socket's own readable buffer (its highWaterMark), and TCP flow control
// does the rest. Timeouts follow Python's socket timeouts: each connect,
// read or write wait is bounded, and a timed-out transport is closed (a
// Python socket is in an undefined state after a timeout).
import * as net from 'node:net';
import * as tls from 'node:tls';
import { TransportError, type ConnectOptions, type Transport, type TransportFactory } from './types.js';

type NodeSocket = net.Socket | tls.TLSSocket;

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

function toMs(seconds: number | null | undefined): number | null {
  if (seconds === null || seconds === undefined) return null;
  if (!Number.isFinite(seconds) || seconds < 0) throw new RangeError('Timeout value must be non-negative');
  return Math.max(1, Math.round(seconds * 1000));
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
  private timeoutMs: number | null = null;

  constructor(socket: NodeSocket, timeoutSeconds: number | null = null) {
    this.socket = socket;
    this.timeoutMs = toMs(timeoutSeconds);
    // Paused before the 'data' listener is added, so adding it does not
    // start the flow: data moves only when read() asks for it.
    socket.pause();
    socket.on('data', (buf: Buffer) => this.onData(buf));
    socket.on('end', () => this.onEnd());
    socket.on('error', (err: Error) => this.onError(toTransportError(err)));
    socket.on('close', () => this.onClose());
    this.updatePeer();
  }

  get closed(): boolean {
    return this._closed;
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

  updatePeer(): void {
    const { remoteAddress, remotePort } = this.socket;
    if (remoteAddress !== undefined && remotePort !== undefined) {
      this.peer = { address: remoteAddress, port: remotePort };
    }
  }

  read(): Promise<Uint8Array | null> {
    if (this.queue.length > 0) {
      const chunk = this.queue.shift()!;
      this.queuedBytes -= chunk.length;
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
      };
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
      this.socket.resume();
    });
  }

  write(data: Uint8Array): Promise<void> {
    if (this.error) return Promise.reject(this.error);
    if (this._closed) return Promise.reject(new TransportError('ECLOSED', 'write on a closed transport'));
    if (data.length === 0) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      let settled = false;
      let timer: ReturnType<typeof setTimeout> | undefined;
      const settle = (err: TransportError | null) => {
        if (settled) return;
        settled = true;
        if (timer !== undefined) clearTimeout(timer);
        this.socket.off('close', onClose);
        if (err) reject(err);
        else resolve();
      };
      const onClose = () => settle(this.error ?? new TransportError('ECLOSED', 'transport closed during write'));
      this.socket.on('close', onClose);
      if (this.timeoutMs !== null) {
        timer = setTimeout(() => {
          this.failTimeout('write');
          settle(this.error!);
        }, this.timeoutMs);
      }
      try {
        this.socket.write(data, (err) => {
          if (err) {
            const te = toTransportError(err, 'EPIPE');
            if (te.code === 'ERR_STREAM_WRITE_AFTER_END' || te.code === 'ERR_STREAM_DESTROYED') {
              settle(this.error ?? new TransportError('EPIPE', te.message, { cause: err }));
            } else settle(this.error ?? te);
          } else settle(null);
        });
      } catch (err) {
        settle(toTransportError(err, 'EPIPE'));
      }
    });
  }

  close(): void {
    if (this._closed) return;
    this._closed = true;
    this.socket.destroy();
    if (this.waiter) this.waiter.reject(new TransportError('ECLOSED', 'transport closed during read'));
  }

  private onData(buf: Buffer): void {
    // A view of Node's buffer, not a copy: each chunk is a fresh allocation
    // that the socket never reuses.
    const chunk = new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
    if (this.waiter) {
      this.socket.pause();
      this.waiter.resolve(chunk);
      return;
    }
    this.queue.push(chunk);
    this.queuedBytes += chunk.length;
    this.socket.pause();
  }

  private onEnd(): void {
    this.eof = true;
    if (this.waiter && this.queue.length === 0) this.waiter.resolve(null);
  }

  private onError(err: TransportError): void {
    if (!this.error) this.error = err;
    if (this.waiter) this.waiter.reject(this.error);
  }

  private onClose(): void {
    if (this.waiter) {
      if (this.error) this.waiter.reject(this.error);
      else if (this.eof) this.waiter.resolve(null);
      else this.waiter.reject(new TransportError('ECLOSED', 'connection closed'));
    }
  }

  private failTimeout(what: string): void {
    const err = timeoutError(what);
    if (!this.error) this.error = err;
    if (this.waiter) this.waiter.reject(err);
    this.close();
  }
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
  let readyEvent: 'connect' | 'secureConnect';
  try {
    if (options.tls) {
      const t = options.tls;
      const tlsOpts: tls.ConnectionOptions = { ...base };
      if (t.servername !== undefined) tlsOpts.servername = t.servername;
      if (t.ca !== undefined) tlsOpts.ca = typeof t.ca === 'string' ? t.ca : Buffer.from(t.ca);
      if (t.rejectUnauthorized !== undefined) tlsOpts.rejectUnauthorized = t.rejectUnauthorized;
      if (t.ALPNProtocols !== undefined) tlsOpts.ALPNProtocols = t.ALPNProtocols;
      if (t.cert !== undefined) tlsOpts.cert = t.cert;
      if (t.key !== undefined) tlsOpts.key = t.key;
      if (t.minVersion !== undefined) tlsOpts.minVersion = t.minVersion as tls.SecureVersion;
      socket = tls.connect(tlsOpts);
      readyEvent = 'secureConnect';
    } else {
      socket = net.connect(base);
      readyEvent = 'connect';
    }
  } catch (err) {
    return Promise.reject(toTransportError(err));
  }
  return new Promise<NodeTransport>((resolve, reject) => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const cleanup = () => {
      if (timer !== undefined) clearTimeout(timer);
      socket.off(readyEvent, onReady);
      socket.off('error', onError);
    };
    const onReady = () => {
      cleanup();
      const transport = new NodeTransport(socket, options.timeout ?? null);
      resolve(transport);
    };
    const onError = (err: Error) => {
      cleanup();
      socket.destroy();
      reject(toTransportError(err));
    };
    socket.once(readyEvent, onReady);
    socket.once('error', onError);
    if (timeoutMs !== null) {
      timer = setTimeout(() => {
        cleanup();
        // Keep a listener so a late error from the dying socket is not unhandled.
        socket.on('error', () => {});
        socket.destroy();
        reject(timeoutError('connect'));
      }, timeoutMs);
    }
  });
};
