// HTTPResponse: CPython's http.client.HTTPResponse over a Transport. The
// core's ResponseMachine reads the response (the head, then the body reader
// its framing chose); this file reads the transport when the machine needs
// bytes and keeps CPython's side: its attributes and their bookkeeping
// (`length` counting down, when the response closes), the Python errors
// (what IncompleteRead carries) and the file-like methods, method by method.
// CPython reads through `sock.makefile('rb')`; `SocketFile` is that file.
import { Code, LineKind } from '../abi/index.js';
import { ReceiveBuffer, bytesView, concatBytes } from '../core/buffer.js';
import { ParseError } from '../core/errors.js';
import type { ResponseHead } from '../core/head.js';
import { latin1Decode } from '../core/latin1.js';
import { ResponseEvent, ResponseMachine, ResponsePhase } from '../core/response.js';
import type { Transport } from '../transport/types.js';
import {
  fromParseError,
  HTTPException,
  IncompleteRead,
  pyRepr,
  ResponseNotReady,
  ValueError,
  BaseException,
  TypeError as PyTypeError,
} from './exceptions.js';
import { HTTPMessage } from './message.js';
import type { HTTPConnection } from './client.js';
import { observe } from './observe.js';
import { placeError, pythonError } from './oserror.js';
import { abortable, type SignalOption } from './abort.js';

/** The options object of the reading calls (beyond Python): cancellation. */
export interface ReadOptions {
  /** Aborting rejects the read with `signal.reason` and closes the response and its connection. */
  signal?: AbortSignal | null;
}

const EMPTY = new Uint8Array(0);
const ALL = Number.MAX_SAFE_INTEGER;
/**
 * A read of up to this many bytes allocates its result up front (CPython's
 * BufferedReader allocates any size so); a larger one collects pieces, so a
 * false Content-Length cannot make it allocate the claimed size at once.
 */
const PREALLOCATE_MAX = 16 * 1024 * 1024;

/** Node's Buffer where the runtime has it (for memory without zero-fill), else undefined. */
const NodeBuffer = (globalThis as { Buffer?: { allocUnsafeSlow(size: number): Uint8Array } }).Buffer;

/**
 * A result of `n` bytes that the caller fills whole before anyone sees it:
 * in Node, memory without the zero-fill of `new Uint8Array(n)` (a body's
 * result is written twice otherwise: zeroed, then copied over; the zeroing
 * was 9% of the pool client's main thread in a perf profile). A plain
 * Uint8Array over an ArrayBuffer of exactly `n` bytes either way; only the
 * part filled is ever handed out (see `take`).
 */
function filledLater(n: number): Uint8Array {
  if (NodeBuffer === undefined || n < 1024) return new Uint8Array(n);
  const b = NodeBuffer.allocUnsafeSlow(n);
  return new Uint8Array(b.buffer, b.byteOffset, n);
}

/**
 * Transports owned by responses nobody reads or closes: CPython's socket
 * closes when its last reference goes; here the collector's finalizer does
 * it, so a dropped response does not keep a descriptor open for good.
 */
const ownedTransports: FinalizationRegistry<Transport> | null =
  typeof FinalizationRegistry === 'function' ? new FinalizationRegistry<Transport>((t) => t.close()) : null;

/** CPython's `_UNKNOWN`: the value of a response attribute before `begin()`. */
export const _UNKNOWN = 'UNKNOWN';

/** Python's print() for the debug lines (`reply:`, `header:`). */
export function debugPrint(...parts: string[]): void {
  console.log(parts.join(' '));
}

/**
 * The reading side of a socket (Python's `sock.makefile('rb')`): the
 * transport, and the machine its bytes are pushed into. The machine's
 * receive buffer holds what was read and not yet consumed.
 */
export class SocketFile {
  readonly sock: Transport;
  readonly machine: ResponseMachine;
  closed = false;
  /** Bytes received from the transport for this response (0: nothing of it arrived). */
  received = 0;

  constructor(sock: Transport, strict: boolean, headRequest: boolean) {
    this.sock = sock;
    this.machine = new ResponseMachine({ buffer: receiveBufferFor(sock), strict, headRequest });
  }

  /** The transport reported EOF. */
  get eof(): boolean {
    return this.machine.eof;
  }

