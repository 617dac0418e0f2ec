// Benchmark corpora: HTTP/1.1 responses generated deterministically (a
// seeded PRNG, fixed dates), no network, no files. Each corpus is one whole
// response; the harness feeds it to every parser as the same sequence of
// socket-sized reads (SEGMENT bytes at most, as libuv's 64 KiB reads).
import { Buffer } from 'node:buffer';

/** Largest piece handed to a parser in one call (one socket read). */
export const SEGMENT = 65536;

/** mulberry32: a tiny deterministic PRNG. */
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `n` printable ASCII body bytes (JSON-ish text), deterministic. */
function bodyBytes(n, seed) {
  const rnd = prng(seed);
  const alphabet = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 {}[]:,"';
  const out = Buffer.alloc(n);
  for (let i = 0; i < n; i++) out[i] = alphabet.charCodeAt(Math.floor(rnd() * alphabet.length));
  return out;
}

function head(statusLine, headers) {
  return Buffer.from(statusLine + '\r\n' + headers.map(([k, v]) => `${k}: ${v}\r\n`).join('') + '\r\n', 'latin1');
}

const DATE = 'Sun, 22 Nov 2026 05:00:00 GMT';

/** (1) A small 200 with a Content-Length body, ~370 bytes in all. */
function small() {
  const body = bodyBytes(66, 1);
  const h = head('HTTP/1.1 200 OK', [
    ['Date', DATE],
    ['Server', 'nginx/1.22.1'],
    ['Content-Type', 'application/json; charset=utf-8'],
    ['Content-Length', String(body.length)],
    ['Connection', 'keep-alive'],
    ['Cache-Control', 'no-cache, no-store, must-revalidate'],
    ['ETag', '"5f2b-1a2b3c4d5e6f7a8b"'],
    ['X-Request-Id', '7c0a3f5e-2b1d-4e8f-9a6c-3d2e1f0b9a87'],
  ]);
  return { head: h, body };
}

/** (2) A realistic CDN-style response: 25 headers, ~2 KB head, small body. */
function realistic() {
  const body = bodyBytes(512, 2);
  const h = head('HTTP/1.1 200 OK', [
    ['Date', DATE],
    ['Content-Type', 'text/html; charset=utf-8'],
    ['Content-Length', String(body.length)],
    ['Connection', 'keep-alive'],
    ['Server', 'cloudflare'],
    ['Cache-Control', 'public, max-age=0, s-maxage=300, stale-while-revalidate=60'],
    ['ETag', 'W/"6a1f-18c2b9f0e7a"'],
    ['Last-Modified', 'Sat, 21 Nov 2026 23:14:07 GMT'],
    ['Vary', 'Accept-Encoding, Cookie, Origin'],
    ['Age', '37'],
    ['Accept-Ranges', 'bytes'],
    ['Via', '1.1 varnish, 1.1 7f3a9c1d2e4b.cloudfront.net (CloudFront)'],
    ['X-Cache', 'Hit from cloudfront'],
    ['X-Amz-Cf-Pop', 'FRA56-P7'],
    ['X-Amz-Cf-Id', 'q7Yz2mK9wXbL4vT1nR8sP3dF6gH0jC5aE2uI9oQ7yW1xZ4kM8bN3=='],
    ['Strict-Transport-Security', 'max-age=63072000; includeSubDomains; preload'],
    [
      'Content-Security-Policy',
      "default-src 'self'; script-src 'self' 'unsafe-inline' https://cdn.example.com https://www.googletagmanager.com; " +
        "style-src 'self' 'unsafe-inline' https://fonts.googleapis.com; img-src 'self' data: https:; " +
        "font-src 'self' https://fonts.gstatic.com; connect-src 'self' https://api.example.com wss://ws.example.com; " +
        "frame-ancestors 'none'; base-uri 'self'; form-action 'self'",
    ],
    ['X-Frame-Options', 'DENY'],
    ['X-Content-Type-Options', 'nosniff'],
    ['Referrer-Policy', 'strict-origin-when-cross-origin'],
    ['Permissions-Policy', 'camera=(), microphone=(), geolocation=(), interest-cohort=()'],
    [
      'Set-Cookie',
      '__cf_bm=Zx8d7Ua2Lq9Vb3Nc6Mw1Ke4Rt0Yp5So.Ig2Hf7Ju1Gd-1795323600-1.0.1.1-AbCdEfGhIjKlMnOpQrStUvWxYz0123456789; ' +
        'path=/; expires=Sun, 22-Nov-26 05:30:00 GMT; domain=.example.com; HttpOnly; Secure; SameSite=None',
    ],
    [
      'Set-Cookie',
      'session=eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpM; ' +
        'Path=/; Max-Age=86400; HttpOnly; Secure; SameSite=Lax',
    ],
    [
      'Link',
      '</static/css/main.3f9a1c.css>; rel=preload; as=style, </static/js/runtime.8b2e4d.js>; rel=preload; as=script, ' +
        '</static/js/vendor.51c07e.js>; rel=preload; as=script, </static/img/hero.a4d2.webp>; rel=preload; as=image, ' +
        '<https://fonts.gstatic.com>; rel=preconnect; crossorigin',
    ],
    ['Alt-Svc', 'h3=":443"; ma=86400, h3-29=":443"; ma=86400, h3-Q050=":443"; ma=86400'],
  ]);
  return { head: h, body };
}

