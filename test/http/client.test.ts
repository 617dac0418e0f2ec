// HTTPConnection over a real 127.0.0.1 socket: every request body kind a
// JavaScript user has, the connection's recovery where CPython's would stay
// stuck (docs/differences.md), and the diagnostics_channel events. The
// server is a raw node:net server that records the bytes it receives and
// answers with canned responses, so what is checked is exactly the wire.
import { afterEach, describe, expect, it } from 'vitest';
import * as diagnostics_channel from 'node:diagnostics_channel';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import {
  BadStatusLine,
  CannotSendRequest,
  channels,
  ConnectionAbortedError,
  ConnectionError,
  ConnectionRefusedError,
  HTTPConnection,
  HTTPSConnection,
  IncompleteRead,
  InvalidURL,
  MemoryTransport,
  memoryFactory,
  RemoteDisconnected,
  TimeoutError,
  TypeError as PyTypeError,
  ValueError,
} from '../../src/index.js';

const OK = 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok';
const latin1 = (b: Uint8Array | Buffer) => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('latin1');

interface Recorder {
  port: number;
  /** Bytes received on each connection, in order of connection. */
  received: string[];
  close(): Promise<void>;
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

/**
 * A server answering each request it sees (a blank line ends a head; a
 * body is read by Content-Length or chunked framing) with `answer(n)`,
 * where n counts requests across connections. `null` closes the socket.
 */
async function recorder(answer: (n: number) => string | null = () => OK): Promise<Recorder> {
  const received: string[] = [];
  const sockets = new Set<net.Socket>();
  let requests = 0;
  const server = net.createServer((s) => {
    sockets.add(s);
    const index = received.push('') - 1;
    let pending = '';
    s.on('data', (d) => {
      received[index] += latin1(d);
      pending += latin1(d);
      for (;;) {
        const end = pending.indexOf('\r\n\r\n');
        if (end < 0) return;
        const head = pending.slice(0, end);
        let rest = pending.slice(end + 4);
        const cl = /content-length: *(\d+)/i.exec(head);
        if (cl) {
          if (rest.length < Number(cl[1])) return;
          rest = rest.slice(Number(cl[1]));
        } else if (/transfer-encoding: *chunked/i.test(head)) {
          const last = rest.indexOf('0\r\n\r\n');
          if (last < 0) return;
          rest = rest.slice(last + 5);
        }
        pending = rest;
        const reply = answer(requests++);
        if (reply === null) {
          s.destroy();
          return;
        }
        s.write(reply);
      }
    });
    s.on('error', () => {});
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const rec: Recorder = {
    port: (server.address() as net.AddressInfo).port,
    received,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
  cleanups.push(() => rec.close());
  return rec;
}

function connection(port: number, timeout = 10): HTTPConnection {
  const conn = new HTTPConnection('127.0.0.1', port, { timeout });
  cleanups.push(() => conn.close());
  return conn;
}

async function roundTrip(conn: HTTPConnection, body: unknown, headers: Record<string, string> = {}): Promise<void> {
  await conn.request('POST', '/', body as never, headers);
  const r = await conn.getresponse();
  expect(latin1(await r.read())).toBe('ok');
}

const head = (extra: string) => `POST / HTTP/1.1\r\nHost: 127.0.0.1:PORT\r\nAccept-Encoding: identity\r\n${extra}\r\n`;

describe('request body kinds on the wire', () => {
  const cases: [string, () => unknown, string, string][] = [
    ['a Latin-1 string', () => 'caf\u00e9', 'Content-Length: 4\r\n', 'caf\xe9'],
    ['a Uint8Array', () => new Uint8Array([1, 2, 3]), 'Content-Length: 3\r\n', '\x01\x02\x03'],
    ['a Buffer', () => Buffer.from('buf'), 'Content-Length: 3\r\n', 'buf'],
    ['an ArrayBuffer', () => new Uint8Array([0x61, 0x62]).buffer, 'Content-Length: 2\r\n', 'ab'],
    ['a DataView over part of a buffer', () => new DataView(new Uint8Array([0x78, 0x61, 0x62, 0x79]).buffer, 1, 2), 'Content-Length: 2\r\n', 'ab'],
    ['a Uint16Array (its bytes)', () => new Uint16Array([0x6261]), 'Content-Length: 2\r\n', 'ab'],
    ['a Blob (its size is known)', () => new Blob(['blob', 'by']), 'Content-Length: 6\r\n', 'blobby'],
    ['an empty string', () => '', 'Content-Length: 0\r\n', ''],
    ['no body on POST', () => null, 'Content-Length: 0\r\n', ''],
    ['a sync iterable (chunked)', () => ['ab', new Uint8Array([0x63]), ''], 'Transfer-Encoding: chunked\r\n', '2\r\nab\r\n1\r\nc\r\n0\r\n\r\n'],
    [
      'an async generator (chunked)',
      () =>
        (async function* () {
          yield new Uint8Array(20).fill(0x7a);
          yield 'end';
        })(),
      'Transfer-Encoding: chunked\r\n',
      `14\r\n${'z'.repeat(20)}\r\n3\r\nend\r\n0\r\n\r\n`,
    ],
    ['a Node Readable (chunked)', () => Readable.from([Buffer.from('node'), Buffer.from('!')]), 'Transfer-Encoding: chunked\r\n', '4\r\nnode\r\n1\r\n!\r\n0\r\n\r\n'],
    [
      'a web ReadableStream (chunked)',
      () =>
        new ReadableStream<Uint8Array>({
          start(c) {
            c.enqueue(new Uint8Array([0x77, 0x65, 0x62]));
            c.close();
          },
        }),
      'Transfer-Encoding: chunked\r\n',
      '3\r\nweb\r\n0\r\n\r\n',
    ],
    [
      'an object with read(size), like a Python file (chunked)',
      () => {
        const data = ['li', 'ne', ''];
        return { read: (size: number) => (expect(size).toBe(8192), data.shift()) };
      },
      'Transfer-Encoding: chunked\r\n',
      '2\r\nli\r\n2\r\nne\r\n0\r\n\r\n',
    ],
  ];

  for (const [what, make, framing, body] of cases) {
    it(what, async () => {
      const rec = await recorder();
      const conn = connection(rec.port);
      await roundTrip(conn, make());
      expect(rec.received[0]).toBe(head(framing).replace('PORT', String(rec.port)) + body);
    });
  }

  it('a file handle is read in blocksize blocks and sent chunked', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'httpwire-body-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    writeFileSync(join(dir, 'f'), 'x'.repeat(10));
    const fh = await open(join(dir, 'f'));
    cleanups.push(() => fh.close());
    const rec = await recorder();
    const conn = new HTTPConnection('127.0.0.1', rec.port, { timeout: 10, blocksize: 4 });
    cleanups.push(() => conn.close());
    await roundTrip(conn, fh);
    expect(rec.received[0]).toBe(head('Transfer-Encoding: chunked\r\n').replace('PORT', String(rec.port)) + '4\r\nxxxx\r\n4\r\nxxxx\r\n2\r\nxx\r\n0\r\n\r\n');
  });

  it('a caller-given Content-Length sends a stream as it is, unframed', async () => {
    const rec = await recorder();
    const conn = connection(rec.port);
    await roundTrip(conn, Readable.from([Buffer.from('abc')]), { 'Content-Length': '3' });
    expect(rec.received[0]!.endsWith('Content-Length: 3\r\n\r\nabc')).toBe(true);
  });

  it('a non-Latin-1 string body is refused before anything is written, naming the text', async () => {
    const rec = await recorder();
    const conn = connection(rec.port);
    const err = await conn.request('POST', '/', 'x\u20ac').catch((e: unknown) => e);
    expect((err as Error).name).toBe('UnicodeEncodeError');
    expect((err as Error).message).toBe(
      "'latin-1' codec can't encode character '\\u20ac' in position 1: Body ('\u20ac') is not valid Latin-1. Use body.encode('utf-8') if you want to send it encoded in UTF-8.",
    );
    expect(conn.sock).toBe(null);
    // Nothing was sent, and the connection is still usable.
    await roundTrip(conn, 'fine');
    expect(rec.received.length).toBe(1);
    expect(rec.received[0]!.endsWith('\r\n\r\nfine')).toBe(true);
  });
});

describe('a connection recovers where CPython would stay stuck', () => {
  it('after a request refused by validation, the next request goes out', async () => {
    const rec = await recorder();
    const conn = connection(rec.port);
    await expect(conn.request('GET', '/a b')).rejects.toBeInstanceOf(InvalidURL);
    await expect(conn.request('GET', '/', null, { 'X-A': 'a\r\nb' })).rejects.toBeInstanceOf(ValueError);
    await conn.request('GET', '/ok');
    expect(latin1(await (await conn.getresponse()).read())).toBe('ok');
    expect(rec.received).toEqual([`GET /ok HTTP/1.1\r\nHost: 127.0.0.1:${rec.port}\r\nAccept-Encoding: identity\r\n\r\n`]);
  });

  it('after a bad status line, the next request reconnects', async () => {
    const rec = await recorder((n) => (n === 0 ? 'HTTP/1.1 abc\r\n\r\n' : OK));
    const conn = connection(rec.port);
    await conn.request('GET', '/');
    await expect(conn.getresponse()).rejects.toBeInstanceOf(BadStatusLine);
    await conn.request('GET', '/');
    expect(latin1(await (await conn.getresponse()).read())).toBe('ok');
    expect(rec.received.length).toBe(2);
  });

  it('after a timeout, the next request reconnects', async () => {
    const rec = await recorder((n) => (n === 0 ? '' : OK));
    const conn = connection(rec.port, 0.2);
    await conn.request('GET', '/');
    await expect(conn.getresponse()).rejects.toBeInstanceOf(TimeoutError);
    await conn.request('GET', '/');
    expect(latin1(await (await conn.getresponse()).read())).toBe('ok');
    expect(rec.received.length).toBe(2);
  });

  it('the server closing an idle keep-alive connection: RemoteDisconnected, then a new connection', async () => {
    const rec = await recorder((n) => (n === 1 ? null : OK));
    const conn = connection(rec.port);
    await roundTrip(conn, null);
    await conn.request('POST', '/');
    await expect(conn.getresponse()).rejects.toBeInstanceOf(RemoteDisconnected);
    await roundTrip(conn, null);
    expect(rec.received.length).toBe(2);
  });

  it('a second request before the response is read: CannotSendRequest is not raised, ResponseNotReady is (as CPython)', async () => {
    const rec = await recorder();
    const conn = connection(rec.port);
    await conn.request('GET', '/');
    await conn.getresponse();
    await expect(conn.request('GET', '/')).resolves.toBeUndefined();
    await expect(conn.getresponse()).rejects.toMatchObject({ name: 'ResponseNotReady' });
    await expect(conn.request('GET', '/')).rejects.toBeInstanceOf(CannotSendRequest);
  });
});

describe('diagnostics_channel', () => {
  it('publishes connect, send, request created, headers sent, response head and error', async () => {
    const seen: [string, Record<string, unknown>][] = [];
    const subs = Object.entries(channels).map(([name, ch]) => {
      const fn = (m: unknown) => seen.push([name, m as Record<string, unknown>]);
      ch.subscribe(fn);
      return () => ch.unsubscribe(fn);
    });
    cleanups.push(() => subs.forEach((u) => u()));
    const factory = memoryFactory([OK, 'garbage\r\n\r\n']);
    const conn = new HTTPConnection('example.com', 8080, { transportFactory: factory });
    await conn.request('PUT', '/x', 'data');
    const r = await conn.getresponse();
    await r.read();
    await conn.request('GET', '/y');
    await expect(conn.getresponse()).rejects.toBeInstanceOf(BadStatusLine);
    const names = seen.map(([n]) => n);
    expect(names).toEqual(['requestCreated', 'connect', 'send', 'headersSent', 'send', 'responseHead', 'requestCreated', 'send', 'headersSent', 'error']);
    expect(seen[0]![1]).toMatchObject({ connection: conn, method: 'PUT', url: '/x' });
    expect(seen[1]![1]).toEqual({ connection: conn, host: 'example.com', port: 8080 });
    expect(latin1(seen[3]![1].headers as Uint8Array)).toBe(
      'PUT /x HTTP/1.1\r\nHost: example.com:8080\r\nAccept-Encoding: identity\r\nContent-Length: 4\r\n\r\n',
    );
    expect(latin1(seen[4]![1].data as Uint8Array)).toBe('data');
    expect(seen[5]![1].response).toBe(r);
    expect(seen[9]![1].error).toBeInstanceOf(BadStatusLine);
  });

  it('a subscriber on requestCreated can still add headers', async () => {
    const fn = (m: unknown) => (m as { connection: HTTPConnection }).connection.putheader('traceparent', '00-abc-def-01');
    channels.requestCreated.subscribe(fn);
    cleanups.push(() => void channels.requestCreated.unsubscribe(fn));
    const sock = new MemoryTransport(OK);
    const conn = new HTTPConnection('h');
    conn.sock = sock;
    await conn.request('GET', '/');
    expect(latin1(sock.sent)).toBe('GET / HTTP/1.1\r\nHost: h\r\nAccept-Encoding: identity\r\ntraceparent: 00-abc-def-01\r\n\r\n');
    expect(diagnostics_channel.hasSubscribers('httpwire:client:request:created')).toBe(true);
  });
});

describe("Python's positional arguments", () => {
  it('HTTPConnection(host, port, timeout, source_address, blocksize)', () => {
    const a = new HTTPConnection('h', 80, 10);
    expect([a.timeout, a.source_address, a.blocksize]).toEqual([10, null, 8192]);
    const b = new HTTPConnection('h', null, 2.5, ['127.0.0.1', 0], 100);
    expect([b.port, b.timeout, b.source_address, b.blocksize]).toEqual([80, 2.5, ['127.0.0.1', 0], 100]);
    expect(new HTTPConnection('h', 80, null).timeout).toBe(null);
  });

  it('putrequest(method, url, skip_host, skip_accept_encoding)', async () => {
    const conn = new HTTPConnection('h');
    const first = (conn.sock = new MemoryTransport(OK));
    conn.putrequest('GET', '/', true);
    await conn.endheaders();
    conn.close();
    const second = (conn.sock = new MemoryTransport(OK));
    conn.putrequest('GET', '/', false, true);
    await conn.endheaders();
    expect(latin1(first.sent)).toBe('GET / HTTP/1.1\r\nAccept-Encoding: identity\r\n\r\n');
    expect(latin1(second.sent)).toBe('GET / HTTP/1.1\r\nHost: h\r\n\r\n');
  });

  it('HTTPSConnection takes its options only as an object, as Python (keyword-only)', () => {
    expect(() => new HTTPSConnection('h', 443, 10 as never)).toThrow(PyTypeError);
  });
});

describe('lifecycle under JavaScript concurrency', () => {
  it('close() during a streaming body aborts the request: the rest never reaches a new connection', async () => {
    const rec = await recorder();
    const conn = connection(rec.port);
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const body = (async function* () {
      yield 'first-part';
      await gate;
      yield 'SECOND-PART';
    })();
    const sending = conn.request('POST', '/upload', body).catch((e: unknown) => e);
    // Let the head and the first chunk go out, then close mid-body.
    for (let i = 0; i < 50 && !rec.received[0]?.includes('first-part'); i++) await new Promise((r) => setTimeout(r, 10));
    conn.close();
    release();
    const err = await sending;
    expect(err).toBeInstanceOf(ConnectionAbortedError);
    await new Promise((r) => setTimeout(r, 50));
    expect(rec.received.length).toBe(1);
    expect(rec.received[0]).not.toContain('SECOND-PART');
    // The connection is usable afterwards.
    await roundTrip(conn, 'x');
  });

  it('a refused connect leaves the connection idle: the next request tries again', async () => {
    const server = net.createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const port = (server.address() as net.AddressInfo).port;
    await new Promise<void>((r) => server.close(() => r()));
    const conn = connection(port);
    await expect(conn.request('GET', '/')).rejects.toBeInstanceOf(ConnectionRefusedError);
    await expect(conn.request('GET', '/')).rejects.toBeInstanceOf(ConnectionRefusedError);
    await expect(conn.getresponse()).rejects.toMatchObject({ name: 'ResponseNotReady' });
  });

  it('connect() twice replaces the transport instead of leaking it', async () => {
    let open = 0;
    const server = net.createServer((s) => {
      open++;
      s.on('close', () => open--);
      s.on('error', () => {});
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    cleanups.push(() => new Promise<void>((r) => server.close(() => r())));
    const conn = connection((server.address() as net.AddressInfo).port);
    for (let i = 0; i < 3; i++) await conn.connect();
    for (let i = 0; i < 50 && open !== 1; i++) await new Promise((r) => setTimeout(r, 10));
    expect(open).toBe(1);
    conn.close();
  });

  it('an early answer sent before the server resets the upload is still read (as CPython, test_epipe)', async () => {
    const server = net.createServer((s) => {
      s.on('error', () => {});
      let got = 0;
      s.on('data', (d) => {
        got += d.length;
        if (got >= 65536 && !s.destroyed) {
          s.write('HTTP/1.1 413 Payload Too Large\r\nContent-Length: 8\r\nConnection: close\r\n\r\ntoo big!', () => s.resetAndDestroy());
        }
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    cleanups.push(() => new Promise<void>((r) => server.close(() => r())));
    const conn = connection((server.address() as net.AddressInfo).port);
    const sent = await conn.request('PUT', '/', new Uint8Array(32 * 1024 * 1024)).then(
      () => null,
      (e: unknown) => e,
    );
    expect(sent === null || sent instanceof ConnectionError).toBe(true);
    const r = await conn.getresponse();
    expect([r.status, latin1(await r.read())]).toEqual([413, 'too big!']);
  });

  it('a body that fails to read is published on the error channel', async () => {
    const seen: unknown[] = [];
    const fn = (m: unknown) => seen.push((m as { error: unknown }).error);
    channels.error.subscribe(fn);
    cleanups.push(() => void channels.error.unsubscribe(fn));
    const conn = new HTTPConnection('h', 80, { transportFactory: memoryFactory(['HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nshort']) });
    await conn.request('GET', '/');
    const r = await conn.getresponse();
    await expect(r.read()).rejects.toBeInstanceOf(IncompleteRead);
    expect(seen.length).toBe(1);
    expect(seen[0]).toBeInstanceOf(IncompleteRead);
  });
});

describe('host:port', () => {
  it('a port of more digits than Python int() reads is a nonnumeric port, as in CPython 3.13', () => {
    expect(() => new HTTPConnection('h:' + '1'.repeat(5000))).toThrow(InvalidURL);
    expect(() => new HTTPConnection('h:' + '1'.repeat(5000))).toThrow(/^nonnumeric port: '1{20}/);
    expect(new HTTPConnection('h:0080').port).toBe(80);
  });
});
