// A real request from headless Chromium: HTTPConnection from the browser
// entry over a WebSocketStream (a WHATWG stream pair) to the WebSocket-to-
// TCP bridge, to Python's http.server on 127.0.0.1; the body is read as a
// web ReadableStream.
import { beforeEach, describe, expect, inject, it } from 'vitest';
import { HTTPConnection, NotConnected, streamTransportFactory, toReadableStream, type StreamPair } from '../../src/browser.js';

/** Chrome's WebSocketStream (not in TypeScript's DOM library yet). */
declare class WebSocketStream {
  constructor(url: string);
  opened: Promise<{ readable: ReadableStream<ArrayBuffer | string>; writable: WritableStream<Uint8Array> }>;
  close(info?: { closeCode?: number }): void;
}

const bridge = inject('bridgePort');
const port = inject('httpPort');
const files = new Map(inject('files').map(([path, length, sha]) => [path, { length, sha }]));

const bridgeFactory = streamTransportFactory(async (options): Promise<StreamPair> => {
  const ws = new WebSocketStream(`ws://127.0.0.1:${bridge}/?port=${options.port}`);
  const { readable, writable } = await ws.opened;
  // Binary messages arrive as ArrayBuffers, which the stream transport takes as bytes.
  return { readable: readable as unknown as ReadableStream<Uint8Array>, writable, close: () => ws.close() };
});

async function sha256(chunks: Uint8Array[]): Promise<string> {
  const whole = new Uint8Array(await new Blob(chunks as BlobPart[]).arrayBuffer());
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', whole));
  return Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
}

async function collect(stream: ReadableStream<Uint8Array>): Promise<Uint8Array[]> {
  const chunks: Uint8Array[] = [];
  const reader = stream.getReader();
  for (let r = await reader.read(); !r.done; r = await reader.read()) chunks.push(r.value);
  return chunks;
}

beforeEach(() => expect(inject('setupError')).toBe(''));

describe('HTTPConnection in Chromium, through a WebSocket-to-TCP bridge', () => {
  it('has no default transport in the browser entry', async () => {
    const conn = new HTTPConnection('127.0.0.1', port);
    await expect(conn.request('GET', '/')).rejects.toBeInstanceOf(NotConnected);
  });

  it('GETs files from http.server on one connection, the bodies read as ReadableStreams', async () => {
    const conn = new HTTPConnection('127.0.0.1', port, { timeout: 20, transportFactory: bridgeFactory });
    for (const path of ['/small.txt', '/1mib.bin']) {
      await conn.request('GET', path);
      const res = await conn.getresponse();
      expect(res.status).toBe(200);
      expect(res.getheader('Server')).toMatch(/^SimpleHTTP\/.* Python\//);
      expect(Number(res.getheader('Content-Length'))).toBe(files.get(path)!.length);
      const chunks = await collect(toReadableStream(res, { chunkSize: 16384 }));
      expect(chunks.every((c) => c.length <= 16384)).toBe(true);
      expect(await sha256(chunks)).toBe(files.get(path)!.sha);
      expect(res.isclosed()).toBe(true);
    }
    conn.close();
  });

  it('sends request bodies from a ReadableStream (chunked) and a Blob (Content-Length)', async () => {
    const echo = inject('echoPort');
    const conn = new HTTPConnection('127.0.0.1', echo, { timeout: 20, transportFactory: bridgeFactory });
    const parts = ['one,', 'two,', 'three'];
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        const next = parts.shift();
        if (next === undefined) controller.close();
        else controller.enqueue(new TextEncoder().encode(next));
      },
    });
    await conn.request('POST', '/stream', stream, {}, { encode_chunked: true });
    const streamed = JSON.parse(new TextDecoder().decode(await (await conn.getresponse()).read()));
    expect(streamed).toMatchObject({ method: 'POST', path: '/stream', body: 'one,two,three', chunked: true });
    await conn.request('PUT', '/blob', new Blob(['a blob']));
    const blob = JSON.parse(new TextDecoder().decode(await (await conn.getresponse()).read()));
    expect(blob).toMatchObject({ method: 'PUT', body: 'a blob', chunked: false });
    expect(blob.headers).toContainEqual(['Content-Length', '6']);
    expect(blob.client_port).toBe(streamed.client_port);
    conn.close();
  });

  it('gets a 404 with its headers', async () => {
    const conn = new HTTPConnection('127.0.0.1', port, { timeout: 20, transportFactory: bridgeFactory });
    await conn.request('GET', '/missing.txt');
    const res = await conn.getresponse();
    expect([res.status, res.reason]).toEqual([404, 'File not found']);
    expect(res.getheader('Content-Type')).toMatch(/^text\/html/);
    expect(new TextDecoder().decode(await res.read())).toContain('Error code: 404');
    conn.close();
  });
});
