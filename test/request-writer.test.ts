// The request writer (src/core/request-writer.ts): CPython's framing rules
// as a table over method x body kind x the caller's headers, the automatic
// Host value, header lines and the head; then whole requests composed from
// those pieces, each checked against the bytes HTTPConnection sends for the
// same request over an in-memory transport (the shell and the core agree).
import { describe, expect, it } from 'vitest';
import {
  ACCEPT_IDENTITY_LINE,
  bodyLength,
  connectHead,
  frameChunk,
  headerLine,
  headWithBody,
  hostValue,
  idnaHost,
  JOIN_BODY_MAX,
  joinHead,
  LAST_CHUNK,
  latin1Decode,
  latin1Encode,
  requestFraming,
  type RequestFraming,
} from '../src/core/index.js';
import { HTTPConnection } from '../src/http/client.js';
import { MemoryTransport } from '../src/transport/memory.js';

const b = latin1Encode;
const text = latin1Decode;
const OK = 'HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n';

const fileLike = () => ({ read: () => null });
const webStream = () => new ReadableStream<Uint8Array>({ start: (c) => c.close() });
function* generator() {
  yield b('x');
}

// [method, body, body kind, length CPython's _get_content_length gives]
const BODIES: [string, unknown, string, number | null][] = [
  ['GET', null, 'none', null],
  ['HEAD', undefined, 'none', null],
  ['DELETE', null, 'none', null],
  ['POST', null, 'none', 0],
  ['PUT', null, 'none', 0],
  ['PATCH', undefined, 'none', 0],
  ['put', null, 'none', 0], // the method is upper-cased for the check
  ['GET', b('hello'), 'bytes', 5],
  ['POST', new Uint8Array(0), 'empty bytes', 0],
  ['POST', new ArrayBuffer(7), 'ArrayBuffer', 7],
  ['POST', new DataView(new ArrayBuffer(10), 2, 3), 'DataView', 3],
  ['POST', 'héllo', 'Latin-1 string', 5],
  ['POST', '\u{1F600}a', 'astral string (code points)', 2],
  ['POST', new Blob(['abc']), 'Blob', 3],
  ['POST', fileLike(), 'file-like', null],
  ['POST', webStream(), 'web stream', null],
  ['POST', [b('x')], 'list', null],
  ['POST', generator(), 'generator', null],
];

describe('bodyLength (CPython _get_content_length)', () => {
  for (const [method, body, kind, length] of BODIES) {
    it(`${method} with ${kind} -> ${length}`, () => {
      expect(bodyLength(body, method)).toBe(length);
    });
  }
});

const framing = (contentLength: number | null, addChunked: boolean, chunked: boolean): RequestFraming => ({ contentLength, addChunked, chunked });

describe('requestFraming (CPython request())', () => {
  // [method, body, caller's Content-Length?, caller's Transfer-Encoding?, encode_chunked, expected]
  const CASES: [string, string, unknown, boolean, boolean, boolean, RequestFraming][] = [
    ['no body, GET', 'GET', null, false, false, false, framing(null, false, false)],
    ['no body, GET, encode_chunked ignored', 'GET', null, false, false, true, framing(null, false, false)],
    ['no body, POST: Content-Length: 0', 'POST', null, false, false, false, framing(0, false, false)],
    ['bytes', 'POST', b('hello'), false, false, false, framing(5, false, false)],
    ['bytes, encode_chunked ignored', 'POST', b('hello'), false, false, true, framing(5, false, false)],
    ['string: code points', 'PUT', 'h\u00e9', false, false, false, framing(2, false, false)],
    ['Blob', 'POST', new Blob(['abcd']), false, false, false, framing(4, false, false)],
    ['file-like: chunked', 'POST', fileLike(), false, false, false, framing(null, true, true)],
    ['iterable: chunked', 'GET', [b('x')], false, false, false, framing(null, true, true)],
    ['caller Content-Length, bytes', 'POST', b('hello'), true, false, false, framing(null, false, false)],
    ['caller Content-Length, file-like, encode_chunked', 'POST', fileLike(), true, false, true, framing(null, false, false)],
    ['caller Transfer-Encoding, encode_chunked', 'POST', fileLike(), false, true, true, framing(null, false, true)],
    ['caller Transfer-Encoding, not encode_chunked', 'POST', fileLike(), false, true, false, framing(null, false, false)],
    ['caller Transfer-Encoding, bytes, encode_chunked', 'POST', b('hello'), false, true, true, framing(null, false, true)],
    ['caller both, encode_chunked', 'POST', b('hello'), true, true, true, framing(null, false, false)],
    ['caller Transfer-Encoding, no body', 'POST', null, false, true, false, framing(null, false, false)],
  ];
  for (const [title, method, body, cl, te, encodeChunked, expected] of CASES) {
    it(title, () => {
      expect(requestFraming(method, body, cl, te, encodeChunked)).toEqual(expected);
    });
  }
});

