// httpwire/proxy end to end: real clients (Debian's curl, CPython's
// http.client, httpwire's own HTTPConnection) through the proxy to nginx,
// plain and through CONNECT tunnels to nginx's TLS port; smuggling forms
// refused before anything reaches the origin; a splitting origin answered
// 502, a silent one 504; faults (client or origin closing mid-body) leave
// nothing open; 1 GiB each way with the proxy's memory flat.
import { execFile } from 'node:child_process';
import { rmSync, truncateSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import * as net from 'node:net';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HTTPConnection, HTTPSConnection, create_default_context } from '../../src/index.js';
import { createProxy, type Proxy } from '../../src/proxy/index.js';
import { runCPython, textOf } from '../support/client.js';
import { STATIC_FILES, findProgram, poll, raw, startNginx, startRawServer, usePeer } from '../support/servers.js';

const execFileAsync = promisify(execFile);
const nginx = usePeer(startNginx);

let proxy: Proxy;
let proxyPort = 0;
beforeAll(async () => {
  proxy = createProxy({ timeout: 2 });
  await new Promise<void>((resolve) => proxy.server.listen(0, '127.0.0.1', resolve));
  proxyPort = (proxy.server.address() as net.AddressInfo).port;
});
afterAll(async () => {
  await proxy.close();
});

const file = (path: string) => STATIC_FILES[path]!;
const curl = findProgram('curl');

/** curl through the proxy; stdout as Latin-1 text. */
async function viaCurl(args: string[]): Promise<string> {
  const { stdout } = await execFileAsync(curl, ['-sS', '--max-time', '60', '-x', `http://127.0.0.1:${proxyPort}`, ...args], {
    encoding: 'latin1',
    maxBuffer: 64 << 20,
  });
  return stdout;
}

/** One raw exchange with the proxy: `request` written, everything until it closes returned. */
function rawExchange(request: string, wait = 3000): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = net.connect(proxyPort, '127.0.0.1', () => s.write(Buffer.from(request, 'latin1')));
    const parts: Buffer[] = [];
    const timer = setTimeout(() => s.destroy(), wait);
    s.on('data', (d) => parts.push(d));
    s.on('close', () => {
      clearTimeout(timer);
      resolve(Buffer.concat(parts).toString('latin1'));
    });
    s.on('error', reject);
  });
}

/** Waits until the proxy holds no client, upstream request or tunnel. */
async function settled(): Promise<void> {
  await poll('proxy settles', async () => {
    const s = proxy.stats();
    return s.clients === 0 && s.upstreamActive === 0 && s.tunnels === 0 ? true : null;
  });
}

describe('curl through the proxy', () => {
  it('GET: the file, hop-by-hop headers gone, Via added, keep-alive upstream', async () => {
    const before = nginx.accessLog().length;
    const out = await viaCurl(['-i', `http://127.0.0.1:${nginx.httpPort}/small.txt`, `http://127.0.0.1:${nginx.httpPort}/small.txt`]);
    const responses = out.split(/(?=HTTP\/1\.1 )/);
    expect(responses).toHaveLength(2);
    for (const r of responses) {
      expect(r).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
      expect(r).toMatch(/\r\nVia: 1\.1 httpwire\r\n/);
      expect(r).not.toMatch(/\r\nConnection:/i);
      expect(r.endsWith(textOf(file('/small.txt')))).toBe(true);
    }
    // Both requests went over one upstream connection (nginx's $connection).
    const lines = nginx.accessLog().slice(before);
    expect(lines).toHaveLength(2);
    expect(lines[0]!.split(' ')[0]).toBe(lines[1]!.split(' ')[0]);
  });

  it('POST with a body and a chunked upload', async () => {
    const plain = await viaCurl(['--data-binary', 'x'.repeat(5000), `http://127.0.0.1:${nginx.httpPort}/info`]);
    expect(plain).toMatch(/^POST \/info HTTP\/1\.1 .* length=5000\n$/);
    const chunked = await viaCurl(['-H', 'Transfer-Encoding: chunked', '--data-binary', 'y'.repeat(3000), `http://127.0.0.1:${nginx.httpPort}/info`]);
    expect(chunked).toMatch(/^POST \/info HTTP\/1\.1 /);
  });

  it('a chunked (gzip) response is streamed back re-chunked', async () => {
    const out = await viaCurl(['--compressed', `http://127.0.0.1:${nginx.httpPort}/gzip/lines.txt`]);
    expect(out).toBe(textOf(file('/gzip/lines.txt')));
  });

  it('HTTPS through a CONNECT tunnel', async () => {
    const out = await viaCurl(['--cacert', nginx.certs.caFile, `https://127.0.0.1:${nginx.tlsPort}/small.txt`]);
    expect(out).toBe(textOf(file('/small.txt')));
  });
});

