// httpwire/pool against real servers on 127.0.0.1: nginx with
// keepalive_timeout 1s and keepalive_requests 100 (on-the-fly gzip, and
// precompressed gzip/deflate/br files made here with node:zlib), scripted
// node:net servers for redirects, resets and stalls, Python's echo server
// for bodies and headers, and TLS with the minted CA.
import { spawn } from 'node:child_process';
import * as diagnostics_channel from 'node:diagnostics_channel';
import * as net from 'node:net';
import * as zlib from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import {
  ClosedPoolError,
  ConnectTimeoutError,
  DecodeError,
  EmptyPoolError,
  HostChangedError,
  HTTPConnectionPool,
  HTTPSConnectionPool,
  make_headers,
  MaxRetryError,
  NewConnectionError,
  PoolManager,
  ProtocolError,
  ReadTimeoutError,
  ResponseError,
  Retry,
  SSLError,
  Timeout,
  UnrewindableBodyError,
  poolChannels,
} from '../../src/pool/node.js';
import { SSLCertVerificationError } from '../../src/http/exceptions.js';
import { raw, startEchoServer, startNginx, startRawServer, STATIC_FILES, textLines, usePeer, type RawResponder } from '../support/servers.js';

const text = textLines(3000);
const PRE: Record<string, Uint8Array> = {
  '/pre/text.gz': zlib.gzipSync(text),
  '/pre/text.zz': zlib.deflateSync(text),
  '/pre/text.rawdeflate': zlib.deflateRawSync(text),
  '/pre/text.br': zlib.brotliCompressSync(text),
  '/pre/text.gzbr': zlib.brotliCompressSync(zlib.gzipSync(text)),
  '/pre/corrupt.gz': (() => {
    const g = zlib.gzipSync(text);
    g.fill(0x55, 100, 200);
    return g;
  })(),
  '/pre/truncated.gz': zlib.gzipSync(text).subarray(0, 5000),
  // 64 MiB of zeros in about 64 KiB: read in bounded pieces.
  '/pre/bomb.gz': zlib.gzipSync(new Uint8Array(64 << 20), { level: 9 }),
};

const nginx = usePeer(() =>
  startNginx({
    keepaliveTimeout: '1s',
    keepaliveRequests: 100,
    files: PRE,
    locations: `
      location /pre/ { types { } default_type text/plain;
        location ~ \\.gz$ { add_header Content-Encoding gzip; }
        location ~ \\.(zz|rawdeflate)$ { add_header Content-Encoding deflate; }
        location ~ \\.br$ { add_header Content-Encoding br; }
        location ~ \\.gzbr$ { add_header Content-Encoding "gzip, br"; }
      }
      location = /status/503 { add_header Retry-After 0 always; return 503 "busy"; }
      location = /status/500 { return 500 "err"; }
      location = /redirect/loop { return 302 /redirect/loop; }
      location = /redirect/small { return 301 /small.txt; }
    `,
  }),
);
const echo = usePeer(startEchoServer);

const managers: PoolManager[] = [];
const pools: HTTPConnectionPool[] = [];
afterAll(() => {
  for (const m of managers) m.clear();
  for (const p of pools) p.close();
});
function manager(options: ConstructorParameters<typeof PoolManager>[0] = {}): PoolManager {
  const m = new PoolManager(options);
  managers.push(m);
  return m;
}
function pool(port: number, options: ConstructorParameters<typeof HTTPConnectionPool>[2] = {}): HTTPConnectionPool {
  const p = new HTTPConnectionPool('127.0.0.1', port, options);
  pools.push(p);
  return p;
}
const base = () => `http://127.0.0.1:${nginx.httpPort}`;
const small = STATIC_FILES['/small.txt']!;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** nginx's connection serial number for a response (X-Connection). */
const connOf = (r: { headers: { get(n: string): string | undefined } }) => Number(r.headers.get('x-connection'));

