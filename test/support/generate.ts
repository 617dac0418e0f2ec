// Seeded generator of HTTP/1.x responses, valid and broken, for differential
// tests (reference parser vs CPython, real parser vs reference).
//
// Everything is built as a Latin-1 string (one char per byte, all < 0x100)
// and turned into bytes at the end. Same seed, same sequence of inputs.
//
// Mix per call (approximate): 44% valid responses, 44% the same kind of
// response mutated (structurally, then byte by byte), 4% token soup, 2%
// random bytes, 5% hand-picked edge cases, 1% long inputs near the line and
// header-count limits.

/** CPython's line limit (http.client._MAXLINE), to aim the long inputs at it. */
const MAXLINE = 65536;

export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Integer in [lo, hi], both included. */
  int(lo: number, hi: number): number;
  chance(p: number): boolean;
  pick<T>(items: readonly T[]): T;
}

/** mulberry32: small, fast, good enough for test data, and deterministic. */
export function makeRng(seed: number): Rng {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1));
  return {
    next,
    int,
    chance: (p) => next() < p,
    pick: (items) => items[int(0, items.length - 1)]!,
  };
}

export interface GeneratedResponse {
  input: Uint8Array;
  method: string;
  /** Which branch of the generator made it, for statistics and failure reports. */
  kind: string;
}

export function generateResponse(rng: Rng): GeneratedResponse {
  const method = pickMethod(rng);
  const roll = rng.next();
  let kind: string;
  let text: string;
  if (roll < 0.44) {
    kind = 'valid';
    text = serialize(draftResponse(rng, method));
  } else if (roll < 0.88) {
    kind = 'mutated';
    const draft = draftResponse(rng, method);
    const structural = rng.int(0, 3);
    for (let i = 0; i < structural; i++) mutateDraft(rng, draft);
    text = serialize(draft);
    const bytewise = rng.int(structural === 0 ? 1 : 0, 3);
    for (let i = 0; i < bytewise; i++) text = mutateBytes(rng, text);
  } else if (roll < 0.92) {
    kind = 'soup';
    text = tokenSoup(rng);
  } else if (roll < 0.94) {
    kind = 'random';
    text = randomBytes(rng, rng.int(0, 200));
  } else if (roll < 0.99) {
    kind = 'edge';
    text = rng.pick(EDGE_CASES);
    if (rng.chance(0.3)) text = mutateBytes(rng, text);
  } else {
    kind = 'long';
    text = longResponse(rng, method);
  }
  return { input: latin1Bytes(text), method, kind };
}

/** A few sorted cut points strictly inside [0, length], to feed an input in pieces. */
export function splitPoints(rng: Rng, length: number): number[] {
  if (length < 2) return [];
  const count = rng.pick([0, 1, 1, 2, 2, 3, 4, 8]);
  const points = new Set<number>();
  for (let i = 0; i < count; i++) {
    // Half the cuts land near the start, where the head and its limits are.
    const hi = rng.chance(0.5) ? Math.min(length - 1, 64) : length - 1;
    points.add(rng.int(1, hi));
  }
  return [...points].sort((a, b) => a - b);
}

// ---------------------------------------------------------------------------
// Pools

const METHODS = ['GET', 'GET', 'GET', 'GET', 'GET', 'GET', 'GET', 'GET', 'HEAD', 'HEAD', 'POST', 'PUT', 'head', 'OPTIONS'];

const VERSIONS_ODD = [
  'HTTP/0.9', 'HTTP/1.2', 'HTTP/1.10', 'HTTP/1.', 'HTTP/1.1x', 'HTTP/2', 'HTTP/2.0', 'HTTP/3', 'HTTP/',
  'http/1.1', 'HTTP/11', 'HTTPS/1.1', 'HTTP1.1', 'ICY', '', 'HTTP/1.0\x00', 'HTTP/1.1:',
];

