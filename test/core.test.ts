// Unit tests of the sans-IO core: Latin-1, the receive buffer, the body
// readers (h11's test_io way: whole, byte by byte, with trailing data),
// and the WASM boundary's bounds.
import { describe, expect, it } from 'vitest';
import {
  BodyKind,
  ChunkedReader,
  Code,
  ContentLengthReader,
  createWasmParser,
  HeadParser,
  latin1Decode,
  latin1Encode,
  latin1Invalid,
  ParseError,
  ReceiveBuffer,
  UntilCloseReader,
  type BodyReader,
} from '../src/core/index.js';
import { keepBytes } from '../src/core/buffer.js';
import { parseDecimalInt } from '../src/core/request.js';
import { pythonExceptionName } from '../src/http/exceptions.js';
import { parseResponse } from '../src/http/report.js';
import { makeRng } from './support/generate.js';

const bytes = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));
const text = (b: Uint8Array) => String.fromCharCode(...b);

describe('latin1', () => {
  const all = Uint8Array.from({ length: 256 }, (_, i) => i);
  const expected = Array.from(all, (b) => String.fromCharCode(b)).join('');

  it('decodes all 256 byte values to U+0000..U+00FF', () => {
    expect(latin1Decode(all)).toBe(expected);
    for (let i = 0; i < 256; i++) expect(latin1Decode(all, i, i + 1)).toBe(expected[i]);
  });

  it('decodes long runs past the chunk size exactly', () => {
    const big = Uint8Array.from({ length: 10000 }, (_, i) => (i * 7) & 0xff);
    expect(latin1Decode(big)).toBe(Array.from(big, (b) => String.fromCharCode(b)).join(''));
  });

  it('takes the ASCII path only when told and agrees with the general path', () => {
    const ascii = bytes('Content-Type: text/html; charset=utf-8\r\n');
    expect(latin1Decode(ascii, 0, ascii.length, true)).toBe(latin1Decode(ascii));
  });

  it('encodes and finds characters outside Latin-1', () => {
    expect(latin1Encode(expected)).toEqual(all);
    expect(latin1Invalid('abc\u00ff')).toBe(-1);
    expect(latin1Invalid('ab\u0100c')).toBe(2);
  });
});

describe('ReceiveBuffer', () => {
  it('matches a plain array model under random pushes, takes and consumes', () => {
    const rng = makeRng(7).next;
    const buf = new ReceiveBuffer(8);
    let model: number[] = [];
    for (let step = 0; step < 5000; step++) {
      const op = rng() * 3;
      if (op < 1.4) {
        const n = Math.floor(rng() * 300);
        const chunk = Uint8Array.from({ length: n }, () => Math.floor(rng() * 256));
        buf.push(chunk);
        model.push(...chunk);
      } else if (op < 2.2) {
        const n = Math.floor(rng() * 200);
        const got = Array.from(buf.take(n));
        expect(got).toEqual(model.slice(0, n));
        model = model.slice(n);
      } else {
        const n = Math.min(Math.floor(rng() * 100), model.length);
        buf.consume(n);
        model = model.slice(n);
      }
      expect(buf.length).toBe(model.length);
    }
    expect(Array.from(buf.view())).toEqual(model);
  });

  it('borrows chunks in reused memory: kept bytes and leftovers survive the memory being overwritten', () => {
    const rng = makeRng(11).next;
    const mem = new Uint8Array(300); // the transport's one read buffer
    const buf = new ReceiveBuffer(8);
    let model: number[] = [];
    const kept: [Uint8Array, number[]][] = [];
    for (let step = 0; step < 5000; step++) {
      const op = rng() * 3;
      if (op < 1.2) {
        // A transport read: leftovers leave the memory first, then it is overwritten.
        buf.release();
        mem.fill(0xee);
        const n = Math.floor(rng() * 300);
        for (let i = 0; i < n; i++) mem[i] = Math.floor(rng() * 256);
        buf.push(mem.subarray(0, n), false);
        model.push(...mem.subarray(0, n));
      } else if (op < 2.2) {
        const n = Math.floor(rng() * 200);
        const adopted = buf.adopted;
        const got = keepBytes(buf.take(n), adopted);
        expect(adopted).toBe(false); // nothing here is adopted: every chunk is borrowed or copied
        kept.push([got, model.slice(0, n)]);
        model = model.slice(n);
      } else {
        const n = Math.min(Math.floor(rng() * 100), model.length);
        buf.consume(n);
        model = model.slice(n);
      }
      expect(buf.length).toBe(model.length);
    }
    mem.fill(0xee);
    for (const [got, want] of kept) expect(Array.from(got)).toEqual(want);
    buf.release();
    expect(Array.from(buf.view())).toEqual(model);
  });
});

