// The integration peers themselves (test/support/servers.ts), checked with
// Node's own clients: if one of these fails, the httpwire integration tests
// that use the same peer cannot be trusted either.
import { describe, it, expect } from 'vitest';
import { existsSync } from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import * as net from 'node:net';
import * as tls from 'node:tls';
import { gunzipSync } from 'node:zlib';
import {
  STATIC_FILES,
  exchange,
  raw,
  startEchoServer,
  startNginx,
  startPythonHttpServer,
  startRawServer,
  startTinyproxy,
  findProgram,
  usePeer,
} from '../support/servers.js';

interface Got {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  localPort: number;
}

function get(mod: typeof http | typeof https, options: https.RequestOptions, body?: string): Promise<Got> {
  return new Promise((resolve, reject) => {
    const req = mod.request({ host: '127.0.0.1', timeout: 10_000, ...options }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (b: Buffer) => parts.push(b));
      res.on('end', () =>
        resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(parts), localPort: req.socket!.localPort! }),
      );
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
    req.end(body);
  });
}

const bytes = (path: string) => Buffer.from(STATIC_FILES[path]!);

describe('nginx helper', () => {
  const nginx = usePeer(startNginx);

  it('serves the static files at their known sizes, 404 and HEAD', async () => {
    expect(nginx.version).toMatch(/^nginx version: nginx\/\d+\.\d+/);
    for (const path of ['/small.txt', '/empty.txt', '/1mib.bin']) {
      const r = await get(http, { port: nginx.httpPort, path });
      expect(r.status).toBe(200);
      expect(Number(r.headers['content-length'])).toBe(STATIC_FILES[path]!.length);
      expect(r.body.equals(bytes(path))).toBe(true);
    }
    expect(STATIC_FILES['/1mib.bin']!.length).toBe(1 << 20);
    expect((await get(http, { port: nginx.httpPort, path: '/missing' })).status).toBe(404);
    const head = await get(http, { port: nginx.httpPort, path: '/small.txt', method: 'HEAD' });
    expect(head.headers['content-length']).toBe('1040');
    expect(head.body.length).toBe(0);
  });

  it('sends /gzip/ chunked and gzipped to a client that accepts gzip', async () => {
    const r = await get(http, { port: nginx.httpPort, path: '/gzip/lines.txt', headers: { 'accept-encoding': 'gzip' } });
    expect(r.headers['transfer-encoding']).toBe('chunked');
    expect(r.headers['content-encoding']).toBe('gzip');
    expect(r.body.length).toBeLessThan(STATIC_FILES['/gzip/lines.txt']!.length);
    expect(gunzipSync(r.body).equals(bytes('/gzip/lines.txt'))).toBe(true);
  });

  it('keeps a connection alive and numbers it in X-Connection and the access log', async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const got: Got[] = [];
      for (let i = 0; i < 3; i++) got.push(await get(http, { port: nginx.httpPort, path: '/info', agent }));
      expect(new Set(got.map((g) => g.headers['x-connection'])).size).toBe(1);
      expect(got.map((g) => g.headers['x-connection-requests'])).toEqual(['1', '2', '3']);
      expect(got[2]!.body.toString()).toMatch(/^GET \/info HTTP\/1\.1 connection=\d+ requests=3 length=\n$/);
      const id = got[0]!.headers['x-connection'];
      // nginx logs a request before it reads the next one: the first two are logged by now.
      const logged = nginx.accessLog().filter((l) => l.startsWith(`${id} `));
      expect(logged.slice(0, 2).map((l) => l.replace(/ \d+$/, ''))).toEqual([1, 2].map((n) => `${id} ${n} "GET /info HTTP/1.1" 200`));
    } finally {
      agent.destroy();
    }
  });

  it('reads and discards a POST body on /info', async () => {
    const r = await get(http, { port: nginx.httpPort, path: '/info', method: 'POST', headers: { 'content-length': '5' } }, 'hello');
    expect(r.body.toString()).toMatch(/^POST \/info HTTP\/1\.1 connection=\d+ requests=\d+ length=5\n$/);
  });

  it('TLS: the CA verifies the server certificate; the other name and the self-signed one are refused', async () => {
    const ok = await get(https, { port: nginx.tlsPort, path: '/small.txt', ca: nginx.certs.caPem });
    expect(ok.body.equals(bytes('/small.txt'))).toBe(true);
    await expect(get(https, { port: nginx.wrongNamePort, path: '/', ca: nginx.certs.caPem })).rejects.toMatchObject({
      code: 'ERR_TLS_CERT_ALTNAME_INVALID',
    });
    await expect(get(https, { port: nginx.selfSignedPort, path: '/', ca: nginx.certs.caPem })).rejects.toMatchObject({
      code: 'DEPTH_ZERO_SELF_SIGNED_CERT',
    });
    const trusted = await get(https, { port: nginx.selfSignedPort, path: '/small.txt', ca: nginx.certs.selfSigned.pem });
    expect(trusted.status).toBe(200);
  });

  it('stop() ends nginx, frees its ports and removes its directory', async () => {
    const other = await startNginx();
    expect(existsSync(other.dir)).toBe(true);
    await other.stop();
    expect(existsSync(other.dir)).toBe(false);
    await expect(exchange(other.httpPort, 'GET / HTTP/1.0\r\n\r\n')).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    await other.stop(); // idempotent
  });
});