const STATUS_COMMON = ['200', '200', '200', '201', '206', '301', '302', '400', '404', '500', '503'];
const STATUS_NO_BODY = ['204', '304', '101', '102', '103', '199'];
const STATUS_ODD = [
  '+200', '0200', '2_00', '20_0', '-200', '20', '1000', '099', '999', '100', '2OO', '200.', '\xb200',
  '2__00', '_200', '200_', '0x1F', '1e2', '00000000000000000000204', ' 200', '2\x0000', '-0', '+100', '1_00',
];

const SEPARATORS = [' ', ' ', ' ', ' ', ' ', ' ', '  ', '\t', '\x0b', '\x0c', '\x1c', '\x1f', '\x85', '\xa0', ' \t '];

const REASONS = [
  'OK', 'OK', 'OK', '', 'Not Found', 'Moved Permanently', 'Some  Reason\twith space', 'caf\xe9',
  ' padded \t', '\x85x\xa0', 'OK\x1c', 'OK\x00', 'Continue', 'No Content', 'x: y', '\xff\xfe',
];

const NAMES = [
  'Date', 'Server', 'Content-Type', 'Cache-Control', 'Set-Cookie', 'ETag', 'Vary', 'X-Request-Id',
  'Location', 'Accept-Ranges', 'Last-Modified', 'Expires', 'Pragma', 'Via', 'Age', 'Link',
  'Content-Encoding', 'Access-Control-Allow-Origin', 'Strict-Transport-Security', 'X-Frame-Options',
];
const NAMES_ODD = [
  'x_under_score', "X-Weird!#$%&'*+-.^_`|~", 'lowercase', 'UPPER', 'Name With Space', 'Tab\tName',
  'Caf\xe9', '', 'Semi;colon', 'quote"d', '\xdcmlaut', 'From', 'From ', 'Content-Length ', 'Transfer-Encoding ',
  'content-length', 'TRANSFER-ENCODING', 'X-\x7f', '[brackets]', '@', '9', 'a/b',
];
const VALUES = [
  'text/html; charset=utf-8', 'Tue, 15 Nov 1994 08:12:31 GMT', 'nginx/1.25.3', 'max-age=3600, public',
  'id=a3fWa; Expires=Wed, 21 Oct 2015 07:28:00 GMT; Secure', '"33a64df551425fcc55e4d42a148795d9f25f89d4"',
  'Accept-Encoding', 'bytes', 'https://example.com/path?q=1', '0', 'gzip', '*', '1.1 proxy',
];
const VALUES_ODD = [
  '', ' ', '  leading', 'trailing  ', '\t tabbed', 'a\x00b', '\x85\xa0', 'caf\xe9', 'x:y:z', '\r', 'a\rb',
  '\xff', 'close', 'keep-alive', 'chunked', '5', '=?utf-8?q?hi?=', '\x1cx\x1f', 'From me',
];

const CONNECTION_VALUES = ['close', 'Close', 'keep-alive', 'Keep-Alive', 'upgrade, close', 'closed', 'KEEP-ALIVE', '', ' close', 'c\xe9lose'];

const TE_VALUES_ODD = [
  'Chunked', 'CHUNKED', 'chunked ', ' chunked', 'gzip, chunked', 'chunked, gzip', 'identity', '',
  'chunked\t', 'ch\xfcnked', 'chunked\x85', 'chunkedx', '\tchunked',
];

const EOLS = ['\r\n', '\r\n', '\r\n', '\r\n', '\r\n', '\r\n', '\r\n', '\r\n', '\n', '\n', '\r', '\r\r\n', '\n\r', ''];

// ---------------------------------------------------------------------------
// A response as parts, so structural mutations know where lines are.

interface Draft {
  /** 100 Continue responses (or other junk) before the real status line. */
  prefix: string;
  statusLine: string;
  /** Header lines, each with its line ending. */
  headers: string[];
  /** The blank line ending the head ('' for none). */
  blank: string;
  body: string;
}

function serialize(d: Draft): string {
  return d.prefix + d.statusLine + d.headers.join('') + d.blank + d.body;
}

function pickMethod(rng: Rng): string {
  return rng.pick(METHODS);
}