describe('pools and keep-alive against nginx (keepalive_timeout 1s, keepalive_requests 100)', () => {
  it('reuses one connection, and a new one after nginx closes at the 100th request', async () => {
    const p = pool(nginx.httpPort, { maxsize: 1 });
    const seen = new Map<number, number>();
    for (let i = 0; i < 250; i++) {
      const r = await p.request('GET', '/small.txt');
      expect(r.status).toBe(200);
      expect(r.data).toEqual(small);
      seen.set(connOf(r), (seen.get(connOf(r)) ?? 0) + 1);
    }
    expect([...seen.values()]).toEqual([100, 100, 50]);
    expect(p.num_connections).toBe(1); // one connection object, reconnected twice
  });

  it('after an idle pause beyond keepalive_timeout, the dead connection is noticed before reuse (no retry spent)', async () => {
    const p = pool(nginx.httpPort, { maxsize: 1, retries: false });
    const first = await p.request('GET', '/small.txt');
    // Well past nginx's 1 s (a loaded machine delays its timer), then one poll phase for the FIN.
    await sleep(2500);
    await new Promise((r) => setImmediate(r));
    const second = await p.request('GET', '/small.txt');
    expect(second.status).toBe(200);
    expect(connOf(second)).not.toBe(connOf(first));
    expect(second.retries!.history).toEqual([]);
  });

  it('an idle connection that nginx closes (keepalive_timeout) is closed by the pool at once, not left half-open', async () => {
    const p = pool(nginx.httpPort, { maxsize: 1 });
    const r = await p.request('GET', '/small.txt', { preload_content: false });
    const conn = r.connection!;
    await r.read();
    expect(p.num_idle).toBe(1);
    const sock = conn.sock as unknown as { closed: boolean; socket: net.Socket };
    expect(sock.closed).toBe(false);
    // The socket allows half-open: only the pool's close() ends it after nginx's FIN (bounded wait).
    await new Promise<void>((resolve) => {
      const t = setTimeout(resolve, 10_000);
      sock.socket.once('close', () => {
        clearTimeout(t);
        resolve();
      });
    });
    expect(sock.closed).toBe(true);
    expect(sock.socket.destroyed).toBe(true);
    // In use again, a FIN does not close it under the request: the next request reconnects and succeeds.
    expect((await p.request('GET', '/small.txt')).status).toBe(200);
  });

  it('maxsize keeps that many idle connections; more in use at once without block', async () => {
    const p = pool(nginx.httpPort, { maxsize: 2 });
    const rs = await Promise.all(Array.from({ length: 5 }, () => p.request('GET', '/small.txt')));
    expect(new Set(rs.map(connOf)).size).toBe(5);
    expect(p.num_idle).toBe(2);
  });

  it('block: at most maxsize connections in use; the others wait for one', async () => {
    const p = pool(nginx.httpPort, { maxsize: 2, block: true });
    const rs = await Promise.all(Array.from({ length: 8 }, () => p.request('GET', '/small.txt')));
    expect(rs.every((r) => r.status === 200)).toBe(true);
    expect(new Set(rs.map(connOf)).size).toBe(2);
  });

  it('block with pool_timeout: EmptyPoolError when no connection comes back in time', async () => {
    const p = pool(nginx.httpPort, { maxsize: 1, block: true });
    const held = await p.request('GET', '/1mib.bin', { preload_content: false });
    await expect(p.request('GET', '/small.txt', { pool_timeout: 0.05 })).rejects.toBeInstanceOf(EmptyPoolError);
    held.release_conn();
    expect((await p.request('GET', '/small.txt', { pool_timeout: 1 })).status).toBe(200);
  });

  it('close() refuses new requests (ClosedPoolError) and closes idle connections', async () => {
    const p = pool(nginx.httpPort);
    await p.request('GET', '/small.txt');
    expect(p.num_idle).toBe(1);
    p.close();
    expect(p.num_idle).toBe(0);
    await expect(p.request('GET', '/small.txt')).rejects.toBeInstanceOf(ClosedPoolError);
  });

  it('a pool refuses another host (HostChangedError)', async () => {
    const p = pool(nginx.httpPort);
    await expect(p.urlopen('GET', `http://127.0.0.1:${echo.port}/`)).rejects.toBeInstanceOf(HostChangedError);
  });

  it('PoolManager keeps at most num_pools pools, closing the least recently used', async () => {
    const m = manager({ num_pools: 2 });
    await m.request('GET', `${base()}/small.txt`);
    const first = m.connection_from_url(base());
    await m.request('GET', `http://127.0.0.1:${echo.port}/`);
    await m.request('GET', `http://localhost:${nginx.httpPort}/small.txt`);
    expect(m.pools.size).toBe(2);
    expect(first.closed).toBe(true);
    expect(m.connection_from_url(base())).not.toBe(first);
  });

  it('PoolManager hands out the same pool for an origin until it is closed or cleared', () => {
    const m = manager();
    const a = m.connection_from_url(base());
    expect(m.connection_from_url(base() + '/x')).toBe(a);
    expect(m.connection_from_host('127.0.0.1', nginx.httpPort, 'http')).toBe(a);
    a.close();
    const b = m.connection_from_url(base());
    expect(b).not.toBe(a);
    expect(b.closed).toBe(false);
    // pool_kwargs make a pool of their own settings, never the last one.
    const c = m.connection_from_host('127.0.0.1', nginx.httpPort, 'https', { cert_reqs: 'CERT_NONE' });
    expect(c).not.toBe(b);
    expect(m.connection_from_url(base())).toBe(b);
    m.clear();
    const d = m.connection_from_url(base());
    expect(d).not.toBe(b);
    expect(b.closed).toBe(true);
  });

  it('streams a body with preload_content false: read(amt), release when read to the end', async () => {
    const p = pool(nginx.httpPort);
    const r = await p.request('GET', '/1mib.bin', { preload_content: false });
    expect(() => r.data).toThrow('preload_content');
    let total = 0;
    for await (const piece of r.stream(10_000)) {
      expect(piece.length).toBeLessThanOrEqual(10_000);
      total += piece.length;
    }
    expect(total).toBe(1 << 20);
    expect(r.connection).toBe(null);
    expect(p.num_idle).toBe(1);
  });
});

