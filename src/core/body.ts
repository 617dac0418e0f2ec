// Body readers, sans-IO (h11's readers): each takes bytes from a
// ReceiveBuffer and says how much body it found. They never read the
// transport; the caller pushes bytes and passes `eof` once the peer closed.
// Content-Length and until-close bodies never enter WASM; of a chunked body
// only the framing lines do, and data bytes are served straight from the buffer.
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
  /**
   * `next` with at most `target.length - at` bytes, copied into `target`
   * at `at` instead of handed out as a view; returns how many (a read into
   * the caller's memory then makes no view per piece).
   */
  nextInto(buf: ReceiveBuffer, target: Uint8Array, at: number, eof: boolean): number;
  /**
   * The body bytes `next` could return now, without consuming them (a view
   * valid until the buffer changes). Empty when more bytes are needed or the
   * body is done; never throws.
   */
  peek(buf: ReceiveBuffer, eof: boolean): Uint8Array;
}

/** A body of exactly `length` bytes. */
export class ContentLengthReader implements BodyReader {
  /** Bytes still to come (a number field from the start, so that a length past the small integers is updated in place). */
  remaining = 0;

  constructor(length: number) {
    this.remaining = length;
  }

  get done(): boolean {
    return this.remaining === 0;
  }

  next(buf: ReceiveBuffer, max: number, eof: boolean): Uint8Array {
    const n = this.claim(buf, max, eof);
    return n === 0 ? EMPTY : buf.take(n);
  }

  nextInto(buf: ReceiveBuffer, target: Uint8Array, at: number, eof: boolean): number {
    return buf.copyInto(target, at, this.claim(buf, target.length - at, eof));
  }

  /** How many of the buffered bytes (at most `max`) the next piece takes, counted off `remaining`. */
  private claim(buf: ReceiveBuffer, max: number, eof: boolean): number {
    if (this.remaining === 0) return 0;
    const n = Math.min(this.remaining, buf.length, max);
    if (n === 0 && eof && max > 0) {
      throw new ParseError(Code.INCOMPLETE_BODY, 0, 0, '', this.remaining);
    }
    this.remaining -= n;
    return n;
  }

  peek(buf: ReceiveBuffer): Uint8Array {
    const view = buf.view();
    return view.length > this.remaining ? view.subarray(0, this.remaining) : view;
  }
}

/** A body that ends when the peer closes the connection. */
export class UntilCloseReader implements BodyReader {
  done = false;

  next(buf: ReceiveBuffer, max: number, eof: boolean): Uint8Array {
    const n = this.claim(buf, max, eof);
    return n === 0 ? EMPTY : buf.take(n);
  }

  nextInto(buf: ReceiveBuffer, target: Uint8Array, at: number, eof: boolean): number {
    return buf.copyInto(target, at, this.claim(buf, target.length - at, eof));
  }

  /** How many of the buffered bytes (at most `max`) the next piece takes; the end is EOF with nothing buffered. */
  private claim(buf: ReceiveBuffer, max: number, eof: boolean): number {
    if (this.done) return 0;
    const n = Math.min(buf.length, max);
    if (n === 0 && eof) this.done = true;
    return n;
  }

  peek(buf: ReceiveBuffer): Uint8Array {
    return this.done ? EMPTY : buf.view();
  }
}

/** No body at all (HEAD, 1xx, 204, 304). */
export class EmptyReader implements BodyReader {
  readonly done = true;

  next(): Uint8Array {
    return EMPTY;
  }

  nextInto(): number {
    return 0;
  }

  peek(): Uint8Array {
    return EMPTY;
  }
}

/**
 * Longest piece of one framing line staged per decode call: a line longer
 * than this (only ever an error or a huge extension) is decoded in pieces,
 * the WASM decoder keeping its length against `Limit.MAX_LINE`.
 */
const LINE_WINDOW = 32768;

/**
 * A chunked body. Only the framing enters WASM: each decode call stages the
 * bytes up to the end of the next framing line (a size line, the two bytes
 * after a chunk's data with the size line behind them, or a trailer line)
 * and nothing more, so the decoder stops where data begins; the data bytes
 * are then served straight from the buffer, never copied into WASM memory.
 */
export class ChunkedReader implements BodyReader {
  private readonly wasm: WasmParser;
  private readonly flags: number;
  // The CHUNK_* slots of this body, saved between calls (the WASM instance
  // is shared by every connection). They describe the stream at the front
  // of the buffer.
  private state: number = ChunkState.SIZE;
  private lineLen = 0;
  private intState = 0;
  private negative = 0;
  private remaining = 0;
  private value = 0;
  private size = 0;
  private strictState = 0;
  /** An error found by the last decode, raised by the next read. */
  private pending: ParseError | null = null;

