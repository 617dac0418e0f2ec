// The receive buffer: bytes read from the transport and not yet consumed.
// A chunk pushed into an empty buffer is adopted, not copied (the usual
// case: a read that holds whole messages); bytes are copied only to join a
// chunk to leftover bytes. A chunk whose memory the transport reuses is
// borrowed the same way, and its leftover bytes are copied out only when
// the reader is about to read again (`release`): each body byte is then
// copied once, from the transport's memory to where it is kept. Owned
// space grows geometrically and consumed space at the front is reclaimed
// only when an append needs room, so a head arriving in pieces keeps its
// bytes in place.

/** The owned space of a buffer that has not needed any yet. */
const NO_SPACE = new Uint8Array(0);

/** Unconsumed received bytes, contiguous. */
export class ReceiveBuffer {
  /** Holds the bytes: `own`, or an adopted chunk. */
  private buf: Uint8Array;
  /** The buffer this one owns and may write into. */
  private own: Uint8Array;
  private start = 0;
  private end = 0;
  /** `buf` is a chunk whose memory the transport reuses after its next read (see `release`). */
  private borrowed = false;

  /** Size of the owned space once it is first needed. */
  private readonly initialSize: number;

  /**
   * Owned space is allocated only when a chunk must be joined to leftover
   * bytes: a response that arrives in one read never allocates any.
   */
  constructor(initialSize = 16384) {
    this.own = this.buf = NO_SPACE;
    this.initialSize = Math.max(1, initialSize);
  }

  /** Number of unconsumed bytes. */
  get length(): number {
    return this.end - this.start;
  }

  /**
   * Appends `chunk`. The buffer may keep a reference to it instead of a
   * copy: the caller must not change it afterwards (a socket's chunks are
   * never reused), unless `adopt` is false (the chunk's memory is reused
   * once the transport reads again): then the chunk is borrowed when the
   * buffer is empty, and the caller must call `release()` before that next
   * read; otherwise it is copied into owned space.
   */
  push(chunk: Uint8Array, adopt = true): void {
    const n = chunk.length;
    if (n === 0) return;
    if (this.start === this.end) {
      // A subclass (Node's Buffer) is seen through a plain Uint8Array: its
      // own subarray() is a slow JavaScript path, and every view handed out
      // is then the same plain type.
      this.buf = chunk.constructor === Uint8Array ? chunk : new Uint8Array(chunk.buffer, chunk.byteOffset, n);
      this.borrowed = !adopt;
      this.start = 0;
      this.end = n;
      return;
    }
    if (this.buf !== this.own || this.end + n > this.buf.length) this.makeRoom(n);
    this.buf.set(chunk, this.end);
    this.end += n;
  }

  // Moves the live bytes into owned space with room for `n` more.
  private makeRoom(n: number): void {
    const live = this.end - this.start;
    if (this.buf === this.own && (live + n <= this.own.length >> 1 || (live + n <= this.own.length && this.start > 0))) {
      this.own.copyWithin(0, this.start, this.end);
    } else {
      let size = Math.max(this.own.length, this.initialSize);
      while (size < live + n) size *= 2;
      const next = size === this.own.length && this.buf !== this.own ? this.own : new Uint8Array(size);
      next.set(this.buf.subarray(this.start, this.end));
      this.own = next;
    }
    this.buf = this.own;
    this.borrowed = false;
    this.start = 0;
    this.end = live;
  }

  /**
   * Copies the unconsumed bytes of a borrowed chunk into owned space (a
   * no-op otherwise, and when they were all consumed): call it before the
   * transport reads again, since that read may reuse the chunk's memory.
   */
  release(): void {
    if (!this.borrowed) return;
    if (this.start === this.end) {
      this.buf = this.own;
      this.borrowed = false;
      this.start = this.end = 0;
      return;
    }
    this.makeRoom(0);
  }