function eol(rng: Rng, oddness = 0.1): string {
  return rng.chance(oddness) ? rng.pick(EOLS) : '\r\n';
}

function statusLine(rng: Rng, status: string): string {
  const version = rng.chance(0.95) ? (rng.chance(0.8) ? 'HTTP/1.1' : 'HTTP/1.0') : rng.pick(VERSIONS_ODD);
  const sep = () => (rng.chance(0.95) ? ' ' : rng.pick(SEPARATORS));
  const lead = rng.chance(0.03) ? rng.pick(SEPARATORS) : '';
  if (rng.chance(0.06)) return lead + version + sep() + status + eol(rng, 0.3); // no reason at all
  const reason = rng.chance(0.8) ? 'OK' : rng.pick(REASONS);
  const trail = rng.chance(0.05) ? rng.pick(SEPARATORS) : '';
  return lead + version + sep() + status + sep() + reason + trail + eol(rng);
}

function headerLine(rng: Rng, name?: string, value?: string): string {
  const n = name ?? (rng.chance(0.9) ? rng.pick(NAMES) : rng.pick(NAMES_ODD));
  const v = value ?? (rng.chance(0.85) ? rng.pick(VALUES) : rng.pick(VALUES_ODD));
  const colon = rng.chance(0.9) ? ': ' : rng.pick([':', ':\t', ':  ', ' : ', ':\xa0']);
  let line = n + colon + v;
  // obs-fold continuation lines
  while (rng.chance(0.04)) line += eol(rng, 0.2) + rng.pick([' ', '\t', '  ']) + rng.pick(VALUES);
  return line + eol(rng);
}

function continuePrefix(rng: Rng): string {
  let out = '';
  const count = rng.int(1, 2);
  for (let i = 0; i < count; i++) {
    const status = rng.pick(['100', '100', '100', '+100', '0100', '1_00']);
    const version = rng.pick(['HTTP/1.1', 'HTTP/1.1', 'HTTP/1.0', 'HTTP/2', 'HTTPX/1.1']);
    out += version + ' ' + status + (rng.chance(0.8) ? ' Continue' : '') + eol(rng);
    const headers = rng.pick([0, 0, 0, 1, 2]);
    for (let j = 0; j < headers; j++) out += headerLine(rng);
    out += rng.chance(0.9) ? '\r\n' : rng.pick(['\n', '\r\r\n', '']);
  }
  return out;
}

function contentLengthValue(rng: Rng, n: number): string {
  if (rng.chance(0.75)) return String(n);
  return rng.pick([
    ` ${n}`, `${n} `, `+${n}`, `0${n}`, `00${n}`, insertUnderscore(rng, String(n)), `${n}, ${n}`, `${n}\x85`,
    `\xa0${n}`, `\x1c${n}`, `${n}\t`, '-1', '-0', '', 'abc', '1e3', '0x10', `${n}_`, `${n}\x00`, `\u00b2`,
    '99999999999999999999', '9007199254740991', '9007199254740992', '18446744073709551616',
    '1' + '0'.repeat(30), '4294967296', '1000000000000',
  ]);
}

function insertUnderscore(rng: Rng, digits: string): string {
  if (digits.length < 2) return digits;
  const at = rng.int(1, digits.length - 1);
  return digits.slice(0, at) + '_' + digits.slice(at);
}

function bodyBytes(rng: Rng, n: number): string {
  if (rng.chance(0.7)) {
    const words = 'hello world lorem ipsum <html></html> {"a":1} \r\n 0 HTTP/1.1 200 OK ';
    let out = '';
    while (out.length < n) out += words[rng.int(0, words.length - 1)];
    return out;
  }
  return randomBytes(rng, n);
}

function randomBytes(rng: Rng, n: number): string {
  let out = '';
  for (let i = 0; i < n; i++) out += String.fromCharCode(rng.int(0, 255));
  return out;
}

function smallLength(rng: Rng): number {
  return rng.pick([0, 0, 1, 2, 3, 5, 10, 16, 26, 64, 100, rng.int(0, 300)]);
}

