// What the end-to-end benchmark asks of every client, on every server.
// Shared by the runner, the Node client processes and (through the runner's
// JSON commands) the Python client.

/** Every body byte the servers send and the POST body is this byte ('a'). */
export const BODY_BYTE = 0x61;

/**
 * `read`: how the response body is consumed. 'whole': read into one buffer
 * (httpwire `read()`, undici `body.arrayBuffer()`, node:http chunks joined,
 * CPython `read()`); 'stream': read piece by piece into nothing kept
 * (httpwire and CPython `readinto` a reused 64 KiB buffer, undici
 * `for await` over the body, node:http 'data' events).
 * `ms`: time per client and round; `min`: requests per client and round,
 * whatever the time.
 */
export const WORKLOADS = [
  { key: 'seq', title: '1 connection, sequential GETs, 100 B body', method: 'GET', path: '/100b', conns: 1, read: 'whole', ms: 200, min: 20 },
  { key: 'conc10', title: '10 connections, concurrent GETs, 100 B body', method: 'GET', path: '/100b', conns: 10, read: 'whole', ms: 200, min: 20 },
  { key: 'chunked', title: '64 KiB chunked body', method: 'GET', path: '/chunked/64k', conns: 1, read: 'whole', ms: 200, min: 10 },
  { key: 'cl16m', title: '16 MiB Content-Length body', method: 'GET', path: '/16m', conns: 1, read: 'stream', ms: 500, min: 3 },
  { key: 'post1m', title: 'POST with a 1 MiB body', method: 'POST', path: '/post', bodySize: 1 << 20, conns: 1, read: 'whole', ms: 200, min: 5 },
];

/** Piece size for 'stream' reads (and the memory test's readinto). */
export const PIECE = 64 * 1024;

/** The p-th percentile (0..100) of `xs` (nearest rank); NaN when empty. */
export function percentile(xs, p) {
  if (xs.length === 0) return NaN;
  const s = Float64Array.from(xs).sort();
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
}

export const median = (xs) => percentile(xs, 50);
