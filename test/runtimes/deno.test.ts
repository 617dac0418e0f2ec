// Deno (the npm package `deno`): scripts importing `httpwire` (resolved by
// the `deno` export condition) make requests over Deno.connect to Python's
// http.server on 127.0.0.1, reading the bodies as ReadableStreams, and over
// Deno.connectTls to nginx.
import * as net from 'node:net';
import { fileURLToPath } from 'node:url';
import { beforeEach, describe, expect, inject, it } from 'vitest';
import { STATIC_FILES } from '../support/servers.js';
import { run } from './run.js';
import { startRawServer, raw } from '../support/servers.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const deno = fileURLToPath(new URL('../../node_modules/.bin/deno', import.meta.url));

/** Runs a script in Deno with network access to 127.0.0.1 only; its last stdout line, parsed. */
async function denoRun(script: string, args: (string | number)[], readable: string[] = []): Promise<Record<string, any>> {
  const r = await run(
    deno,
    ['run', '--no-prompt', '--no-lock', '--quiet', '--allow-net=127.0.0.1', `--allow-read=${[root, ...readable].join(',')}`, script, ...args.map(String)],
    { cwd: root, timeoutMs: 90_000, env: { DENO_NO_UPDATE_CHECK: '1', NO_COLOR: '1' } },
  );
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout.trim().split('\n').at(-1)!);
}

beforeEach(() => expect(inject('setupError')).toBe(''));

describe('Deno', () => {
  it('requests a local server over Deno.connect with the deno entry, and times out on a silent one', async () => {
    const port = inject('runtimeHttpPort');
    const held: net.Socket[] = [];
    const silent = net.createServer((s) => void held.push(s));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    let out: Record<string, any>;
    try {
      out = await denoRun('test/runtimes/deno/client.mjs', [port, (silent.address() as net.AddressInfo).port]);
    } finally {
      for (const s of held) s.destroy();
      silent.close();
    }
    expect(out.silent).toBe('TimeoutError: timed out');
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

  it('verifies nginx over Deno.connectTls against the given CA, refuses it without and for a wrong name, and reads a chunked body', async () => {
    const { httpPort, tlsPort, wrongNamePort, caFile } = inject('nginx');
    const out = await denoRun('test/runtimes/deno/tls-client.mjs', [httpPort, tlsPort, wrongNamePort, caFile], [caFile]);
    expect(out.tls).toEqual({ status: 200, length: 1040, server: expect.stringMatching(/^nginx/) });
    expect(out.chunked).toEqual({ status: 200, chunked: true, encoding: 'gzip', lines: 4000 });
    expect(out.untrusted).toBe('SSLCertVerificationError: [SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: unable to get local issuer certificate');
    expect(out.wrongName).toMatch(/^SSLCertVerificationError: \[SSL: CERTIFICATE_VERIFY_FAILED\] certificate verify failed: IP address mismatch/);
  });

  it('sees a kept-alive connection closed while idle and reconnects, raises SSLEOFError, and exits with a connection left open', async () => {
    const ok = 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok';
    const closing = await startRawServer([(s) => (s.write(ok), setTimeout(() => s.end(), 20))]);
    const kept = await startRawServer([]);
    const tlsFin = net.createServer((s) => {
      s.on('error', () => {});
      s.once('data', () => setTimeout(() => s.end(), 50));
    });
    await new Promise<void>((resolve) => tlsFin.listen(0, '127.0.0.1', resolve));
    let r;
    try {
      // Bounded: a Deno that does not exit on its own is killed and fails the test.
      r = await run(
        deno,
        ['run', '--no-prompt', '--no-lock', '--quiet', '--allow-net=127.0.0.1', `--allow-read=${root}`, 'test/runtimes/deno/connections.mjs',
          String(closing.port), String(kept.port), String((tlsFin.address() as net.AddressInfo).port)],
        { cwd: root, timeoutMs: 30_000, env: { DENO_NO_UPDATE_CHECK: '1', NO_COLOR: '1' } },
      );
    } finally {
      await closing.stop();
      await kept.stop();
      tlsFin.close();
    }
    expect([r.code, r.stderr]).toEqual([0, '']);
    const out = JSON.parse(r.stdout.trim().split('\n').at(-1)!);
    expect(out.sawClose).toBe(true);
    expect(out.second).toEqual([200, 'ok', true]);
    expect(closing.requests.map((q) => q.connection)).toEqual([1, 2]);
    expect(out.tlsFin).toEqual({
      name: 'SSLEOFError',
      message: '[SSL: UNEXPECTED_EOF_WHILE_READING] EOF occurred in violation of protocol',
      phase: 'tls',
      isSSLError: true,
    });
    expect(out.kept).toEqual([200, 'ok', true]);
  });

  it('runs httpwire/pool over Deno.connect and Deno.connectTls, decoding gzip with DecompressionStream', async () => {
    const { httpPort, tlsPort, caFile } = inject('nginx');
    const out = await denoRun('test/runtimes/deno/pool-client.mjs', [httpPort, tlsPort, caFile], [caFile]);
    expect(out.plain).toEqual({ status: 200, length: 1040, sameConnection: true });
    expect(out.gzip).toEqual({ encoding: 'gzip', lines: 4000 });
    expect(out.webDecoders).toBe('webDecoderFactory');
    expect(out.tls).toEqual({ status: 200, length: 1040 });
  });
});
