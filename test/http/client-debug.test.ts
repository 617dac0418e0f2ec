// Debug output (debuglevel > 0) in cases test_httplib does not cover, each
// expected line taken from CPython 3.13 running the same case.
import { describe, it, expect } from 'vitest';
import { BadStatusLine, HTTPConnection, HTTPResponse, RemoteDisconnected } from '../../src/index.js';
import { capturedStdout, enc, fakeSocket, thrown } from './httplib/support.js';

describe('debug output as CPython prints it', () => {
  it('the status line is printed before it is checked', async () => {
    let e: unknown;
    const lines = await capturedStdout(async () => {
      e = await thrown(() => new HTTPResponse(fakeSocket('garbage\r\n'), 1).begin());
    });
    expect(e).toBeInstanceOf(BadStatusLine);
    expect(lines).toEqual(["reply: 'garbage\\r\\n'"]);
  });

  it("nothing at all is printed as reply: ''", async () => {
    let e: unknown;
    const lines = await capturedStdout(async () => {
      e = await thrown(() => new HTTPResponse(fakeSocket(''), 1).begin());
    });
    expect(e).toBeInstanceOf(RemoteDisconnected);
    expect(lines).toEqual(["reply: ''"]);
  });

  it('a list body of unknown size is shown as a Python list', async () => {
    const conn = new HTTPConnection('example.com');
    conn.sock = fakeSocket('');
    conn.set_debuglevel(1);
    const lines = await capturedStdout(() => conn.request('POST', '/p', [enc('x')]));
    expect(lines[0]).toBe("Unable to determine size of [b'x']");
  });
});
