// The command-line client as a user runs it: `node dist/cli/main.js` (what
// `npx httpwire` starts) as a child process, against nginx (plain and TLS,
// from the project's global setup), tinyproxy, and an embedded scripted
// server (test/support/servers.ts) for exact request bytes and faults. The
// progress bar is checked on a real pseudo-terminal made by util-linux's
// `script`.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { findProgram, raw, startRawServer, startTinyproxy, STATIC_FILES, usePeer } from '../support/servers.js';
import { formatBytes, formatDuration, progressLine } from '../../src/cli/progress.js';
import { run } from './run.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const main = join(root, 'dist', 'cli', 'main.js');
const scratch = mkdtempSync(join(tmpdir(), 'httpwire-cli-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** Runs the CLI to its end (bounded). */
function cli(...args: string[]) {
  return run(process.execPath, [main, ...args], { cwd: scratch, timeoutMs: 30_000 });
}

const nginx = () => inject('nginx');
const plain = (path: string) => `http://127.0.0.1:${nginx().httpPort}${path}`;
const tls = (path: string) => `https://localhost:${nginx().tlsPort}${path}`;
const text = (bytes: Uint8Array) => Buffer.from(bytes).toString('latin1');

beforeEach(() => expect(inject('setupError')).toBe(''));

describe('httpwire CLI against nginx', () => {
  it('writes the body to stdout, and nothing to stderr when piped', async () => {
    const r = await cli(plain('/small.txt'));
    expect(r.stdout).toBe(text(STATIC_FILES['/small.txt']!));
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });

  it('-i prints the status line and headers before the body; -I sends HEAD and prints no body', async () => {
    const i = await cli('-i', plain('/small.txt'));
    expect(i.stdout).toMatch(/^HTTP\/1\.1 200 OK\r\nServer: nginx\/[\d.]+\r\n/);
    expect(i.stdout).toContain('\r\nContent-Length: 1040\r\n');
    expect(i.stdout.endsWith(`\r\n\r\n${text(STATIC_FILES['/small.txt']!)}`)).toBe(true);
    const head = await cli('-I', plain('/small.txt'));
    expect(head.stdout).toMatch(/^HTTP\/1\.1 200 OK\r\n[^]*Content-Length: 1040\r\n[^]*\r\n\r\n$/);
    // nginx's access log names the method it received.
    const info = await cli('-X', 'PUT', plain('/info'));
    expect(info.stdout).toMatch(/^PUT \/info HTTP\/1\.1 /);
    const positional = await cli('DELETE', plain('/info'));
    expect(positional.stdout).toMatch(/^DELETE \/info HTTP\/1\.1 /);
  });

  it('-o FILE writes the body byte for byte (1 MiB), with no progress bar when stderr is not a terminal', async () => {
    const out = join(scratch, 'one.bin');
    const r = await cli('-o', out, plain('/1mib.bin'));
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('');
    expect(Buffer.compare(readFileSync(out), Buffer.from(STATIC_FILES['/1mib.bin']!))).toBe(0);
  });

  it('verifies TLS with --cacert; without it, fails with the Python exception; -k skips the checks', async () => {
    const ok = await cli('--cacert', nginx().caFile, tls('/small.txt'));
    expect(ok.stdout).toBe(text(STATIC_FILES['/small.txt']!));
    expect(ok.code).toBe(0);
    const refused = await cli(tls('/small.txt'));
    expect(refused.code).toBe(1);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toMatch(/^httpwire: SSLCertVerificationError: \[SSL: CERTIFICATE_VERIFY_FAILED\] certificate verify failed: .+\n$/);
    const insecure = await cli('-k', tls('/small.txt'));
    expect(insecure.stdout).toBe(text(STATIC_FILES['/small.txt']!));
    const wrongName = await cli('--cacert', nginx().caFile, `https://localhost:${nginx().wrongNamePort}/small.txt`);
    expect(wrongName.stderr).toMatch(/^httpwire: SSLCertVerificationError: .*Hostname mismatch, certificate is not valid for 'localhost'\.\n$/);
  });

  it('-v prints CPython\'s debug lines to stderr and keeps stdout for the body', async () => {
    const r = await cli('-v', plain('/small.txt'));
    expect(r.stdout).toBe(text(STATIC_FILES['/small.txt']!));
    expect(r.stderr).toContain(`send: b'GET /small.txt HTTP/1.1\\r\\nHost: 127.0.0.1:${nginx().httpPort}\\r\\nAccept-Encoding: identity\\r\\n`);
    expect(r.stderr).toContain("reply: 'HTTP/1.1 200 OK\\r\\n'\n");
    expect(r.stderr).toContain('header: Content-Length: 1040\n');
  });

  it('--timings gives each phase on stderr (TLS only for https); -w prints curl\'s variables after the body', async () => {
    const r = await cli('--timings', '--cacert', nginx().caFile, tls('/small.txt'));
    const rows = r.stderr.trim().split('\n');
    expect(rows.map((l) => l.slice(0, 11).trim())).toEqual(['DNS', 'connect', 'TLS', 'first byte', 'total']);
    for (const row of rows) expect(row).toMatch(/^[a-zA-Z ]{11}\s+\d+\.\d ms/);
    const at = rows.slice(0, 4).map((l) => Number(/\(at ([\d.]+) ms\)/.exec(l)![1]));
    expect([...at].sort((a, b) => a - b)).toEqual(at); // phases in order
    const plainRun = await cli('--timings', plain('/small.txt'));
    expect(plainRun.stderr).toMatch(/^TLS\s+-$/m);
    expect(plainRun.stderr).toMatch(/^DNS\s+-$/m); // an IP address: no lookup

    const w = await cli('-o', join(scratch, 'w.txt'), '-w', '%{http_code} %{size_download} %{time_connect} %{time_total}\\n', plain('/small.txt'));
    const [code, size, connect, total] = w.stdout.trimEnd().split(' ');
    expect([code, size]).toEqual(['200', '1040']);
    expect(Number(connect)).toBeGreaterThan(0);
    expect(Number(total)).toBeGreaterThanOrEqual(Number(connect));
    expect(w.stdout.endsWith('\n')).toBe(true);
  });

  it('-f exits 22 on a 404; without it a 404 is a success, as with curl', async () => {
    expect((await cli(plain('/nothing-here'))).code).toBe(0);
    expect((await cli('-f', plain('/nothing-here'))).code).toBe(22);
  });
});

describe('httpwire CLI through a proxy', () => {
  const proxy = usePeer(() => startTinyproxy([inject('nginx').tlsPort]));

  it('-x with an https URL tunnels with CONNECT (set_tunnel) and verifies the server inside', async () => {
    const r = await cli('-x', `http://127.0.0.1:${proxy.port}`, '--cacert', nginx().caFile, '--timings', tls('/small.txt'));
    expect(r.stdout).toBe(text(STATIC_FILES['/small.txt']!));
    expect(r.stderr).toMatch(/^TLS\s+\d+\.\d ms/m); // TLS started inside the tunnel, timed
    expect(r.code).toBe(0);
  });

  it('-x with an http URL sends the absolute form to the proxy', async () => {
    const server = await startRawServer([raw.ok('via proxy')]);
    try {
      const r = await cli('-x', `127.0.0.1:${server.port}`, 'http://example.invalid:8080/a?b=1');
      expect(r.stdout).toBe('via proxy');
      expect(server.requests[0]!.head).toMatch(/^GET http:\/\/example\.invalid:8080\/a\?b=1 HTTP\/1\.1\r\nHost: example\.invalid:8080\r\n/);
    } finally {
      await server.stop();
    }
  });
});

describe('httpwire CLI against an embedded server', () => {
  it('-H and -d send the headers and the body; --data-binary @file sends the file byte for byte', async () => {
    const server = await startRawServer([]);
    try {
      const d = await cli('-H', 'X-One: 1', '-H', 'User-Agent: mine', '-d', 'a=1', '-d', 'b=2', `http://127.0.0.1:${server.port}/form`);
      expect(d.stdout).toBe('ok');
      const head = server.requests[0]!.head;
      expect(head).toMatch(/^POST \/form HTTP\/1\.1\r\n/);
      expect(head).toContain('\r\nX-One: 1\r\n');
      expect(head).toContain('\r\nUser-Agent: mine\r\n');
      expect(head).not.toContain('User-Agent: httpwire');
      expect(head).toContain('\r\nContent-Type: application/x-www-form-urlencoded\r\n');
      expect(head).toContain('\r\nContent-Length: 7\r\n');
      expect(text(server.requests[0]!.body)).toBe('a=1&b=2');

      const file = join(scratch, 'body.bin');
      const bytes = Uint8Array.from({ length: 300 }, (_, i) => i % 256); // CR, LF and NUL among them
      writeFileSync(file, bytes);
      await cli('--data-binary', `@${file}`, '-H', 'Content-Type: application/octet-stream', `http://127.0.0.1:${server.port}/bin`);
      expect(Buffer.compare(Buffer.from(server.requests[1]!.body), Buffer.from(bytes))).toBe(0);
      await cli('-d', `@${file}`, `http://127.0.0.1:${server.port}/stripped`);
      expect(server.requests[2]!.body.length).toBe(300 - 2 * 2); // -d @file drops CR and LF, as curl does
      // Async: the server answers from this process, so the test must not block on the child.
      const child = spawn(process.execPath, [main, '--data-binary', '@-', `http://127.0.0.1:${server.port}/stdin`], { stdio: ['pipe', 'ignore', 'ignore'] });
      child.stdin.end('from stdin\n');
      const [code] = (await Promise.race([once(child, 'exit'), new Promise((_, reject) => setTimeout(() => reject(new Error('no exit')), 30_000))])) as [number];
      expect(code).toBe(0);
      expect(text(server.requests[3]!.body)).toBe('from stdin\n');
    } finally {
      await server.stop();
    }
  });

  it('a server that closes without answering: exit 1 and RemoteDisconnected, as Python names it', async () => {
    const server = await startRawServer([raw.sendAndClose()]);
    try {
      const r = await cli(`http://127.0.0.1:${server.port}/`);
      expect(r.code).toBe(1);
      expect(r.stdout).toBe('');
      expect(r.stderr).toBe('httpwire: RemoteDisconnected: Remote end closed connection without response\n');
    } finally {
      await server.stop();
    }
  });

  it('--timeout bounds a server that never answers: TimeoutError', async () => {
    const server = await startRawServer([raw.stall()]);
    try {
      const r = await cli('--timeout', '0.5', `http://127.0.0.1:${server.port}/`);
      expect(r.code).toBe(1);
      expect(r.stderr).toBe('httpwire: TimeoutError: timed out\n');
    } finally {
      await server.stop();
    }
  });

  it('--strict refuses Content-Length next to Transfer-Encoding, which the default mode reads', async () => {
    const smuggling = 'HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n';
    const server = await startRawServer([], raw.send(smuggling));
    try {
      const lenient = await cli(`http://127.0.0.1:${server.port}/`);
      expect(lenient.stdout).toBe('abc');
      const strict = await cli('--strict', `http://127.0.0.1:${server.port}/`);
      expect(strict.code).toBe(1);
      expect(strict.stderr).toMatch(/^httpwire: StrictViolation: .*Content-Length.*Transfer-Encoding/i);
    } finally {
      await server.stop();
    }
  });

  it('a closed port: exit 1 and ConnectionRefusedError; bad usage exits 2', async () => {
    const server = await startRawServer([]);
    const port = server.port;
    await server.stop();
    const r = await cli(`http://127.0.0.1:${port}/`);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('httpwire: ConnectionRefusedError: [Errno 111] Connection refused\n');
    const usage = await cli('--no-such-flag', 'http://127.0.0.1/');
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('Usage: httpwire [METHOD] URL');
    expect((await cli('ftp://127.0.0.1/')).code).toBe(2);
  });
});

describe('httpwire CLI progress bar on a pseudo-terminal', () => {
  /** Runs the CLI under `script`, whose pty is the CLI's stdout and stderr; returns what the terminal got. */
  async function onTerminal(args: string[]) {
    const quoted = [process.execPath, main, ...args].map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(' ');
    const r = await run(findProgram('script'), ['-q', '-e', '-c', quoted, '/dev/null'], { cwd: scratch, timeoutMs: 30_000 });
    return r;
  }

  it('shows size, rate and ETA on stderr while a body over the threshold is written to a file, redrawn in place', async () => {
    const out = join(scratch, 'tty.bin');
    const r = await onTerminal(['-o', out, plain('/1mib.bin')]);
    expect(r.code).toBe(0);
    expect(Buffer.compare(readFileSync(out), Buffer.from(STATIC_FILES['/1mib.bin']!))).toBe(0);
    // The final state of the bar: the whole size, 100%, a full bar, a rate and the time taken.
    expect(r.stdout).toMatch(/\r1\.0 MiB \/ 1\.0 MiB 100% \[=+\]  [\d.]+ (B|KiB|MiB|GiB)\/s  in \d+:\d\d\x1b\[K\r?\n/);
  });

  it('shows no bar for a small body, nor when the body itself goes to the terminal', async () => {
    const small = await onTerminal(['-o', join(scratch, 'small.txt'), plain('/small.txt')]);
    expect(small.code).toBe(0);
    expect(small.stdout).toBe('');
    const toTerminal = await onTerminal(['-s', plain('/small.txt')]);
    expect(toTerminal.stdout.replace(/\r\n/g, '\n')).toBe(text(STATIC_FILES['/small.txt']!));
    // 1 MiB to the terminal itself: the bar would garble the body (curl shows none either).
    const big = await onTerminal([plain('/1mib.bin')]);
    expect(big.stdout).not.toMatch(/\r1\.0 MiB \/ 1\.0 MiB/);
  });
});

describe('the progress line', () => {
  it('says size of total, percentage, rate and ETA; fits the terminal; drops the bar when there is no room', () => {
    // 80 columns: 45 of text, so a 31-column bar, half full.
    expect(progressLine(512 * 1024, 1024 * 1024, 0.5, false, 80)).toBe(
      `512.0 KiB / 1.0 MiB  50% [${'='.repeat(15)}>${' '.repeat(15)}]  1.0 MiB/s  ETA 0:01`,
    );
    expect(progressLine(512 * 1024, 1024 * 1024, 0.5, false, 40)).toBe('512.0 KiB / 1.0 MiB  50%  1.0 MiB/s  ETA 0:01');
    expect(progressLine(3 * 1024 * 1024, null, 2, false)).toBe('3.0 MiB  1.5 MiB/s  ETA --:--');
    expect(progressLine(1024 * 1024, 1024 * 1024, 75, true)).toMatch(/^1\.0 MiB \/ 1\.0 MiB 100% \[=+\]  13\.7 KiB\/s  in 1:15$/);
    for (const width of [60, 80, 120]) expect(progressLine(1, 1024 * 1024 * 1024, 0.001, false, width).length).toBeLessThan(width);
    expect([formatBytes(0), formatBytes(1023), formatBytes(1536), formatBytes(5 * 1024 ** 3)]).toEqual(['0 B', '1023 B', '1.5 KiB', '5.0 GiB']);
    expect([formatDuration(0), formatDuration(75), formatDuration(3725)]).toEqual(['0:00', '1:15', '1:02:05']);
  });
});
