// httpwire's HTTPConnection, HTTPSConnection and HTTPResponse against nginx
// (test/support/servers.ts starts it on 127.0.0.1 with its own config).
// Expected values are what CPython 3.13's http.client does against the same
// nginx configuration.
import { describe, it, expect, afterEach } from 'vitest';
import { gunzipSync } from 'node:zlib';
import {
  HTTPConnection,
  HTTPSConnection,
  OSError,
  SSLCertVerificationError,
  ValueError,
  _create_unverified_context,
  create_default_context,
  CERT_REQUIRED,
} from '../../src/index.js';
import { STATIC_FILES, startNginx, usePeer } from '../support/servers.js';
import { concat, errorFields, expectBytes, countingFactory, readPieces, rejection, runCPython, textOf } from '../support/client.js';

const nginx = usePeer(startNginx);

const open: { close(): void }[] = [];
afterEach(() => {
  while (open.length) open.pop()!.close();
});
function plain(opts: Record<string, unknown> = {}): InstanceType<typeof HTTPConnection> {
  const conn = new HTTPConnection('127.0.0.1', nginx.httpPort, { timeout: 10, ...opts });
  open.push(conn);
  return conn;
}
function secure(port: number, context: unknown, opts: Record<string, unknown> = {}): InstanceType<typeof HTTPSConnection> {
  const conn = new HTTPSConnection('127.0.0.1', port, { timeout: 10, context, ...opts });
  open.push(conn);
  return conn;
}

const file = (path: string) => STATIC_FILES[path]!;

async function get(conn: InstanceType<typeof HTTPConnection>, path: string, method = 'GET') {
  await conn.request(method, path);
  return conn.getresponse();
}

