// CPython 3.13 test_httplib.py: TransferEncodingTest, over the in-memory
// transport. The body generator is a JS generator of Uint8Array.
import { describe, it, expect } from 'vitest';
import { HTTPConnection } from '../../../src/index.js';
import { dec, enc, fakeSocket } from './support.js';

const expected_body = enc("It's just a flesh wound");

function* make_body(empty_lines = false): Generator<Uint8Array> {
  const lines = dec(expected_body).split(' ');
  for (let idx = 0; idx < lines.length; idx++) {
    // for testing handling empty lines
    if (empty_lines && idx % 2) yield new Uint8Array(0);
    if (idx < lines.length - 1) yield enc(lines[idx] + ' ');
    else yield enc(lines[idx]!);
  }
}

/** CPython's _parse_request: request line, headers (stripped), body bytes. */
function parse_request(data: Uint8Array): [string, Record<string, string>, Uint8Array] {
  const lines = dec(data).split('\r\n');
  const request = lines[0]!;
  const headers: Record<string, string> = {};
  let n = 1;
  while (n < lines.length && lines[n]!.length > 0) {
    const [key, val, ...rest] = lines[n]!.split(':');
    if (rest.length) throw new Error(`too many values to unpack: ${lines[n]}`);
    headers[key!.trim()] = val!.trim();
    n++;
  }
  return [request, headers, enc(lines.slice(n + 1).join('\r\n'))];
}

/** CPython's _parse_chunked: the chunk data joined (each size checked). */
function parse_chunked(data: Uint8Array): Uint8Array {
  const body: string[] = [];
  let n = 0;
  const lines = dec(data).split('\r\n');
  for (;;) {
    const size = parseInt(lines[n]!, 16);
    const chunk = lines[n + 1]!;
    if (size === 0) break;
    expect(chunk.length).toBe(size);
    body.push(chunk);
    n += 2;
    // we /should/ hit the end chunk, but check against the size of lines
    if (n > lines.length) break;
  }
  return enc(body.join(''));
}

const lowerKeys = (headers: Record<string, string>) => Object.keys(headers).map((k) => k.toLowerCase());

describe('TransferEncodingTest', () => {
  it('test_endheaders_chunked', async () => {
    const conn = new HTTPConnection('example.com');
    const sock = fakeSocket('');
    conn.sock = sock;
    conn.putrequest('POST', '/');
    await conn.endheaders(make_body(), { encode_chunked: true });
    const [, , body] = parse_request(sock.sent);
    expect(parse_chunked(body)).toEqual(expected_body);
  });

  /** request() on a fresh connection; the request parsed back. */
  async function sentRequest(...args: Parameters<HTTPConnection['request']>) {
    const conn = new HTTPConnection('example.com');
    const sock = fakeSocket('');
    conn.sock = sock;
    await conn.request(...args);
    return parse_request(sock.sent);
  }

  it('test_explicit_headers', async () => {
    // explicit chunked: not automatically chunk-encoded, the caller said it
    // takes care of it
    let [, headers, body] = await sentRequest('POST', '/', make_body(), { 'Transfer-Encoding': 'chunked' });
    expect(lowerKeys(headers)).not.toContain('content-length');
    expect(headers['Transfer-Encoding']).toBe('chunked');
    expect(body).toEqual(expected_body);

    // explicit chunked, string body
    [, headers, body] = await sentRequest('POST', '/', dec(expected_body), { 'Transfer-Encoding': 'chunked' });
    expect(lowerKeys(headers)).not.toContain('content-length');
    expect(headers['Transfer-Encoding']).toBe('chunked');
    expect(body).toEqual(expected_body);

    // User-specified TE, but request() does the chunk encoding
    [, headers, body] = await sentRequest('POST', '/', make_body(), { 'Transfer-Encoding': 'gzip, chunked' }, {
      encode_chunked: true,
    });
    expect(lowerKeys(headers)).not.toContain('content-length');
    expect(headers['Transfer-Encoding']).toBe('gzip, chunked');
    expect(parse_chunked(body)).toEqual(expected_body);
  });

  it('test_request', async () => {
    for (const empty_lines of [false, true]) {
      const [, headers, body] = await sentRequest('POST', '/', make_body(empty_lines));
      expect(parse_chunked(body)).toEqual(expected_body);
      expect(headers['Transfer-Encoding']).toBe('chunked');
      // Content-Length and Transfer-Encoding SHOULD not be sent in the
      // same request
      expect(lowerKeys(headers)).not.toContain('content-length');
    }
  });

  it('test_empty_body', async () => {
    // Zero-length iterable should be treated like any other iterable
    const [, headers, body] = await sentRequest('POST', '/', []);
    expect(headers['Transfer-Encoding']).toBe('chunked');
    expect(lowerKeys(headers)).not.toContain('content-length');
    expect(dec(body)).toBe('0\r\n\r\n');
  });
});