/** Reads a whole body from `pieces` with reads of at most `max` bytes. */
function readBody(reader: BodyReader, pieces: Uint8Array[], max: number): { body: string; left: number } {
  const buf = new ReceiveBuffer(4);
  let body = '';
  for (const piece of pieces) {
    buf.push(piece);
    for (;;) {
      const out = reader.next(buf, max, false);
      if (out.length === 0) break;
      body += text(out);
    }
    if (reader.done) break;
  }
  return { body, left: buf.length };
}

function pieces(input: string, size: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i < input.length; i += size) out.push(bytes(input.slice(i, i + size)));
  return out;
}

describe('body readers', () => {
  const wasm = createWasmParser('simd');
  const chunked = '5\r\nhello\r\n1;ext=1\r\n \r\n0x_6\r\nworld!\r\n0\r\nTrailer: x\r\n\r\n';
  const cases: [string, () => BodyReader, string, string][] = [
    ['Content-Length', () => new ContentLengthReader(11), 'hello world', 'hello world'],
    ['chunked', () => new ChunkedReader(wasm), chunked, 'hello world!'],
  ];

  for (const [name, make, input, body] of cases) {
    for (const size of [input.length, 1, 2, 3, 7]) {
      for (const max of [1, 3, 1 << 20]) {
        it(`${name}: pieces of ${size}, reads of ${max}, then trailing data`, () => {
          const trailing = 'HTTP/1.1 200 OK\r\n';
          const r = readBody(make(), pieces(input + trailing, size), max);
          expect(r.body).toBe(body);
          // Everything after the body stays in the buffer, from any split.
          const reader = make();
          const buf = new ReceiveBuffer();
          let got = '';
          for (const p of pieces(input + trailing, size)) {
            buf.push(p);
            for (let out = reader.next(buf, max, false); out.length; out = reader.next(buf, max, false)) got += text(out);
          }
          expect(got).toBe(body);
          expect(reader.done).toBe(true);
          expect(text(buf.view())).toBe(trailing);
        });
      }
    }
  }

  it('until close: everything up to EOF is body', () => {
    const reader = new UntilCloseReader();
    const buf = new ReceiveBuffer();
    buf.push(bytes('abc'));
    expect(text(reader.next(buf, 2, false))).toBe('ab');
    expect(text(reader.next(buf, 2, false))).toBe('c');
    expect(reader.next(buf, 2, false).length).toBe(0);
    expect(reader.done).toBe(false);
    expect(reader.next(buf, 2, true).length).toBe(0);
    expect(reader.done).toBe(true);
  });

  it('Content-Length: EOF before the end reports the missing byte count', () => {
    const reader = new ContentLengthReader(10);
    const buf = new ReceiveBuffer();
    buf.push(bytes('abc'));
    expect(text(reader.next(buf, 100, true))).toBe('abc');
    let err: unknown;
    try {
      reader.next(buf, 100, true);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ParseError);
    expect((err as ParseError).code).toBe(Code.INCOMPLETE_BODY);
    expect((err as ParseError).expected).toBe(7);
  });

  it('chunked: a bad size line is a ParseError with the offending offset, never a trap', () => {
    const reader = new ChunkedReader(wasm);
    const buf = new ReceiveBuffer();
    buf.push(bytes('5\r\nhello\r\nzz\r\n'));
    expect(text(reader.next(buf, 100, false))).toBe('hello');
    let err: unknown;
    try {
      reader.next(buf, 100, false);
    } catch (e) {
      err = e;
    }
    expect((err as ParseError).code).toBe(Code.BAD_CHUNK_SIZE);
    expect(pythonExceptionName((err as ParseError).code)).toBe('IncompleteRead');
  });
});

