// Run by test/runtimes/deno.test.ts in Deno: connections as issue 10 wants
// them, over Deno.connect. Args: a server that closes each connection 20 ms
// after its first response (keep-alive advertised), a server that never
// closes, and a server that ends every TLS handshake with a clean FIN.
// Prints one JSON line, then leaves a connection open without close(): the
// test fails if Deno does not exit on its own.
import { HTTPConnection, HTTPSConnection } from 'httpwire';

const [closingPort, keptPort, tlsFinPort] = Deno.args.map(Number);
const out = {};

// A kept-alive connection the server closed while idle: seen, and replaced.
const conn = new HTTPConnection('127.0.0.1', closingPort, { timeout: 10 });
await conn.request('GET', '/first');
const first = await conn.getresponse();
await first.read();
const before = conn.sock;
const deadline = Date.now() + 5000;
while (conn.is_connected && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
out.sawClose = !conn.is_connected;
await conn.request('GET', '/second');
const second = await conn.getresponse();
out.second = [second.status, new TextDecoder().decode(await second.read()), conn.sock !== before];
conn.close();

// A clean FIN during the TLS handshake.
try {
  await new HTTPSConnection('127.0.0.1', tlsFinPort, { timeout: 10 }).connect();
  out.tlsFin = null;
} catch (e) {
  out.tlsFin = { name: e.name, message: e.message, phase: e.phase, isSSLError: e instanceof (await import('httpwire')).SSLError };
}

// Left open: Deno must still exit.
const kept = new HTTPConnection('127.0.0.1', keptPort, { timeout: 10 });
await kept.request('GET', '/kept');
const res = await kept.getresponse();
out.kept = [res.status, new TextDecoder().decode(await res.read()), kept.is_connected];
console.log(JSON.stringify(out));