describe('decompression', () => {
  const gz = { 'Accept-Encoding': 'gzip, deflate, br' };
  it.each([
    ['nginx on-the-fly gzip, chunked', '/gzip/lines.txt', STATIC_FILES['/gzip/lines.txt']!],
    ['precompressed gzip', '/pre/text.gz', text],
    ['precompressed deflate (zlib)', '/pre/text.zz', text],
    ['precompressed deflate (raw)', '/pre/text.rawdeflate', text],
    ['precompressed br', '/pre/text.br', text],
    ['gzip then br', '/pre/text.gzbr', text],
  ])('%s decodes to the original', async (_, path, expected) => {
    const r = await manager().request('GET', base() + path, { headers: gz });
    expect(r.headers.get('content-encoding')).toBeTruthy();
    expect(r.data).toEqual(expected);
  });

  it('a Content-Encoding no decoder knows is returned as sent (urllib3 leaves unknown codings alone)', async () => {
    const server = await startRawServer([raw.send('HTTP/1.1 200 OK\r\nContent-Encoding: x-custom\r\nContent-Length: 5\r\n\r\nabcde')]);
    try {
      const r = await pool(server.port).request('GET', '/');
      expect(r.headers.get('content-encoding')).toBe('x-custom');
      expect(new TextDecoder().decode(r.data)).toBe('abcde');
    } finally {
      await server.stop();
    }
  });

  it('decode_content false returns the bytes as sent', async () => {
    const r = await manager().request('GET', base() + '/pre/text.gz', { decode_content: false });
    expect(r.data).toEqual(new Uint8Array(PRE['/pre/text.gz']!));
  });

  it('read(amt) of a decoded body returns exactly amt bytes until the end', async () => {
    const r = await manager().request('GET', base() + '/pre/text.br', { preload_content: false });
    const sizes: number[] = [];
    for (;;) {
      const piece = await r.read(7777);
      if (piece.length === 0) break;
      sizes.push(piece.length);
    }
    expect(sizes.slice(0, -1).every((n) => n === 7777)).toBe(true);
    expect(sizes.reduce((a, b) => a + b)).toBe(text.length);
  });

  it.each(['/pre/corrupt.gz', '/pre/truncated.gz'])('%s raises DecodeError (not a silent cut)', async (path) => {
    const err = await manager()
      .request('GET', base() + path)
      .then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(DecodeError);
    expect((err as Error).message).toContain('content-encoding: gzip');
  });

  it('a 64 MiB gzip bomb streams in bounded pieces, RSS growing far less than the body', async () => {
    const r = await manager().request('GET', base() + '/pre/bomb.gz', { preload_content: false });
    const before = process.memoryUsage().rss;
    let total = 0;
    let peak = before;
    for await (const piece of r.stream(65536)) {
      total += piece.length;
      if ((total & 0xfffff) === 0) peak = Math.max(peak, process.memoryUsage().rss);
    }
    expect(total).toBe(64 << 20);
    expect(peak - before).toBeLessThan(32 << 20);
  });
});

