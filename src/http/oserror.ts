// Transport failures as the Python exceptions a socket raises: the
// transport layer reports errno-style codes (TransportError), and this is
// the one place they become OSError subclasses with Linux's errno numbers
// and strerror texts, as CPython on Linux shows them.
import { TransportError } from '../transport/types.js';
import {
  BrokenPipeError,
  ConnectionAbortedError,
  ConnectionRefusedError,
  ConnectionResetError,
  gaierror,
  OSError,
  SSLCertVerificationError,
  SSLEOFError,
  SSLError,
  TimeoutError,
  type BaseException,
} from './exceptions.js';

type OSErrorClass = new (...args: unknown[]) => OSError;

/** errno code -> [class, Linux errno, strerror]. */
const BY_CODE: Record<string, [OSErrorClass, number, string]> = {
  ECONNREFUSED: [ConnectionRefusedError, 111, 'Connection refused'],
  ECONNRESET: [ConnectionResetError, 104, 'Connection reset by peer'],
  ECONNABORTED: [ConnectionAbortedError, 103, 'Software caused connection abort'],
  EPIPE: [BrokenPipeError, 32, 'Broken pipe'],
  EHOSTUNREACH: [OSError, 113, 'No route to host'],
  ENETUNREACH: [OSError, 101, 'Network is unreachable'],
  EADDRINUSE: [OSError, 98, 'Address already in use'],
  EADDRNOTAVAIL: [OSError, 99, 'Cannot assign requested address'],
  EACCES: [OSError, 13, 'Permission denied'],
  EINVAL: [OSError, 22, 'Invalid argument'],
  ECLOSED: [OSError, 9, 'Bad file descriptor'],
};

/** Node's certificate error codes -> OpenSSL's verify code and message. */
const VERIFY: Record<string, [number, string]> = {
  DEPTH_ZERO_SELF_SIGNED_CERT: [18, 'self-signed certificate'],
  SELF_SIGNED_CERT_IN_CHAIN: [19, 'self-signed certificate in certificate chain'],
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: [20, 'unable to get local issuer certificate'],
  UNABLE_TO_GET_ISSUER_CERT: [2, 'unable to get issuer certificate'],
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: [21, 'unable to verify the first certificate'],
  CERT_HAS_EXPIRED: [10, 'certificate has expired'],
  CERT_NOT_YET_VALID: [9, 'certificate is not yet valid'],
  CERT_REVOKED: [23, 'certificate revoked'],
  CERT_UNTRUSTED: [27, 'certificate not trusted'],
  CERT_REJECTED: [28, 'certificate rejected'],
};

/**
 * The Python exception for a transport failure `e` (a TransportError;
 * anything else is returned unchanged): TimeoutError('timed out'),
 * ConnectionRefusedError(111, 'Connection refused'), ...,
 * socket.gaierror(-2, 'Name or service not known'), and
 * ssl.SSLCertVerificationError for a certificate or host name that did not
 * verify. The TransportError is kept as `cause`. `host`: the name that was
 * verified, for the host-name-mismatch message.
 */
export function pythonError(e: unknown, host?: string): unknown {
  if (!(e instanceof TransportError)) return e;
  const code = e.code;
  let out: BaseException;
  const known = BY_CODE[code];
  if (code === 'ETIMEDOUT') {
    out = new TimeoutError('timed out');
  } else if (code === 'ESSLEOF') {
    // CPython 3.13's text, without its `(_ssl.c:NNNN)` source location (as every SSLError here).
    const err = new SSLEOFError(8, '[SSL: UNEXPECTED_EOF_WHILE_READING] EOF occurred in violation of protocol');
    err.reason = 'UNEXPECTED_EOF_WHILE_READING';
    err.library = 'SSL';
    out = err;
  } else if (known) {
    out = new known[0](known[1], known[2]);
  } else if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EAI_FAIL') {
    out = code === 'EAI_AGAIN' ? new gaierror(-3, 'Temporary failure in name resolution') : new gaierror(-2, 'Name or service not known');
  } else if (code === 'ERR_TLS_CERT_ALTNAME_INVALID' || VERIFY[code]) {
    // OpenSSL reports an IP address literal apart from a host name.
    const ip = host !== undefined && (/^\d{1,3}(\.\d{1,3}){3}$/.test(host) || host.includes(':'));
    const mismatch: [number, string] = ip
      ? [64, `IP address mismatch, certificate is not valid for '${host}'.`]
      : [62, `Hostname mismatch, certificate is not valid for '${host ?? ''}'.`];
    const [verifyCode, verifyMessage] = VERIFY[code] ?? mismatch;
    const err = new SSLCertVerificationError(1, `[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: ${verifyMessage}`);
    err.reason = 'CERTIFICATE_VERIFY_FAILED';
    err.library = 'SSL';
    err.verify_code = verifyCode;
    err.verify_message = verifyMessage;
    out = err;
  } else if (code.startsWith('ERR_SSL_') || code.startsWith('ERR_TLS_') || /ssl|tls/i.test(e.message)) {
    const reason = code.startsWith('ERR_SSL_') ? code.slice(8) : code;
    // OpenSSL's text is 'id:error:code:SSL routines:function:reason:file:line:'; Python shows the reason.
    const text = /SSL routines:[^:]*:([^:]+)/.exec(e.message)?.[1] ?? e.message;
    const err = new SSLError(1, `[SSL: ${reason}] ${text}`);
    err.reason = reason;
    err.library = 'SSL';
    out = err;
  } else {
    out = e.errno !== undefined ? new OSError(e.errno, e.message) : new OSError(e.message);
  }
  Object.defineProperty(out, 'cause', { value: e, writable: true, configurable: true });
  if (e.phase !== undefined) (out as Placed).phase = e.phase;
  return out;
}

/** Where a connection error happened: 'connect' and 'tls' mean no byte of the request was sent. */
export type ErrorPhase = 'connect' | 'tls' | 'write' | 'read';

/** The attributes a connection or timeout error carries besides CPython's. */
export interface Placed {
  host?: string;
  port?: number;
  phase?: ErrorPhase;
}

/**
 * Adds `host`, `port` and `phase` to `err` when it is an OSError (a
 * timeout, reset, refusal, TLS failure, RemoteDisconnected) that does not
 * carry them yet; its text stays CPython's. A phase the transport already
 * set (connect or tls) is kept. Returns `err`.
 */
export function placeError<T>(err: T, host: string, port: number, phase: ErrorPhase): T {
  if (err instanceof OSError) {
    const p = err as unknown as Placed;
    if (p.host === undefined) p.host = host;
    if (p.port === undefined) p.port = port;
    if (p.phase === undefined) p.phase = phase;
  }
  return err;
}
