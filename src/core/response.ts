// One response, sans-IO, as a state machine with a pull API (h11's idea:
// h11/_state.py and h11/_readers.py). Bytes go in with `receive` and
// `receiveEof`; `next()` says what happened, one event at a time:
//
//   HEAD ──head event──> BODY ──data events──> DONE
//     │  (a 100 Continue head is an INFORMATIONAL event; HEAD again)
//     └──────────── any malformed input ───────────> ERROR
//
// The framing the head chooses picks the body reader (body.ts): Content-
// Length, chunked, until-close, or none. Errors are data: `next()` never
// throws for bad input, it returns `Event.ERROR` with the `ParseError` in
// `error`, and stays there. The machine never reads a transport and never
// makes a string it is not asked for.
import { bodyReaderFor, ChunkedReader, type BodyReader } from './body.js';
import { keepBytes, ReceiveBuffer } from './buffer.js';
import { ParseError } from './errors.js';
import { HeadParser, type ResponseHead } from './head.js';
import type { WasmParser } from './wasm.js';

/** Where a `ResponseMachine` is. */
export const enum ResponsePhase {
  /** Reading the status line and header fields. */
  HEAD = 0,
  /** Reading the body its framing chose. */
  BODY = 1,
  /** The whole response was read; bytes after it stay in the buffer. */
  DONE = 2,
  /** The input was refused; `error` says why. */
  ERROR = 3,
}

/** What `ResponseMachine.next()` returns. */
export const enum ResponseEvent {
  /** Nothing more can be read until more bytes (or the EOF) arrive. */
  NEED_DATA = 0,
  /** A `100 Continue` head was read and skipped (`informational` holds it). */
  INFORMATIONAL = 1,
  /** The final head was read (`head` holds it); the body comes next. */
  HEAD = 2,
  /** Body bytes (`data`: a view into the buffer, valid until the next call). */
  DATA = 3,
  /** The body ended. */
  END = 4,
  /** The input was refused (`error`). */
  ERROR = 5,
}

/** Options of a `ResponseMachine`. */
export interface ResponseMachineOptions {
  /** The WASM instance (default: the shared one). */
  wasm?: WasmParser;
  /** Strict mode (see `StrictRule`): refusals are `Code.STRICT_VIOLATION` errors. */
  strict?: boolean;
  /** The request was HEAD: the response has no body. */
  headRequest?: boolean;
  /** The receive buffer to read from (default: a new one). */
  buffer?: ReceiveBuffer;
}

/** A response read from bytes pushed in any pieces, pulled event by event. */
export class ResponseMachine {
  /** The received bytes not yet consumed. */
  readonly buffer: ReceiveBuffer;
  phase: ResponsePhase = ResponsePhase.HEAD;
  /** The final head, once read. */
  head: ResponseHead | null = null;
  /** The last 100 Continue head, after an INFORMATIONAL event. */
  informational: ResponseHead | null = null;
  /** The body reader the head chose, once read. */
  body: BodyReader | null = null;
  /** The body bytes of the last DATA event (a view into the buffer; see `keptData`). */
  data: Uint8Array = EMPTY;
  /** How many body bytes the last DATA event gave (`data.length`, or the bytes `nextInto` copied). */
  dataLength = 0;
  /** `data` lies in a chunk the buffer adopted (see `keepBytes`). */
  private dataAdopted = false;
  /** Why the input was refused, in phase ERROR. */
  error: ParseError | null = null;
  /** No more bytes will come. */
  eof = false;
  private readonly parser: HeadParser;
  private readonly wasm: WasmParser | undefined;
  private readonly strict: boolean;
  private readonly headRequest: boolean;

  constructor(options: ResponseMachineOptions = {}) {
    this.buffer = options.buffer ?? new ReceiveBuffer(1024);
    this.wasm = options.wasm;
    this.strict = options.strict ?? false;
    this.headRequest = options.headRequest ?? false;
    this.parser = new HeadParser(this.wasm ? { wasm: this.wasm, strict: this.strict } : { strict: this.strict });
  }

  /** Appends received bytes (`adopt`: see `ReceiveBuffer.push`). */
  receive(chunk: Uint8Array, adopt = true): void {
    this.buffer.push(chunk, adopt);
  }