describe('redirects (urllib3 rules)', () => {
  it('follows a same-host 301 and records it in history', async () => {
    const r = await manager().request('GET', base() + '/redirect/small');
    expect(r.status).toBe(200);
    expect(r.data).toEqual(small);
    expect(r.url).toBe(base() + '/small.txt');
    // nginx sends the Location absolute.
    expect(r.retries!.history.map((h) => [h.status, h.redirect_location])).toEqual([[301, base() + '/small.txt']]);
  });

  it('a redirect loop ends in MaxRetryError("too many redirects"); raise_on_redirect false returns the 302', async () => {
    const err = await manager()
      .request('GET', base() + '/redirect/loop', { retries: new Retry({ redirect: 3 }) })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MaxRetryError);
    expect((err as MaxRetryError).reason).toBeInstanceOf(ResponseError);
    expect(((err as MaxRetryError).reason as Error).message).toBe('too many redirects');
    const r = await manager().request('GET', base() + '/redirect/loop', { retries: new Retry({ redirect: 2, raise_on_redirect: false }) });
    expect(r.status).toBe(302);
    const off = await manager().request('GET', base() + '/redirect/loop', { redirect: false });
    expect(off.status).toBe(302);
  });

  /** A server that redirects every request to `location` with `status`. */
  const redirector = (status: number, location: () => string): RawResponder => (s) =>
    void s.write(`HTTP/1.1 ${status} Moved\r\nLocation: ${location()}\r\nContent-Length: 0\r\n\r\n`);

  async function echoed(r: { json(): unknown }) {
    const j = r.json() as { method: string; headers: [string, string][]; body: string };
    return { method: j.method, body: j.body, names: j.headers.map(([k]) => k.toLowerCase()) };
  }

  it('across hosts: Authorization, Cookie and Proxy-Authorization dropped, other headers kept', async () => {
    const server = await startRawServer([redirector(302, () => `http://localhost:${echo.port}/there`)]);
    try {
      const r = await manager().request('GET', `http://127.0.0.1:${server.port}/here`, {
        headers: { Authorization: 'Bearer x', Cookie: 'a=b', 'Proxy-Authorization': 'Basic y', 'X-Keep': '1' },
      });
      const e = await echoed(r);
      expect(e.names).toContain('x-keep');
      expect(e.names).not.toContain('authorization');
      expect(e.names).not.toContain('cookie');
      expect(e.names).not.toContain('proxy-authorization');
    } finally {
      await server.stop();
    }
  });

  it('a pool follows a relative Location against the path it answered', async () => {
    const server = await startRawServer([redirector(302, () => 'next?x=1')], raw.ok('there'));
    try {
      const r = await pool(server.port).request('GET', '/dir/here');
      expect(new TextDecoder().decode(r.data)).toBe('there');
      expect(server.requests[1]!.head.split('\r\n')[0]).toBe('GET /dir/next?x=1 HTTP/1.1');
    } finally {
      await server.stop();
    }
  });

  it('same host: Authorization kept', async () => {
    const server = await startRawServer([redirector(302, () => '/again')], raw.ok('done'));
    try {
      const r = await manager().request('GET', `http://127.0.0.1:${server.port}/`, { headers: { Authorization: 'Bearer x' } });
      expect(new TextDecoder().decode(r.data)).toBe('done');
      expect(server.requests[1]!.head).toMatch(/^Authorization: Bearer x\r$/m);
    } finally {
      await server.stop();
    }
  });

  it.each([
    [303, 'POST', 'GET', ''],
    [302, 'POST', 'POST', 'payload'],
    [301, 'POST', 'POST', 'payload'],
    [307, 'POST', 'POST', 'payload'],
    [308, 'PUT', 'PUT', 'payload'],
  ])('%i after %s: the next request is %s with body %j', async (status, method, nextMethod, nextBody) => {
    const server = await startRawServer([redirector(status, () => `http://127.0.0.1:${echo.port}/next`)]);
    try {
      const r = await manager().request(method, `http://127.0.0.1:${server.port}/`, {
        body: 'payload',
        headers: { 'Content-Type': 'text/plain' },
        retries: new Retry({ allowed_methods: null }),
      });
      const e = await echoed(r);
      expect([e.method, e.body]).toEqual([nextMethod, nextBody]);
      if (status === 303) expect(e.names).not.toContain('content-type');
    } finally {
      await server.stop();
    }
  });
});

