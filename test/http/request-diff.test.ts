// Request serialisation and validation against CPython 3.13: the same
// generated requests (hosts, ports, methods, URLs, headers, bodies,
// encode_chunked) go through CPython's HTTPConnection over a recording
// socket and through httpwire's over a MemoryTransport. The bytes sent, or
// the exception class and message, must be equal. Seeded (REQ_DIFF_SEED),
// sized by REQ_DIFF_N.
import { describe, expect, it } from 'vitest';
import { HTTPConnection, memoryFactory } from '../../src/index.js';
import { latin1Decode, latin1Encode } from '../../src/core/latin1.js';
import { makeRng } from '../support/generate.js';
import { python313 } from '../support/python.js';

interface Case {
  host: string;
  port: number | null;
  method: string;
  url: string;
  headers: [string, string | number][];
  /** ['str', text] | ['bytes', latin1 text] | ['list', latin1 pieces] | null */
  body: ['str', string] | ['bytes', string] | ['list', string[]] | null;
  encode_chunked: boolean;
}

type Outcome = { sent: string } | { error: string; message: string };

// CPython: a socket that records sendall; connect() is replaced so no I/O happens.
const ORACLE = String.raw`
import sys, json, http.client
class Sock:
    def __init__(self): self.data = bytearray()
    def sendall(self, d): self.data += d
    def close(self): pass
    def makefile(self, *a, **k): raise OSError('no reading here')
class Pairs:
    # A mapping view with duplicate keys, as httpwire takes [name, value] pairs.
    def __init__(self, pairs): self.pairs = [tuple(p) for p in pairs]
    def __iter__(self): return iter(k for k, _ in self.pairs)
    def items(self): return self.pairs
out = []
for c in json.load(sys.stdin):
    try:
        conn = http.client.HTTPConnection(c['host'], c['port'])
        sock = Sock()
        conn.sock = sock
        body = c['body']
        if body is not None:
            kind, v = body
            body = v if kind == 'str' else v.encode('latin-1') if kind == 'bytes' else [p.encode('latin-1') for p in v]
        conn.request(c['method'], c['url'], body, Pairs(c['headers']), encode_chunked=c['encode_chunked'])
        out.append({'sent': sock.data.decode('latin-1')})
    except Exception as e:
        out.append({'error': type(e).__name__, 'message': str(e)})
print(json.dumps(out))
`;

async function httpwire(c: Case): Promise<Outcome> {
  try {
    const factory = memoryFactory([]);
    const conn = new HTTPConnection(c.host, c.port, { transportFactory: factory });
    const sock = new (await import('../../src/transport/memory.js')).MemoryTransport('');
    conn.sock = sock;
    let body: unknown = null;
    if (c.body) {
      const [kind, v] = c.body;
      body = kind === 'str' ? v : kind === 'bytes' ? latin1Encode(v as string) : (v as string[]).map((p) => latin1Encode(p));
    }
    await conn.request(c.method, c.url, body as never, c.headers, { encode_chunked: c.encode_chunked });
    return { sent: latin1Decode(sock.sent) };
  } catch (e) {
    const err = e as Error;
    return { error: err.name, message: err.message };
  }
}

const PIECES = {
  host: ['example.com', 'localhost', '127.0.0.1', '[::1]', '::1', '[fe80::1%eth0]', 'fe80::1%eth0', 'b\u00fccher.example', 'h\u00e9', 'a b', 'x\r\ny', 'x\x00', 'x\x7f', 'host:', 'host:8080', 'host:80', 'host:abc', 'host: 81', '[::1]:8443', 'h:1_0', ''],
  method: ['GET', 'POST', 'PUT', 'PATCH', 'HEAD', 'post', 'DELETE', 'GET\r\n', 'G\x00T', 'G T', 'M\u00e9', 'OPTIONS', 'GE\x1fT', 'X\x7f'],
  url: ['/', '', '/a?b=c', 'http://example.com/x', 'http://[::1]:99/x', 'http://[fe80::1%25eth0]/', 'https://u@h:1/p#f', '/a b', '/\r\nX: y', '/\x7f', '/\u00e9', 'http://[::1/x', 'httpfoo', '*', '/%0d%0a', 'http://b\u00fccher.example/'],
  name: ['X-A', 'Host', 'host', 'Accept-Encoding', 'Content-Length', 'transfer-encoding', 'X:Y', ' X', 'X\r\n', 'X\tY', 'X Y', '', 'Ä', 'X\x0b'],
  value: ['v', '', 'a\r\n b', 'a\r\nb', 'a\nb', 'a\rb', 'a\n\tb', 'a\r', '\u00ff', '\u20ac', 'caf\u00e9', 42, 0, '  v  ', 'a\x00b'],
  text: ['', 'x', 'hello world', 'caf\u00e9', '\u20ac', 'a\u20acb\u20ac', '\u{1f600}'],
};

