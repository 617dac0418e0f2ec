// httpwire/proxy at the edges of a response and of a request head: an
// origin that fails right after its head, one that closes before its body's
// end (Content-Length or chunked), a response head whose body is late, and
// request heads above the socket's 64 KiB high-water mark. Real sockets on
// 127.0.0.1; every wait is bounded, and the assertions say what the client
// got and who closed the connection, never how long it took.
import { createServer as createHttpServer } from 'node:http';
import * as net from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createProxy, type Proxy } from '../../src/proxy/index.js';
import { runCPython } from '../support/client.js';
import { poll, raw, startRawServer } from '../support/servers.js';

let proxy: Proxy;
let proxyPort = 0;
beforeAll(async () => {
  // The idle timeout (60 s) is far past every bounded wait below: a client left waiting shows as `closedByProxy: false`.
  proxy = createProxy({ timeout: 5 });
  await new Promise<void>((resolve) => proxy.server.listen(0, '127.0.0.1', resolve));
  proxyPort = (proxy.server.address() as net.AddressInfo).port;
});
afterAll(async () => {
  await proxy.close();
});

/** The timer functions as they were at load (a test below fakes setTimeout). */
const realSetTimeout = globalThis.setTimeout;
const realClearTimeout = globalThis.clearTimeout;

/**
 * One exchange with the proxy: `request` written, then everything read
 * until the proxy closes the connection, or `wait` ms pass (then the
 * client closes it: `closedByProxy` false).
 */
function exchange(request: string, wait = 5000): Promise<{ text: string; closedByProxy: boolean; error: string | null }> {
  return new Promise((resolve) => {
    const s = net.connect(proxyPort, '127.0.0.1', () => s.write(Buffer.from(request, 'latin1')));
    const parts: Buffer[] = [];
    let closedByProxy = true;
    let error: string | null = null;
    const timer = realSetTimeout(() => {
      closedByProxy = false;
      s.destroy();
    }, wait);
    s.on('data', (d) => parts.push(d));
    s.on('error', (e: NodeJS.ErrnoException) => (error = e.code ?? e.message));
    s.on('close', () => {
      realClearTimeout(timer);
      resolve({ text: Buffer.concat(parts).toString('latin1'), closedByProxy, error });
    });
  });
}

/** Waits until the proxy holds no client, upstream request or tunnel. */
async function settled(): Promise<void> {
  await poll('proxy settles', async () => {
    const s = proxy.stats();
    return s.clients === 0 && s.upstreamActive === 0 && s.tunnels === 0 ? true : null;
  });
}

describe('an origin that fails mid-response', () => {
  it('a reset right after the head: the client gets the head, then the cut (never no response)', async () => {
    const head = 'HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n';
    const runs = 10;
    const origin = await startRawServer(Array.from({ length: runs }, () => raw.reset(head)));
    try {
      for (let i = 0; i < runs; i++) {
        const got = await exchange(`GET http://127.0.0.1:${origin.port}/ HTTP/1.1\r\nHost: a\r\n\r\n`);
        expect(got.closedByProxy).toBe(true);
        expect(got.text).toMatch(/^HTTP\/1\.1 200 OK\r\nContent-Length: 1000\r\nVia: 1\.1 httpwire\r\n\r\n$/);
      }
    } finally {
      await origin.stop();
    }
    await settled();
  });

  it("CPython's http.client sees IncompleteRead for a POST the origin answered and reset, not RemoteDisconnected (which a client may retry)", async () => {
    const runs = 5;
    const origin = await startRawServer(Array.from({ length: runs }, () => raw.reset('HTTP/1.1 201 Created\r\nContent-Length: 1000\r\n\r\n')));
    try {
      const result = await runCPython(
        `
import http.client, json, sys
a = json.loads(sys.argv[1])
out = []
for i in range(a['runs']):
    c = http.client.HTTPConnection('127.0.0.1', a['proxy'], timeout=10)
    c.request('POST', 'http://127.0.0.1:%d/order' % a['origin'], body=b'x')
    try:
        r = c.getresponse()
        r.read()
        out.append('complete')
    except Exception as e:
        out.append(type(e).__name__ + (' %d' % r.status if type(e).__name__ == 'IncompleteRead' else ''))
    c.close()
print(json.dumps(out))
`,
        { proxy: proxyPort, origin: origin.port, runs },
      );
      expect(result).toEqual(Array(runs).fill('IncompleteRead 201'));
    } finally {
      await origin.stop();
    }
    await settled();
  });

  it('a body shorter than its Content-Length, or a chunked body cut mid-chunk or between chunks: the client connection is closed at once after what came', async () => {
    const origin = await startRawServer([
      raw.sendAndClose('HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n0123456789'),
      raw.sendAndClose('HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n'),
      raw.sendAndClose('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\na\r\n01234'),
      raw.sendAndClose('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\na\r\n0123456789\r\n'),
    ]);
    const get = `GET http://127.0.0.1:${origin.port}/ HTTP/1.1\r\nHost: a\r\n\r\n`;
    try {
      const short = await exchange(get);
      expect(short.closedByProxy).toBe(true);
      expect(short.text).toMatch(/^HTTP\/1\.1 200 OK\r\nContent-Length: 100000\r\nVia: 1\.1 httpwire\r\n\r\n0123456789$/);
      const none = await exchange(get);
      expect(none.closedByProxy).toBe(true);
      expect(none.text).toMatch(/^HTTP\/1\.1 200 OK\r\nContent-Length: 100000\r\nVia: 1\.1 httpwire\r\n\r\n$/);
      // Chunked: re-chunked to the client; a cut piece is not passed on as a whole chunk, and no last chunk follows.
      const midChunk = await exchange(get);
      expect(midChunk.closedByProxy).toBe(true);
      expect(midChunk.text).toMatch(/^HTTP\/1\.1 200 OK\r\nVia: 1\.1 httpwire\r\nTransfer-Encoding: chunked\r\n\r\n(?:5\r\n01234\r\n)?$/);
      const betweenChunks = await exchange(get);
      expect(betweenChunks.closedByProxy).toBe(true);
      expect(betweenChunks.text).toMatch(/^HTTP\/1\.1 200 OK\r\nVia: 1\.1 httpwire\r\nTransfer-Encoding: chunked\r\n\r\na\r\n0123456789\r\n$/);
    } finally {
      await origin.stop();
    }
    await settled();
  });
});

