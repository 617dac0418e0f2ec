// Cloudflare Workers' sockets as a transport: `connect()` from
// `cloudflare:sockets` gives a socket with `readable` and `writable`
// streams and an `opened` promise. The function is passed in, so this
// module imports no runtime-specific module (the `workerd` entry passes it).
import { refuseUnverified, streamTransportFactory } from './streams.js';
import type { TransportFactory } from './types.js';

/** The part of a Workers Socket we use. */
export interface WorkersSocket {
  readable: ReadableStream<Uint8Array>;
  writable: WritableStream<Uint8Array>;
  opened: Promise<{ remoteAddress?: string | null }>;
  close(): Promise<void>;
}

/** `connect` from `cloudflare:sockets`. */
export type WorkersConnect = (
  address: { hostname: string; port: number },
  options?: { secureTransport?: 'off' | 'on' | 'starttls'; allowHalfOpen?: boolean },
) => WorkersSocket;

/**
 * A TransportFactory over Workers' `connect()`. TLS is the runtime's
 * (`secureTransport: 'on'`: the system's roots, always verified); HTTPS
 * through a CONNECT tunnel is not offered.
 */
export function workersTransportFactory(connect: WorkersConnect): TransportFactory {
  return streamTransportFactory(async (options) => {
    if (options.tls) refuseUnverified(options.tls, 'Workers');
    const socket = connect(
      { hostname: options.host, port: options.port },
      { secureTransport: options.tls ? 'on' : 'off', allowHalfOpen: true },
    );
    // A refused connection rejects `opened` (and errors the streams).
    await socket.opened;
    return { readable: socket.readable, writable: socket.writable, close: () => socket.close() };
  });
}
