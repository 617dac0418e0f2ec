// ProxyManager through a real tinyproxy (it closes the client connection
// after every response): http:// URLs as absolute-form requests, https://
// URLs in a CONNECT tunnel to nginx with TLS verified inside; the
// environment's HTTP_PROXY / HTTPS_PROXY / NO_PROXY with trust_env.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as http from 'node:http';
import * as https from 'node:https';
import * as net from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { create_default_context } from '../../src/http/ssl.js';
import { bundleLibrary } from '../support/bundle.js';
import { runToExit } from './child.js';
import {
  HTTPHeaderDict,
  MaxRetryError,
  SSLError,
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

// ------------------------------------------------------------ https:// proxies

/**
 * A small forward proxy on TLS (the minted CA's certificate for 127.0.0.1),
 * written here with node:https: CONNECT is a TCP tunnel to the target;
 * an absolute-form request (http:// or https:// target) is made again by
 * the proxy (to https:// targets with TLS verified against the CA) and its
 * answer sent back. `seen` lists each request line it received.
 */
async function startTlsProxy(certs: { server: { cert: string; key: string }; caPem: string }) {
  const seen: string[] = [];
  const sockets = new Set<net.Socket>();
  const server = https.createServer({ cert: readFileSync(certs.server.cert), key: readFileSync(certs.server.key) }, (req, res) => {
    seen.push(`${req.method} ${req.url}`);
    const target = new URL(req.url!);
    const headers = { ...req.headers };
    delete headers['proxy-connection'];
    const send = target.protocol === 'https:' ? https.request : http.request;
    const upstream = send(target, { method: req.method, headers, ca: certs.caPem, agent: false }, (answer) => {
      res.writeHead(answer.statusCode!, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  server.on('connect', (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
    seen.push(`CONNECT ${req.url}`);
    const [host, port] = [req.url!.slice(0, req.url!.lastIndexOf(':')), Number(req.url!.slice(req.url!.lastIndexOf(':') + 1))];
    const upstream = net.connect(port, host, () => {
      client.write('HTTP/1.1 200 Connection established\r\n\r\n');
      if (head.length) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    sockets.add(upstream).add(client);
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    seen,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
        for (const s of sockets) s.destroy();
      }),
  };
}

describe('ProxyManager through an https:// proxy (TLS to the proxy, verified against the minted CA)', () => {
  const tlsProxy = usePeer(() => startTlsProxy(nginx.certs));
  const proxyUrl = () => `https://127.0.0.1:${tlsProxy.port}`;

  it('http:// targets in absolute form over TLS to the proxy; proxy headers go along', async () => {
    const pm = track(new ProxyManager(proxyUrl(), { ca_certs: nginx.certs.caFile, proxy_headers: { 'X-Via-Test': 'tls' } }));
    const mark = tlsProxy.seen.length;
    for (let i = 0; i < 3; i++) {
      const r = await pm.request('GET', `http://127.0.0.1:${nginx.httpPort}/small.txt`);
      expect(r.status).toBe(200);
      expect(r.data).toEqual(small);
    }
    expect(tlsProxy.seen.slice(mark)).toEqual(Array(3).fill(`GET http://127.0.0.1:${nginx.httpPort}/small.txt`));
    const e = (await pm.request('GET', `http://127.0.0.1:${echo.port}/echo`)).json() as { headers: [string, string][] };
    // (this proxy passes header names on in lower case)
    expect(e.headers.map(([k, v]) => [k.toLowerCase(), v])).toContainEqual(['x-via-test', 'tls']);
    // One pool to the proxy, its connection kept alive across the requests.
    expect(pm.pools.size).toBe(1);
    expect([...pm.pools.values()][0]!.num_connections).toBe(1);
  });

  it('https:// targets through CONNECT, TLS to nginx inside the TLS to the proxy', async () => {
    const pm = track(new ProxyManager(proxyUrl(), { ca_certs: nginx.certs.caFile }));
    const mark = tlsProxy.seen.length;
    for (let i = 0; i < 3; i++) {
      const r = await pm.request('GET', `https://127.0.0.1:${nginx.tlsPort}/small.txt`);
      expect(r.status).toBe(200);
      expect(r.data).toEqual(small);
    }
    // One tunnel, kept alive: nginx's TLS runs inside it.
    expect(tlsProxy.seen.slice(mark)).toEqual([`CONNECT 127.0.0.1:${nginx.tlsPort}`]);
  });

  it('assert_hostname applies to the target inside the tunnel, not to the proxy', async () => {
    // nginx's wrongNamePort has a certificate for wrong.example; the proxy's is for 127.0.0.1.
    const pm = track(new ProxyManager(proxyUrl(), { ca_certs: nginx.certs.caFile, assert_hostname: 'wrong.example' }));
    const r = await pm.request('GET', `https://127.0.0.1:${nginx.wrongNamePort}/small.txt`);
    expect(r.data).toEqual(small);
    const plain = track(new ProxyManager(`http://127.0.0.1:${proxy.port}`, { ca_certs: nginx.certs.caFile, assert_hostname: 'other.example', retries: false }));
    const err = await plain.request('GET', `https://127.0.0.1:${nginx.tlsPort}/small.txt`).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProxyError);
    expect((err as ProxyError).original_error).toBeInstanceOf(SSLError);
  });

  it('https:// targets in absolute form with use_forwarding_for_https', async () => {
    const pm = track(new ProxyManager(proxyUrl(), { ca_certs: nginx.certs.caFile, use_forwarding_for_https: true }));
    const mark = tlsProxy.seen.length;
    const r = await pm.request('GET', `https://127.0.0.1:${nginx.tlsPort}/small.txt`);
    expect(r.status).toBe(200);
    expect(r.data).toEqual(small);
    expect(tlsProxy.seen.slice(mark)).toEqual([`GET https://127.0.0.1:${nginx.tlsPort}/small.txt`]);
  });

  it('proxy_ssl_context verifies the proxy; the target keeps its own settings', async () => {
    const ctx = create_default_context({ cafile: nginx.certs.caFile });
    // The target (nginx's self-signed port) unverified, the proxy verified by its own context.
    const pm = track(new ProxyManager(proxyUrl(), { proxy_ssl_context: ctx, cert_reqs: 'CERT_NONE' }));
    const r = await pm.request('GET', `http://127.0.0.1:${nginx.httpPort}/small.txt`);
    expect(r.data).toEqual(small);
    const t = await pm.request('GET', `https://127.0.0.1:${nginx.selfSignedPort}/small.txt`);
    expect(t.data).toEqual(small);
  });

  it('a proxy certificate not trusted is a ProxyError whose cause is the SSLError', async () => {
    const pm = track(new ProxyManager(proxyUrl(), { retries: false }));
    const err = await pm.request('GET', `http://127.0.0.1:${nginx.httpPort}/small.txt`).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProxyError);
    expect((err as ProxyError).message).toContain('Unable to connect to proxy');
    expect((err as ProxyError).original_error).toBeInstanceOf(SSLError);
    const viaRetry = await track(new ProxyManager(proxyUrl(), { retries: 1 })).request('GET', `https://127.0.0.1:${nginx.tlsPort}/small.txt`).catch((e: unknown) => e);
    expect(viaRetry).toBeInstanceOf(MaxRetryError);
    expect((viaRetry as MaxRetryError).reason).toBeInstanceOf(ProxyError);
  });

  it('HTTPS_PROXY=https://... from the environment with trust_env', async () => {
    const m = track(new PoolManager({ trust_env: true, env: { HTTPS_PROXY: proxyUrl() }, ca_certs: nginx.certs.caFile }));
    const mark = tlsProxy.seen.length;
    const r = await m.request('GET', `https://127.0.0.1:${nginx.tlsPort}/small.txt`);
    expect(r.data).toEqual(small);
    expect(tlsProxy.seen.slice(mark)).toEqual([`CONNECT 127.0.0.1:${nginx.tlsPort}`]);
  });

  it('a process that used TLS-in-TLS and never calls close() exits by itself', async () => {
    const { file: bundle, dir, remove } = await bundleLibrary('src/pool/node.ts');
    try {
      const script = join(dir, 'main.mjs');
      writeFileSync(
        script,
        [
          `import { ProxyManager } from ${JSON.stringify(bundle)};`,
          `const pm = new ProxyManager(${JSON.stringify(proxyUrl())}, { ca_certs: ${JSON.stringify(nginx.certs.caFile)} });`,
          `const a = await pm.request('GET', 'https://127.0.0.1:${nginx.tlsPort}/small.txt');`,
          `const b = await pm.request('GET', 'http://127.0.0.1:${nginx.httpPort}/small.txt');`,
          'console.log("done", a.status, b.status);',
        ].join('\n'),
      );
      // The proxy and nginx keep the connections open: only the client's own sockets could hold the child.
      const { code, out } = await runToExit(script);
      expect([code, out.trim()]).toEqual([0, 'done 200 200']);
    } finally {
      remove();
    }
  });
});

describe('absolute-form requests to an http:// proxy: Host and Accept as urllib3 2.x sets them', () => {
  it('Host is the netloc without userinfo, Accept */* unless given; the request line keeps the URL (urllib3 2.7.0 bytes)', async () => {
    const { execFile } = await import('node:child_process');
    // The "proxy" answers each request with the bytes of its head, as they came.
    const server = net.createServer((s) => {
      let buf = Buffer.alloc(0);
      s.on('data', (d: Buffer) => {
        buf = Buffer.concat([buf, d]);
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) return;
        const head = buf.subarray(0, end + 4);
        buf = buf.subarray(end + 4);
        s.write(Buffer.concat([Buffer.from(`HTTP/1.1 200 OK\r\nContent-Length: ${head.length}\r\n\r\n`), head]));
      });
      s.on('error', () => {});
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const port = (server.address() as net.AddressInfo).port;
      // Headers as an object, or as pairs for an HTTPHeaderDict (urllib3 updates a plain dict with it: values joined).
      const cases: [string, Record<string, string> | [string, string][]][] = [
        ['http://u:p@example.com/x', {}],
        ['http://u:p@example.com:8080/x?q', { Accept: 'a/b' }],
        ['http://Example.COM/x', {}],
        ['http://u@example.com/y', [['X-A', '1'], ['x-a', '2'], ['Accept', 'q/r']]],
      ];
      const script = `
import json, sys, urllib3
pm = urllib3.ProxyManager(sys.argv[1])
def hdrs(h):
    return urllib3.HTTPHeaderDict(h) if isinstance(h, list) else (h or None)
print(json.dumps([urllib3.__version__] + [pm.request('GET', url, headers=hdrs(h), retries=False).data.decode('latin-1') for url, h in json.loads(sys.argv[2])]))
`;
      const [version, ...py]: string[] = await new Promise((resolve, reject) =>
        // A python3 with urllib3 2.x (scripts/peers.mjs finds it; Debian's /usr/bin/python3 has 1.26).
        execFile(process.env.PYTHON_URLLIB3 ?? 'python3', ['-c', script, `http://127.0.0.1:${port}`, JSON.stringify(cases)], { timeout: 30_000 }, (err, out) =>
          err ? reject(err) : resolve(JSON.parse(out)),
        ),
      );
      const pm = track(new ProxyManager(`http://127.0.0.1:${port}`));
      const ours: string[] = [];
      for (const [url, h] of cases) {
        const headers = Array.isArray(h) ? new HTTPHeaderDict(h) : Object.keys(h).length ? h : null;
        const r = await pm.request('GET', url, { headers, retries: false });
        ours.push(new TextDecoder('latin1').decode(r.data));
      }
      const ua = (s: string) => s.replace(/\r\nUser-Agent: [^\r]*/, '\r\nUser-Agent: *');
      expect(version).toMatch(/^2\./);
      expect(py[0]).toContain('\r\nHost: example.com\r\n');
      expect(ours.map(ua)).toEqual(py.map(ua));
    } finally {
      server.close();
    }
  });
});
