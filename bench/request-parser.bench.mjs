// Request parser benchmark: httpwire's RequestReader (the proxy's side of the
// wire) against Node's native llhttp (require('_http_common').HTTPParser,
// REQUEST, used as lib/_http_server.js uses it) and http-parser-js, side by
// side in one process with tinybench.
//
//   npm run build && node --expose-gc bench/request-parser.bench.mjs [--rounds 15] [--time 30]
//     [--alt /tmp/main/dist/core/index.js]   another build of httpwire/core (a
//     build of main, say) as one more peer, "httpwire alt": an A/B in one run
//     [--corpora small,realistic] [--workloads a,b]   a subset
//
// Each peer keeps one parser per task (a keep-alive connection) and reads a
// batch of B requests (one socket read each, sized so a batch takes ~1 ms).
// Workloads: (a) lazy: method, target and the Host header as strings (what a
// proxy looks at to route); (b) every header name and value as a string.
// Node's parser and http-parser-js make every string in both (they cannot
// be lazy). A round runs every peer once, order rotated; per peer the
// median requests/s over rounds, and httpwire/peer as the median of the
// per-round ratios. Timing is reported, never asserted.
import { createRequire } from 'node:module';
import { cpus } from 'node:os';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Bench } from 'tinybench';
import { createWasmParser, RequestReader } from '../dist/core/index.js';

const require = createRequire(import.meta.url);
const { HTTPParser, methods } = require('_http_common');
const HPJ = require('http-parser-js').HTTPParser;

function option(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 || i + 1 >= process.argv.length ? fallback : Number(process.argv[i + 1]);
}
function textOption(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 || i + 1 >= process.argv.length ? fallback : process.argv[i + 1];
}
const ROUNDS = option('rounds', 15);
const TASK_MS = option('time', 30);
const ALT = textOption('alt', '');
const ONLY_CORPORA = textOption('corpora', 'small,realistic').split(',');
const WORKLOADS = textOption('workloads', 'a,b').split(',');

const enc = (s) => Buffer.from(s, 'latin1');
const CORPORA = {
  small: enc('GET /index.html HTTP/1.1\r\nHost: example.com\r\n\r\n'),
  realistic: enc(
    'GET http://www.example.com/search/results?q=httpwire+request+parser&page=2 HTTP/1.1\r\n' +
      'Host: www.example.com\r\n' +
      'User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:131.0) Gecko/20100101 Firefox/131.0\r\n' +
      'Accept: text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8\r\n' +
      'Accept-Language: en-US,en;q=0.5\r\n' +
      'Accept-Encoding: gzip, deflate, br, zstd\r\n' +
      'Referer: http://www.example.com/search?q=httpwire\r\n' +
      'Connection: keep-alive\r\n' +
      'Cookie: session=7f3a9c2e1b8d4f6a0e5c3b2a1d9f8e7c; theme=dark; consent=1; _ga=GA1.2.123456789.1700000000\r\n' +
      'Upgrade-Insecure-Requests: 1\r\n' +
      'Sec-Fetch-Dest: document\r\n' +
      'Sec-Fetch-Mode: navigate\r\n' +
      'Sec-Fetch-Site: same-origin\r\n' +
      'Priority: u=0, i\r\n' +
      'Pragma: no-cache\r\n' +
      'Cache-Control: no-cache\r\n\r\n',
  ),
};

let sink = 0;

function httpwirePeer(build, core = { createWasmParser, RequestReader }) {
  return (input, all) => {
    const reader = new core.RequestReader({ wasm: core.createWasmParser(build), strict: true });
    return () => {
      reader.feed(input);
      const ev = reader.next();
      if (ev.type !== 'head') throw new Error(`httpwire: ${ev.type}`);
      const h = ev.head;
      if (all) {
        const f = h.headers;
        for (let i = 0; i < f.length; i++) sink += f.name(i).length + f.value(i).length;
      } else {
        sink += h.method.length + h.target.length + (h.headers.get('host')?.length ?? 0);
      }
      if (reader.next().type !== 'end') throw new Error('httpwire: no end');
    };
  };
}