describe("CPython's http.client through the proxy", () => {
  it('plain and CONNECT', async () => {
    const result = await runCPython(
      `
import http.client, json, ssl, sys
a = json.loads(sys.argv[1])
c = http.client.HTTPConnection('127.0.0.1', a['proxy'], timeout=10)
c.request('GET', 'http://127.0.0.1:%d/small.txt' % a['http'])
r = c.getresponse()
plain = [r.status, r.getheader('Via'), r.read().decode('latin-1')]
c.request('GET', 'http://127.0.0.1:%d/small.txt' % a['http'])
again = c.getresponse().read().decode('latin-1')
ctx = ssl.create_default_context(cafile=a['ca'])
t = http.client.HTTPSConnection('127.0.0.1', a['proxy'], timeout=10, context=ctx)
t.set_tunnel('127.0.0.1', a['tls'])
t.request('GET', '/small.txt')
tr = t.getresponse()
print(json.dumps({'plain': plain, 'again': again, 'tunnel': [tr.status, tr.read().decode('latin-1')]}))
`,
      { proxy: proxyPort, http: nginx.httpPort, tls: nginx.tlsPort, ca: nginx.certs.caFile },
    );
    const hello = textOf(file('/small.txt'));
    expect(result).toEqual({ plain: [200, '1.1 httpwire', hello], again: hello, tunnel: [200, hello] });
  });
});

describe('httpwire through the proxy', () => {
  it('plain (absolute-form) and CONNECT (set_tunnel)', async () => {
    const conn = new HTTPConnection('127.0.0.1', proxyPort, { timeout: 10 });
    await conn.request('GET', `http://127.0.0.1:${nginx.httpPort}/small.txt`);
    const res = await conn.getresponse();
    expect(res.status).toBe(200);
    expect(res.getheader('Via')).toBe('1.1 httpwire');
    expect(textOf(await res.read())).toBe(textOf(file('/small.txt')));
    conn.close();

    const context = create_default_context({ cafile: nginx.certs.caFile });
    const tls = new HTTPSConnection('127.0.0.1', proxyPort, { timeout: 10, context });
    tls.set_tunnel('127.0.0.1', nginx.tlsPort);
    await tls.request('GET', '/small.txt');
    const tr = await tls.getresponse();
    expect(tr.status).toBe(200);
    expect(textOf(await tr.read())).toBe(textOf(file('/small.txt')));
    tls.close();
    await settled();
  });
});

describe('one client connection', () => {
  it('pipelined requests are answered in order; HTTP/1.0 closes after its answer', async () => {
    const base = `http://127.0.0.1:${nginx.httpPort}`;
    const out = await rawExchange(
      `GET ${base}/small.txt HTTP/1.1\r\nHost: a\r\n\r\n` +
        `POST ${base}/info HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc` +
        `GET ${base}/empty.txt HTTP/1.0\r\n\r\n`,
    );
    const heads = out.match(/HTTP\/1\.1 \d{3} [^\r]*/g);
    expect(heads).toEqual(['HTTP/1.1 200 OK', 'HTTP/1.1 200 OK', 'HTTP/1.1 200 OK']);
    expect(out).toContain(textOf(file('/small.txt')));
    expect(out).toMatch(/POST \/info HTTP\/1\.1 .* length=3\n/);
    // The HTTP/1.0 request was the last: the proxy closed (rawExchange returned before its 3 s wait).
    expect(out).toMatch(/\r\nConnection: close\r\n\r\n$/);
    await settled();
  });
});

