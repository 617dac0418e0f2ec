// HTTPResponse's JavaScript-side protocols: async iteration yields the body
// line by line (as iterating a Python response does), `await using` closes
// the response, and readinto fills caller-owned memory of any view type.
import { describe, expect, it } from 'vitest';
import { HTTPResponse, MemoryTransport } from '../../src/index.js';

const text = (b: Uint8Array) => Buffer.from(b).toString('latin1');

async function begun(raw: string, chunkSize?: number): Promise<HTTPResponse> {
  const r = new HTTPResponse(new MemoryTransport(raw, chunkSize ? { chunkSize } : {}));
  await r.begin();
  return r;
}

describe('HTTPResponse in JavaScript', () => {
  for (const [kind, raw] of [
    ['Content-Length', 'HTTP/1.1 200 OK\r\nContent-Length: 12\r\n\r\none\ntwo\nend.'],
    ['chunked', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n6\r\none\ntw\r\n6\r\no\nend.\r\n0\r\n\r\n'],
    ['until close', 'HTTP/1.0 200 OK\r\n\r\none\ntwo\nend.'],
  ] as const) {
    it(`for await yields lines of a ${kind} body, split across reads`, async () => {
      const r = await begun(raw, 3);
      const lines: string[] = [];
      for await (const line of r) lines.push(text(line));
      expect(lines).toEqual(['one\n', 'two\n', 'end.']);
      expect(r.isclosed()).toBe(true);
    });
  }

  it('a closed response iterates as empty, and closing inside the loop ends it (CPython skips the IOBase check)', async () => {
    const r = await begun('HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nab\ncd\n');
    const lines: string[] = [];
    for await (const line of r) {
      lines.push(text(line));
      r.close();
    }
    expect(lines).toEqual(['ab\n']);
    for await (const _ of r) throw new Error('a closed response yielded a line');
  });

  it('readlines(hint) stops once the lines read exceed hint, as IOBase', async () => {
    const lines = async (hint: number) => (await (await begun('HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nab\ncd\nef\n')).readlines(hint)).map(text);
    expect(await lines(3)).toEqual(['ab\n', 'cd\n']);
    expect(await lines(6)).toEqual(['ab\n', 'cd\n', 'ef\n']);
    expect(await lines(-1)).toEqual(['ab\n', 'cd\n', 'ef\n']);
  });

  it('a size that is not an integer is a TypeError with Python\'s message, not a short read', async () => {
    const r = await begun('HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nbody');
    await expect(r.read(2.5)).rejects.toMatchObject({ name: 'TypeError', message: "argument should be integer or None, not 'float'" });
    await expect(r.read(Number.NaN)).rejects.toMatchObject({ name: 'TypeError' });
    await expect(r.read1(1.5)).rejects.toMatchObject({ message: "'float' object cannot be interpreted as an integer" });
    expect(text(await r.read())).toBe('body');
  });

  it('a chunked 204 has no body: read() returns empty at once and the next response is intact', async () => {
    const sock = new MemoryTransport('HTTP/1.1 204 No Content\r\nTransfer-Encoding: chunked\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');
    const r = new HTTPResponse(sock);
    await r.begin();
    expect([r.status, r.chunked, r.length]).toEqual([204, true, 0]);
    expect(await r.read()).toEqual(new Uint8Array(0));
    expect(r.isclosed()).toBe(true);
    expect(await r.readline()).toEqual(new Uint8Array(0));
  });

  it('a small piece of a large received chunk is a copy: keeping it does not keep the chunk', async () => {
    const r = await begun('HTTP/1.1 200 OK\r\nContent-Length: 65536\r\n\r\n' + 'x'.repeat(65536));
    const piece = await r.read(64);
    expect(piece.buffer.byteLength).toBe(64);
    const big = await r.read(8192);
    expect(big.length).toBe(8192);
  });

  it('await using closes the response at the end of the block', async () => {
    let seen: HTTPResponse | null = null;
    {
      await using r = await begun('HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nbody');
      seen = r;
      expect(text(await r.read(2))).toBe('bo');
      expect(r.closed).toBe(false);
    }
    expect(seen!.closed).toBe(true);
    expect(seen!.isclosed()).toBe(true);
  });

  it('readinto fills any ArrayBufferView (a Float64Array here) with the body bytes', async () => {
    const r = await begun('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n0123456789', 4);
    const target = new Float64Array(1);
    expect(await r.readinto(target)).toBe(8);
    expect(text(new Uint8Array(target.buffer))).toBe('01234567');
    const rest = new ArrayBuffer(8);
    expect(await r.readinto(rest)).toBe(2);
    expect(text(new Uint8Array(rest, 0, 2))).toBe('89');
    expect(await r.readinto(rest)).toBe(0);
  });
});
