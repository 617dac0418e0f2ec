// urllib3's RequestMethods (urllib3/_request_methods.py), filepost.py and
// util/url.py, the parts a request needs: `fields` as a query string (GET,
// HEAD, DELETE, OPTIONS) or as a urlencoded or multipart/form-data body;
// `json` as a UTF-8 JSON body; URL parsing; make_headers().
import { concatBytes } from '../core/buffer.js';
import { latin1Decode, latin1Encode } from '../core/latin1.js';
import { decoders } from './decode.js';
import { LocationParseError } from './errors.js';
import { hasHeader, withHeader, type Headers } from './headers.js';

/** Methods whose `fields` go into the URL (urllib3's `_encode_url_methods`). */
const URL_METHODS = new Set(['DELETE', 'GET', 'HEAD', 'OPTIONS']);

/** A field value: text, bytes, or a file as [filename, data] or [filename, data, content type]. */
export type FieldValue = string | number | Uint8Array | [string, string | Uint8Array] | [string, string | Uint8Array, string];

/** Fields: an object or [name, value] pairs (repeated names allowed). */
export type Fields = Record<string, FieldValue> | Iterable<readonly [string, FieldValue]>;

export type { Headers } from './headers.js';

const utf8 = new TextEncoder();

function fieldEntries(fields: Fields): [string, FieldValue][] {
  if (typeof (fields as Iterable<unknown>)[Symbol.iterator] === 'function') {
    return Array.from(fields as Iterable<readonly [string, FieldValue]>, ([k, v]) => [k, v]);
  }
  return Object.entries(fields as Record<string, FieldValue>);
}

/** Python's `urlencode(fields)` (quote_plus, UTF-8). */
export function urlencode(fields: Fields): string {
  return fieldEntries(fields)
    .map(([k, v]) => {
      const value = Array.isArray(v) ? v[1] : v;
      const text = value instanceof Uint8Array ? latin1Decode(value) : String(value);
      return `${quotePlus(k)}=${quotePlus(text)}`;
    })
    .join('&');
}

/** Python's `quote_plus`: unreserved `A-Za-z0-9_.-~` kept, space as `+`, the rest %XX of UTF-8. */
function quotePlus(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase()).replace(/%20/g, '+');
}