function nodePeer(input, all) {
  const parser = new HTTPParser();
  parser.initialize(HTTPParser.REQUEST, {}, 0, HTTPParser.kLenientNone);
  let done = false;
  parser[HTTPParser.kOnHeaders] = () => {};
  parser[HTTPParser.kOnHeadersComplete] = (major, minor, headers, method, url) => {
    // lib/_http_server.js reads these into IncomingMessage; the strings exist already.
    if (all) for (let i = 0; i < headers.length; i++) sink += headers[i].length;
    else sink += methods[method].length + url.length + headers.length;
  };
  parser[HTTPParser.kOnMessageComplete] = () => {
    done = true;
  };
  parser[HTTPParser.kOnBody] = () => {};
  return () => {
    done = false;
    const r = parser.execute(input);
    if (r instanceof Error || !done) throw new Error(`node: ${r}`);
  };
}

function hpjPeer(input, all) {
  const parser = new HPJ(HPJ.REQUEST);
  let done = false;
  parser[HPJ.kOnHeadersComplete] = (info) => {
    if (all) for (let i = 0; i < info.headers.length; i++) sink += info.headers[i].length;
    else sink += info.method.length + info.url.length + info.headers.length;
  };
  parser[HPJ.kOnMessageComplete] = () => {
    done = true;
  };
  parser[HPJ.kOnBody] = () => {};
  return () => {
    done = false;
    parser.execute(input);
    if (!done) throw new Error('http-parser-js: not done');
  };
}

const PEERS = [
  ['httpwire simd', httpwirePeer('simd')],
  ['httpwire scalar', httpwirePeer('scalar')],
  [`node ${process.versions.node} llhttp ${process.versions.llhttp} (native)`, nodePeer],
  ['http-parser-js', hpjPeer],
];
if (ALT) PEERS.push([`httpwire simd, alt ${ALT}`, httpwirePeer('simd', await import(pathToFileURL(resolve(ALT)).href))]);

function batchSize(run) {
  let n = 16;
  for (;;) {
    const t = performance.now();
    for (let i = 0; i < n; i++) run();
    if (performance.now() - t > 1 || n >= 20000) return n;
    n *= 2;
  }
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1];
};

console.log(`# Request parser benchmark\n\nNode ${process.version}, ${cpus()[0]?.model ?? '?'} x${cpus().length}; ${ROUNDS} rounds x ${TASK_MS} ms per peer; strict mode on for httpwire${ALT ? `; alt = ${ALT}` : ''}.\n`);
for (const [corpus, input] of Object.entries(CORPORA)) {
  if (!ONLY_CORPORA.includes(corpus)) continue;
  for (const all of [false, true]) {
    if (!WORKLOADS.includes(all ? 'b' : 'a')) continue;
    const runs = PEERS.map(([name, make]) => [name, make(input, all)]);
    const perPeer = runs.map(() => []);
    for (let round = 0; round < ROUNDS; round++) {
      const bench = new Bench({ time: TASK_MS, iterations: 10, warmupTime: 5 });
      const order = runs.map((_, i) => (i + round) % runs.length);
      const batches = [];
      for (const i of order) {
        const run = runs[i][1];
        const b = batchSize(run);
        batches[i] = b;
        bench.add(String(i), () => {
          for (let k = 0; k < b; k++) run();
        });
      }
      globalThis.gc?.();
      await bench.run();
      for (const task of bench.tasks) {
        const i = Number(task.name);
        const ms = task.result.latency?.p50 ?? task.result.period;
        perPeer[i].push(batches[i] / (ms / 1000));
      }
    }
    console.log(`## ${corpus} head (${input.length} bytes), ${all ? '(b) every header as strings' : '(a) lazy: method, target, Host'}\n`);
    console.log('| peer | requests/s (median) | httpwire simd / peer (median of per-round ratios) |\n|---|---:|---:|');
    for (let i = 0; i < runs.length; i++) {
      const ratios = perPeer[0].map((v, r) => v / perPeer[i][r]);
      console.log(`| ${runs[i][0]} | ${Math.round(median(perPeer[i])).toLocaleString('en-US')} | ${i === 0 ? '' : median(ratios).toFixed(2) + 'x'} |`);
    }
    console.log('');
  }
}
if (sink === 0.5) console.log(sink);
