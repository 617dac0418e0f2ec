// ProxyManager through a real tinyproxy (it closes the client connection
// after every response): http:// URLs as absolute-form requests, https://
// URLs in a CONNECT tunnel to nginx with TLS verified inside; the
// environment's HTTP_PROXY / HTTPS_PROXY / NO_PROXY with trust_env.
import { afterAll, describe, expect, it } from 'vitest';
import {
  MaxRetryError,
  no_proxy_matches,
  PoolManager,
  ProxyError,
  ProxyManager,
  ProxySchemeUnknown,
  proxy_from_env,
} from '../../src/pool/node.js';
import { startEchoServer, startNginx, startTinyproxy, STATIC_FILES, usePeer } from '../support/servers.js';

const nginx = usePeer(() => startNginx());
const echo = usePeer(startEchoServer);
// CONNECT only to nginx's TLS port.
const proxy = usePeer(() => startTinyproxy([nginx.tlsPort]));

const managers: PoolManager[] = [];
afterAll(() => managers.forEach((m) => m.clear()));
const track = <T extends PoolManager>(m: T): T => (managers.push(m), m);
const small = STATIC_FILES['/small.txt']!;

describe('ProxyManager through tinyproxy', () => {
  it('http:// in absolute form: the request line carries the URL, proxy headers go along', async () => {
    const pm = track(new ProxyManager(`http://127.0.0.1:${proxy.port}`, { proxy_headers: { 'X-Via-Test': 'yes' } }));
    for (let i = 0; i < 3; i++) {
      const r = await pm.request('GET', `http://127.0.0.1:${nginx.httpPort}/small.txt`);
      expect(r.status).toBe(200);
      expect(r.data).toEqual(small);
    }
    const e = (await pm.request('GET', `http://127.0.0.1:${echo.port}/echo?x=1`)).json() as { path: string; headers: [string, string][] };
    // tinyproxy rewrites the absolute URL to origin form for the server and passes our header on.
    expect(e.path).toBe('/echo?x=1');
    expect(e.headers.map(([k]) => k.toLowerCase())).toContain('x-via-test');
    expect(proxy.log()).toMatch(new RegExp(`GET http://127\\.0\\.0\\.1:${nginx.httpPort}/small\\.txt`));
  });

  it('https:// through a CONNECT tunnel, verified against the minted CA', async () => {
    const pm = track(new ProxyManager(`http://127.0.0.1:${proxy.port}`, { ca_certs: nginx.certs.caFile }));
    const r = await pm.request('GET', `https://127.0.0.1:${nginx.tlsPort}/small.txt`);
    expect(r.status).toBe(200);
    expect(r.data).toEqual(small);
    expect(proxy.log()).toMatch(new RegExp(`CONNECT 127\\.0\\.0\\.1:${nginx.tlsPort}`));
  });

  it('a CONNECT the proxy refuses is a ProxyError (reason of MaxRetryError)', async () => {
    const pm = track(new ProxyManager(`http://127.0.0.1:${proxy.port}`, { cert_reqs: 'CERT_NONE', retries: 1 }));
    const err = await pm.request('GET', `https://127.0.0.1:${nginx.selfSignedPort}/small.txt`).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MaxRetryError);
    const reason = (err as MaxRetryError).reason as ProxyError;
    expect(reason).toBeInstanceOf(ProxyError);
    expect(String((reason.original_error as Error).message)).toContain('Tunnel connection failed: 403');
  });

  it('refuses a proxy URL of an unknown scheme', () => {
    expect(() => new ProxyManager('socks5://127.0.0.1:1')).toThrow(ProxySchemeUnknown);
  });
});

describe('proxies from the environment (trust_env)', () => {
  it('HTTP_PROXY for http://, NO_PROXY exempts hosts', async () => {
    const env = { HTTP_PROXY: `http://127.0.0.1:${proxy.port}`, NO_PROXY: 'localhost' };
    const m = track(new PoolManager({ trust_env: true, env }));
    const before = proxy.log().length;
    const viaProxy = await m.request('GET', `http://127.0.0.1:${nginx.httpPort}/small.txt`);
    expect(viaProxy.data).toEqual(small);
    expect(proxy.log().slice(before)).toContain(`/small.txt`);
    const mark = proxy.log().length;
    const direct = await m.request('GET', `http://localhost:${nginx.httpPort}/small.txt`);
    expect(direct.data).toEqual(small);
    expect(proxy.log().slice(mark)).not.toContain('localhost');
  });

  it('proxy_from_env: scheme variables, lower case first, ALL_PROXY, NO_PROXY rules', () => {
    expect(proxy_from_env('http://a.example/', { http_proxy: 'http://p1:1', HTTP_PROXY: 'http://p2:2' })).toBe('http://p1:1');
    expect(proxy_from_env('https://a.example/', { HTTPS_PROXY: 'http://p:3' })).toBe('http://p:3');
    expect(proxy_from_env('https://a.example/', { ALL_PROXY: 'http://p:4' })).toBe('http://p:4');
    expect(proxy_from_env('https://a.example/', { HTTP_PROXY: 'http://p:4' })).toBe(null);
    const rows: [string, number, string, boolean][] = [
      ['a.example', 80, '*', true],
      ['a.example', 80, 'a.example', true],
      ['b.a.example', 80, '.a.example', true],
      ['b.a.example', 80, 'a.example', true],
      ['ba.example', 80, 'a.example', false],
      ['a.example', 8080, 'a.example:80', false],
      ['a.example', 80, 'a.example:80', true],
      ['10.1.2.3', 80, '10.0.0.0/8', true],
      ['11.1.2.3', 80, '10.0.0.0/8', false],
      ['127.0.0.1', 80, 'localhost, 127.0.0.1', true],
    ];
    for (const [host, port, rule, expected] of rows) expect([host, port, rule, no_proxy_matches(host, port, rule)]).toEqual([host, port, rule, expected]);
  });
});
