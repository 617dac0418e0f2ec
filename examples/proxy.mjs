#!/usr/bin/env node
// A forward HTTP proxy built on httpwire/proxy (run `npm run build` first):
//
//   node examples/proxy.mjs [--port 8080] [--host 127.0.0.1] [--no-strict] [--timeout 30]
//   curl -x http://127.0.0.1:8080 http://example.internal/        # plain: forwarded
//   curl -x http://127.0.0.1:8080 https://example.internal/       # CONNECT tunnel
//
// Requests are read with httpwire's WASM request parser (strict mode on:
// smuggling forms get 400), sent on through httpwire's pool (strict: a
// response that splits gets 502), streamed back with backpressure both
// ways; WebSocket and other upgrades become tunnels after the origin's 101. Prints `listening on HOST:PORT`, then one line per 100 requests;
// SIGINT/SIGTERM close it.
import { createProxy } from '../dist/proxy/index.js';

const args = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && i + 1 < args.length ? args[i + 1] : fallback;
};
const host = opt('host', '127.0.0.1');
const port = Number(opt('port', '8080'));
const proxy = createProxy({ strict: !args.includes('--no-strict'), timeout: Number(opt('timeout', '30')) });

proxy.server.listen(port, host, () => {
  const a = proxy.server.address();
  console.log(`listening on ${a.address}:${a.port}`);
});
const stop = () => proxy.close().then(() => process.exit(0));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
