// CPython 3.13 test_httplib.py: BasicTest, ported test by test over the
// in-memory transport (test_response_fileno over a real 127.0.0.1 socket).
// FakeSocket's file is the MemoryTransport; `sock.file.read()` (what is
// left after a response) is `unread()` below; NoEOFBytesIO is the
// transport's `eofIsError`, EPipeSocket its `pipeTrigger`.
import { describe, it, expect } from 'vitest';
import { writeSync } from 'node:fs';
import { open } from 'node:fs/promises';
import * as net from 'node:net';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import {
  BadStatusLine,
  BrokenPipeError,
  HTTPConnection,
  HTTPException,
  HTTPResponse,
  HTTPStatus,
  IncompleteRead,
  InvalidURL,
  LineTooLong,
  OK,
  OSError,
  TypeError as PyTypeError,
  pyRepr,
  pyStr,
} from '../../../src/index.js';
import { python313 } from '../../support/python.js';
import type { MemoryTransport } from '../../../src/transport/memory.js';
import {
  addCleanup,
  chunked_end,
  chunked_expected,
  chunked_start,
  dec,
  enc,
  fakeSocket,
  last_chunk,
  last_chunk_extended,
  listen,
  thrown,
  trailers,
  checkHostPort,
} from './support.js';

/**
 * What the response left unread on its socket (CPython's `sock.file.read()`).
 * CPython's FakeSocket file is an unbuffered BytesIO, so any read past the
 * response shows; here the bytes after the response arrive in a read of
 * their own (begunOn's `extradata`), so a response that asks the transport
 * for more than it needs takes them.
 */
function unread(sock: MemoryTransport): Uint8Array {
  return sock.remaining();
}

/** The body is done (isclosed) but the file is not closed until close(). */
function expectClosedOnlyAfterClose(resp: HTTPResponse): void {
  expect(resp.isclosed()).toBe(true);
  expect(resp.closed).toBe(false);
  resp.close();
  expect(resp.closed).toBe(true);
}

/** Reads two bytes at a time with readinto: 'Te', 'xt', then `last` (0 at the end). */
async function readintoTwoByTwo(resp: HTTPResponse): Promise<void> {
  const b = new Uint8Array(2);
  expect(await resp.readinto(b)).toBe(2);
  expect(dec(b)).toBe('Te');
  expect(resp.isclosed()).toBe(false);
  expect(await resp.readinto(b)).toBe(2);
  expect(dec(b)).toBe('xt');
}

/** Reads a chunked body cut short; it must be IncompleteRead with the chunks read whole. */
async function expectIncompleteChunked(read: (resp: HTTPResponse) => Promise<unknown>): Promise<void> {
  for (const x of ['', 'foo\r\n']) {
    const resp = await begun(chunked_start + x, 'GET');
    try {
      const i = await thrown(() => read(resp));
      expect(i).toBeInstanceOf(IncompleteRead);
      expect((i as IncompleteRead).partial).toEqual(chunked_expected);
      const expected_message = `IncompleteRead(${chunked_expected.length} bytes read)`;
      expect(pyRepr(i)).toBe(expected_message);
      expect(pyStr(i)).toBe(expected_message);
    } finally {
      resp.close();
    }
  }
}

/** A GET response begun on FakeSocket(text + extradata), and the socket (to see what is left unread). */
async function begunOn(text: string, extradata = ''): Promise<[HTTPResponse, MemoryTransport]> {
  const sock = fakeSocket(extradata ? [text, extradata] : text);
  const resp = new HTTPResponse(sock, 0, 'GET');
  await resp.begin();
  return [resp, sock];
}

async function begun(text: string | Uint8Array, method: string | null = null): Promise<HTTPResponse> {
  const resp = new HTTPResponse(fakeSocket(text), 0, method);
  await resp.begin();
  return resp;
}

