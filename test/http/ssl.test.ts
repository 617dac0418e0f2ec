// The ssl pieces (SSLContext, create_default_context, the unverified
// context) against Python's rules, and HTTPSConnection over real TLS on
// 127.0.0.1 with certificates minted by openssl at test time: the server
// sees SNI, ALPN http/1.1 and the client certificate; failures raise
// ssl.SSLCertVerificationError as Python's do.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as net from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tls from 'node:tls';
import {
  _create_unverified_context,
  CERT_NONE,
  CERT_REQUIRED,
  create_default_context,
  FileNotFoundError,
  HTTPSConnection,
  OSError,
  SSLContext,
  SSLError,
  TLSVersion,
  TypeError as PyTypeError,
  ValueError,
} from '../../src/index.js';
import { SSLCertVerificationError } from '../../src/http/exceptions.js';
import { python313 } from '../support/python.js';

describe('SSLContext follows Python', () => {
  it('a client context verifies by default; CERT_NONE needs check_hostname off first', () => {
    const expected = python313(
      String.raw`
import ssl, json, sys
c = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
out = [c.check_hostname, int(c.verify_mode)]
try:
    c.verify_mode = ssl.CERT_NONE
except ValueError as e:
    out.append(str(e))
c.check_hostname = False
c.verify_mode = ssl.CERT_NONE
c.check_hostname = True
out.append(int(c.verify_mode))
try:
    c.load_verify_locations()
except TypeError as e:
    out.append(str(e))
d = ssl.create_default_context()
u = ssl._create_unverified_context()
out += [d.check_hostname, int(d.verify_mode), d.minimum_version.name, u.check_hostname, int(u.verify_mode)]
print(json.dumps(out))
`,
      null,
    ) as unknown[];
    const c = new SSLContext();
    const out: unknown[] = [c.check_hostname, c.verify_mode];
    try {
      c.verify_mode = CERT_NONE;
    } catch (e) {
      expect(e).toBeInstanceOf(ValueError);
      out.push((e as Error).message);
    }
    c.check_hostname = false;
    c.verify_mode = CERT_NONE;
    c.check_hostname = true;
    out.push(c.verify_mode);
    try {
      c.load_verify_locations();
    } catch (e) {
      expect(e).toBeInstanceOf(PyTypeError);
      out.push((e as Error).message);
    }
    const d = create_default_context();
    const u = _create_unverified_context();
    out.push(d.check_hostname, d.verify_mode, d.minimum_version === TLSVersion.TLSv1_2 ? 'TLSv1_2' : d.minimum_version, u.check_hostname, u.verify_mode);
    expect(out).toEqual(expected);
  });

  it('HTTPSConnection defaults: port 443, a verifying context offering ALPN http/1.1', () => {
    const conn = new HTTPSConnection('example.com');
    expect([conn.port, conn.default_port, HTTPSConnection.default_port]).toEqual([443, 443, 443]);
    const opts = conn._context.tlsOptions('example.com');
    expect(opts).toMatchObject({ servername: 'example.com', rejectUnauthorized: true, checkHostname: true, systemCA: true, ALPNProtocols: ['http/1.1'], minVersion: 'TLSv1.2' });
    // An IP address is verified, but never sent as SNI.
    expect(conn._context.tlsOptions('127.0.0.1').servername).toBeUndefined();
  });
});

