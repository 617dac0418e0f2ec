// CPython 3.13 test_httplib.py: RequestBodyTest, over the in-memory
// transport. Python file objects become their JS equivalents: a binary file
// is a FileHandle (node:fs/promises), a text file a Node Readable of
// strings (fs.createReadStream with an encoding). HTTPMessage.get() gives
// undefined where Python's gives None (docs/differences.md).
import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import { createReadStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HTTPConnection, parse_headers, type HTTPMessage } from '../../../src/index.js';
import type { MemoryTransport } from '../../../src/transport/memory.js';
import { dec, enc, fakeSocket } from './support.js';

describe('RequestBodyTest', () => {
  let conn: HTTPConnection;
  let sock: MemoryTransport;
  let dir: string;
  let TESTFN: string;

  beforeEach(() => {
    conn = new HTTPConnection('example.com');
    conn.sock = sock = fakeSocket('');
    dir = mkdtempSync(join(tmpdir(), 'httplib-body-'));
    TESTFN = join(dir, 'testfn');
  });

  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** The request's headers (after its request line) and its body bytes. */
  async function get_headers_and_fp(): Promise<[HTTPMessage, string]> {
    const data = dec(sock.sent);
    const afterRequestLine = data.slice(data.indexOf('\r\n') + 2);
    const message = await parse_headers(enc(afterRequestLine));
    return [message, data.slice(data.indexOf('\r\n\r\n') + 4)];
  }

  it('test_list_body', async () => {
    // No content-length is automatically calculated for an iterable: the
    // request falls back to chunked transfer encoding.
    const cases: [Iterable<Uint8Array>, string][] = [
      [[enc('foo'), enc('bar')], '3\r\nfoo\r\n3\r\nbar\r\n0\r\n\r\n'], // list
      [Object.freeze([enc('foo'), enc('bar')]), '3\r\nfoo\r\n3\r\nbar\r\n0\r\n\r\n'], // tuple
    ];
    for (const [body, expected] of cases) {
      conn = new HTTPConnection('example.com');
      conn.sock = sock = fakeSocket('');
      await conn.request('PUT', '/url', body);
      const [msg, f] = await get_headers_and_fp();
      expect(msg.has('Content-Type')).toBe(false);
      expect(msg.has('Content-Length')).toBe(false);
      expect(msg.get('Transfer-Encoding')).toBe('chunked');
      expect(f).toBe(expected);
    }
  });

  it('test_manual_content_length', async () => {
    // An incorrect content-length is not over-ridden by the library.
    await conn.request('PUT', '/url', 'body', { 'Content-Length': '42' });
    const [message, f] = await get_headers_and_fp();
    expect(message.get('content-length')).toBe('42');
    expect(f.length).toBe(4);
  });

  // CPython also checks message.get_charset() is None; HTTPMessage here has
  // no get_charset (email's set_charset state is not part of the surface).

  it('test_ascii_body', async () => {
    await conn.request('PUT', '/url', 'body');
    const [message, f] = await get_headers_and_fp();
    expect(message.get_content_type()).toBe('text/plain');
    expect(message.get('content-length')).toBe('4');
    expect(f).toBe('body');
  });

  it('test_latin1_body', async () => {
    await conn.request('PUT', '/url', 'body\xc1');
    const [message, f] = await get_headers_and_fp();
    expect(message.get_content_type()).toBe('text/plain');
    expect(message.get('content-length')).toBe('5');
    expect(f).toBe('body\xc1');
  });

  it('test_bytes_body', async () => {
    await conn.request('PUT', '/url', enc('body\xc1'));
    const [message, f] = await get_headers_and_fp();
    expect(message.get_content_type()).toBe('text/plain');
    expect(message.get('content-length')).toBe('5');
    expect(f).toBe('body\xc1');
  });

  it('test_text_file_body', async () => {
    writeFileSync(TESTFN, 'body', 'utf8');
    const f = createReadStream(TESTFN, { encoding: 'utf8' });
    try {
      await conn.request('PUT', '/url', f);
    } finally {
      f.destroy();
    }
    const [message, body] = await get_headers_and_fp();
    expect(message.get_content_type()).toBe('text/plain');
    // No content-length will be determined for files; the body will be
    // sent using chunked transfer encoding instead.
    expect(message.get('content-length')).toBeUndefined();
    expect(message.get('transfer-encoding')).toBe('chunked');
    expect(body).toBe('4\r\nbody\r\n0\r\n\r\n');
  });

  it('test_binary_file_body', async () => {
    writeFileSync(TESTFN, enc('body\xc1'));
    const f = await open(TESTFN, 'r');
    try {
      await conn.request('PUT', '/url', f);
    } finally {
      await f.close();
    }
    const [message, body] = await get_headers_and_fp();
    expect(message.get_content_type()).toBe('text/plain');
    expect(message.get('Transfer-Encoding')).toBe('chunked');
    expect(message.has('Content-Length')).toBe(false);
    expect(body).toBe('5\r\nbody\xc1\r\n0\r\n\r\n');
  });
});