describe('BasicTest', () => {
  it('test_dir_with_added_behavior_on_status', () => {
    // see issue40084
    const member = HTTPStatus(404);
    for (const name of ['description', 'name', 'phrase', 'value']) expect(name in member, name).toBe(true);
  });

  it('test_simple_httpstatus', () => {
    // enum._test_simple_enum(CheckedHTTPStatus, HTTPStatus): CPython's
    // CheckedHTTPStatus (taken from its test file) against ours, member by
    // member, aliases included, in order.
    const checked = python313(
      String.raw`
import ast, enum, json, os, textwrap, test
src = open(os.path.join(os.path.dirname(test.__file__), 'test_httplib.py')).read()
node = next(n for n in ast.walk(ast.parse(src)) if isinstance(n, ast.ClassDef) and n.name == 'CheckedHTTPStatus')
ns = {'enum': enum}
exec(textwrap.dedent(ast.get_source_segment(src, node)), ns)
C = ns['CheckedHTTPStatus']
print(json.dumps([[k, m.name, m.value, m.phrase, m.description] for k, m in C.__members__.items()]))
`,
      null,
    ) as [string, string, number, string, string][];
    expect(checked.length).toBeGreaterThan(60);
    const ours = Object.entries(HTTPStatus.__members__).map(([k, m]) => [k, m.name, m.value, m.phrase, m.description]);
    expect(ours).toEqual(checked);
    expect([...HTTPStatus].map((m) => m.name)).toEqual(checked.filter(([k, n]) => k === n).map(([k]) => k));
  });

  it('test_httpstatus_range', () => {
    // Checks that the statuses are in the 100-599 range
    for (const member of Object.values(HTTPStatus.__members__)) {
      expect(member.value).toBeGreaterThanOrEqual(100);
      expect(member.value).toBeLessThanOrEqual(599);
    }
  });

  it('test_httpstatus_category', () => {
    // Checks that the statuses belong to the standard categories
    const categories = [
      [100, 199, 'is_informational'],
      [200, 299, 'is_success'],
      [300, 399, 'is_redirection'],
      [400, 499, 'is_client_error'],
      [500, 599, 'is_server_error'],
    ] as const;
    for (const member of Object.values(HTTPStatus.__members__)) {
      for (const [lower, upper, category] of categories) {
        expect(member[category], `${member.name}.${category}`).toBe(lower <= member.value && member.value <= upper);
      }
    }
  });

  it('test_status_lines', async () => {
    // Test HTTP status lines
    const resp = await begun('HTTP/1.1 200 Ok\r\n\r\nText');
    expect(await resp.read(0)).toEqual(new Uint8Array(0)); // Issue #20007
    expect(resp.isclosed()).toBe(false);
    expect(resp.closed).toBe(false);
    expect(dec(await resp.read())).toBe('Text');
    expectClosedOnlyAfterClose(resp);

    const bad = new HTTPResponse(fakeSocket('HTTP/1.1 400.100 Not Ok\r\n\r\nText'));
    const e = await thrown(() => bad.begin());
    expect(e).toBeInstanceOf(BadStatusLine);
    expect(pyRepr(e)).toBe("BadStatusLine('HTTP/1.1 400.100 Not Ok\\r\\n')");
  });

  it('test_bad_status_repr', () => {
    const exc = new BadStatusLine('');
    expect(pyRepr(exc)).toBe(`BadStatusLine("''")`);
  });

  it('test_partial_reads', async () => {
    // if we have Content-Length, HTTPResponse knows when to close itself,
    // the same behaviour as when we read the whole thing with read()
    const resp = await begun('HTTP/1.1 200 Ok\r\nContent-Length: 4\r\n\r\nText');
    expect(dec(await resp.read(2))).toBe('Te');
    expect(resp.isclosed()).toBe(false);
    expect(dec(await resp.read(2))).toBe('xt');
    expectClosedOnlyAfterClose(resp);
  });

  it('test_mixed_reads', async () => {
    // readline() should update the remaining length, so that read() knows
    // how much data is left and does not raise IncompleteRead
    const resp = await begun('HTTP/1.1 200 Ok\r\nContent-Length: 13\r\n\r\nText\r\nAnother');
    expect(dec(await resp.readline())).toBe('Text\r\n');
    expect(resp.isclosed()).toBe(false);
    expect(dec(await resp.read())).toBe('Another');
    expectClosedOnlyAfterClose(resp);
  });

  it('test_partial_readintos', async () => {
    const resp = await begun('HTTP/1.1 200 Ok\r\nContent-Length: 4\r\n\r\nText');
    await readintoTwoByTwo(resp);
    expectClosedOnlyAfterClose(resp);
  });

  it('test_partial_reads_past_end', async () => {
    // if we have Content-Length, clip reads to the end
    const resp = await begun('HTTP/1.1 200 Ok\r\nContent-Length: 4\r\n\r\nText');
    expect(dec(await resp.read(10))).toBe('Text');
    expectClosedOnlyAfterClose(resp);
  });

  it('test_partial_readintos_past_end', async () => {
    // if we have Content-Length, clip readintos to the end
    const resp = await begun('HTTP/1.1 200 Ok\r\nContent-Length: 4\r\n\r\nText');
    const b = new Uint8Array(10);
    expect(await resp.readinto(b)).toBe(4);
    expect(dec(b.subarray(0, 4))).toBe('Text');
    expectClosedOnlyAfterClose(resp);
  });

  it('test_partial_reads_no_content_length', async () => {
    // when no length is present, the socket should be gracefully closed when
    // all data was read
    const resp = await begun('HTTP/1.1 200 Ok\r\n\r\nText');
    expect(dec(await resp.read(2))).toBe('Te');
    expect(resp.isclosed()).toBe(false);
    expect(dec(await resp.read(2))).toBe('xt');
    expect(dec(await resp.read(1))).toBe('');
    expectClosedOnlyAfterClose(resp);
  });

  it('test_partial_readintos_no_content_length', async () => {
    const resp = await begun('HTTP/1.1 200 Ok\r\n\r\nText');
    await readintoTwoByTwo(resp);
    expect(await resp.readinto(new Uint8Array(2))).toBe(0);
    expect(resp.isclosed()).toBe(true);
  });

  it('test_partial_reads_incomplete_body', async () => {
    // if the server shuts down the connection before the whole
    // content-length is delivered, the socket is gracefully closed
    const resp = await begun('HTTP/1.1 200 Ok\r\nContent-Length: 10\r\n\r\nText');
    expect(dec(await resp.read(2))).toBe('Te');
    expect(resp.isclosed()).toBe(false);
    expect(dec(await resp.read(2))).toBe('xt');
    expect(dec(await resp.read(1))).toBe('');
    expect(resp.isclosed()).toBe(true);
  });

  it('test_partial_readintos_incomplete_body', async () => {
    const resp = await begun('HTTP/1.1 200 Ok\r\nContent-Length: 10\r\n\r\nText');
    await readintoTwoByTwo(resp);
    expect(await resp.readinto(new Uint8Array(2))).toBe(0);
    expectClosedOnlyAfterClose(resp);
  });

  it('test_host_port', () => {
    // Check invalid host_port
    checkHostPort((hp) => new HTTPConnection(hp), InvalidURL, 80);
  });

  it('test_response_headers', async () => {
    // test response with multiple message headers with the same field name.
    const text =
      'HTTP/1.1 200 OK\r\n' +
      'Set-Cookie: Customer="WILE_E_COYOTE"; Version="1"; Path="/acme"\r\n' +
      'Set-Cookie: Part_Number="Rocket_Launcher_0001"; Version="1"; Path="/acme"\r\n' +
      '\r\n' +
      'No body\r\n';
    const hdr =
      'Customer="WILE_E_COYOTE"; Version="1"; Path="/acme"' +
      ', ' +
      'Part_Number="Rocket_Launcher_0001"; Version="1"; Path="/acme"';
    const r = await begun(text);
    expect(r.getheader('Set-Cookie')).toBe(hdr);
  });

  it('test_read_head', async () => {
    // The library doesn't attempt to read any data from a HEAD request.
    // (Tickles SF bug #622042.) eofIsError: reading past the end throws.
    const sock = fakeSocket('HTTP/1.1 200 OK\r\nContent-Length: 14432\r\n\r\n', { eofIsError: true });
    const resp = new HTTPResponse(sock, 0, 'HEAD');
    await resp.begin();
    expect((await resp.read()).length, 'Did not expect response from HEAD request').toBe(0);
  });

  it('test_readinto_head', async () => {
    const sock = fakeSocket('HTTP/1.1 200 OK\r\nContent-Length: 14432\r\n\r\n', { eofIsError: true });
    const resp = new HTTPResponse(sock, 0, 'HEAD');
    await resp.begin();
    const b = new Uint8Array(5);
    expect(await resp.readinto(b), 'Did not expect response from HEAD request').toBe(0);
    expect(b).toEqual(new Uint8Array(5));
  });

  it('test_too_many_headers', async () => {
    const _MAXHEADERS = 100; // http.client._MAXHEADERS
    const headers = Array.from({ length: _MAXHEADERS + 1 }, (_, i) => `Header${i}: foo`).join('\r\n') + '\r\n';
    const r = new HTTPResponse(fakeSocket('HTTP/1.1 200 OK\r\n' + headers));
    const e = await thrown(() => r.begin());
    expect(e).toBeInstanceOf(HTTPException);
    expect(pyStr(e)).toMatch(/got more than \d+ headers/);
    expect(pyRepr(e)).toBe("HTTPException('got more than 100 headers')"); // CPython's exact exception
  });

  it('test_send_file', async () => {
    const expected =
      'GET /foo HTTP/1.1\r\nHost: example.com\r\n' +
      'Accept-Encoding: identity\r\n' +
      'Transfer-Encoding: chunked\r\n' +
      '\r\n';
    // open(__file__, 'rb') -> a FileHandle on this test file
    const body = await open(fileURLToPath(import.meta.url), 'r');
    try {
      const conn = new HTTPConnection('example.com');
      const sock = fakeSocket('');
      conn.sock = sock;
      await conn.request('GET', '/foo', body);
      const sent = dec(sock.sent);
      expect(sent.startsWith(expected), `${JSON.stringify(sent.slice(0, expected.length))} != ${JSON.stringify(expected)}`).toBe(true);
    } finally {
      await body.close();
    }
  });

  it('test_send', async () => {
    const expected = enc('this is a test this is only a test');
    const conn = new HTTPConnection('example.com');
    let sock = fakeSocket(null);
    conn.sock = sock;
    await conn.send(expected);
    expect(sock.sent).toEqual(expected);
    // array.array('b', expected) -> a typed array of another element type
    conn.sock = sock = fakeSocket(null);
    await conn.send(new Int8Array(expected.buffer.slice(0)));
    expect(sock.sent).toEqual(expected);
    // io.BytesIO(expected) -> a Node Readable
    conn.sock = sock = fakeSocket(null);
    await conn.send(Readable.from([Buffer.from(expected)]));
    expect(sock.sent).toEqual(expected);
  });

  it('test_send_updating_file', async () => {
    // A file-like object (an object with read()) whose read() gives 'data',
    // then None, then more: None ends the body, as in CPython.
    const d = ['data', null, 'data_two'][Symbol.iterator]();
    const UpdatingFile = { mode: 'r', read: (_blocksize = -1) => d.next().value };
    const expected = 'data';
    const conn = new HTTPConnection('example.com');
    const sock = fakeSocket('');
    conn.sock = sock;
    await conn.send(UpdatingFile);
    expect(dec(sock.sent)).toBe(expected);
  });

  it('test_send_iter', async () => {
    const expected =
      'GET /foo HTTP/1.1\r\nHost: example.com\r\n' +
      'Accept-Encoding: identity\r\nContent-Length: 11\r\n' +
      '\r\nonetwothree';
    function* body(): Generator<Uint8Array> {
      yield enc('one');
      yield enc('two');
      yield enc('three');
    }
    const conn = new HTTPConnection('example.com');
    const sock = fakeSocket('');
    conn.sock = sock;
    await conn.request('GET', '/foo', body(), { 'Content-Length': '11' });
    expect(dec(sock.sent)).toBe(expected);
  });

  it('test_blocksize_request', async () => {
    // Check that request() respects the configured block size.
    const blocksize = 8; // For easy debugging.
    const conn = new HTTPConnection('example.com', null, { blocksize });
    const sock = fakeSocket(null);
    conn.sock = sock;
    const expected = enc('a'.repeat(blocksize) + 'b');
    await conn.request('PUT', '/', Readable.from([Buffer.from(expected)]), { 'Content-Length': '9' });
    expect(sock.writes.length).toBe(3);
    const sent = dec(sock.sent);
    expect(sent.slice(sent.indexOf('\r\n\r\n') + 4)).toBe(dec(expected));
  });

  it('test_blocksize_send', async () => {
    // Check that send() respects the configured block size.
    const blocksize = 8; // For easy debugging.
    const conn = new HTTPConnection('example.com', null, { blocksize });
    const sock = fakeSocket(null);
    conn.sock = sock;
    const expected = enc('a'.repeat(blocksize) + 'b');
    await conn.send(Readable.from([Buffer.from(expected)]));
    expect(sock.writes.length).toBe(2);
    expect(sock.sent).toEqual(expected);
  });

  it('test_send_type_error', async () => {
    // See: Issue #12676
    const conn = new HTTPConnection('example.com');
    conn.sock = fakeSocket('');
    const e = await thrown(() => conn.request('POST', 'test', conn as never));
    expect(e).toBeInstanceOf(PyTypeError);
    expect((e as Error).message).toBe(
      "message_body should be a bytes-like object or an iterable, got <class 'http.client.HTTPConnection'>",
    );
  });

  it('test_chunked', async () => {
    const expected = chunked_expected;
    let resp = await begun(chunked_start + last_chunk + chunked_end, 'GET');
    expect(await resp.read()).toEqual(expected);
    resp.close();

    // Various read sizes
    for (let n = 1; n < 12; n++) {
      resp = await begun(chunked_start + last_chunk + chunked_end, 'GET');
      const got = dec(await resp.read(n)) + dec(await resp.read(n)) + dec(await resp.read());
      expect(got, `n=${n}`).toBe(dec(expected));
      resp.close();
    }

    await expectIncompleteChunked((r) => r.read());
  });

  it('test_readinto_chunked', async () => {
    const expected = chunked_expected;
    const nexpected = expected.length;
    const b = new Uint8Array(128);

    let resp = await begun(chunked_start + last_chunk + chunked_end, 'GET');
    const n = await resp.readinto(b);
    expect(b.subarray(0, nexpected)).toEqual(expected);
    expect(n).toBe(nexpected);
    resp.close();

    // Various read sizes
    for (let n = 1; n < 12; n++) {
      resp = await begun(chunked_start + last_chunk + chunked_end, 'GET');
      b.fill(0);
      let i = await resp.readinto(b.subarray(0, n));
      i += await resp.readinto(b.subarray(i, n + i));
      i += await resp.readinto(b.subarray(i));
      expect(b.subarray(0, nexpected), `n=${n}`).toEqual(expected);
      expect(i).toBe(nexpected);
      resp.close();
    }

    await expectIncompleteChunked((r) => r.readinto(b));
  });

  const chunked_head_start =
    'HTTP/1.1 200 OK\r\n' + 'Transfer-Encoding: chunked\r\n\r\n' + 'a\r\n' + 'hello world\r\n' + '1\r\n' + 'd\r\n';

  it('test_chunked_head', async () => {
    const resp = await begun(chunked_head_start + last_chunk + chunked_end, 'HEAD');
    expect(dec(await resp.read())).toBe('');
    expect(resp.status).toBe(200);
    expect(resp.reason).toBe('OK');
    expectClosedOnlyAfterClose(resp);
  });

  it('test_readinto_chunked_head', async () => {
    const resp = await begun(chunked_head_start + last_chunk + chunked_end, 'HEAD');
    const b = new Uint8Array(5);
    expect(await resp.readinto(b)).toBe(0);
    expect(b).toEqual(new Uint8Array(5));
    expect(resp.status).toBe(200);
    expect(resp.reason).toBe('OK');
    expectClosedOnlyAfterClose(resp);
  });

  it('test_negative_content_length', async () => {
    const resp = await begun('HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\nHello\r\n', 'GET');
    expect(dec(await resp.read())).toBe('Hello\r\n');
    expect(resp.isclosed()).toBe(true);
  });

  it('test_incomplete_read', async () => {
    const resp = await begun('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nHello\r\n', 'GET');
    const i = await thrown(() => resp.read());
    expect(i).toBeInstanceOf(IncompleteRead);
    expect(dec((i as IncompleteRead).partial)).toBe('Hello\r\n');
    expect(pyRepr(i)).toBe('IncompleteRead(7 bytes read, 3 more expected)');
    expect(pyStr(i)).toBe('IncompleteRead(7 bytes read, 3 more expected)');
    expect(resp.isclosed()).toBe(true);
  });

  it('test_epipe', async () => {
    const sock = fakeSocket(
      'HTTP/1.0 401 Authorization Required\r\n' +
        'Content-type: text/html\r\n' +
        'WWW-Authenticate: Basic realm="example"\r\n',
      { pipeTrigger: 'Content-Length' },
    );
    const conn = new HTTPConnection('example.com');
    conn.sock = sock;
    const e = await thrown(() => conn.request('PUT', '/url', 'body'));
    expect(e).toBeInstanceOf(OSError);
    // OSError(EPIPE, ...) is BrokenPipeError in Python too.
    expect(e).toBeInstanceOf(BrokenPipeError);
    expect((e as OSError).errno).toBe(32);
    const resp = await conn.getresponse();
    expect(resp.status).toBe(401);
    expect(resp.getheader('www-authenticate')).toBe('Basic realm="example"');
  });

  // Test lines overflowing the max line size (_MAXLINE in http.client)

  it('test_overflowing_status_line', async () => {
    const resp = new HTTPResponse(fakeSocket('HTTP/1.1 200 Ok' + 'k'.repeat(65536) + '\r\n'));
    const e = await thrown(() => resp.begin());
    expect(e instanceof LineTooLong || e instanceof BadStatusLine).toBe(true);
    expect(pyRepr(e)).toBe("LineTooLong('got more than 65536 bytes when reading status line')"); // what CPython raises
  });

  it('test_overflowing_header_line', async () => {
    const resp = new HTTPResponse(fakeSocket('HTTP/1.1 200 OK\r\n' + 'X-Foo: bar' + 'r'.repeat(65536) + '\r\n\r\n'));
    const e = await thrown(() => resp.begin());
    expect(e).toBeInstanceOf(LineTooLong);
    expect(pyStr(e)).toBe('got more than 65536 bytes when reading header line');
  });

  it('test_overflowing_header_limit_after_100', async () => {
    const resp = new HTTPResponse(fakeSocket('HTTP/1.1 100 OK\r\n' + 'r\n'.repeat(32768)));
    const e = await thrown(() => resp.begin());
    expect(e).toBeInstanceOf(HTTPException);
    // More than the class: other reasonable errors are HTTPException too.
    expect(pyStr(e)).toContain('got more than ');
    expect(pyStr(e)).toContain('headers');
    expect(pyStr(e)).toBe('got more than 100 headers'); // CPython's exact message
  });

  it('test_overflowing_chunked_line', async () => {
    const body =
      'HTTP/1.1 200 OK\r\n' +
      'Transfer-Encoding: chunked\r\n\r\n' +
      '0'.repeat(65536) + 'a\r\n' +
      'hello world\r\n' +
      '0\r\n' +
      '\r\n';
    const resp = new HTTPResponse(fakeSocket(body));
    await resp.begin();
    const e = await thrown(() => resp.read());
    expect(e).toBeInstanceOf(LineTooLong);
    expect(pyStr(e)).toBe('got more than 65536 bytes when reading chunk size');
  });

  it('test_early_eof', async () => {
    // Test httpresponse with no \r\n termination,
    const resp = await begun('HTTP/1.1 200 Ok');
    expect(dec(await resp.read())).toBe('');
    expectClosedOnlyAfterClose(resp);
  });

  it('test_error_leak', async () => {
    // Test that the socket is not leaked if getresponse() fails
    const conn = new HTTPConnection('example.com');
    let response: HTTPResponse | null = null;
    class Response extends HTTPResponse {
      constructor(...args: ConstructorParameters<typeof HTTPResponse>) {
        super(...args);
        response = this;
      }
    }
    conn.response_class = Response;
    const sock = fakeSocket('Invalid status line');
    conn.sock = sock;
    await conn.request('GET', '/');
    const e = await thrown(() => conn.getresponse());
    expect(e).toBeInstanceOf(BadStatusLine);
    expect(pyRepr(e)).toBe("BadStatusLine('Invalid status line')");
    expect(response!.closed).toBe(true);
    // FakeSocket.file_closed: the response's file was closed.
    expect(response!.fp).toBeNull();
  });

  it('test_chunked_extension', async () => {
    const extra = '3;foo=bar\r\n' + 'abc\r\n';
    const resp = await begun(chunked_start + extra + last_chunk_extended + chunked_end, 'GET');
    expect(dec(await resp.read())).toBe(dec(chunked_expected) + 'abc');
    resp.close();
  });

  it('test_chunked_missing_end', async () => {
    // some servers may serve up a short chunked encoding stream
    const resp = await begun(chunked_start + last_chunk, 'GET'); // no terminating crlf
    expect(await resp.read()).toEqual(chunked_expected);
    resp.close();
  });

  it('test_chunked_trailers', async () => {
    // See that trailers are read and ignored
    const [resp, sock] = await begunOn(chunked_start + last_chunk + trailers + chunked_end);
    expect(await resp.read()).toEqual(chunked_expected);
    // we should have reached the end of the file
    expect(dec(unread(sock))).toBe('');
    resp.close();
  });

  it('test_chunked_sync', async () => {
    // Check that we don't read past the end of the chunked-encoding stream
    const extradata = 'extradata';
    const [resp, sock] = await begunOn(chunked_start + last_chunk + trailers + chunked_end, extradata);
    expect(await resp.read()).toEqual(chunked_expected);
    // the file should now have our extradata ready to be read
    expect(dec(unread(sock))).toBe(extradata);
    resp.close();
  });

  const extradata = 'extradata';
  const expected = 'Hello123\r\n';

  it('test_content_length_sync', async () => {
    // Check that we don't read past the end of the Content-Length stream
    const [resp, sock] = await begunOn('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n' + expected, extradata);
    expect(dec(await resp.read())).toBe(expected);
    expect(dec(unread(sock))).toBe(extradata);
    resp.close();
  });

  it('test_readlines_content_length', async () => {
    const [resp, sock] = await begunOn('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n' + expected, extradata);
    expect((await resp.readlines(2000)).map(dec)).toEqual([expected]);
    expect(dec(unread(sock))).toBe(extradata);
    resp.close();
  });

  it('test_read1_content_length', async () => {
    const [resp, sock] = await begunOn('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n' + expected, extradata);
    expect(dec(await resp.read1(2000))).toBe(expected);
    expect(dec(unread(sock))).toBe(extradata);
    resp.close();
  });

  it('test_readline_bound_content_length', async () => {
    const [resp, sock] = await begunOn('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n' + expected, extradata);
    expect(dec(await resp.readline(10))).toBe(expected);
    expect(dec(await resp.readline(10))).toBe('');
    expect(dec(unread(sock))).toBe(extradata);
    resp.close();
  });

  it('test_read1_bound_content_length', async () => {
    const [resp, sock] = await begunOn('HTTP/1.1 200 OK\r\nContent-Length: 30\r\n\r\n' + expected.repeat(3), extradata);
    expect(dec(await resp.read1(20))).toBe(expected.repeat(2));
    expect(dec(await resp.read())).toBe(expected);
    expect(dec(unread(sock))).toBe(extradata);
    resp.close();
  });

  it('test_response_fileno', async () => {
    // Make sure fd returned by fileno is valid: a real server on 127.0.0.1.
    let result: Promise<string> | null = null;
    const server = net.createServer((conn) => {
      conn.on('error', () => {});
      result = new Promise<string>((resolve) => {
        let data = '';
        let headDone = false;
        conn.on('data', (chunk: Buffer) => {
          data += chunk.toString('latin1');
          // Read the request header until a blank line, then answer.
          if (!headDone && data.includes('\r\n\r\n')) {
            headDone = true;
            data = data.slice(data.indexOf('\r\n\r\n') + 4);
            conn.write('HTTP/1.1 200 Connection established\r\n\r\n');
          }
        });
        conn.on('end', () => resolve(data));
        conn.on('close', () => resolve(data));
      });
    });
    const port = await listen(server);
    const conn = new HTTPConnection('127.0.0.1', port);
    addCleanup(() => conn.close());
    await conn.request('CONNECT', 'dummy:1234');
    const response = await conn.getresponse();
    try {
      expect(response.status).toBe(OK);
      // socket.socket(fileno=...).sendall(...): write on the descriptor itself.
      writeSync(response.fileno(), 'proxied data\n');
    } finally {
      response.close();
      conn.close();
    }
    expect(await result!).toBe('proxied data\n');
  });

  it('test_putrequest_override_domain_validation', () => {
    // It should be possible to override the default validation behavior in
    // putrequest (bpo-38216).
    class UnsafeHTTPConnection extends HTTPConnection {
      override _validate_path(_url: string): void {}
    }
    const conn = new UnsafeHTTPConnection('example.com');
    conn.sock = fakeSocket('');
    expect(() => conn.putrequest('GET', '/\x00')).not.toThrow();
  });

  it('test_putrequest_override_host_validation', () => {
    class UnsafeHTTPConnection extends HTTPConnection {
      override _validate_host(_url: string): void {}
    }
    const conn = new UnsafeHTTPConnection('example.com\r\n');
    conn.sock = fakeSocket('');
    // set skip_host so a ValueError is not raised upon adding the invalid
    // URL as the value of the "Host:" header
    expect(() => conn.putrequest('GET', '/', { skip_host: true })).not.toThrow();
  });

  it('test_putrequest_override_encoding', async () => {
    // It should be possible to override the default encoding to transmit
    // bytes in another encoding even if invalid (bpo-36274).
    class UnsafeHTTPConnection extends HTTPConnection {
      override _encode_request(str_url: string): Uint8Array {
        return new TextEncoder().encode(str_url);
      }
    }
    const conn = new UnsafeHTTPConnection('example.com');
    const sock = fakeSocket('');
    conn.sock = sock;
    expect(() => conn.putrequest('GET', '/☃')).not.toThrow();
    // Beyond CPython's check: the request line went out in UTF-8.
    await conn.endheaders();
    expect(dec(sock.sent).startsWith('GET /\xe2\x98\x83 HTTP/1.1\r\n')).toBe(true);
  });
});