function chunkSizeText(rng: Rng, n: number): string {
  const hex = n.toString(16);
  if (rng.chance(0.7)) return rng.chance(0.5) ? hex : hex.toUpperCase();
  return rng.pick([
    '0x' + hex, '0X' + hex.toUpperCase(), '+' + hex, '00' + hex, insertUnderscore(rng, hex), ' ' + hex, hex + ' ',
    hex + '\t', '\t' + hex, '0x_' + hex, hex + '_', '-' + hex, hex + '\x00', '\xa0' + hex, hex + 'g',
    '0'.repeat(rng.int(5, 40)) + hex, hex + '\x0b',
  ]);
}

function chunkExtension(rng: Rng): string {
  if (rng.chance(0.85)) return '';
  return rng.pick([';', ';name=value', '; a="b;c"', ';\xff', ';x\r', ';;', '; ' + 'e'.repeat(20), ';\n']);
}

function chunkedBody(rng: Rng): string {
  let out = '';
  const chunks = rng.pick([0, 1, 1, 2, 3, 5]);
  for (let i = 0; i < chunks; i++) {
    const n = rng.pick([1, 2, 5, 10, 26, rng.int(1, 200)]);
    // Sometimes the data does not match the size line.
    const dataLength = rng.chance(0.9) ? n : Math.max(0, n + rng.int(-3, 3));
    out += chunkSizeText(rng, n) + chunkExtension(rng) + eol(rng) + bodyBytes(rng, dataLength);
    out += rng.chance(0.9) ? '\r\n' : rng.pick(['\n', 'XX', '', '\r', '\n\r\n', 'abc']);
  }
  if (rng.chance(0.05)) return out; // EOF instead of the last chunk
  const last = rng.chance(0.8) ? '0' : rng.pick(['00', '0x0', '-0', '+0', '0_0', '000000', ' 0', '0 ', '-1', 'ffffffffffff', '1' + '0'.repeat(20)]);
  out += last + chunkExtension(rng) + eol(rng);
  const trailers = rng.pick([0, 0, 0, 1, 2]);
  for (let i = 0; i < trailers; i++) out += headerLine(rng);
  if (rng.chance(0.9)) out += rng.chance(0.9) ? '\r\n' : '\n';
  if (rng.chance(0.05)) out += 'HTTP/1.1 200 OK\r\n\r\n'; // a pipelined response behind it
  return out;
}

/** A plausible response, usually well-formed, with the oddities the pools allow. */
function draftResponse(rng: Rng, method: string): Draft {
  const prefix = rng.chance(0.08) ? continuePrefix(rng) : '';
  const statusRoll = rng.next();
  const status = statusRoll < 0.82 ? rng.pick(STATUS_COMMON) : statusRoll < 0.96 ? rng.pick(STATUS_NO_BODY) : rng.pick(STATUS_ODD);

  const headers: string[] = [];
  const count = rng.chance(0.7) ? rng.int(0, 6) : rng.int(0, 30);
  for (let i = 0; i < count; i++) headers.push(headerLine(rng));

  if (rng.chance(0.15)) headers.push(headerLine(rng, rng.pick(['Connection', 'connection', 'CONNECTION']), rng.pick(CONNECTION_VALUES)));
  if (rng.chance(0.05)) headers.push(headerLine(rng, 'Keep-Alive', rng.pick(['timeout=5', '', ' '])));
  if (rng.chance(0.03)) headers.push(headerLine(rng, 'Proxy-Connection', rng.pick(CONNECTION_VALUES)));

  const framingRoll = rng.next();
  let body = '';
  if (framingRoll < 0.5) {
    const n = smallLength(rng);
    headers.splice(rng.int(0, headers.length), 0, headerLine(rng, rng.pick(['Content-Length', 'content-length', 'CONTENT-LENGTH']), contentLengthValue(rng, n)));
    // The body matches the length, falls short, or runs over.
    const actual = rng.chance(0.85) ? n : Math.max(0, n + rng.int(-5, 5));
    body = method === 'HEAD' && rng.chance(0.7) ? '' : bodyBytes(rng, actual);
  } else if (framingRoll < 0.8) {
    const te = rng.chance(0.85) ? 'chunked' : rng.pick(TE_VALUES_ODD);
    headers.splice(rng.int(0, headers.length), 0, headerLine(rng, rng.pick(['Transfer-Encoding', 'transfer-encoding']), te));
    body = chunkedBody(rng);
  } else {
    body = bodyBytes(rng, smallLength(rng));
  }
  const blank = rng.chance(0.95) ? '\r\n' : rng.pick(['\n', '', '\r\r\n', '\r\n\r\n', '\n\r\n']);
  return { prefix, statusLine: statusLine(rng, status), headers, blank, body };
}

