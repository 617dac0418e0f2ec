// CPython 3.13 test_httplib.py: SourceAddressTest, over real sockets: a
// listening server on 127.0.0.1 started by the test, and a local port that
// was free a moment ago (socket_helper.find_unused_port).
import { describe, it, expect, beforeEach } from 'vitest';
import * as net from 'node:net';
import { HTTPConnection, HTTPSConnection } from '../../../src/index.js';
import type { NodeTransport } from '../../../src/transport/node.js';
import { addCleanup, findUnusedPort, listen } from './support.js';

const HOST = '127.0.0.1';

describe('SourceAddressTest', () => {
  let port: number;
  let source_port: number;

  beforeEach(async () => {
    const serv = net.createServer((s) => s.on('error', () => {}));
    port = await listen(serv);
    source_port = await findUnusedPort();
  });

  it('testHTTPConnectionSourceAddress', async () => {
    const conn = new HTTPConnection(HOST, port, { source_address: ['', source_port] });
    addCleanup(() => conn.close());
    await conn.connect();
    // sock.getsockname()[1]
    expect((conn.sock as NodeTransport).socket.localPort).toBe(source_port);
  });

  it('testHTTPSConnectionSourceAddress', () => {
    // Nothing here other than the constructor not barfing: this code does
    // not set up a running TLS server for the connect to return from.
    const conn = new HTTPSConnection(HOST, port, { source_address: ['', source_port] });
    expect(conn.source_address).toEqual(['', source_port]);
  });
});
