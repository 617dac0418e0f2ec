import { describe, it, expect } from 'vitest';
import { MemoryTransport, memoryFactory } from '../../src/transport/memory.js';
import { TransportError } from '../../src/transport/types.js';

const enc = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));
const dec = (b: Uint8Array) => String.fromCharCode(...b);

describe('MemoryTransport', () => {
  it('returns the whole response, then null', async () => {
    const t = new MemoryTransport('HTTP/1.1 200 OK\r\n\r\n');
    expect(dec((await t.read())!)).toBe('HTTP/1.1 200 OK\r\n\r\n');
    expect(await t.read()).toBeNull();
    expect(await t.read()).toBeNull();
  });

  it('encodes strings as latin-1', async () => {
    const t = new MemoryTransport('\xe9\xff');
    expect(Array.from((await t.read())!)).toEqual([0xe9, 0xff]);
  });

  it('delivers reads in pieces of at most chunkSize', async () => {
    const t = new MemoryTransport(enc('abcdefg'), { chunkSize: 3 });
    const pieces: string[] = [];
    for (let i = 0; i < 10; i++) {
      const c = await t.read();
      if (c === null) break;
      pieces.push(dec(c));
    }
    expect(pieces).toEqual(['abc', 'def', 'g']);
  });

  it('never hands out the same chunk memory twice', async () => {
    const data = enc('abcd');
    const t = new MemoryTransport(data, { chunkSize: 2 });
    const a = (await t.read())!;
    a.fill(0);
    expect(dec((await t.read())!)).toBe('cd');
    expect(dec(data)).toBe('abcd');
  });

  it('empty data is immediate EOF', async () => {
    expect(await new MemoryTransport('').read()).toBeNull();
  });

  it('records writes', async () => {
    const t = new MemoryTransport('');
    const w = enc('GET / HTTP/1.1\r\n');
    await t.write(w);
    w.fill(0);
    await t.write(enc('\r\n'));
    expect(t.writes.map(dec)).toEqual(['GET / HTTP/1.1\r\n', '\r\n']);
    expect(dec(t.sent)).toBe('GET / HTTP/1.1\r\n\r\n');
  });

  it('close marks closed and later I/O fails with ECLOSED', async () => {
    const t = new MemoryTransport('x');
    expect(t.closed).toBe(false);
    t.close();
    expect(t.closed).toBe(true);
    await expect(t.read()).rejects.toBeInstanceOf(TransportError);
    await expect(t.read()).rejects.toMatchObject({ code: 'ECLOSED' });
    await expect(t.write(enc('y'))).rejects.toMatchObject({ code: 'ECLOSED' });
  });

  it('records setTimeout', () => {
    const t = new MemoryTransport('');
    t.setTimeout(1.5);
    expect(t.timeout).toBe(1.5);
    t.setTimeout(null);
    expect(t.timeout).toBeNull();
  });
});

describe('memoryFactory', () => {
  it('hands out one transport per connect and records options', async () => {
    const f = memoryFactory(['one', enc('two')]);
    const a = (await f({ host: 'example.com', port: 80, timeout: 2 })) as MemoryTransport;
    const b = (await f({ host: 'example.org', port: 8080, source_address: ['127.0.0.1', 0] })) as MemoryTransport;
    expect(dec((await a.read())!)).toBe('one');
    expect(dec((await b.read())!)).toBe('two');
    expect(a.timeout).toBe(2);
    expect(f.connects).toEqual([
      { host: 'example.com', port: 80, timeout: 2 },
      { host: 'example.org', port: 8080, source_address: ['127.0.0.1', 0] },
    ]);
    expect(f.transports).toEqual([a, b]);
    await a.write(enc('req'));
    expect(dec(f.transports[0]!.sent)).toBe('req');
  });

  it('gives each transport the host and port it was connected to', async () => {
    const f = memoryFactory(['a']);
    const t = (await f({ host: 'proxy.com', port: 80 })) as MemoryTransport;
    expect([t.host, t.port]).toEqual(['proxy.com', 80]);
  });

  it('refuses connects beyond the given responses', async () => {
    const f = memoryFactory([]);
    await expect(f({ host: 'h', port: 1 })).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    expect(f.connects).toHaveLength(1);
  });
});

describe("MemoryTransport: test_httplib's socket variants", () => {
  it('a list of pieces arrives in separate reads', async () => {
    const t = new MemoryTransport(['ab', enc('cdef')], { chunkSize: 3 });
    const pieces: string[] = [];
    for (let c = await t.read(); c !== null; c = await t.read()) pieces.push(dec(c));
    expect(pieces).toEqual(['ab', 'cde', 'f']);
  });

  it('remaining() is what has not been read', async () => {
    const t = new MemoryTransport('abcdef', { chunkSize: 4 });
    expect(dec(t.remaining())).toBe('abcdef');
    await t.read();
    expect(dec(t.remaining())).toBe('ef');
  });

  it('eofIsError: a read past the end throws (NoEOFBytesIO)', async () => {
    const t = new MemoryTransport('ab', { eofIsError: true });
    expect(dec((await t.read())!)).toBe('ab');
    await expect(t.read()).rejects.toThrow('caller tried to read past EOF');
  });

  it('resetAtEof: a read at the end is ECONNRESET', async () => {
    const t = new MemoryTransport('', { resetAtEof: true });
    await expect(t.read()).rejects.toMatchObject({ code: 'ECONNRESET' });
  });

  it('pipeTrigger: a write containing it is EPIPE and records nothing (EPipeSocket)', async () => {
    const t = new MemoryTransport('', { pipeTrigger: 'Content-Length' });
    await t.write(enc('GET / HTTP/1.1\r\n'));
    await expect(t.write(enc('Content-Length: 4\r\n'))).rejects.toMatchObject({ code: 'EPIPE' });
    expect(dec(t.sent)).toBe('GET / HTTP/1.1\r\n');
  });
});

describe('TransportError', () => {
  it('carries code, errno, syscall and cause', () => {
    const cause = new Error('inner');
    const e = new TransportError('ECONNRESET', 'reset', { cause, errno: 104, syscall: 'read' });
    expect(e).toBeInstanceOf(Error);
    expect(e.name).toBe('TransportError');
    expect(e.code).toBe('ECONNRESET');
    expect(e.errno).toBe(104);
    expect(e.syscall).toBe('read');
    expect(e.cause).toBe(cause);
    expect(e.message).toBe('reset');
  });
});