describe('nginx over plain HTTP', () => {
  it('GET a small file: status line, headers, body', async () => {
    const conn = plain();
    const resp = await get(conn, '/small.txt');
    expect([resp.status, resp.reason, resp.version]).toEqual([200, 'OK', 11]);
    expect(resp.getheader('Content-Length')).toBe('1040');
    expect(resp.getheader('Content-Type')).toBe('text/plain');
    expect(resp.getheader('Server')).toMatch(/^nginx\/\d/);
    expect(resp.getheader('X-Missing', 'default')).toBe('default');
    expect(resp.length).toBe(1040);
    expect(resp.chunked).toBe(false);
    expect(resp.will_close).toBe(false);
    expect(resp.getheaders().map(([k]) => k)).toContain('Last-Modified');
    expectBytes(await resp.read(), file('/small.txt'));
    expect(resp.isclosed()).toBe(true);
    expect(await resp.read()).toEqual(new Uint8Array(0));
  });

  it('reads 1 MiB in pieces with read(amt) and readinto()', async () => {
    const conn = plain();
    let resp = await get(conn, '/1mib.bin');
    expect(resp.length).toBe(1 << 20);
    const pieces = await readPieces(resp, 65536);
    expect(pieces.every((p) => p.length > 0 && p.length <= 65536)).toBe(true);
    expectBytes(concat(pieces), file('/1mib.bin'));
    expect(resp.length).toBe(0);
    expect(resp.isclosed()).toBe(true);

    resp = await get(conn, '/1mib.bin');
    const buf = new Uint8Array(100_000);
    const got: Uint8Array[] = [];
    for (let i = 0; i < 1000; i++) {
      const n = await resp.readinto(buf);
      if (n === 0) break;
      got.push(buf.slice(0, n));
    }
    expectBytes(concat(got), file('/1mib.bin'));
  });

  it('iterates a body line by line', async () => {
    const resp = await get(plain(), '/small.txt');
    const lines: string[] = [];
    for await (const line of resp) {
      lines.push(textOf(line as Uint8Array));
      if (lines.length > 100) break;
    }
    expect(lines).toEqual(Array(40).fill('Hello from a real server.\n'));
  });

  it('an empty file: Content-Length 0, empty body', async () => {
    const resp = await get(plain(), '/empty.txt');
    expect(resp.status).toBe(200);
    expect(resp.length).toBe(0);
    expect(await resp.read()).toEqual(new Uint8Array(0));
  });

  it('404 Not Found, and the connection serves the next request', async () => {
    const conn = plain();
    const resp = await get(conn, '/missing');
    expect([resp.status, resp.reason]).toEqual([404, 'Not Found']);
    expect(resp.will_close).toBe(false);
    expect(textOf(await resp.read())).toContain('<title>404 Not Found</title>');
    const next = await get(conn, '/small.txt');
    expect(next.status).toBe(200);
    expectBytes(await next.read(), file('/small.txt'));
    expect(next.getheader('X-Connection')).toBe(resp.getheader('X-Connection'));
  });

  it('HEAD: the headers of the GET, no body, and the connection stays in step', async () => {
    const conn = plain();
    const head = await get(conn, '/small.txt', 'HEAD');
    expect(head.status).toBe(200);
    expect(head.getheader('Content-Length')).toBe('1040');
    expect(head.length).toBe(0);
    expect(await head.read()).toEqual(new Uint8Array(0));
    expect(head.isclosed()).toBe(true);
    const next = await get(conn, '/info');
    expect(textOf(await next.read())).toMatch(/^GET \/info HTTP\/1\.1 connection=\d+ requests=2 length=\n$/);
  });

  it('keep-alive: one TCP connection for several requests, as nginx counts them', async () => {
    const { factory, connects } = countingFactory();
    const conn = plain({ transportFactory: factory });
    const paths = ['/small.txt', '/info', '/1mib.bin', '/empty.txt', '/missing', '/small.txt'];
    const seen: [string | null, string | null][] = [];
    for (const path of paths) {
      const resp = await get(conn, path);
      await resp.read();
      seen.push([resp.getheader('X-Connection'), resp.getheader('X-Connection-Requests')]);
    }
    const id = seen[0]![0];
    expect(id).toMatch(/^\d+$/);
    expect(seen).toEqual(paths.map((_, i) => [id, String(i + 1)]));
    // nginx logs a request before it reads the next one on the connection:
    // once one more response arrived, every request above is in the log.
    await (await get(conn, '/info')).read();
    expect(connects).toHaveLength(1);
    const logged = nginx.accessLog().filter((line) => line.startsWith(`${id} `));
    expect(logged.slice(0, paths.length).map((line) => line.split('"')[1])).toEqual(paths.map((p) => `GET ${p} HTTP/1.1`));
  });

  it('keepalive_requests 3: the third response says Connection: close; the fourth request reconnects', async () => {
    const { factory, connects } = countingFactory();
    const conn = plain({ transportFactory: factory });
    const seen: [string | null, boolean, string | null][] = [];
    for (let i = 0; i < 4; i++) {
      const resp = await get(conn, '/limited/small.txt');
      expectBytes(await resp.read(), file('/small.txt'));
      seen.push([resp.getheader('Connection'), resp.will_close, resp.getheader('X-Connection')]);
    }
    expect(seen.map(([header, willClose]) => [header, willClose])).toEqual([
      ['keep-alive', false],
      ['keep-alive', false],
      ['close', true],
      ['keep-alive', false],
    ]);
    expect(new Set(seen.slice(0, 3).map(([, , id]) => id)).size).toBe(1);
    expect(seen[3]![2]).not.toBe(seen[0]![2]);
    expect(connects).toHaveLength(2);
  });

  it('keepalive_timeout 0: every response closes, and each request opens a connection', async () => {
    const { factory, connects } = countingFactory();
    const conn = plain({ transportFactory: factory });
    for (let i = 0; i < 3; i++) {
      const resp = await get(conn, '/close/small.txt');
      expect(resp.will_close).toBe(true);
      expect(conn.sock).toBeNull();
      expectBytes(await resp.read(), file('/small.txt'));
    }
    expect(connects).toHaveLength(3);
  });

  it('eight connections in parallel, five requests each: each keeps to its own TCP connection', async () => {
    const runs = await Promise.all(
      Array.from({ length: 8 }, async () => {
        const conn = plain();
        const seen: string[] = [];
        for (let i = 0; i < 5; i++) {
          const resp = await get(conn, `/info?i=${i}`);
          seen.push(textOf(await resp.read()));
        }
        return seen;
      }),
    );
    const ids = runs.map((seen) => {
      const parsed = seen.map((line) => /^GET \/info\?i=(\d) HTTP\/1\.1 connection=(\d+) requests=(\d+) /.exec(line));
      expect(parsed.map((m) => [m?.[1], m?.[3]])).toEqual([0, 1, 2, 3, 4].map((i) => [String(i), String(i + 1)]));
      expect(new Set(parsed.map((m) => m![2])).size).toBe(1);
      return parsed[0]![2];
    });
    expect(new Set(ids).size).toBe(8);
  });

  it('peek() and read1() over a chunked and a Content-Length body: read1 returns what peek showed', async () => {
    const conn = plain();
    for (const path of ['/gzip/lines.txt', '/1mib.bin']) {
      conn.putrequest('GET', path, { skip_accept_encoding: true });
      conn.putheader('Accept-Encoding', 'gzip');
      await conn.endheaders();
      const resp = await conn.getresponse();
      const parts: Uint8Array[] = [];
      for (let i = 0; i < 100_000; i++) {
        const peeked = await resp.peek();
        const got = await resp.read1(4096);
        if (got.length === 0) break;
        expect(peeked.length).toBeGreaterThan(0);
        expect(textOf(got)).toBe(textOf(peeked.subarray(0, got.length)));
        parts.push(got);
      }
      const body = concat(parts);
      expectBytes(path.startsWith('/gzip/') ? new Uint8Array(gunzipSync(body)) : body, file(path));
    }
  });

  it('POST and PUT with a body: nginx reads it, and keep-alive goes on', async () => {
    const conn = plain();
    await conn.request('POST', '/info', 'hello');
    let resp = await conn.getresponse();
    expect(textOf(await resp.read())).toMatch(/^POST \/info HTTP\/1\.1 connection=\d+ requests=1 length=5\n$/);
    await conn.request('PUT', '/info', new Uint8Array(100_000).fill(0x61), { 'Content-Type': 'application/octet-stream' });
    resp = await conn.getresponse();
    expect(textOf(await resp.read())).toMatch(/^PUT \/info HTTP\/1\.1 connection=\d+ requests=2 length=100000\n$/);
  });

  it('chunked + gzip: the body arrives intact (read whole, and in small pieces)', async () => {
    const conn = plain();
    const original = file('/gzip/lines.txt');
    for (const amt of [null, 1000]) {
      conn.putrequest('GET', '/gzip/lines.txt', { skip_accept_encoding: true });
      conn.putheader('Accept-Encoding', 'gzip');
      await conn.endheaders();
      const resp = await conn.getresponse();
      expect(resp.getheader('Transfer-Encoding')).toBe('chunked');
      expect(resp.getheader('Content-Encoding')).toBe('gzip');
      expect(resp.chunked).toBe(true);
      expect(resp.length).toBeNull();
      const body = amt === null ? await resp.read() : concat(await readPieces(resp, amt));
      expect(body.length).toBeLessThan(original.length);
      expectBytes(new Uint8Array(gunzipSync(body)), original);
      expect(resp.isclosed()).toBe(true);
    }
  });

  it('without Accept-Encoding: gzip, the same file comes whole and unencoded', async () => {
    const resp = await get(plain(), '/gzip/lines.txt');
    expect(resp.getheader('Content-Encoding')).toBeNull();
    expect(resp.chunked).toBe(false);
    expectBytes(await resp.read(), file('/gzip/lines.txt'));
  });
});