  /** `strict`: refuse framing RFC 9112 does not allow (STRICT_VIOLATION; see `StrictRule`). */
  constructor(wasm: WasmParser = getWasmParser(), strict = false) {
    this.wasm = wasm;
    this.flags = strict ? InFlag.STRICT : 0;
  }

  get done(): boolean {
    return this.state === ChunkState.DONE;
  }

  /** The stream stands at a chunk-size line (or its extension): no chunk is open. */
  get atSizeLine(): boolean {
    return this.state === ChunkState.SIZE || this.state === ChunkState.EXTENSION;
  }

  /** A framing error was found; the next `next` raises it. */
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
      if (!this.decode(buf, eof)) return EMPTY;
    }
  }

  nextInto(buf: ReceiveBuffer, target: Uint8Array, at: number, eof: boolean): number {
    const piece = this.next(buf, target.length - at, eof);
    target.set(piece, at);
    return piece.length;
  }

  /**
   * The data bytes of the current chunk that are in `buf`, without
   * consuming them (Python's `peek` on a chunked response): framing before
   * them is decoded (and consumed) if needed. Empty when more bytes are
   * needed or the body is done; never throws (an error found here is
   * raised by the next `next`).
   */
  peek(buf: ReceiveBuffer, eof: boolean): Uint8Array {
    for (;;) {
      if (this.pending || this.state === ChunkState.DONE) return EMPTY;
      if (this.state === ChunkState.DATA) return buf.view().subarray(0, Math.min(this.remaining, buf.length));
      if (!this.decode(buf, eof)) return EMPTY;
    }
  }

  /**
   * One WASM call over the next framing line at the front of the buffer
   * (in DATA state only at EOF, with nothing staged, to report the cut).
   * Returns false when it made no progress (more bytes are needed).
   */
  private decode(buf: ReceiveBuffer, eof: boolean): boolean {
    if (this.flags === 0 && this.lineLen === 0 && this.plainSizeLine(buf)) return true;
    const wasm = this.wasm;
    const have = buf.length;
    let total = 0;
    if (this.state !== ChunkState.DATA) {
      // DATA_END tosses two bytes whatever they are (CPython's _safe_read(2)):
      // the line to stage is the one after them.
      const skip = this.state === ChunkState.DATA_END ? 2 - this.lineLen : 0;
      const lf = buf.indexOf(0x0a, skip, LINE_WINDOW);
      total = lf < 0 ? Math.min(have, LINE_WINDOW, wasm.inputCapacity) : lf + 1;
    }
    if (total === 0 && !eof) return false;
    buf.copyFront(wasm.claimInput(), total);
    this.save();
    const last = eof && total === have;
    const r = wasm.decodeChunked(total, this.flags | (last ? InFlag.EOF : 0));
    this.load();
    if (r < 0) {
      const o = wasm.out;
      this.pending = new ParseError(r, o[Slot.ERROR_OFFSET]!, o[Slot.ERROR_KIND]!);
      return true;
    }
    buf.consume(r);
    return r > 0 || last;
  }

  /**
   * The one form of size line every reading agrees on, taken without a
   * WASM call: at the start of a line, `1*12HEXDIG CRLF` with a size above
   * zero (after a chunk, its CRLF first). The form is so narrow that
   * CPython's int(x, 16) and RFC 9112 give the same value; anything else
   * (extensions, blanks, signs, the last chunk, a line not yet complete)
   * goes to the WASM decoder, which reads it as CPython does. Small chunks
   * cost a call each otherwise. Returns false when the line is not of this
   * form (nothing consumed).
   */
  private plainSizeLine(buf: ReceiveBuffer): boolean {
    let i = 0;
    if (this.state === ChunkState.DATA_END) {
      if (buf.byteAt(0) !== 0x0d || buf.byteAt(1) !== 0x0a) return false;
      i = 2;
    } else if (this.state !== ChunkState.SIZE) {
      return false;
    }
    const start = i;
    let value = 0;
    for (;;) {
      const c = buf.byteAt(i);
      const d = c >= 0x30 && c <= 0x39 ? c - 0x30 : c >= 0x61 && c <= 0x66 ? c - 0x57 : c >= 0x41 && c <= 0x46 ? c - 0x37 : -1;
      if (d < 0) break;
      value = value * 16 + d;
      if (++i - start > 12) return false;
    }
    if (i === start || value === 0 || buf.byteAt(i) !== 0x0d || buf.byteAt(i + 1) !== 0x0a) return false;
    buf.consume(i + 2);
    this.state = ChunkState.DATA;
    this.remaining = this.size = value;
    return true;
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

