// urllib3's TLS and socket options of a pool, against nginx with the minted
// CA on 127.0.0.1: assert_fingerprint (MD5, SHA-1, SHA-256; the host name
// not checked when pinned, the chain still verified), assert_hostname as a
// name (urllib3's CertificateError text), ssl_minimum_version /
// ssl_maximum_version (the version a node:tls server negotiated, and one
// that cannot meet the minimum), socket_options (SO_KEEPALIVE seen by the kernel, as
// `ss` shows it).
import { execFileSync } from 'node:child_process';
import { createHash, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type * as net from 'node:net';
import * as tls from 'node:tls';
import { afterAll, describe, expect, it } from 'vitest';
import { CERT_NONE, create_default_context, TLSVersion } from '../../src/http/ssl.js';
import { ValueError } from '../../src/http/exceptions.js';
import {
  HTTPConnectionPool,
  HTTPSConnectionPool,
  IPPROTO_TCP,
  MaxRetryError,
  PoolManager,
  SO_KEEPALIVE,
  SOL_SOCKET,
  SSLError,
  TCP_KEEPIDLE,
  TCP_NODELAY,
  poolChannels,
  type HTTPSConnectionPoolOptions,
} from '../../src/pool/node.js';
import { findProgram, startNginx, STATIC_FILES, usePeer } from '../support/servers.js';

const nginx = usePeer(() => startNginx());
const small = STATIC_FILES['/small.txt']!;
const pools: { close(): void }[] = [];
afterAll(() => pools.forEach((p) => p.close()));
function https(port: number, options: HTTPSConnectionPoolOptions): HTTPSConnectionPool {
  const p = new HTTPSConnectionPool('127.0.0.1', port, options);
  pools.push(p);
  return p;
}

/** The socket under a streamed response's connection (the Node transport's). */
function socketOf(r: { connection: { sock: unknown } | null }): tls.TLSSocket & net.Socket {
  return (r.connection!.sock as { socket: tls.TLSSocket & net.Socket }).socket;
}

describe('assert_fingerprint', () => {
  const cert = () => new X509Certificate(readFileSync(nginx.certs.server.cert));
  const wrongNameCert = () => new X509Certificate(readFileSync(nginx.certs.wrongName.cert));

  it('SHA-256 (with colons, upper case), SHA-1 and MD5 (bare hex) of the server certificate pass', async () => {
    const c = cert();
    const md5 = createHash('md5').update(c.raw).digest('hex');
    for (const fp of [c.fingerprint256, c.fingerprint.replace(/:/g, '').toLowerCase(), md5]) {
      const r = await https(nginx.tlsPort, { ca_certs: nginx.certs.caFile, assert_fingerprint: fp }).request('GET', '/small.txt');
      expect([fp, r.status, r.data]).toEqual([fp, 200, small]);
    }
  });

  it('a pinned certificate is not checked against the host name; its chain still is', async () => {
    const ok = await https(nginx.wrongNamePort, { ca_certs: nginx.certs.caFile, assert_fingerprint: wrongNameCert().fingerprint256 }).request('GET', '/small.txt');
    expect(ok.data).toEqual(small);
    // The self-signed certificate with its own fingerprint: the chain does not verify.
    const self = new X509Certificate(nginx.certs.selfSigned.pem);
    const err = await https(nginx.selfSignedPort, { ca_certs: nginx.certs.caFile, assert_fingerprint: self.fingerprint256, retries: false })
      .request('GET', '/small.txt')
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SSLError);
  });

  it('CERT_NONE with a good fingerprint passes; with a bad one it is an SSLError', async () => {
    const self = new X509Certificate(nginx.certs.selfSigned.pem);
    const r = await https(nginx.selfSignedPort, { cert_reqs: 'CERT_NONE', assert_fingerprint: self.fingerprint256 }).request('GET', '/small.txt');
    expect(r.data).toEqual(small);
    const bad = 'aa'.repeat(32);
    const err = await https(nginx.selfSignedPort, { cert_reqs: 'CERT_NONE', assert_fingerprint: bad, retries: false })
      .request('GET', '/small.txt')
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SSLError);
    const got = self.fingerprint256.replace(/:/g, '').toLowerCase();
    expect((err as Error).message).toBe(`Fingerprints did not match. Expected "${bad}", got "${got}"`);
  });

  it('a mismatch is retried as urllib3 does, then MaxRetryError with the SSLError as reason; the bad connection is closed', async () => {
    const p = https(nginx.tlsPort, { ca_certs: nginx.certs.caFile, assert_fingerprint: '00'.repeat(20), retries: 2 });
    const err = await p.request('GET', '/small.txt').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MaxRetryError);
    expect((err as MaxRetryError).reason).toBeInstanceOf(SSLError);
    expect(p.num_connections).toBe(1); // one connection object, reconnected for each attempt
    expect(p.num_idle).toBe(1);
    expect(p.num_requests).toBe(0); // no request went out over an unverified connection
  });

  it('a fingerprint of a length that names no hash is an SSLError', async () => {
    const err = await https(nginx.tlsPort, { ca_certs: nginx.certs.caFile, assert_fingerprint: 'ab:cd', retries: false })
      .request('GET', '/small.txt')
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SSLError);
    expect((err as Error).message).toBe('Fingerprint of invalid length: abcd');
  });

  it('PoolManager keeps a pool per fingerprint', () => {
    const m = new PoolManager({ ca_certs: nginx.certs.caFile });
    pools.push(m);
    const a = m.connection_from_host('127.0.0.1', nginx.tlsPort, 'https', { assert_fingerprint: 'aa'.repeat(32) });
    const b = m.connection_from_host('127.0.0.1', nginx.tlsPort, 'https', { assert_fingerprint: 'bb'.repeat(32) });
    expect(a).not.toBe(b);
  });
});

