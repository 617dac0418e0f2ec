// HTTPResponse's reading methods against CPython 3.13: the same response
// bytes and the same seeded sequence of calls (read, read1, readinto,
// readline, readlines, peek, iteration, isclosed, close, ...) go through
// CPython's HTTPResponse over a buffered in-memory file and through
// httpwire's over a MemoryTransport. Every result, or the exception's class
// and repr, must be equal. Seeded (RESP_DIFF_SEED), sized by RESP_DIFF_N.
//
// A sequence stops at its first exception: after a failed read httpwire
// closes the response and its transport (the message's end is lost), where
// CPython keeps the connection and fails again later.
//
// Left out, because they are known differences (see the port's report and
// docs/differences.md): peek's size (only "something or nothing" is
// compared: the buffer sizes differ), chunk_left (httpwire decodes several
// chunks per call and does not track it), readline(limit) on a chunked body
// (CPython's IOBase.readline can return more than `limit` bytes there),
// peek/readline on a bad chunk size (CPython's peek swallows the error and
// closes; httpwire leaves it for the next read), and IncompleteRead's
// `expected` from read1 at a chunk's missing CRLF.
import { describe, expect, it } from 'vitest';
import { HTTPResponse, pyRepr } from '../../src/index.js';
import { MemoryTransport } from '../../src/transport/memory.js';
import { latin1Decode } from '../../src/core/latin1.js';
import { makeRng } from '../support/generate.js';
import { python313 } from '../support/python.js';

type Op = [string, ...number[]];
interface Case {
  text: string;
  method: string | null;
  ops: Op[];
}

const ORACLE = String.raw`
import sys, json, io, http.client
class Sock:
    def __init__(self, text): self.text = text
    def makefile(self, *a, **k): return io.BufferedReader(io.BytesIO(self.text))
def run(r, op):
    name, args = op[0], op[1:]
    if name == 'read': return r.read(*args).decode('latin-1')
    if name == 'read1': return r.read1(*args).decode('latin-1')
    if name == 'readline': return r.readline(*args).decode('latin-1')
    if name == 'peek': return len(r.peek(*args)) > 0
    if name == 'readinto':
        b = bytearray(args[0]); n = r.readinto(b); return [n, b[:n].decode('latin-1')]
    if name == 'readlines': return [x.decode('latin-1') for x in r.readlines(*args)]
    if name == 'iter': return [x.decode('latin-1') for x in r]
    if name == 'isclosed': return r.isclosed()
    if name == 'closed': return r.closed
    if name == 'close': r.close(); return None
    if name == 'length': return r.length
out = []
for c in json.load(sys.stdin):
    r = http.client.HTTPResponse(Sock(c['text'].encode('latin-1')), method=c['method'])
    res = []
    try:
        r.begin()
        res.append([r.status, r.reason, r.version, r.length, r.chunked, r.will_close, r.getheaders()])
    except Exception as e:
        res.append(['EXC', type(e).__name__, repr(e)])
    else:
        for op in c['ops']:
            try: res.append(run(r, op))
            except Exception as e:
                res.append(['EXC', type(e).__name__, repr(e)])
                break
    out.append(res)
print(json.dumps(out))
`;

async function run(r: HTTPResponse, [name, ...args]: Op): Promise<unknown> {
  switch (name) {
    case 'read':
      return latin1Decode(await r.read(...(args as [number])));
    case 'read1':
      return latin1Decode(await r.read1(...(args as [number])));
    case 'readline':
      return latin1Decode(await r.readline(...(args as [number])));
    case 'peek':
      return (await r.peek(...(args as [number]))).length > 0;
    case 'readinto': {
      const b = new Uint8Array(args[0]!);
      const n = await r.readinto(b);
      return [n, latin1Decode(b.subarray(0, n))];
    }
    case 'readlines':
      return (await r.readlines(...(args as [number]))).map((l) => latin1Decode(l));
    case 'iter': {
      const lines: string[] = [];
      for await (const l of r) lines.push(latin1Decode(l));
      return lines;
    }
    case 'isclosed':
      return r.isclosed();
    case 'closed':
      return r.closed;
    case 'close':
      r.close();
      return null;
    case 'length':
      return r.length;
  }
  throw new Error(`unknown op ${name}`);
}