describe('hostValue (putrequest automatic Host)', () => {
  // [target, host, port, default port, expected]
  const CASES: [string, string, number, number, ReturnType<typeof hostValue>][] = [
    ['/', 'example.com', 80, 80, 'example.com'],
    ['/', 'example.com', 8080, 80, 'example.com:8080'],
    ['/', 'example.com', 443, 443, 'example.com'],
    ['/', '::1', 80, 80, '[::1]'],
    ['/', '::1', 8080, 80, '[::1]:8080'],
    ['/', 'fe80::1%eth0', 8080, 80, '[fe80::1]:8080'],
    ['/', 'bücher.example', 80, 80, 'xn--bcher-kva.example'],
    ['http://other.example:81/x', 'example.com', 80, 80, 'other.example:81'],
    ['http://[fe80::1%25eth0]:81/x', 'example.com', 80, 80, '[fe80::1]'],
    ['https://bücher.example/', 'example.com', 80, 80, 'xn--bcher-kva.example'],
    ['http:/path', 'example.com', 8080, 80, 'example.com:8080'], // no netloc: the connection's host
    ['httpx', 'example.com', 80, 80, 'example.com'],
    ['http://[::1/', 'example.com', 80, 80, { error: 'ipv6' }],
    ['/', 'a\uFFFDb', 80, 80, { error: 'idna', text: 'a\uFFFDb' }],
    ['http://a\uFFFDb/', 'example.com', 80, 80, { error: 'idna', text: 'a\uFFFDb' }],
  ];
  for (const [target, host, port, defaultPort, expected] of CASES) {
    it(`${target} on ${host}:${port} -> ${JSON.stringify(expected)}`, () => {
      expect(hostValue(target, host, port, defaultPort)).toEqual(expected);
    });
  }

  it('idnaHost keeps ASCII as it is (even what a URL parser refuses)', () => {
    expect(idnaHost('exa mple')).toBe('exa mple');
    expect(idnaHost('bücher')).toBe('xn--bcher-kva');
    expect(idnaHost('xn--ü')).toBeNull();
  });
});

