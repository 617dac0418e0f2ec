// The request path without I/O: HTTPConnection.request() + getresponse() +
// read() over a fake transport that answers every request at once with a
// 2-byte body, so what shows is the client's own work (the state table,
// the request writer, the head's bytes) plus a small response. An A/B
// needs another build:
//
//   node bench/request.bench.mjs --alt /tmp/base/dist/index.js [--rounds 15] [--n 10000]
//
// Each round runs the builds in ABBA order; the ratio is the median of
// per-round ratios, this checkout over --alt (above 1: this one faster).
// Timing is only reported, never asserted.
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as here from '../dist/index.js';

function option(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0 || i + 1 >= process.argv.length) return fallback;
  return typeof fallback === 'number' ? Number(process.argv[i + 1]) : process.argv[i + 1];
}
const ALT = option('alt', '');
const ROUNDS = option('rounds', 15);
const N = option('n', 10000);
if (!ALT) {
  console.error('usage: node bench/request.bench.mjs --alt <other build>/dist/index.js [--rounds 15] [--n 10000]');
  process.exit(2);
}
const alt = await import(pathToFileURL(resolve(ALT)).href);

const OK = new TextEncoder().encode('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');
/** A transport that takes every write and answers every read with OK. */
function answering() {
  return {
    closed: false,
    peerClosed: false,
    async read() {
      return OK;
    },
    async write() {},
    async writev() {},
    close() {
      this.closed = true;
    },
    setTimeout() {},
  };
}

const BODY = new Uint8Array(1000);
const WORKLOADS = {
  'GET, no headers': (c) => c.request('GET', '/100b'),
  'POST 1,000 B, three headers': (c) =>
    c.request('POST', '/post', BODY, { 'Content-Type': 'application/octet-stream', 'X-Trace': 'abc', Accept: '*/*' }),
};

/** Nanoseconds per request for `n` requests on one connection. */
async function timed(lib, send) {
  const conn = new lib.HTTPConnection('127.0.0.1', 8080);
  conn.sock = answering();
  const start = process.hrtime.bigint();
  for (let i = 0; i < N; i++) {
    await send(conn);
    const r = await conn.getresponse();
    await r.read();
  }
  return Number(process.hrtime.bigint() - start) / N;
}

const median = (v) => [...v].sort((x, y) => x - y)[Math.floor((v.length - 1) / 2)];
for (const [title, send] of Object.entries(WORKLOADS)) {
  await timed(here, send);
  await timed(alt, send);
  const ratios = [];
  const mine = [];
  const theirs = [];
  for (let i = 0; i < ROUNDS; i++) {
    const a1 = await timed(here, send);
    const b1 = await timed(alt, send);
    const b2 = await timed(alt, send);
    const a2 = await timed(here, send);
    mine.push((a1 + a2) / 2);
    theirs.push((b1 + b2) / 2);
    ratios.push((b1 + b2) / (a1 + a2));
  }
  const sorted = [...ratios].sort((x, y) => x - y);
  const q = (p) => sorted[Math.round(p * (sorted.length - 1))].toFixed(2);
  console.log(
    `${title}: this ${median(mine).toFixed(0)} ns/request, alt ${median(theirs).toFixed(0)} ns/request; ` +
      `this/alt speed ${q(0.5)}x (quartiles ${q(0.25)}-${q(0.75)}), ${ROUNDS} rounds of ${N}`,
  );
}
