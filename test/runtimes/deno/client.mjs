// Run by test/runtimes/deno.test.ts in Deno: `httpwire` resolves through
// the package's `deno` export condition (dist/deno.js), whose default
// transport is Deno.connect; then a read timeout against a silent server.
// Prints one JSON line of what it saw.
import { HTTPConnection, denoTransportFactory, toReadableStream } from 'httpwire';

const port = Number(Deno.args[0]);
const out = { runtime: `Deno ${Deno.version.deno}`, hasDenoFactory: typeof denoTransportFactory === 'function', responses: [] };
const conn = new HTTPConnection('127.0.0.1', port, { timeout: 20 });
for (const path of ['/small.txt', '/missing.txt']) {
  await conn.request('GET', path);
  const res = await conn.getresponse();
  const chunks = [];
  for await (const chunk of toReadableStream(res, { chunkSize: 256 })) chunks.push(chunk);
  const body = new Uint8Array(await new Blob(chunks).arrayBuffer());
  out.responses.push({
    path,
    status: res.status,
    reason: res.reason,
    version: res.version,
    headers: res.getheaders(),
    chunkSizes: chunks.map((c) => c.length),
    body: new TextDecoder().decode(body),
    peer: conn.sock?.peer ?? null,
  });
}
conn.close();

// A server that accepts and never answers: the read times out after 0.2 s.
const silent = new HTTPConnection('127.0.0.1', Number(Deno.args[1]), { timeout: 0.2 });
await silent.request('GET', '/');
out.silent = await silent.getresponse().then(() => 'answered', (e) => `${e.constructor.name}: ${e.message}`);
silent.close();
console.log(JSON.stringify(out));