describe('retries against failing servers', () => {
  it('a server that resets idle connections: the reset is seen before reuse, no retry spent', async () => {
    // Each answer is followed, 50 ms later, by a reset of the idle connection.
    const resetLater: RawResponder = (s) => {
      raw.ok('fine')(s, { head: '', body: new Uint8Array(0), connection: 0 });
      setTimeout(() => s.resetAndDestroy(), 50);
    };
    const server = await startRawServer([], resetLater);
    try {
      const p = pool(server.port, { retries: false });
      for (let i = 0; i < 5; i++) {
        const r = await p.request('POST', '/', { body: 'x' });
        expect(new TextDecoder().decode(r.data)).toBe('fine');
        // The reset goes out at 50 ms; a poll phase after it lets the client see it.
        await sleep(150);
        await new Promise((r) => setImmediate(r));
        await sleep(10);
      }
      expect(server.connections).toBe(5);
    } finally {
      await server.stop();
    }
  });

  it('a connection reset mid-request: GET retried (read retries), POST not (its error raised as is)', async () => {
    const server = await startRawServer([raw.reset(), raw.reset()], raw.ok('ok'));
    try {
      const r = await pool(server.port).request('GET', '/');
      expect(r.status).toBe(200);
      expect(r.retries!.history.map((h) => (h.error as Error).name)).toEqual(['ProtocolError', 'ProtocolError']);
      expect(server.requests.length).toBe(3);
    } finally {
      await server.stop();
    }
    const resets = await startRawServer([raw.reset()]);
    try {
      const err = await pool(resets.port).request('POST', '/', { body: 'x' }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ProtocolError);
      expect((err as Error).message).toContain('Connection aborted.');
      expect((err as Error).cause).toBeInstanceOf(Error);
      expect(resets.requests.length).toBe(1);
    } finally {
      await resets.stop();
    }
  });

  it('a stream body is not sent twice: a retry after it was sent raises UnrewindableBodyError', async () => {
    const server = await startRawServer([raw.reset()]);
    try {
      async function* body() {
        yield new TextEncoder().encode('part one, ');
        yield new TextEncoder().encode('part two');
      }
      const err = await pool(server.port)
        .request('PUT', '/', { body: body(), retries: new Retry({ allowed_methods: null }) })
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(UnrewindableBodyError);
      expect((err as Error).cause).toBeInstanceOf(ProtocolError);
      expect(server.requests.length).toBe(1);
    } finally {
      await server.stop();
    }
  });

  it('connection refused: every method is retried (nothing was sent); MaxRetryError(reason NewConnectionError)', async () => {
    const server = await startRawServer([]);
    const port = server.port;
    await server.stop();
    const err = await pool(port, { retries: 2 }).request('POST', '/', { body: 'x' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MaxRetryError);
    const reason = (err as MaxRetryError).reason as NewConnectionError;
    expect(reason).toBeInstanceOf(NewConnectionError);
    expect(reason.message).toBe('Failed to establish a new connection: [Errno 111] Connection refused');
    expect((reason.cause as Error).name).toBe('ConnectionRefusedError');
  });

  it('status_forcelist with Retry-After 0: retried, then raise_on_status decides', async () => {
    const err = await manager()
      .request('GET', base() + '/status/503', { retries: new Retry({ total: 2, status_forcelist: [503] }) })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MaxRetryError);
    expect(((err as MaxRetryError).reason as Error).message).toBe('too many 503 error responses');
    const r = await manager().request('GET', base() + '/status/500', { retries: new Retry({ total: 1, status_forcelist: [500], raise_on_status: false }) });
    expect(r.status).toBe(500);
    expect(r.retries!.history.length).toBe(1);
    // A Retry-After on 503 is a retry by itself (urllib3's RETRY_AFTER_STATUS_CODES), while
    // total is not 0: the second 503 comes back as the response.
    const again = await manager().request('GET', base() + '/status/503', { retries: new Retry({ total: 1 }) });
    expect(again.status).toBe(503);
    expect(again.retries!.history.map((h) => h.status)).toEqual([503]);
  });

  it('read timeout: ReadTimeoutError (urllib3 text), retried for GET, raised as is with retries false', async () => {
    const server = await startRawServer([raw.stall()], raw.ok('late but fine'));
    try {
      const r = await pool(server.port).request('GET', '/', { timeout: new Timeout({ read: 0.2 }) });
      expect(new TextDecoder().decode(r.data)).toBe('late but fine');
      expect((r.retries!.history[0]!.error as Error).name).toBe('ReadTimeoutError');
    } finally {
      await server.stop();
    }
    const stall = await startRawServer([raw.stall()]);
    try {
      const err = await pool(stall.port, { retries: false, timeout: 0.2 }).request('GET', '/').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ReadTimeoutError);
      expect((err as Error).message).toBe(`HTTPConnectionPool(host='127.0.0.1', port=${stall.port}): Read timed out. (read timeout=0.2)`);
      expect((err as Error).cause).toBeInstanceOf(Error);
    } finally {
      await stall.stop();
    }
  });

  it('connect timeout: a listener whose accept queue is full drops the SYN; ConnectTimeoutError, retried for POST too', async () => {
    // CPython's socket with listen(0) that never accepts: once its queue is full, Linux drops new SYNs.
    const py = spawn('/usr/bin/python3', ['-c', 'import socket,time\ns=socket.socket();s.bind(("127.0.0.1",0));s.listen(0)\nprint(s.getsockname()[1],flush=True)\ntime.sleep(60)']);
    const fillers: net.Socket[] = [];
    try {
      const port = await new Promise<number>((resolve) => py.stdout.once('data', (d) => resolve(Number(String(d).trim()))));
      for (let i = 0; i < 3; i++) fillers.push(net.connect(port, '127.0.0.1').on('error', () => {}));
      await sleep(200);
      const p = pool(port, { retries: 1, timeout: new Timeout({ connect: 0.3, read: 5 }) });
      const err = await p.request('POST', '/', { body: 'x' }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(MaxRetryError);
      const reason = (err as MaxRetryError).reason as Error;
      expect(reason).toBeInstanceOf(ConnectTimeoutError);
      expect(reason.message).toBe('Connection to 127.0.0.1 timed out. (connect timeout=0.3)');
      expect((err as MaxRetryError).message).toContain("Caused by ConnectTimeoutError('Connection to 127.0.0.1 timed out. (connect timeout=0.3)')");
      expect(reason.cause).toBeInstanceOf(Error);
    } finally {
      for (const s of fillers) s.destroy();
      py.kill();
    }
  });

  it('AbortSignal: a stalled request rejects with AbortError and the pool goes on', async () => {
    const server = await startRawServer([raw.stall()], raw.ok('next'));
    try {
      const p = pool(server.port, { maxsize: 1, block: true });
      const ac = new AbortController();
      const pending = p.request('GET', '/', { signal: ac.signal });
      setTimeout(() => ac.abort(), 50);
      await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
      const r = await p.request('GET', '/');
      expect(new TextDecoder().decode(r.data)).toBe('next');
      await expect(p.request('GET', '/', { signal: AbortSignal.abort() })).rejects.toMatchObject({ name: 'AbortError' });
    } finally {
      await server.stop();
    }
  });
});