  /** One read from the transport into the machine; false at EOF. Transport errors become Python's. */
  async fill(): Promise<boolean> {
    const m = this.machine;
    if (m.eof) return false;
    let chunk: Uint8Array | null;
    // A borrowed chunk's leftover bytes are copied out before the read that may reuse its memory.
    m.buffer.release();
    try {
      chunk = await this.sock.read();
    } catch (e) {
      throw pythonError(e);
    }
    if (chunk === null) {
      m.receiveEof();
      return false;
    }
    this.received += chunk.length;
    // A transport that reuses its read memory: the bytes are copied in.
    m.receive(chunk, this.sock.reusesChunks !== true);
    return true;
  }

  /** The transport's file descriptor (-1 where there is none). */
  fileno(): number {
    if (this.closed) throw new ValueError('I/O operation on closed file');
    return this.sock.fileno ? this.sock.fileno() : -1;
  }

  close(): void {
    this.closed = true;
    this.machine.buffer.clear();
  }
}

/**
 * Receive buffers kept per transport, for transports that reuse their read
 * memory (their bytes are copied in, so the buffer's owned space is worth
 * keeping between the responses of a connection). Each response starts it
 * empty: bytes after a response are dropped, as CPython's new file per
 * response drops them.
 */
const sharedBuffers = new WeakMap<Transport, ReceiveBuffer>();

function receiveBufferFor(sock: Transport): ReceiveBuffer {
  if (sock.reusesChunks !== true) return new ReceiveBuffer(1024);
  let buf = sharedBuffers.get(sock);
  if (buf === undefined) sharedBuffers.set(sock, (buf = new ReceiveBuffer(16384)));
  buf.clear();
  return buf;
}

/** Options of `new HTTPResponse(sock, options)` (Python's keyword arguments). */
export interface HTTPResponseOptions {
  debuglevel?: number;
  method?: string | null;
  url?: string | null;
  /** Strict mode (docs/strict-mode.md): refuse what smuggling relies on, with StrictViolation. */
  strict?: boolean;
}

/**
 * Python's `http.client.HTTPResponse`: one response read from `sock`.
 * `getresponse()` makes and begins it; tests make one over a
 * MemoryTransport and call `begin()`, as CPython's tests do over a fake
 * socket. Attributes read `'UNKNOWN'` before `begin()` (CPython's
 * `_UNKNOWN`); their types describe them after it.
 */
export class HTTPResponse implements AsyncIterable<Uint8Array> {
  /** The buffered socket file; null once the response is closed (`isclosed()`). */
  fp: SocketFile | null;
  debuglevel: number;
  _method: string | null;
  /** The URL requested (used by urllib-style callers); null unless given. */
  url: string | null;
  /** The header fields; null before `begin()`. `msg` is the same object. */
  headers: HTTPMessage = null as unknown as HTTPMessage;
  msg: HTTPMessage = null as unknown as HTTPMessage;
  /** 10 for HTTP/1.0 and HTTP/0.9, 11 for HTTP/1.1 and later 1.x. */
  version: number = _UNKNOWN as unknown as number;
  status: number = _UNKNOWN as unknown as number;
  code: number = _UNKNOWN as unknown as number;
  reason: string = _UNKNOWN;
  chunked: boolean = _UNKNOWN as unknown as boolean;
  chunk_left: number | null = _UNKNOWN as unknown as number;
  /** Body bytes still to come by Content-Length; null when unknown. */
  length: number | null = _UNKNOWN as unknown as number;
  will_close: boolean = _UNKNOWN as unknown as boolean;
  /** The connection passed its transport to this response: closing the response closes it. */
  _ownsSock = false;
  /** Strict mode (see HTTPResponseOptions). */
  readonly strict: boolean = false;
  private _closed = false;
  /** The transport read from (the file keeps it too, until closed). */
  private readonly _sock: Transport;
  /** The connection that made this response (for the error channel), if any. */
  _connection: HTTPConnection | null = null;
  /** A failure a readline found after reading part of a line: raised by the next read, once. */
  private _deferred: unknown = null;
  /** The file read from, kept after close for `_bytesRead`. */
  private readonly _file: SocketFile;

  constructor(sock: Transport, debuglevel?: number | HTTPResponseOptions, method: string | null = null, url: string | null = null) {
    let level = 0;
    if (typeof debuglevel === 'object' && debuglevel !== null) {
      level = debuglevel.debuglevel ?? 0;
      method = debuglevel.method ?? null;
      url = debuglevel.url ?? null;
      this.strict = debuglevel.strict ?? false;
    } else if (typeof debuglevel === 'number') {
      level = debuglevel;
    }
    this.fp = this._file = new SocketFile(sock, this.strict, method === 'HEAD');
    this._sock = sock;
    this.debuglevel = level;
    this._method = method;
    this.url = url;
  }

