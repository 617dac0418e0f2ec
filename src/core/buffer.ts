// The receive buffer: bytes read from the transport and not yet consumed.
// Appends grow it geometrically; consumed space at the front is reclaimed
// by compaction only when an append needs room, so a head arriving in
// pieces keeps its bytes in place.

/** Unconsumed received bytes, contiguous. */
export class ReceiveBuffer {
  private buf: Uint8Array;
  private start = 0;
  private end = 0;

  constructor(initialSize = 16384) {
    this.buf = new Uint8Array(initialSize);
  }

  /** Number of unconsumed bytes. */
  get length(): number {
    return this.end - this.start;
  }

  /** Appends a copy of `chunk`. */
  push(chunk: Uint8Array): void {
    const n = chunk.length;
    if (n === 0) return;
    if (this.end + n > this.buf.length) this.makeRoom(n);
    this.buf.set(chunk, this.end);
    this.end += n;
  }

  private makeRoom(n: number): void {
    const live = this.end - this.start;
    if (live + n <= this.buf.length >> 1 || (live + n <= this.buf.length && this.start > 0)) {
      this.buf.copyWithin(0, this.start, this.end);
    } else {
      let size = this.buf.length * 2;
      while (size < live + n) size *= 2;
      const next = new Uint8Array(size);
      next.set(this.buf.subarray(this.start, this.end));
      this.buf = next;
    }
    this.start = 0;
    this.end = live;
  }

  /** A view of the unconsumed bytes: valid until the next push or consume. */
  view(): Uint8Array {
    return this.buf.subarray(this.start, this.end);
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

  /** Drops everything. */
  clear(): void {
    this.start = this.end = 0;
  }
}
