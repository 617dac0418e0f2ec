// Live memory of httpwire's pool over a long run: `node --expose-gc bench/pool/memory.mjs [requests]`.
// A node:http server in a child process answers GETs with 40 bodies of
// 1-99 KB; a PoolManager (8 connections, block) reads each whole. Every
// 10,000 requests: gc(), then heapUsed, arrayBuffers and RSS. Flat heapUsed
// and arrayBuffers mean nothing is held per request; RSS is what the
// allocator keeps. Bounded: `requests` (default 60,000) and 5 minutes.
import { spawn } from 'node:child_process';
import http from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

if (process.argv[2] === '--server') {
  const bodies = Array.from({ length: 40 }, (_, i) => Buffer.alloc(1000 + i * 2500, 97));
  http
    .createServer({ keepAliveTimeout: 1000 }, (req, res) => {
      const b = bodies[Number(req.url.slice(1)) % 40];
      res.writeHead(200, { 'Content-Length': b.length });
      res.end(b);
    })
    .listen(0, '127.0.0.1', function () {
      console.log(this.address().port);
    });
} else {
  if (typeof gc !== 'function') throw new Error('run with node --expose-gc');
  const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
  const { PoolManager } = await import(join(ROOT, 'dist', 'pool', 'node.js'));
  const N = Number(process.argv[2] ?? 60000);
  const deadline = Date.now() + 5 * 60_000;
  const srv = spawn(process.execPath, [fileURLToPath(import.meta.url), '--server']);
  const port = await new Promise((r) => srv.stdout.once('data', (d) => r(Number(String(d)))));
  const pm = new PoolManager({ maxsize: 8, block: true });
  const mb = (x) => (x / 1048576).toFixed(1);
  let n = 0;
  const worker = async () => {
    while (n < N && Date.now() < deadline) {
      const i = n++;
      const r = await pm.request('GET', `http://127.0.0.1:${port}/${i}`);
      if (r.status !== 200) throw new Error(`status ${r.status}`);
      if (i % 10000 === 9999) {
        gc();
        const m = process.memoryUsage();
        console.log(`${i + 1} requests: heapUsed ${mb(m.heapUsed)} MiB, arrayBuffers ${mb(m.arrayBuffers)} MiB, rss ${mb(m.rss)} MiB`);
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: 8 }, worker));
  } finally {
    srv.kill();
  }
}
