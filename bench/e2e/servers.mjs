// The two servers of the end-to-end benchmark, both on 127.0.0.1 and both
// children of the runner: nginx (started as test/support/servers.ts starts
// it: its own config in a temporary directory, foreground, one process,
// readiness proved by a token), and the canned node:net server
// (bench/e2e/server.mjs). Both serve the same paths with the same bodies.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { accessSync, chmodSync, constants, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { BODY_BYTE } from './workloads.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** `name` on PATH or in the Debian system directories; an error naming npm test when missing. */
export function findProgram(name) {
  const dirs = [...(process.env.PATH ?? '').split(delimiter).filter(Boolean), '/usr/local/sbin', '/usr/sbin', '/sbin'];
  for (const dir of dirs) {
    try {
      accessSync(join(dir, name), constants.X_OK);
      return join(dir, name);
    } catch {
      // not here
    }
  }
  throw new Error(`${name} is not installed (looked on PATH and in /usr/sbin): the benchmark needs it; npm test installs it (scripts/peers.mjs)`);
}

/** Kills `child` (SIGTERM, then SIGKILL after 3 s) and waits for its exit, bounded. */
export async function stopChild(child) {
  for (const signal of ['SIGTERM', 'SIGKILL']) {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill(signal);
    await Promise.race([new Promise((r) => child.once('exit', r)), sleep(3000)]);
  }
}

/** GET `path` on a fresh connection (HTTP/1.0, so the server closes); the whole answer, bounded to 2 s. */
function fetchOnce(port, path) {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    let data = '';
    const timer = setTimeout(() => socket.destroy(new Error('no answer in 2 s')), 2000);
    socket.on('connect', () => socket.end(`GET ${path} HTTP/1.0\r\n\r\n`));
    socket.on('data', (b) => (data += b.toString('latin1')));
    socket.on('error', (e) => (clearTimeout(timer), reject(e)));
    socket.on('close', () => (clearTimeout(timer), resolve(data)));
  });
}

async function freePort() {
  const server = net.createServer();
  await new Promise((r, f) => server.once('error', f).listen(0, '127.0.0.1', r));
  const { port } = server.address();
  await new Promise((r) => server.close(r));
  return port;
}

/**
 * nginx serving /100b, /16m, /chunked/64k (SSI drops the length: chunked)
 * and POST /post; `options` adds files ({ path: bytes }), server
 * directives (`locations`) and keep-alive limits (the pool benchmark's).
 */
export async function startNginx(options = {}) {
  const nginx = findProgram('nginx');
  const version = spawnSync(nginx, ['-v'], { encoding: 'latin1' }).stderr.trim(); // nginx -v prints on stderr
  const dir = mkdtempSync(join(tmpdir(), 'httpwire-e2e-nginx-'));
  chmodSync(dir, 0o755);
  try {
    for (const sub of ['logs', 'temp', 'www']) mkdirSync(join(dir, sub), { mode: 0o755 });
    for (const [name, size] of [['100b', 100], ['16m', 16 << 20], ['64k', 65536]]) {
      writeFileSync(join(dir, 'www', name), Buffer.alloc(size, BODY_BYTE), { mode: 0o644 });
    }
    for (const [path, bytes] of Object.entries(options.files ?? {})) {
      mkdirSync(join(dir, 'www', dirname(path)), { recursive: true, mode: 0o755 });
      writeFileSync(join(dir, 'www', path), bytes, { mode: 0o644 });
    }
    const token = randomBytes(12).toString('hex');
    for (let attempt = 0; attempt < 3; attempt++) {
      const port = await freePort();
      // The main context: one foreground process, every path inside `dir`.
      const main = [
        'daemon off', 'master_process off', 'worker_processes 1',
        `pid ${join(dir, 'nginx.pid')}`, `lock_file ${join(dir, 'nginx.lock')}`, `error_log ${join(dir, 'logs', 'error.log')} warn`,
      ];
      const http = [
        ...['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((kind) => `${kind}_temp_path ${join(dir, 'temp', kind)}`),
        'default_type application/octet-stream', 'access_log off', 'sendfile on',
        `keepalive_timeout ${options.keepaliveTimeout ?? '600s'}`, `keepalive_requests ${options.keepaliveRequests ?? 100000000}`,
      ];
      writeFileSync(
        join(dir, 'nginx.conf'),
        `# httpwire end-to-end benchmark: everything inside ${dir}
${main.map((d) => `${d};`).join('\n')}
events { worker_connections 256; }
http {
  ${http.map((d) => `${d};`).join('\n  ')}
  server {
    listen 127.0.0.1:${port};
    root www;
    location = /__ready { default_type text/plain; return 200 "${token}"; }
    location /chunked/ { alias www/; ssi on; ssi_types *; }
    location = /post { client_max_body_size 2m; client_body_buffer_size 2m; return 200 "ok"; }
    ${options.locations ?? ''}
  }
}
`,
      );
      const child = spawn(nginx, ['-p', `${dir}/`, '-c', join(dir, 'nginx.conf'), '-e', join(dir, 'logs', 'error.log')], {
        cwd: dir,
        stdio: 'ignore',
      });
      for (let i = 0; i < 100 && child.exitCode === null; i++) {
        try {
          if ((await fetchOnce(port, '/__ready')).endsWith(token)) {
            return {
              name: 'nginx',
              version,
              port,
              async stop() {
                await stopChild(child);
                rmSync(dir, { recursive: true, force: true });
              },
            };
          }
        } catch {
          // not listening yet
        }
        await sleep(50);
      }
      await stopChild(child);
    }
    let log = '';
    try {
      log = readFileSync(join(dir, 'logs', 'error.log'), 'latin1');
    } catch {}
    throw new Error(`nginx did not start (3 attempts):\n${log}`);
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}

/** bench/e2e/server.mjs in a child process. */
export async function startCanned() {
  const child = spawn(process.execPath, [new URL('./server.mjs', import.meta.url).pathname], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout });
  const first = await Promise.race([
    new Promise((r) => lines.once('line', r)),
    sleep(10_000).then(() => null),
  ]);
  if (!first) {
    await stopChild(child);
    throw new Error('the canned server did not start in 10 s');
  }
  const { port } = JSON.parse(first);
  if (!(await fetchOnce(port, '/100b')).startsWith('HTTP/1.1 200')) throw new Error('the canned server does not answer');
  return { name: 'canned', version: `node:net ${process.version}`, port, stop: () => stopChild(child) };
}
