// The sans-IO request reader (h11's shape): bytes in, events out. One
// reader per client connection reads pipelined requests one after another:
// a head, then the body reader its framing chooses (Content-Length,
// chunked through the same WASM decoder as responses, or none), then the
// next head. It never touches a socket; the caller feeds what it received
// and pulls events, so backpressure is the caller's: stop reading the
// socket while events are not pulled.
import { Code, RequestLineError } from '../abi/index.js';
import { ChunkedReader, ContentLengthReader, EmptyReader, type BodyReader } from './body.js';
import { ReceiveBuffer } from './buffer.js';
import { ParseError } from './errors.js';
import { BodyKind } from './head.js';
import { RequestHeadParser, type ProtocolVersion, type RequestHead } from './request-head.js';
import type { WasmParser } from './wasm.js';

/** What `RequestReader.next` found. */
export type RequestEvent =
  /** A request head: its body (if any) follows as `data` events, then `end`. */
  | { type: 'head'; head: RequestHead }
  /** Body bytes: a view valid until the next `feed` (copy to keep them). */
  | { type: 'data'; data: Uint8Array }
  /** The current request's body is complete; the next event belongs to the next request. */
  | { type: 'end' }
  /** Nothing more can be read until more bytes are fed (or `end()` is called). */
  | { type: 'need-more' }
  /** The client closed between requests (EOF, or a blank request line): nothing to answer. */
  | { type: 'closed' }
  /** The input cannot be read on; the reader stays in this state. */
  | { type: 'error'; error: ParseError };

/** Options of a `RequestReader`. */
export interface RequestReaderOptions {
  wasm?: WasmParser;
  /** Strict mode for heads and chunked bodies (see `StrictRule`). */
  strict?: boolean;
  /** The server's `protocol_version` (default `HTTP/1.1`). */
  protocolVersion?: ProtocolVersion;
}

const enum Phase {
  HEAD,
  BODY,
  DONE,
}

/** Reads the requests of one client connection from bytes fed in any pieces. */
export class RequestReader {
  private readonly buf = new ReceiveBuffer(1024);
  private readonly parser: RequestHeadParser;
  private readonly wasm: WasmParser | undefined;
  private readonly strict: boolean;
  private phase = Phase.HEAD;
  /**
   * A chunk fed while nothing was buffered between requests, not yet in
   * `buf`: the head parser stages it straight from here, so the usual
   * read (one or more whole requests) costs no view of it.
   */
  private pending: Uint8Array | null = null;
  private body: BodyReader | null = null;
  private eof = false;
  private final: RequestEvent | null = null;

  constructor(options: RequestReaderOptions = {}) {
    this.wasm = options.wasm;
    this.strict = options.strict ?? false;
    this.parser = new RequestHeadParser({
      strict: this.strict,
      ...(options.wasm ? { wasm: options.wasm } : {}),
      ...(options.protocolVersion ? { protocolVersion: options.protocolVersion } : {}),
    });
  }

  /**
   * Appends received bytes. The reader may keep a view of `chunk` rather
   * than a copy: do not change it afterwards.
   */
  feed(chunk: Uint8Array): void {
    if (this.phase === Phase.DONE || chunk.length === 0) return;
    if (this.phase === Phase.HEAD && this.pending === null && this.buf.length === 0) {
      this.pending = chunk;
      return;
    }
    this.flush();
    this.buf.push(chunk);
  }

  /** Moves the pending chunk into `buf` (before anything else reads or appends). */
  private flush(): void {
    if (this.pending !== null) {
      this.buf.push(this.pending);
      this.pending = null;
    }
  }

  /** The client closed its side: nothing more will be fed. */
  end(): void {
    this.eof = true;
  }

  /** Bytes received and not yet read (the start of the next request, or a body not pulled yet). */
  get buffered(): number {
    return this.buf.length + (this.pending?.length ?? 0);
  }

  /**
   * Stops reading requests and returns the bytes received after the last
   * head (a CONNECT tunnel's first bytes, or an Upgrade's): the connection
   * now carries another protocol. Later events are `closed`.
   */
  detach(): Uint8Array {
    this.flush();
    const rest = this.buf.take(this.buf.length).slice();
    this.stop(CLOSED);
    return rest;
  }

  /** Inside a request's body (a `head` was returned and its `end` not yet). */
  get inBody(): boolean {
    return this.phase === Phase.BODY;
  }

  /**
   * The next event; body data in pieces of at most `max` bytes. Errors
   * come as an `error` event (never thrown); after `error` or `closed`
   * every call returns the same event.
   */
  next(max = Number.MAX_SAFE_INTEGER): RequestEvent {
    if (this.final) return this.final;
    try {
      if (this.phase === Phase.HEAD) return this.readHead();
      const body = this.body!;
      if (body.done) return this.endBody();
      const piece = body.next(this.buf, max, this.eof);
      if (piece.length > 0) return { type: 'data', data: piece };
      if (body.done) return this.endBody();
      if (this.eof) throw new ParseError(Code.INCOMPLETE_BODY, 0, 0, '', null);
      return NEED_MORE;
    } catch (e) {
      if (!(e instanceof ParseError)) throw e;
      return this.stop({ type: 'error', error: e });
    }
  }

  private readHead(): RequestEvent {
    const pending = this.pending;
    if (this.eof && this.buf.length === 0 && pending === null) return this.stop(CLOSED);
    let head: RequestHead | null;
    try {
      // A pending chunk is the whole input (it is only kept while `buf` is empty).
      head = this.parser.execute(pending ?? this.buf.view(), this.eof);
    } catch (e) {
      this.flush();
      if (e instanceof ParseError && (e.code === Code.REMOTE_DISCONNECTED || (e.code === Code.BAD_REQUEST_LINE && e.kind === RequestLineError.EMPTY))) {
        return this.stop(CLOSED);
      }
      throw e;
    }
    if (!head) {
      this.flush();
      return NEED_MORE;
    }
    if (pending === null) {
      this.buf.consume(head.headLength);
    } else {
      this.pending = null;
      // Pipelined bytes or a body behind the head: keep them buffered.
      if (head.headLength < pending.length) {
        this.buf.push(pending);
        this.buf.consume(head.headLength);
      }
    }
    this.body =
      head.bodyKind === BodyKind.CHUNKED
        ? new ChunkedReader(this.wasm, this.strict)
        : head.bodyKind === BodyKind.LENGTH
          ? new ContentLengthReader(head.length!)
          : EMPTY_BODY;
    this.phase = Phase.BODY;
    return { type: 'head', head };
  }

  private endBody(): RequestEvent {
    this.phase = Phase.HEAD;
    this.body = null;
    return END;
  }

  private stop(event: RequestEvent): RequestEvent {
    this.phase = Phase.DONE;
    this.final = event;
    return event;
  }
}

const NEED_MORE: RequestEvent = { type: 'need-more' };
const CLOSED: RequestEvent = { type: 'closed' };
const END: RequestEvent = { type: 'end' };
const EMPTY_BODY = new EmptyReader();
