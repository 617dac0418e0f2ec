// httpwire through a real forward proxy: tinyproxy's CONNECT tunnel to
// nginx (TLS inside the tunnel, verified against the minted CA), and plain
// absolute-URI requests. Expected values are what CPython 3.13's
// http.client does against the same tinyproxy and nginx.
import { describe, it, expect, afterEach } from 'vitest';
import { HTTPConnection, HTTPSConnection, HTTPMessage, OSError, SSLCertVerificationError, create_default_context } from '../../src/index.js';
import { STATIC_FILES, startNginx, startTinyproxy, usePeer } from '../support/servers.js';
import { countingFactory, errorFields, expectBytes, rejection, runCPython } from '../support/client.js';

const nginx = usePeer(startNginx);
// CONNECT is allowed to these ports only (not to nginx.wrongNamePort).
const proxy = usePeer(() => startTinyproxy([nginx.tlsPort, nginx.httpPort, nginx.selfSignedPort]));

const open: { close(): void }[] = [];
afterEach(() => {
  while (open.length) open.pop()!.close();
});
function track<T extends { close(): void }>(conn: T): T {
  open.push(conn);
  return conn;
}

const small = STATIC_FILES['/small.txt']!;

describe('tinyproxy CONNECT tunnel', () => {
  it('set_tunnel to nginx TLS: TLS verified inside the tunnel, keep-alive through it', async () => {
    const { factory, connects } = countingFactory();
    const ctx = create_default_context({ cafile: nginx.certs.caFile });
    const conn = track(new HTTPSConnection('127.0.0.1', proxy.port, { timeout: 10, context: ctx, transportFactory: factory }));
    conn.set_tunnel('127.0.0.1', nginx.tlsPort);
    expect(conn.get_proxy_response_headers()).toBeNull();

    await conn.request('GET', '/small.txt');
    const resp = await conn.getresponse();
    expect(resp.status).toBe(200);
    expectBytes(await resp.read(), small);

    const proxyHeaders = conn.get_proxy_response_headers();
    expect(proxyHeaders).toBeInstanceOf(HTTPMessage);
    expect(proxyHeaders!.get('Proxy-agent')).toMatch(/^tinyproxy\/\d/);

    await conn.request('GET', '/info');
    const info = await conn.getresponse();
    // nginx sees the request as sent inside the tunnel (origin-form), on the same connection.
    expect(Buffer.from(await info.read()).toString()).toMatch(/^GET \/info HTTP\/1\.1 connection=\d+ requests=2 /);
    expect(info.getheader('X-Connection')).toBe(resp.getheader('X-Connection'));

    // One TCP connection, to the proxy; the TLS name checked is the tunnel host's.
    expect(connects).toHaveLength(1);
    expect(connects[0]).toMatchObject({ host: '127.0.0.1', port: proxy.port });
    expect(proxy.log()).toContain(`CONNECT 127.0.0.1:${nginx.tlsPort} HTTP/1.1`);
  });

  it('the tunnel works for plain HTTP too (HTTPConnection.set_tunnel)', async () => {
    const conn = track(new HTTPConnection('127.0.0.1', proxy.port, { timeout: 10 }));
    conn.set_tunnel('127.0.0.1', nginx.httpPort, { 'X-Tunnel-Test': '1' });
    await conn.request('GET', '/small.txt');
    const resp = await conn.getresponse();
    expectBytes(await resp.read(), small);
    expect(resp.getheader('Via')).toBeNull(); // a tunnel: tinyproxy does not touch the response
    expect(conn.get_proxy_response_headers()!.get('Proxy-agent')).toMatch(/^tinyproxy\//);
  });

  it('the certificate is verified inside the tunnel: a self-signed one is refused', async () => {
    const ctx = create_default_context({ cafile: nginx.certs.caFile });
    const conn = track(new HTTPSConnection('127.0.0.1', proxy.port, { timeout: 10, context: ctx }));
    conn.set_tunnel('127.0.0.1', nginx.selfSignedPort);
    const err = await rejection(conn.request('GET', '/small.txt'));
    expect(err).toBeInstanceOf(SSLCertVerificationError);
    expect([err.verify_code, err.verify_message]).toEqual([18, 'self-signed certificate']);
  });

  it('a refused CONNECT is OSError("Tunnel connection failed: 403 Access violation") and closes, as in CPython 3.13', async () => {
    const ctx = create_default_context({ cafile: nginx.certs.caFile });
    const conn = track(new HTTPSConnection('127.0.0.1', proxy.port, { timeout: 10, context: ctx }));
    conn.set_tunnel('127.0.0.1', nginx.wrongNamePort);
    const err = await rejection(conn.request('GET', '/small.txt'));
    expect(err).toBeInstanceOf(OSError);
    expect(err.args).toEqual(['Tunnel connection failed: 403 Access violation']);
    expect(conn.sock).toBeNull();
    const theirs = await runCPython(
      `
import http.client, json, ssl, sys
cfg = json.loads(sys.argv[1])
conn = http.client.HTTPSConnection('127.0.0.1', cfg['proxy'], context=ssl.create_default_context(cafile=cfg['cafile']), timeout=10)
conn.set_tunnel('127.0.0.1', cfg['port'])
try:
    conn.request('GET', '/small.txt')
    print(json.dumps(None))
except Exception as e:
    print(json.dumps(fields(e, ['errno', 'strerror'])))
`,
      { proxy: proxy.port, port: nginx.wrongNamePort, cafile: nginx.certs.caFile },
    );
    expect(errorFields(err, ['errno', 'strerror'])).toEqual(theirs);
  });
});

describe('tinyproxy as an HTTP proxy', () => {
  it('an absolute-URI request goes through, and tinyproxy adds Via', async () => {
    const conn = track(new HTTPConnection('127.0.0.1', proxy.port, { timeout: 10 }));
    await conn.request('GET', `http://127.0.0.1:${nginx.httpPort}/small.txt`);
    const resp = await conn.getresponse();
    expect(resp.status).toBe(200);
    expect(resp.getheader('Via')).toMatch(/tinyproxy\/\d/);
    expect(resp.getheader('Server')).toMatch(/^nginx\//);
    expectBytes(await resp.read(), small);
  });
});