describe('AbortSignal while waiting for a connection and while reading a body', () => {
  it('a request queued in block mode and a stalled body read each reject with AbortError; the slot is freed', async () => {
    // The first answer sends 7 of 100 body bytes and stalls.
    const server = await startRawServer([raw.send('HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\npartial')], raw.ok('next'));
    try {
      const p = pool(server.port, { maxsize: 1, block: true });
      const bodyAbort = new AbortController();
      const held = await p.request('GET', '/', { preload_content: false, signal: bodyAbort.signal });
      expect(held.status).toBe(200);
      const queueAbort = new AbortController();
      const queued = p.request('GET', '/', { signal: queueAbort.signal });
      queueAbort.abort();
      await expect(queued).rejects.toMatchObject({ name: 'AbortError' });
      const reading = held.read();
      bodyAbort.abort();
      await expect(reading).rejects.toMatchObject({ name: 'AbortError' });
      // The aborted body's connection went back closed: the next request reconnects (block mode, maxsize 1).
      const r = await p.request('GET', '/', { pool_timeout: 5 });
      expect(new TextDecoder().decode(r.data)).toBe('next');
      expect(server.connections).toBe(2);
    } finally {
      await server.stop();
    }
  });
});

describe('make_headers', () => {
  it('accept_encoding true lists what this runtime decodes; auth headers in base64', () => {
    const zstd = typeof (zlib as { zstdDecompressSync?: unknown }).zstdDecompressSync === 'function';
    expect(make_headers({ accept_encoding: true })).toEqual({ 'accept-encoding': zstd ? 'gzip,deflate,br,zstd' : 'gzip,deflate,br' });
    expect(make_headers({ basic_auth: 'u:p', proxy_basic_auth: 'a:b', keep_alive: true, user_agent: 'x/1', disable_cache: true })).toEqual({
      authorization: 'Basic dTpw',
      'proxy-authorization': 'Basic YTpi',
      connection: 'keep-alive',
      'user-agent': 'x/1',
      'cache-control': 'no-cache',
    });
  });
});

