// The Node transport over real sockets on 127.0.0.1 only: servers are
// started and stopped by each test; the TLS certificate is minted at test
// time with openssl in a temporary directory.
import { describe, it, expect, beforeAll, afterAll, afterEach } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tls from 'node:tls';
import { NodeTransport, nodeTransportFactory } from '../../src/transport/node.js';
import { TransportError } from '../../src/transport/types.js';

const enc = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));
const dec = (b: Uint8Array) => String.fromCharCode(...b);

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function listen(server: net.Server): Promise<number> {
  const sockets = new Set<net.Socket>();
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  server.on('secureConnection', (s: net.Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  );
  return (server.address() as net.AddressInfo).port;
}

function track<T extends { close(): void }>(t: T): T {
  cleanups.push(() => t.close());
  return t;
}

async function readAll(t: NodeTransport, limit = 100_000): Promise<string> {
  let out = '';
  for (let i = 0; i < limit; i++) {
    const c = await t.read();
    if (c === null) return out;
    out += dec(c);
  }
  throw new Error('read loop bound exceeded');
}

function echoServer(): net.Server {
  return net.createServer({ allowHalfOpen: true }, (s) => {
    s.on('error', () => {});
    s.pipe(s);
  });
}

describe('nodeTransportFactory over TCP', () => {
  it('echo round trip, then EOF is null', async () => {
    const port = await listen(echoServer());
    const t = track((await nodeTransportFactory({ host: '127.0.0.1', port })) as NodeTransport);
    expect(t.closed).toBe(false);
    expect(t.peer).toEqual({ address: '127.0.0.1', port });
    await t.write(enc('hello, '));
    await t.write(enc('world'));
    t.socket.end(); // half-close: the echo server ends after echoing
    expect(await readAll(t)).toBe('hello, world');
    expect(await t.read()).toBeNull();
    t.close();
    expect(t.closed).toBe(true);
    await expect(t.write(enc('x'))).rejects.toMatchObject({ code: 'ECLOSED' });
  });

  it('EOF from the server is null', async () => {
    const port = await listen(net.createServer((s) => s.end('bye')));
    const t = track(await nodeTransportFactory({ host: '127.0.0.1', port, timeout: 10 }));
    expect(await readAll(t as NodeTransport)).toBe('bye');
    expect(await t.read()).toBeNull();
  });

  it('returned chunks are distinct memory', async () => {
    const port = await listen(net.createServer((s) => s.end(Buffer.alloc(256 * 1024, 0x61))));
    const t = track((await nodeTransportFactory({ host: '127.0.0.1', port })) as NodeTransport);
    const chunks: Uint8Array[] = [];
    for (let i = 0; i < 100_000; i++) {
      const c = await t.read();
      if (c === null) break;
      chunks.push(c);
    }
    const total = chunks.reduce((n, c) => n + c.length, 0);
    expect(total).toBe(256 * 1024);
    for (const c of chunks) c.fill(0x62); // mutating one chunk never alters another
    for (const c of chunks) expect(c.every((b) => b === 0x62)).toBe(true);
  });

  it('backpressure: a slow reader keeps client-side buffering bounded', async () => {
    const SIZE = 8 * 1024 * 1024;
    let serverSocket: net.Socket | undefined;
    const port = await listen(
      net.createServer((s) => {
        serverSocket = s;
        s.on('error', () => {});
        s.end(Buffer.alloc(SIZE, 0x78));
      }),
    );
    const t = track((await nodeTransportFactory({ host: '127.0.0.1', port })) as NodeTransport);
    const BOUND = 1024 * 1024;
    let maxBuffered = 0;
    let total = 0;
    let reads = 0;
    for (; reads < 1_000_000; reads++) {
      // Let the event loop run: a socket that is not paused would keep reading.
      for (let k = 0; k < 5; k++) await new Promise((r) => setImmediate(r));
      maxBuffered = Math.max(maxBuffered, t.bufferedBytes);
      const c = await t.read();
      if (c === null) break;
      expect(c.length).toBeLessThanOrEqual(BOUND);
      total += c.length;
      if (reads === 0) {
        // After one read, the rest is held back by TCP, not by this process.
        for (let k = 0; k < 50; k++) await new Promise((r) => setImmediate(r));
        maxBuffered = Math.max(maxBuffered, t.bufferedBytes);
        expect(serverSocket).toBeDefined();
      }
    }
    expect(total).toBe(SIZE);
    expect(maxBuffered).toBeLessThanOrEqual(BOUND);
    expect(reads).toBeGreaterThan(1);
  });

  it('connect refused is ECONNREFUSED', async () => {
    // Find a free port, then close the listener so nothing accepts there.
    const server = net.createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const port = (server.address() as net.AddressInfo).port;
    await new Promise<void>((r) => server.close(() => r()));
    const err = await nodeTransportFactory({ host: '127.0.0.1', port, timeout: 10 }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(TransportError);
    expect(err).toMatchObject({ code: 'ECONNREFUSED', syscall: 'connect' });
    expect((err as TransportError).errno).toBeGreaterThan(0);
    expect((err as TransportError).cause).toBeInstanceOf(Error);
  });

  it('a read wait longer than the timeout is ETIMEDOUT and closes the transport', async () => {
    const port = await listen(net.createServer((s) => s.on('error', () => {})));
    const t = track(await nodeTransportFactory({ host: '127.0.0.1', port }));
    t.setTimeout(0.2);
    await expect(t.read()).rejects.toMatchObject({ name: 'TransportError', code: 'ETIMEDOUT' });
    expect(t.closed).toBe(true);
  });

  it('the connect timeout applies to later reads', async () => {
    const port = await listen(net.createServer((s) => s.on('error', () => {})));
    const t = track(await nodeTransportFactory({ host: '127.0.0.1', port, timeout: 0.2 }));
    await expect(t.read()).rejects.toMatchObject({ code: 'ETIMEDOUT' });
  });

  it('setTimeout(null) removes the timeout', async () => {
    const port = await listen(
      net.createServer((s) => {
        s.once('data', () => s.end('late'));
      }),
    );
    const t = track(await nodeTransportFactory({ host: '127.0.0.1', port, timeout: 0.2 }));
    t.setTimeout(null);
    const pending = t.read();
    await t.write(enc('go'));
    expect(dec((await pending)!)).toBe('late');
  });

  it('a reset is ECONNRESET on read', async () => {
    const port = await listen(
      net.createServer((s) => {
        s.once('data', () => s.resetAndDestroy());
      }),
    );
    const t = track(await nodeTransportFactory({ host: '127.0.0.1', port }));
    await t.write(enc('x'));
    await expect(t.read()).rejects.toMatchObject({ code: 'ECONNRESET' });
  });

  it('source_address binds the local end', async () => {
    let remotePort: number | undefined;
    const port = await listen(
      net.createServer((s) => {
        remotePort = s.remotePort;
        s.end('ok');
      }),
    );
    const t = track((await nodeTransportFactory({ host: '127.0.0.1', port, source_address: ['127.0.0.1', 0] })) as NodeTransport);
    expect(t.socket.localAddress).toBe('127.0.0.1');
    expect(await readAll(t)).toBe('ok');
    expect(remotePort).toBe(t.socket.localPort);
  });

  it('a second concurrent read is refused', async () => {
    const port = await listen(net.createServer((s) => s.on('error', () => {})));
    const t = track(await nodeTransportFactory({ host: '127.0.0.1', port }));
    const first = t.read();
    await expect(t.read()).rejects.toMatchObject({ code: 'EBUSY' });
    t.close();
    await expect(first).rejects.toMatchObject({ code: 'ECLOSED' });
  });
});

describe('nodeTransportFactory over TLS', () => {
  let dir: string;
  let key: string;
  let cert: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'httpwire-tls-'));
    execFileSync(
      'openssl',
      [
        'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
        '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '1',
        '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1',
      ],
      { stdio: 'ignore' },
    );
    key = readFileSync(join(dir, 'key.pem'), 'utf8');
    cert = readFileSync(join(dir, 'cert.pem'), 'utf8');
  });

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  function tlsEcho(): tls.Server {
    const server = tls.createServer({ key, cert, allowHalfOpen: true, ALPNProtocols: ['http/1.1'] }, (s) => {
      s.on('error', () => {});
      s.pipe(s);
    });
    server.on('tlsClientError', () => {});
    return server;
  }

  it('verified round trip with the minted CA', async () => {
    const port = await listen(tlsEcho());
    const t = track(
      (await nodeTransportFactory({
        host: '127.0.0.1',
        port,
        timeout: 10,
        tls: { servername: 'localhost', ca: cert, ALPNProtocols: ['http/1.1'], minVersion: 'TLSv1.2' },
      })) as NodeTransport,
    );
    const sock = t.socket as tls.TLSSocket;
    expect(sock.authorized).toBe(true);
    expect(sock.alpnProtocol).toBe('http/1.1');
    expect(t.peer).toEqual({ address: '127.0.0.1', port });
    await t.write(enc('secret'));
    expect(dec((await t.read())!)).toBe('secret');
  });

  it('the CA can be given as bytes, and the IP SAN verifies without servername', async () => {
    const port = await listen(tlsEcho());
    const t = track(
      (await nodeTransportFactory({ host: '127.0.0.1', port, tls: { ca: enc(cert) } })) as NodeTransport,
    );
    await t.write(enc('ip'));
    expect(dec((await t.read())!)).toBe('ip');
  });

  it('a wrong servername is rejected', async () => {
    const port = await listen(tlsEcho());
    const err = await nodeTransportFactory({
      host: '127.0.0.1',
      port,
      timeout: 10,
      tls: { servername: 'wrong.example', ca: cert },
    }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(TransportError);
    expect((err as TransportError).code).toBe('ERR_TLS_CERT_ALTNAME_INVALID');
  });

  it('an unknown CA is rejected unless rejectUnauthorized is false', async () => {
    const port = await listen(tlsEcho());
    const err = await nodeTransportFactory({ host: '127.0.0.1', port, tls: { servername: 'localhost' } }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(TransportError);
    expect((err as TransportError).code).toBe('DEPTH_ZERO_SELF_SIGNED_CERT');
    const t = track(
      await nodeTransportFactory({ host: '127.0.0.1', port, tls: { servername: 'localhost', rejectUnauthorized: false } }),
    );
    await t.write(enc('ok'));
    expect(dec((await t.read())!)).toBe('ok');
  });
});
