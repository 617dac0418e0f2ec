// email.utils and email.message's parameter helpers (quote, unquote,
// _parseparam, RFC 2231 decoding and collapsing), as compat32 runs them.

import { Limit } from '../abi/index.js';
import { parseDecimalInt } from '../core/request.js';
import { CodecLookupError, decodeBytes, rawUnicodeEscape } from '../python/codecs.js';
import { TypeError as PyTypeError, ValueError as PyValueError } from '../python/exceptions.js';
import { cmpCodePoints, pyCount, pyLower, pySplit, pyStrip } from '../python/strings.js';

/** An RFC 2231 parameter value: (charset, language, value), as Python's 3-tuple. */
export type RFC2231Value = readonly [charset: string | null, language: string | null, value: string];
/** A parameter value as `get_param` returns it: a string, or an RFC 2231 triple. */
export type ParamValue = string | RFC2231Value;

/** email.utils.unquote. */
export function unquote(s: string): string {
  if (s.length > 1) {
    if (s.startsWith('"') && s.endsWith('"')) return s.slice(1, -1).replaceAll('\\\\', '\\').replaceAll('\\"', '"');
    if (s.startsWith('<') && s.endsWith('>')) return s.slice(1, -1);
  }
  return s;
}

/** email.utils.quote (email._parseaddr.quote). */
export function quote(s: string): string {
  return s.replaceAll('\\', '\\\\').replaceAll('"', '\\"');
}

/** email.message._unquotevalue. */
export function unquoteValue(v: ParamValue): ParamValue {
  return typeof v === 'string' ? unquote(v) : [v[0], v[1], unquote(v[2])];
}

/** email.message._splitparam: (type, params or null). */
export function splitParam(param: string): [string, string | null] {
  const i = param.indexOf(';');
  if (i < 0) return [pyStrip(param), null];
  return [pyStrip(param.slice(0, i)), pyStrip(param.slice(i + 1))];
}

/** email.message._parseparam. */
export function parseParam(value: string): string[] {
  let s = ';' + value;
  const plist: string[] = [];
  while (s.startsWith(';')) {
    s = s.slice(1);
    let end = s.indexOf(';');
    while (end > 0 && (pyCount(s, '"', end) - pyCount(s, '\\"', end)) % 2 !== 0) end = s.indexOf(';', end + 1);
    if (end < 0) end = s.length;
    let f = s.slice(0, end);
    const i = f.indexOf('=');
    if (i >= 0) f = pyLower(pyStrip(f.slice(0, i))) + '=' + pyStrip(f.slice(i + 1));
    plist.push(pyStrip(f));
    s = s.slice(end);
  }
  return plist;
}

/** urllib.parse.unquote(s, encoding='latin-1'): every %XX is the character U+00XX. */
function percentDecodeLatin1(s: string): string {
  if (!s.includes('%')) return s;
  return s.replace(/%([0-9a-fA-F]{2})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16)));
}

/** Python int() of an ASCII digit string: ValueError past its 4300-digit limit. */
function pyIntDigits(digits: string): bigint {
  const n = parseDecimalInt(digits);
  if (n === null) {
    throw new PyValueError(
      `Exceeds the limit (${Limit.MAX_INT_DIGITS} digits) for integer string conversion: value has ${digits.length} digits; use sys.set_int_max_str_digits() to increase the limit`,
    );
  }
  return n;
}

type Continuation = [num: bigint | null, value: string, encoded: boolean];

/** Python's `a < b` on two continuation tuples (TypeError when None meets an int). */
function continuationLess(a: Continuation, b: Continuation): boolean {
  if (a[0] !== b[0]) {
    if (a[0] === null || b[0] === null) {
      const t = (x: bigint | null): string => (x === null ? 'NoneType' : 'int');
      throw new PyTypeError(`'<' not supported between instances of '${t(a[0])}' and '${t(b[0])}'`);
    }
    return a[0] < b[0];
  }
  if (a[1] !== b[1]) return cmpCodePoints(a[1], b[1]) < 0;
  return !a[2] && b[2];
}

/** list.sort() of continuations: a stable binary insertion sort, as CPython's for short lists. */
function sortContinuations(list: Continuation[]): void {
  for (let i = 1; i < list.length; i++) {
    const pivot = list[i]!;
    let lo = 0;
    let hi = i;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (continuationLess(pivot, list[mid]!)) hi = mid;
      else lo = mid + 1;
    }
    list.splice(i, 1);
    list.splice(lo, 0, pivot);
  }
}

const RFC2231_CONTINUATION = /^([A-Za-z0-9_]+)\*(?:([0-9]+)\*?)?$/;

/** email.utils.decode_params. */
export function decodeParams(params: [string, string][]): [string, ParamValue][] {
  const out: [string, ParamValue][] = [params[0]!];
  const rfc2231 = new Map<string, Continuation[]>();
  for (const [name, rawValue] of params.slice(1)) {
    const encoded = name.endsWith('*');
    const value = unquote(rawValue);
    const mo = RFC2231_CONTINUATION.exec(name);
    if (mo) {
      const num = mo[2] === undefined ? null : pyIntDigits(mo[2]);
      const list = rfc2231.get(mo[1]!) ?? [];
      list.push([num, value, encoded]);
      rfc2231.set(mo[1]!, list);
    } else {
      out.push([name, `"${quote(value)}"`]);
    }
  }
  for (const [name, continuations] of rfc2231) {
    const parts: string[] = [];
    let extended = false;
    sortContinuations(continuations);
    for (const [, s, encoded] of continuations) {
      if (encoded) {
        parts.push(percentDecodeLatin1(s));
        extended = true;
      } else parts.push(s);
    }
    const value = quote(parts.join(''));
    if (extended) {
      const split = pySplit(value, "'", 2);
      const [charset, language, text] = split.length <= 2 ? [null, null, value] : [split[0]!, split[1]!, split[2]!];
      out.push([name, [charset, language, `"${text}"`]]);
    } else {
      out.push([name, `"${value}"`]);
    }
  }
  return out;
}

/** email.utils.collapse_rfc2231_value(value) (errors 'replace', fallback 'us-ascii'). */
export function collapseRfc2231Value(value: ParamValue): string {
  if (typeof value === 'string') return unquote(value);
  const [charset, , text] = value;
  try {
    return decodeBytes(rawUnicodeEscape(text), charset ?? 'us-ascii', 'replace');
  } catch (e) {
    if (e instanceof CodecLookupError) return unquote(text);
    throw e;
  }
}