/** A random multipart boundary: 32 hex digits, as urllib3's `choose_boundary()`. */
export function choose_boundary(): string {
  const b = new Uint8Array(16);
  crypto.getRandomValues(b);
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

/** A Content-Disposition parameter value, quoted as urllib3's HTML5 style (`"` and CR/LF escaped). */
function dispositionParam(name: string, value: string): string {
  const escaped = value.replace(/[\n\r"]/g, (c) => ({ '\n': '%0A', '\r': '%0D', '"': '%22' })[c]!);
  return `${name}="${escaped}"`;
}

/**
 * urllib3's `encode_multipart_formdata(fields, boundary)`: the body and its
 * Content-Type. A file field gets `filename` and its content type
 * (application/octet-stream by default); a plain field neither.
 */
export function encode_multipart_formdata(fields: Fields, boundary: string = choose_boundary()): [Uint8Array, string] {
  const parts: Uint8Array[] = [];
  for (const [name, value] of fieldEntries(fields)) {
    let head = `--${boundary}\r\nContent-Disposition: form-data; ${dispositionParam('name', name)}`;
    let data: string | Uint8Array | number;
    if (Array.isArray(value)) {
      const [filename, content, type] = value;
      head += `; ${dispositionParam('filename', filename)}\r\nContent-Type: ${type ?? 'application/octet-stream'}`;
      data = content;
    } else {
      data = value;
    }
    parts.push(utf8.encode(head + '\r\n\r\n'));
    parts.push(data instanceof Uint8Array ? data : utf8.encode(String(data)));
    parts.push(utf8.encode('\r\n'));
  }
  parts.push(utf8.encode(`--${boundary}--\r\n`));
  return [concatBytes(parts), `multipart/form-data; boundary=${boundary}`];
}

/** The body options of `request()`. */
export interface RequestBodyOptions {
  body?: unknown;
  fields?: Fields | null;
  json?: unknown;
  headers?: Headers | null;
  /** Multipart (default) or urlencoded `fields` in a body. */
  encode_multipart?: boolean;
  multipart_boundary?: string;
}

/**
 * urllib3's `request()` encoding: the URL (fields in the query for
 * GET/HEAD/DELETE/OPTIONS), body and headers. `body`, `fields` and
 * `json` are exclusive (TypeError, as urllib3).
 */
export function encodeRequest(method: string, url: string, o: RequestBodyOptions, defaultHeaders: Headers): { url: string; body: unknown; headers: Headers } {
  const given = [o.body !== undefined && o.body !== null, o.fields !== undefined && o.fields !== null, o.json !== undefined].filter(Boolean).length;
  if (given > 1) throw new TypeError("request got values for more than one of 'body', 'fields' and 'json'");
  // Copied only when changed below: the caller's object is never modified.
  let headers: Headers = o.headers ?? defaultHeaders;
  let body = o.body ?? null;
  if (o.json !== undefined) {
    if (!hasHeader(headers, 'content-type')) headers = withHeader(headers, 'Content-Type', 'application/json');
    body = utf8.encode(JSON.stringify(o.json));
  }
  if (o.fields) {
    if (URL_METHODS.has(method.toUpperCase())) {
      const q = urlencode(o.fields);
      if (q) url += (url.includes('?') ? '&' : '?') + q;
    } else if (o.encode_multipart ?? true) {
      const [b, type] = encode_multipart_formdata(o.fields, o.multipart_boundary);
      body = b;
      headers = withHeader(headers, 'Content-Type', type);
    } else {
      body = latin1Encode(urlencode(o.fields));
      headers = withHeader(headers, 'Content-Type', 'application/x-www-form-urlencoded');
    }
  }
  return { url, body, headers };
}

/** A parsed absolute URL: scheme, host (no brackets), port (null when default), and the request target. */
export interface Url {
  scheme: string;
  host: string;
  port: number | null;
  /** Path and query (`/` at least): the request target in origin form. */
  request_uri: string;
  /** The whole URL, normalised. */
  url: string;
  auth: string | null;
}

/** urllib3's `parse_url` for http/https URLs (WHATWG parsing); LocationParseError if it does not parse. */
export function parse_url(url: string): Url {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    // urllib3 accepts a URL without a scheme (an HTTP URL then); one with a scheme that does not parse is refused.
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(url)) throw new LocationParseError(url);
    try {
      u = new URL('http://' + url);
    } catch {
      throw new LocationParseError(url);
    }
  }
  const scheme = u.protocol.slice(0, -1).toLowerCase();
  let host = u.hostname;
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
  const auth = u.username ? decodeURIComponent(u.username) + (u.password ? ':' + decodeURIComponent(u.password) : '') : null;
  return { scheme, host, port: u.port ? Number(u.port) : null, request_uri: (u.pathname || '/') + u.search, url: u.href, auth };
}

/** Options of `make_headers()`. */
export interface MakeHeadersOptions {
  keep_alive?: boolean;
  /** true: "gzip,deflate", plus br and zstd where this runtime decodes them; or a list or a string. */
  accept_encoding?: boolean | string | string[];
  user_agent?: string;
  /** "user:password" */
  basic_auth?: string;
  proxy_basic_auth?: string;
  disable_cache?: boolean;
}

function base64Latin1(s: string): string {
  return btoa(String.fromCharCode(...latin1Encode(s)));
}

/** The codings this runtime decodes, in urllib3's order (gzip, deflate, then br and zstd where available). */
function decodable(): string[] {
  return ['gzip', 'deflate', 'br', 'zstd'].filter((c) => decoders.factory(c) !== null);
}

/** urllib3's `make_headers()`: common request headers from keywords. */
export function make_headers(o: MakeHeadersOptions = {}): Record<string, string> {
  const h: Record<string, string> = {};
  if (o.accept_encoding) {
    const ae = o.accept_encoding;
    h['accept-encoding'] = typeof ae === 'string' ? ae : Array.isArray(ae) ? ae.join(',') : decodable().join(',');
  }
  if (o.user_agent) h['user-agent'] = o.user_agent;
  if (o.keep_alive) h['connection'] = 'keep-alive';
  if (o.basic_auth) h['authorization'] = `Basic ${base64Latin1(o.basic_auth)}`;
  if (o.proxy_basic_auth) h['proxy-authorization'] = `Basic ${base64Latin1(o.proxy_basic_auth)}`;
  if (o.disable_cache) h['cache-control'] = 'no-cache';
  return h;
}