describe('bodies', () => {
  it('json, urlencoded and multipart fields; fields in the query for GET', async () => {
    const m = manager();
    const url = `http://127.0.0.1:${echo.port}/form`;
    const j = (await m.request('POST', url, { json: { a: [1, 'é'] } })).json() as { headers: [string, string][]; body: string };
    expect(JSON.parse(Buffer.from(j.body, 'latin1').toString('utf8'))).toEqual({ a: [1, 'é'] });
    expect(j.headers).toContainEqual(['Content-Type', 'application/json']);
    const u = (await m.request('POST', url, { fields: { q: 'a b&c', n: '1' }, encode_multipart: false })).json() as { body: string };
    expect(u.body).toBe('q=a+b%26c&n=1');
    const mp = (await m.request('POST', url, { fields: { name: 'x', file: ['f.txt', 'hello', 'text/plain'] }, multipart_boundary: 'BOUNDARY' })).json() as {
      body: string;
      headers: [string, string][];
    };
    expect(mp.headers).toContainEqual(['Content-Type', 'multipart/form-data; boundary=BOUNDARY']);
    expect(mp.body).toBe(
      '--BOUNDARY\r\nContent-Disposition: form-data; name="name"\r\n\r\nx\r\n' +
        '--BOUNDARY\r\nContent-Disposition: form-data; name="file"; filename="f.txt"\r\nContent-Type: text/plain\r\n\r\nhello\r\n--BOUNDARY--\r\n',
    );
    const g = (await m.request('GET', url, { fields: { q: 'x y' } })).json() as { path: string };
    expect(g.path).toBe('/form?q=x+y');
    const c = (await m.request('POST', url, { body: 'abc', chunked: true })).json() as { body: string; chunked: boolean };
    expect([c.body, c.chunked]).toEqual(['abc', true]);
  });
});

