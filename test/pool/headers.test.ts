// urllib3's HTTPHeaderDict: its documented behaviour as table rows (urllib3
// 2.x's docs and docstrings), the operations 1.26 and 2.x share checked
// against Debian's python3-urllib3 (1.26) on the same inputs, and on the
// wire: repeated fields sent as separate lines to Python's echo server,
// through every pool path that copies or changes headers.
import { execFileSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { KeyError } from '../../src/http/exceptions.js';
import { HTTPConnectionPool, HTTPHeaderDict, PoolManager } from '../../src/pool/node.js';
import { startEchoServer, startRawServer, usePeer } from '../support/servers.js';

const echo = usePeer(startEchoServer);
const closers: { close(): void }[] = [];
afterAll(() => closers.forEach((c) => c.close()));

describe('HTTPHeaderDict, as urllib3 2.x documents it', () => {
  it('names compare case-insensitively; add() keeps values, set() replaces; get and __getitem__ join with ", "', () => {
    const h = new HTTPHeaderDict();
    h.add('Set-Cookie', 'foo=bar');
    h.add('set-cookie', 'baz=quxx');
    h.set('content-length', '7');
    expect(h.__getitem__('SET-cookie')).toBe('foo=bar, baz=quxx');
    expect(h.get('Content-Length')).toBe('7');
    expect(h.getlist('SET-COOKIE')).toEqual(['foo=bar', 'baz=quxx']);
    expect(h.keys()).toEqual(['Set-Cookie', 'content-length']); // the first spelling of each name
    expect(h.__len__()).toBe(2);
    h.set('SET-COOKIE', 'only');
    expect(h.items()).toEqual([['SET-COOKIE', 'only'], ['content-length', '7']]);
  });

  it('items() lists a repeated name once per value; add(combine) joins into the last value', () => {
    const d = new HTTPHeaderDict({ A: '1', B: 'foo' });
    d.add('A', '2', { combine: true });
    d.add('B', 'bar');
    expect(d.items()).toEqual([['A', '1, 2'], ['B', 'foo'], ['B', 'bar']]);
    expect(Array.from(d.itermerged())).toEqual([['A', '1, 2'], ['B', 'foo, bar']]);
    expect([...d]).toEqual(d.items()); // JS iteration: the pairs, as sent
    expect(d._has_value_for_header('b', 'bar')).toBe(true);
    expect(d._has_value_for_header('b', 'foo, bar')).toBe(false);
    const e = new HTTPHeaderDict({ foo: 'bar' });
    e.add('Foo', 'baz');
    expect(e.get('foo')).toBe('bar, baz');
    e.add('foo', 'quz', { combine: true });
    expect(e.items()).toEqual([['foo', 'bar'], ['foo', 'baz, quz']]);
  });

  it('getlist: [] or the default when absent; aliases getheaders, getallmatchingheaders, iget, get_all', () => {
    const h = new HTTPHeaderDict([['X', '1'], ['x', '2']]);
    expect(h.getlist('missing')).toEqual([]);
    expect(h.getlist('missing', null)).toBe(null);
    for (const alias of [h.getheaders('X'), h.getallmatchingheaders('X'), h.iget('X'), h.get_all('X')]) expect(alias).toEqual(['1', '2']);
    expect(h.get('missing')).toBe(undefined);
    expect(h.get('missing', 'd')).toBe('d');
  });

  it('__getitem__, __delitem__ and pop raise KeyError when absent; discard does not', () => {
    const h = new HTTPHeaderDict({ A: '1' });
    expect(() => h.__getitem__('b')).toThrow(KeyError);
    expect(() => h.__delitem__('b')).toThrow(KeyError);
    expect(() => h.pop('b')).toThrow(KeyError);
    expect(h.pop('b', 'x')).toBe('x');
    h.discard('b');
    expect(h.pop('a')).toBe('1');
    expect(h.__len__()).toBe(0);
    expect(h.setdefault('C', '3')).toBe('3');
    expect(h.setdefault('c', '4')).toBe('3');
  });

  it('extend() adds from another dict, an object, a Map and pairs; update() replaces', () => {
    const h = new HTTPHeaderDict({ A: '1' });
    h.extend(new HTTPHeaderDict([['a', '2'], ['a', '3']]));
    h.extend({ B: 'x' });
    h.extend(new Map([['b', 'y']]));
    h.extend([['C', 'z']], { c: 'w' });
    expect(h.items()).toEqual([['A', '1'], ['A', '2'], ['A', '3'], ['B', 'x'], ['B', 'y'], ['C', 'z'], ['C', 'w']]);
    h.update({ a: 'only' });
    expect(h.getlist('A')).toEqual(['only']);
  });

  it('copy() is independent; | and |= extend (nothing replaced); equality ignores case and compares joined values', () => {
    const a = new HTTPHeaderDict({ A: '1' });
    const b = a.copy();
    b.add('A', '2');
    expect(a.getlist('A')).toEqual(['1']);
    expect(a.__or__({ a: '2' }).getlist('a')).toEqual(['1', '2']);
    expect(a.__ror__({ a: '0' }).getlist('a')).toEqual(['0', '1']);
    expect(a.getlist('A')).toEqual(['1']);
    a.__ior__([['a', '2']]);
    expect(a.__eq__(b)).toBe(true);
    expect(a.__eq__({ a: '1, 2' })).toBe(true);
    expect(a.__eq__({ A: '1' })).toBe(false);
    expect(a.__eq__(5)).toBe(false);
  });

  it("repr: HTTPHeaderDict({'Name': 'joined'}); _prepare_for_method_change drops the body's headers", () => {
    const h = new HTTPHeaderDict([['Content-Type', 'text/plain'], ['X-A', "it's"], ['x-a', 'b'], ['Content-Length', '3']]);
    expect(h.__repr__()).toBe(`HTTPHeaderDict({'Content-Type': 'text/plain', 'X-A': "it's, b", 'Content-Length': '3'})`);
    expect(h._prepare_for_method_change().keys()).toEqual(['X-A']);
  });
});

describe('cross-check against Debian python3-urllib3 (1.26: the operations it shares with 2.x)', () => {
  it('the same operations give the same results', () => {
    // Each op: [kind, name, value]; results: after each op, the merged pairs, every pair, and getlist of the op's name.
    const ops: [string, string, string][] = [
      ['add', 'Set-Cookie', 'a=1'],
      ['add', 'set-cookie', 'b=2'],
      ['set', 'Content-Length', '7'],
      ['add', 'X-Forwarded-For', '10.0.0.1'],
      ['add', 'x-forwarded-for', '10.0.0.2'],
      ['set', 'SET-COOKIE', 'c=3'],
      ['discard', 'content-length', ''],
      ['add', 'Accept', 'text/html'],
      ['discard', 'missing', ''],
    ];
    const script = `
import json, sys
from urllib3._collections import HTTPHeaderDict
h = HTTPHeaderDict()
out = []
for kind, name, value in json.loads(sys.argv[1]):
    if kind == 'add': h.add(name, value)
    elif kind == 'set': h[name] = value
    else: h.discard(name)
    out.append([list(map(list, h.itermerged())), list(map(list, h.iteritems())), h.getlist(name), len(h), repr(h)])
c = h.copy()
c.add('Accept', 'x')
out.append([h == c, h == HTTPHeaderDict(h), h == dict(h.itermerged()), list(h)])
u = HTTPHeaderDict({'accept': 'old', 'Y': '1'})
u.update(h)
out.append(list(map(list, u.iteritems())))
print(json.dumps(out))
`;
    const py = JSON.parse(execFileSync('/usr/bin/python3', ['-c', script, JSON.stringify(ops)], { encoding: 'utf8', timeout: 30_000 }));
    const h = new HTTPHeaderDict();
    const ours: unknown[] = [];
    for (const [kind, name, value] of ops) {
      if (kind === 'add') h.add(name, value);
      else if (kind === 'set') h.set(name, value);
      else h.discard(name);
      ours.push([Array.from(h.itermerged()), Array.from(h.iteritems()), h.getlist(name), h.__len__(), h.__repr__()]);
    }
    const c = h.copy();
    c.add('Accept', 'x');
    ours.push([h.__eq__(c), h.__eq__(new HTTPHeaderDict(h)), h.__eq__(Object.fromEntries(h.itermerged())), h.keys()]);
    // update() from a header dict sets each name to its joined value (a Mapping's items), as urllib3's.
    const u = new HTTPHeaderDict({ accept: 'old', Y: '1' });
    u.update(h);
    ours.push(Array.from(u.iteritems()));
    expect(ours).toEqual(py);
  });
});

describe('HTTPHeaderDict through the pool, on the wire', () => {
  type Echo = { method: string; headers: [string, string][]; body: string };
  const sent = (e: Echo, name: string) => e.headers.filter(([k]) => k.toLowerCase() === name.toLowerCase()).map(([, v]) => v);

  it('a repeated field goes out as separate lines; a pool-wide HTTPHeaderDict too, with User-Agent added', async () => {
    const m = new PoolManager({ headers: new HTTPHeaderDict([['X-Multi', 'a'], ['X-Multi', 'b']]) });
    closers.push(m);
    const e = (await m.request('GET', `http://127.0.0.1:${echo.port}/`)).json() as Echo;
    expect(sent(e, 'X-Multi')).toEqual(['a', 'b']);
    expect(sent(e, 'User-Agent')).toEqual(['httpwire/0.1']);
    const h = new HTTPHeaderDict();
    h.add('Cookie', 'a=1');
    h.add('Cookie', 'b=2');
    h.set('User-Agent', 'mine');
    const f = (await m.request('GET', `http://127.0.0.1:${echo.port}/`, { headers: h })).json() as Echo;
    expect(sent(f, 'Cookie')).toEqual(['a=1', 'b=2']);
    expect(sent(f, 'User-Agent')).toEqual(['mine']);
    expect(sent(f, 'X-Multi')).toEqual([]); // request headers replace the manager's, as urllib3
  });

  it("json and fields add Content-Type to a copy (the caller's dict unchanged); chunked adds Transfer-Encoding", async () => {
    const p = new HTTPConnectionPool('127.0.0.1', echo.port);
    closers.push(p);
    const h = new HTTPHeaderDict([['X-Multi', '1'], ['X-Multi', '2']]);
    const j = (await p.request('POST', '/', { headers: h, json: { a: 1 } })).json() as Echo;
    expect(sent(j, 'Content-Type')).toEqual(['application/json']);
    expect(sent(j, 'X-Multi')).toEqual(['1', '2']);
    expect(j.body).toBe('{"a":1}');
    const f = (await p.request('POST', '/', { headers: h, fields: { k: 'v' }, encode_multipart: false })).json() as Echo;
    expect(sent(f, 'Content-Type')).toEqual(['application/x-www-form-urlencoded']);
    const c = (await p.urlopen('POST', '/', { headers: h, body: 'xyz', chunked: true })).json() as Echo;
    expect(sent(c, 'Transfer-Encoding')).toEqual(['chunked']);
    expect(h.keys()).toEqual(['X-Multi']);
  });

  it("a 303 to another host drops the body headers and Authorization; repeated fields kept; the caller's dict unchanged", async () => {
    const redirector = await startRawServer([(sock) => void sock.write(`HTTP/1.1 303 See Other\r\nLocation: http://localhost:${echo.port}/final\r\nContent-Length: 0\r\n\r\n`)]);
    try {
      const m = new PoolManager();
      closers.push(m);
      const h = new HTTPHeaderDict([['Authorization', 'secret'], ['X-Multi', '1'], ['X-Multi', '2'], ['Content-Type', 'text/plain']]);
      const r = await m.request('POST', `http://127.0.0.1:${redirector.port}/`, { headers: h, body: 'x' });
      const e = r.json() as Echo;
      expect(e.method).toBe('GET');
      expect(sent(e, 'Authorization')).toEqual([]);
      expect(sent(e, 'Content-Type')).toEqual([]);
      expect(sent(e, 'X-Multi')).toEqual(['1', '2']);
      expect(h.getlist('Authorization')).toEqual(['secret']);
      expect(h.getlist('Content-Type')).toEqual(['text/plain']);
    } finally {
      await redirector.stop();
    }
  });
});
