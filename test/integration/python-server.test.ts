// httpwire's HTTPConnection and HTTPResponse against Python's own servers:
// `python3 -m http.server --protocol HTTP/1.1` for files, and
// test/support/echo_server.py (BaseHTTPRequestHandler) for request bodies.
// Expected values are what CPython 3.13's http.client does against them.
import { describe, it, expect, afterEach } from 'vitest';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { HTTPConnection } from '../../src/index.js';
import { STATIC_FILES, freePorts, startEchoServer, startPythonHttpServer, usePeer } from '../support/servers.js';
import { bytesOf, concat, expectBytes, countingFactory, readPieces } from '../support/client.js';

const files = usePeer(startPythonHttpServer);
const echo = usePeer(startEchoServer);

const conns: { close(): void }[] = [];
afterEach(() => {
  while (conns.length) conns.pop()!.close();
});
function connect(port: number, opts: Record<string, unknown> = {}): InstanceType<typeof HTTPConnection> {
  const conn = new HTTPConnection('127.0.0.1', port, { timeout: 10, ...opts });
  conns.push(conn);
  return conn;
}

interface Echo {
  method: string;
  path: string;
  version: string;
  headers: [string, string][];
  body: string;
  chunked: boolean;
  trailers: [string, string][];
  client_port: number;
}

async function echoOf(conn: InstanceType<typeof HTTPConnection>): Promise<Echo> {
  const resp = await conn.getresponse();
  expect(resp.status).toBe(200);
  expect(resp.getheader('Content-Type')).toBe('application/json');
  return JSON.parse(Buffer.from(await resp.read()).toString('utf8'));
}

describe('python3 -m http.server', () => {
  it('GET a file', async () => {
    const conn = connect(files.port);
    await conn.request('GET', '/small.txt');
    const resp = await conn.getresponse();
    expect([resp.status, resp.reason, resp.version]).toEqual([200, 'OK', 11]);
    expect(resp.getheader('Server')).toMatch(/^SimpleHTTP\/[\d.]+ Python\/3\.\d+/);
    expect(resp.getheader('Content-type')).toBe('text/plain');
    expect(resp.getheader('Content-Length')).toBe('1040');
    expect(resp.will_close).toBe(false);
    expectBytes(await resp.read(), STATIC_FILES['/small.txt']!);
  });

  it('GET 1 MiB in pieces', async () => {
    const conn = connect(files.port);
    await conn.request('GET', '/1mib.bin');
    const resp = await conn.getresponse();
    expect(resp.length).toBe(1 << 20);
    expectBytes(concat(await readPieces(resp, 50_000)), STATIC_FILES['/1mib.bin']!);
  });

  it('404 closes the connection (Connection: close); the next request opens a new one', async () => {
    const { factory, connects } = countingFactory();
    const conn = connect(files.port, { transportFactory: factory });
    await conn.request('GET', '/missing');
    const resp = await conn.getresponse();
    expect([resp.status, resp.reason]).toEqual([404, 'File not found']);
    expect(resp.getheader('Connection')).toBe('close');
    expect(resp.will_close).toBe(true);
    expect(Buffer.from(await resp.read()).toString()).toContain('Error code: 404');
    expect(conn.sock).toBeNull(); // getresponse() closed the connection, as CPython's does for will_close
    await conn.request('GET', '/small.txt');
    const next = await conn.getresponse();
    expectBytes(await next.read(), STATIC_FILES['/small.txt']!);
    expect(connects).toHaveLength(2);
  });

  it('keep-alive over HTTP/1.1: several requests on one connection', async () => {
    const { factory, connects } = countingFactory();
    const conn = connect(files.port, { transportFactory: factory });
    let sock: unknown;
    for (const path of ['/small.txt', '/empty.txt', '/1mib.bin', '/small.txt']) {
      await conn.request('GET', path);
      const resp = await conn.getresponse();
      expect(resp.will_close).toBe(false);
      expectBytes(await resp.read(), STATIC_FILES[path]!);
      sock ??= conn.sock;
      expect(conn.sock).toBe(sock);
    }
    expect(connects).toHaveLength(1);
  });
});