describe('TLS with the minted CA', () => {
  it('verifies against ca_certs; fails without it (SSLError reason); CERT_NONE accepts self-signed', async () => {
    const p = new HTTPSConnectionPool('127.0.0.1', nginx.tlsPort, { ca_certs: nginx.certs.caFile });
    pools.push(p);
    const r = await p.request('GET', '/small.txt');
    expect(r.data).toEqual(small);
    const again = await p.request('GET', '/small.txt');
    expect(connOf(again)).toBe(connOf(r));
    const err = await manager().request('GET', `https://127.0.0.1:${nginx.tlsPort}/small.txt`, { retries: 1 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MaxRetryError);
    const reason = (err as MaxRetryError).reason as SSLError;
    expect(reason).toBeInstanceOf(SSLError);
    expect(reason.cause).toBeInstanceOf(SSLCertVerificationError);
    const insecure = await manager({ cert_reqs: 'CERT_NONE' }).request('GET', `https://127.0.0.1:${nginx.selfSignedPort}/small.txt`);
    expect(insecure.data).toEqual(small);
  });
});

describe('observability (diagnostics_channel)', () => {
  it('publishes pool events and phase timings', async () => {
    const events: string[] = [];
    const timings: { queued: number; connect: number | null; firstByte: number | null; done: number | null; reused: boolean }[] = [];
    const subs = (['created', 'acquired', 'released', 'redirected'] as const).map((name) => {
      const fn = () => events.push(name);
      diagnostics_channel.subscribe(poolChannels[name].name as string, fn);
      return () => diagnostics_channel.unsubscribe(poolChannels[name].name as string, fn);
    });
    const onTiming = (m: unknown) => timings.push(m as (typeof timings)[number]);
    diagnostics_channel.subscribe('httpwire:pool:timings', onTiming);
    try {
      const m = manager();
      await m.request('GET', base() + '/redirect/small');
      await m.request('GET', base() + '/small.txt');
    } finally {
      subs.forEach((u) => u());
      diagnostics_channel.unsubscribe('httpwire:pool:timings', onTiming);
    }
    expect(events).toEqual(['created', 'acquired', 'released', 'redirected', 'acquired', 'released', 'acquired', 'released']);
    expect(timings.length).toBe(3);
    expect(timings[0]!.connect).not.toBe(null);
    expect(timings[2]!.reused).toBe(true);
    expect(timings[2]!.connect).toBe(null);
    for (const t of timings) {
      expect(t.firstByte).not.toBe(null);
      expect(t.done!).toBeGreaterThanOrEqual(t.firstByte!);
    }
  });

  it('times TCP and TLS apart on a new HTTPS connection (verified as usual), and neither on a reused one', async () => {
    const timings: { connect: number | null; tls: number | null; reused: boolean; status: number | null }[] = [];
    const onTiming = (m: unknown) => timings.push(m as (typeof timings)[number]);
    diagnostics_channel.subscribe('httpwire:pool:timings', onTiming);
    try {
      const p = new HTTPSConnectionPool('127.0.0.1', nginx.tlsPort, { ca_certs: nginx.certs.caFile });
      pools.push(p);
      await p.request('GET', '/small.txt');
      await p.request('GET', '/small.txt');
      const wrong = new HTTPSConnectionPool('127.0.0.1', nginx.wrongNamePort, { ca_certs: nginx.certs.caFile, retries: false });
      pools.push(wrong);
      await expect(wrong.request('GET', '/small.txt')).rejects.toBeInstanceOf(SSLError);
    } finally {
      diagnostics_channel.unsubscribe('httpwire:pool:timings', onTiming);
    }
    expect(timings[0]).toMatchObject({ reused: false, status: 200 });
    expect(timings[0]!.connect).not.toBe(null);
    expect(timings[0]!.tls).not.toBe(null);
    expect(timings[1]).toMatchObject({ reused: true, connect: null, tls: null, status: 200 });
  });
});