describe('refusals and failures', () => {
  it('smuggling forms get 400 and never reach the origin', async () => {
    const before = nginx.accessLog().length;
    const target = `http://127.0.0.1:${nginx.httpPort}/info`;
    const forms: [string, string][] = [
      [`POST ${target} HTTP/1.1\r\nHost: a\r\nContent-Length: 13\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nSMUGGLED`, 'content-length-with-transfer-encoding'],
      [`POST ${target} HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: xchunked\r\n\r\n0\r\n\r\n`, 'transfer-encoding-not-chunked'],
      [`POST ${target} HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nContent-Length: 30\r\n\r\nabc`, 'multiple-content-length'],
      [`POST ${target} HTTP/1.1\r\nHost: a\r\nTransfer-Encoding : chunked\r\n\r\n0\r\n\r\n`, 'whitespace-before-colon'],
      [`GET ${target} HTTP/1.1\r\n\r\n`, 'missing-host'],
    ];
    for (const [request, rule] of forms) {
      const out = await rawExchange(request);
      expect(out).toMatch(new RegExp(`^HTTP/1\\.1 400 Bad request: ${rule}\\r\\n`));
    }
    // A bad chunk inside an accepted head: refused before the body goes on.
    const chunk = await rawExchange(`POST ${target} HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0x5\r\nhello\r\n0\r\n\r\n`);
    expect(chunk).toMatch(/^HTTP\/1\.1 400 Bad request: invalid-chunk-size\r\n/);
    expect(nginx.accessLog().length - before).toBeLessThanOrEqual(1); // at most the cut request, never a smuggled one
    expect(nginx.accessLog().slice(before).join('\n')).not.toMatch(/SMUGGLED/);
    await settled();
  });

  it('CPython-style answers for a bad request line', async () => {
    expect(await rawExchange('GET / HTTP/2.0\r\n\r\n')).toMatch(/^HTTP\/1\.1 505 Invalid HTTP version \(2\.0\)\r\n/);
    expect(await rawExchange(`GET /${'a'.repeat(70000)} HTTP/1.1\r\n\r\n`)).toMatch(/^HTTP\/1\.1 414 URI Too Long\r\n/);
    expect(await rawExchange('GET /relative HTTP/1.1\r\nHost: a\r\n\r\n')).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
  });

  it('an origin that splits its response gets 502; one that never answers 504; a closed port 502', async () => {
    const origin = await startRawServer([
      raw.sendAndClose('HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n'),
      raw.stall(),
    ]);
    try {
      expect(await rawExchange(`GET http://127.0.0.1:${origin.port}/ HTTP/1.1\r\nHost: a\r\n\r\n`)).toMatch(/^HTTP\/1\.1 502 Bad Gateway\r\n[^]*content-length-with-transfer-encoding/);
      expect(await rawExchange(`GET http://127.0.0.1:${origin.port}/ HTTP/1.1\r\nHost: a\r\n\r\n`, 8000)).toMatch(/^HTTP\/1\.1 504 Gateway Timeout\r\n/);
    } finally {
      await origin.stop();
    }
    expect(await rawExchange(`GET http://127.0.0.1:${origin.port}/ HTTP/1.1\r\nHost: a\r\n\r\n`)).toMatch(/^HTTP\/1\.1 502 Bad Gateway\r\n/);
    await settled();
  });

  it('a client closing mid-body and an origin closing mid-body leave nothing open', async () => {
    // The client sends 1,000 of 1,000,000 announced bytes, then leaves.
    await new Promise<void>((resolve) => {
      const s = net.connect(proxyPort, '127.0.0.1', () => {
        s.write(`POST http://127.0.0.1:${nginx.httpPort}/info HTTP/1.1\r\nHost: a\r\nContent-Length: 1000000\r\n\r\n${'z'.repeat(1000)}`, () => setTimeout(() => s.destroy(), 100));
      });
      s.on('close', () => resolve());
      s.on('error', () => {});
    });
    await settled();

    // The origin promises 100,000 bytes, sends 10, closes: the client sees the cut.
    const origin = await startRawServer([raw.sendAndClose('HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n0123456789')]);
    try {
      const out = await rawExchange(`GET http://127.0.0.1:${origin.port}/ HTTP/1.1\r\nHost: a\r\n\r\n`);
      expect(out).toMatch(/^HTTP\/1\.1 200 OK\r\n[^]*\r\n\r\n0123456789$/);
    } finally {
      await origin.stop();
    }
    await settled();
  });
});