  /**
   * The front bytes sit in a chunk adopted from `push`, which is never
   * written again: a view of them (from `take`) stays valid for good.
   * Otherwise (owned space, or a borrowed chunk) views are valid only until
   * the next push or `release`.
   */
  get adopted(): boolean {
    return this.buf !== this.own && !this.borrowed;
  }

  /** A view of the unconsumed bytes: valid until the next push or consume. */
  view(): Uint8Array {
    // A chunk read whole (the usual read) is its own view: no new array.
    if (this.start === 0 && this.end === this.buf.length) return this.buf;
    return this.buf.subarray(this.start, this.end);
  }

  /** The byte at `i` from the front, or -1 past the end. */
  byteAt(i: number): number {
    const at = this.start + i;
    return at < this.end ? this.buf[at]! : -1;
  }

  /**
   * Index (from the front) of the first `byte` at or after `from`, looking
   * at most `limit` bytes from the front; -1 when there is none.
   */
  indexOf(byte: number, from: number, limit: number): number {
    const end = Math.min(this.end, this.start + limit);
    const b = this.buf;
    // Framing lines are short: a plain loop makes no view.
    for (let i = this.start + from; i < end; i++) if (b[i] === byte) return i - this.start;
    return -1;
  }

  /** Copies the first `n` unconsumed bytes to `target` (from 0) without consuming them. */
  copyFront(target: Uint8Array, n: number): void {
    const b = this.buf;
    const s = this.start;
    if (n <= 64) for (let i = 0; i < n; i++) target[i] = b[s + i]!;
    else target.set(b.subarray(s, s + n), 0);
  }

  /** Drops `n` bytes from the front. */
  consume(n: number): void {
    this.start += n;
    if (this.start >= this.end) this.start = this.end = 0;
  }

  /** Removes and returns (a view of) up to `n` bytes from the front. */
  take(n: number): Uint8Array {
    const k = Math.min(n, this.end - this.start);
    const out = this.buf.subarray(this.start, this.start + k);
    this.consume(k);
    return out;
  }

  /**
   * Copies up to `target.length - at` bytes (and at most `max`) from the
   * front into `target` at `at`, consumes them, and returns how many (no
   * view is made when the whole buffer fits).
   */
  copyInto(target: Uint8Array, at: number, max = Number.MAX_SAFE_INTEGER): number {
    const k = Math.min(target.length - at, this.end - this.start, max);
    if (k === 0) return 0;
    if (this.start === 0 && k === this.buf.length) target.set(this.buf, at);
    else target.set(this.buf.subarray(this.start, this.start + k), at);
    this.consume(k);
    return k;
  }

  /** Drops everything (a borrowed chunk too). */
  clear(): void {
    this.start = this.end = 0;
    if (this.borrowed) {
      this.buf = this.own;
      this.borrowed = false;
    }
  }
}

/**
 * `view` (taken from a ReceiveBuffer whose front was `adopted` before the
 * take) as bytes that stay valid. An adopted chunk is never written again;
 * owned space is reused, so its views are copied. A small piece of a large
 * chunk is copied all the same, so that keeping it does not keep the whole
 * chunk alive.
 */
export function keepBytes(view: Uint8Array, adopted: boolean): Uint8Array {
  if (adopted && (view.length >= 4096 || view.length * 8 >= view.buffer.byteLength)) return view;
  return view.slice();
}

/**
 * A Uint8Array over the bytes of `v` (an ArrayBuffer or any view: no
 * copy), or null when `v` is not bytes.
 */
export function bytesView(v: unknown): Uint8Array | null {
  if (v instanceof Uint8Array) return v;
  if (v instanceof ArrayBuffer) return new Uint8Array(v);
  if (ArrayBuffer.isView(v)) return new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
  return null;
}

/**
 * `pieces` joined into one array (`total`: their summed length, if known).
 * A single piece is returned as it is, not copied.
 */
export function concatBytes(pieces: Uint8Array[], total = -1): Uint8Array {
  if (pieces.length === 1) return pieces[0]!;
  if (total < 0) {
    total = 0;
    for (const p of pieces) total += p.length;
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of pieces) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