// ---------------------------------------------------------------------------
// Mutations

/** One structural mutation: the classic smuggling and leniency shapes. */
function mutateDraft(rng: Rng, d: Draft): void {
  const at = () => rng.int(0, d.headers.length);
  switch (rng.int(0, 13)) {
    case 0: // CL and TE together
      d.headers.splice(at(), 0, headerLine(rng, 'Content-Length', contentLengthValue(rng, smallLength(rng))));
      d.headers.splice(at(), 0, headerLine(rng, 'Transfer-Encoding', rng.chance(0.7) ? 'chunked' : rng.pick(TE_VALUES_ODD)));
      break;
    case 1: // duplicate Content-Length, possibly disagreeing
      d.headers.splice(at(), 0, headerLine(rng, 'Content-Length', contentLengthValue(rng, smallLength(rng))));
      d.headers.splice(at(), 0, headerLine(rng, 'content-length', contentLengthValue(rng, smallLength(rng))));
      break;
    case 2: // obs-fold, possibly as the first header line
      d.headers.splice(at(), 0, rng.pick([' ', '\t']) + rng.pick([...VALUES, ...VALUES_ODD]) + eol(rng, 0.3));
      break;
    case 3: // bare CR / bare LF line endings in the head
      d.headers = d.headers.map((h) => (rng.chance(0.5) ? h.replace(/\r\n$/, rng.pick(['\r', '\n', '\n\r', '\r\r\n'])) : h));
      if (rng.chance(0.3)) d.statusLine = d.statusLine.replace(/\r\n$/, rng.pick(['\r', '\n']));
      break;
    case 4: // unix-from lines
      d.headers.splice(at(), 0, rng.pick(['From ', 'From: ', 'From  ', 'From :']) + 'someone@example.com' + eol(rng));
      break;
    case 5: // a line with no colon
      d.headers.splice(at(), 0, rng.pick(['no colon here', 'X-Header', 'HTTP/1.1 200 OK', '\x0bvtab', '\x00', 'a b: c']) + eol(rng));
      break;
    case 6: // empty header name
      d.headers.splice(at(), 0, ':' + rng.pick(VALUES) + eol(rng));
      break;
    case 7: // negative or huge Content-Length
      d.headers.splice(at(), 0, headerLine(rng, 'Content-Length', rng.pick(['-1', '-5', '-0', '99999999999999999999', '18446744073709551615', '9007199254740993', '1' + '0'.repeat(rng.int(10, 60)), '0'.repeat(4300) + '5', '0'.repeat(4299) + '5'])));
      break;
    case 8: // negative or huge chunk size
      d.headers.splice(at(), 0, headerLine(rng, 'Transfer-Encoding', 'chunked'));
      d.body = rng.pick(['-5', '-1', '-0', '-0x5', 'ffffffffffffffff', '7fffffffffffffff', '1' + '0'.repeat(rng.int(8, 40)), 'FFFFFFFFFFFFFF']) + eol(rng) + d.body;
      break;
    case 9: // duplicate a header line
      if (d.headers.length > 0) d.headers.splice(at(), 0, rng.pick(d.headers));
      break;
    case 10: // drop the blank line or the body
      if (rng.chance(0.5)) d.blank = '';
      else d.body = '';
      break;
    case 11: // a 100 Continue (or several) before
      d.prefix = continuePrefix(rng) + d.prefix;
      break;
    case 12: // header name variants of the framing headers
      d.headers.splice(at(), 0, headerLine(rng, rng.pick(['Transfer-Encoding ', 'Content-Length ', ' Transfer-Encoding', 'Transfer_Encoding', 'Transfer-Encoding\t']), rng.pick(['chunked', '5'])));
      break;
    default: // Connection-related headers
      d.headers.splice(at(), 0, headerLine(rng, rng.pick(['Connection', 'Keep-Alive', 'Proxy-Connection']), rng.pick(CONNECTION_VALUES)));
  }
}

