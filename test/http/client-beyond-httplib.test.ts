// HTTPConnection and HTTPResponse in cases CPython's test_httplib does not
// cover, each expected value taken from CPython 3.13 running the same case.
import { describe, it, expect } from 'vitest';
import { createReadStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  BadStatusLine,
  HTTPConnection,
  HTTPResponse,
  RemoteDisconnected,
  UnicodeEncodeError,
  pyRepr,
} from '../../src/index.js';
import { addCleanup, capturedStdout, dec, enc, fakeSocket, listen, thrown } from './httplib/support.js';

describe('debug output as CPython prints it', () => {
  it('the status line is printed before it is checked', async () => {
    let e: unknown;
    const lines = await capturedStdout(async () => {
      e = await thrown(() => new HTTPResponse(fakeSocket('garbage\r\n'), 1).begin());
    });
    expect(e).toBeInstanceOf(BadStatusLine);
    expect(lines).toEqual(["reply: 'garbage\\r\\n'"]);
  });

  it("nothing at all is printed as reply: ''", async () => {
    let e: unknown;
    const lines = await capturedStdout(async () => {
      e = await thrown(() => new HTTPResponse(fakeSocket(''), 1).begin());
    });
    expect(e).toBeInstanceOf(RemoteDisconnected);
    expect(lines).toEqual(["reply: ''"]);
  });

  it('a list body of unknown size is shown as a Python list', async () => {
    const conn = new HTTPConnection('example.com');
    conn.sock = fakeSocket('');
    conn.set_debuglevel(1);
    const lines = await capturedStdout(() => conn.request('POST', '/p', [enc('x')]));
    expect(lines[0]).toBe("Unable to determine size of [b'x']");
  });
});

describe('text file bodies', () => {
  it("a character beyond Latin-1 is the codec's own UnicodeEncodeError, after the head", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'httplib-extra-'));
    addCleanup(() => rmSync(dir, { recursive: true, force: true }));
    writeFileSync(join(dir, 'snow.txt'), 'snow\u2603', 'utf8');
    const conn = new HTTPConnection('example.com');
    const sock = fakeSocket('');
    conn.sock = sock;
    const e = await thrown(() => conn.request('PUT', '/', createReadStream(join(dir, 'snow.txt'), { encoding: 'utf8' })));
    expect(e).toBeInstanceOf(UnicodeEncodeError);
    expect((e as Error).message).toBe("'latin-1' codec can't encode character '\\u2603' in position 4: ordinal not in range(256)");
    expect(dec(sock.sent)).toBe(
      'PUT / HTTP/1.1\r\nHost: example.com\r\nAccept-Encoding: identity\r\nTransfer-Encoding: chunked\r\n\r\n',
    );
  });
});

describe('zero-byte reads of a chunked body', () => {
  const chunked = (chunks: string) => fakeSocket('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n' + chunks);

  it('read(0) still reads the next size line: at the last chunk the response closes', async () => {
    const resp = new HTTPResponse(chunked('0\r\n\r\n'));
    await resp.begin();
    expect((await resp.read(0)).length).toBe(0);
    expect(resp.isclosed()).toBe(true);
  });

  it('read(0) on a bad size line raises IncompleteRead and closes', async () => {
    const resp = new HTTPResponse(chunked('z\r\n'));
    await resp.begin();
    const e = await thrown(() => resp.read(0));
    expect(pyRepr(e)).toBe('IncompleteRead(0 bytes read)');
    expect(resp.isclosed()).toBe(true);
  });

  it('read1(0) and readinto() of nothing do the same', async () => {
    const resp = new HTTPResponse(chunked('2\r\nhi\r\n0\r\n\r\n'));
    await resp.begin();
    expect((await resp.read1(0)).length).toBe(0);
    expect(resp.isclosed()).toBe(false);
    expect(dec(await resp.read(2))).toBe('hi');
    expect(resp.isclosed()).toBe(false);
    expect(await resp.readinto(new Uint8Array(0))).toBe(0);
    expect(resp.isclosed()).toBe(true);
  });
});

describe('peek on a chunked body whose size line was refused', () => {
  // The server sends a bad size line and then keeps the socket open: peek
  // must not wait for bytes that cannot help (CPython's _peek_chunked
  // returns b'' at once); the next read raises the failure.
  it('returns empty bytes without waiting, and the next read raises IncompleteRead', async () => {
    const { createServer } = await import('node:net');
    const server = createServer((sock) => {
      sock.once('data', () => sock.write('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\nzz\r\n'));
    });
    const port = await listen(server);
    const conn = new HTTPConnection('127.0.0.1', port, { timeout: 5 });
    addCleanup(() => conn.close());
    await conn.request('GET', '/');
    const resp = await conn.getresponse();
    expect(dec(await resp.read(3))).toBe('abc');
    expect((await resp.peek(1)).length).toBe(0);
    const e = await thrown(() => resp.read());
    expect(e).toBeInstanceOf(Error);
    expect(pyRepr(e)).toMatch(/^IncompleteRead\(/);
  });
});

describe('request() measures the body through the class', () => {
  // CPython's request() calls self._get_content_length, so a subclass that
  // replaces the static method changes the Content-Length sent.
  it("a subclass's _get_content_length decides the Content-Length header", async () => {
    class Measured extends HTTPConnection {
      static override _get_content_length(): number | null {
        return 7;
      }
    }
    const conn = new Measured('example.com');
    const sock = fakeSocket('');
    conn.sock = sock;
    await conn.request('POST', '/', 'abc');
    expect(dec(sock.sent)).toBe('POST / HTTP/1.1\r\nHost: example.com\r\nAccept-Encoding: identity\r\nContent-Length: 7\r\n\r\nabc');
  });
});
