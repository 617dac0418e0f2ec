// The parts of Python's `ssl` module an HTTPS client needs: SSLContext with
// its verification settings, create_default_context() and the explicitly
// unverified context. A context only describes TLS; the transport makes the
// connection (Node reads the CA and certificate files there), so this file
// does no I/O and runs anywhere.
import type { TlsOptions } from '../transport/types.js';
import { TypeError as PyTypeError, ValueError } from './exceptions.js';

/**
 * Checks, where the runtime has files, that a CA or certificate file can
 * be read, so that a wrong path fails where Python's does (at load time,
 * FileNotFoundError) and not at the first connect. Set by the Node entry.
 */
export const sslFiles: { check: ((path: string) => void) | null } = { check: null };

/** `ssl.CERT_NONE`: the peer's certificate is not checked. */
export const CERT_NONE = 0;
/** `ssl.CERT_OPTIONAL`: for a client, the same as CERT_REQUIRED. */
export const CERT_OPTIONAL = 1;
/** `ssl.CERT_REQUIRED`: the peer's certificate must verify. */
export const CERT_REQUIRED = 2;
/** `ssl.PROTOCOL_TLS_CLIENT`: a client context (verifies by default). */
export const PROTOCOL_TLS_CLIENT = 16;
/** `ssl.PROTOCOL_TLS_SERVER`, accepted for completeness; httpwire has no server side. */
export const PROTOCOL_TLS_SERVER = 17;

/** `ssl.TLSVersion`: the values `minimum_version` / `maximum_version` take. */
export const TLSVersion = {
  MINIMUM_SUPPORTED: 'MINIMUM_SUPPORTED',
  TLSv1: 'TLSv1',
  TLSv1_1: 'TLSv1.1',
  TLSv1_2: 'TLSv1.2',
  TLSv1_3: 'TLSv1.3',
  MAXIMUM_SUPPORTED: 'MAXIMUM_SUPPORTED',
} as const;
export type TLSVersion = (typeof TLSVersion)[keyof typeof TLSVersion];

/** `ssl.Purpose`: what a default context is for. */
export const Purpose = { SERVER_AUTH: 'SERVER_AUTH', CLIENT_AUTH: 'CLIENT_AUTH' } as const;

/** A certificate given as DER bytes becomes PEM, the form every TLS stack takes. */
function derToPem(der: Uint8Array): string {
  let bin = '';
  for (let i = 0; i < der.length; i++) bin += String.fromCharCode(der[i]!);
  const b64 = btoa(bin).replace(/.{64}/g, '$&\n');
  return `-----BEGIN CERTIFICATE-----\n${b64}\n-----END CERTIFICATE-----\n`;
}

/**
 * Python's `ssl.SSLContext` for a client: which certificates are trusted,
 * whether the certificate and host name are checked, the client
 * certificate, ALPN and the TLS versions. `new SSLContext()` is a
 * PROTOCOL_TLS_CLIENT context: CERT_REQUIRED with check_hostname, and no
 * trusted CA until one is loaded (as Python's).
 */
export class SSLContext {
  readonly protocol: number;
  private _check_hostname: boolean;
  private _verify_mode: number;
  minimum_version: TLSVersion | null = null;
  maximum_version: TLSVersion | null = null;
  /** Python sets it in http.client; kept for code that reads it. TLS 1.3 post-handshake auth is not offered. */
  post_handshake_auth: boolean | null = null;
  private readonly caFiles: string[] = [];
  private readonly caPaths: string[] = [];
  private readonly caData: string[] = [];
  private systemCA = false;
  private cert: { certfile: string; keyfile?: string; password?: string } | null = null;
  private alpn: string[] | null = null;

  constructor(protocol: number = PROTOCOL_TLS_CLIENT) {
    this.protocol = protocol;
    const client = protocol === PROTOCOL_TLS_CLIENT;
    this._check_hostname = client;
    this._verify_mode = client ? CERT_REQUIRED : CERT_NONE;
  }

  /** Whether the host name must match the certificate. Enabling it turns CERT_NONE into CERT_REQUIRED. */
  get check_hostname(): boolean {
    return this._check_hostname;
  }

  set check_hostname(value: boolean) {
    if (value && this._verify_mode === CERT_NONE) this._verify_mode = CERT_REQUIRED;
    this._check_hostname = Boolean(value);
  }

  /** CERT_NONE, CERT_OPTIONAL or CERT_REQUIRED. CERT_NONE needs check_hostname off first (ValueError). */
  get verify_mode(): number {
    return this._verify_mode;
  }

  set verify_mode(value: number) {
    if (value !== CERT_NONE && value !== CERT_OPTIONAL && value !== CERT_REQUIRED) {
      throw new ValueError('invalid value for verify_mode');
    }
    if (value === CERT_NONE && this._check_hostname) {
      throw new ValueError('Cannot set verify_mode to CERT_NONE when check_hostname is enabled.');
    }
    this._verify_mode = value;
  }