const SPECIAL_BYTES = ['\r', '\n', '\x00', '\x85', '\xa0', ':', ';', ' ', '\t', '\r\n', '\x0b', '\x1c', '-', '0', 'f', '_'];

/** One byte-level mutation: flip, insert, delete, duplicate, truncate. */
export function mutateBytes(rng: Rng, s: string): string {
  const pos = () => rng.int(0, s.length);
  switch (rng.int(0, 6)) {
    case 0: { // overwrite a byte with a random one
      if (s.length === 0) return s;
      const i = rng.int(0, s.length - 1);
      return s.slice(0, i) + String.fromCharCode(rng.int(0, 255)) + s.slice(i + 1);
    }
    case 1: { // overwrite a byte with a special one
      if (s.length === 0) return s;
      const i = rng.int(0, s.length - 1);
      return s.slice(0, i) + rng.pick(SPECIAL_BYTES) + s.slice(i + 1);
    }
    case 2: { // insert special bytes
      const i = pos();
      return s.slice(0, i) + rng.pick(SPECIAL_BYTES) + s.slice(i);
    }
    case 3: { // delete a short range
      const i = pos();
      return s.slice(0, i) + s.slice(i + rng.int(1, 10));
    }
    case 4: { // duplicate a segment in place
      const i = pos();
      const j = Math.min(s.length, i + rng.int(1, 40));
      return s.slice(0, j) + s.slice(i, j) + s.slice(j);
    }
    case 5: { // replace a CRLF with a bare CR or LF
      const idx = s.indexOf('\r\n', pos());
      if (idx < 0) return s;
      return s.slice(0, idx) + rng.pick(['\r', '\n', '\n\r', '']) + s.slice(idx + 2);
    }
    default: // truncate at a random point
      return s.slice(0, pos());
  }
}

const SOUP = [
  'HTTP/1.1', 'HTTP/1.0', 'HTTP/2', ' ', ' ', '200', '100', '204', '304', 'OK', '\r\n', '\r\n', '\r\n', '\n', '\r',
  ':', ': ', 'Content-Length', 'Transfer-Encoding', 'chunked', 'Connection', 'close', 'keep-alive', '0', '5',
  '1a', ';', '\t', 'From ', 'hello', '\x00', '\x85', '\xa0', '-1', '0x', '_', 'X-A: b\r\n', '\r\n\r\n',
];

/** Random sequences of HTTP-looking tokens: reaches odd parser states quickly. */
function tokenSoup(rng: Rng): string {
  let out = rng.chance(0.7) ? rng.pick(['HTTP/1.1 200 OK\r\n', 'HTTP/1.0 200 OK\r\n', 'HTTP/1.1 100 Continue\r\n', 'HTTP/1.1 204 \r\n']) : rng.chance(0.5) ? 'HTTP/1.1 ' : '';
  const n = rng.int(1, 40);
  for (let i = 0; i < n; i++) out += rng.pick(SOUP);
  return out;
}

// ---------------------------------------------------------------------------
// Long inputs: around the 65536-byte line limit and the 100-line header limit.

