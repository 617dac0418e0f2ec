// A scraper's loop, run as its own process by scraper.test.ts: `total` GETs
// over `workers` HTTPConnections (one each, never closed), each worker
// pausing longer than the server's keepalive_timeout every `pauseEvery`
// requests. Bounded in count and in time (`deadline` seconds). Without
// --retry there is no retry code at all: any error counts as a failure.
// With --retry (the proxy run), a request that lost the in-flight race (the
// peer closed the reused connection while the request was in flight:
// response_bytes 0 or a write that failed) is retried and counted.
// Prints one JSON line; never calls close(), so the process must exit on
// its own. Usage: node scraper.mjs <lib> <host> <port> <url> [--retry] [--total N] ...
const [lib, host, portText, url, ...rest] = process.argv.slice(2);
const opt = { total: 2000, workers: 8, pauseEvery: 50, pauseMs: 1300, deadline: 120, retry: false };
for (let i = 0; i < rest.length; i++) {
  const key = rest[i].replace(/^--/, '');
  if (key === 'retry') opt.retry = true;
  else opt[key] = Number(rest[++i]);
}
const { HTTPConnection } = await import(lib);
const port = Number(portText);
const started = Date.now();
const out = { ok: 0, failed: 0, races: 0, errors: {}, bytes: 0, ms: 0 };
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const perWorker = Math.ceil(opt.total / opt.workers);

async function worker(w) {
  const conn = new HTTPConnection(host, port, { timeout: 10 });
  for (let i = 0; i < perWorker && w * perWorker + i < opt.total; i++) {
    if (Date.now() - started > opt.deadline * 1000) break;
    if (i > 0 && i % opt.pauseEvery === 0) await sleep(opt.pauseMs);
    for (let attempt = 0; ; attempt++) {
      try {
        await conn.request('GET', url);
        const res = await conn.getresponse();
        const body = await res.read();
        if (res.status !== 200) throw new Error(`status ${res.status}`);
        out.bytes += body.length;
        out.ok++;
        break;
      } catch (e) {
        const race = e.response_bytes === 0 || e.phase === 'write';
        if (opt.retry && race && attempt < 3) {
          out.races++;
          continue;
        }
        out.failed++;
        const key = `${e.name}: ${e.message} (phase ${e.phase ?? '-'})`;
        out.errors[key] = (out.errors[key] ?? 0) + 1;
        break;
      }
    }
  }
}

await Promise.all(Array.from({ length: opt.workers }, (_, w) => worker(w)));
out.ms = Date.now() - started;
console.log(JSON.stringify(out));
// No close(): the connections stay open, and the process must still exit.
