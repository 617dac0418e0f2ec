// The Deno and Workers transport factories, in Node, over fakes of the
// runtimes' socket APIs (what they are asked for, how their errors come
// back). The real runtimes run them in test/runtimes/.
import { afterEach, describe, expect, it } from 'vitest';
import { HTTPSConnection, SSLCertVerificationError, create_default_context, _create_unverified_context } from '../../src/index.js';
import { denoTransportFactory } from '../../src/transport/deno.js';
import { workersTransportFactory, type WorkersConnect } from '../../src/transport/workers.js';
import { TransportError } from '../../src/transport/types.js';
import { recordingSink, rejection as rejectionOf } from '../support/stream-pair.js';

const emptyReadable = () => new ReadableStream<Uint8Array>({ start: (c) => c.close() });

const rejection = (p: Promise<unknown>) => rejectionOf(p, Error);

describe('workersTransportFactory', () => {
  function fakeConnect(opened: Promise<object> = Promise.resolve({})) {
    const calls: unknown[][] = [];
    const connect: WorkersConnect = (address, options) => {
      calls.push([address, options]);
      return { readable: emptyReadable(), writable: recordingSink().writable, opened, close: async () => {} };
    };
    return { connect, calls };
  }

  it("asks connect() for plain TCP or the runtime's TLS, half-open", async () => {
    const { connect, calls } = fakeConnect();
    const factory = workersTransportFactory(connect);
    await factory({ host: 'example.com', port: 80 });
    await factory({ host: 'example.com', port: 443, tls: { hostname: 'example.com' } });
    expect(calls).toEqual([
      [{ hostname: 'example.com', port: 80 }, { secureTransport: 'off', allowHalfOpen: true }],
      [{ hostname: 'example.com', port: 443 }, { secureTransport: 'on', allowHalfOpen: true }],
    ]);
  });

  it('refuses a context that turns verification off (Workers always verify)', async () => {
    const { connect, calls } = fakeConnect();
    const err = await rejection(workersTransportFactory(connect)({ host: 'h', port: 443, tls: { rejectUnauthorized: false } }));
    expect((err as TransportError).code).toBe('EOPNOTSUPP');
    expect(calls).toEqual([]);
  });

  it('reports a socket that fails to open as refused', async () => {
    const { connect } = fakeConnect(Promise.reject(new Error('connection refused')));
    const err = await rejection(workersTransportFactory(connect)({ host: 'h', port: 1 }));
    expect((err as TransportError).code).toBe('ECONNREFUSED');
  });
});

describe('denoTransportFactory', () => {
  const calls: unknown[][] = [];
  let handshakeError: Error | null = null;
  const conn = () => ({
    readable: emptyReadable(),
    writable: recordingSink().writable,
    remoteAddr: { hostname: '127.0.0.1', port: 443 },
    close: () => calls.push(['close']),
    handshake: async () => {
      if (handshakeError) throw handshakeError;
    },
  });
  (globalThis as { Deno?: unknown }).Deno = {
    connect: async (o: unknown) => (calls.push(['connect', o]), conn()),
    connectTls: async (o: unknown) => (calls.push(['connectTls', o]), conn()),
    startTls: async () => conn(),
    readTextFileSync: (path: string) => `PEM from ${path}`,
  };
  afterEach(() => {
    calls.length = 0;
    handshakeError = null;
  });

  it('connects with Deno.connect, or Deno.connectTls with the CAs and ALPN of the context', async () => {
    const plain = await denoTransportFactory({ host: 'example.com', port: 80 });
    expect(plain.peer).toEqual({ address: '127.0.0.1', port: 443 });
    await denoTransportFactory({ host: 'example.com', port: 443, tls: { hostname: 'example.com', caFile: '/ca.pem', ca: 'PEM', ALPNProtocols: ['http/1.1'] } });
    expect(calls).toEqual([
      ['connect', { hostname: 'example.com', port: 80 }],
      ['connectTls', { hostname: 'example.com', port: 443, caCerts: ['PEM from /ca.pem', 'PEM'], alpnProtocols: ['http/1.1'] }],
    ]);
  });

  it("raises Python's SSLCertVerificationError for rustls' certificate errors at connect", async () => {
    for (const [message, verify] of [
      ['invalid peer certificate: UnknownIssuer', 'unable to get local issuer certificate'],
      ['invalid peer certificate: certificate not valid for name "example.com"; certificate is only valid for DnsName("x")', "Hostname mismatch, certificate is not valid for 'example.com'."],
      ['invalid peer certificate: Expired', 'certificate has expired'],
    ]) {
      handshakeError = Object.assign(new Error(message), { name: 'InvalidData' });
      const conn = new HTTPSConnection('example.com', 443, { context: create_default_context(), transportFactory: denoTransportFactory });
      const err = await rejection(conn.connect());
      expect(err).toBeInstanceOf(SSLCertVerificationError);
      expect(err.message).toBe(`[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: ${verify}`);
      expect(calls.at(-1)).toEqual(['close']);
    }
  });

  it('refuses an unverified context rather than verify silently', async () => {
    const conn = new HTTPSConnection('example.com', 443, { context: _create_unverified_context(), transportFactory: denoTransportFactory });
    expect((await rejection(conn.connect())).message).toMatch(/Deno's TLS cannot turn certificate or host name verification off/);
    expect(calls).toEqual([]);
  });
});
