// Generated request streams for the CPython differential and the fuzzer:
// what one client sends on one connection (1-3 requests, sometimes cut
// short), mostly well-formed, with the request-line, header and framing
// variants where parsers differ (versions, separators, folds, CL/TE forms,
// chunk-size forms). Latin-1 text; no node:* imports.
import type { Rng } from './generate.js';

export interface GeneratedRequests {
  /** The bytes as a Latin-1 string. */
  text: string;
  /** The server's protocol_version to read them with. */
  protocol: 'HTTP/1.0' | 'HTTP/1.1';
  kind: string;
}

const METHODS = ['GET', 'GET', 'GET', 'POST', 'POST', 'PUT', 'HEAD', 'DELETE', 'OPTIONS', 'CONNECT', 'TRACE', 'get', 'PATCH', 'M-SEARCH', 'G\xe9T', 'X'];
const TARGETS = ['/', '/a/b?c=d', '/%20x', 'http://example.com/x', 'http://example.com:8080', 'example.com:443', '*', '//evil/x', '///y', '/caf\xe9', '/a\0b', '/' + 'p'.repeat(40)];
const VERSIONS = ['HTTP/1.1', 'HTTP/1.1', 'HTTP/1.1', 'HTTP/1.0', 'HTTP/1.0', 'HTTP/0.9', 'HTTP/2.0', 'HTTP/1.10', 'HTTP/01.1', 'HTTP/1.2', 'http/1.1', 'HTTP/1', 'HTTP/1.1.1', 'HTTP/1.x', 'HTTP/3.0', 'HTTP/1.\xb2', 'HTTP/00000000001.1', 'HTTP/1.00000000000', 'x'];
const SEPARATORS = [' ', ' ', ' ', ' ', '  ', '\t', '\x0b', '\x85', '\xa0', ' \t '];
const EOLS = ['\r\n', '\r\n', '\r\n', '\r\n', '\n', '\r\r\n'];
const NAMES = ['Host', 'Accept', 'User-Agent', 'X-Test', 'Cookie', 'Expect', 'Connection', 'Content-Length', 'Transfer-Encoding', 'host', 'CONTENT-LENGTH', 'transfer-encoding'];
const VALUES: Record<string, string[]> = {
  host: ['example.com', 'a:80', '', 'x y'],
  expect: ['100-continue', '100-Continue', '100-continue ', 'x'],
  connection: ['close', 'keep-alive', 'Close', 'close ', 'keep-alive, close', 'upgrade', 'KEEP-ALIVE'],
  'content-length': ['0', '3', '5', '12', '-1', '+4', '1_0', '3, 3', ' 7 ', 'x', '99999999999999999999', '-0'],
  'transfer-encoding': ['chunked', 'chunked', 'CHUNKED', 'chunked ', 'gzip, chunked', 'chunked, gzip', 'xchunked', 'identity', '\tchunked'],
};
const OTHER_VALUES = ['text/html', '*/*', 'a=b; c=d', '', 'caf\xe9', 'a\rb', 'x\0y', '  spaced  ', 'v'.repeat(30)];

function headerLine(rng: Rng, eol: string): string {
  if (rng.chance(0.04)) return rng.pick(['no colon here', ': empty name', 'From someone', ' folded continuation', '\tfolded']) + eol;
  const name = rng.pick(NAMES);
  const values = VALUES[name.toLowerCase()] ?? OTHER_VALUES;
  const sep = rng.chance(0.05) ? rng.pick([' :', '\t:', ' : ']) : ':';
  const ows = rng.pick([' ', ' ', ' ', '', '\t', '  ']);
  let line = name + sep + ows + rng.pick(values);
  if (rng.chance(0.04)) line += eol + rng.pick([' ', '\t']) + 'folded';
  return line + eol;
}

function chunkedBody(rng: Rng, eol: string): string {
  let out = '';
  const n = rng.int(0, 3);
  for (let i = 0; i < n; i++) {
    const data = 'd'.repeat(rng.int(1, 20));
    let size = data.length.toString(16);
    if (rng.chance(0.08)) size = rng.pick(['0x', ' ', '+', '0_', '00']) + size;
    if (rng.chance(0.05)) size = size.toUpperCase() + ' ';
    const ext = rng.chance(0.1) ? rng.pick([';a=b', ';a="b c"', '; x', ';a="b', ';\x01']) : '';
    out += size + ext + eol + data + (rng.chance(0.05) ? 'XX' : eol);
  }
  out += '0' + eol;
  if (rng.chance(0.15)) out += 'Trailer-Field: v' + eol;
  return out + eol;
}

function oneRequest(rng: Rng, kinds: string[]): string {
  const eol = rng.pick(EOLS);
  const sep = () => rng.pick(SEPARATORS);
  const method = rng.pick(METHODS);
  const target = rng.pick(TARGETS);
  const words = rng.next();
  let line: string;
  if (words < 0.78) line = method + sep() + target + sep() + rng.pick(VERSIONS);
  else if (words < 0.86) line = method + sep() + target; // HTTP/0.9
  else if (words < 0.92) line = method + sep() + target + sep() + 'extra' + sep() + rng.pick(VERSIONS);
  else if (words < 0.96) line = method;
  else line = rng.pick(['', ' ', '\t']);
  if (rng.chance(0.1)) line = rng.pick([' ', '\t']) + line;
  if (rng.chance(0.05)) line += rng.pick([' ', '\t']);
  let head = line + eol;
  const count = rng.int(0, 6);
  for (let i = 0; i < count; i++) head += headerLine(rng, eol);
  head += eol;
  kinds.push(words < 0.78 ? 'line3' : words < 0.86 ? 'http09' : words < 0.92 ? 'words4' : 'short');
  // A body that fits what the headers say, most of the time.
  const lower = head.toLowerCase();
  if (/transfer-encoding:[ \t]*chunked\r?\n/.test(lower) && rng.chance(0.85)) return head + chunkedBody(rng, eol);
  const cl = /content-length:[ \t]*([0-9]+)/.exec(lower);
  if (cl) return head + 'b'.repeat(Math.max(0, Math.min(Number(cl[1]), 64) - (rng.chance(0.1) ? 1 : 0)));
  if (rng.chance(0.05)) return head + 'stray body bytes';
  return head;
}

/** One connection's worth of requests. */
export function generateRequests(rng: Rng): GeneratedRequests {
  const kinds: string[] = [];
  let text = rng.chance(0.03) ? '\r\n' : '';
  const n = rng.int(1, 3);
  for (let i = 0; i < n; i++) text += oneRequest(rng, kinds);
  if (rng.chance(0.01)) {
    kinds.push('long');
    text = rng.pick(['GET /', 'GET / HTTP/1.1\r\nX: ']) + 'a'.repeat(rng.int(65526, 65540)) + '\r\n\r\n';
  }
  if (rng.chance(0.12)) {
    kinds.push('cut');
    text = text.slice(0, rng.int(0, text.length));
  }
  return { text, protocol: rng.chance(0.75) ? 'HTTP/1.1' : 'HTTP/1.0', kind: kinds.join('+') };
}
