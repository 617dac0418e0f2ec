// Strict mode through the Python surface, over a real 127.0.0.1 socket: a
// refused head or body raises StrictViolation (an HTTPException naming
// the rule), the connection is not reused for the bytes after it, and the
// next request on the same HTTPConnection succeeds on a new connection.
// The default mode reads the same responses as CPython does.
import { afterEach, describe, expect, it } from 'vitest';
import * as net from 'node:net';
import { HTTPConnection, HTTPException, parse_headers, StrictViolation } from '../../src/index.js';

const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

const text = (b: Uint8Array) => Buffer.from(b).toString('latin1');
const bytes = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));

/** A server answering the n-th request (across connections) with replies[n]; counts connections. */
async function scripted(replies: string[]): Promise<{ port: number; connections: () => number }> {
  let n = 0;
  let connections = 0;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((s) => {
    connections++;
    sockets.add(s);
    s.on('error', () => {});
    s.on('close', () => sockets.delete(s));
    let pending = '';
    s.on('data', (d) => {
      pending += d.toString('latin1');
      while (pending.includes('\r\n\r\n')) {
        pending = pending.slice(pending.indexOf('\r\n\r\n') + 4);
        s.write(replies[Math.min(n++, replies.length - 1)]!);
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  cleanups.push(() => new Promise<void>((r) => (sockets.forEach((s) => s.destroy()), server.close(() => r()))));
  return { port: (server.address() as net.AddressInfo).port, connections: () => connections };
}

const GOOD = 'HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\ngood';

async function get(conn: HTTPConnection): Promise<string> {
  await conn.request('GET', '/');
  const r = await conn.getresponse();
  return text(await r.read());
}

describe('strict mode over a socket', () => {
  it('a head with Content-Length and Transfer-Encoding: StrictViolation, then a new connection', async () => {
    const smuggle = 'HTTP/1.1 200 OK\r\nContent-Length: 6\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n' + GOOD;
    const srv = await scripted([smuggle, GOOD]);
    const conn = new HTTPConnection('127.0.0.1', srv.port, { timeout: 10, strict: true });
    cleanups.push(() => conn.close());
    const err = await get(conn).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StrictViolation);
    expect(err).toBeInstanceOf(HTTPException);
    expect((err as StrictViolation).rule).toBe('content-length-with-transfer-encoding');
    expect((err as Error).message).toBe(
      'strict mode refuses Content-Length together with Transfer-Encoding [content-length-with-transfer-encoding]',
    );
    expect(await get(conn)).toBe('good');
    expect(srv.connections()).toBe(2);
  });

  it('the same response in the default mode reads as CPython reads it (chunked wins)', async () => {
    const srv = await scripted(['HTTP/1.1 200 OK\r\nContent-Length: 6\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n']);
    const conn = new HTTPConnection('127.0.0.1', srv.port, { timeout: 10 });
    cleanups.push(() => conn.close());
    expect(await get(conn)).toBe('ok');
  });

  it('chunk data not followed by CRLF: the data before it, then StrictViolation; the transport is dropped', async () => {
    const srv = await scripted(['HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nokXX0\r\n\r\n', GOOD]);
    const conn = new HTTPConnection('127.0.0.1', srv.port, { timeout: 10, strict: true });
    cleanups.push(() => conn.close());
    await conn.request('GET', '/');
    const r = await conn.getresponse();
    expect(text(await r.read(2))).toBe('ok');
    const err = await r.read().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StrictViolation);
    expect((err as StrictViolation).rule).toBe('chunk-data-without-crlf');
    expect(r.isclosed()).toBe(true);
    expect(await get(conn)).toBe('good');
    expect(srv.connections()).toBe(2);
  });

  it('a well-formed keep-alive exchange is unaffected (one connection)', async () => {
    const srv = await scripted([
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4;ext="v"\r\ngood\r\n0\r\nX-T: 1\r\n\r\n',
      GOOD,
    ]);
    const conn = new HTTPConnection('127.0.0.1', srv.port, { timeout: 10, strict: true });
    cleanups.push(() => conn.close());
    expect(await get(conn)).toBe('good');
    expect(await get(conn)).toBe('good');
    expect(srv.connections()).toBe(1);
  });
});

describe('parse_headers in strict mode', () => {
  it('refuses obs-fold and bare LF that the default mode accepts', async () => {
    const folded = bytes('X-A: 1\r\n 2\r\n\r\n');
    expect((await parse_headers(folded)).get('X-A')).toBe('1\r\n 2');
    await expect(parse_headers(folded, undefined, { strict: true })).rejects.toMatchObject({ rule: 'obs-fold' });
    await expect(parse_headers(bytes('X-A: 1\n\n'), undefined, { strict: true })).rejects.toBeInstanceOf(StrictViolation);
    expect((await parse_headers(bytes('X-A: 1\r\n\r\n'), undefined, { strict: true })).get('x-a')).toBe('1');
  });
});
