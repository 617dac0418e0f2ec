// Run by test/runtimes/deno.test.ts in Deno: HTTPSConnection over
// Deno.connectTls (the deno entry's default transport) to nginx, verified
// against the run's CA, and a chunked gzip body over plain HTTP. Prints
// one JSON line.
import { HTTPConnection, HTTPSConnection, create_default_context } from 'httpwire';

const [httpPort, tlsPort, wrongNamePort, cafile] = [Number(Deno.args[0]), Number(Deno.args[1]), Number(Deno.args[2]), Deno.args[3]];
const out = {};

const tls = new HTTPSConnection('127.0.0.1', tlsPort, { context: create_default_context({ cafile }), timeout: 20 });
await tls.request('GET', '/small.txt');
const a = await tls.getresponse();
out.tls = { status: a.status, length: (await a.read()).length, server: a.getheader('Server') };
tls.close();

const plain = new HTTPConnection('127.0.0.1', httpPort, { timeout: 20 });
await plain.request('GET', '/gzip/lines.txt', null, { 'Accept-Encoding': 'gzip' });
const b = await plain.getresponse();
const gz = await b.read();
const text = await new Response(new Blob([gz]).stream().pipeThrough(new DecompressionStream('gzip'))).text();
out.chunked = { status: b.status, chunked: b.chunked, encoding: b.getheader('Content-Encoding'), lines: text.split('\n').length - 1 };
plain.close();

const bad = new HTTPSConnection('127.0.0.1', tlsPort, { timeout: 20 });
out.untrusted = await bad.request('GET', '/').then(() => 'connected', (e) => `${e.constructor.name}: ${e.message}`);
const wrong = new HTTPSConnection('127.0.0.1', wrongNamePort, { context: create_default_context({ cafile }), timeout: 20 });
out.wrongName = await wrong.request('GET', '/').then(() => 'connected', (e) => `${e.constructor.name}: ${e.message}`);

console.log(JSON.stringify(out));
