// The cost fix 2 adds to every reused request: one whenPeerKnown() call on a
// settled Node transport (it returns null). 20,000,000 calls, bounded.
// Usage: node bench/connections/when-peer-known.mjs dist/index.js
import net from 'node:net';
const lib = new URL(process.argv[2], `file://${process.cwd()}/`).href;
const { nodeTransportFactory } = await import(lib);
const srv = net.createServer((s) => s.on('error', () => {}));
await new Promise((r) => srv.listen(0, '127.0.0.1', r));
const t = await nodeTransportFactory({ host: '127.0.0.1', port: srv.address().port });
let n = 0;
const N = 20_000_000;
const t0 = process.hrtime.bigint();
for (let i = 0; i < N; i++) if (t.whenPeerKnown?.() === null) n++;
const ns = Number(process.hrtime.bigint() - t0) / N;
console.log(`whenPeerKnown() on a settled transport: ${ns.toFixed(2)} ns per call (${n === N ? 'null every time' : 'NOT null'})`);
t.close(); srv.close();
