// The client's own CPU per request on the pool bench's hot path, without a
// socket or nginx: HTTPConnection.request + getresponse + read() of the pool
// bench's 30 body sizes (1-100 KB) over one kept-alive in-memory transport
// that reuses one 64 KiB read buffer, as the Node TCP transport does.
// Every build is imported into one process and rounds are interleaved, so
// the machine's phases fall on all of them: the per-round CPU ratio to the
// last build listed is the number to read. Timing is only reported.
//
//   node bench/pool/client-path-ab.mjs new=dist/index.js base=/tmp/base/dist/index.js [--chunked]
//
// --chunked: every response is a 64 KiB chunked body in 4 KiB chunks instead.
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const CHUNKED = process.argv.includes('--chunked');
const builds = process.argv.slice(2).filter((a) => !a.startsWith('--')).map((a) => {
  const [label, dist] = a.split('=');
  return { label, dist: pathToFileURL(resolve(dist)).href, xs: [], run: null };
});
if (builds.length < 2) throw new Error('usage: client-path-ab.mjs label=dist/index.js ... base=other/dist/index.js');
const ROUNDS = 15;
const PER_ROUND = 5000;

const sizes = [];
for (let i = 0; i < 30; i++) sizes.push(1024 + Math.floor((i * 99 * 1024) / 29));
const latin1 = (s) => Uint8Array.from(s, (ch) => ch.charCodeAt(0));
const responses = sizes.map((n) => {
  if (CHUNKED) return latin1(`HTTP/1.1 200 OK\r\nServer: nginx\r\nTransfer-Encoding: chunked\r\n\r\n${`1000\r\n${'x'.repeat(4096)}\r\n`.repeat(16)}0\r\n\r\n`);
  const head = latin1(`HTTP/1.1 200 OK\r\nServer: nginx\r\nContent-Type: application/octet-stream\r\nContent-Length: ${n}\r\nConnection: keep-alive\r\n\r\n`);
  const out = new Uint8Array(head.length + n);
  out.set(head);
  for (let i = head.length; i < out.length; i++) out[i] = i * 7;
  return out;
});
const bodyLength = (i) => (CHUNKED ? 65536 : sizes[i]);
const readMemory = new Uint8Array(65536);

for (const b of builds) {
  const { HTTPConnection, MemoryTransport } = await import(b.dist);
  /** Answers each request with the response for its path (/s/N.bin), read into `readMemory` 64 KiB at a time. */
  class Server extends MemoryTransport {
    reusesChunks = true;
    pending = null;
    at = 0;
    constructor() {
      super('');
    }
    async write(data) {
      let dot = 4;
      while (data[dot] !== 0x2e) dot++;
      let start = dot;
      while (data[start - 1] !== 0x2f) start--;
      this.pending = responses[Number(String.fromCharCode(...data.subarray(start, dot)))];
      this.at = 0;
    }
    async read() {
      const p = this.pending;
      if (p === null || this.at >= p.length) return null;
      const n = Math.min(readMemory.length, p.length - this.at);
      readMemory.set(p.subarray(this.at, this.at + n));
      this.at += n;
      return readMemory.subarray(0, n);
    }
  }
  const conn = new HTTPConnection('127.0.0.1', 8080);
  conn.sock = new Server();
  b.run = async (count) => {
    const t0 = process.cpuUsage();
    for (let k = 0; k < count; k++) {
      const i = k % 30;
      await conn.request('GET', `/s/${i}.bin`, null, { 'User-Agent': 'python-urllib3/2 (httpwire)' });
      const body = await (await conn.getresponse()).read();
      if (body.length !== bodyLength(i)) throw new Error(`${b.label}: body of ${body.length} bytes, expected ${bodyLength(i)}`);
    }
    const u = process.cpuUsage(t0);
    return (u.user + u.system) / count;
  };
}
for (const b of builds) await b.run(20_000); // warm-up
for (let r = 0; r < ROUNDS; r++) {
  for (let k = 0; k < builds.length; k++) {
    const b = builds[(k + r) % builds.length];
    b.xs.push(await b.run(PER_ROUND));
  }
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const base = builds[builds.length - 1];
for (const b of builds) {
  const ratio = b === base ? '' : `, per-round CPU ratio to ${base.label} ${median(b.xs.map((x, i) => x / base.xs[i])).toFixed(3)}`;
  console.log(`${b.label}: ${median(b.xs).toFixed(2)} µs CPU/request (median of ${ROUNDS} rounds of ${PER_ROUND})${ratio}`);
}
