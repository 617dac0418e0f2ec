// Body readers, sans-IO (h11's readers): each takes bytes from a
// ReceiveBuffer and says how much body it found. They never read the
// transport; the caller pushes bytes and passes `eof` once the peer closed.
// Content-Length and until-close bodies never enter WASM; chunked framing is
// decoded by WASM, and data bytes are served straight from the buffer.
import { ChunkState, Code, InFlag, Slot } from '../abi/index.js';
import type { ReceiveBuffer } from './buffer.js';
import { ParseError } from './errors.js';
import { BodyKind, type ResponseHead } from './head.js';
import { getWasmParser, type WasmParser } from './wasm.js';

const EMPTY = new Uint8Array(0);

/** Reads one response body out of a receive buffer. */
export interface BodyReader {
  /** The whole body has been read. */
  readonly done: boolean;
  /**
   * Removes up to `max` body bytes from `buf` and returns them as a view
   * into it (valid until the buffer is next changed). An empty result with
   * `done` false means more bytes are needed. With `eof`, a body that cannot
   * complete throws `ParseError`.
   */
  next(buf: ReceiveBuffer, max: number, eof: boolean): Uint8Array;
}

/** A body of exactly `length` bytes. */
export class ContentLengthReader implements BodyReader {
  /** Bytes still to come. */
  remaining: number;

  constructor(length: number) {
    this.remaining = length;
  }

  get done(): boolean {
    return this.remaining === 0;
  }

  next(buf: ReceiveBuffer, max: number, eof: boolean): Uint8Array {
    if (this.remaining === 0) return EMPTY;
    const n = Math.min(this.remaining, buf.length, max);
    if (n === 0 && eof && max > 0) {
      throw new ParseError(Code.INCOMPLETE_BODY, 0, 0, '', this.remaining);
    }
    this.remaining -= n;
    return buf.take(n);
  }
}

/** A body that ends when the peer closes the connection. */
export class UntilCloseReader implements BodyReader {
  done = false;

  next(buf: ReceiveBuffer, max: number, eof: boolean): Uint8Array {
    if (this.done) return EMPTY;
    const n = Math.min(buf.length, max);
    if (n === 0 && eof) this.done = true;
    return buf.take(n);
  }
}

/** No body at all (HEAD, 1xx, 204, 304). */
export class EmptyReader implements BodyReader {
  readonly done = true;

  next(): Uint8Array {
    return EMPTY;
  }
}

/** Bytes of the buffer handed to one decode call: bounded, so a call costs O(window). */
const CHUNK_WINDOW = 32768;

/**
 * A chunked body. Framing goes through WASM over a bounded window of the
 * buffer, up to RUN_CAPACITY data runs per call, kept in a queue and served
 * straight from the buffer; inside a long chunk the bytes are served without
 * WASM at all.
 */
export class ChunkedReader implements BodyReader {
  private readonly wasm: WasmParser;
  private readonly flags: number;
  // The CHUNK_* slots of this body, saved between calls (the WASM instance
  // is shared by every connection). They describe the stream at `decoded`.
  private state: number = ChunkState.SIZE;
  private lineLen = 0;
  private intState = 0;
  private negative = 0;
  private remaining = 0;
  private value = 0;
  private size = 0;
  private strictState = 0;
  /** Data runs of the last decode, [start, end) pairs relative to the buffer front then. */
  // A plain array: an Int32Array here would allocate an ArrayBuffer per body.
  private readonly runs: number[] = [];
  private runIndex = 0;
  private runCount = 0;
  /** Bytes consumed from the buffer since the last decode. */
  private cursor = 0;
  /** Bytes the last decode consumed (framing and data). */
  private decoded = 0;
  /** An error found by the last decode, raised once its runs are served. */
  private pending: ParseError | null = null;

  /** `strict`: refuse framing RFC 9112 does not allow (STRICT_VIOLATION; see `StrictRule`). */
  constructor(wasm: WasmParser = getWasmParser(), strict = false) {
    this.wasm = wasm;
    this.flags = strict ? InFlag.STRICT : 0;
  }

  get done(): boolean {
    return this.state === ChunkState.DONE && this.runIndex === this.runCount;
  }

  /** The stream stands at a chunk-size line (or its extension): no chunk is open. */
  get atSizeLine(): boolean {
    return (this.state === ChunkState.SIZE || this.state === ChunkState.EXTENSION) && this.runIndex === this.runCount;
  }

  /** A framing error was found; the next `next` raises it (after any data runs before it). */
  get failed(): boolean {
    return this.pending !== null;
  }

  /**
   * Body bytes of the chunk being read that were already returned: when
   * the body is cut inside a chunk, CPython's IncompleteRead leaves them
   * out of `partial`.
   */
  get partialChunkBytes(): number {
    return this.state === ChunkState.DATA ? this.size - this.remaining : 0;
  }

  next(buf: ReceiveBuffer, max: number, eof: boolean): Uint8Array {
    if (max <= 0) return EMPTY;
    for (;;) {
      if (this.runIndex < this.runCount) return this.serveRun(buf, max);
      if (this.pending) {
        const e = this.pending;
        this.pending = null;
        throw e;
      }
      if (this.state === ChunkState.DONE) return EMPTY;
      if (this.state === ChunkState.DATA) {
        const n = Math.min(this.remaining, buf.length, max);
        if (n > 0) {
          this.remaining -= n;
          if (this.remaining === 0) {
            this.state = ChunkState.DATA_END;
            this.lineLen = 0;
          }
          return buf.take(n);
        }
        if (!eof) return EMPTY;
      }
      // A decode that only consumed framing made progress: go round again,
      // since more bytes may be buffered past its window.
      const before = buf.length;
      this.decode(buf, eof);
      if (this.runCount === 0 && !this.pending && this.state !== ChunkState.DONE && buf.length === before) {
        return EMPTY;
      }
    }
  }