describe('echo server (BaseHTTPRequestHandler)', () => {
  it('POST with Content-Length: the request CPython sends, byte for byte', async () => {
    const conn = connect(echo.port);
    await conn.request('POST', '/form?x=1', 'hello', { 'X-Test': 'yes' });
    const got = await echoOf(conn);
    expect(got).toMatchObject({ method: 'POST', path: '/form?x=1', version: 'HTTP/1.1', body: 'hello', chunked: false });
    expect(got.headers).toEqual([
      ['Host', `127.0.0.1:${echo.port}`],
      ['Accept-Encoding', 'identity'],
      ['Content-Length', '5'],
      ['X-Test', 'yes'],
    ]);
  });

  it('POST every byte value, 100 KB, intact', async () => {
    const body = new Uint8Array(100_000).map((_, i) => i % 256);
    const conn = connect(echo.port);
    await conn.request('POST', '/bytes', body);
    const got = await echoOf(conn);
    expect(got.headers).toContainEqual(['Content-Length', '100000']);
    expectBytes(bytesOf(got.body), body);
  });

  it('a GET without a body sends no Content-Length; a PUT with an empty body sends 0', async () => {
    const conn = connect(echo.port);
    await conn.request('GET', '/g');
    expect((await echoOf(conn)).headers.map(([k]) => k)).toEqual(['Host', 'Accept-Encoding']);
    await conn.request('PUT', '/p', '');
    expect((await echoOf(conn)).headers).toContainEqual(['Content-Length', '0']);
  });

  it('an iterable body with no length goes chunked by itself', async () => {
    const conn = connect(echo.port);
    await conn.request('POST', '/gen', [bytesOf('abc'), bytesOf('defg'), bytesOf('h')]);
    const got = await echoOf(conn);
    expect(got).toMatchObject({ chunked: true, body: 'abcdefgh' });
    expect(got.headers).toEqual([
      ['Host', `127.0.0.1:${echo.port}`],
      ['Accept-Encoding', 'identity'],
      ['Transfer-Encoding', 'chunked'],
    ]);
  });

  it('encode_chunked with an explicit Transfer-Encoding header', async () => {
    const conn = connect(echo.port);
    await conn.request('PUT', '/put', [bytesOf('one '), bytesOf('two '), bytesOf('three')], { 'Transfer-Encoding': 'chunked' }, {
      encode_chunked: true,
    });
    const got = await echoOf(conn);
    expect(got).toMatchObject({ method: 'PUT', chunked: true, body: 'one two three' });
    expect(got.headers.filter(([k]) => k === 'Transfer-Encoding')).toEqual([['Transfer-Encoding', 'chunked']]);
  });

  it('an open file (FileHandle) body goes chunked, as a Python file object does, and arrives whole', async () => {
    const handle = await open(join(files.dir, '1mib.bin'), 'r');
    try {
      const conn = connect(echo.port);
      await conn.request('PUT', '/file', handle);
      const got = await echoOf(conn);
      expect(got.chunked).toBe(true);
      expect(got.headers.map(([k]) => k)).toEqual(['Host', 'Accept-Encoding', 'Transfer-Encoding']);
      expectBytes(bytesOf(got.body), STATIC_FILES['/1mib.bin']!);
    } finally {
      await handle.close();
    }
  });

  it('putrequest / putheader / endheaders(body, encode_chunked)', async () => {
    const conn = connect(echo.port);
    conn.putrequest('POST', '/manual');
    conn.putheader('Transfer-Encoding', 'chunked');
    conn.putheader('X-Multi', 'a', 'b');
    await conn.endheaders(bytesOf('body in one chunk'), { encode_chunked: true });
    const got = await echoOf(conn);
    expect(got).toMatchObject({ path: '/manual', chunked: true, body: 'body in one chunk' });
    expect(got.headers).toContainEqual(['X-Multi', 'a\r\n\tb']);
  });

  it('source_address binds the local end of the connection', async () => {
    const [port] = await freePorts(1);
    const conn = connect(echo.port, { source_address: ['127.0.0.1', port] });
    await conn.request('GET', '/from');
    expect((await echoOf(conn)).client_port).toBe(port);
  });

  it('keep-alive: the same client port across requests with bodies', async () => {
    const { factory, connects } = countingFactory();
    const conn = connect(echo.port, { transportFactory: factory });
    const ports: number[] = [];
    for (const [method, body] of [['POST', 'a'], ['PUT', 'bb'], ['GET', null], ['DELETE', 'ddd']] as const) {
      await conn.request(method, '/k', body);
      const got = await echoOf(conn);
      expect([got.method, got.body]).toEqual([method, body ?? '']);
      ports.push(got.client_port);
    }
    expect(new Set(ports).size).toBe(1);
    expect(connects).toHaveLength(1);
  });
});
