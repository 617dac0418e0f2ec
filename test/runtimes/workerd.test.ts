// workerd (Cloudflare's runtime, the npm package `workerd`): a Worker
// bundled as Wrangler would (esbuild, `workerd` export condition, .wasm
// files as compiled modules, cloudflare:sockets external) makes a request
// over `connect()` to Python's http.server on 127.0.0.1 and returns the
// parsed status and headers.
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { beforeEach, describe, expect, inject, it } from 'vitest';
import { freePorts, poll, STATIC_FILES, usePeer } from '../support/servers.js';
import { start, type Running } from './run.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const workerd = join(root, 'node_modules', '.bin', 'workerd');

// The Worker module is named "w/x/worker.js", so the bundle's
// "../../build/httpwire.*.wasm" imports resolve to the wasm modules' names.
function config(listen: number): string {
  return `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [
    (name = "main", worker = .worker),
    (name = "loopback", network = (allow = ["local", "private", "public"])),
  ],
  sockets = [(name = "http", address = "127.0.0.1:${listen}", http = (), service = "main")],
);
const worker :Workerd.Worker = (
  modules = [
    (name = "w/x/worker.js", esModule = embed "worker.js"),
    (name = "build/httpwire.simd.wasm", wasm = embed "httpwire.simd.wasm"),
    (name = "build/httpwire.scalar.wasm", wasm = embed "httpwire.scalar.wasm"),
  ],
  compatibilityDate = "2025-01-01",
  globalOutbound = "loopback",
);
`;
}

/** workerd serving the bundled Worker on a free port; started before the tests, stopped after. */
const worker = usePeer(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'httpwire-workerd-'));
  let server: Running | null = null;
  const stop = async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await build({
      entryPoints: [join(root, 'test/runtimes/workerd/worker.mjs')],
      bundle: true,
      format: 'esm',
      platform: 'neutral',
      conditions: ['workerd', 'worker', 'browser'],
      external: ['cloudflare:sockets', '*.wasm'],
      outfile: join(dir, 'worker.js'),
      logLevel: 'error',
    });
    for (const b of ['simd', 'scalar']) copyFileSync(join(root, 'build', `httpwire.${b}.wasm`), join(dir, `httpwire.${b}.wasm`));
    const [port] = await freePorts(1);
    writeFileSync(join(dir, 'config.capnp'), config(port!));
    server = start(workerd, ['serve', join(dir, 'config.capnp')], { cwd: dir });
    await poll(
      'workerd',
      async () => {
        if (server!.child.exitCode !== null) throw new Error('workerd exited');
        await fetch(`http://127.0.0.1:${port}/?port=1`, { signal: AbortSignal.timeout(2000) });
        return true;
      },
      { attempts: 300, intervalMs: 100 },
    );
    return { port: port!, stop };
  } catch (err) {
    const output = server?.output() ?? '';
    await stop();
    throw new Error(`${(err as Error).message}\n${output}`);
  }
});

beforeEach(() => expect(inject('setupError')).toBe(''));

async function ask(path: string, extra = ''): Promise<Record<string, unknown>> {
  const r = await fetch(`http://127.0.0.1:${worker.port}/?port=${inject('runtimeHttpPort')}&path=${encodeURIComponent(path)}${extra}`, {
    signal: AbortSignal.timeout(30_000),
  });
  return (await r.json()) as Record<string, unknown>;
}

describe('workerd', () => {
  it('a Worker requests a local server over cloudflare:sockets and returns the parsed status and headers', async () => {
    const out = await ask('/1mib.bin');
    expect(out.error).toBeUndefined();
    expect([out.status, out.reason, out.version]).toEqual([200, 'OK', 11]);
    expect(out.headers).toContainEqual(['Content-Length', String(STATIC_FILES['/1mib.bin']!.length)]);
    expect(out.headers).toContainEqual(['Content-type', 'application/octet-stream']);
    expect((out.headers as [string, string][]).find(([k]) => k === 'Server')![1]).toMatch(/^SimpleHTTP\/.* Python\//);
    expect(out.bodyLength).toBe(STATIC_FILES['/1mib.bin']!.length);
    // The parser ran on the imported .wasm modules: compiling from bytes is refused here.
    expect(out.compileFromBytes).toMatch(/^refused: /);
  });

  it('a Worker uses httpwire/pool (the workerd condition) over cloudflare:sockets', async () => {
    const out = await ask('/small.txt', '&pool=1');
    expect(out).toEqual({ statuses: [200, 200], lengths: [1040, 1040] });
  });

  it('reports a refused connection as ConnectionRefusedError', async () => {
    const [closed] = await freePorts(1);
    const r = await fetch(`http://127.0.0.1:${worker.port}/?port=${closed}&path=/`, { signal: AbortSignal.timeout(30_000) });
    expect(await r.json()).toEqual({ error: expect.stringMatching(/^ConnectionRefusedError: /) });
  });
});
