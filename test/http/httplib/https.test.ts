// CPython 3.13 test_httplib.py: HTTPSTest. The local cases run against a TLS
// server on 127.0.0.1 started by the test (CPython's make_https_server: a
// file server, so /nonexistent is a 404), with certificates minted by
// openssl at test time for 'localhost' and for 'fakehostname' (CPython's
// certdata/keycert.pem and keycert2.pem).
//
// The networked cases reach self-signed.pythontest.net and www.python.org;
// here those names lead to stand-ins on 127.0.0.1 (the transport factory
// plays /etc/hosts: the TLS server name and the certificate checks still
// use the real name). The stand-in for self-signed.pythontest.net has a
// self-signed certificate for that name; www.python.org's is trusted "by
// default" because SSL_CERT_FILE names it, which Python's OpenSSL honours
// too. Both answer as nginx does, with a Server header.
import { describe, it, expect, beforeAll, afterAll, vi } from 'vitest';
import * as tls from 'node:tls';
import { HTTPSConnection, InvalidURL, SSLCertVerificationError, SSLError, ssl } from '../../../src/index.js';
import { nodeTransportFactory } from '../../../src/transport/node.js';
import type { TransportFactory } from '../../../src/transport/types.js';
import { addCleanup, checkHostPort, listen, mintCertificate, thrown } from './support.js';

const NOT_FOUND = 'HTTP/1.0 404 File not found\r\nContent-Type: text/html\r\nContent-Length: 0\r\n\r\n';
const NGINX_PAGE = 'HTTP/1.1 200 OK\r\nServer: nginx\r\nContent-Type: text/html\r\nContent-Length: 0\r\nConnection: close\r\n\r\n';

/** A transport factory that connects every host name to 127.0.0.1:`port`. */
function resolvingTo(port: number): TransportFactory {
  return (opts) => nodeTransportFactory({ ...opts, host: '127.0.0.1', port });
}

/** make_https_server(certfile): answers every request with `answer` (a file server's 404 by default). */
async function make_server(cert: { cert: string; key: string }, answer = NOT_FOUND): Promise<number> {
  const server = tls.createServer({ cert: cert.cert, key: cert.key }, (s) => {
    s.on('error', () => {});
    let head = '';
    s.on('data', (chunk: Buffer) => {
      head += chunk.toString('latin1');
      if (head.includes('\r\n\r\n')) {
        s.end(answer);
      }
    });
  });
  server.on('tlsClientError', () => {});
  return listen(server);
}

