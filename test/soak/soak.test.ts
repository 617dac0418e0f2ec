// The soak (test/soak/soak.mjs) as part of the suite: 100,000 sequential
// keep-alive requests on one HTTPConnection to a canned server in a child
// process. Run as its own Node process with --expose-gc, so that memory is
// measured after a full collection and away from the test runner's own heap.
import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const script = join(dirname(fileURLToPath(import.meta.url)), 'soak.mjs');
const N = Number(process.env.SOAK_N ?? 100_000);

describe(`soak: ${N} keep-alive requests on one connection`, () => {
  it('RSS grows at most 16 MiB after warm-up, WASM memory does not grow, no descriptor or listener leaks', async () => {
    // The script exits 1 when a limit is broken; its JSON line says which.
    const { stdout } = await promisify(execFile)(process.execPath, ['--expose-gc', script, '--json', '--n', String(N)], {
      timeout: 600_000,
    }).catch((e: { stdout?: string }) => ({ stdout: e.stdout ?? '' }));
    const r = JSON.parse(stdout.trim().split('\n').at(-1)!);
    expect(r.broken).toEqual([]);
    expect(r.gc).toBe(true);
    expect([r.serverConnections, r.serverRequests]).toEqual([1, N]);
    expect(r.rssGrowthMiB).toBeLessThanOrEqual(16);
    expect(r.wasmBytesAtEnd).toBe(r.wasmBytesAfterWarmup);
    expect(r.fdsAtEnd).toBe(r.fdsAfterWarmup);
    expect(r.fdsAfterClose).toBe(r.fdsAtStart);
    expect(r.listenersAtEnd).toEqual(r.listenersAfterWarmup);
    // The transport's own listeners are there (reads go through onread, not 'data').
    expect(r.listenersAtEnd.socket.end).toBeGreaterThanOrEqual(1);
  });
});