  /** IOBase's `closed`: true once `close()` was called (reading to the end only makes `isclosed()` true). */
  get closed(): boolean {
    return this._closed;
  }

  /**
   * Reads the status line and headers (skipping `100 Continue` responses)
   * and sets status, reason, version, headers/msg, chunked, length and
   * will_close. Does nothing if already begun. Raises RemoteDisconnected,
   * BadStatusLine, LineTooLong, UnknownProtocol, HTTPException('got more
   * than 100 headers'), or the OSError of a transport failure.
   */
  async begin(): Promise<void> {
    if (this.headers !== null) return;
    const head = await this.readHead(false);
    this.code = this.status = head.status;
    this.reason = head.reason;
    this.version = head.version;
    const msg = HTTPMessage.fromHead(head);
    this.headers = this.msg = msg;
    if (this.debuglevel > 0) {
      for (const [name, value] of msg.items()) debugPrint('header:', name + ':', value);
    }
    this.chunked = head.chunked;
    this.chunk_left = head.chunked ? null : (_UNKNOWN as unknown as number);
    this.will_close = head.willClose;
    this.length = head.length;
  }

  /**
   * The head of a proxy's answer to CONNECT (CPython's `_tunnel` reads it
   * with `_read_status` and `_read_headers`): no 100 Continue skipping.
   */
  async _read_tunnel_head(): Promise<{ status: number; reason: string; lines: Uint8Array[]; message: HTTPMessage }> {
    const head = await this.readHead(true);
    return { status: head.status, reason: head.reason, lines: headerLines(head), message: HTTPMessage.fromHead(head) };
  }

  /** Pulls the machine to the final head (`first`: or to a 100 Continue head), reading the transport as needed. */
  private async readHead(first: boolean): Promise<ResponseHead> {
    const fp = this.fp;
    if (fp === null) throw new ValueError('I/O operation on closed file');
    const m = fp.machine;
    for (;;) {
      const event = m.next();
      if (event === ResponseEvent.HEAD || event === ResponseEvent.INFORMATIONAL) {
        const head = event === ResponseEvent.HEAD ? m.head! : m.informational!;
        if (this.debuglevel > 0) debugPrint('reply:', pyRepr(statusLine(head)));
        if (event === ResponseEvent.HEAD || first) return head;
        if (this.debuglevel > 0) debugPrint('headers:', pyRepr(headerLines(head)));
      } else if (event === ResponseEvent.ERROR) {
        const e = m.error!;
        // CPython prints the status line as soon as it has read it, before
        // checking it or the headers: every failure but a too-long status
        // line shows it ('' when the server sent nothing).
        if (this.debuglevel > 0 && !(e.code === Code.LINE_TOO_LONG && e.kind === LineKind.STATUS)) {
          debugPrint('reply:', pyRepr(firstLine(m.buffer.view())));
        }
        // CPython's _read_status closes the file on a bad status line only.
        if (e.code === Code.BAD_STATUS_LINE) this._close_conn();
        throw fromParseError(e);
      } else {
        // The core decides every head at EOF; waiting there would loop forever.
        if (fp.eof) throw new HTTPException('incomplete response head at end of stream');
        await fp.fill();
      }
    }
  }

  /** Closes the file (and the transport, when the connection handed it over). */
  _close_conn(): void {
    const fp = this.fp;
    if (fp === null) return;
    this.fp = null;
    fp.close();
    if (this._ownsSock) {
      ownedTransports?.unregister(this);
      this._sock.close();
    } else if (this.headers !== null) {
      // The body is done and the connection keeps the transport: idle.
      this._sock.idle?.();
    }
  }

  /** Bytes of this response received from the transport so far (0: the server sent nothing of it). */
  _bytesRead(): number {
    return this._file.received;
  }

  /** Runs a read under the connection's signal and `signal`: an abort closes the response and its connection. */
  private _guard<T>(signal: SignalOption, work: () => Promise<T>): Promise<T> {
    return abortable(this._connection?.signal, signal, () => this._abort(), work);
  }

