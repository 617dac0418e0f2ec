import { describe, expect, it } from 'vitest';
import { HTTPConnection, RemoteDisconnected, TimeoutError } from '../../src/index.js';
import { StreamTransport, streamTransportFactory, type StreamPair } from '../../src/transport/streams.js';
import { TransportError, type ConnectOptions } from '../../src/transport/types.js';
import { connectedPair, countingSource, enc, readUntil, recordingSink, rejection as rejectionOf } from '../support/stream-pair.js';

const dec = (b: Uint8Array) => String.fromCharCode(...b);
const never = () => new ReadableStream<Uint8Array>({ pull: () => new Promise(() => {}) });
/** Lets pending promise callbacks and stream steps run. */
const settle = () => new Promise((r) => setTimeout(r, 0));

const rejection = (p: Promise<unknown>) => rejectionOf(p, TransportError);

describe('StreamTransport reads', () => {
  it('hands out chunks in order, skips empty ones, then null at EOF', async () => {
    const { readable } = countingSource(['HTTP/1.1', new Uint8Array(0), ' 200 OK\r\n']);
    const t = new StreamTransport({ readable, writable: recordingSink().writable });
    expect(dec((await t.read())!)).toBe('HTTP/1.1');
    expect(dec((await t.read())!)).toBe(' 200 OK\r\n');
    expect(await t.read()).toBeNull();
    expect(await t.read()).toBeNull();
  });

  it('takes ArrayBuffers and other views as bytes', async () => {
    const source = new ReadableStream<unknown>({
      start(c) {
        c.enqueue(enc('ab').buffer);
        c.enqueue(new DataView(enc('xcdx').buffer, 1, 2));
        c.close();
      },
    });
    const t = new StreamTransport({ readable: source as ReadableStream<Uint8Array>, writable: recordingSink().writable });
    expect(dec((await t.read())!)).toBe('ab');
    expect(dec((await t.read())!)).toBe('cd');
  });

  it('pulls from the source only when read() is called', async () => {
    const src = countingSource(['a', 'b', 'c', 'd']);
    const t = new StreamTransport({ readable: src.readable, writable: recordingSink().writable });
    await settle();
    expect(src.pulls()).toBe(0);
    await t.read();
    await t.read();
    await settle();
    expect(src.pulls()).toBe(2);
  });

  it('maps a reset of the stream to ECONNRESET, and keeps reporting it', async () => {
    const reset = Object.assign(new Error('connection reset by peer'), { name: 'ConnectionReset' });
    const readable = new ReadableStream<Uint8Array>({ pull: (c) => c.error(reset) });
    const t = new StreamTransport({ readable, writable: recordingSink().writable });
    const err = await rejection(t.read());
    expect(err.code).toBe('ECONNRESET');
    expect(err.cause).toBe(reset);
    expect((await rejection(t.read())).code).toBe('ECONNRESET');
  });

  it('keeps an errno-style code the stream error carries', async () => {
    const readable = new ReadableStream<Uint8Array>({ pull: (c) => c.error(Object.assign(new Error('x'), { code: 'EHOSTUNREACH' })) });
    const t = new StreamTransport({ readable, writable: recordingSink().writable });
    expect((await rejection(t.read())).code).toBe('EHOSTUNREACH');
  });

  it('refuses a second read while one is pending', async () => {
    const t = new StreamTransport({ readable: never(), writable: recordingSink().writable });
    const first = t.read();
    expect((await rejection(t.read())).code).toBe('EBUSY');
    t.close();
    expect((await rejection(first)).code).toBe('ECLOSED');
  });

  it('times out a read after the timeout in seconds, closing the transport and its pair', async () => {
    let cancelled = false;
    const readable = new ReadableStream<Uint8Array>({ pull: () => new Promise(() => {}), cancel: () => void (cancelled = true) });
    let closes = 0;
    const t = new StreamTransport({ readable, writable: recordingSink().writable, close: () => void closes++ }, 0.02);
    expect(t.timeout).toBe(0.02);
    const err = await rejection(t.read());
    expect(err.code).toBe('ETIMEDOUT');
    expect(t.closed).toBe(true);
    expect(closes).toBe(1);
    await settle();
    expect(cancelled).toBe(true);
    expect((await rejection(t.read())).code).toBe('ETIMEDOUT');
  });

  it('rejects a negative timeout', () => {
    const t = new StreamTransport({ readable: never(), writable: recordingSink().writable });
    expect(() => t.setTimeout(-1)).toThrow(RangeError);
    t.setTimeout(null);
    expect(t.timeout).toBeNull();
  });
});