describe('sent on with the pool', () => {
  const get = (port: number, path = '/', extra = '') => `GET http://127.0.0.1:${port}${path} HTTP/1.1\r\nHost: a\r\nConnection: close\r\n${extra}\r\n`;

  it("the client's end-to-end fields go on as sent: nothing added but Host and Via, hop-by-hop ones dropped, repeated ones as separate lines", async () => {
    const origin = await startRawServer([]);
    try {
      const out = await rawExchange(
        `GET http://127.0.0.1:${origin.port}/a/../b?c=%41 HTTP/1.1\r\nHost: elsewhere\r\nX-A: 1\r\nCookie: a=1\r\nX-A: 2\r\n` +
          'Cookie: b=2\r\nConnection: close, X-Hop\r\nX-Hop: y\r\nKeep-Alive: 5\r\nProxy-Authorization: Basic eg==\r\nTE: trailers\r\nVia: 1.0 first\r\n\r\n',
      );
      expect(out).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
      // No User-Agent or Accept-Encoding of the pool's or http.client's; the path not normalised.
      expect(origin.requests.map((r) => r.head)).toEqual([
        // Each field its own line as the client sent it (as before the move to the pool), fields of one name together.
        `GET /a/../b?c=%41 HTTP/1.1\r\nHost: 127.0.0.1:${origin.port}\r\nX-A: 1\r\nX-A: 2\r\nCookie: a=1\r\nCookie: b=2\r\nVia: 1.0 first, 1.1 httpwire\r\n\r\n`,
      ]);
    } finally {
      await origin.stop();
    }
    await settled();
  });

  it('repeated fields keep their order; our Via joins the last Via line; single fields stay one line each', async () => {
    const origin = await startRawServer([]);
    try {
      await rawExchange(
        `GET http://127.0.0.1:${origin.port}/ HTTP/1.1\r\nHost: a\r\nX-F: 3\r\nVia: 1.0 a\r\nX-F: 1\r\nVia: 1.0 b\r\nX-F: 2\r\nX-One: z\r\nConnection: close\r\n\r\n`,
      );
      await rawExchange(`GET http://127.0.0.1:${origin.port}/ HTTP/1.1\r\nHost: a\r\n1: index-like\r\nX-B: b\r\nConnection: close\r\n\r\n`);
      expect(origin.requests.map((r) => r.head)).toEqual([
        `GET / HTTP/1.1\r\nHost: 127.0.0.1:${origin.port}\r\nX-F: 3\r\nX-F: 1\r\nX-F: 2\r\nVia: 1.0 a\r\nVia: 1.0 b, 1.1 httpwire\r\nX-One: z\r\n\r\n`,
        // A name that is an array index keeps its place (a JS object would move it first).
        `GET / HTTP/1.1\r\nHost: 127.0.0.1:${origin.port}\r\n1: index-like\r\nX-B: b\r\nVia: 1.1 httpwire\r\n\r\n`,
      ]);
    } finally {
      await origin.stop();
    }
    await settled();
  });

  it('bodies framed from what was read: Content-Length as read, chunked re-framed, a bodyless POST with Content-Length: 0', async () => {
    const origin = await startRawServer([]);
    try {
      const base = `http://127.0.0.1:${origin.port}/`;
      await rawExchange(`POST ${base} HTTP/1.1\r\nHost: a\r\nContent-Length: 003\r\nConnection: close\r\n\r\nabc`);
      await rawExchange(`POST ${base} HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n2;x=y\r\nde\r\n1\r\nf\r\n0\r\n\r\n`);
      await rawExchange(`POST ${base} HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n`);
      const [length, chunked, none] = origin.requests;
      expect(length!.head).toMatch(/\r\nContent-Length: 3\r\n/);
      expect(Buffer.from(length!.body).toString('latin1')).toBe('abc');
      expect(chunked!.head).toMatch(/\r\nTransfer-Encoding: chunked\r\n\r\n$/);
      expect(chunked!.head).not.toMatch(/Content-Length/i);
      expect(Buffer.from(chunked!.body).toString('latin1')).toBe('def');
      // RFC 9110 8.6: a POST says its (empty) length; http.client sends it as CPython does.
      expect(none!.head).toMatch(/\r\nContent-Length: 0\r\n/);
    } finally {
      await origin.stop();
    }
    await settled();
  });

  it('no redirect followed, no content decoded: the response goes back as the origin sent it', async () => {
    const gz = gzipSync(Buffer.from('decoded text'));
    const origin = await startRawServer([
      raw.send('HTTP/1.1 302 Found\r\nLocation: /elsewhere\r\nContent-Length: 0\r\n\r\n'),
      (s) => void s.write(Buffer.concat([Buffer.from(`HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: ${gz.length}\r\n\r\n`), gz])),
    ]);
    try {
      expect(await rawExchange(get(origin.port))).toMatch(/^HTTP\/1\.1 302 Found\r\nLocation: \/elsewhere\r\n/);
      const out = Buffer.from(await rawExchange(get(origin.port)), 'latin1');
      expect(out.subarray(out.length - gz.length).equals(gz)).toBe(true);
      expect(out.toString('latin1')).toMatch(/\r\nContent-Encoding: gzip\r\n/);
      expect(origin.requests).toHaveLength(2); // the redirect was not followed
    } finally {
      await origin.stop();
    }
    await settled();
  });

  it('a request the origin saw is not sent again: a reset after a POST or a GET is a 502', async () => {
    const origin = await startRawServer([raw.reset(), raw.reset()]);
    try {
      const post = await rawExchange(`POST http://127.0.0.1:${origin.port}/ HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\nConnection: close\r\n\r\nhi`);
      expect(post).toMatch(/^HTTP\/1\.1 502 Bad Gateway\r\n/);
      expect(await rawExchange(get(origin.port))).toMatch(/^HTTP\/1\.1 502 Bad Gateway\r\n/);
      expect(origin.requests.map((r) => r.head.split(' ')[0])).toEqual(['POST', 'GET']);
    } finally {
      await origin.stop();
    }
    await settled();
  });

  it('the in-flight race: an idempotent bodyless request the origin closed a kept-alive connection on, unanswered, is sent once more on a new connection', async () => {
    const origin = await startRawServer([
      raw.ok('one'),
      // Reads the next request on the kept-alive connection and closes without a byte of answer.
      raw.sendAndClose(),
      raw.ok('again'),
      raw.ok('two'),
      raw.reset(),
    ]);
    try {
      expect(await rawExchange(get(origin.port, '/1'))).toMatch(/\r\n\r\none$/);
      expect(await rawExchange(get(origin.port, '/2'))).toMatch(/^HTTP\/1\.1 200 OK\r\n[^]*\r\n\r\nagain$/);
      // The same race lost with a reset instead of a FIN: retried too.
      expect(await rawExchange(get(origin.port, '/3'))).toMatch(/\r\n\r\ntwo$/);
      expect(await rawExchange(get(origin.port, '/4'))).toMatch(/\r\n\r\nok$/);
      expect(origin.requests.map((r) => `${r.head.split(' ')[1]}@${r.connection}`)).toEqual(['/1@1', '/2@1', '/2@2', '/3@2', '/4@2', '/4@3']);
    } finally {
      await origin.stop();
    }
    await settled();
  });

  it('the in-flight race is not retried for a request with a body, a bodyless POST, or a second time', async () => {
    const origin = await startRawServer([
      raw.ok('a'),
      raw.sendAndClose(), // the PUT with a body: its body went out, not sent again
      raw.ok('b'),
      raw.sendAndClose(), // a bodyless POST: not idempotent
      raw.ok('c'),
      raw.sendAndClose(), // a GET: retried once ...
      raw.sendAndClose(), // ... and not twice (this one was on a new connection)
    ]);
    try {
      const url = `http://127.0.0.1:${origin.port}/`;
      expect(await rawExchange(get(origin.port))).toMatch(/\r\n\r\na$/);
      expect(await rawExchange(`PUT ${url} HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\nConnection: close\r\n\r\nhi`)).toMatch(/^HTTP\/1\.1 502 Bad Gateway\r\n/);
      expect(await rawExchange(get(origin.port))).toMatch(/\r\n\r\nb$/);
      expect(await rawExchange(`POST ${url} HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n`)).toMatch(/^HTTP\/1\.1 502 Bad Gateway\r\n/);
      expect(await rawExchange(get(origin.port))).toMatch(/\r\n\r\nc$/);
      expect(await rawExchange(get(origin.port))).toMatch(/^HTTP\/1\.1 502 Bad Gateway\r\n/);
      expect(origin.requests.map((r) => `${r.head.split(' ')[0]}@${r.connection}`)).toEqual(['GET@1', 'PUT@1', 'GET@2', 'POST@2', 'GET@3', 'GET@3', 'GET@4']);
    } finally {
      await origin.stop();
    }
    await settled();
  });

  it('upstream connections are kept in the pool and reused; one the origin closed while idle is replaced', async () => {
    const origin = await startRawServer([
      raw.ok('one'),
      raw.ok('two'),
      // Closes after answering without saying so: the pooled connection is dead.
      raw.sendAndClose('HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nthree'),
    ]);
    try {
      for (const body of ['one', 'two', 'three', 'ok']) expect(await rawExchange(get(origin.port))).toMatch(new RegExp(`\r\n\r\n${body}$`));
      // The first three over one connection, the fourth over a new one.
      expect(origin.requests.map((r) => r.connection)).toEqual([1, 1, 1, 2]);
      await settled();
      expect(proxy.stats().upstreamIdle).toBeGreaterThanOrEqual(1);
    } finally {
      await origin.stop();
    }
  });
});

