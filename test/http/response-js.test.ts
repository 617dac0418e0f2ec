// HTTPResponse's JavaScript-side protocols: async iteration yields the body
// line by line (as iterating a Python response does), `await using` closes
// the response, and readinto fills caller-owned memory of any view type.
import { describe, expect, it } from 'vitest';
import { HTTPResponse, MemoryTransport, ValueError } from '../../src/index.js';

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

  it('iterating a closed response raises ValueError, as IOBase does', async () => {
    const r = await begun('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nab');
    r.close();
    await expect(async () => {
      for await (const _ of r) void _;
    }).rejects.toBeInstanceOf(ValueError);
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
