// Same-run A/B of the keep-alive request path: N sequential GETs (small
// responses, one connection, an in-process server on 127.0.0.1) per round,
// base and head dist builds alternating, so the machine's drift hits both.
// Usage: node bench/connections/keepalive-ab.mjs BASE/dist/index.js HEAD/dist/index.js [rounds] [n]
// Prints the median of per-round time ratios head/base (below 1: head faster).
import net from 'node:net';

const [baseUrl, headUrl] = process.argv.slice(2, 4).map((p) => new URL(p, `file://${process.cwd()}/`).href);
const ROUNDS = Math.min(+(process.argv[4] ?? 11), 51);
const N = Math.min(+(process.argv[5] ?? 3000), 20000);
const DEADLINE = Date.now() + 240_000; // bounded in time as well as count

const RESPONSE = 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok';
const server = net.createServer((s) => {
  let pending = '';
  s.on('data', (d) => {
    pending += d.toString('latin1');
    let at;
    while ((at = pending.indexOf('\r\n\r\n')) >= 0) {
      pending = pending.slice(at + 4);
      s.write(RESPONSE);
    }
  });
  s.on('error', () => {});
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const port = server.address().port;
const libs = { base: await import(baseUrl), head: await import(headUrl) };

async function round(lib) {
  const conn = new lib.HTTPConnection('127.0.0.1', port);
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < N; i++) {
    await conn.request('GET', '/');
    const r = await conn.getresponse();
    await r.read();
  }
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  conn.close();
  return ms;
}

await round(libs.base);
await round(libs.head);
const ratios = [];
for (let i = 0; i < ROUNDS && Date.now() < DEADLINE; i++) {
  const first = i % 2 ? 'head' : 'base';
  const t = {};
  t[first] = await round(libs[first]);
  const second = first === 'base' ? 'head' : 'base';
  t[second] = await round(libs[second]);
  ratios.push(t.head / t.base);
  console.log(`round ${i}: base ${t.base.toFixed(0)} ms, head ${t.head.toFixed(0)} ms, head/base ${(t.head / t.base).toFixed(3)}`);
}
ratios.sort((a, b) => a - b);
const q = (p) => ratios[Math.min(ratios.length - 1, Math.floor(p * ratios.length))];
console.log(`median head/base ${q(0.5).toFixed(3)} (quartiles ${q(0.25).toFixed(3)}–${q(0.75).toFixed(3)}), ${ratios.length} rounds of ${N} GETs`);
server.close();