describe('response heads and idle clients', () => {
  it('a head whose body is late goes out without waiting for it; the body follows on the same connection', async () => {
    let headSeen: () => void = () => {};
    const seen = new Promise<void>((resolve) => (headSeen = resolve));
    // The origin sends the body only once the client has the head: a proxy holding the head for its body would never answer.
    const origin = await startRawServer([
      (socket) => {
        socket.write('HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\n');
        void seen.then(() => socket.write('late'));
      },
    ]);
    try {
      const out = await new Promise<string>((resolve, reject) => {
        const s = net.connect(proxyPort, '127.0.0.1', () => s.write(`GET http://127.0.0.1:${origin.port}/ HTTP/1.1\r\nHost: a\r\n\r\n`));
        let text = '';
        s.on('data', (d) => {
          text += d.toString('latin1');
          if (text.includes('\r\n\r\n')) headSeen();
          if (text.endsWith('\r\n\r\nlate')) {
            s.end();
            resolve(text);
          }
        });
        s.on('error', reject);
      });
      expect(out).toMatch(/^HTTP\/1\.1 200 OK\r\nContent-Length: 4\r\nVia: 1\.1 httpwire\r\n\r\nlate$/);
      await settled();
    } finally {
      await origin.stop();
    }
  });

  it('a client connection idle for idleTimeout is closed: one that never sent a request, and one after its answer', async () => {
    const p = createProxy({ idleTimeout: 0.2 });
    await new Promise<void>((resolve) => p.server.listen(0, '127.0.0.1', resolve));
    const port = (p.server.address() as net.AddressInfo).port;
    try {
      const closedBy = (request: string | null) =>
        new Promise<string>((resolve, reject) => {
          const s = net.connect(port, '127.0.0.1', () => request !== null && s.write(request));
          let text = '';
          s.on('data', (d) => (text += d.toString('latin1')));
          s.on('close', () => resolve(text));
          s.on('error', reject);
        });
      expect(await closedBy(null)).toBe('');
      const answered = await closedBy(`GET http://127.0.0.1:${nginx.httpPort}/small.txt HTTP/1.1\r\nHost: a\r\n\r\n`);
      expect(answered).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
      expect(answered.endsWith(textOf(file('/small.txt')))).toBe(true);
      await poll('idle clients gone', async () => (p.stats().clients === 0 ? true : null));
    } finally {
      await p.close();
    }
  });
});

