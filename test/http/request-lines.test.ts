// request()'s header lines are reused between the requests of a connection
// while the same name and value strings come at the same place: the bytes
// on the wire, the checks and the hooks must be as if each line were made
// anew.
import { describe, expect, it } from 'vitest';
import { HTTPConnection, MemoryTransport } from '../../src/index.js';

const OK = 'HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n';
const latin1 = (b: Uint8Array) => String.fromCharCode(...b);

/** Sends `headers` on one connection, one request each, and returns each request's bytes. */
async function sendAll(conn: HTTPConnection, headers: Record<string, string>[]): Promise<string[]> {
  const out: string[] = [];
  for (const h of headers) {
    const sock = new MemoryTransport(OK);
    conn.sock = sock;
    await conn.request('GET', '/x', null, h);
    await (await conn.getresponse()).read();
    out.push(latin1(sock.sent));
  }
  return out;
}

const head = (lines: string[]) => `GET /x HTTP/1.1\r\nHost: h\r\nAccept-Encoding: identity\r\n${lines.map((l) => l + '\r\n').join('')}\r\n`;

describe("request()'s header lines across requests", () => {
  it('the same, changed, reordered, added and removed headers: each request has its own lines', async () => {
    const got = await sendAll(new HTTPConnection('h'), [
      { 'User-Agent': 'a/1', X: '1' },
      { 'User-Agent': 'a/1', X: '1' },
      { 'User-Agent': 'a/1', X: '2' },
      { X: '2', 'User-Agent': 'a/1' },
      { 'User-Agent': 'a/1', X: '2', Y: 'é' },
      { 'User-Agent': 'a/1' },
      { 'user-agent': 'a/1' },
    ]);
    expect(got).toEqual([
      head(['User-Agent: a/1', 'X: 1']),
      head(['User-Agent: a/1', 'X: 1']),
      head(['User-Agent: a/1', 'X: 2']),
      head(['X: 2', 'User-Agent: a/1']),
      head(['User-Agent: a/1', 'X: 2', 'Y: \u00e9']),
      head(['User-Agent: a/1']),
      head(['user-agent: a/1']),
    ]);
  });

  it('a value refused in strict mode is refused after the same line went out in lax mode', async () => {
    const conn = new HTTPConnection('h');
    // An obs-fold (CRLF SP) inside a value: lax mode sends it as CPython does; strict mode refuses it.
    const value = 'a\r\n b';
    const [lax] = await sendAll(conn, [{ X: value }]);
    expect(lax).toBe(head(['X: a\r\n b']));
    conn.strict = true;
    await expect(conn.request('GET', '/x', null, { X: value })).rejects.toThrow('Invalid header value');
  });

  it('a subclass that overrides putheader sees every header of every request', async () => {
    const seen: string[] = [];
    class Recording extends HTTPConnection {
      override putheader(header: string | Uint8Array, ...values: (string | Uint8Array | number)[]): void {
        seen.push(String(header));
        super.putheader(header, ...values);
      }
    }
    const got = await sendAll(new Recording('h'), [{ 'User-Agent': 'a/1' }, { 'User-Agent': 'a/1' }]);
    expect(got).toEqual([head(['User-Agent: a/1']), head(['User-Agent: a/1'])]);
    expect(seen).toEqual(['Host', 'Accept-Encoding', 'User-Agent', 'Host', 'Accept-Encoding', 'User-Agent']);
  });

  it('names of the automatic headers are found in any case, others are sent as given', async () => {
    const got = await sendAll(new HTTPConnection('h'), [{ HOST: 'o', 'ACCEPT-ENCODING': 'gzip', 'User-Agent': 'a/1' }]);
    expect(got).toEqual(['GET /x HTTP/1.1\r\nHOST: o\r\nACCEPT-ENCODING: gzip\r\nUser-Agent: a/1\r\n\r\n']);
  });
});
