// A scraper's run through one PoolManager against nginx with
// keepalive_timeout 1s and keepalive_requests 100: 20,000 GETs over 8
// connections (block mode), bodies of 1-100 KB, one request in ten for a
// gzipped text, and idle pauses longer than nginx's keep-alive timeout, so
// that connections die under the pool both between requests (idle
// timeout) and at the 100th request. Every body is checked byte for byte.
// Then a child process that makes requests and ends without close() must
// exit by itself (idle sockets do not keep it alive).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PoolManager, Retry } from '../../src/pool/node.js';
import { bundleLibrary } from '../support/bundle.js';
import { runToExit } from './child.js';
import { pseudoRandomBytes, raw, startNginx, startRawServer, textLines, usePeer, type RawServer } from '../support/servers.js';

const REQUESTS = 20_000;
const WORKERS = 8;
/** Bounds the run in time as well as in count. */
const DEADLINE_MS = 240_000;

/** 30 binary bodies of 1-100 KB and 10 compressible texts (nginx gzips those under /gz/). */
const FILES: Record<string, Uint8Array> = {};
for (let i = 0; i < 30; i++) FILES[`/s/${i}.bin`] = pseudoRandomBytes(1024 + Math.floor((i * 99 * 1024) / 29), i + 1);
for (let i = 0; i < 10; i++) FILES[`/gz/${i}.txt`] = textLines(20 + i * 150);
const binPaths = Object.keys(FILES).filter((p) => p.startsWith('/s/'));
const gzPaths = Object.keys(FILES).filter((p) => p.startsWith('/gz/'));

const nginx = usePeer(() => startNginx({
    keepaliveTimeout: '1s',
    keepaliveRequests: 100,
    files: FILES,
    locations: 'location /gz/ { gzip on; gzip_types text/plain; gzip_min_length 1; }',
  }));
let http: PoolManager | null = null;
afterAll(() => http?.clear());

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('scraper run', () => {
  it('20,000 GETs over 8 connections with idle pauses: no failed request, every body intact', async () => {
    http = new PoolManager({ maxsize: WORKERS, block: true, retries: new Retry({ total: 3, backoff_factor: 0 }) });
    const base = `http://127.0.0.1:${nginx.httpPort}`;
    const started = Date.now();
    let next = 0;
    let done = 0;
    let failed = 0;
    let gzipped = 0;
    let retried = 0;
    const errors: string[] = [];
    // All workers pause together at these request numbers, longer than keepalive_timeout.
    const pauses = new Set([5000, 12_000]);
    let pauseUntil = 0;
    const worker = async () => {
      for (;;) {
        if (Date.now() - started > DEADLINE_MS) return;
        const n = next++;
        if (n >= REQUESTS) return;
        if (pauses.has(n)) pauseUntil = Date.now() + 1300;
        if (pauseUntil > Date.now()) await sleep(pauseUntil - Date.now());
        const gz = n % 10 === 0;
        const path = gz ? gzPaths[n % gzPaths.length]! : binPaths[n % binPaths.length]!;
        try {
          const r = await http!.request('GET', base + path, gz ? { headers: { 'Accept-Encoding': 'gzip' } } : {});
          if (r.status !== 200 || Buffer.compare(r.data, FILES[path]!) !== 0) throw new Error(`bad answer ${r.status} for ${path}`);
          if (r.headers.get('content-encoding') === 'gzip') gzipped++;
          retried += r.retries!.history.length;
          done++;
        } catch (e) {
          failed++;
          if (errors.length < 5) errors.push(String(e));
        }
      }
    };
    await Promise.all(Array.from({ length: WORKERS }, worker));
    expect(errors).toEqual([]);
    expect({ done, failed }).toEqual({ done: REQUESTS, failed: 0 });
    expect(gzipped).toBe(REQUESTS / 10);
    // nginx's access log: at most 8 connections open at once means every request used one of
    // the pool's; keepalive_requests 100 means at least 200 connections over the run.
    const log = nginx.accessLog();
    expect(log.length).toBeGreaterThanOrEqual(REQUESTS);
    const connections = new Set(log.map((l) => l.split(' ')[0]));
    expect(connections.size).toBeGreaterThanOrEqual(REQUESTS / 100);
    // Retries happen only when nginx closes a connection at the moment a request goes out.
    expect(retried).toBeLessThan(REQUESTS / 100);
  });

  it('a process that makes requests and never calls close() exits by itself', async () => {
    const { file: bundle, dir, remove } = await bundleLibrary('src/pool/node.ts');
    let server: RawServer | null = null;
    try {
      // A server that never closes a keep-alive connection: only the client's own
      // sockets could keep the child alive.
      server = await startRawServer([], raw.ok('kept open'));
      const script = join(dir, 'main.mjs');
      writeFileSync(
        script,
        [
          `import { PoolManager } from ${JSON.stringify(bundle)};`,
          'const http = new PoolManager({ maxsize: 4 });',
          `const url = 'http://127.0.0.1:${server.port}/';`,
          'const rs = await Promise.all(Array.from({ length: 4 }, () => http.request("GET", url)));',
          'console.log("done", rs.map((r) => r.status).join(","), http.connection_from_url(url).num_idle);',
        ].join('\n'),
      );
      // Held by its sockets the child would never exit: it is killed after 20 s, far
      // above its own start-up time.
      const { code, out } = await runToExit(script);
      expect([code, out.trim()]).toEqual([0, out.trim()]);
      expect(out.trim()).toBe('done 200,200,200,200 4');
      expect(server.connections).toBe(4);
    } finally {
      await server?.stop();
      remove();
    }
  });
});