describe('StreamTransport writes', () => {
  it('writes bytes through the writer, skipping empty writes', async () => {
    const sink = recordingSink();
    const t = new StreamTransport({ readable: never(), writable: sink.writable });
    await t.write(enc('GET / HTTP/1.1\r\n'));
    await t.write(new Uint8Array(0));
    await t.write(enc('\r\n'));
    expect(sink.written.map(dec)).toEqual(['GET / HTTP/1.1\r\n', '\r\n']);
  });

  it("waits for the sink's backpressure before handing it more", async () => {
    const gates: (() => void)[] = [];
    const written: string[] = [];
    const writable = new WritableStream<Uint8Array>(
      {
        write: (chunk) =>
          new Promise<void>((resolve) => {
            written.push(dec(chunk));
            gates.push(resolve);
          }),
      },
      { highWaterMark: 1 },
    );
    const t = new StreamTransport({ readable: never(), writable });
    let firstDone = false;
    const first = t.write(enc('one')).then(() => (firstDone = true));
    await settle();
    expect(written).toEqual(['one']);
    expect(firstDone).toBe(false);
    gates.shift()!();
    await first;
    const second = t.write(enc('two'));
    await settle();
    expect(written).toEqual(['one', 'two']);
    gates.shift()!();
    await second;
  });

  it('times out a write the sink never takes, and maps a failing sink to EPIPE', async () => {
    const stuck = new StreamTransport({ readable: never(), writable: new WritableStream({ write: () => new Promise(() => {}) }) }, 0.02);
    expect((await rejection(stuck.write(enc('x')))).code).toBe('ETIMEDOUT');
    expect(stuck.closed).toBe(true);
    const broken = new StreamTransport({
      readable: never(),
      writable: new WritableStream({
        write: () => {
          throw new Error('gone');
        },
      }),
    });
    expect((await rejection(broken.write(enc('x')))).code).toBe('EPIPE');
  });

  it('refuses reads and writes after close', async () => {
    const t = new StreamTransport({ readable: never(), writable: recordingSink().writable });
    t.close();
    t.close();
    expect((await rejection(t.read())).code).toBe('ECLOSED');
    expect((await rejection(t.write(enc('x')))).code).toBe('ECLOSED');
  });
});

describe('StreamTransport.startTls', () => {
  it("hands the connection to the pair's startTls and reads the TLS pair", async () => {
    const seen: unknown[] = [];
    const tlsPair: StreamPair = { readable: countingSource(['secret']).readable, writable: recordingSink().writable };
    const t = new StreamTransport(
      {
        readable: never(),
        writable: recordingSink().writable,
        startTls: (tls) => {
          seen.push(tls);
          return tlsPair;
        },
      },
      2,
    );
    const tls = await t.startTls({ hostname: 'example.com', servername: 'example.com' });
    expect(seen).toEqual([{ hostname: 'example.com', servername: 'example.com' }]);
    expect(t.closed).toBe(true);
    expect(dec((await tls.read())!)).toBe('secret');
  });

  it('refuses when the pair cannot start TLS', async () => {
    const t = new StreamTransport({ readable: never(), writable: recordingSink().writable });
    expect((await rejection(t.startTls({}))).code).toBe('EOPNOTSUPP');
  });
});

describe('streamTransportFactory', () => {
  it('opens a pair per connect with the connect options', async () => {
    const seen: ConnectOptions[] = [];
    const factory = streamTransportFactory((options) => {
      seen.push(options);
      return { readable: countingSource(['x']).readable, writable: recordingSink().writable };
    });
    const t = (await factory({ host: 'example.com', port: 8080, timeout: 3 })) as StreamTransport;
    expect(seen).toEqual([{ host: 'example.com', port: 8080, timeout: 3 }]);
    expect(t.timeout).toBe(3);
  });

  it('maps a refused connect to ECONNREFUSED', async () => {
    const refused = Object.assign(new Error('refused'), { name: 'ConnectionRefused' });
    const factory = streamTransportFactory(async () => {
      throw refused;
    });
    const err = await rejection(factory({ host: '127.0.0.1', port: 1 }));
    expect(err.code).toBe('ECONNREFUSED');
    expect(err.cause).toBe(refused);
  });

  it('bounds the connect wait, and closes a pair that opens too late', async () => {
    let open!: (pair: StreamPair) => void;
    const factory = streamTransportFactory(() => new Promise<StreamPair>((resolve) => (open = resolve)));
    expect((await rejection(factory({ host: 'h', port: 1, timeout: 0.02 }))).code).toBe('ETIMEDOUT');
    let closes = 0;
    open({ readable: never(), writable: recordingSink().writable, close: () => void closes++ });
    await settle();
    expect(closes).toBe(1);
  });
});