describe('a response head whose body is late', () => {
  it('goes out at the end of the turn it came in, with no timer (setTimeout stopped: the head still comes before the body)', async () => {
    let headSeen: () => void = () => {};
    const seen = new Promise<void>((resolve) => (headSeen = resolve));
    const origin = await startRawServer([
      (socket) => {
        socket.write('HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\n');
        void seen.then(() => socket.write('late'));
      },
    ]);
    // Timers set with setTimeout never fire while faked: a head held on one would wait for the body, which waits for the head.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      const out = await new Promise<string>((resolve) => {
        const s = net.connect(proxyPort, '127.0.0.1', () => s.write(`GET http://127.0.0.1:${origin.port}/ HTTP/1.1\r\nHost: a\r\n\r\n`));
        let text = '';
        const timer = realSetTimeout(() => s.destroy(), 5000);
        s.on('data', (d) => {
          text += d.toString('latin1');
          if (text.includes('\r\n\r\n')) headSeen();
          if (text.endsWith('\r\n\r\nlate')) s.end();
        });
        s.on('error', () => {});
        s.on('close', () => {
          realClearTimeout(timer);
          resolve(text);
        });
      });
      expect(out).toMatch(/^HTTP\/1\.1 200 OK\r\nContent-Length: 4\r\nVia: 1\.1 httpwire\r\n\r\nlate$/);
    } finally {
      vi.useRealTimers();
      await origin.stop();
    }
    await settled();
  });
});

describe('request heads above 64 KiB', () => {
  it("are read up to CPython's limits (lines of 40,000 bytes, 240 KB in all, in one write and in pieces); past them 431 as before", async () => {
    const origin = createHttpServer({ maxHeaderSize: 16 << 20 }, (req, res) => {
      res.end(`origin saw ${Object.keys(req.headers).filter((k) => k.startsWith('x-big-')).length} big fields\n`);
    });
    await new Promise<void>((resolve) => origin.listen(0, '127.0.0.1', resolve));
    const port = (origin.address() as net.AddressInfo).port;
    try {
      let head = `GET http://127.0.0.1:${port}/ HTTP/1.1\r\nHost: a\r\nConnection: close\r\n`;
      for (let i = 0; i < 6; i++) head += `X-Big-${i}: ${'a'.repeat(40000)}\r\n`;
      head += '\r\n';
      const whole = await exchange(head);
      expect(whole.closedByProxy).toBe(true);
      expect(whole.text).toMatch(/^HTTP\/1\.1 200 OK\r\n[^]*\r\n\r\norigin saw 6 big fields\n$/);

      // In pieces: the head crosses the high-water mark while still incomplete.
      const pieces = await new Promise<string>((resolve) => {
        const s = net.connect(proxyPort, '127.0.0.1');
        let text = '';
        const timer = realSetTimeout(() => s.destroy(), 5000);
        s.on('data', (d) => (text += d.toString('latin1')));
        s.on('error', () => {});
        s.on('close', () => {
          realClearTimeout(timer);
          resolve(text);
        });
        s.on('connect', () => {
          const step = 30000;
          let at = 0;
          const more = () => {
            if (at >= head.length) return;
            const piece = head.slice(at, (at += step));
            s.write(Buffer.from(piece, 'latin1'), () => setImmediate(more));
          };
          more();
        });
      });
      expect(pieces).toMatch(/^HTTP\/1\.1 200 OK\r\n[^]*\r\n\r\norigin saw 6 big fields\n$/);

      // Past the limits: the reader's answers, as before.
      let tooMany = `GET http://127.0.0.1:${port}/ HTTP/1.1\r\nHost: a\r\n`;
      for (let i = 0; i < 101; i++) tooMany += `X-${i}: ${'b'.repeat(2000)}\r\n`;
      const many = await exchange(tooMany + '\r\n');
      expect(many.closedByProxy).toBe(true);
      expect(many.text).toMatch(/^HTTP\/1\.1 431 Too many headers\r\n/);
      const long = await exchange(`GET http://127.0.0.1:${port}/ HTTP/1.1\r\nHost: a\r\nX-A: ${'c'.repeat(70000)}\r\n\r\n`);
      expect(long.closedByProxy).toBe(true);
      expect(long.text).toMatch(/^HTTP\/1\.1 431 Line too long\r\n/);
    } finally {
      await new Promise<void>((resolve) => origin.close(() => resolve()));
    }
    await settled();
  });
});