describe('nginx over TLS', () => {
  it('verifies the server with the minted CA given as cafile', async () => {
    const conn = secure(nginx.tlsPort, create_default_context({ cafile: nginx.certs.caFile }));
    const resp = await get(conn, '/small.txt');
    expect(resp.status).toBe(200);
    expectBytes(await resp.read(), file('/small.txt'));
    // keep-alive over TLS
    const again = await get(conn, '/1mib.bin');
    expectBytes(await again.read(), file('/1mib.bin'));
    expect(again.getheader('X-Connection')).toBe(resp.getheader('X-Connection'));
  });

  it('verifies the server with the CA given as cadata (PEM text)', async () => {
    const resp = await get(secure(nginx.tlsPort, create_default_context({ cadata: nginx.certs.caPem })), '/small.txt');
    expectBytes(await resp.read(), file('/small.txt'));
  });

  it('refuses a CA-signed certificate for another name', async () => {
    const conn = secure(nginx.wrongNamePort, create_default_context({ cafile: nginx.certs.caFile }));
    const err = await rejection(conn.request('GET', '/small.txt'));
    expect(err).toBeInstanceOf(SSLCertVerificationError);
    expect(err).toBeInstanceOf(OSError);
    expect(err).toBeInstanceOf(ValueError);
    expect(err.verify_code).toBe(64);
    expect(err.verify_message).toBe("IP address mismatch, certificate is not valid for '127.0.0.1'.");
    expect(err.reason).toBe('CERTIFICATE_VERIFY_FAILED');
  });

  it('accepts that certificate when check_hostname is off (the chain still verified)', async () => {
    const ctx = create_default_context({ cafile: nginx.certs.caFile });
    ctx.check_hostname = false;
    expect(ctx.verify_mode).toBe(CERT_REQUIRED);
    const resp = await get(secure(nginx.wrongNamePort, ctx), '/small.txt');
    expectBytes(await resp.read(), file('/small.txt'));
  });

  it('refuses a self-signed certificate without its CA: certificate verification error', async () => {
    for (const ctx of [create_default_context(), create_default_context({ cafile: nginx.certs.caFile })]) {
      const err = await rejection(secure(nginx.selfSignedPort, ctx).request('GET', '/small.txt'));
      expect(err).toBeInstanceOf(SSLCertVerificationError);
      expect(err.verify_code).toBe(18);
      expect(err.verify_message).toBe('self-signed certificate');
      expect(String(err.message)).toContain('[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: self-signed certificate');
    }
  });

  it('each refusal is the one CPython 3.13 raises against the same nginx', async () => {
    const names = ['errno', 'reason', 'library', 'verify_code', 'verify_message'];
    const cases = [
      { port: nginx.wrongNamePort, cafile: nginx.certs.caFile },
      { port: nginx.selfSignedPort, cafile: nginx.certs.caFile },
      { port: nginx.selfSignedPort, cafile: null },
    ];
    const ours = [];
    for (const { port, cafile } of cases) {
      const ctx = cafile === null ? create_default_context() : create_default_context({ cafile });
      const { str, args, ...rest } = errorFields(await rejection(secure(port, ctx).request('GET', '/small.txt')), names);
      ours.push(rest);
    }
    const theirs = await runCPython(
      `
import http.client, json, ssl, sys
cfg = json.loads(sys.argv[1])
out = []
for case in cfg['cases']:
    ctx = ssl.create_default_context(cafile=case['cafile'])
    conn = http.client.HTTPSConnection('127.0.0.1', case['port'], context=ctx, timeout=10)
    try:
        conn.request('GET', '/small.txt')
        out.append(None)
    except Exception as e:
        f = fields(e, cfg['names'])
        del f['str'], f['args']  # CPython's texts end with its C source line: (_ssl.c:1020)
        out.append(f)
    conn.close()
print(json.dumps(out))
`,
      { cases, names },
    );
    expect(ours).toEqual(theirs);
  });

  it('accepts the self-signed certificate with an unverified context, or with it as the CA', async () => {
    let resp = await get(secure(nginx.selfSignedPort, _create_unverified_context()), '/small.txt');
    expectBytes(await resp.read(), file('/small.txt'));
    resp = await get(secure(nginx.selfSignedPort, create_default_context({ cadata: nginx.certs.selfSigned.pem })), '/small.txt');
    expectBytes(await resp.read(), file('/small.txt'));
  });
});