describe('HTTPConnection over a stream pair', () => {
  it('sends the request and reads the response', async () => {
    const { client, server } = connectedPair();
    const conn = new HTTPConnection('example.com', 8080, { transportFactory: streamTransportFactory(() => client) });
    const serving = (async () => {
      const request = await readUntil(server.readable.getReader(), '\r\n\r\n');
      const w = server.writable.getWriter();
      await w.write(enc('HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-A: b\r\n\r\nhello'));
      return request;
    })();
    await conn.request('GET', '/path');
    const res = await conn.getresponse();
    expect(await serving).toBe('GET /path HTTP/1.1\r\nHost: example.com:8080\r\nAccept-Encoding: identity\r\n\r\n');
    expect([res.status, res.reason, res.getheader('X-A')]).toEqual([200, 'OK', 'b']);
    expect(dec(await res.read())).toBe('hello');
    conn.close();
  });

  it('raises RemoteDisconnected when the stream ends before a status line', async () => {
    const { client, server } = connectedPair();
    const conn = new HTTPConnection('h', 80, { transportFactory: streamTransportFactory(() => client) });
    void readUntil(server.readable.getReader(), '\r\n\r\n').then(() => server.writable.close());
    await conn.request('GET', '/');
    await expect(conn.getresponse()).rejects.toBeInstanceOf(RemoteDisconnected);
  });

  it('raises TimeoutError when no response comes within the timeout', async () => {
    const { client, server } = connectedPair();
    const conn = new HTTPConnection('h', 80, { timeout: 0.05, transportFactory: streamTransportFactory(() => client) });
    void readUntil(server.readable.getReader(), '\r\n\r\n');
    await conn.request('GET', '/');
    await expect(conn.getresponse()).rejects.toBeInstanceOf(TimeoutError);
  });
});

describe('StreamTransport: from the review of the runtime transports', () => {
  it('a write that fails does not hide the answer already received (an early 413, as test_epipe)', async () => {
    const readable = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(enc('HTTP/1.1 413 Payload Too Large\r\nContent-Length: 8\r\n\r\ntoo big!'));
      },
    });
    let writes = 0;
    const writable = new WritableStream<Uint8Array>({
      write() {
        if (++writes > 1) throw Object.assign(new Error('broken pipe'), { name: 'BrokenPipe' });
      },
    });
    const conn = new HTTPConnection('h', 80, { transportFactory: streamTransportFactory(() => ({ readable, writable })) });
    const err = await conn.request('POST', '/', new Uint8Array(1024)).catch((e: unknown) => e);
    expect((err as Error).name).toBe('BrokenPipeError');
    const r = await conn.getresponse();
    expect([r.status, dec(await r.read())]).toEqual([413, 'too big!']);
  });

  it('a TLS upgrade that never completes is bounded by the timeout, and the plain pair is closed', async () => {
    let closed = 0;
    const pair: StreamPair = {
      readable: never(),
      writable: recordingSink().writable,
      startTls: () => new Promise<StreamPair>(() => {}),
      close: () => void closed++,
    };
    const t = new StreamTransport(pair, 0.05);
    const err = await rejection(t.startTls({ hostname: 'example.com' }));
    expect(err.code).toBe('ETIMEDOUT');
    expect(closed).toBeGreaterThanOrEqual(1);
  });

  it('a TLS upgrade that fails closes the plain pair', async () => {
    let closed = 0;
    const pair: StreamPair = {
      readable: never(),
      writable: recordingSink().writable,
      startTls: () => {
        throw new Error('handshake refused');
      },
      close: () => void closed++,
    };
    await rejection(new StreamTransport(pair).startTls({ hostname: 'example.com' }));
    expect(closed).toBeGreaterThanOrEqual(1);
  });

  it('a timeout longer than a timer can wait means no timeout, not an immediate one', async () => {
    const t = new StreamTransport({ readable: countingSource(['x']).readable, writable: recordingSink().writable }, 30 * 86400);
    expect(t.timeout).toBeNull();
    expect(dec((await t.read())!)).toBe('x');
  });

  it("a name that does not resolve (Deno's plain Error) is ENOTFOUND, Python's socket.gaierror", async () => {
    const factory = streamTransportFactory(() => {
      throw new Error('failed to lookup address information: Name or service not known');
    });
    const conn = new HTTPConnection('nonexistent.invalid', 80, { transportFactory: factory });
    const err = await conn.request('GET', '/').catch((e: unknown) => e);
    expect((err as Error).name).toBe('gaierror');
  });
});
