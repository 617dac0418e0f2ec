// Real peers for the integration tests, each started on a free port on
// 127.0.0.1 in a temporary directory of its own, with its own config (never
// the system's), and stopped by killing the process and removing that
// directory:
//
//   startNginx()            plain HTTP and three TLS ports (a CA-signed
//                           certificate, one for another name, a self-signed one)
//   startPythonHttpServer() python3 -m http.server --protocol HTTP/1.1
//   startEchoServer()       echo_server.py: answers with the request it received
//   startTinyproxy()        a forward proxy for CONNECT and absolute-URI requests
//   startRawServer()        node:net, scripted per request: for faults
//
// Every start waits for readiness in a bounded loop and checks that the
// process answering is the one it started. A missing nginx or tinyproxy is
// an error, so the tests that need it fail rather than skip (npm test installs
// both from Debian).
import { afterAll, beforeAll } from 'vitest';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { accessSync, chmodSync, constants, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);
const HERE = dirname(fileURLToPath(import.meta.url));

// ---------------------------------------------------------------- lifetime

/**
 * Starts a peer before the tests of the enclosing file or describe block and
 * stops it after them. Returns a stand-in for the peer: reading any of its
 * properties inside a test gives the started peer's, or throws the error that
 * kept it from starting. So a missing nginx fails each test that needs it —
 * a failing beforeAll would instead mark those tests skipped.
 */
export function usePeer<T extends { stop(): Promise<void> }>(start: () => Promise<T>): T {
  let peer: T | undefined;
  let failure: unknown;
  beforeAll(async () => {
    try {
      peer = await start();
    } catch (err) {
      failure = err;
    }
  });
  afterAll(async () => {
    await peer?.stop();
  });
  return new Proxy({} as T, {
    get(_target, prop) {
      if (failure !== undefined) throw failure;
      if (peer === undefined) throw new Error('the peer is used outside a test (it starts in beforeAll)');
      return Reflect.get(peer, prop);
    },
  });
}

// ---------------------------------------------------------------- processes

