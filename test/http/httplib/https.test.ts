// CPython 3.13 test_httplib.py: HTTPSTest. The local cases run against a TLS
// server on 127.0.0.1 started by the test (CPython's make_https_server: a
// file server, so /nonexistent is a 404), with certificates minted by
// openssl at test time for 'localhost' and for 'fakehostname' (CPython's
// certdata/keycert.pem and keycert2.pem).
import { describe, it, expect, beforeAll } from 'vitest';
import * as tls from 'node:tls';
import { HTTPSConnection, InvalidURL, SSLCertVerificationError, SSLError, ssl } from '../../../src/index.js';
import { addCleanup, checkHostPort, listen, mintCertificate, thrown } from './support.js';

/** make_https_server(certfile): answers every request with a 404, as a file server without that file. */
async function make_server(cert: { cert: string; key: string }): Promise<number> {
  const server = tls.createServer({ cert: cert.cert, key: cert.key }, (s) => {
    s.on('error', () => {});
    let head = '';
    s.on('data', (chunk: Buffer) => {
      head += chunk.toString('latin1');
      if (head.includes('\r\n\r\n')) {
        s.end('HTTP/1.0 404 File not found\r\nContent-Type: text/html\r\nContent-Length: 0\r\n\r\n');
      }
    });
  });
  server.on('tlsClientError', () => {});
  return listen(server);
}

describe('HTTPSTest', () => {
  let CERT_localhost: ReturnType<typeof mintCertificate>;
  let CERT_fakehostname: ReturnType<typeof mintCertificate>;

  beforeAll(() => {
    CERT_localhost = mintCertificate('localhost', 'DNS:localhost');
    CERT_fakehostname = mintCertificate('fakehostname', 'DNS:fakehostname');
  });

  it('test_attributes', () => {
    // simple test to check it's storing the timeout
    const h = new HTTPSConnection('127.0.0.1', null, { timeout: 30 });
    expect(h.timeout).toBe(30);
  });

  // test_networked: not ported — needs the internet (self-signed.pythontest.net); tests here reach only 127.0.0.1 (test_local_unknown_cert is its local twin)
  // test_networked_noverification: not ported — needs the internet (self-signed.pythontest.net); tests here reach only 127.0.0.1
  // test_networked_trusted_by_default_cert: not ported — needs the internet (www.python.org); tests here reach only 127.0.0.1
  // test_networked_good_cert: not ported — needs the internet (self-signed.pythontest.net); tests here reach only 127.0.0.1 (test_local_good_hostname is its local twin)
  // test_networked_bad_cert: not ported — needs the internet (self-signed.pythontest.net); tests here reach only 127.0.0.1

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
