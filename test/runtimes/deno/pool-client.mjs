// Run by test/runtimes/deno.test.ts in Deno: httpwire/pool (the deno export
// condition) over Deno.connect and Deno.connectTls to nginx: keep-alive
// reuse, a gzip body decoded by the web DecompressionStream (the portable
// decoders), TLS verified against the run's CA. Prints one JSON line.
import { PoolManager, decoders } from 'httpwire/pool';

const [httpPort, tlsPort, cafile] = [Number(Deno.args[0]), Number(Deno.args[1]), Deno.args[2]];
const out = {};
const http = new PoolManager({ ca_certs: cafile, timeout: 20 });

const a = await http.request('GET', `http://127.0.0.1:${httpPort}/small.txt`);
const b = await http.request('GET', `http://127.0.0.1:${httpPort}/small.txt`);
out.plain = { status: a.status, length: a.data.length, sameConnection: a.headers.get('x-connection') === b.headers.get('x-connection') };

const gz = await http.request('GET', `http://127.0.0.1:${httpPort}/gzip/lines.txt`, { headers: { 'Accept-Encoding': 'gzip' } });
out.gzip = { encoding: gz.headers.get('content-encoding'), lines: new TextDecoder().decode(gz.data).split('\n').length - 1 };
out.webDecoders = decoders.factory.name;

const t = await http.request('GET', `https://127.0.0.1:${tlsPort}/small.txt`);
out.tls = { status: t.status, length: t.data.length };
http.clear();
console.log(JSON.stringify(out));
