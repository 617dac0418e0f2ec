// CPython 3.13 test_httplib.py: TunnelTests, over the in-memory transport.
// CPython replaces conn._create_connection with a function returning a
// FakeSocket that remembers the address asked for; here the connection's
// transportFactory does the same with a MemoryTransport (host/port).
import { describe, it, expect, beforeEach, afterEach, vi } from 'vitest';
import { HTTPConnection, HTTP_PORT, OSError, RuntimeError } from '../../../src/index.js';
import { MemoryTransport } from '../../../src/transport/memory.js';
import { capturedStdout, dec, thrown } from './support.js';

/** A header collection (Record or Map) as a plain object, for comparing. */
function asObject(headers: unknown): Record<string, string> {
  return headers instanceof Map ? Object.fromEntries(headers) : { ...(headers as Record<string, string>) };
}

describe('TunnelTests', () => {
  const host = 'proxy.com';
  const port = HTTP_PORT;
  let conn: HTTPConnection;
  let response_text: string;
  let sockets: MemoryTransport[];
  const sock = () => conn.sock as MemoryTransport;
  const data = () => dec(sock().sent);

  beforeEach(() => {
    response_text =
      'HTTP/1.1 200 OK\r\n\r\n' + // Reply to CONNECT
      'HTTP/1.1 200 OK\r\n' + // Reply to HEAD
      'Content-Length: 42\r\n\r\n';
    sockets = [];
    conn = new HTTPConnection(host, null, {
      // _create_connection(address): FakeSocket(response_text, host=address[0], port=address[1])
      transportFactory: async (opts) => {
        const t = new MemoryTransport(response_text, { host: opts.host, port: opts.port });
        sockets.push(t);
        return t;
      },
    });
  });

  afterEach(() => conn.close());

  function expectProxySocket(): void {
    expect(sock().host).toBe(host);
    expect(sock().port).toBe(port);
  }

  /** set_tunnel with these headers, then a request: the proxy is dialled, the tunnel remembered. */
  async function checkSetTunnel(tunnel_headers: Record<string, string>, tunnel_headers_after: Record<string, string>) {
    const tunnel_host = 'destination.com';
    const tunnel_port = 8888;
    conn.set_tunnel(tunnel_host, tunnel_port, tunnel_headers);
    await conn.request('HEAD', '/', '');
    expectProxySocket();
    expect(conn._tunnel_host).toBe(tunnel_host);
    expect(conn._tunnel_port).toBe(tunnel_port);
    expect(asObject(conn._tunnel_headers)).toEqual(tunnel_headers_after);
  }

  it('test_set_tunnel_host_port_headers_add_host_missing', async () => {
    const tunnel_headers = { 'User-Agent': 'Mozilla/5.0 (compatible, MSIE 11)' };
    await checkSetTunnel(tunnel_headers, { ...tunnel_headers, Host: 'destination.com:8888' });
  });

  it('test_set_tunnel_host_port_headers_set_host_identical', async () => {
    const tunnel_headers = { 'User-Agent': 'Mozilla/5.0 (compatible, MSIE 11)', Host: 'destination.com:8888' };
    await checkSetTunnel(tunnel_headers, tunnel_headers);
  });

  it('test_set_tunnel_host_port_headers_set_host_different', async () => {
    const tunnel_headers = { 'User-Agent': 'Mozilla/5.0 (compatible, MSIE 11)', Host: 'example.com:4200' };
    await checkSetTunnel(tunnel_headers, tunnel_headers);
  });

  it('test_disallow_set_tunnel_after_connect', async () => {
    // Once connected, we shouldn't be able to tunnel anymore
    await conn.connect();
    const e = await thrown(() => conn.set_tunnel('destination.com'));
    expect(e).toBeInstanceOf(RuntimeError);
    expect((e as Error).message).toBe("Can't set up tunnel for established connection");
  });

  /** CONNECT and the request line + Host of the tunnelled request (d's bytes). */
  async function checkTunnel(setTunnel: () => void, method: string, connect: string, requestHead: string) {
    setTunnel();
    await conn.request(method, '/', '');
    expectProxySocket();
    expect(data()).toContain(connect);
    expect(data()).toContain(requestHead);
  }

  it('test_connect_with_tunnel', async () => {
    await checkTunnel(
      () => conn.set_tunnel('destination.com'),
      'HEAD',
      'CONNECT destination.com:80 HTTP/1.1\r\nHost: destination.com:80\r\n\r\n',
      'HEAD / HTTP/1.1\r\nHost: destination.com\r\n',
    );
  });

  it('test_connect_with_tunnel_with_default_port', async () => {
    await checkTunnel(
      () => conn.set_tunnel('destination.com', HTTP_PORT),
      'HEAD',
      'CONNECT destination.com:80 HTTP/1.1\r\nHost: destination.com:80\r\n\r\n',
      'HEAD / HTTP/1.1\r\nHost: destination.com\r\n',
    );
  });

  it('test_connect_with_tunnel_with_nonstandard_port', async () => {
    await checkTunnel(
      () => conn.set_tunnel('destination.com', 8888),
      'HEAD',
      'CONNECT destination.com:8888 HTTP/1.1\r\nHost: destination.com:8888\r\n\r\n',
      'HEAD / HTTP/1.1\r\nHost: destination.com:8888\r\n',
    );
  });

  // This request is not RFC-valid, but it's been possible with the library
  // for years, so don't break it unexpectedly... This also tests
  // case-insensitivity when injecting Host: headers if they're missing.
  it('test_connect_with_tunnel_with_different_host_header', async () => {
    await checkTunnel(
      () => conn.set_tunnel('destination.com', null, { HOST: 'example.com:9876' }),
      'HEAD',
      'CONNECT destination.com:80 HTTP/1.1\r\nHOST: example.com:9876\r\n\r\n',
      'HEAD / HTTP/1.1\r\nHost: destination.com\r\n',
    );
  });

  it('test_connect_with_tunnel_different_host', async () => {
    await checkTunnel(
      () => conn.set_tunnel('destination.com'),
      'HEAD',
      'CONNECT destination.com:80 HTTP/1.1\r\nHost: destination.com:80\r\n\r\n',
      'HEAD / HTTP/1.1\r\nHost: destination.com\r\n',
    );
  });

  it('test_connect_with_tunnel_idna', async () => {
    const dest = '\u03b4\u03c0\u03b8.gr';
    const dest_port = `xn--pxaix.gr:${HTTP_PORT}`; // dest.encode('idna')
    const expected = `CONNECT ${dest_port} HTTP/1.1\r\nHost: ${dest_port}\r\n\r\n`;
    conn.set_tunnel(dest);
    await conn.request('HEAD', '/', '');
    expect(sock().host).toBe(host);
    expect(sock().port).toBe(HTTP_PORT);
    expect(data()).toContain(expected);
  });

  it('test_tunnel_connect_single_send_connection_setup', async () => {
    // Regression test for https://bugs.python.org/issue43332.
    const mock_send = vi.spyOn(conn, 'send').mockResolvedValue(undefined);
    conn.set_tunnel('destination.com');
    await conn.connect();
    await conn.request('GET', '/');
    expect(mock_send).toHaveBeenCalled();
    // Likely 2, but this test only cares about the first.
    expect(mock_send.mock.calls.length, 'unexpected number of send calls').toBeGreaterThan(1);
    const proxy_setup_data_sent = dec(mock_send.mock.calls[0]![0] as Uint8Array);
    expect(proxy_setup_data_sent).toContain('CONNECT destination.com');
    expect(proxy_setup_data_sent.endsWith('\r\n\r\n'), `unexpected proxy data sent ${proxy_setup_data_sent}`).toBe(true);
  });

  it('test_connect_put_request', async () => {
    await checkTunnel(
      () => conn.set_tunnel('destination.com'),
      'PUT',
      'CONNECT destination.com:80 HTTP/1.1\r\nHost: destination.com:80\r\n\r\n',
      'PUT / HTTP/1.1\r\nHost: destination.com\r\n',
    );
  });

  it('test_connect_put_request_ipv6', async () => {
    conn.set_tunnel('[1:2:3::4]', 1234);
    await conn.request('PUT', '/', '');
    expect(sock().host).toBe(host);
    expect(sock().port).toBe(HTTP_PORT);
    expect(data()).toContain('CONNECT [1:2:3::4]:1234');
    expect(data()).toContain('Host: [1:2:3::4]:1234');
  });

  it('test_connect_put_request_ipv6_port', async () => {
    conn.set_tunnel('[1:2:3::4]:1234');
    await conn.request('PUT', '/', '');
    expect(sock().host).toBe(host);
    expect(sock().port).toBe(HTTP_PORT);
    expect(data()).toContain('CONNECT [1:2:3::4]:1234');
    expect(data()).toContain('Host: [1:2:3::4]:1234');
  });

  it('test_tunnel_debuglog', async () => {
    const expected_header = 'X-Dummy: 1';
    response_text = `HTTP/1.0 200 OK\r\n${expected_header}\r\n\r\n`;
    conn.set_debuglevel(1);
    conn.set_tunnel('destination.com');
    const lines = await capturedStdout(() => conn.request('PUT', '/', ''));
    expect(lines).toContain(`header: ${expected_header}`);
  });

  it('test_proxy_response_headers', async () => {
    const expected_header: [string, string] = ['X-Dummy', '1'];
    response_text = `HTTP/1.0 200 OK\r\n${expected_header.join(':')}\r\n\r\n`;
    conn.set_tunnel('destination.com');
    await conn.request('PUT', '/', '');
    const headers = conn.get_proxy_response_headers();
    expect(headers!.items()).toContainEqual(expected_header);
  });

  it('test_no_proxy_response_headers', async () => {
    response_text = 'HTTP/1.0 200 OK\r\nX-Dummy:1\r\n\r\n';
    await conn.request('PUT', '/', '');
    expect(conn.get_proxy_response_headers()).toBeNull();
  });

  it('test_tunnel_leak', async () => {
    response_text = 'HTTP/1.1 404 NOT FOUND\r\n\r\n';
    conn.set_tunnel('destination.com');
    const exc = await thrown(() => conn.request('HEAD', '/', ''));
    expect(exc).toBeInstanceOf(OSError);
    expect((exc as Error).message).toBe('Tunnel connection failed: 404 NOT FOUND');
    // FakeSocket.file_closed: nothing of the proxy connection is left open.
    expect(sockets.length).toBe(1);
    expect(sockets[0]!.closed).toBe(true);
  });
});
