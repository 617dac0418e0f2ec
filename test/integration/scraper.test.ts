// The scraper loop of issue 10, each run as its own Node process
// (test/integration/scraper.mjs over the bundled library): 2,000 GETs over
// 8 connections to nginx with `keepalive_timeout 1s; keepalive_requests
// 100;` (its /ka1/ location), each connection pausing 1.3 s every 50
// requests, so that nginx closes idle connections under it. No retry code:
// every request must succeed, and the process must exit on its own without
// close() (a child still running after its bound is killed and fails the
// test). Through tinyproxy, which closes each connection after its response
// without saying so, the same loop retries what loses the in-flight race
// and reports how many did (docs/reliability.md has the measured number).
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleLibrary } from '../support/bundle.js';
import { STATIC_FILES, startNginx, startTinyproxy, usePeer } from '../support/servers.js';
import { run } from '../runtimes/run.js';

const nginx = usePeer(startNginx);
const proxy = usePeer(() => startTinyproxy([]));
const SCRIPT = join(import.meta.dirname, 'scraper.mjs');
const SMALL = STATIC_FILES['/small.txt']!.length;

let lib: string;
let remove = () => {};
beforeAll(async () => {
  ({ file: lib, remove } = await bundleLibrary());
});
afterAll(() => remove());

/** Runs the loop; fails if the process does not exit by itself within 150 s. */
async function scrape(args: string[]): Promise<{ ok: number; failed: number; races: number; errors: Record<string, number>; bytes: number; ms: number }> {
  const r = await run(process.execPath, [SCRIPT, lib, ...args], { cwd: import.meta.dirname, timeoutMs: 150_000 });
  expect([r.code, r.stderr]).toEqual([0, '']);
  const out = JSON.parse(r.stdout.trim().split('\n').at(-1)!);
  console.log(`scraper ${args.slice(2).join(' ')}: ${JSON.stringify(out)}`);
  return out;
}

describe('a scraper loop: 2,000 GETs over 8 connections, idle pauses longer than keepalive_timeout', () => {
  it('to nginx (keepalive_timeout 1s, keepalive_requests 100): no failed request, no retry code, exits without close()', async () => {
    const before = nginx.accessLog().length;
    const out = await scrape(['127.0.0.1', String(nginx.port), '/ka1/small.txt']);
    expect(out.errors).toEqual({});
    expect([out.ok, out.failed, out.races]).toEqual([2000, 0, 0]);
    expect(out.bytes).toBe(2000 * SMALL);
    const lines = nginx.accessLog().slice(before).filter((l) => l.includes('/ka1/small.txt'));
    expect(lines.length).toBe(2000);
    // nginx closed connections under the loop: after 100 requests, and when idle for 1 s.
    const connections = new Set(lines.map((l) => l.split(' ')[0]));
    expect(connections.size).toBeGreaterThanOrEqual(2000 / 100);
    expect(Math.max(...lines.map((l) => Number(l.split(' ')[1])))).toBeLessThanOrEqual(100);
  });

  it('through tinyproxy (closes after every response): every request done, the in-flight race counted', async () => {
    const out = await scrape(['127.0.0.1', String(proxy.port), `http://127.0.0.1:${nginx.port}/ka1/small.txt`, '--retry']);
    expect(out.errors).toEqual({});
    expect([out.ok, out.failed]).toEqual([2000, 0]);
    expect(out.bytes).toBe(2000 * SMALL);
    // Measured, not bounded: each race is one request written to a connection closing under it.
    expect(out.races).toBeGreaterThanOrEqual(0);
  });
});
