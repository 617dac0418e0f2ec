// The transport interface: I/O only. A transport moves bytes; it never parses
// them and never throws Python exceptions (src/http maps TransportError codes
// to Python classes). Imports nothing from node:*.

/** A connected byte stream. */
export interface Transport {
  /**
   * The next received chunk, or null at EOF. Reads are pulled: a transport
   * must not read from its source faster than read() is called (bounded
   * read-ahead is allowed). A returned chunk is never reused by the
   * transport (the receive buffer may keep it), unless `reusesChunks`.
   */
  read(): Promise<Uint8Array | null>;
  /**
   * True when a chunk from read() is valid only until the next read() (the
   * transport reads into reused memory, to allocate nothing per read): a
   * consumer copies what it keeps.
   */
  readonly reusesChunks?: boolean;
  /** Writes `data`; resolves once the transport has accepted it. */
  write(data: Uint8Array): Promise<void>;
  /**
   * Writes `pieces` in order as one write that succeeds or fails as a
   * whole: no piece goes out after an earlier one failed (a request body
   * never without its head). Optional; without it pieces are written one
   * after the other.
   */
  writev?(pieces: Uint8Array[]): Promise<void>;
  /** Closes the transport. Idempotent. */
  close(): void;
  /**
   * Sets the timeout, in seconds, applied to each later read, write or
   * connect wait; null means no timeout.
   */
  setTimeout(seconds: number | null): void;
  readonly closed: boolean;
  /**
   * True once the peer's FIN or reset, or an I/O error, was seen: no new
   * request can be exchanged (bytes already received can still be read).
   * Cheap, no I/O. A transport that cannot tell leaves it undefined.
   */
  readonly peerClosed?: boolean;
  /**
   * Null when `peerClosed` is current; else a Promise that resolves once it
   * is (the Node transport resumed a socket paused at its read-ahead
   * limit: what followed the bytes read so far, maybe the peer's FIN, is
   * still in the kernel until the next poll turn). Cheap: only a resume
   * makes it non-null. Optional: a transport without it is always current.
   */
  whenPeerKnown?(): Promise<void> | null;
  /**
   * Called when nothing is in flight on a kept-alive connection: a
   * transport that reads only when asked may now watch for the peer's
   * close (one read ahead) without holding the event loop. Optional.
   */
  idle?(): void;
  readonly peer?: { address: string; port: number };
  /** The OS file descriptor, where the runtime has one (Python's `sock.fileno()`). */
  fileno?(): number;
  /**
   * The peer's TLS certificate in DER (Python's `getpeercert(binary_form=True)`),
   * or null on a plain connection or before the handshake. Optional: a
   * transport that cannot tell leaves it out.
   */
  peerCertificate?(): Uint8Array | null;
  /**
   * Python's `setsockopt(level, name, value)` for the options the runtime
   * can set (Node: TCP_NODELAY, SO_KEEPALIVE, TCP_KEEPIDLE, on the TCP
   * socket, under TLS too). Returns false for an option it cannot set.
   */
  setSocketOption?(level: number, name: number, value: number): boolean;
  /**
   * Starts TLS over this connected transport (HTTPS through a CONNECT
   * tunnel) and returns the TLS transport; this one must not be used after.
   * `signal` aborts the handshake (the socket is destroyed at once).
   */
  startTls?(tls: TlsOptions, signal?: AbortSignal | null): Promise<Transport>;
}

export interface TlsOptions {
  /** The host name (or IP address) the certificate must match. */
  hostname?: string;
  /** SNI; never an IP address. */
  servername?: string;
  /** Check the certificate against `hostname` (default true when verifying). */
  checkHostname?: boolean;
  /**
   * The name the certificate must match when it is not `hostname`
   * (urllib3's `assert_hostname`); SNI and the address stay as they are.
   * Optional for a transport: one that ignores it checks `hostname`, which
   * only ever refuses more.
   */
  identity?: string;
  /** Trust the system's CA store (as well as any CA given here). */
  systemCA?: boolean;
  maxVersion?: string;
  ca?: string | Uint8Array;
  rejectUnauthorized?: boolean;
  ALPNProtocols?: string[];
  cert?: string;
  key?: string;
  minVersion?: string;
  /** Paths read by transports with file access (Node): PEM CA bundle, CA directory, certificate chain, key. */
  caFile?: string | string[];
  caPath?: string;
  certFile?: string;
  keyFile?: string;
  passphrase?: string;
}

export interface ConnectOptions {
  host: string;
  port: number;
  /** Seconds; null or undefined means no timeout. */
  timeout?: number | null;
  /** [host, port] to bind the local end to. */
  source_address?: [string, number] | null;
  tls?: TlsOptions | null;
  /**
   * Aborts the connect: a socket still connecting (or in its TLS
   * handshake) is destroyed at once and the connect rejects, so nothing
   * half-open is left holding the peer or the event loop. HTTPConnection
   * aborts it from close() and from an aborted call.
   */
  signal?: AbortSignal | null;
}

export type TransportFactory = (options: ConnectOptions) => Promise<Transport>;

/** An I/O failure, carrying an errno-style code and the underlying error as `cause`. */
export class TransportError extends Error {
  code: 'ETIMEDOUT' | 'ECONNRESET' | 'ECONNREFUSED' | 'EPIPE' | 'ECLOSED' | 'ESSLEOF' | string;
  errno?: number;
  syscall?: string;
  /**
   * Where a connect failed, when the transport can tell: 'connect' (TCP) or
   * 'tls' (the handshake). Reads and writes are placed by their caller.
   */
  phase?: 'connect' | 'tls';

  constructor(
    code: TransportError['code'],
    message?: string,
    options?: { cause?: unknown; errno?: number; syscall?: string },
  ) {
    super(message ?? code, options && 'cause' in options ? { cause: options.cause } : undefined);
    this.name = 'TransportError';
    this.code = code;
    if (options?.errno !== undefined) this.errno = options.errno;
    if (options?.syscall !== undefined) this.syscall = options.syscall;
  }
}

/** The longest delay a timer takes (2^31-1 ms, about 24.8 days); a longer one fires at once. */
const MAX_TIMER_MS = 2_147_483_647;

/**
 * A timeout in seconds (Python's unit) as timer milliseconds; null for none.
 * Python takes any float: beyond what a timer can wait there is no timeout.
 * Throws RangeError for a negative or NaN value.
 */
export function timeoutMs(seconds: number | null | undefined): number | null {
  if (seconds === null || seconds === undefined) return null;
  if (Number.isNaN(seconds) || seconds < 0) throw new RangeError('Timeout value must be non-negative');
  const ms = Math.max(1, Math.round(seconds * 1000));
  return ms > MAX_TIMER_MS ? null : ms;
}
