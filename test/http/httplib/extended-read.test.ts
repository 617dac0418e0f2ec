// CPython 3.13 test_httplib.py: ExtendedReadTest (peek, read1, readline) and
// its two subclasses ExtendedReadTestContentLengthKnown and
// ExtendedReadTestChunked, which rerun every test on other response bytes.
// CPython's setUp wraps resp.fp in an io.BufferedReader (and test_peek
// patches its peek to hand back at most 10 bytes); here the response's own
// buffering is used as it is.
import { describe, it, expect, beforeEach } from 'vitest';
import { HTTPResponse } from '../../../src/index.js';
import { dec, enc, fakeSocket } from './support.js';

const lines =
  'HTTP/1.1 200 OK\r\n' +
  '\r\n' +
  'hello world!\n' +
  'and now \n' +
  'for something completely different\n' +
  'foo';
const lines_expected = enc(lines.slice(lines.indexOf('hello')));

const [_header, _body] = [lines.slice(0, lines.indexOf('\r\n\r\n')), lines.slice(lines.indexOf('\r\n\r\n') + 4)];
const lines_content_length = _header + `\r\nContent-Length: ${_body.length}\r\n\r\n` + _body;

const lines_chunked =
  'HTTP/1.1 200 OK\r\n' +
  'Transfer-Encoding: chunked\r\n\r\n' +
  'a\r\n' +
  'hello worl\r\n' +
  '3\r\n' +
  'd!\n\r\n' +
  '9\r\n' +
  'and now \n\r\n' +
  '23\r\n' +
  'for something completely different\n\r\n' +
  '3\r\n' +
  'foo\r\n' +
  '0\r\n' + // terminating chunk
  '\r\n'; // end of trailers

type ReadFn = (limit: number) => Promise<Uint8Array>;

/** test_httplib's Readliner: readline over an arbitrary read function. */
class Readliner {
  private remainder: Uint8Array = new Uint8Array(0);
  constructor(private readonly readfunc: () => Promise<Uint8Array>) {}

  async readline(limit: number): Promise<Uint8Array> {
    const data: Uint8Array[] = [];
    let datalen = 0;
    let read: Uint8Array = this.remainder;
    let idx: number;
    try {
      for (;;) {
        idx = read.indexOf(0x0a);
        if (idx !== -1) break;
        if (datalen + read.length >= limit) idx = limit - datalen - 1;
        // read more data
        data.push(read);
        read = await this.readfunc();
        if (!read.length) {
          idx = 0; // eof condition
          break;
        }
      }
      idx += 1;
      data.push(read.subarray(0, idx));
      this.remainder = read.subarray(idx);
      return enc(data.map(dec).join(''));
    } catch (e) {
      this.remainder = enc(data.map(dec).join(''));
      throw e;
    }
  }
}

for (const [name, text] of [
  ['ExtendedReadTest', lines],
  ['ExtendedReadTestContentLengthKnown', lines_content_length],
  ['ExtendedReadTestChunked', lines_chunked],
] as const) {
  describe(name, () => {
    let resp: HTTPResponse;

    beforeEach(async () => {
      resp = new HTTPResponse(fakeSocket(text), 0, 'GET');
      await resp.begin();
    });

    async function verify_readline(readline: ReadFn, expected: Uint8Array, limit = 5): Promise<void> {
      const all: string[] = [];
      for (;;) {
        // short readlines
        const line = dec(await readline(limit));
        if (line && line !== 'foo') {
          if (line.length < 5) expect(line.endsWith('\n'), JSON.stringify(line)).toBe(true);
        }
        all.push(line);
        if (!line) break;
      }
      expect(all.join('')).toBe(dec(expected));
      expect(resp.isclosed()).toBe(true);
    }

    it('test_peek', async () => {
      const all: string[] = [];
      for (;;) {
        // try a short peek
        const p = await resp.peek(3);
        let next: Uint8Array;
        if (p.length) {
          expect(p.length).toBeGreaterThan(0);
          // then unbounded peek
          const p2 = await resp.peek();
          expect(p2.length).toBeGreaterThanOrEqual(p.length);
          expect(dec(p2).startsWith(dec(p))).toBe(true);
          next = await resp.read(p2.length);
          expect(next).toEqual(p2);
        } else {
          next = await resp.read();
          expect(next.length).toBe(0);
        }
        all.push(dec(next));
        if (!next.length) break;
      }
      expect(all.join('')).toBe(dec(lines_expected));
    });

    it('test_readline', async () => {
      await verify_readline((limit) => resp.readline(limit), lines_expected);
    });

    it('test_readline_without_limit', async () => {
      await verify_readline((limit) => resp.readline(limit), lines_expected, -1);
    });

    it('test_read1', async () => {
      const r = async () => {
        const res = await resp.read1(4);
        expect(res.length).toBeLessThanOrEqual(4);
        return res;
      };
      const readliner = new Readliner(r);
      await verify_readline((limit) => readliner.readline(limit), lines_expected);
    });

    it('test_read1_unbounded', async () => {
      const all: string[] = [];
      for (;;) {
        const data = await resp.read1();
        if (!data.length) break;
        all.push(dec(data));
      }
      expect(all.join('')).toBe(dec(lines_expected));
      expect(resp.isclosed()).toBe(true);
    });

    it('test_read1_bounded', async () => {
      const all: string[] = [];
      for (;;) {
        const data = await resp.read1(10);
        if (!data.length) break;
        expect(data.length).toBeLessThanOrEqual(10);
        all.push(dec(data));
      }
      expect(all.join('')).toBe(dec(lines_expected));
      expect(resp.isclosed()).toBe(true);
    });

    it('test_read1_0', async () => {
      expect((await resp.read1(0)).length).toBe(0);
      expect(resp.isclosed()).toBe(false);
    });

    it('test_peek_0', async () => {
      const p = await resp.peek(0);
      expect(p.length).toBeGreaterThanOrEqual(0);
      expect(p).toBeInstanceOf(Uint8Array);
    });
  });
}