  /**
   * Runs a read (`read` inlines it): a deferred failure is raised first
   * (`peeking`: returns empty instead), and a failure abandons the response;
   * under `_guard` when a signal applies.
   */
  private _run<T>(signal: SignalOption, impl: () => Promise<T>, peeking = false): Promise<T> {
    const run = async (): Promise<T> => {
      if (!peeking) this._raiseDeferred();
      else if (this._deferred !== null) return EMPTY as T;
      try {
        return await impl();
      } catch (e) {
        throw this.abandon(e);
      }
    };
    return signal || this._connection?.signal ? this._guard(signal, run) : run();
  }

  /** The cancelled response and its transport are closed, and the connection with them if it still holds it. */
  private _abort(): void {
    const conn = this._connection;
    this.close();
    this._sock.close();
    if (conn !== null && conn.sock === this._sock) conn.close();
  }

  /** Raises the failure a readline deferred (see `_deferred`), once. */
  private _raiseDeferred(): void {
    const e = this._deferred;
    if (e !== null) {
      this._deferred = null;
      throw e;
    }
  }

  /** The connection hands its transport to this response (a response that will close it). */
  _takeTransport(): void {
    this._ownsSock = true;
    if (this.fp !== null) ownedTransports?.register(this, this._sock, this);
  }

  /**
   * Closes the response; the connection can then send its next request.
   * Closed before its body was read to the end, the response takes the
   * transport with it: the unread bytes would otherwise be read as the
   * next response (CPython's behaviour; here the connection reconnects).
   */
  close(): void {
    this._closed = true;
    if (this.fp) {
      if (this.length !== 0 && this.headers !== null) this._ownsSock = true;
      this._close_conn();
    }
  }

  flush(): void {}

  readable(): boolean {
    return true;
  }

  writable(): boolean {
    return false;
  }

  seekable(): boolean {
    return false;
  }

  /**
   * A read failed (the body is cut short, its framing refused, the
   * transport timed out or was reset): where the message ends is lost, so
   * the transport goes with the response and the connection opens a new
   * one for its next request (CPython would reuse it and fail there).
   * Argument errors (ValueError, TypeError) leave everything as it was.
   */
  private abandon(e: unknown): unknown {
    if (e instanceof BaseException && !(e instanceof ValueError) && !(e instanceof PyTypeError)) {
      this._close_conn();
      this._sock.close();
      const conn = this._connection;
      if (conn) {
        placeError(e, conn.host, conn.port, 'read');
        observe.error?.({ connection: conn, error: e });
      }
    }
    return e;
  }

  /**
   * The body, or up to the next `amt` bytes of it. At the end, and for a
   * HEAD request, returns empty bytes and closes. A Content-Length body
   * read whole that ends early raises IncompleteRead(partial, expected);
   * `read(amt)` returns what there is instead. A negative `amt` reads
   * everything (see docs/differences.md).
   */
  async read(amt: number | null | ReadOptions = null, options?: ReadOptions): Promise<Uint8Array> {
    if (typeof amt === 'object' && amt !== null) {
      options = amt;
      amt = null;
    }
    if (amt !== null && amt !== undefined) integerArgument(amt, READ_INT);
    if (options?.signal || this._connection?.signal) return this._run(options?.signal, () => this._read_impl(amt as number | null));
    // The common call inline: returning another async call's promise would cost microtask turns.
    this._raiseDeferred();
    try {
      return await this._read_impl(amt);
    } catch (e) {
      throw this.abandon(e);
    }
  }

  /**
   * Reads up to `b.length` body bytes into `b` (any ArrayBufferView or
   * ArrayBuffer) and returns how many; 0 at the end. Allocates nothing for
   * a Content-Length or until-close body.
   */
  async readinto(b: ArrayBufferView | ArrayBuffer, options?: ReadOptions): Promise<number> {
    if (options?.signal || this._connection?.signal) return this._run(options?.signal, () => this._readinto_impl(b));
    // The common call inline: returning another async call's promise would cost microtask turns.
    this._raiseDeferred();
    try {
      return await this._readinto_impl(b);
    } catch (e) {
      throw this.abandon(e);
    }
  }

  /** Body bytes with at most one transport read (bytes already buffered first). */
  read1(n: number | ReadOptions = -1, options?: ReadOptions): Promise<Uint8Array> {
    return this._sized(n, options, INDEX_INT, (size) => this._read1_impl(size));
  }

