// CPython 3.13 test_httplib.py: TimeoutTest, over a real listening socket on
// 127.0.0.1. CPython's first case relies on socket.setdefaulttimeout(), a
// process-wide default socket timeout that JavaScript has no equivalent of;
// here "no timeout given" means no timeout, as with Python's default of None.
import { describe, it, expect, beforeEach } from 'vitest';
import * as net from 'node:net';
import { HTTPConnection } from '../../../src/index.js';
import type { NodeTransport } from '../../../src/transport/node.js';
import { listen } from './support.js';

const HOST = '127.0.0.1';

describe('TimeoutTest', () => {
  let PORT: number;

  beforeEach(async () => {
    PORT = await listen(net.createServer((s) => s.on('error', () => {})));
  });

  it('testTimeoutAttribute', async () => {
    // This will prove that the timeout gets through HTTPConnection and into
    // the socket.

    // default: no timeout (Python's global default socket timeout, None)
    let httpConn = new HTTPConnection(HOST, PORT);
    await httpConn.connect();
    expect((httpConn.sock as NodeTransport).timeout).toBe(null);
    httpConn.close();

    // no timeout -- do not use global socket default
    httpConn = new HTTPConnection(HOST, PORT, { timeout: null });
    await httpConn.connect();
    expect((httpConn.sock as NodeTransport).timeout).toBe(null);
    httpConn.close();

    // a value
    httpConn = new HTTPConnection(HOST, PORT, { timeout: 30 });
    await httpConn.connect();
    expect((httpConn.sock as NodeTransport).timeout).toBe(30);
    httpConn.close();
  });
});
