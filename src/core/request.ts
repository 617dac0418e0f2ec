// Request-side rules, sans-IO: the checks CPython's http.client makes before
// anything is written (the CR/LF-injection guards), the Host header's form,
// and chunk framing. Pure functions over strings and bytes; the http layer
// turns a failed check into the Python exception.
import { Limit } from '../abi/index.js';

/**
 * The first character CPython refuses in a URL path or host
 * (`_contains_disallowed_url_pchar_re`: `[\x00-\x20\x7f]`), or null.
 */
export function disallowedUrlChar(text: string): string | null {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c <= 0x20 || c === 0x7f) return text[i]!;
  }
  return null;
}

/**
 * The first character refused in a method, or null: CPython's
 * `[\x00-\x1f]`, and DEL; `strict` also refuses a space (a method is a
 * token: a space shifts the request line's fields).
 */
export function disallowedMethodChar(text: string, strict = false): string | null {
  const limit = strict ? 0x20 : 0x1f;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c <= limit || c === 0x7f) return text[i]!;
  }
  return null;
}

/**
 * CPython's `_is_legal_header_name` (`[^:\s][^:\r\n]*` matches the whole
 * name: no colon, no CR/LF, no leading whitespace), and also no control
 * byte or DEL anywhere (CPython sends `X-Na\0me` as given; servers
 * truncate it differently; docs/differences.md). `strict` also refuses a
 * space inside the name (`Key Space`, which CPython's tests allow).
 */
export function isLegalHeaderName(name: Uint8Array, strict = false): boolean {
  if (name.length === 0 || name[0] === 0x20) return false;
  const limit = strict ? 0x20 : 0x1f;
  for (let i = 0; i < name.length; i++) {
    const c = name[i]!;
    if (c === 0x3a || c <= limit || c === 0x7f) return false;
  }
  return true;
}

/**
 * A header value that must not be sent. CPython's `_is_illegal_header_value`:
 * a LF not followed by SP/HT, or a CR not followed by SP/HT/LF (an obs-fold
 * continuation goes through, as CPython's tests require); and also NUL, the
 * other control bytes except HTAB, and DEL, which CPython sends as given
 * (docs/differences.md). `strict` refuses every CR and LF, folds included.
 */
export function isIllegalHeaderValue(value: Uint8Array, strict = false): boolean {
  for (let i = 0; i < value.length; i++) {
    const c = value[i]!;
    if (c === 0x0a || c === 0x0d) {
      if (strict) return true;
      const next = i + 1 < value.length ? value[i + 1]! : -1;
      if (next === 0x20 || next === 0x09) continue;
      if (c === 0x0d && next === 0x0a) continue;
      return true;
    }
    if ((c < 0x20 && c !== 0x09) || c === 0x7f) return true;
  }
  return false;
}

/**
 * CPython's `HTTPConnection._get_hostport`: splits `host[:port]` (an IPv6
 * literal in brackets keeps its colons) and removes the brackets. Returns
 * `{ error }` with the text after the colon for a non-numeric port. An
 * empty port (`host:`) means the default port.
 */
export function splitHostPort(
  host: string,
  port: number | null | undefined,
  defaultPort: number,
): { host: string; port: number } | { error: string } {
  let p: number;
  if (port === null || port === undefined) {
    const i = host.lastIndexOf(':');
    const j = host.lastIndexOf(']');
    if (i > j) {
      const text = host.slice(i + 1);
      const n = parseDecimalInt(text);
      if (n !== null) p = Number(n);
      else if (text === '') p = defaultPort;
      else return { error: text };
      host = host.slice(0, i);
    } else {
      p = defaultPort;
    }
  } else {
    p = port;
  }
  if (host.length >= 2 && host[0] === '[' && host[host.length - 1] === ']') host = host.slice(1, -1);
  return { host, port: p };
}

/**
 * Python's `int(text)` for base 10, or null where it raises ValueError:
 * blanks around, a sign, `_` between digits, at most `Limit.MAX_INT_DIGITS`
 * digits. (Python also accepts non-ASCII decimal digits; they are refused
 * here.) The JavaScript side's one int() reader; WASM has its own for
 * Content-Length (assembly/numbers.ts), with the same rules.
 */
export function parseDecimalInt(text: string): bigint | null {
  const m = /^\s*([+-]?)([0-9]+(?:_[0-9]+)*)\s*$/.exec(text);
  if (!m) return null;
  const digits = m[2]!.replace(/_/g, '');
  if (digits.length > Limit.MAX_INT_DIGITS) return null;
  const n = BigInt(digits);
  return m[1] === '-' ? -n : n;
}

/**
 * CPython's `_strip_ipv6_iface`: drops an IPv6 zone (`%eth0`) from a
 * bracketed host, keeping the closing bracket.
 */
export function stripIpv6Zone(host: string): string {
  const i = host.indexOf('%');
  if (i < 0) return host;
  return host.slice(0, i) + ']';
}

/** CPython's `_wrap_ipv6`: brackets a host that holds a colon and is not bracketed yet. */
export function wrapIpv6(host: string): string {
  return host.includes(':') && host[0] !== '[' ? `[${host}]` : host;
}

/**
 * The netloc of an absolute URL, as Python's `urlsplit(url).netloc`: after
 * `scheme://`, up to the first `/`, `?` or `#`; '' when there is none.
 * Returns null for an unbalanced `[`/`]` (urlsplit's "Invalid IPv6 URL").
 */
export function urlNetloc(url: string): string | null {
  const m = /^[A-Za-z][A-Za-z0-9+.-]*:/.exec(url);
  const rest = m ? url.slice(m[0].length) : url;
  if (!rest.startsWith('//')) return '';
  let end = rest.length;
  for (const stop of ['/', '?', '#']) {
    const k = rest.indexOf(stop, 2);
    if (k >= 0 && k < end) end = k;
  }
  const netloc = rest.slice(2, end);
  if (netloc.includes('[') !== netloc.includes(']')) return null;
  return netloc;
}

const CRLF = new Uint8Array([0x0d, 0x0a]);

/** `chunk` framed for `Transfer-Encoding: chunked` (size in upper-case hex, as CPython). */
export function frameChunk(chunk: Uint8Array): Uint8Array {
  const size = chunk.length.toString(16).toUpperCase();
  const out = new Uint8Array(size.length + 2 + chunk.length + 2);
  for (let i = 0; i < size.length; i++) out[i] = size.charCodeAt(i);
  out.set(CRLF, size.length);
  out.set(chunk, size.length + 2);
  out.set(CRLF, size.length + 2 + chunk.length);
  return out;
}

/** The last chunk and the empty trailer section. */
export const LAST_CHUNK: Uint8Array = new Uint8Array([0x30, 0x0d, 0x0a, 0x0d, 0x0a]);