  /** Buffered body bytes, not consumed (one transport read if none are buffered). */
  peek(n: number | ReadOptions = -1, options?: ReadOptions): Promise<Uint8Array> {
    return this._sized(n, options, INDEX_INT, (size) => this._peek_impl(size), true);
  }

  /** One line of the body (up to and including LF), at most `limit` bytes when limit >= 0. */
  readline(limit: number | ReadOptions = -1, options?: ReadOptions): Promise<Uint8Array> {
    return this._sized(limit, options, READ_INT, (size) => this._readline_impl(size));
  }

  /** read1, peek and readline: the size (a Python int; -1 when only options are given), then the read (`_run`). */
  private async _sized(n: number | ReadOptions, options: ReadOptions | undefined, message: string, impl: (size: number) => Promise<Uint8Array>, peeking = false): Promise<Uint8Array> {
    if (typeof n === 'object' && n !== null) {
      options = n;
      n = -1;
    }
    integerArgument(n, message);
    const size = n;
    return this._run(options?.signal, () => impl(size), peeking);
  }

  /** True once the body was read to its end or the response was closed. */
  isclosed(): boolean {
    return this.fp === null;
  }

  /** CPython's `HTTPResponse.read`; errors are handled by `read` (see `abandon`). */
  private async _read_impl(amt: number | null = null): Promise<Uint8Array> {
    const fp = this.fp;
    if (fp === null) return EMPTY;
    if (this._method === 'HEAD') {
      this._close_conn();
      return EMPTY;
    }
    if (amt !== null && amt !== undefined && amt < 0) amt = null;
    if (this.chunked && (amt === 0 || fp.machine.body === null)) return this.toNextChunk(fp);
    if (this.chunked || (amt !== null && amt !== undefined)) {
      // Clipped to the end of a body of known length: the size of a spanning read's result.
      const want = amt === null || amt === undefined ? ALL : !this.chunked && this.length !== null && amt > this.length ? this.length : amt;
      const s = await this.take(fp, want, !this.chunked && want <= PREALLOCATE_MAX);
      this.settle(fp, s.length, want, s);
      return s;
    }
    let s: Uint8Array;
    if (this.length === null) {
      s = await this.take(fp, ALL, false);
    } else {
      // Python's `_safe_read`: all of it, or IncompleteRead(data, missing).
      s = await this.take(fp, this.length, this.length <= PREALLOCATE_MAX);
      if (fp.machine.phase === ResponsePhase.ERROR) {
        this._close_conn();
        throw responseError(fp.machine, fp.machine.error!, s);
      }
      this.length = 0;
    }
    this._close_conn();
    return s;
  }

  /** CPython's `HTTPResponse.readinto`; errors are handled by `readinto` (see `abandon`). */
  private async _readinto_impl(b: ArrayBufferView | ArrayBuffer): Promise<number> {
    const fp = this.fp;
    if (fp === null) return 0;
    if (this._method === 'HEAD') {
      this._close_conn();
      return 0;
    }
    const view = bytesView(b);
    if (view === null) throw new ValueError('readinto() argument must be a writable bytes-like object');
    if (this.chunked && (view.length === 0 || fp.machine.body === null)) return (await this.toNextChunk(fp)).length;
    const n = await this.takeInto(fp, view, 0);
    this.settle(fp, n, view.length, view);
    return n;
  }

  /** CPython's `HTTPResponse.read1`; errors are handled by `read1` (see `abandon`). */
  private async _read1_impl(n = -1): Promise<Uint8Array> {
    const fp = this.fp;
    if (fp === null || this._method === 'HEAD') return EMPTY;
    // CPython's `_read1_chunked`: bytes of the current chunk only.
    if (this.chunked && (n === 0 || fp.machine.body === null)) return this.toNextChunk(fp);
    const s = n === 0 ? EMPTY : await this.readSome(fp, n < 0 ? ALL : n);
    // A chunked read1 of some bytes is done; of none, it is at the end or failed.
    if (!this.chunked || s.length === 0) this.settle(fp, s.length, this.chunked ? 1 : n, s);
    return s;
  }

  /** CPython's `HTTPResponse.peek`; errors are handled by `peek` (see `abandon`). */
  private async _peek_impl(n = -1): Promise<Uint8Array> {
    void n; // as BufferedReader.peek, the size is only a hint
    const fp = this.fp;
    if (fp === null || this._method === 'HEAD') return EMPTY;
    // CPython's `_peek_chunked`: buffered bytes of the current chunk; framing errors are left for the next read.
    if (this.chunked) return (await this.peekChunked(fp)).slice();
    // BufferedReader.peek: what is buffered, past the body's end too, as CPython's.
    const buf = fp.machine.buffer;
    if (buf.length === 0) await fp.fill();
    return buf.view().slice();
  }

