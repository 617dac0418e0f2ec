// Deno's sockets as a transport: Deno.connect / Deno.connectTls give a conn
// with `readable` and `writable` streams, and Deno.startTls upgrades one
// inside a CONNECT tunnel. Reached only from the `deno` entry; no node:*.
import { refuseUnverified, streamTransportFactory, type StreamPair } from './streams.js';
import { TransportError, type TlsOptions, type TransportFactory } from './types.js';

/** rustls' certificate errors (in Deno's messages) -> the Node codes src/http maps to ssl errors. */
const CERT_ERRORS: [RegExp, string][] = [
  [/UnknownIssuer|unknown issuer/i, 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY'],
  [/NotValidForName|not valid for name/i, 'ERR_TLS_CERT_ALTNAME_INVALID'],
  [/NotValidYet|not valid yet/i, 'CERT_NOT_YET_VALID'],
  [/expired/i, 'CERT_HAS_EXPIRED'],
  [/revoked/i, 'CERT_REVOKED'],
  [/CaUsedAsEndEntity|self-?signed/i, 'DEPTH_ZERO_SELF_SIGNED_CERT'],
];

/**
 * Runs the TLS handshake now (Deno defers it to the first read or write),
 * so a refused certificate fails the connect, as in Python.
 */
async function handshake(conn: DenoConn): Promise<DenoConn> {
  try {
    await conn.handshake?.();
  } catch (err) {
    conn.close();
    const message = err instanceof Error ? err.message : String(err);
    // The peer closed cleanly mid-handshake: OpenSSL's (and Python's) SSLEOFError.
    const name = (err as { name?: unknown } | null)?.name;
    let code: string;
    if (name === 'UnexpectedEof') code = 'ESSLEOF';
    else if (name === 'ConnectionReset') code = 'ECONNRESET';
    else if (!/^invalid peer certificate/.test(message)) code = 'ERR_TLS_HANDSHAKE_FAILED';
    else code = CERT_ERRORS.find(([re]) => re.test(message))?.[1] ?? 'CERT_REJECTED';
    const te = new TransportError(code, message, { cause: err });
    te.phase = 'tls';
    throw te;
  }
  return conn;
}

/** The part of a Deno.Conn (and Deno.TlsConn) we use. */
interface DenoConn {
  readable: ReadableStream<Uint8Array>;
  writable: WritableStream<Uint8Array>;
  remoteAddr?: { hostname?: string; port?: number };
  close(): void;
  handshake?(): Promise<unknown>;
  ref?(): void;
  unref?(): void;
}

/** The part of the `Deno` namespace we use. */
interface DenoNamespace {
  connect(options: { hostname: string; port: number; transport?: 'tcp' }): Promise<DenoConn>;
  connectTls(options: { hostname: string; port: number; caCerts?: string[]; alpnProtocols?: string[] }): Promise<DenoConn>;
  startTls(conn: DenoConn, options: { hostname: string; caCerts?: string[]; alpnProtocols?: string[] }): Promise<DenoConn>;
  readTextFileSync(path: string): string;
}

function denoNamespace(): DenoNamespace {
  const deno = (globalThis as { Deno?: DenoNamespace }).Deno;
  if (!deno) throw new TypeError('Deno is not available in this runtime');
  return deno;
}

/**
 * Deno's TLS settings from ours: CAs (given, or read from `caFile`) and
 * ALPN. Deno always verifies the certificate and host name; a context that
 * turns verification off is refused rather than silently verified.
 */
function denoTls(deno: DenoNamespace, tls: TlsOptions): { caCerts?: string[]; alpnProtocols?: string[] } {
  refuseUnverified(tls, 'Deno');
  const caCerts: string[] = [];
  for (const f of tls.caFile === undefined ? [] : Array.isArray(tls.caFile) ? tls.caFile : [tls.caFile]) caCerts.push(deno.readTextFileSync(f));
  if (tls.ca !== undefined) caCerts.push(typeof tls.ca === 'string' ? tls.ca : new TextDecoder().decode(tls.ca));
  const out: { caCerts?: string[]; alpnProtocols?: string[] } = {};
  if (caCerts.length > 0) out.caCerts = caCerts;
  if (tls.ALPNProtocols) out.alpnProtocols = tls.ALPNProtocols;
  return out;
}

function pairOf(deno: DenoNamespace, conn: DenoConn): StreamPair {
  const pair: StreamPair = {
    readable: conn.readable,
    writable: conn.writable,
    close: () => conn.close(),
    ref: () => conn.ref?.(),
    unref: () => conn.unref?.(),
    startTls: async (tls) => pairOf(deno, await handshake(await deno.startTls(conn, { hostname: tls.hostname ?? '', ...denoTls(deno, tls) }))),
  };
  const { hostname, port } = conn.remoteAddr ?? {};
  if (hostname !== undefined && port !== undefined) pair.peer = { address: hostname, port };
  return pair;
}

/** Connects with Deno.connect (Deno.connectTls for HTTPS). Needs `--allow-net`. */
export const denoTransportFactory: TransportFactory = streamTransportFactory(async (options) => {
  const deno = denoNamespace();
  const conn = options.tls
    ? await handshake(await deno.connectTls({ hostname: options.host, port: options.port, ...denoTls(deno, options.tls) }))
    : await deno.connect({ hostname: options.host, port: options.port });
  return pairOf(deno, conn);
});