async function httpwire(c: Case): Promise<unknown[]> {
  const r = new HTTPResponse(new MemoryTransport(c.text), 0, c.method);
  const res: unknown[] = [];
  try {
    await r.begin();
    res.push([r.status, r.reason, r.version, r.length, r.chunked, r.will_close, r.getheaders()]);
  } catch (e) {
    res.push(['EXC', (e as Error).name, pyRepr(e)]);
    return res;
  }
  for (const op of c.ops) {
    try {
      res.push(await run(r, op));
    } catch (e) {
      res.push(['EXC', (e as Error).name, pyRepr(e)]);
      break;
    }
  }
  return res;
}

const CHUNKED = 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n';
const TEXTS: [text: string, method: string | null][] = [
  ['HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\nhello\nworld', null],
  ['HTTP/1.1 200 OK\r\n\r\nline1\nline2\nlast', null],
  ['HTTP/1.0 200 OK\r\n\r\nline1\nline2\nlast', null],
  ['HTTP/1.1 200 OK\r\nContent-Length: 20\r\n\r\nshort\nbody', null],
  ['HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n', null],
  ['HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello', 'HEAD'],
  ['HTTP/1.1 204 No Content\r\n\r\n', null],
  ['HTTP/1.1 304 Not Modified\r\nContent-Length: 5\r\n\r\n', null],
  ['HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok', null],
  ['HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 3\r\n\r\nabc', null],
  ['HTTP/1.0 200 OK\r\nKeep-Alive: timeout=5\r\n\r\nabc', null],
  ['HTTP/1.1 200 OK\r\nContent-Length: 3, 3\r\n\r\nabc', null],
  ['HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\nabc\n', null],
  [CHUNKED + '5\r\nhel\nl\r\n6\r\no\nworl\r\n1\r\nd\r\n0\r\n\r\n', null],
  [CHUNKED + '5\r\nhello\r\n3\r\nabc', null],
  [CHUNKED + '0\r\n\r\n', null],
  [CHUNKED + '3;ext=1\r\nabc\r\n0\r\nTrailer: x\r\n\r\n', null],
  [CHUNKED + '3\r\nabc\r\n0\r\n\r\n', 'HEAD'],
  [CHUNKED + 'z\r\n', null],
  ['HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n3\r\nabc\r\n0\r\n\r\n', null],
];

const OPS: Op[] = [
  ['read'], ['read', 0], ['read', 1], ['read', 3], ['read', 100], ['read1'], ['read1', 2], ['read1', 0],
  ['peek'], ['peek', 2], ['readline'], ['readline', 3], ['readinto', 2], ['readinto', 50], ['readinto', 0],
  ['isclosed'], ['closed'], ['length'], ['readlines'], ['iter'],
];

/** Whether CPython and httpwire are known to differ on this op for this text (see the file comment). */
function knownDifference(text: string, [name, limit]: Op): boolean {
  const chunked = text.includes('Transfer-Encoding: chunked');
  const badSize = text.endsWith('z\r\n');
  if (chunked && name === 'readline' && limit !== undefined) return true;
  if (badSize && ['peek', 'readline', 'readlines', 'iter'].includes(name)) return true;
  if (chunked && name === 'read1' && text.endsWith('abc')) return true;
  return false;
}

function generate(n: number, seed: number): Case[] {
  const rng = makeRng(seed);
  const cases: Case[] = [];
  for (let i = 0; i < n; i++) {
    const [text, method] = TEXTS[i % TEXTS.length]!;
    const ops: Op[] = [];
    for (let k = rng.int(1, 6); k > 0; k--) {
      const op = rng.pick(OPS);
      if (!knownDifference(text, op)) ops.push(op);
    }
    ops.push(['isclosed'], ['closed'], ['close'], ['closed'], ['read']);
    cases.push({ text, method, ops });
  }
  return cases;
}

describe('HTTPResponse reading methods = CPython 3.13', () => {
  it('every call sequence gives the same results', async () => {
    const n = Number(process.env.RESP_DIFF_N ?? 400);
    const seed = Number(process.env.RESP_DIFF_SEED ?? 20261130);
    const cases = generate(n, seed);
    const expected = python313(ORACLE, cases) as unknown[][];
    const mismatches: string[] = [];
    for (let i = 0; i < cases.length; i++) {
      const got = await httpwire(cases[i]!);
      if (JSON.stringify(got) !== JSON.stringify(expected[i])) {
        mismatches.push(`${JSON.stringify(cases[i])}\n  cpython:  ${JSON.stringify(expected[i])}\n  httpwire: ${JSON.stringify(got)}`);
      }
    }
    expect(mismatches.slice(0, 5).join('\n')).toBe('');
  });
});