  /** CPython's `HTTPResponse.readline`; errors are handled by `readline` (see `abandon`). */
  private async _readline_impl(limit = -1): Promise<Uint8Array> {
    const fp = this.fp;
    if (fp === null || this._method === 'HEAD') return EMPTY;
    const s = await this.bodyLine(fp, limit < 0 ? ALL : limit);
    if (!this.chunked) this.settle(fp, s.length, limit, s);
    else if (s.length !== limit && s[s.length - 1] !== 0x0a) await this.chunkedLineEnd(s.length);
    return s;
  }

  /** The remaining lines of the body (IOBase.readlines): stops once `hint` bytes were read, if > 0. */
  async readlines(hint = -1): Promise<Uint8Array[]> {
    const lines: Uint8Array[] = [];
    let total = 0;
    for (;;) {
      const line = await this.readline();
      if (!line.length) break;
      lines.push(line);
      total += line.length;
      if (hint > 0 && total > hint) break;
    }
    return lines;
  }

  // -- the body, pulled from the machine --------------------------------------

  /**
   * CPython's bookkeeping after a read of up to `asked` bytes gave `n`, the
   * first `n` of `data`.
   * Not chunked: `length` counts down, and the end of the body (or nothing
   * where bytes were asked for) closes the response. Chunked: the body
   * closes only when a read goes past the last data byte (CPython reads the
   * `0` line lazily); a failure raises, `partial` holding the whole chunks
   * this read gave.
   */
  private settle(fp: SocketFile, n: number, asked: number, data: Uint8Array): void {
    if (!this.chunked) {
      if (n === 0 && asked) this._close_conn();
      else if (this.length !== null) {
        this.length -= n;
        if (!this.length) this._close_conn();
      }
      return;
    }
    const m = fp.machine;
    if (m.phase === ResponsePhase.DONE) this.chunkDone();
    else if (m.phase === ResponsePhase.ERROR) throw this.chunkError(m.error!, data.subarray(0, n));
    else if (n < asked) throw this.chunkError(new ParseError(Code.INCOMPLETE_CHUNK, 0), data.subarray(0, n));
  }

  /**
   * Up to `want` body bytes, reading the transport whenever the machine
   * needs bytes; fewer only at the end of the body, at an ERROR event (the
   * caller looks at the machine's phase), or at EOF. One piece is returned
   * as it is (no copy where it can be avoided); a read spanning pieces
   * fills one result allocated up front with `allocate` (BufferedReader's
   * way), or joins the kept pieces.
   */
  private async take(fp: SocketFile, want: number, allocate: boolean): Promise<Uint8Array> {
    const m = fp.machine;
    let pieces: Uint8Array[] | null = null;
    let got = 0;
    while (got < want) {
      const event = m.next(want - got);
      if (event === ResponseEvent.DATA) {
        if (got === 0 && m.data.length === want) {
          // The transport reuses its read memory: a copy (keptData's too), into memory not zeroed first.
          if (fp.sock.reusesChunks !== true) return m.keptData();
          const out = filledLater(want);
          out.set(m.data);
          return out;
        }
        if (got === 0 && allocate) {
          const out = filledLater(want);
          out.set(m.data);
          const n = await this.takeInto(fp, out, m.data.length);
          return n === want ? out : out.slice(0, n);
        }
        (pieces ??= []).push(m.keptData());
        got += m.data.length;
      } else if (event !== ResponseEvent.NEED_DATA || fp.eof) {
        break;
      } else {
        await fp.fill();
      }
    }
    return pieces === null ? EMPTY : concatBytes(pieces, got);
  }

  /** `view` filled from `got` on as `take` reads (the machine copies, no view per piece); returns how much of it is filled. */
  private async takeInto(fp: SocketFile, view: Uint8Array, got: number): Promise<number> {
    const m = fp.machine;
    while (got < view.length) {
      const event = m.nextInto(view, got);
      if (event === ResponseEvent.DATA) got += m.dataLength;
      else if (event !== ResponseEvent.NEED_DATA || fp.eof) break;
      else await fp.fill();
    }
    return got;
  }