describe('HTTPSTest', () => {
  let CERT_localhost: ReturnType<typeof mintCertificate>;
  let CERT_fakehostname: ReturnType<typeof mintCertificate>;
  let CERT_selfsigned_pythontestdotnet: ReturnType<typeof mintCertificate>;
  let CERT_www_python_org: ReturnType<typeof mintCertificate>;

  beforeAll(() => {
    CERT_localhost = mintCertificate('localhost', 'DNS:localhost');
    CERT_fakehostname = mintCertificate('fakehostname', 'DNS:fakehostname');
    CERT_selfsigned_pythontestdotnet = mintCertificate('self-signed.pythontest.net', 'DNS:self-signed.pythontest.net');
    CERT_www_python_org = mintCertificate('www.python.org', 'DNS:www.python.org');
    // The default trust: read when the first TLS connection is made.
    vi.stubEnv('SSL_CERT_FILE', CERT_www_python_org.certfile);
  });

  afterAll(() => {
    vi.unstubAllEnvs();
  });

  /** HTTPSConnection(host, 443, options) to the stand-in serving `cert`. */
  async function networked(host: string, cert: { cert: string; key: string }, context?: ssl.SSLContext) {
    const port = await make_server(cert, NGINX_PAGE);
    const h = new HTTPSConnection(host, 443, { transportFactory: resolvingTo(port), ...(context ? { context } : {}) });
    addCleanup(() => h.close());
    return h;
  }

  it('test_attributes', () => {
    // simple test to check it's storing the timeout
    const h = new HTTPSConnection('127.0.0.1', null, { timeout: 30 });
    expect(h.timeout).toBe(30);
  });

  it('test_networked', async () => {
    // Default settings: requires a valid cert from a trusted CA
    const h = await networked('self-signed.pythontest.net', CERT_selfsigned_pythontestdotnet);
    const e = await thrown(() => h.request('GET', '/'));
    expect(e).toBeInstanceOf(SSLError);
    expect((e as SSLError).reason).toBe('CERTIFICATE_VERIFY_FAILED');
  });

  it('test_networked_noverification', async () => {
    // Switch off cert verification
    const context = ssl._create_unverified_context();
    const h = await networked('self-signed.pythontest.net', CERT_selfsigned_pythontestdotnet, context);
    await h.request('GET', '/');
    const resp = await h.getresponse();
    h.close();
    expect(resp.getheader('server')).toContain('nginx');
    resp.close();
  });

  it('test_networked_trusted_by_default_cert', async () => {
    // Default settings: requires a valid cert from a trusted CA
    const h = await networked('www.python.org', CERT_www_python_org);
    await h.request('GET', '/');
    const resp = await h.getresponse();
    const content_type = resp.getheader('content-type');
    resp.close();
    h.close();
    expect(content_type).toContain('text/html');
  });

  it('test_networked_good_cert', async () => {
    // We feed the server's cert as a validating cert
    const context = new ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT);
    expect(context.verify_mode).toBe(ssl.CERT_REQUIRED);
    expect(context.check_hostname).toBe(true);
    context.load_verify_locations(CERT_selfsigned_pythontestdotnet.certfile);
    const h = await networked('self-signed.pythontest.net', CERT_selfsigned_pythontestdotnet, context);
    await h.request('GET', '/');
    const resp = await h.getresponse();
    const server_string = resp.getheader('server');
    resp.close();
    h.close();
    expect(server_string).toContain('nginx');
  });

  it('test_networked_bad_cert', async () => {
    // We feed a "CA" cert that is unrelated to the server's cert
    const context = new ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT);
    context.load_verify_locations(CERT_localhost.certfile);
    const h = await networked('self-signed.pythontest.net', CERT_selfsigned_pythontestdotnet, context);
    const e = await thrown(() => h.request('GET', '/'));
    expect(e).toBeInstanceOf(SSLError);
    expect((e as SSLError).reason).toBe('CERTIFICATE_VERIFY_FAILED');
  });

  it('test_local_unknown_cert', async () => {
    // The custom cert isn't known to the default trust bundle
    const port = await make_server(CERT_localhost);
    const h = new HTTPSConnection('localhost', port);
    addCleanup(() => h.close());
    const e = await thrown(() => h.request('GET', '/'));
    expect(e).toBeInstanceOf(SSLError);
    expect((e as SSLError).reason).toBe('CERTIFICATE_VERIFY_FAILED');
  });

  it('test_local_good_hostname', async () => {
    // The (valid) cert validates the HTTPS hostname
    const port = await make_server(CERT_localhost);
    const context = new ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT);
    context.load_verify_locations(CERT_localhost.certfile);
    const h = new HTTPSConnection('localhost', port, { context });
    addCleanup(() => h.close());
    await h.request('GET', '/nonexistent');
    const resp = await h.getresponse();
    addCleanup(() => resp.close());
    expect(resp.status).toBe(404);
  });

  it('test_local_bad_hostname', async () => {
    // The (valid) cert doesn't validate the HTTPS hostname
    const port = await make_server(CERT_fakehostname);
    const context = new ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT);
    context.load_verify_locations(CERT_fakehostname.certfile);
    let h = new HTTPSConnection('localhost', port, { context });
    addCleanup(() => h.close());
    expect(await thrown(() => h.request('GET', '/'))).toBeInstanceOf(SSLCertVerificationError);

    // ssl.CertificateError is SSLCertVerificationError.
    // Same with explicit context.check_hostname=True
    context.check_hostname = true;
    h = new HTTPSConnection('localhost', port, { context });
    addCleanup(() => h.close());
    expect(await thrown(() => h.request('GET', '/'))).toBeInstanceOf(SSLCertVerificationError);

    // With context.check_hostname=False, the mismatching is ignored
    context.check_hostname = false;
    h = new HTTPSConnection('localhost', port, { context });
    await h.request('GET', '/nonexistent');
    const resp = await h.getresponse();
    resp.close();
    h.close();
    expect(resp.status).toBe(404);
  });

  it('test_host_port', () => {
    // Check invalid host_port
    checkHostPort((hp) => new HTTPSConnection(hp), InvalidURL, 443);
  });

  // test_tls13_pha: not ported — Node's TLS client cannot do TLS 1.3 post-handshake authentication, so post_handshake_auth stays None here (as in a Python whose OpenSSL lacks it) and CPython's checks of it being switched on cannot hold
});