describe('header lines and the head', () => {
  it('joins several values with CRLF HTAB, one value as name: value', () => {
    expect(text(headerLine(b('X'), []))).toBe('X: ');
    expect(text(headerLine(b('X'), [b('1')]))).toBe('X: 1');
    expect(text(headerLine(b('X-A'), [b('1'), b(''), b('three')]))).toBe('X-A: 1\r\n\t\r\n\tthree');
  });

  it('ends every line with CRLF and the head with an empty line', () => {
    expect(text(joinHead([]))).toBe('\r\n');
    expect(text(joinHead([b('GET / HTTP/1.1'), b('Host: h'), ACCEPT_IDENTITY_LINE]))).toBe(
      'GET / HTTP/1.1\r\nHost: h\r\nAccept-Encoding: identity\r\n\r\n',
    );
  });

  it('joins a body to its head up to JOIN_BODY_MAX, and pairs a larger one', () => {
    const head = b('H\r\n\r\n');
    expect(headWithBody(head, null)).toBe(head);
    expect(headWithBody(head, new Uint8Array(0))).toBe(head);
    expect(text(headWithBody(head, b('body')) as Uint8Array)).toBe('H\r\n\r\nbody');
    const edge = new Uint8Array(JOIN_BODY_MAX).fill(0x61);
    const joined = headWithBody(head, edge) as Uint8Array;
    expect(joined.length).toBe(head.length + JOIN_BODY_MAX);
    expect(joined[head.length]).toBe(0x61);
    const large = new Uint8Array(JOIN_BODY_MAX + 1);
    expect(headWithBody(head, large)).toEqual([head, large]);
  });

  it('frames chunks with upper-case hex sizes, and ends with the last chunk', () => {
    expect(text(frameChunk(b('hello')))).toBe('5\r\nhello\r\n');
    expect(text(frameChunk(new Uint8Array(255)).subarray(0, 4))).toBe('FF\r\n');
    expect(text(LAST_CHUNK)).toBe('0\r\n\r\n');
  });

  it('writes a CONNECT head with the tunnel headers in order', () => {
    expect(connectHead('[::1]', 443, 'HTTP/1.1', [['Host', '[::1]:443'], ['Proxy-Authorization', 'Basic x']])).toBe(
      'CONNECT [::1]:443 HTTP/1.1\r\nHost: [::1]:443\r\nProxy-Authorization: Basic x\r\n\r\n',
    );
  });
});

describe('whole requests: the pieces as the client composes them, and the bytes HTTPConnection sends', () => {
  // [method, target, caller's headers, body, encode_chunked]
  const CASES: [string, string, [string, string][], Uint8Array | string | null | Uint8Array[], boolean][] = [
    ['GET', '/', [], null, false],
    ['POST', '/form', [], null, false],
    ['POST', '/p', [['Content-Type', 'text/plain']], b('hello'), false],
    ['PUT', '/s', [], 'h\u00e9llo', false],
    ['POST', '/i', [], [b('ab'), b(''), b('cde')], false],
    ['POST', '/te', [['Transfer-Encoding', 'chunked']], [b('ab')], true],
    ['POST', '/te', [['Transfer-Encoding', 'chunked']], b('raw'), false],
    ['POST', '/cl', [['Content-Length', '3']], [b('abc')], true],
    ['GET', 'http://other.example:81/abs', [['Accept', '*/*']], null, false],
    ['GET', '/h', [['Host', 'given'], ['Accept-Encoding', 'gzip']], null, false],
  ];
  for (const [method, target, headers, body, encodeChunked] of CASES) {
    it(`${method} ${target} ${headers.map(([k]) => k).join(',')} ${Array.isArray(body) ? 'iterable' : typeof body}`, async () => {
      const given = new Set(headers.map(([k]) => k.toLowerCase()));
      const lines = [b(`${method} ${target} HTTP/1.1`)];
      if (!given.has('host')) {
        const host = hostValue(target, 'example.com', 8080, 80);
        lines.push(headerLine(b('Host'), [b(host as string)]));
      }
      if (!given.has('accept-encoding')) lines.push(ACCEPT_IDENTITY_LINE);
      const f = requestFraming(method, body, given.has('content-length'), given.has('transfer-encoding'), encodeChunked);
      if (f.addChunked) lines.push(headerLine(b('Transfer-Encoding'), [b('chunked')]));
      else if (f.contentLength !== null) lines.push(headerLine(b('Content-Length'), [b(String(f.contentLength))]));
      for (const [k, v] of headers) lines.push(headerLine(b(k), [b(v)]));
      const pieces: Uint8Array[] = [joinHead(lines)];
      const parts = body === null ? [] : Array.isArray(body) ? body : [typeof body === 'string' ? b(body) : body];
      for (const part of parts) if (part.length > 0) pieces.push(f.chunked ? frameChunk(part) : part);
      if (f.chunked) pieces.push(LAST_CHUNK);
      const expected = pieces.map((p) => text(p)).join('');

      const sock = new MemoryTransport(OK);
      const conn = new HTTPConnection('example.com', 8080);
      conn.sock = sock;
      await conn.request(method, target, body, headers, { encode_chunked: encodeChunked });
      expect(text(sock.sent)).toBe(expected);
    });
  }
});