  /** BufferedReader.read1 over the body: bytes already buffered, else from one transport read (more only to finish a chunk's framing). */
  private async readSome(fp: SocketFile, max: number): Promise<Uint8Array> {
    const m = fp.machine;
    for (let fills = 0; ; fills++) {
      const event = m.next(max);
      if (event === ResponseEvent.DATA) return m.keptData();
      if (event !== ResponseEvent.NEED_DATA || fp.eof || (fills > 0 && m.partialChunkBytes > 0)) return EMPTY;
      await fp.fill();
    }
  }

  /** BufferedReader.readline over the body: up to and including LF, at most `max` bytes; stops where no more data can come. */
  private async bodyLine(fp: SocketFile, max: number): Promise<Uint8Array> {
    const m = fp.machine;
    const pieces: Uint8Array[] = [];
    let got = 0;
    while (got < max) {
      const view = m.peek();
      if (view.length === 0) {
        if (m.phase !== ResponsePhase.BODY || m.bodyDone || m.framingFailed || fp.eof) break;
        await fp.fill();
        continue;
      }
      const lf = view.indexOf(0x0a);
      const n = Math.min(lf < 0 ? view.length : lf + 1, max - got);
      m.next(n);
      pieces.push(m.keptData());
      got += n;
      if (lf >= 0 && n === lf + 1) break;
    }
    return got === 0 ? EMPTY : concatBytes(pieces, got);
  }

  // -- chunked bodies: CPython's _read_chunked family --------------------------

  /**
   * A chunked read of zero bytes. CPython still calls `_get_chunk_left`
   * there, which reads on to the next chunk's data: at the last chunk the
   * response closes, and a bad or missing size line raises IncompleteRead.
   * Returns empty bytes.
   */
  private async toNextChunk(fp: SocketFile): Promise<Uint8Array> {
    const m = fp.machine;
    if (m.body === null) {
      this.chunkDone();
      return EMPTY;
    }
    // However the size line is split across reads: on until data, the
    // last chunk, an error or EOF.
    for (;;) {
      if (m.peek().length > 0) return EMPTY;
      if (m.bodyDone) {
        this.chunkDone();
        return EMPTY;
      }
      if (m.framingFailed || m.phase === ResponsePhase.ERROR || fp.eof) {
        // Asking for one byte raises the error found; it consumes no data (there is none).
        m.next(1);
        throw this.chunkError(m.error ?? new ParseError(Code.INCOMPLETE_CHUNK, 0), EMPTY);
      }
      await fp.fill();
    }
  }

  /** CPython's `_peek_chunked` as a view into the buffer (valid until the next read), not a copy. */
  private async peekChunked(fp: SocketFile): Promise<Uint8Array> {
    const m = fp.machine;
    if (m.body === null) {
      this.chunkDone();
      return EMPTY;
    }
    let view = m.peek();
    // A size line already refused: nothing more can come, so no wait (the next read raises it).
    if (view.length === 0 && !m.bodyDone && !fp.eof && !m.framingFailed && m.phase !== ResponsePhase.ERROR) {
      await fp.fill();
      view = m.peek();
    }
    if (m.bodyDone) this.chunkDone();
    return view;
  }

  /**
   * A chunked line that stopped where no more data can come: CPython's
   * readline (IOBase's, over peek and read) reads once more, which closes
   * the response after the last chunk or raises the failure found.
   */
  private async chunkedLineEnd(got: number): Promise<void> {
    try {
      await this._read_impl(1);
    } catch (e) {
      // CPython's peek swallows a failure at a chunk-size line (a bad one,
      // or EOF where one belongs) after closing the file: the line read so
      // far is returned, and reads then return b''. Here too the line is
      // returned, but the next read raises the failure: a cut body must not
      // look like a clean end (docs/differences.md). Any other failure (data
      // or its CRLF cut short) is raised at once, as in CPython.
      if (got === 0 || !(e instanceof IncompleteRead) || !this.failedAtSizeLine(e)) throw e;
      this.abandon(e);
      this._deferred = e;
    }
  }

  /** `e` (a chunked-body IncompleteRead) was found at a chunk-size line: a bad one, or EOF where one belongs. */
  private failedAtSizeLine(e: IncompleteRead): boolean {
    const cause = (e as { cause?: unknown }).cause;
    return (cause instanceof ParseError && cause.code === Code.BAD_CHUNK_SIZE) || this._file.machine.atSizeLine;
  }