describe('assert_hostname as a name', () => {
  /** One GET of /small.txt on `port` with assert_hostname `name` (no retries): the body, or the error. */
  const get = (port: number, name: string) =>
    https(port, { ca_certs: nginx.certs.caFile, assert_hostname: name, retries: false })
      .request('GET', '/small.txt')
      .then((r) => r.data, (e: unknown) => e);

  it('the certificate is checked against that name instead of the host connected to', async () => {
    // nginx's wrongNamePort: a CA-signed certificate for DNS:wrong.example only, reached as 127.0.0.1.
    const refused = await https(nginx.wrongNamePort, { ca_certs: nginx.certs.caFile, retries: false }).request('GET', '/small.txt').catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(SSLError);
    expect(await get(nginx.wrongNamePort, 'wrong.example')).toEqual(small);
    const other = await get(nginx.wrongNamePort, 'other.example');
    expect(other).toBeInstanceOf(SSLError);
    // urllib3's CertificateError text.
    expect((other as Error).message).toBe("hostname 'other.example' doesn't match 'wrong.example'");
    // Only the certificate's DNS names are listed, as urllib3 does (its IP address entry is not).
    expect(((await get(nginx.tlsPort, 'other.example')) as Error).message).toBe("hostname 'other.example' doesn't match 'localhost'");
    // The certificate for localhost and 127.0.0.1, asked to match localhost while connected to 127.0.0.1.
    expect(await get(nginx.tlsPort, 'localhost')).toEqual(small);
  });

  it('also when TCP and TLS are timed apart (a timings subscriber: TLS started over the plain transport)', async () => {
    const seen: unknown[] = [];
    const onTimings = (e: unknown) => seen.push(e);
    poolChannels.timings.subscribe(onTimings);
    try {
      expect(await get(nginx.wrongNamePort, 'wrong.example')).toEqual(small);
      expect(await get(nginx.wrongNamePort, 'other.example')).toBeInstanceOf(SSLError);
      expect((seen[0] as { tls: number | null }).tls).not.toBe(null);
    } finally {
      poolChannels.timings.unsubscribe(onTimings);
    }
  });
});

