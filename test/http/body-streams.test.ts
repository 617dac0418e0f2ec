import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { HTTPConnection, HTTPResponse, IncompleteRead, MemoryTransport } from '../../src/index.js';
import { toNodeReadable } from '../../src/http/node-streams.js';
import { toReadableStream } from '../../src/http/streams.js';
import { StreamTransport } from '../../src/transport/streams.js';
import { STATIC_FILES, startPythonHttpServer, usePeer } from '../support/servers.js';
import { countingSource, recordingSink } from '../support/stream-pair.js';

const dec = (b: Uint8Array) => String.fromCharCode(...b);
const settle = () => new Promise((r) => setTimeout(r, 0));

async function response(data: string | string[], chunkSize?: number): Promise<HTTPResponse> {
  const r = new HTTPResponse(new MemoryTransport(data, chunkSize ? { chunkSize } : {}));
  await r.begin();
  return r;
}

async function webText(stream: ReadableStream<Uint8Array>): Promise<string[]> {
  const pieces: string[] = [];
  for await (const chunk of stream as unknown as AsyncIterable<Uint8Array>) pieces.push(dec(chunk));
  return pieces;
}

async function nodeText(stream: Readable): Promise<string[]> {
  const pieces: string[] = [];
  for await (const chunk of stream) pieces.push(dec(chunk as Uint8Array));
  return pieces;
}

/** A response over a stream transport whose source counts pulls: the head, then `bodyChunks` pieces. */
async function countedResponse(bodyChunks: number): Promise<{ res: HTTPResponse; pulls: () => number }> {
  const body = Array.from({ length: bodyChunks }, (_, i) => `${i % 10}`.repeat(100));
  const src = countingSource([`HTTP/1.1 200 OK\r\nContent-Length: ${bodyChunks * 100}\r\n\r\n`, ...body]);
  const res = new HTTPResponse(new StreamTransport({ readable: src.readable, writable: recordingSink().writable }));
  await res.begin();
  return { res, pulls: src.pulls };
}

