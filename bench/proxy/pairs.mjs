// Paired A/B of proxy builds by CPU time, for a machine too noisy for req/s:
// each build's proxy (proxy-server.mjs) in its own process, runs
// interleaved in pairs (order alternating), one client loop as in run.mjs;
// per run the proxy process's user and system CPU per request from
// /proc/PID/stat (Linux; 10 ms ticks: runs of 2 s or more), and at the end
// the medians and the median of the per-pair ratios to the first build.
//
//   node bench/proxy/pairs.mjs CONNS MS PAIRS DIST_A DIST_B [...]   (a DIST may be `node-undici`)
//   e.g. node bench/proxy/pairs.mjs 50 2000 10 dist /work/base/dist
import { spawn } from 'node:child_process';
import * as net from 'node:net';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { resolve } from 'node:path';
import { startNginx, stopChild } from '../e2e/servers.mjs';
const [conns, ms, pairs, ...dists] = [Number(process.argv[2]), Number(process.argv[3]), Number(process.argv[4]), ...process.argv.slice(5).map((d) => (d === 'node-undici' ? d : resolve(d)))];
const nginx = await startNginx();
const request = Buffer.from(`GET http://127.0.0.1:${nginx.port}/100b HTTP/1.1\r\nHost: 127.0.0.1:${nginx.port}\r\nUser-Agent: bench\r\nAccept: */*\r\n\r\n`, 'latin1');
const stat = (pid) => { const s = readFileSync(`/proc/${pid}/stat`, 'utf8'); const f = s.slice(s.lastIndexOf(')') + 2).split(' '); return { u: Number(f[11]) * 10000, s: Number(f[12]) * 10000 }; };
async function run(dist) {
  const child = spawn(process.execPath, [new URL('./proxy-server.mjs', import.meta.url).pathname, ...(dist === 'node-undici' ? ['node-undici'] : ['httpwire', dist])], { stdio: ['pipe', 'pipe', 'inherit'] });
  const port = Number((await new Promise((r) => createInterface({ input: child.stdout }).once('line', r))).split(' ')[1]);
  let done = 0;
  const load = (until, max = Infinity) => Promise.all(Array.from({ length: conns }, () => new Promise((res, rej) => {
    const s = net.connect({ port, host: '127.0.0.1', noDelay: true }); let buf = '';
    const send = () => (performance.now() > until || done >= max ? (s.destroy(), res()) : s.write(request));
    s.on('connect', send);
    s.on('data', (d) => { buf += d.toString('latin1'); const end = buf.indexOf('\r\n\r\n'); if (end < 0) return; const m = /\r\ncontent-length: *([0-9]+)/i.exec(buf.slice(0, end)); if (buf.length < end + 4 + Number(m[1])) return; buf = ''; done++; send(); });
    s.on('error', rej);
  })));
  await load(performance.now() + 10000, 3000);
  done = 0;
  const a = stat(child.pid); const t0 = performance.now();
  await load(performance.now() + ms);
  const b = stat(child.pid); const secs = (performance.now() - t0) / 1000;
  child.stdin.end(); await stopChild(child);
  return { rps: done / secs, user: (b.u - a.u) / done, sys: (b.s - a.s) / done };
}
const res = dists.map(() => []);
for (let p = 0; p < pairs; p++) {
  const order = p % 2 ? [...dists.keys()].reverse() : [...dists.keys()];
  for (const i of order) { const r = await run(dists[i]); res[i].push(r); console.error(`pair ${p + 1} ${dists[i]}: ${Math.round(r.rps)} req/s, user ${r.user.toFixed(1)} sys ${r.sys.toFixed(1)} µs/req`); }
}
const med = (a) => { const s = [...a].sort((x, y) => x - y); return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2; };
for (let i = 0; i < dists.length; i++) console.log(`${dists[i]}: median ${Math.round(med(res[i].map((r) => r.rps)))} req/s, user ${med(res[i].map((r) => r.user)).toFixed(1)}, sys ${med(res[i].map((r) => r.sys)).toFixed(1)} µs/req; ratio vs first (per-pair median) req/s ${med(res[i].map((r, p) => r.rps / res[0][p].rps)).toFixed(2)} user ${med(res[i].map((r, p) => r.user / res[0][p].user)).toFixed(2)}`);
await nginx.stop();