  /**
   * The data bytes of the current chunk that are in `buf`, without
   * consuming them (Python's `peek` on a chunked response): framing before
   * them is decoded (and consumed) if needed. Empty when more bytes are
   * needed or the body is done; never throws (an error found here is
   * raised by the next `next`).
   */
  peek(buf: ReceiveBuffer, eof: boolean): Uint8Array {
    for (let round = 0; round < 64; round++) {
      if (this.runIndex < this.runCount) {
        const i = this.runIndex * 2;
        return buf.view().subarray(this.runs[i]! - this.cursor, this.runs[i + 1]! - this.cursor);
      }
      if (this.pending || this.state === ChunkState.DONE) return EMPTY;
      if (this.state === ChunkState.DATA) return buf.view().subarray(0, Math.min(this.remaining, buf.length));
      const before = buf.length;
      this.decode(buf, eof);
      if (this.runCount === 0 && !this.pending && this.state !== ChunkState.DONE && buf.length === before) return EMPTY;
    }
    return EMPTY;
  }

  /** Serves (part of) the next queued run, skipping the framing before it. */
  private serveRun(buf: ReceiveBuffer, max: number): Uint8Array {
    const i = this.runIndex * 2;
    const start = this.runs[i]!;
    const end = this.runs[i + 1]!;
    buf.consume(start - this.cursor);
    const n = Math.min(end - start, max);
    this.cursor = start + n;
    if (n < end - start) {
      this.runs[i] = start + n;
    } else if (++this.runIndex === this.runCount) {
      // The framing after the last run was consumed by the decoder too.
      const out = buf.take(n);
      buf.consume(this.decoded - this.cursor);
      this.cursor = this.decoded;
      return out;
    }
    return buf.take(n);
  }

  /** One WASM call over the front of the buffer; queues its runs. */
  private decode(buf: ReceiveBuffer, eof: boolean): void {
    const wasm = this.wasm;
    const view = buf.view();
    const total = Math.min(view.length, CHUNK_WINDOW, wasm.inputCapacity);
    wasm.stageOnce(total === view.length ? view : view.subarray(0, total));
    this.save();
    const flags = this.flags | (eof && total === view.length ? InFlag.EOF : 0);
    const r = wasm.decodeChunked(total, flags);
    this.load();
    const count = wasm.out[Slot.RUN_COUNT]!;
    const from = wasm.runs;
    const runs = this.runs;
    for (let i = 0; i < count * 2; i++) runs[i] = from[i]!;
    this.runIndex = 0;
    this.runCount = count;
    this.cursor = 0;
    if (r < 0) {
      // The runs before the error are served first: CPython's partial has them.
      const o = wasm.out;
      this.pending = new ParseError(r, o[Slot.ERROR_OFFSET]!, o[Slot.ERROR_KIND]!);
      this.decoded = count > 0 ? this.runs[count * 2 - 1]! : 0;
      return;
    }
    this.decoded = r;
    if (count === 0) {
      buf.consume(r);
      this.cursor = 0;
    }
  }

  private save(): void {
    const o = this.wasm.out;
    const f = this.wasm.outF64;
    o[Slot.CHUNK_STATE] = this.state;
    o[Slot.CHUNK_LINE_LEN] = this.lineLen;
    o[Slot.CHUNK_INT_STATE] = this.intState;
    o[Slot.CHUNK_NEGATIVE] = this.negative;
    o[Slot.CHUNK_STRICT] = this.strictState;
    f[Slot.CHUNK_REMAINING_F64 / 2] = this.remaining;
    f[Slot.CHUNK_VALUE_F64 / 2] = this.value;
    f[Slot.CHUNK_SIZE_F64 / 2] = this.size;
  }

  private load(): void {
    const o = this.wasm.out;
    const f = this.wasm.outF64;
    this.state = o[Slot.CHUNK_STATE]!;
    this.lineLen = o[Slot.CHUNK_LINE_LEN]!;
    this.intState = o[Slot.CHUNK_INT_STATE]!;
    this.negative = o[Slot.CHUNK_NEGATIVE]!;
    this.strictState = o[Slot.CHUNK_STRICT]!;
    this.remaining = f[Slot.CHUNK_REMAINING_F64 / 2]!;
    this.value = f[Slot.CHUNK_VALUE_F64 / 2]!;
    this.size = f[Slot.CHUNK_SIZE_F64 / 2]!;
  }
}

/** The reader for the body that follows `head` (`strict`: see ChunkedReader). */
export function bodyReaderFor(head: ResponseHead, wasm?: WasmParser, strict = false): BodyReader {
  switch (head.bodyKind) {
    case BodyKind.NONE:
      return new EmptyReader();
    case BodyKind.CHUNKED:
      return new ChunkedReader(wasm, strict);
    case BodyKind.LENGTH:
      return new ContentLengthReader(head.length!);
    default:
      return new UntilCloseReader();
  }
}