describe('head parser', () => {
  it('keeps the head bytes of a trickled head and resumes without losing any', () => {
    const head = 'HTTP/1.1 200 OK\r\n' + 'X-Long: ' + 'v'.repeat(5000) + '\r\nContent-Length: 2\r\n\r\n';
    const parser = new HeadParser({ wasm: createWasmParser('scalar') });
    const all = bytes(head + 'ok');
    let result = null;
    for (let n = 1; n <= all.length && !result; n++) result = parser.execute(all.subarray(0, n));
    expect(result).not.toBeNull();
    expect(result!.headLength).toBe(head.length);
    expect(result!.headers.get('x-long')).toBe('v'.repeat(5000));
    expect(result!.bodyKind).toBe(BodyKind.LENGTH);
  });

  it('grows the header table for heads with thousands of headers (bare CR splits lines)', () => {
    // One framing line of 60,000 bytes holding 20,000 headers: CPython's email parser splits at CR.
    const line = 'a:\r'.repeat(20000);
    const r = parseResponse(bytes(`HTTP/1.1 200 OK\r\n${line}\r\n\r\n`), { wasm: createWasmParser('simd') });
    expect(r.headers!.length).toBe(20000);
  });

  it('keeps WASM memory bounded over many responses after warm-up', () => {
    const wasm = createWasmParser('simd');
    const inputs = [
      'HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc',
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n',
      'HTTP/1.0 404 Not Found\r\nX: ' + 'y'.repeat(70000) + '\r\n\r\n',
      'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n',
    ].map(bytes);
    for (const i of inputs) parseResponse(i, { wasm });
    const warm = wasm.memoryBytes;
    for (let n = 0; n < 20000; n++) parseResponse(inputs[n % inputs.length]!, { wasm });
    expect(wasm.memoryBytes).toBe(warm);
  });
});

describe('build', () => {
  it('keeps each WASM build within 16 KB and without imports', async () => {
    const { readFileSync } = await import('node:fs');
    for (const build of ['simd', 'scalar']) {
      const bytes = readFileSync(new URL(`../build/httpwire.${build}.wasm`, import.meta.url));
      expect(bytes.length).toBeLessThanOrEqual(16 * 1024);
      const module = new WebAssembly.Module(bytes);
      expect(WebAssembly.Module.imports(module)).toEqual([]);
    }
  });
});

describe('header look-up', () => {
  it('matches names as Python lower() does, Kelvin sign included', () => {
    const r = new HeadParser({ wasm: createWasmParser('simd') }).execute(
      bytes('HTTP/1.1 200 OK\r\nKeep-Alive: 5\r\nX-\xc9t\xe9: v\r\n\r\n'),
    )!;
    expect(r.headers.get('keep-alive')).toBe('5');
    expect(r.headers.get('KEEP-ALIVE')).toBe('5');
    expect(r.headers.get('\u212aeep-alive')).toBe('5'); // 'K'.lower() == 'k' in Python
    expect(r.headers.get('keep-alivé')).toBeUndefined();
    // Names are ASCII-only in CPython's email rules: a Latin-1 name is not a header.
    expect(r.headers.length).toBe(1);
  });
});

describe('parseDecimalInt (Python int(), base 10; values checked against CPython 3.13)', () => {
  it('takes blanks, a sign and single underscores; refuses what int() refuses', () => {
    expect(parseDecimalInt(' +1_0 ')).toBe(10n);
    expect(parseDecimalInt('-7')).toBe(-7n);
    expect(parseDecimalInt('1__0')).toBeNull();
    expect(parseDecimalInt('_1')).toBeNull();
    expect(parseDecimalInt('')).toBeNull();
    expect(parseDecimalInt('0x10')).toBeNull();
  });

  it('keeps int()\'s 4300-digit limit', () => {
    expect(parseDecimalInt('1'.repeat(4300))).toBe(BigInt('1'.repeat(4300)));
    expect(parseDecimalInt('1'.repeat(4301))).toBeNull();
  });
});
