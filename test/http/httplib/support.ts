// Shared helpers for the port of CPython 3.13's Lib/test/test_httplib.py:
// its module-level constants, byte helpers, stdout capture (debuglevel
// prints go to console.log), and real 127.0.0.1 servers for the few
// classes that need a socket.
import { vi, afterEach, expect } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryTransport, type MemoryTransportOptions } from '../../../src/transport/memory.js';

/** Latin-1 string -> bytes (Python's `b'...'` literals). */
export const enc = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0));
/** Bytes -> Latin-1 string, for comparing and searching. */
export const dec = (b: Uint8Array): string => {
  let out = '';
  for (let i = 0; i < b.length; i += 8192) out += String.fromCharCode(...b.subarray(i, i + 8192));
  return out;
};

/** test_httplib's FakeSocket(text): a MemoryTransport over the Latin-1 text. */
export function fakeSocket(text: string | Uint8Array | (string | Uint8Array)[] | null, options: MemoryTransportOptions = {}): MemoryTransport {
  return new MemoryTransport(text ?? '', options);
}

// Constants for testing chunked encoding (test_httplib's module level).
export const chunked_start =
  'HTTP/1.1 200 OK\r\n' +
  'Transfer-Encoding: chunked\r\n\r\n' +
  'a\r\n' +
  'hello worl\r\n' +
  '3\r\n' +
  'd! \r\n' +
  '8\r\n' +
  'and now \r\n' +
  '22\r\n' +
  'for something completely different\r\n';
export const chunked_expected = enc('hello world! and now for something completely different');
export const chunk_extension = ';foo=bar';
export const last_chunk = '0\r\n';
export const last_chunk_extended = '0' + chunk_extension + '\r\n';
export const trailers = 'X-Dummy: foo\r\nX-Dumm2: bar\r\n';
export const chunked_end = '\r\n';

/**
 * support.captured_stdout(): collects what console.log prints while `fn`
 * runs (each call's arguments joined by spaces, as console.log prints
 * them) and returns the printed lines, split as Python's str.splitlines().
 */
export async function capturedStdout(fn: () => Promise<unknown> | unknown): Promise<string[]> {
  const printed: string[] = [];
  const spy = vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => {
    printed.push(args.map(String).join(' '));
  });
  try {
    await fn();
  } finally {
    spy.mockRestore();
  }
  // print() ends each call with '\n'; str.splitlines() also splits at '\r\n' and '\r' (and a few more).
  return printed.join('\n').split(/\r\n|[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]/);
}

/**
 * BasicTest.test_host_port and HTTPSTest.test_host_port: invalid host:port
 * strings throw InvalidURL; valid ones split into host and port, the port
 * defaulting to `defaultPort`.
 */
export function checkHostPort(
  make: (hp: string) => { host: string; port: number },
  InvalidURL: Function,
  defaultPort: number,
): void {
  for (const hp of ['www.python.org:abc', 'user:password@www.python.org']) {
    expect(() => make(hp), hp).toThrow(InvalidURL as never);
  }
  const cases: [string, string, number][] = [
    ['[fe80::207:e9ff:fe9b]:8000', 'fe80::207:e9ff:fe9b', 8000],
    [`www.python.org:${defaultPort}`, 'www.python.org', defaultPort],
    ['www.python.org:', 'www.python.org', defaultPort],
    ['www.python.org', 'www.python.org', defaultPort],
    ['[fe80::207:e9ff:fe9b]', 'fe80::207:e9ff:fe9b', defaultPort],
    ['[fe80::207:e9ff:fe9b]:', 'fe80::207:e9ff:fe9b', defaultPort],
  ];
  for (const [hp, h, p] of cases) {
    const c = make(hp);
    expect(c.host, hp).toBe(h);
    expect(c.port, hp).toBe(p);
  }
}

/** Runs `fn`, expecting it to throw; returns what it threw. */
export async function thrown(fn: () => Promise<unknown> | unknown): Promise<unknown> {
  try {
    await fn();
  } catch (e) {
    return e;
  }
  throw new Error('expected an exception, none was thrown');
}

// ---------------------------------------------------------------------------
// Real sockets on 127.0.0.1, closed after each test.

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

/** Runs `fn` after the current test. */
export function addCleanup(fn: () => Promise<void> | void): void {
  cleanups.push(fn);
}

/** Starts `server` on 127.0.0.1 (port 0 unless given); returns its port. */
export async function listen(server: net.Server, port = 0): Promise<number> {
  const sockets = new Set<net.Socket>();
  const track = (s: net.Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  };
  server.on('connection', track);
  server.on('secureConnection', track);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  addCleanup(
    () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  );
  return (server.address() as net.AddressInfo).port;
}

/** socket_helper.find_unused_port(): a port that was free a moment ago. */
export async function findUnusedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A self-signed certificate and key for `cn`, minted with openssl in a temp dir. */
export function mintCertificate(cn: string, san: string): { cert: string; key: string; certfile: string } {
  const dir = mkdtempSync(join(tmpdir(), 'httplib-cert-'));
  execFileSync(
    'openssl',
    [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
      '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '1',
      '-subj', `/CN=${cn}`, '-addext', `subjectAltName=${san}`,
    ],
    { stdio: 'ignore' },
  );
  const cert = readFileSync(join(dir, 'cert.pem'), 'utf8');
  const key = readFileSync(join(dir, 'key.pem'), 'utf8');
  // The file stays until the process ends: load_verify_locations reads it by name.
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  return { cert, key, certfile: join(dir, 'cert.pem') };
}