  /**
   * Trusts the CA certificates in `cafile` (PEM file), `capath` (a
   * directory of PEM files) and/or `cadata` (PEM text, or DER bytes).
   * Files are read when connecting, by the transport.
   */
  load_verify_locations(cafile?: string | null, capath?: string | null, cadata?: string | Uint8Array | null): void {
    if (typeof cafile === 'object' && cafile !== null) {
      const o = cafile as { cafile?: string; capath?: string; cadata?: string | Uint8Array };
      return this.load_verify_locations(o.cafile ?? null, o.capath ?? null, o.cadata ?? null);
    }
    if (cafile == null && capath == null && cadata == null) {
      throw new PyTypeError('cafile, capath and cadata cannot be all omitted');
    }
    if (cafile != null) {
      sslFiles.check?.(cafile);
      this.caFiles.push(cafile);
    }
    if (capath != null) this.caPaths.push(capath);
    if (cadata != null) {
      if (typeof cadata === 'string') this.caData.push(cadata);
      else if (cadata instanceof Uint8Array) this.caData.push(derToPem(cadata));
      else throw new PyTypeError('cadata should be an ASCII string or a bytes-like object');
    }
  }

  /** Trusts the system's CA certificates (Python's default for create_default_context). */
  load_default_certs(purpose: string = Purpose.SERVER_AUTH): void {
    void purpose;
    this.systemCA = true;
  }

  /** Same as `load_default_certs()`. */
  set_default_verify_paths(): void {
    this.systemCA = true;
  }

  /** The client certificate chain and key (PEM files); `password` decrypts the key. */
  load_cert_chain(certfile: string, keyfile?: string | null, password?: string | (() => string) | null): void {
    sslFiles.check?.(certfile);
    if (keyfile != null) sslFiles.check?.(keyfile);
    const pw = typeof password === 'function' ? password() : password;
    this.cert = { certfile };
    if (keyfile != null) this.cert.keyfile = keyfile;
    if (pw != null) this.cert.password = pw;
  }

  /** The ALPN protocols to offer, in order of preference. */
  set_alpn_protocols(protocols: Iterable<string>): void {
    this.alpn = Array.from(protocols);
  }

  /**
   * The transport's TLS options for a connection to `hostname` (the name
   * verified and sent as SNI; an IP address is verified but not sent).
   */
  tlsOptions(hostname: string): TlsOptions {
    const out: TlsOptions = { hostname };
    if (!/^[\d.]+$/.test(hostname) && !hostname.includes(':')) out.servername = hostname;
    out.rejectUnauthorized = this._verify_mode !== CERT_NONE;
    out.checkHostname = this._check_hostname;
    if (this.caFiles.length) out.caFile = [...this.caFiles];
    if (this.caPaths.length) out.caPath = this.caPaths[0]!;
    if (this.caData.length) out.ca = this.caData.join('\n');
    if (this.systemCA) out.systemCA = true;
    if (this.cert) {
      out.certFile = this.cert.certfile;
      out.keyFile = this.cert.keyfile ?? this.cert.certfile;
      if (this.cert.password !== undefined) out.passphrase = this.cert.password;
    }
    if (this.alpn) out.ALPNProtocols = [...this.alpn];
    const min = this.minimum_version;
    if (min && min !== TLSVersion.MINIMUM_SUPPORTED && min !== TLSVersion.MAXIMUM_SUPPORTED) out.minVersion = min;
    const max = this.maximum_version;
    if (max && max !== TLSVersion.MINIMUM_SUPPORTED && max !== TLSVersion.MAXIMUM_SUPPORTED) out.maxVersion = max;
    return out;
  }
}

/** Options of `create_default_context` (Python's keyword arguments). */
export interface DefaultContextOptions {
  cafile?: string | null;
  capath?: string | null;
  cadata?: string | Uint8Array | null;
}

/**
 * Python's `ssl.create_default_context(purpose, *, cafile, capath,
 * cadata)`: verifies certificates and host names, TLS 1.2 or later;
 * trusts the given CAs, or the system's when none is given. The purpose
 * may be omitted (`create_default_context({ cafile })`).
 */
export function create_default_context(
  purpose: string | DefaultContextOptions = Purpose.SERVER_AUTH,
  options: DefaultContextOptions = {},
): SSLContext {
  if (typeof purpose === 'object') {
    options = purpose;
    purpose = Purpose.SERVER_AUTH;
  }
  const ctx = new SSLContext(purpose === Purpose.SERVER_AUTH ? PROTOCOL_TLS_CLIENT : PROTOCOL_TLS_SERVER);
  ctx.minimum_version = TLSVersion.TLSv1_2;
  const { cafile, capath, cadata } = options;
  if (cafile != null || capath != null || cadata != null) ctx.load_verify_locations(cafile, capath, cadata);
  else ctx.load_default_certs(purpose);
  return ctx;
}

/**
 * Python's `ssl._create_unverified_context()`: TLS without certificate or
 * host name checks. Anyone on the path can read and change the traffic;
 * use it only for local testing.
 */
export function _create_unverified_context(): SSLContext {
  const ctx = new SSLContext(PROTOCOL_TLS_CLIENT);
  ctx.check_hostname = false;
  ctx.verify_mode = CERT_NONE;
  ctx.load_default_certs();
  return ctx;
}

/** `create_default_context` under a JavaScript name. */
export const createDefaultContext = create_default_context;
/** `_create_unverified_context` under a JavaScript name. */
export const createUnverifiedContext = _create_unverified_context;
