// CPython 3.13 test_httplib.py: PersistenceTest, over the in-memory
// transport. FakeSocketHTTPConnection connects through a factory that hands
// out a fresh FakeSocket (MemoryTransport) on the same bytes every time, and
// counts connect() calls as CPython's does.
import { describe, it, expect } from 'vitest';
import { ConnectionResetError, HTTPConnection, RemoteDisconnected } from '../../../src/index.js';
import { MemoryTransport, type MemoryTransportOptions } from '../../../src/transport/memory.js';
import { thrown } from './support.js';

/** HTTPConnection subclass using FakeSocket; counts connect() calls. */
class FakeSocketHTTPConnection extends HTTPConnection {
  connections = 0;

  constructor(text: string, options: MemoryTransportOptions = {}) {
    super('example.com', null, {
      transportFactory: async (opts) => new MemoryTransport(text, { ...options, host: opts.host, port: opts.port }),
    });
  }

  override async connect(): Promise<void> {
    this.connections += 1;
    return super.connect();
  }
}

describe('PersistenceTest', () => {
  it('test_reuse_reconnect', async () => {
    // Should reuse or reconnect depending on header from server
    const tests: [string, string, boolean][] = [
      ['1.0', '', false],
      ['1.0', 'Connection: keep-alive\r\n', true],
      ['1.1', '', true],
      ['1.1', 'Connection: close\r\n', false],
      ['1.0', 'Connection: keep-ALIVE\r\n', true],
      ['1.1', 'Connection: cloSE\r\n', false],
    ];
    for (const [version, header, reuse] of tests) {
      const label = `version=${version} header=${JSON.stringify(header)}`;
      const msg = `HTTP/${version} 200 OK\r\n${header}Content-Length: 12\r\n\r\nDummy body\r\n`;
      const conn = new FakeSocketHTTPConnection(msg);
      expect(conn.sock, label).toBeNull();
      await conn.request('GET', '/open-connection');
      const response = await conn.getresponse();
      try {
        expect(conn.sock === null, label).toBe(!reuse);
        await response.read();
      } finally {
        response.close(); // the with-block's exit
      }
      expect(conn.sock === null, label).toBe(!reuse);
      expect(conn.connections, label).toBe(1);
      await conn.request('GET', '/subsequent-request');
      expect(conn.connections, label).toBe(reuse ? 1 : 2);
    }
  });

  it('test_disconnected', async () => {
    // A plain EOF, and a reader that raises ECONNRESET at EOF.
    const tests: [MemoryTransportOptions, Function][] = [
      [{}, RemoteDisconnected],
      [{ resetAtEof: true }, ConnectionResetError],
    ];
    for (const [options, exception] of tests) {
      const conn = new FakeSocketHTTPConnection('', options);
      await conn.request('GET', '/eof-response');
      expect(await thrown(() => conn.getresponse()), exception.name).toBeInstanceOf(exception);
      expect(conn.sock).toBeNull();
      // HTTPConnection.connect() should be automatically invoked
      await conn.request('GET', '/reconnect');
      expect(conn.connections).toBe(2);
    }
  });

  it('test_100_close', async () => {
    const conn = new FakeSocketHTTPConnection(
      'HTTP/1.1 100 Continue\r\n' +
        '\r\n',
      // Missing final response
    );
    await conn.request('GET', '/', null, { Expect: '100-continue' });
    expect(await thrown(() => conn.getresponse())).toBeInstanceOf(RemoteDisconnected);
    expect(conn.sock).toBeNull();
    await conn.request('GET', '/reconnect');
    expect(conn.connections).toBe(2);
  });
});
