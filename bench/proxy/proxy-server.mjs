// One proxy under test, in its own process (so its CPU time is its own):
//   node bench/proxy/proxy-server.mjs httpwire [DIST] | node-undici
// (DIST: the dist/ directory of the httpwire build to run; default this checkout's.)
// Prints `port N`; on the stdin line `cpu` prints `cpu <user+system µs>`.
import { once } from 'node:events';
import http from 'node:http';
import { createInterface } from 'node:readline';
import { Agent, request } from 'undici';
import { pathToFileURL } from 'node:url';

const kind = process.argv[2];
let server;
if (kind === 'httpwire') {
  const dist = process.argv[3] ? pathToFileURL(`${process.argv[3]}/`).href : new URL('../../dist/', import.meta.url).href;
  const { createProxy } = await import(new URL('proxy/index.js', dist).href);
  server = createProxy({ strict: true, maxIdlePerOrigin: 64 }).server;
} else if (kind === 'node-undici') {
  // The same job with Node's own parts: node:http reads the client's
  // request, undici sends it on (keep-alive pool), the body is streamed back.
  const HOP = new Set(['connection', 'proxy-connection', 'keep-alive', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'proxy-authorization', 'proxy-authenticate']);
  const agent = new Agent({ keepAliveTimeout: 60_000, connections: 64 });
  const endToEnd = (headers) => {
    const listed = new Set(String(headers.connection ?? '').split(',').map((t) => t.trim().toLowerCase()).filter(Boolean));
    const out = {};
    for (const [k, v] of Object.entries(headers)) if (!HOP.has(k) && !listed.has(k)) out[k] = v;
    out.via = headers.via ? `${headers.via}, 1.1 node-undici` : '1.1 node-undici';
    return out;
  };
  server = http.createServer(async (req, res) => {
    try {
      const bodyless = req.method === 'GET' || req.method === 'HEAD';
      const r = await request(req.url, { method: req.method, headers: endToEnd(req.headers), body: bodyless ? null : req, dispatcher: agent });
      res.writeHead(r.statusCode, endToEnd(r.headers));
      for await (const chunk of r.body) if (!res.write(chunk)) await once(res, 'drain');
      res.end();
    } catch {
      if (!res.headersSent) res.writeHead(502).end();
      else res.destroy();
    }
  });
  server.keepAliveTimeout = 60_000;
} else {
  throw new Error(`unknown proxy kind ${kind}`);
}
server.listen(0, '127.0.0.1', () => console.log(`port ${server.address().port}`));
createInterface({ input: process.stdin }).on('line', (line) => {
  if (line === 'cpu') {
    const u = process.cpuUsage();
    console.log(`cpu ${u.user + u.system}`);
  }
});
process.stdin.on('end', () => process.exit(0));
// A normal exit on SIGTERM (the runner's stop), so that --cpu-prof writes its profile.
process.on('SIGTERM', () => process.exit(0));