function generate(n: number, seed: number): Case[] {
  const rng = makeRng(seed);
  const cases: Case[] = [];
  for (let i = 0; i < n; i++) {
    const headers: [string, string | number][] = [];
    const count = rng.int(0, 3);
    for (let h = 0; h < count; h++) headers.push([rng.pick(PIECES.name), rng.pick(PIECES.value)]);
    let body: Case['body'] = null;
    const kind = rng.int(0, 3);
    if (kind === 1) body = ['str', rng.pick(PIECES.text)];
    else if (kind === 2) body = ['bytes', rng.pick(PIECES.text).replace(/[^\x00-\xff]/gu, 'z')];
    else if (kind === 3) body = ['list', [rng.pick(['', 'ab', 'c']), rng.pick(['', 'de'])]];
    cases.push({
      host: rng.pick(PIECES.host),
      port: rng.chance(0.2) ? rng.pick([80, 8080, 443]) : null,
      method: rng.pick(PIECES.method),
      url: rng.pick(PIECES.url),
      headers,
      body,
      encode_chunked: rng.chance(0.3),
    });
  }
  return cases;
}

/**
 * httpwire refuses, where CPython sends as given, a NUL or other control
 * byte (or DEL) in a header name or value and DEL in the method
 * (docs/differences.md). Such a case may differ only by that refusal: a
 * ValueError naming the header or method.
 */
function refusedOnPurpose(c: Case, ours: Outcome): boolean {
  if (!('error' in ours) || ours.error !== 'ValueError') return false;
  const ctl = (v: string) => /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/.test(v);
  const nameCtl = (v: string) => /[\x00-\x1f\x7f]/.test(v);
  if (/^method can't contain control characters/.test(ours.message)) return c.method.includes('\x7f');
  if (/^Invalid header (name|value) /.test(ours.message)) {
    return c.headers.some(([k, v]) => nameCtl(k) || (typeof v === 'string' && ctl(v)));
  }
  return false;
}

describe('requests against CPython 3.13', () => {
  const n = Number(process.env.REQ_DIFF_N ?? 3000);
  const seed = Number(process.env.REQ_DIFF_SEED ?? 20261130);
  const cases = generate(n, seed);

  it(`${n} generated requests send the same bytes or raise the same error`, async () => {
    const expected = python313(ORACLE, cases) as Outcome[];
    const mismatches: { c: Case; cpython: Outcome; ours: Outcome }[] = [];
    let deliberate = 0;
    for (let i = 0; i < cases.length; i++) {
      const ours = await httpwire(cases[i]!);
      if (JSON.stringify(ours) === JSON.stringify(expected[i])) continue;
      if (refusedOnPurpose(cases[i]!, ours)) {
        deliberate++;
        continue;
      }
      mismatches.push({ c: cases[i]!, cpython: expected[i]!, ours });
    }
    // The generator reaches the deliberate differences too.
    expect(deliberate).toBeGreaterThan(0);
    // Both outcomes must occur, or the generator tests nothing.
    expect(expected.some((o) => 'sent' in o)).toBe(true);
    expect(expected.some((o) => 'error' in o)).toBe(true);
    expect(mismatches.slice(0, 5)).toEqual([]);
  }, 120_000);
});
