// The portable pool (httpwire/pool without the Node entry) over a WHATWG
// stream-pair transport, as a browser with Direct Sockets or any runtime
// without a transport of its own would use it: `transportFactory` from
// streamTransportFactory, gzip decoded by the web DecompressionStream, no
// runtime hooks. The pairs are node:net sockets turned into web streams,
// talking to the real nginx (keep-alive limited: /ka1/ closes every
// connection after its 100th request).
import * as net from 'node:net';
import { Duplex } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { decoders, PoolManager, webDecoderFactory, type HTTPResponse } from '../../src/pool/index.js';
import { streamTransportFactory, type StreamPair } from '../../src/transport/streams.js';
import { startNginx, STATIC_FILES, usePeer } from '../support/servers.js';

const nginx = usePeer(() => startNginx());
const managers: PoolManager[] = [];
afterAll(() => managers.forEach((m) => m.clear()));

let opened = 0;
const factory = streamTransportFactory(
  (o) =>
    new Promise<StreamPair>((resolve, reject) => {
      const socket = net.connect(o.port, o.host);
      socket.once('error', reject);
      socket.once('connect', () => {
        opened++;
        socket.off('error', reject);
        const { readable, writable } = Duplex.toWeb(socket) as { readable: ReadableStream<Uint8Array>; writable: WritableStream<Uint8Array> };
        resolve({ readable, writable, close: () => void socket.destroy() });
      });
    }),
);

describe('the portable pool over a stream-pair transport', () => {
  it('250 GETs over 2 connections renewed by nginx, gzip decoded by DecompressionStream, every body intact', async () => {
    // The Node entry is not loaded here: gzip goes through the web decoders.
    expect(decoders.factory).toBe(webDecoderFactory);
    const m = new PoolManager({ maxsize: 2, block: true, transportFactory: factory });
    managers.push(m);
    const base = `http://127.0.0.1:${nginx.httpPort}`;
    const small = STATIC_FILES['/small.txt']!;
    const lines = STATIC_FILES['/gzip/lines.txt']!;
    opened = 0;
    let gzipped = 0;
    const bad: number[] = [];
    const one = async (i: number): Promise<void> => {
      const gz = i % 5 === 0;
      const r: HTTPResponse = await m.request('GET', gz ? `${base}/gzip/lines.txt` : `${base}/ka1/small.txt`, gz ? { headers: { 'Accept-Encoding': 'gzip' } } : {});
      expect(r.status).toBe(200);
      if (gz && r.headers.get('content-encoding') === 'gzip') gzipped++;
      // Buffer.compare: a deep toEqual of 228 KB per response would stall the loop past nginx's 1 s keep-alive.
      if (Buffer.compare(r.data, gz ? lines : small) !== 0) bad.push(i);
    };
    for (let i = 0; i < 250; i += 2) await Promise.all([one(i), one(i + 1)]);
    expect(bad).toEqual([]);
    expect(gzipped).toBe(50);
    // nginx ends a /ka1/ connection after 100 requests (or 1 s idle on a loaded machine): a few connections, not one per request.
    expect(opened).toBeGreaterThanOrEqual(3);
    expect(opened).toBeLessThan(50);
    expect(m.connection_from_url(base).num_idle).toBe(2);
  });
});
