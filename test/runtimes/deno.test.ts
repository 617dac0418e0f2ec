// Deno (the npm package `deno`): a script importing `httpwire` (resolved by
// the `deno` export condition) makes requests over Deno.connect to Python's
// http.server on 127.0.0.1 and reads the bodies as ReadableStreams.
import { fileURLToPath } from 'node:url';
import { describe, expect, inject, it } from 'vitest';
import { STATIC_FILES } from '../support/servers.js';
import { run } from './run.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const deno = fileURLToPath(new URL('../../node_modules/.bin/deno', import.meta.url));

describe('Deno', () => {
  it('requests a local server over Deno.connect with the deno entry', async () => {
    const port = inject('runtimeHttpPort');
    const r = await run(
      deno,
      ['run', '--no-prompt', '--no-lock', '--quiet', '--allow-net=127.0.0.1', `--allow-read=${root}`, 'test/runtimes/deno/client.mjs', String(port)],
      { cwd: root, timeoutMs: 90_000, env: { DENO_NO_UPDATE_CHECK: '1', NO_COLOR: '1' } },
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout.trim().split('\n').at(-1)!);
    expect(out.runtime).toMatch(/^Deno 2\./);
    expect(out.hasDenoFactory).toBe(true);
    const [small, missing] = out.responses;
    expect([small.status, small.reason, small.version]).toEqual([200, 'OK', 11]);
    expect(small.headers).toContainEqual(['Content-Length', '1040']);
    expect(small.body).toBe(new TextDecoder().decode(STATIC_FILES['/small.txt']));
    expect(Math.max(...small.chunkSizes)).toBeLessThanOrEqual(256);
    expect(small.peer).toEqual({ address: '127.0.0.1', port });
    expect([missing.status, missing.reason]).toEqual([404, 'File not found']);
    expect(missing.body).toContain('Error code: 404');
  });
});