  /** The last chunk was read: CPython's `_get_chunk_left` closes here. */
  private chunkDone(): void {
    this.chunk_left = null;
    this._close_conn();
  }

  /**
   * The Python exception for a chunked-body failure: IncompleteRead whose
   * `partial` is `read` minus the bytes of a chunk cut short (CPython keeps
   * only the chunks it read whole), or LineTooLong('chunk size').
   */
  private chunkError(e: ParseError, read: Uint8Array): BaseException {
    // CPython's _read_next_chunk_size closes the file on a bad size line.
    // (Any failure also drops the transport: see `abandon`.)
    if (e.code === Code.BAD_CHUNK_SIZE) this._close_conn();
    return responseError(this._file.machine, e, read);
  }

  // -- headers -----------------------------------------------------------------

  /**
   * The value of header `name`; several fields are joined with `, `.
   * `default_` (null if not given) when absent; an array default is joined
   * too. Raises ResponseNotReady before `begin()`.
   */
  getheader(name: string): string | null;
  getheader(name: string, default_: Iterable<string> & object): string;
  getheader<D>(name: string, default_: D): string | D;
  getheader<D = null>(name: string, default_?: D): string | D {
    if (this.headers === null) throw new ResponseNotReady();
    const all = this.headers.get_all(name, null);
    const found: unknown = all !== null && all.length > 0 ? all : default_ === undefined ? null : default_;
    if (typeof found === 'string' || found === null || typeof (found as Iterable<unknown>)[Symbol.iterator] !== 'function') {
      return found as string | D;
    }
    return Array.from(found as Iterable<unknown>).join(', ');
  }

  /** The header fields as [name, value] pairs. Raises ResponseNotReady before `begin()`. */
  getheaders(): [string, string][] {
    if (this.headers === null) throw new ResponseNotReady();
    return this.headers.items();
  }

  /** The headers (urllib's name). */
  info(): HTTPMessage {
    return this.headers;
  }

  geturl(): string | null {
    return this.url;
  }

  getcode(): number {
    return this.status;
  }

  /** The transport's file descriptor (-1 where the runtime has none). */
  fileno(): number {
    if (this.fp === null) throw new ValueError('I/O operation on closed file');
    return this.fp.fileno();
  }

  /** Iterates the body line by line, as iterating a Python response does. */
  async *[Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    // CPython's HTTPResponse.__iter__ skips IOBase's closed check: a closed
    // response iterates as empty.
    for (;;) {
      const line = await this.readline();
      if (!line.length) return;
      yield line;
    }
  }

  /** `await using response = ...` closes it. */
  async [Symbol.asyncDispose](): Promise<void> {
    this.close();
  }
}

/** Python's messages for a size argument that is not an integer (read/readline, read1/peek). */
const READ_INT = "argument should be integer or None, not 'float'";
const INDEX_INT = "'float' object cannot be interpreted as an integer";

/** A size must be an integer, as in Python: `read(2.5)` or `read(NaN)` is a TypeError, not a short read. */
function integerArgument(n: number, message: string): void {
  if (typeof n !== 'number' || !Number.isInteger(n)) throw new PyTypeError(message);
}

/**
 * The Python exception for the machine's failure `e` after body bytes
 * `read` were given: IncompleteRead(partial, expected) keeps only the
 * chunks read whole, as CPython's; a head's failure maps as it is.
 */
export function responseError(m: ResponseMachine, e: ParseError, read: Uint8Array): BaseException {
  const cut = Math.min(read.length, m.partialChunkBytes);
  return fromParseError(e, { partial: read.slice(0, read.length - cut) });
}

function statusLine(head: ResponseHead): string {
  return firstLine(head.raw);
}

/** The first line of `bytes` with its LF (all of it when there is none), as Latin-1. */
function firstLine(bytes: Uint8Array): string {
  const lf = bytes.indexOf(0x0a);
  return latin1Decode(bytes, 0, lf < 0 ? bytes.length : lf + 1);
}

function headerLines(head: ResponseHead): Uint8Array[] {
  const raw = head.raw;
  const lines: Uint8Array[] = [];
  let at = raw.indexOf(0x0a) + 1;
  while (at > 0 && at < raw.length) {
    const lf = raw.indexOf(0x0a, at);
    const end = lf < 0 ? raw.length : lf + 1;
    lines.push(raw.slice(at, end));
    at = end;
  }
  return lines;
}
