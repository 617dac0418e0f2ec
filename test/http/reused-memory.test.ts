// Bodies read over a transport that reuses its read memory (as the Node TCP
// transport does): the receive buffer borrows each chunk instead of copying
// it, so every body handed out must be a copy, never a view of memory a
// later read overwrites.
import { describe, expect, it } from 'vitest';
import { HTTPResponse, MemoryTransport } from '../../src/index.js';

/** The read memory of every ReusingTransport: a later response's reads scribble over an earlier one's too. */
const mem = new Uint8Array(64 * 1024);

/** A MemoryTransport whose reads all land in `mem`, scribbled over at every read. */
class ReusingTransport extends MemoryTransport {
  readonly reusesChunks = true;
  override async read(): Promise<Uint8Array | null> {
    mem.fill(0x23); // '#': what a view of reused memory would show
    const chunk = await super.read();
    if (chunk === null) return null;
    // At the far end of the memory, so that bytes left in an earlier chunk are overwritten.
    const at = mem.length - chunk.length;
    mem.set(chunk, at);
    return mem.subarray(at);
  }
}

const dec = (b: Uint8Array) => String.fromCharCode(...b);
const body = (n: number) => Array.from({ length: n }, (_, i) => String.fromCharCode(97 + (i % 26))).join('');

describe('a transport that reuses its read memory', () => {
  const sizes = [5, 100, 5000];
  const chunkSizes = [1, 7, 64, 4096, 1 << 16];
  for (const size of sizes) {
    for (const chunkSize of chunkSizes) {
      const expected = body(size);
      const clHead = `HTTP/1.1 200 OK\r\nContent-Length: ${size}\r\n\r\n`;
      const chunked = `HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n${size.toString(16)}\r\n${expected}\r\n0\r\n\r\n`;
      for (const [framing, input] of [['Content-Length', clHead + expected + 'HTTP/1.1 200 OK\r\n'], ['chunked', chunked]] as const) {
        it(`${framing}, ${size} bytes in reads of ${chunkSize}: read(), read(amt), read1, readline, readinto keep their bytes`, async () => {
          const kept: Uint8Array[] = [];
          const whole = new HTTPResponse(new ReusingTransport(input, { chunkSize }));
          await whole.begin();
          kept.push(await whole.read());
          const pieces = new HTTPResponse(new ReusingTransport(input, { chunkSize }));
          await pieces.begin();
          for (let i = 0; ; i++) {
            const p = i % 3 === 0 ? await pieces.read(3) : i % 3 === 1 ? await pieces.read1(50) : await pieces.readline(40);
            if (p.length === 0) break;
            kept.push(p);
          }
          const into = new HTTPResponse(new ReusingTransport(input, { chunkSize }));
          await into.begin();
          const target = new Uint8Array(size);
          let at = 0;
          for (let n; (n = await into.readinto(target.subarray(at))) > 0; ) at += n;
          // Every read above scribbled over the memory the earlier ones came from; so does this.
          mem.fill(0x23);
          expect(dec(kept[0]!)).toBe(expected);
          expect(kept.slice(1).map(dec).join('')).toBe(expected);
          expect(dec(target.subarray(0, at))).toBe(expected);
          expect(whole.isclosed() && pieces.isclosed()).toBe(true);
        });
      }
    }
  }

  it('bytes after a head that arrived with it survive the next read (the head in pieces, the body later)', async () => {
    const r = new HTTPResponse(new ReusingTransport(['HTTP/1.1 200 OK\r\nConte', 'nt-Length: 3\r\n\r\na', 'bc']));
    await r.begin();
    expect(r.getheader('content-length')).toBe('3');
    const a = await r.read(1);
    const bc = await r.read();
    mem.fill(0x23);
    expect(dec(a) + dec(bc)).toBe('abc');
  });
});