describe('Upgrade through the proxy', () => {
  it('a 101 from a real upgrading server (node:http) turns the exchange into a tunnel: bytes both ways, early bytes kept', async () => {
    const seen: string[] = [];
    const origin = createHttpServer((_req, res) => res.end('not upgraded'));
    origin.on('upgrade', (req, socket: net.Socket, early: Buffer) => {
      seen.push(`${req.headers.upgrade} ${req.headers.connection} ${req.headers.via}`);
      // The 101 and the first bytes of the new protocol in one write.
      socket.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: echo\r\nConnection: Upgrade\r\n\r\nhello;' + early.toString('latin1'));
      socket.on('data', (d: Buffer) => socket.write(d.toString('latin1').toUpperCase()));
      socket.on('end', () => socket.end());
    });
    await new Promise<void>((resolve) => origin.listen(0, '127.0.0.1', resolve));
    const port = (origin.address() as net.AddressInfo).port;
    try {
      const got = await new Promise<string>((resolve, reject) => {
        const s = net.connect(proxyPort, '127.0.0.1', () =>
          s.write(`GET http://127.0.0.1:${port}/chat HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\nUpgrade: echo\r\n\r\n`),
        );
        let text = '';
        let step = 0;
        s.on('data', (d: Buffer) => {
          text += d.toString('latin1');
          if (step === 0 && text.endsWith('hello;')) {
            step = 1;
            s.write('ping');
          } else if (step === 1 && text.endsWith('PING')) {
            step = 2;
            s.write('pong');
          } else if (step === 2 && text.endsWith('PONG')) {
            s.end();
          }
        });
        s.on('close', () => resolve(text));
        s.on('error', reject);
        setTimeout(() => s.destroy(), 5000);
      });
      expect(got).toMatch(/^HTTP\/1\.1 101 Switching Protocols\r\n/);
      expect(got).toMatch(/\r\nUpgrade: echo\r\nConnection: upgrade\r\nVia: 1\.1 httpwire\r\n\r\nhello;PINGPONG$/);
      expect(seen).toEqual(['echo upgrade 1.1 httpwire']);
      await settled();
      // A request without Upgrade goes on as before, over a new pooled connection.
      expect(await rawExchange(`GET http://127.0.0.1:${port}/ HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n`)).toMatch(/\r\n\r\nnot upgraded$/);
    } finally {
      origin.close();
    }
    await settled();
  });

  it('Upgrade without `upgrade` in Connection is hop-by-hop and dropped; a 101 nobody asked for is a 502', async () => {
    const origin = await startRawServer([raw.ok('plain'), raw.send('HTTP/1.1 101 Switching Protocols\r\nUpgrade: x\r\nConnection: upgrade\r\n\r\n')]);
    try {
      const plain = await rawExchange(`GET http://127.0.0.1:${origin.port}/ HTTP/1.1\r\nHost: a\r\nUpgrade: echo\r\nConnection: close\r\n\r\n`);
      expect(plain).toMatch(/\r\n\r\nplain$/);
      expect(origin.requests[0]!.head).not.toMatch(/upgrade/i);
      const unasked = await rawExchange(`GET http://127.0.0.1:${origin.port}/ HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n`);
      expect(unasked).toMatch(/^HTTP\/1\.1 502 Bad Gateway\r\n[^]*101 without an Upgrade request/);
    } finally {
      await origin.stop();
    }
    await settled();
  });
});

