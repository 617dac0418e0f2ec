// Syscalls per request of a proxy: the proxy process (httpwire from this
// tree's dist, or from --alt DIST) under `strace -c -f`, N requests
// (default 20,000) of GET /100b through it to nginx over 50 keep-alive
// client connections (--conns N), or the node:http + undici proxy with
// --node-undici; strace's summary table printed. Linux with strace only.
//
//   node bench/proxy/syscalls.mjs [--alt /path/to/dist | --node-undici] [--requests 20000] [--conns 50]
import { spawn } from 'node:child_process';
import * as net from 'node:net';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { startNginx, stopChild } from '../e2e/servers.mjs';

const at = (name) => process.argv.indexOf(`--${name}`);
const kind = process.argv.includes('--node-undici') ? ['node-undici'] : ['httpwire', ...(at('alt') < 0 ? [] : [resolve(process.argv[at('alt') + 1])])];
const REQUESTS = at('requests') < 0 ? 20_000 : Number(process.argv[at('requests') + 1]);
const CONNS = at('conns') < 0 ? 50 : Number(process.argv[at('conns') + 1]);

const nginx = await startNginx();
const child = spawn('strace', ['-c', '-f', '-o', '/dev/stderr', process.execPath, new URL('./proxy-server.mjs', import.meta.url).pathname, ...kind], {
  stdio: ['pipe', 'pipe', 'inherit'],
});
try {
  const line = await new Promise((r) => createInterface({ input: child.stdout }).once('line', r));
  const port = Number(line.split(' ')[1]);
  const request = Buffer.from(`GET http://127.0.0.1:${nginx.port}/100b HTTP/1.1\r\nHost: 127.0.0.1:${nginx.port}\r\nUser-Agent: bench\r\nAccept: */*\r\n\r\n`, 'latin1');
  let done = 0;
  const deadline = Date.now() + 120_000;
  // One request in flight per connection, bounded in count and time.
  await Promise.all(
    Array.from({ length: CONNS }, () => new Promise((res, rej) => {
      const s = net.connect({ port, host: '127.0.0.1', noDelay: true });
      let buf = '';
      const send = () => (done >= REQUESTS || Date.now() > deadline ? (s.destroy(), res()) : s.write(request));
      s.on('connect', send);
      s.on('data', (d) => {
        buf += d.toString('latin1');
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) return;
        const m = /\r\ncontent-length: *([0-9]+)/i.exec(buf.slice(0, end));
        if (!m) return rej(new Error(buf.slice(0, 200)));
        if (buf.length < end + 4 + Number(m[1])) return;
        buf = '';
        done++;
        send();
      });
      s.on('error', rej);
    })),
  );
  console.log(`requests ${done}`);
} finally {
  child.stdin.end();
  await new Promise((r) => child.once('exit', r));
  await stopChild(child);
  await nginx.stop();
}