describe('python3 -m http.server helper', () => {
  const server = usePeer(startPythonHttpServer);

  it('serves the static files over HTTP/1.1 keep-alive, and 404 with Connection: close', async () => {
    expect(server.version).toMatch(/^Python 3\./);
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const a = await get(http, { port: server.port, path: '/small.txt', agent });
      const b = await get(http, { port: server.port, path: '/1mib.bin', agent });
      expect(a.body.equals(bytes('/small.txt'))).toBe(true);
      expect(b.body.equals(bytes('/1mib.bin'))).toBe(true);
      expect(b.localPort).toBe(a.localPort);
    } finally {
      agent.destroy();
    }
    const missing = await get(http, { port: server.port, path: '/missing' });
    expect(missing.status).toBe(404);
    expect(missing.headers.connection).toBe('close');
  });
});

describe('echo server helper', () => {
  const server = usePeer(startEchoServer);

  it('echoes method, path, headers and a Content-Length body', async () => {
    const r = await get(http, { port: server.port, path: '/p?q=1', method: 'PUT', headers: { 'x-one': 'a' } }, 'héllo');
    const echo = JSON.parse(r.body.toString());
    expect(echo).toMatchObject({ method: 'PUT', path: '/p?q=1', version: 'HTTP/1.1', body: 'hÃ©llo', chunked: false });
    expect(echo.headers).toContainEqual(['x-one', 'a']);
    expect(echo.client_port).toBe(r.localPort);
  });

  it('decodes a chunked body with trailers', async () => {
    const answer = await exchange(
      server.port,
      'POST /c HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n3\r\nabc\r\n2;ext=1\r\nde\r\n0\r\nT: v\r\n\r\n',
    );
    const echo = JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4));
    expect(echo).toMatchObject({ method: 'POST', body: 'abcde', chunked: true, trailers: [['T', 'v']] });
  });
});

describe('tinyproxy helper', () => {
  const nginx = usePeer(startNginx);
  const proxy = usePeer(() => startTinyproxy([nginx.tlsPort]));

  it('tunnels CONNECT to an allowed port; TLS to nginx inside the tunnel', async () => {
    expect(proxy.version).toMatch(/^tinyproxy \d+\.\d+/);
    const socket = net.connect({ host: '127.0.0.1', port: proxy.port });
    try {
      await new Promise<void>((resolve, reject) => {
        socket.once('connect', resolve);
        socket.once('error', reject);
      });
      socket.write(`CONNECT 127.0.0.1:${nginx.tlsPort} HTTP/1.1\r\nHost: 127.0.0.1:${nginx.tlsPort}\r\n\r\n`);
      const reply = await new Promise<string>((resolve, reject) => {
        let got = '';
        const onData = (b: Buffer) => {
          got += b.toString('latin1');
          if (got.includes('\r\n\r\n')) {
            socket.off('data', onData);
            resolve(got);
          }
        };
        socket.on('data', onData);
        socket.once('error', reject);
      });
      expect(reply).toMatch(/^HTTP\/1\.[01] 200 /);
      const r = await get(https, {
        path: '/small.txt',
        ca: nginx.certs.caPem,
        createConnection: () => tls.connect({ socket, ca: nginx.certs.caPem, servername: 'localhost' }),
      } as https.RequestOptions);
      expect(r.body.equals(bytes('/small.txt'))).toBe(true);
    } finally {
      socket.destroy();
    }
  });

  it('refuses CONNECT to a port it was not given', async () => {
    const reply = await exchange(proxy.port, `CONNECT 127.0.0.1:${nginx.httpPort} HTTP/1.1\r\nHost: x\r\n\r\n`);
    expect(reply).toMatch(/^HTTP\/1\.[01] 403 /);
  });
});

describe('raw fault server helper', () => {
  it('plays its script per request, then answers 200 ok', async () => {
    const server = await startRawServer([raw.sendAndClose('HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nshort'), raw.reset()]);
    try {
      expect(await exchange(server.port, 'GET /a HTTP/1.1\r\n\r\n')).toBe('HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nshort');
      await expect(exchange(server.port, 'GET /b HTTP/1.1\r\n\r\n')).rejects.toMatchObject({ code: 'ECONNRESET' });
      expect(await exchange(server.port, 'POST /c HTTP/1.1\r\nContent-Length: 2\r\n\r\nhi')).toMatch(/\r\n\r\nok$/);
      expect(server.requests.map((r) => [r.head.split(' ')[1], r.connection])).toEqual([
        ['/a', 1],
        ['/b', 2],
        ['/c', 3],
      ]);
      expect(Buffer.from(server.requests[2]!.body).toString()).toBe('hi');
    } finally {
      await server.stop();
    }
  });
});

describe('usePeer', () => {
  const missing = usePeer(async () => {
    findProgram('httpwire-no-such-program');
    return startRawServer([]);
  });

  it('a peer that cannot start fails each test that uses it, with the reason', () => {
    expect(() => missing.port).toThrow(/httpwire-no-such-program is not installed/);
  });
});