  /** The peer closed: no more bytes will come. */
  receiveEof(): void {
    this.eof = true;
  }

  /**
   * The next event, with at most `max` body bytes in a DATA event. Never
   * throws for bad input (an ERROR event); END and ERROR repeat once reached.
   */
  next(max = Number.MAX_SAFE_INTEGER): ResponseEvent {
    return this.step(max, null, 0);
  }

  /**
   * `next(target.length - at)`, but a DATA event copies its bytes into
   * `target` at `at` (how many: `dataLength`) instead of handing out a view
   * in `data`: a read into the caller's memory makes no view per piece.
   */
  nextInto(target: Uint8Array, at: number): ResponseEvent {
    return this.step(target.length - at, target, at);
  }

  private step(max: number, target: Uint8Array | null, at: number): ResponseEvent {
    try {
      switch (this.phase) {
        case ResponsePhase.HEAD:
          return this.readHead();
        case ResponsePhase.BODY:
          return this.readBody(max, target, at);
        case ResponsePhase.DONE:
          return ResponseEvent.END;
        default:
          return ResponseEvent.ERROR;
      }
    } catch (e) {
      if (!(e instanceof ParseError)) throw e;
      this.error = e;
      this.phase = ResponsePhase.ERROR;
      return ResponseEvent.ERROR;
    }
  }

  /**
   * Body bytes of the chunk being read that a DATA event already gave: a
   * body cut inside a chunk leaves them out of CPython's IncompleteRead.
   */
  get partialChunkBytes(): number {
    return this.body instanceof ChunkedReader ? this.body.partialChunkBytes : 0;
  }

  /** The last DATA event's bytes as bytes that stay valid after the buffer changes (copied only where needed). */
  keptData(): Uint8Array {
    return keepBytes(this.data, this.dataAdopted);
  }

  /**
   * The body bytes the next DATA event could give, not consumed (what a
   * line search looks at): empty outside the body, when more bytes are
   * needed, or when the next event is an ERROR. Never throws.
   */
  peek(): Uint8Array {
    return this.phase === ResponsePhase.BODY ? this.body!.peek(this.buffer, this.eof) : EMPTY;
  }

  /** The body reader has read the whole body (a `peek` may get there before `next` says END). */
  get bodyDone(): boolean {
    return this.body !== null && this.body.done;
  }

  /** A chunked body's framing was refused: the next `next` returns ERROR. */
  get framingFailed(): boolean {
    return this.body instanceof ChunkedReader && this.body.failed;
  }

  /** A chunked body stands at a size line (no chunk open): a cut there is a missing size line. */
  get atSizeLine(): boolean {
    return this.body instanceof ChunkedReader && this.body.atSizeLine;
  }

  private readHead(): ResponseEvent {
    const buf = this.buffer;
    const head = this.parser.execute(buf.view(), this.eof, this.headRequest);
    if (head === null) return ResponseEvent.NEED_DATA;
    buf.consume(head.headLength);
    if (head.status === 100) {
      // CPython's begin() skips 100 Continue (and only it) before the final head.
      this.informational = head;
      return ResponseEvent.INFORMATIONAL;
    }
    this.head = head;
    this.body = bodyReaderFor(head, this.wasm, this.strict);
    this.phase = ResponsePhase.BODY;
    return ResponseEvent.HEAD;
  }

  private readBody(max: number, target: Uint8Array | null, at: number): ResponseEvent {
    const body = this.body!;
    if (target !== null) {
      if ((this.dataLength = body.nextInto(this.buffer, target, at, this.eof)) > 0) return ResponseEvent.DATA;
    } else {
      const adopted = this.buffer.adopted;
      const piece = body.next(this.buffer, max, this.eof);
      if (piece.length > 0) {
        this.data = piece;
        this.dataLength = piece.length;
        this.dataAdopted = adopted;
        return ResponseEvent.DATA;
      }
    }
    if (body.done) {
      this.phase = ResponsePhase.DONE;
      return ResponseEvent.END;
    }
    return ResponseEvent.NEED_DATA;
  }
}

const EMPTY = new Uint8Array(0);