const BODIES: [string, string][] = [
  ['Content-Length', 'HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\nhello world'],
  ['chunked', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n'],
  ['until close', 'HTTP/1.0 200 OK\r\n\r\nhello world'],
];

describe('toReadableStream', () => {
  for (const [kind, raw] of BODIES) {
    it(`gives a ${kind} body, read in 3-byte pieces`, async () => {
      const res = await response(raw, 3);
      expect((await webText(toReadableStream(res))).join('')).toBe('hello world');
      expect(res.isclosed()).toBe(true);
    });
  }

  it('hands out at most chunkSize bytes per chunk', async () => {
    const res = await response(BODIES[0]![1]);
    expect(await webText(toReadableStream(res, { chunkSize: 4 }))).toEqual(['hell', 'o wo', 'rld']);
    expect(() => toReadableStream(res, { chunkSize: 0 })).toThrow(RangeError);
  });

  it('is empty for a HEAD response', async () => {
    const r = new HTTPResponse(new MemoryTransport('HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n'), { method: 'HEAD' });
    await r.begin();
    expect(await webText(toReadableStream(r))).toEqual([]);
  });

  it('errors with IncompleteRead when a Content-Length body ends early', async () => {
    const res = await response('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc');
    const reader = toReadableStream(res).getReader();
    expect(dec((await reader.read()).value!)).toBe('abc');
    const err = await reader.read().then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(IncompleteRead);
    expect((err as IncompleteRead).expected).toBe(7);
  });

  it('reads the connection no faster than the stream is read', async () => {
    const { res, pulls } = await countedResponse(50);
    const head = pulls();
    const reader = toReadableStream(res).getReader();
    await settle();
    expect(pulls()).toBe(head);
    for (let i = 0; i < 3; i++) await reader.read();
    await settle();
    expect(pulls()).toBe(head + 3);
  });

  it('closes the response when cancelled', async () => {
    const { res } = await countedResponse(5);
    const stream = toReadableStream(res);
    await stream.getReader().cancel();
    expect(res.isclosed()).toBe(true);
  });
});

describe('toNodeReadable', () => {
  for (const [kind, raw] of BODIES) {
    it(`gives a ${kind} body, read in 3-byte pieces`, async () => {
      const res = await response(raw, 3);
      expect((await nodeText(toNodeReadable(res))).join('')).toBe('hello world');
    });
  }

  it('destroys the stream with IncompleteRead when a Content-Length body ends early', async () => {
    const res = await response('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc');
    await expect(nodeText(toNodeReadable(res))).rejects.toBeInstanceOf(IncompleteRead);
  });

  it('stops reading the connection once highWaterMark bytes wait unread', async () => {
    const { res, pulls } = await countedResponse(50);
    const head = pulls();
    const stream = toNodeReadable(res, { highWaterMark: 250 });
    stream.pause();
    stream.read(0); // starts filling the buffer
    for (let i = 0; i < 10; i++) await settle();
    // 100-byte chunks: Node stops asking at 300 buffered bytes (>= 250).
    expect(pulls() - head).toBe(3);
    expect(stream.readableLength).toBe(300);
    stream.destroy();
    expect(res.isclosed()).toBe(true);
  });
});

describe('body streams over a real socket (http.server, 1 MiB)', () => {
  const server = usePeer(startPythonHttpServer);
  const FILE = STATIC_FILES['/1mib.bin']!;
  const spin = async (turns: number) => {
    for (let k = 0; k < turns; k++) await new Promise((r) => setImmediate(r));
  };

  /** A response for /1mib.bin whose transport counts the bytes it hands out. */
  async function counted(): Promise<{ conn: HTTPConnection; res: HTTPResponse; received: () => number }> {
    const conn = new HTTPConnection('127.0.0.1', server.port, { timeout: 20 });
    await conn.request('GET', '/1mib.bin');
    const res = await conn.getresponse();
    const sock = conn.sock!;
    let received = 0;
    const read = sock.read.bind(sock);
    sock.read = async () => {
      const chunk = await read();
      if (chunk) received += chunk.length;
      return chunk;
    };
    return { conn, res, received: () => received };
  }

  // Unread bytes held client-side stay below this (stream buffer + one socket read + slack).
  const BOUND = 256 * 1024;

  it('a paused Node Readable stops the socket reads; resumed, it gives the whole body', async () => {
    const { conn, res, received } = await counted();
    const stream = toNodeReadable(res, { highWaterMark: 16384 });
    stream.pause();
    stream.read(0);
    await spin(200);
    expect(received()).toBeLessThan(BOUND);
    const chunks: Uint8Array[] = [];
    let maxAhead = 0;
    let consumed = 0;
    for await (const chunk of stream) {
      chunks.push(chunk as Uint8Array);
      consumed += (chunk as Uint8Array).length;
      await spin(5);
      maxAhead = Math.max(maxAhead, received() - consumed);
    }
    expect(maxAhead).toBeLessThan(BOUND);
    expect(Buffer.concat(chunks).equals(Buffer.from(FILE))).toBe(true);
    conn.close();
  });

  it('a web ReadableStream read slowly reads the socket no further ahead than it is read', async () => {
    const { conn, res, received } = await counted();
    const reader = toReadableStream(res, { chunkSize: 8192 }).getReader();
    let consumed = 0;
    let maxAhead = 0;
    const chunks: Uint8Array[] = [];
    for (let r = await reader.read(); !r.done; r = await reader.read()) {
      chunks.push(r.value);
      consumed += r.value.length;
      await spin(5);
      maxAhead = Math.max(maxAhead, received() - consumed);
    }
    expect(maxAhead).toBeLessThan(BOUND);
    expect(Buffer.concat(chunks).equals(Buffer.from(FILE))).toBe(true);
    conn.close();
  });
});