describe('HTTPSConnection over real TLS', () => {
  let dir: string;
  let caFile: string;
  let serverKey: string;
  let serverCert: string;
  let selfKey: string;
  let selfCert: string;
  let clientCert: string;
  let clientKey: string;
  const cleanups: (() => void | Promise<void>)[] = [];

  const sh = (...args: string[]) => execFileSync('openssl', args, { stdio: 'ignore' });

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'httpwire-ssl-'));
    const p = (n: string) => join(dir, n);
    const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
    sh('req', '-x509', ...ec, '-keyout', p('ca.key'), '-out', p('ca.pem'), '-days', '2', '-subj', '/CN=httpwire test CA');
    for (const [name, subj, ext] of [
      ['server', '/CN=localhost', 'subjectAltName=DNS:localhost,IP:127.0.0.1'],
      ['client', '/CN=httpwire client', 'extendedKeyUsage=clientAuth'],
    ] as const) {
      sh('req', ...ec, '-keyout', p(`${name}.key`), '-out', p(`${name}.csr`), '-subj', subj);
      writeFileSync(p(`${name}.ext`), ext + '\n');
      sh('x509', '-req', '-in', p(`${name}.csr`), '-CA', p('ca.pem'), '-CAkey', p('ca.key'), '-CAcreateserial', '-out', p(`${name}.pem`), '-days', '2', '-extfile', p(`${name}.ext`));
    }
    sh('req', '-x509', ...ec, '-keyout', p('self.key'), '-out', p('self.pem'), '-days', '2', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1');
    caFile = p('ca.pem');
    serverKey = readFileSync(p('server.key'), 'utf8');
    serverCert = readFileSync(p('server.pem'), 'utf8');
    selfKey = readFileSync(p('self.key'), 'utf8');
    selfCert = readFileSync(p('self.pem'), 'utf8');
    clientCert = p('client.pem');
    clientKey = p('client.key');
  });

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  afterEach(async () => {
    while (cleanups.length) await cleanups.pop()!();
  });

  interface Seen {
    servername?: string | false;
    alpn?: string | false | null;
    peerCN?: string;
  }

  /** A TLS server answering every request with 200 and what it saw of the handshake. */
  async function server(key: string, cert: string, requestCert = false): Promise<{ port: number; seen: Seen[] }> {
    const seen: Seen[] = [];
    const srv = tls.createServer({ key, cert, ALPNProtocols: ['http/1.1'], requestCert, rejectUnauthorized: false, ca: readFileSync(caFile) }, (s) => {
      const peer = s.getPeerCertificate();
      seen.push({ servername: s.servername, alpn: s.alpnProtocol, peerCN: peer && 'subject' in peer ? String(peer.subject?.CN) : undefined });
      s.on('error', () => {});
      s.on('data', () => s.write('HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nsecure'));
    });
    srv.on('tlsClientError', () => {});
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
    cleanups.push(() => new Promise<void>((r) => srv.close(() => r())));
    return { port: (srv.address() as AddressInfo).port, seen };
  }

  async function get(conn: HTTPSConnection): Promise<string> {
    cleanups.push(() => conn.close());
    await conn.request('GET', '/');
    const r = await conn.getresponse();
    return Buffer.from(await r.read()).toString('latin1');
  }

  it('verifies with the CA file, sends SNI and ALPN http/1.1', async () => {
    const { port, seen } = await server(serverKey, serverCert);
    const context = create_default_context({ cafile: caFile });
    context.set_alpn_protocols(['http/1.1']);
    expect(await get(new HTTPSConnection('localhost', port, { context, timeout: 10 }))).toBe('secure');
    expect(seen[0]).toMatchObject({ servername: 'localhost', alpn: 'http/1.1' });
  });

  it('cadata (PEM text) works as well, and an IP address verifies against its IP SAN', async () => {
    const { port } = await server(serverKey, serverCert);
    const context = create_default_context({ cadata: readFileSync(caFile, 'utf8') });
    expect(await get(new HTTPSConnection('127.0.0.1', port, { context, timeout: 10 }))).toBe('secure');
  });

  it('a client certificate from load_cert_chain reaches the server', async () => {
    const { port, seen } = await server(serverKey, serverCert, true);
    const context = create_default_context({ cafile: caFile });
    context.load_cert_chain(clientCert, clientKey);
    expect(await get(new HTTPSConnection('localhost', port, { context, timeout: 10 }))).toBe('secure');
    expect(seen[0]!.peerCN).toBe('httpwire client');
  });

  it('a wrong host name is refused with SSLCertVerificationError (an OSError and a ValueError)', async () => {
    const { port } = await server(serverKey, serverCert);
    const context = create_default_context({ cafile: caFile });
    // 127.0.0.2 reaches the same loopback listener only if bound to it; use a name instead.
    const conn = new HTTPSConnection('localhost', port, { context, timeout: 10 });
    conn.host = 'wrong.example';
    const orig = conn._create_connection;
    conn._create_connection = (o) => orig({ ...o, host: '127.0.0.1' });
    const err = await get(conn).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SSLCertVerificationError);
    expect(err).toBeInstanceOf(OSError);
    expect(err).toBeInstanceOf(ValueError);
    expect((err as Error).message).toBe(
      "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: Hostname mismatch, certificate is not valid for 'wrong.example'.",
    );
    expect((err as SSLCertVerificationError).verify_code).toBe(62);
  });

  it('a self-signed certificate without its CA is refused; the unverified context accepts it', async () => {
    const { port } = await server(selfKey, selfCert);
    const err = await get(new HTTPSConnection('localhost', port, { context: create_default_context({ cafile: caFile }), timeout: 10 })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SSLCertVerificationError);
    expect((err as Error).message).toBe('[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: self-signed certificate');
    expect(await get(new HTTPSConnection('localhost', port, { context: _create_unverified_context(), timeout: 10 }))).toBe('secure');
  });

  it('check_hostname off with CERT_REQUIRED: the chain is checked, the name is not', async () => {
    const { port } = await server(serverKey, serverCert);
    const context = create_default_context({ cafile: caFile });
    context.check_hostname = false;
    expect(context.verify_mode).toBe(CERT_REQUIRED);
    const conn = new HTTPSConnection('localhost', port, { context, timeout: 10 });
    conn.host = 'other.example';
    const orig = conn._create_connection;
    conn._create_connection = (o) => orig({ ...o, host: '127.0.0.1' });
    expect(await get(conn)).toBe('secure');
  });
});

describe('ssl errors as Python words them', () => {
  it('a CA or certificate file that does not exist fails when loaded: FileNotFoundError', () => {
    expect(() => create_default_context({ cafile: '/nonexistent/ca.pem' })).toThrow(FileNotFoundError);
    expect(() => create_default_context({ cafile: '/nonexistent/ca.pem' })).toThrow('[Errno 2] No such file or directory');
    expect(() => create_default_context().load_cert_chain('/nonexistent/c.pem')).toThrow(FileNotFoundError);
  });

  it('TLS to a plain-HTTP server: SSLError with OpenSSL reason text, as CPython (without the _ssl.c location)', async () => {
    const srv = net.createServer((s) => {
      s.on('error', () => {});
      s.on('data', () => s.end('HTTP/1.1 400 Bad Request\r\n\r\n'));
    });
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
    const conn = new HTTPSConnection('127.0.0.1', (srv.address() as net.AddressInfo).port, { context: _create_unverified_context(), timeout: 10 });
    const err = await conn.request('GET', '/').catch((e: unknown) => e);
    await new Promise<void>((r) => srv.close(() => r()));
    expect(err).toBeInstanceOf(SSLError);
    expect((err as Error).message).toBe('[SSL: WRONG_VERSION_NUMBER] wrong version number');
    // The connection is idle again: another attempt fails the same way, not with CannotSendRequest.
    await expect(conn.request('GET', '/')).rejects.toBeInstanceOf(OSError);
  });
});