function chunkedHead() {
  return head('HTTP/1.1 200 OK', [
    ['Date', DATE],
    ['Server', 'nginx/1.22.1'],
    ['Content-Type', 'application/octet-stream'],
    ['Transfer-Encoding', 'chunked'],
    ['Connection', 'keep-alive'],
    ['Cache-Control', 'no-store'],
  ]);
}

/** Chunked framing of `data` with chunk sizes from `sizeOf(i)`. */
function chunked(data, sizeOf) {
  const parts = [];
  let count = 0;
  for (let at = 0; at < data.length; count++) {
    const n = Math.min(sizeOf(count), data.length - at);
    parts.push(Buffer.from(n.toString(16) + '\r\n', 'latin1'), data.subarray(at, at + n), Buffer.from('\r\n'));
    at += n;
  }
  parts.push(Buffer.from('0\r\n\r\n'));
  return { framed: Buffer.concat(parts), chunks: count };
}

/** (3) 64 KiB chunked in 4 KiB chunks. */
function chunked4k() {
  const data = bodyBytes(65536, 3);
  const { framed, chunks } = chunked(data, () => 4096);
  return { head: chunkedHead(), body: framed, bodyLength: data.length, chunks };
}

/** (4) 64 KiB chunked in chunks of 1-16 bytes. */
function chunkedTiny() {
  const data = bodyBytes(65536, 4);
  const rnd = prng(44);
  const { framed, chunks } = chunked(data, () => 1 + Math.floor(rnd() * 16));
  return { head: chunkedHead(), body: framed, bodyLength: data.length, chunks };
}

/** Splits `bytes` into socket-sized reads (Buffers sharing `bytes`' memory). */
function segments(bytes) {
  const out = [];
  for (let at = 0; at < bytes.length; at += SEGMENT) out.push(bytes.subarray(at, Math.min(at + SEGMENT, bytes.length)));
  return out;
}

function make(key, title, { head: h, body, bodyLength, chunks }) {
  const bytes = Buffer.concat([h, body]);
  // Header count as written (every line between the status line and the blank line).
  const headerCount = h.toString('latin1').split('\r\n').length - 3;
  return {
    key,
    title,
    bytes,
    segments: segments(bytes),
    headLength: h.length,
    status: 200,
    headerCount,
    bodyLength: bodyLength ?? body.length,
    chunks: chunks ?? 0,
  };
}

/** The four corpora, in report order. */
export function corpora() {
  return [
    make('small', 'small 200', small()),
    make('realistic', 'realistic (25 headers)', realistic()),
    make('chunked4k', '64 KiB chunked, 4 KiB chunks', chunked4k()),
    make('chunkedTiny', '64 KiB chunked, 1-16 B chunks', chunkedTiny()),
  ];
}

/** The three headers workload (a) reads, besides the status. */
export const NAMED = ['content-type', 'content-length', 'date'];