function longResponse(rng: Rng, method: string): string {
  const lineTotal = () => MAXLINE + rng.int(-2, 2); // bytes including the line ending
  const head = 'HTTP/1.1 200 OK\r\n';
  switch (rng.int(0, 9)) {
    case 0: { // one long header line
      const ending = rng.pick(['\r\n', '\n']);
      const name = 'X-Long: ';
      return head + name + 'a'.repeat(lineTotal() - name.length - ending.length) + ending + 'Content-Length: 2\r\n\r\nhi';
    }
    case 1: { // long status line
      const start = 'HTTP/1.1 200 ';
      return start + 'R'.repeat(lineTotal() - start.length - 2) + '\r\n\r\n';
    }
    case 2: { // long chunk-size line: leading zeros or a long extension
      const core = rng.chance(0.5) ? '5' : '5;';
      const pad = lineTotal() - core.length - 2;
      const line = core === '5' ? '0'.repeat(pad) + '5' : '5;' + 'e'.repeat(pad);
      return head + 'Transfer-Encoding: chunked\r\n\r\n' + line + '\r\nhello\r\n0\r\n\r\n';
    }
    case 3: { // long trailer line, or a long line right after the trailer's end (or what looks like it)
      const name = 'X-Trailer: ';
      const long = name + 't'.repeat(lineTotal() - name.length - 2) + '\r\n';
      const end = rng.pick(['\r\n', '\n', '\r\r\n', '\n\r', 'X: y\r\n']);
      return head + 'Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n' + (rng.chance(0.5) ? long + '\r\n' : end + long);
    }
    case 4: { // header count around the limit, with the blank line or EOF
      let out = head;
      const count = rng.int(97, 101);
      for (let i = 0; i < count; i++) out += `X-H${i}: v${i}\r\n`;
      return out + (rng.chance(0.8) ? '\r\nbody' : '');
    }
    case 5: { // many obs-fold lines: each is a framing line
      let out = head + 'X-Folded: a\r\n';
      const count = rng.int(96, 100);
      for (let i = 0; i < count; i++) out += ` fold${i}\r\n`;
      return out + '\r\n';
    }
    case 6: { // header count around the limit inside a 100 Continue
      let out = 'HTTP/1.1 100 Continue\r\n';
      const count = rng.int(98, 101);
      for (let i = 0; i < count; i++) out += `X-C${i}: v\r\n`;
      return out + '\r\n' + head + 'Content-Length: 0\r\n\r\n';
    }
    case 7: { // big body, maybe cut short
      const n = rng.int(50_000, 150_000);
      const body = 'b'.repeat(rng.chance(0.8) ? n : n - rng.int(1, 1000));
      return head + `Content-Length: ${n}\r\n\r\n` + body;
    }
    case 8: { // numbers around Python's 4300-digit limit
      const zeros = '0'.repeat(rng.int(4296, 4300));
      return rng.chance(0.5)
        ? `HTTP/1.1 ${zeros}200 OK\r\n\r\n`
        : head + `Content-Length: ${zeros}3\r\n\r\nabc`;
    }
    default: { // a head of mixed long headers, past the email parser's 8192-char reads
      let out = head;
      const count = rng.int(10, 60);
      for (let i = 0; i < count; i++) out += `X-M${i}: ` + 'v'.repeat(rng.int(100, 600)) + rng.pick(['\r\n', '\r\n', '\r', '\n']);
      return out + '\r\n' + (method === 'HEAD' ? '' : 'tail');
    }
  }
}

// ---------------------------------------------------------------------------
// Hand-picked inputs: the documented quirks and the deliberate differences.