/** Children still running; killed if the test process exits without stopping them. */
const live = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Finds `name` on PATH or in the Debian system directories (a non-root PATH may lack /usr/sbin). */
export function findProgram(name: string): string {
  const dirs = [...(process.env.PATH ?? '').split(delimiter).filter(Boolean), '/usr/local/sbin', '/usr/sbin', '/sbin'];
  for (const dir of dirs) {
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  throw new Error(`${name} is not installed (looked on PATH and in /usr/sbin): the integration tests need it; npm test installs it (scripts/peers.mjs)`);
}

/** A started child process with its combined output (the last 64 KiB). */
class Proc {
  readonly child: ChildProcess;
  readonly exited: Promise<void>;
  private out = '';

  constructor(command: string, args: string[], cwd: string) {
    this.child = spawn(command, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    live.add(this.child);
    const collect = (buf: Buffer) => {
      this.out = (this.out + buf.toString('latin1')).slice(-65536);
    };
    this.child.stdout!.on('data', collect);
    this.child.stderr!.on('data', collect);
    this.exited = new Promise<void>((resolve) => {
      this.child.once('exit', () => {
        live.delete(this.child);
        resolve();
      });
      // A spawn failure emits 'error' and may never emit 'exit'.
      this.child.once('error', (err) => {
        this.out += `\n${err.message}`;
        live.delete(this.child);
        resolve();
      });
    });
  }

  get running(): boolean {
    return live.has(this.child);
  }

  get output(): string {
    return this.out;
  }

  /** SIGTERM, then SIGKILL if it has not exited after 5 s; waits (bounded) for the exit. */
  async stop(): Promise<void> {
    for (const signal of ['SIGTERM', 'SIGKILL'] as const) {
      if (!this.running) return;
      this.child.kill(signal);
      await Promise.race([this.exited, sleep(5000)]);
    }
    if (this.running) throw new Error(`process ${this.child.pid} did not exit after SIGKILL`);
  }
}

export interface PollOptions {
  /** At most this many checks… */
  attempts?: number;
  /** …this far apart, in milliseconds. */
  intervalMs?: number;
}

/**
 * Calls `check` until it returns a value other than null, at most
 * `attempts` times. Fails at once if `proc` exits, with its output.
 */
export async function poll<T>(
  what: string,
  check: () => Promise<T | null>,
  { attempts = 200, intervalMs = 50 }: PollOptions = {},
  proc?: Proc,
): Promise<T> {
  let last: unknown = null;
  for (let i = 0; i < attempts; i++) {
    if (proc && !proc.running) throw new Error(`${what}: the process exited before it was ready:\n${proc.output}`);
    try {
      const value = await check();
      if (value !== null) return value;
    } catch (err) {
      last = err;
    }
    await sleep(intervalMs);
  }
  const detail = proc ? `\n${proc.output}` : '';
  throw new Error(`${what}: not ready after ${attempts} checks ${intervalMs} ms apart (last error: ${String(last)})${detail}`);
}

/** Sends `request` on a fresh TCP connection to 127.0.0.1:port and returns all it receives (bounded: 5 s, 1 MiB). */
export function exchange(port: number, request: string | Uint8Array): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    let data = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no complete answer from port ${port} in 5 s; got ${JSON.stringify(data.slice(0, 200))}`));
    }, 5000);
    socket.on('connect', () => socket.end(request));
    socket.on('data', (b) => {
      data += b.toString('latin1');
      if (data.length > 1 << 20) socket.destroy(new Error('answer over 1 MiB'));
    });
    socket.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(data);
    });
  });
}

/** `count` distinct ports that were free a moment ago (held together, then released). */
export async function freePorts(count: number): Promise<number[]> {
  const servers: net.Server[] = [];
  try {
    for (let i = 0; i < count; i++) {
      const server = net.createServer();
      servers.push(server);
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(0, '127.0.0.1', () => resolve());
      });
    }
    return servers.map((s) => (s.address() as net.AddressInfo).port);
  } finally {
    await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  }
}

/** A temporary directory that other users can traverse (nginx's workers, tinyproxy after dropping root). */
function makeTempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), `httpwire-${prefix}-`));
  chmodSync(dir, 0o755);
  return dir;
}

function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

// ---------------------------------------------------------------- content

/** Deterministic bytes (a linear congruential generator): the same on every run. */
export function pseudoRandomBytes(length: number, seed = 1): Uint8Array {
  const out = new Uint8Array(length);
  let x = seed >>> 0;
  for (let i = 0; i < length; i++) {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

/** Text lines that compress well, so nginx's gzip filter applies. */
export function textLines(count: number): Uint8Array {
  let s = '';
  for (let i = 0; i < count; i++) s += `line ${String(i).padStart(6, '0')}: the quick brown fox jumps over the lazy dog\n`;
  return Uint8Array.from(s, (c) => c.charCodeAt(0));
}

/** The static files both nginx and http.server serve, by URL path. */
export const STATIC_FILES: Readonly<Record<string, Uint8Array>> = {
  '/small.txt': Uint8Array.from('Hello from a real server.\n'.repeat(40), (c) => c.charCodeAt(0)), // 1040 bytes
  '/empty.txt': new Uint8Array(0),
  '/1mib.bin': pseudoRandomBytes(1024 * 1024),
  '/gzip/lines.txt': textLines(4000), // ~252 KB of text: gzipped and chunked by nginx
};

function writeStaticFiles(root: string, extra: Record<string, Uint8Array> = {}): void {
  for (const [path, bytes] of Object.entries({ ...STATIC_FILES, ...extra })) {
    const file = join(root, path);
    mkdirSync(dirname(file), { recursive: true, mode: 0o755 });
    writeFileSync(file, bytes, { mode: 0o644 });
  }
}

// ---------------------------------------------------------------- TLS

export interface Certificates {
  /** The test CA (PEM file and text): trust it to verify `server` and `wrongName`. */
  caFile: string;
  caPem: string;
  /** Signed by the CA for DNS:localhost and IP:127.0.0.1. */
  server: { cert: string; key: string };
  /** Signed by the CA for DNS:wrong.example only. */
  wrongName: { cert: string; key: string };
  /** Self-signed for DNS:localhost and IP:127.0.0.1. */
  selfSigned: { cert: string; key: string; pem: string };
}

const EC_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

async function openssl(args: string[], cwd: string): Promise<void> {
  await execFileAsync('openssl', args, { cwd, timeout: 30_000 });
}

/** A leaf key and certificate signed by the CA in `dir`, with the given subjectAltName. */
async function mintLeaf(dir: string, name: string, serial: number, san: string): Promise<{ cert: string; key: string }> {
  const key = join(dir, `${name}.key`);
  const cert = join(dir, `${name}.pem`);
  const ext = join(dir, `${name}.ext`);
  writeFileSync(
    ext,
    [
      'basicConstraints=critical,CA:FALSE',
      'keyUsage=critical,digitalSignature',
      'extendedKeyUsage=serverAuth',
      `subjectAltName=${san}`,
      'subjectKeyIdentifier=hash',
      'authorityKeyIdentifier=keyid:always',
    ].join('\n'),
  );
  await openssl(['req', '-new', ...EC_KEY, '-keyout', key, '-out', join(dir, `${name}.csr`), '-subj', `/CN=${name}`, '-config', '/dev/null'], dir);
  await openssl(
    ['x509', '-req', '-in', join(dir, `${name}.csr`), '-CA', 'ca.pem', '-CAkey', 'ca.key', '-set_serial', String(serial), '-days', '2', '-out', cert, '-extfile', ext],
    dir,
  );
  return { cert, key };
}

/**
 * Mints, with the openssl command, a CA and certificates for the TLS tests
 * into `dir` (valid for two days; strict enough for CPython 3.13's
 * VERIFY_X509_STRICT default).
 */
export async function mintCertificates(dir: string): Promise<Certificates> {
  await openssl(
    [
      'req', '-x509', '-new', ...EC_KEY, '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=httpwire test CA',
      '-config', '/dev/null', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
      '-addext', 'subjectKeyIdentifier=hash',
    ],
    dir,
  );
  const server = await mintLeaf(dir, 'localhost', 2, 'DNS:localhost,IP:127.0.0.1');
  const wrongName = await mintLeaf(dir, 'wrong.example', 3, 'DNS:wrong.example');
  await openssl(
    [
      'req', '-x509', '-new', ...EC_KEY, '-keyout', 'self.key', '-out', 'self.pem', '-days', '2', '-subj', '/CN=localhost',
      '-config', '/dev/null', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1',
    ],
    dir,
  );
  const caFile = join(dir, 'ca.pem');
  const selfPem = join(dir, 'self.pem');
  return {
    caFile,
    caPem: readFileSync(caFile, 'utf8'),
    server,
    wrongName,
    selfSigned: { cert: selfPem, key: join(dir, 'self.key'), pem: readFileSync(selfPem, 'utf8') },
  };
}

// ---------------------------------------------------------------- servers

export interface Server {
  /** The port clients connect to on 127.0.0.1. */
  port: number;
  /** The temporary directory (removed by stop). */
  dir: string;
  /** Kills the process (or closes the server) and removes `dir`. Idempotent. */
  stop(): Promise<void>;
}

function stopper(proc: Proc, dir: string): () => Promise<void> {
  return async () => {
    try {
      await proc.stop();
    } finally {
      removeDir(dir);
    }
  };
}

export interface Nginx extends Server {
  version: string;
  /** Plain HTTP (same as `port`). */
  httpPort: number;
  /** TLS with the CA-signed certificate for localhost and 127.0.0.1. */
  tlsPort: number;
  /** TLS with a CA-signed certificate for wrong.example only. */
  wrongNamePort: number;
  /** TLS with the self-signed certificate. */
  selfSignedPort: number;
  certs: Certificates;
  /** The access log so far: one line per request, `$connection $connection_requests "$request" $status $body_bytes_sent`. */
  accessLog(): string[];
}

/**
 * The locations every nginx port serves. Every response carries
 * X-Connection ($connection, nginx's serial number of the TCP connection)
 * and X-Connection-Requests ($connection_requests).
 */
function nginxLocations(token: string): string {
  return `
    root www;
    add_header X-Connection $connection always;
    add_header X-Connection-Requests $connection_requests always;
    location = /__ready { default_type text/plain; return 200 "${token}"; }
    # Any method, body read and discarded: what nginx saw of the request.
    location = /info {
      default_type text/plain;
      return 200 "$request_method $request_uri $server_protocol connection=$connection requests=$connection_requests length=$content_length\\n";
    }
    # The same files, with keep-alive limited: nginx closes after the third
    # request on a connection, or after every request.
    location /limited/ { keepalive_requests 3; alias www/; }
    location /close/ { keepalive_timeout 0; alias www/; }
    # A scraper's usual server: idle connections closed after 1 s, and every connection after its 100th request.
    location /ka1/ { keepalive_timeout 1s; keepalive_requests 100; alias www/; }
    location /gzip/ {
      gzip on;
      gzip_types text/plain;
      gzip_min_length 1;
      gzip_comp_level 6;
      chunked_transfer_encoding on;
    }
  `;
}

/** Settings a test may change in startNginx (defaults: the suite's usual server). */
export interface NginxOptions {
  /** nginx's keepalive_timeout (default '60s'). */
  keepaliveTimeout?: string;
  /** nginx's keepalive_requests (default 1000). */
  keepaliveRequests?: number;
  /** More files under www/, by URL path (e.g. precompressed bodies). */
  files?: Record<string, Uint8Array>;
  /** More nginx directives for every server block (locations). */
  locations?: string;
}

/** nginx, started as `nginx -p <tmpdir> -c <tmpdir>/nginx.conf`, single process, in the foreground. */
export async function startNginx(options: NginxOptions = {}): Promise<Nginx> {
  const nginx = findProgram('nginx');
  const version = (await execFileAsync(nginx, ['-v'])).stderr.trim();
  const dir = makeTempDir('nginx');
  try {
    for (const sub of ['logs', 'temp', 'www']) mkdirSync(join(dir, sub), { mode: 0o755 });
    writeStaticFiles(join(dir, 'www'), options.files);
    const certs = await mintCertificates(dir);
    const token = randomBytes(12).toString('hex');
    // A port taken between freePorts() and nginx's bind() fails the start: try again with new ports.
    let lastError: unknown;
    for (let attempt = 0; attempt < 3; attempt++) {
      const [httpPort, tlsPort, wrongNamePort, selfSignedPort] = await freePorts(4);
      const tlsServer = (port: number, cert: { cert: string; key: string }) => `
        server {
          listen 127.0.0.1:${port} ssl;
          ssl_certificate ${cert.cert};
          ssl_certificate_key ${cert.key};
          ${nginxLocations(token)}
          ${options.locations ?? ''}
        }`;
      const temp = (kind: string) => `${kind}_temp_path ${join(dir, 'temp', kind)};`;
      writeFileSync(
        join(dir, 'nginx.conf'),
        `# httpwire integration tests: everything inside ${dir}
daemon off;
master_process off;
worker_processes 1;
pid ${join(dir, 'nginx.pid')};
lock_file ${join(dir, 'nginx.lock')};
error_log ${join(dir, 'logs', 'error.log')} warn;
events { worker_connections 256; }
http {
  ${['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map(temp).join('\n  ')}
  types { text/plain txt; application/octet-stream bin; text/html html; }
  default_type application/octet-stream;
  log_format conn '$connection $connection_requests "$request" $status $body_bytes_sent';
  access_log ${join(dir, 'logs', 'access.log')} conn;
  keepalive_timeout ${options.keepaliveTimeout ?? '60s'};
  keepalive_requests ${options.keepaliveRequests ?? 1000};
  server {
    listen 127.0.0.1:${httpPort};
    ${nginxLocations(token)}
    ${options.locations ?? ''}
  }
  ${tlsServer(tlsPort, certs.server)}
  ${tlsServer(wrongNamePort, certs.wrongName)}
  ${tlsServer(selfSignedPort, certs.selfSigned)}
}
`,
      );
      const proc = new Proc(nginx, ['-p', `${dir}/`, '-c', join(dir, 'nginx.conf'), '-e', join(dir, 'logs', 'error.log')], dir);
      try {
        // nginx binds every listen socket before it serves any: the token on the
        // plain port proves this nginx holds all four.
        await poll(
          'nginx',
          async () => ((await exchange(httpPort, 'GET /__ready HTTP/1.0\r\n\r\n')).endsWith(token) ? true : null),
          {},
          proc,
        );
      } catch (err) {
        lastError = new Error(`${String(err)}\nerror.log:\n${readIfExists(join(dir, 'logs', 'error.log'))}`);
        await proc.stop();
        continue;
      }
      return {
        version,
        port: httpPort,
        httpPort,
        tlsPort,
        wrongNamePort,
        selfSignedPort,
        dir,
        certs,
        accessLog: () => readIfExists(join(dir, 'logs', 'access.log')).split('\n').filter(Boolean),
        stop: stopper(proc, dir),
      };
    }
    throw lastError;
  } catch (err) {
    removeDir(dir);
    throw err;
  }
}

function readIfExists(file: string): string {
  try {
    return readFileSync(file, 'latin1');
  } catch {
    return '';
  }
}

/** Starts `python3 -u <args>` whose first output line is "<prefix> <port>"; returns the process and port. */
async function startPython(args: string[], dir: string, portLine: RegExp): Promise<{ proc: Proc; port: number }> {
  const proc = new Proc(findProgram('python3'), ['-u', ...args], dir);
  try {
    const port = await poll('python3 ' + args.join(' '), async () => {
      const m = portLine.exec(proc.output);
      return m ? Number(m[1]) : null;
    }, {}, proc);
    await poll(`port ${port}`, async () => ((await connectable(port)) ? true : null), {}, proc);
    return { proc, port };
  } catch (err) {
    await proc.stop();
    throw err;
  }
}

function connectable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port }, () => {
      socket.destroy();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
  });
}

export interface PythonServer extends Server {
  version: string;
}

async function pythonVersion(): Promise<string> {
  return (await execFileAsync(findProgram('python3'), ['--version'])).stdout.trim();
}

/** `python3 -m http.server --protocol HTTP/1.1` serving STATIC_FILES from a temporary directory. */
export async function startPythonHttpServer(): Promise<PythonServer> {
  const dir = makeTempDir('http-server');
  try {
    writeStaticFiles(dir);
    const { proc, port } = await startPython(
      ['-m', 'http.server', '--protocol', 'HTTP/1.1', '--bind', '127.0.0.1', '--directory', dir, '0'],
      dir,
      /Serving HTTP on \S+ port (\d+)/,
    );
    return { port, dir, version: await pythonVersion(), stop: stopper(proc, dir) };
  } catch (err) {
    removeDir(dir);
    throw err;
  }
}

/** An echo of every request (test/support/echo_server.py): JSON with method, path, headers, body. */
export async function startEchoServer(): Promise<PythonServer> {
  const dir = makeTempDir('echo');
  try {
    const { proc, port } = await startPython([join(HERE, 'echo_server.py')], dir, /^port (\d+)$/m);
    return { port, dir, version: await pythonVersion(), stop: stopper(proc, dir) };
  } catch (err) {
    removeDir(dir);
    throw err;
  }
}

export interface Tinyproxy extends Server {
  version: string;
  log(): string;
}

/** tinyproxy in the foreground (-d), allowing 127.0.0.1 and CONNECT to `connectPorts` only. */
export async function startTinyproxy(connectPorts: number[]): Promise<Tinyproxy> {
  const tinyproxy = findProgram('tinyproxy');
  const version = (await execFileAsync(tinyproxy, ['-v'])).stdout.trim();
  const dir = makeTempDir('tinyproxy');
  const logFile = join(dir, 'tinyproxy.log');
  try {
    let lastError: unknown;
    for (let attempt = 0; attempt < 3; attempt++) {
      const [port] = await freePorts(1);
      const lines = [
        `Port ${port}`,
        'Listen 127.0.0.1',
        'Timeout 30',
        'MaxClients 32',
        'Allow 127.0.0.1',
        ...connectPorts.map((p) => `ConnectPort ${p}`),
        `LogFile "${logFile}"`,
        'LogLevel Info',
        `PidFile "${join(dir, 'tinyproxy.pid')}"`,
      ];
      // As root, tinyproxy would otherwise keep root; as another user it cannot switch.
      if (process.getuid?.() === 0) lines.push('User nobody', 'Group nogroup');
      writeFileSync(join(dir, 'tinyproxy.conf'), lines.join('\n') + '\n');
      writeFileSync(logFile, '', { mode: 0o666 });
      chmodSync(logFile, 0o666);
      const proc = new Proc(tinyproxy, ['-d', '-c', join(dir, 'tinyproxy.conf')], dir);
      try {
        // tinyproxy names itself in its error pages: a request for a
        // disallowed CONNECT port proves the listener is this tinyproxy.
        await poll(
          'tinyproxy',
          async () => (/tinyproxy/i.test(await exchange(port, 'CONNECT 127.0.0.1:1 HTTP/1.1\r\nHost: 127.0.0.1:1\r\n\r\n')) ? true : null),
          {},
          proc,
        );
      } catch (err) {
        lastError = new Error(`${String(err)}\nlog:\n${readIfExists(logFile)}`);
        await proc.stop();
        continue;
      }
      return { port, dir, version, log: () => readIfExists(logFile), stop: stopper(proc, dir) };
    }
    throw lastError;
  } catch (err) {
    removeDir(dir);
    throw err;
  }
}

// ---------------------------------------------------------------- scripted faults

export interface RawRequest {
  /** The request head, Latin-1, up to and including the blank line. */
  head: string;
  body: Uint8Array;
  /** 1 for the server's first connection, 2 for its second, … */
  connection: number;
}

/** What the raw server does with one request; it may write, end, reset or ignore the socket. */
export type RawResponder = (socket: net.Socket, request: RawRequest) => void;

const latin1 = (s: string) => Buffer.from(s, 'latin1');

/** Ready-made responders. */
export const raw = {
  /** Writes `bytes` and keeps the connection open. */
  send: (bytes: string): RawResponder => (s) => void s.write(latin1(bytes)),
  /** Writes `bytes` (maybe nothing) and closes the connection. */
  sendAndClose: (bytes = ''): RawResponder => (s) => void s.end(latin1(bytes)),
  /** Resets the connection (TCP RST) after writing `bytes`. */
  reset: (bytes = ''): RawResponder => (s) => {
    if (bytes) s.write(latin1(bytes), () => s.resetAndDestroy());
    else s.resetAndDestroy();
  },
  /** Never answers; stop() closes the connection. */
  stall: (): RawResponder => () => {},
  /** A complete 200 response with body `body`, connection kept open. */
  ok: (body = 'ok'): RawResponder =>
    raw.send(`HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: ${body.length}\r\n\r\n${body}`),
};

export interface RawServer extends Omit<Server, 'dir'> {
  /** Every request received, in order. */
  requests: RawRequest[];
  /** How many connections were accepted. */
  readonly connections: number;
  /** Bytes received on all connections, requests or not. */
  readonly bytesReceived: number;
}

const MAX_RAW_REQUEST = 1 << 20;

/**
 * A node:net server on 127.0.0.1 that reads each request (head, then a
 * Content-Length or chunked body) and hands the n-th request of the
 * server's life to `script[n]`, or to `fallback` (a 200 "ok") after the
 * script runs out.
 */
export async function startRawServer(script: RawResponder[], fallback: RawResponder = raw.ok()): Promise<RawServer> {
  const requests: RawRequest[] = [];
  const sockets = new Set<net.Socket>();
  let connections = 0;
  let bytesReceived = 0;
  const server = net.createServer({ allowHalfOpen: true }, (socket) => {
    const connection = ++connections;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    socket.on('end', () => socket.end());
    let pending = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      bytesReceived += chunk.length;
      pending = Buffer.concat([pending, chunk]);
      if (pending.length > MAX_RAW_REQUEST) socket.destroy();
      // At most as many requests as the buffer could hold; each pass consumes one.
      for (let guard = 0; guard < 1000 && !socket.destroyed; guard++) {
        const taken = takeRequest(pending);
        if (taken === 'bad') socket.destroy();
        if (taken === null || taken === 'bad') break;
        pending = pending.subarray(taken.length);
        const request: RawRequest = { head: taken.head, body: taken.body, connection };
        requests.push(request);
        (script[requests.length - 1] ?? fallback)(socket, request);
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  let stopped: Promise<void> | null = null;
  return {
    port: (server.address() as net.AddressInfo).port,
    requests,
    get connections() {
      return connections;
    },
    get bytesReceived() {
      return bytesReceived;
    },
    stop() {
      stopped ??= new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      });
      return stopped;
    },
  };
}

/** One whole request at the start of `buf` (head + body); null when more bytes are needed; 'bad' for bad chunk framing. */
function takeRequest(buf: Buffer): { head: string; body: Uint8Array; length: number } | null | 'bad' {
  const end = buf.indexOf('\r\n\r\n');
  if (end < 0) return null;
  const head = buf.subarray(0, end + 4).toString('latin1');
  const rest = buf.subarray(end + 4);
  const cl = /^content-length:\s*(\d+)\s*$/im.exec(head);
  if (/^transfer-encoding:.*chunked/im.test(head)) {
    const body: Buffer[] = [];
    let pos = 0;
    for (let guard = 0; guard < 100_000; guard++) {
      const eol = rest.indexOf('\r\n', pos);
      if (eol < 0) return null;
      const size = parseInt(rest.subarray(pos, eol).toString('latin1'), 16);
      if (Number.isNaN(size)) return 'bad';
      if (size === 0) {
        const trailerEnd = rest.indexOf('\r\n\r\n', eol);
        if (trailerEnd < 0) return null;
        return { head, body: Buffer.concat(body), length: end + 4 + trailerEnd + 4 };
      }
      if (rest.length < eol + 2 + size + 2) return null;
      body.push(rest.subarray(eol + 2, eol + 2 + size));
      pos = eol + 2 + size + 2;
    }
    return 'bad';
  }
  const length = cl ? Number(cl[1]) : 0;
  if (rest.length < length) return null;
  return { head, body: rest.subarray(0, length), length: end + 4 + length };
}