describe('1 GiB through the proxy', () => {
  const GiB = 1 << 30;

  /** Runs `work` while sampling this process's RSS; returns the largest growth in MiB. */
  async function rssGrowth(work: () => Promise<void>): Promise<number> {
    globalThis.gc?.();
    const base = process.memoryUsage().rss;
    let peak = base;
    const timer = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().rss);
    }, 50);
    try {
      await work();
    } finally {
      clearInterval(timer);
    }
    return (peak - base) / (1 << 20);
  }

  it('download: nginx -> proxy -> curl, memory flat', async () => {
    const big = join(nginx.dir, 'www', 'big.bin');
    writeFileSync(big, '');
    truncateSync(big, GiB); // sparse: zeros, no disk
    let size = '';
    const growth = await rssGrowth(async () => {
      size = await viaCurl(['-o', '/dev/null', '-w', '%{size_download}', `http://127.0.0.1:${nginx.httpPort}/big.bin`]);
    });
    rmSync(big);
    expect(Number(size)).toBe(GiB);
    expect(growth).toBeLessThan(64);
  });

  it('upload: curl -> proxy -> node:http sink, memory flat', async () => {
    let received = 0;
    const sink = createHttpServer((req, res) => {
      req.on('data', (d: Buffer) => (received += d.length));
      req.on('end', () => res.end(String(received)));
    });
    await new Promise<void>((resolve) => sink.listen(0, '127.0.0.1', resolve));
    const port = (sink.address() as net.AddressInfo).port;
    const src = join(nginx.dir, 'www', 'upload.bin');
    writeFileSync(src, '');
    truncateSync(src, GiB);
    let answer = '';
    try {
      const growth = await rssGrowth(async () => {
        answer = await viaCurl(['-T', src, `http://127.0.0.1:${port}/up`]);
      });
      expect(answer).toBe(String(GiB));
      expect(growth).toBeLessThan(64);
    } finally {
      sink.close();
      rmSync(src);
    }
  });
});
