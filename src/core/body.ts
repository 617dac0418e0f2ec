// Body readers, sans-IO (h11's readers): each takes bytes from a
// ReceiveBuffer and says how much body it found. They never read the
// transport; the caller pushes bytes and passes `eof` once the peer closed.
// Content-Length and until-close bodies never enter WASM; chunked framing is
// decoded by WASM, and data bytes are served straight from the buffer.
import { ChunkState, Code, InFlag, Slot } from './abi.js';
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

/**
 * A chunked body. Framing goes through WASM over a window of the buffer;
 * when inside chunk data the bytes are served directly, without WASM.
 */
export class ChunkedReader implements BodyReader {
  private readonly wasm: WasmParser;
  // The CHUNK_* slots of this body, saved between calls (the WASM instance
  // is shared by every connection).
  private state: number = ChunkState.SIZE;
  private lineLen = 0;
  private intState = 0;
  private negative = 0;
  private remaining = 0;
  private value = 0;
  private size = 0;

  constructor(wasm: WasmParser = getWasmParser()) {
    this.wasm = wasm;
  }

  get done(): boolean {
    return this.state === ChunkState.DONE;
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
    if (this.state === ChunkState.DONE || max <= 0) return EMPTY;
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
    return this.decode(buf, max, eof);
  }

  /** Runs the WASM decoder until it yields a data run, needs bytes, or ends. */
  private decode(buf: ReceiveBuffer, max: number, eof: boolean): Uint8Array {
    const wasm = this.wasm;
    for (;;) {
      const view = buf.view();
      const total = Math.min(view.length, wasm.inputCapacity);
      wasm.stageOnce(total === view.length ? view : view.subarray(0, total));
      this.save();
      const flags = eof && total === view.length ? InFlag.EOF : 0;
      const r = wasm.decodeChunked(total, flags, 1);
      this.load();
      if (r < 0) {
        const o = wasm.out;
        throw new ParseError(r, o[Slot.ERROR_OFFSET]!, o[Slot.ERROR_KIND]!);
      }
      if (wasm.out[Slot.RUN_COUNT]! > 0) {
        // The decoder stopped right after this run (r === end).
        const start = wasm.runs[0]!;
        const len = wasm.runs[1]! - start;
        const n = Math.min(len, max);
        if (n < len) {
          // Give back the part of the run the caller has no room for.
          this.remaining = len - n + (this.state === ChunkState.DATA ? this.remaining : 0);
          this.state = ChunkState.DATA;
        }
        buf.consume(start);
        return buf.take(n);
      }
      buf.consume(r);
      if (this.state === ChunkState.DONE || r === 0) return EMPTY;
    }
  }

  private save(): void {
    const o = this.wasm.out;
    const f = this.wasm.outF64;
    o[Slot.CHUNK_STATE] = this.state;
    o[Slot.CHUNK_LINE_LEN] = this.lineLen;
    o[Slot.CHUNK_INT_STATE] = this.intState;
    o[Slot.CHUNK_NEGATIVE] = this.negative;
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
    this.remaining = f[Slot.CHUNK_REMAINING_F64 / 2]!;
    this.value = f[Slot.CHUNK_VALUE_F64 / 2]!;
    this.size = f[Slot.CHUNK_SIZE_F64 / 2]!;
  }
}

/** The reader for the body that follows `head`. */
export function bodyReaderFor(head: ResponseHead, wasm?: WasmParser): BodyReader {
  switch (head.bodyKind) {
    case BodyKind.NONE:
      return new EmptyReader();
    case BodyKind.CHUNKED:
      return new ChunkedReader(wasm);
    case BodyKind.LENGTH:
      return new ContentLengthReader(head.length!);
    default:
      return new UntilCloseReader();
  }
}