describe('ssl_minimum_version / ssl_maximum_version', () => {
  /** A TLS server (the minted CA's certificate) answering with the TLS version it negotiated; `maxVersion` limits it. */
  async function versionServer(maxVersion: tls.SecureVersion): Promise<{ port: number; close(): void }> {
    const server = tls.createServer({ cert: readFileSync(nginx.certs.server.cert), key: readFileSync(nginx.certs.server.key), maxVersion }, (s) => {
      const v = s.getProtocol() ?? '';
      s.end(`HTTP/1.1 200 OK\r\nContent-Length: ${v.length}\r\n\r\n${v}`);
    });
    server.on('tlsClientError', () => {});
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return { port: (server.address() as net.AddressInfo).port, close: () => server.close() };
  }

  it('the version negotiated follows them', async () => {
    const server = await versionServer('TLSv1.3');
    try {
      const rows: [HTTPSConnectionPoolOptions, string][] = [
        [{ ssl_maximum_version: TLSVersion.TLSv1_2 }, 'TLSv1.2'],
        [{ ssl_minimum_version: TLSVersion.TLSv1_3 }, 'TLSv1.3'],
        [{ ssl_minimum_version: TLSVersion.TLSv1_2, ssl_maximum_version: TLSVersion.TLSv1_2 }, 'TLSv1.2'],
        [{}, 'TLSv1.3'],
      ];
      for (const [options, expected] of rows) {
        const r = await https(server.port, { ca_certs: nginx.certs.caFile, ...options }).request('GET', '/');
        expect([options, new TextDecoder().decode(r.data)]).toEqual([options, expected]);
      }
    } finally {
      server.close();
    }
  });

  it('a server that cannot meet the minimum: SSLError', async () => {
    const server = await versionServer('TLSv1.2');
    try {
      const err = await https(server.port, { ca_certs: nginx.certs.caFile, ssl_minimum_version: TLSVersion.TLSv1_3, retries: false })
        .request('GET', '/')
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(SSLError);
    } finally {
      server.close();
    }
  });
});