const EDGE_CASES = [
  '',
  '\r\n',
  'HTTP/1.1',
  'HTTP/1.1\r\n',
  'HTTP/1.1 200',
  'HTTP/1.1 200 OK',
  'HTTP/1.1 200 OK\r\n',
  'HTTP/1.1 200\x1c\r\n\r\n',
  'HTTP/1.1 200 \x1c\r\n\r\n',
  'HTTP/1.1 200\x85\r\n\r\n',
  'HTTP/1.1\xa0200\xa0OK\r\n\r\n',
  ' HTTP/1.1 200 OK\r\n\r\n',
  'HTTP/1.1 200 OK\r\nA: b\rC: d\r\n\r\n',
  'HTTP/1.1 200 OK\r\n\r\r\nX: y\r\n\r\nbody',
  'HTTP/1.1 200 OK\r\nX: y\r\n\r\r\nZ: w\r\n\r\nbody',
  'HTTP/1.1 200 OK\r\n folded-first\r\nA: b\r\n\r\n',
  'HTTP/1.1 200 OK\r\nA: b\r\n folded\r\n\tagain\r\n\r\n',
  'HTTP/1.1 200 OK\r\nFrom me\r\nA: b\r\n\r\n',
  'HTTP/1.1 200 OK\r\nA: b\r\nFrom me\r\n more\r\nC: d\r\n\r\n',
  'HTTP/1.1 200 OK\r\nA: b\r\nFrom me\r\n\r\n',
  'HTTP/1.1 200 OK\r\n: empty\r\n cont\r\nA: b\r\n\r\n',
  'HTTP/1.1 200 OK\r\nbad line\r\nContent-Length: 2\r\n\r\nhi',
  'HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 5\r\n\r\nhello',
  'HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhi\r\n0\r\n\r\n',
  'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked \r\n\r\nabc',
  'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0x1A\r\nabcdefghijklmnopqrstuvwxyz\r\n0\r\n\r\n',
  'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n+5\r\nhello\r\n1_0\r\n0123456789abcdef\r\n0\r\n\r\n',
  'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhelloXY0\r\n\r\n',
  'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n-3\r\nabc\r\n0\r\n\r\n',
  'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n-0\r\n\r\n',
  'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel',
  'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello',
  'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0',
  'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\nTrailer: x\r\n',
  'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffffffff\r\nabc',
  'HTTP/1.1 204 No Content\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n',
  'HTTP/1.1 304 Not Modified\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n',
  'HTTP/1.1 101 Switching Protocols\r\nTransfer-Encoding: chunked\r\n\r\n',
  'HTTP/1.1 204 No Content\r\nContent-Length: 5\r\n\r\nhello',
  'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi',
  'HTTP/1.1 100 Continue\r\nX: y\r\n\r\nHTTP/1.1 100 Continue\r\n\r\nHTTP/1.0 200 OK\r\n\r\nbody',
  'HTTP/2 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n',
  'HTTP/1.1 100 Continue\r\n\r\n',
  'HTTP/1.1 100 Continue\r\n',
  'HTTP/2.0 200 OK\r\n\r\n',
  'HTTP/1.0 200 OK\r\nKeep-Alive: timeout=5\r\nContent-Length: 0\r\n\r\n',
  'HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n',
  'HTTP/1.0 200 OK\r\nProxy-Connection: keep-alive\r\n\r\nrest',
  'HTTP/1.1 200 OK\r\nConnection: closed\r\nContent-Length: 1\r\n\r\nx',
  'HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999\r\n\r\nabc',
  'HTTP/1.1 200 OK\r\nContent-Length: 9007199254740992\r\n\r\nabc',
  'HTTP/1.1 200 OK\r\nContent-Length: 9007199254740991\r\n\r\nabc',
  'HTTP/1.1 200 OK\r\nContent-Length: \xa05\x85\r\n\r\nhello',
  'HTTP/1.1 200 OK\r\nContent-Length: \x1c5\r\n\r\nhello',
  'HTTP/1.1 200 OK\r\nContent-Length: 5\r\n \r\n\r\nhello',
  'HTTP/1.1 200 OK\r\nContent-Type: multipart/mixed; boundary=x\r\nbody line\r\n--x\r\nA: b\r\n\r\n',
  'HTTP/1.1 200 OK\r\nContent-Type: message/rfc822\r\nX\r\nA: b\r\n\r\n',
  'HTTP/1.1 200 OK\r\nContent-Type: message/delivery-status\r\n\r\n',
  'HTTP/1.1 200 OK\r\nContent-Type: multipart/digest; boundary="b"\r\n',
];

export function latin1Bytes(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i) & 0xff;
  return out;
}