describe('socket_options', () => {
  const ss = findProgram('ss');
  /** The kernel's view of one local TCP port's socket: `ss -tno` (timer:(keepalive,...) when SO_KEEPALIVE is on). */
  const kernelView = (localPort: number) => execFileSync(ss, ['-tno', 'state', 'established', `( sport = :${localPort} )`], { encoding: 'utf8' });

  it('SO_KEEPALIVE with TCP_KEEPIDLE: the kernel runs a keepalive timer on the connection; without them it does not', async () => {
    const p = new HTTPConnectionPool('127.0.0.1', nginx.httpPort, {
      socket_options: [
        [IPPROTO_TCP, TCP_NODELAY, 1],
        [SOL_SOCKET, SO_KEEPALIVE, 1],
        [IPPROTO_TCP, TCP_KEEPIDLE, 30],
      ],
    });
    pools.push(p);
    const r = await p.request('GET', '/small.txt', { preload_content: false });
    const view = kernelView(socketOf(r).localPort!);
    await r.read();
    expect(view).toMatch(/timer:\(keepalive,/);
    // The default (urllib3's default_socket_options: TCP_NODELAY only).
    const plain = new HTTPConnectionPool('127.0.0.1', nginx.httpPort);
    pools.push(plain);
    const q = await plain.request('GET', '/small.txt', { preload_content: false });
    const plainView = kernelView(socketOf(q).localPort!);
    await q.read();
    expect(plainView).toContain(`127.0.0.1:${nginx.httpPort}`);
    expect(plainView).not.toMatch(/keepalive/);
  });

  it('an option this runtime cannot set is a ValueError when the pool is made', () => {
    expect(() => new HTTPConnectionPool('127.0.0.1', 1, { socket_options: [[SOL_SOCKET, 2 /* SO_REUSEADDR */, 1]] })).toThrow(ValueError);
  });
});

describe('assert_fingerprint on every connect of a pool connection', () => {
  it('a connection that reopens itself (auto_open after the server closed) is checked too, as urllib3 2.7.0 does', async () => {
    // The first two TCP connections present the pinned certificate, later ones another. The first
    // drops its 2nd request unanswered; later ones close after each response (no Connection: close),
    // so the pool's connection reopens itself when it sends the next request.
    const { createServer } = await import('node:net');
    const certA = { key: readFileSync(nginx.certs.server.key), cert: readFileSync(nginx.certs.server.cert) };
    const certB = { key: readFileSync(nginx.certs.wrongName.key), cert: readFileSync(nginx.certs.wrongName.cert) };
    const ctxA = tls.createSecureContext(certA);
    const ctxB = tls.createSecureContext(certB);
    let accepted = 0;
    const front = createServer((raw) => {
      const idx = accepted++;
      const which = idx <= 1 ? 'A' : 'B';
      const s = new tls.TLSSocket(raw, { isServer: true, secureContext: which === 'A' ? ctxA : ctxB });
      let buf = '';
      let reqs = 0;
      s.on('data', (d: Buffer) => {
        buf += d.toString('latin1');
        if (!buf.includes('\r\n\r\n')) return;
        buf = '';
        reqs++;
        if (idx === 0 && reqs === 2) return void s.destroy();
        s.write(`HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n${which}`);
        if (idx !== 0) s.end();
      });
      s.on('error', () => {});
    });
    await new Promise<void>((resolve) => front.listen(0, '127.0.0.1', resolve));
    try {
      const port = (front.address() as net.AddressInfo).port;
      const fp = new X509Certificate(certA.cert).fingerprint256;
      const p = https(port, { cert_reqs: 'CERT_NONE', assert_fingerprint: fp, retries: 3, maxsize: 1 });
      const results: unknown[] = [];
      for (let i = 0; i < 6; i++) {
        try {
          const r = await p.request('GET', `/${i}`);
          results.push([r.status, new TextDecoder().decode(r.data)]);
        } catch (e) {
          const reason = (e as MaxRetryError).reason;
          results.push([(e as Error).name, (reason as Error | undefined)?.name, String((reason as Error | undefined)?.message).slice(0, 26)]);
        }
      }
      // urllib3 2.7.0 (python3 /tmp/review/fp_client.py against the same server): 200 A, 200 A, then MaxRetryError(SSLError) x4.
      const refused = ['MaxRetryError', 'SSLError', 'Fingerprints did not match'];
      expect(results).toEqual([[200, 'A'], [200, 'A'], refused, refused, refused, refused]);
    } finally {
      front.close();
    }
  });
});

describe("a caller's ssl_context with assert_fingerprint, assert_hostname or cert_reqs (urllib3 2.7.0's _ssl_wrap_socket_and_match_hostname)", () => {
  /** One GET of /small.txt on `port` (no retries): the body, or the error. */
  const get = (options: HTTPSConnectionPoolOptions, port = nginx.wrongNamePort) =>
    https(port, { retries: false, ...options })
      .request('GET', '/small.txt')
      .then((r) => r.data, (e: unknown) => e);
  const ctx = () => create_default_context({ cafile: nginx.certs.caFile });

  it('assert_fingerprint or assert_hostname: false turn the host name check off on the context (the chain is still verified)', async () => {
    // nginx's wrongNamePort: a CA-signed certificate for DNS:wrong.example only, reached as 127.0.0.1.
    const fp = new X509Certificate(readFileSync(nginx.certs.wrongName.cert)).fingerprint256;
    // The same answers as urllib3 2.7.0 for these cases (python3 /tmp/review/pool_tls.py).
    const withFp = ctx();
    expect(await get({ ssl_context: withFp, assert_fingerprint: fp })).toEqual(small);
    // urllib3 sets it on the context it was given.
    expect(withFp.check_hostname).toBe(false);
    expect(await get({ ssl_context: ctx(), assert_hostname: false })).toEqual(small);
    // Without either, the context checks the host name: 127.0.0.1 is not in the certificate.
    expect(await get({ ssl_context: ctx() })).toBeInstanceOf(SSLError);
    // A wrong pin still refuses; the chain is still verified (a CA that did not sign it).
    expect(await get({ ssl_context: ctx(), assert_fingerprint: 'aa'.repeat(32) })).toBeInstanceOf(SSLError);
    const selfSigned = new X509Certificate(nginx.certs.selfSigned.pem).fingerprint256;
    const untrusted = await https(nginx.selfSignedPort, { retries: false, ssl_context: ctx(), assert_fingerprint: selfSigned })
      .request('GET', '/small.txt')
      .catch((e: unknown) => e);
    expect(untrusted).toBeInstanceOf(SSLError);
  });

  it("cert_reqs: 'CERT_NONE' with a context that checks host names: ValueError, as ssl's verify_mode setter", async () => {
    const err = await get({ ssl_context: ctx(), cert_reqs: 'CERT_NONE' }, nginx.tlsPort);
    expect(err).toBeInstanceOf(ValueError);
    expect((err as Error).message).toBe('Cannot set verify_mode to CERT_NONE when check_hostname is enabled.');
    // With the host name check off on the context, CERT_NONE is set on it and the request goes through.
    const off = ctx();
    off.check_hostname = false;
    expect(await get({ ssl_context: off, cert_reqs: 'CERT_NONE' }, nginx.tlsPort)).toEqual(small);
    expect(off.verify_mode).toBe(CERT_NONE);
  });
});
