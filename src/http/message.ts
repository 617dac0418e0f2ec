// HTTPMessage (CPython's http.client.HTTPMessage: an email.message.Message
// under the compat32 policy) and parse_headers.
//
// Header values are strings exactly as CPython's email parser stores them
// (docs/parser-semantics.md): Latin-1 text, continuation lines kept with
// their line breaks, trailing CR/LF removed. The parsing itself is the
// core's (WASM) head parser; this module only reads its results.
//
// Python names are kept (`get_all`, `get_content_type`, ...), and the
// Python protocols that JavaScript cannot overload have methods:
//   len(msg)          msg.length / msg.__len__()
//   name in msg       msg.has(name) / msg.__contains__(name)
//   msg[name]         msg.getItem(name) / msg.__getitem__(name)
//   msg[name] = v     msg.setItem(name, v) / msg.set(name, v) / msg.append(name, v)
//                     / msg.__setitem__(name, v): all APPEND, as Python's
//   del msg[name]     msg.delete(name) / msg.del(name) / msg.__delitem__(name)
//   iter(msg)         for (const name of msg) / msg.__iter__()
//   str(msg)          msg.toString() / msg.as_string() / msg.__str__()
// Python's `None` as a result ("not found") is `undefined`; inside a
// returned RFC 2231 triple it is `null`.
//
// This module imports nothing from node:* (it runs in browsers too).

import { bytesView } from '../core/buffer.js';
import { ParseError } from '../core/errors.js';
import { HeadParser, type HeaderFields, type ResponseHead } from '../core/head.js';
import { latin1Decode, latin1Encode } from '../core/latin1.js';
import {
  fromParseError,
  HeaderParseError,
  HeaderWriteError,
  HTTPException,
  KeyError,
  LineTooLong,
  pyRepr,
  TypeError as PyTypeError,
  ValueError as PyValueError,
} from './exceptions.js';

/** CPython's `_MAXLINE` and `_MAXHEADERS`. */
const MAXLINE = 65536;
const MAXHEADERS = 100;

// ---------------------------------------------------------------------------
// Python string helpers

/** Python's `str.isspace()` set: whitespace per Unicode bidi class WS/B/S or category Zs. */
const PY_SPACE = '\t\n\v\f\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000';

function isPySpaceChar(ch: string): boolean {
  return PY_SPACE.includes(ch);
}

/** Python's `s.isspace()`: non-empty and all whitespace. */
function pyIsspace(s: string): boolean {
  if (s.length === 0) return false;
  for (const ch of s) if (!isPySpaceChar(ch)) return false;
  return true;
}

/** Python's `s.lstrip()` (no argument). */
function pyLstrip(s: string): string {
  let i = 0;
  while (i < s.length && isPySpaceChar(s[i]!)) i++;
  return s.slice(i);
}

/** Python's `s.rstrip()` (no argument). */
function pyRstrip(s: string): string {
  let j = s.length;
  while (j > 0 && isPySpaceChar(s[j - 1]!)) j--;
  return s.slice(0, j);
}

/** Python's `s.strip()` (no argument). */
function pyStrip(s: string): string {
  return pyLstrip(pyRstrip(s));
}

/** Python's `s.lower()`. */
function pyLower(s: string): string {
  return s.toLowerCase();
}

/** Python's `s.count(sub, 0, end)` (non-overlapping). */
function pyCount(s: string, sub: string, end: number): number {
  let n = 0;
  for (let i = s.indexOf(sub); i >= 0 && i + sub.length <= end; i = s.indexOf(sub, i + sub.length)) n++;
  return n;
}

/** Python's `s.split(sep, maxsplit)` with an explicit separator. */
function pySplit(s: string, sep: string, maxsplit: number): string[] {
  const out: string[] = [];
  let from = 0;
  while (out.length < maxsplit) {
    const i = s.indexOf(sep, from);
    if (i < 0) break;
    out.push(s.slice(from, i));
    from = i + sep.length;
  }
  out.push(s.slice(from));
  return out;
}

/** Line boundaries of Python's `str.splitlines()`. */
const SPLITLINES_BREAKS = '\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029';

/** Python's `s.splitlines()` (keepends false). */
function pySplitlines(s: string): string[] {
  const out: string[] = [];
  let start = 0;
  let i = 0;
  while (i < s.length) {
    const ch = s[i]!;
    if (SPLITLINES_BREAKS.includes(ch)) {
      out.push(s.slice(start, i));
      i += ch === '\r' && s[i + 1] === '\n' ? 2 : 1;
      start = i;
    } else i++;
  }
  if (start < s.length) out.push(s.slice(start));
  return out;
}

/** Length in code points (Python's `len`). */
function cpLength(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

/** Python strings compare by code point (JavaScript's `<` by UTF-16 unit). */
function cmpCodePoints(a: string, b: string): number {
  const x = Array.from(a, (c) => c.codePointAt(0)!);
  const y = Array.from(b, (c) => c.codePointAt(0)!);
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
  return x.length - y.length;
}

// ---------------------------------------------------------------------------
// Codecs (for RFC 2231 values): the common ones exactly, others via TextDecoder

class CodecLookupError extends Error {}
class CodecDecodeError extends Error {}

const UTF8_NAMES = new Set(['utf_8', 'utf8', 'u8', 'utf', 'utf8_ucs2', 'utf8_ucs4', 'cp65001']);
const LATIN1_NAMES = new Set([
  'latin_1', 'latin1', 'latin', 'l1', 'iso8859_1', 'iso_8859_1', 'iso8859', '8859', 'cp819',
  'iso_ir_100', 'csisolatin1', 'ibm819', 'iso_8859_1_1987',
]);
const ASCII_NAMES = new Set([
  'ascii', 'us_ascii', '646', 'ansi_x3.4_1968', 'ansi_x3_4_1968', 'ansi_x3.4_1986', 'cp367', 'csascii',
  'ibm367', 'iso646_us', 'iso_646.irv_1991', 'iso_ir_6', 'us',
]);

const CP1252_NAMES = new Set(['cp1252', 'windows_1252', '1252']);
/** Python's cp1252 for bytes 0x80-0x9F (-1: undefined); from python3.13. Not TextDecoder: Node's maps them to U+0080-U+009F. */
const CP1252_HIGH = [
  0x20ac, -1, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021, 0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, -1, 0x017d, -1,
  -1, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, -1, 0x017e, 0x0178,
];

/** Python's codec-name normalisation (encodings.normalize_encoding, lowercased). */
function normalizeEncoding(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9.]+/g, '_').replace(/^_+|_+$/g, '');
}

/**
 * Python's `str(data, charset, errors)` for errors 'strict' or 'replace'.
 * Throws CodecLookupError for an unknown charset, CodecDecodeError for
 * undecodable bytes under 'strict'. UTF-8, Latin-1, ASCII and cp1252 (with
 * their Python aliases) are exact; any other name is tried as a WHATWG
 * label with the engine's TextDecoder (close to Python's codec of that name).
 */
function decodeBytes(data: Uint8Array, charset: string, errors: 'strict' | 'replace'): string {
  const norm = normalizeEncoding(charset);
  if (LATIN1_NAMES.has(norm)) return latin1Decode(data);
  const ascii = ASCII_NAMES.has(norm);
  if (ascii || CP1252_NAMES.has(norm)) {
    let s = '';
    for (const b of data) {
      const c = b < 0x80 ? b : ascii ? -1 : b < 0xa0 ? CP1252_HIGH[b - 0x80]! : b;
      if (c >= 0) s += String.fromCharCode(c);
      else if (errors === 'strict') throw new CodecDecodeError(charset);
      else s += '\ufffd';
    }
    return s;
  }
  const label = UTF8_NAMES.has(norm) ? 'utf-8' : charset.trim();
  let decoder: TextDecoder;
  try {
    if (norm === '' || /^(iso-?8859-?1|latin-?1|l1|ascii|us-ascii|x-user-defined|replacement)$/i.test(label)) {
      throw new RangeError(label);
    }
    decoder = new TextDecoder(label, { fatal: errors === 'strict', ignoreBOM: label === 'utf-8' });
  } catch {
    throw new CodecLookupError(charset);
  }
  try {
    return decoder.decode(data);
  } catch {
    throw new CodecDecodeError(charset);
  }
}

/** Python's `s.encode('raw-unicode-escape')`. */
function rawUnicodeEscape(s: string): Uint8Array {
  const out: number[] = [];
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (c < 0x100) out.push(c);
    else {
      const esc = c <= 0xffff ? '\\u' + c.toString(16).padStart(4, '0') : '\\U' + c.toString(16).padStart(8, '0');
      for (let i = 0; i < esc.length; i++) out.push(esc.charCodeAt(i));
    }
  }
  return Uint8Array.from(out);
}

const utf8Encoder = new TextEncoder();

// ---------------------------------------------------------------------------
// email.utils and email.message parameter helpers

/** An RFC 2231 parameter value: (charset, language, value), as Python's 3-tuple. */
export type RFC2231Value = readonly [charset: string | null, language: string | null, value: string];
/** A parameter value as `get_param` returns it: a string, or an RFC 2231 triple. */
export type ParamValue = string | RFC2231Value;

/** email.utils.unquote. */
function unquote(s: string): string {
  if (s.length > 1) {
    if (s.startsWith('"') && s.endsWith('"')) return s.slice(1, -1).replaceAll('\\\\', '\\').replaceAll('\\"', '"');
    if (s.startsWith('<') && s.endsWith('>')) return s.slice(1, -1);
  }
  return s;
}

/** email.utils.quote (email._parseaddr.quote). */
function quote(s: string): string {
  return s.replaceAll('\\', '\\\\').replaceAll('"', '\\"');
}

/** email.message._unquotevalue. */
function unquoteValue(v: ParamValue): ParamValue {
  return typeof v === 'string' ? unquote(v) : [v[0], v[1], unquote(v[2])];
}

/** email.message._splitparam: (type, params or null). */
function splitParam(param: string): [string, string | null] {
  const i = param.indexOf(';');
  if (i < 0) return [pyStrip(param), null];
  return [pyStrip(param.slice(0, i)), pyStrip(param.slice(i + 1))];
}

/** email.message._parseparam. */
function parseParam(value: string): string[] {
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

/** Python int() of an ASCII digit string, with its 4300-digit limit. */
function pyIntDigits(digits: string): bigint {
  if (digits.length > 4300) {
    throw new PyValueError(
      `Exceeds the limit (4300 digits) for integer string conversion: value has ${digits.length} digits; use sys.set_int_max_str_digits() to increase the limit`,
    );
  }
  return BigInt(digits);
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
function decodeParams(params: [string, string][]): [string, ParamValue][] {
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
function collapseRfc2231Value(value: ParamValue): string {
  if (typeof value === 'string') return unquote(value);
  const [charset, , text] = value;
  try {
    return decodeBytes(rawUnicodeEscape(text), charset ?? 'us-ascii', 'replace');
  } catch (e) {
    if (e instanceof CodecLookupError) return unquote(text);
    throw e;
  }
}

// ---------------------------------------------------------------------------
// Header folding: compat32's _fold over email.header.Header.encode

const FWS_SPLIT = /([ \t]+)/;
const SPLITCHARS = ';, \t';
const EMBEDDED_HEADER = /\n[^ \t]+:/;
const NEWLINE_WITHOUT_FWSP = /\r\n[^ \t]|\r[^ \n\t]|\n[^ \t]/;

/** email.quoprimime header map: the length and text of one byte. */
function qpHeaderChar(b: number): string {
  if (b === 0x20) return '_';
  if (
    (b >= 0x30 && b <= 0x39) ||
    (b >= 0x41 && b <= 0x5a) ||
    (b >= 0x61 && b <= 0x7a) ||
    b === 0x2d || b === 0x21 || b === 0x2a || b === 0x2b || b === 0x2f
  ) {
    return String.fromCharCode(b);
  }
  return '=' + b.toString(16).toUpperCase().padStart(2, '0');
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

function base64(data: Uint8Array): string {
  let out = '';
  for (let i = 0; i < data.length; i += 3) {
    const a = data[i]!;
    const b = data[i + 1];
    const c = data[i + 2];
    out += B64[a >> 2]! + B64[((a & 3) << 4) | ((b ?? 0) >> 4)]!;
    out += b === undefined ? '=' : B64[((b & 15) << 2) | ((c ?? 0) >> 6)]!;
    out += c === undefined ? '=' : B64[c & 63]!;
  }
  return out;
}

/** A port of email.header._Accumulator (its length kept as a running total: the parts are ASCII). */
class Accumulator {
  parts: [string, string][] = [];
  private size = 0;
  constructor(public initialSize = 0) {}
  push(fws: string, s: string): void {
    this.parts.push([fws, s]);
    this.size += fws.length + s.length;
  }
  popFrom(i: number): [string, string][] {
    const popped = this.parts.splice(i);
    for (const [fws, s] of popped) this.size -= fws.length + s.length;
    return popped;
  }
  pop(): [string, string] {
    const last = this.parts.pop();
    if (last === undefined) return ['', ''];
    this.size -= last[0].length + last[1].length;
    return last;
  }
  get length(): number {
    return this.initialSize + this.size;
  }
  toString(): string {
    return this.parts.map(([fws, s]) => fws + s).join('');
  }
  reset(startval: [string, string][] = []): void {
    this.parts = [];
    this.size = 0;
    for (const [fws, s] of startval) this.push(fws, s);
    this.initialSize = 0;
  }
  isOnlyWs(): boolean {
    return this.initialSize === 0 && (this.parts.length === 0 || pyIsspace(this.toString()));
  }
}

/** A port of email.header._ValueFormatter (continuation_ws ' ', charsets us-ascii and utf-8). */
class ValueFormatter {
  private readonly lines: string[] = [];
  private readonly current: Accumulator;

  constructor(
    headerlen: number,
    private readonly maxlen: number,
  ) {
    this.current = new Accumulator(headerlen);
  }

  str(linesep: string): string {
    this.newline();
    return this.lines.join(linesep);
  }

  newline(): void {
    const end = this.current.pop();
    if (!(end[0] === ' ' && end[1] === '')) this.current.push(end[0], end[1]);
    if (this.current.length > 0) {
      if (this.current.isOnlyWs() && this.lines.length > 0) this.lines[this.lines.length - 1] += this.current.toString();
      else this.lines.push(this.current.toString());
    }
    this.current.reset();
  }

  addTransition(): void {
    this.current.push(' ', '');
  }

  feed(fws: string, s: string, utf8: boolean): void {
    if (!utf8) {
      this.asciiSplit(fws, s);
      return;
    }
    let first = true;
    const encoded = headerEncodeLines(s, () => {
      if (first) {
        first = false;
        return this.maxlen - this.current.length;
      }
      return this.maxlen - 1;
    });
    const firstLine = encoded.shift();
    if (firstLine === undefined) return;
    if (firstLine !== null) this.appendChunk(fws, firstLine);
    const lastLine = encoded.pop();
    if (lastLine === undefined) return;
    this.newline();
    this.current.push(' ', lastLine!);
    for (const line of encoded) this.lines.push(' ' + line);
  }

  private asciiSplit(fws: string, s: string): void {
    const parts = (fws + s).split(FWS_SPLIT);
    if (parts[0]) parts.unshift('');
    else parts.shift();
    for (let i = 0; i + 1 < parts.length; i += 2) this.appendChunk(parts[i]!, parts[i + 1]!);
  }

  private appendChunk(fws: string, s: string): void {
    const cur = this.current;
    cur.push(fws, s);
    if (cur.length <= this.maxlen) return;
    let split = -1;
    search: for (const ch of SPLITCHARS) {
      for (let i = cur.parts.length - 1; i > 0; i--) {
        if (isPySpaceChar(ch)) {
          const f = cur.parts[i]![0];
          if (f && f[0] === ch) {
            split = i;
            break search;
          }
        }
        const prev = cur.parts[i - 1]![1];
        if (prev && prev[prev.length - 1] === ch) {
          split = i;
          break search;
        }
      }
    }
    if (split < 0) {
      let [f, part] = cur.pop();
      if (cur.initialSize > 0) {
        this.newline();
        if (!f) f = ' ';
      }
      cur.push(f, part);
      return;
    }
    const remainder = cur.popFrom(split);
    this.lines.push(cur.toString());
    cur.reset(remainder);
  }
}

/**
 * email.charset.Charset('utf-8').header_encode_lines: RFC 2047 encoded
 * words (the shorter of B and Q, chosen on the whole string), split so that
 * each fits its line. A null first entry: nothing fitted on the first line.
 */
function headerEncodeLines(s: string, nextMaxLength: () => number): (string | null)[] {
  const all = utf8Encoder.encode(s);
  let qpAll = 0;
  for (const b of all) qpAll += qpHeaderChar(b).length;
  const useBase64 = Math.ceil(all.length / 3) * 4 < qpAll;
  const encode = (text: string): string => {
    const bytes = utf8Encoder.encode(text);
    if (bytes.length === 0) return '';
    if (useBase64) return `=?utf-8?b?${base64(bytes)}?=`;
    let q = '';
    for (const b of bytes) q += qpHeaderChar(b);
    return `=?utf-8?q?${q}?=`;
  };
  const extra = 'utf-8'.length + 7; // RFC2047_CHROME_LEN
  const lines: (string | null)[] = [];
  let current = '';
  let currentBytes = 0;
  let currentQp = 0;
  let maxlen = nextMaxLength() - extra;
  for (const ch of s) {
    const bytes = utf8Encoder.encode(ch);
    let qp = 0;
    for (const b of bytes) qp += qpHeaderChar(b).length;
    const nBytes = currentBytes + bytes.length;
    const length = useBase64 ? Math.ceil(nBytes / 3) * 4 : currentQp + qp;
    if (length > maxlen) {
      if (lines.length === 0 && current === '') lines.push(null);
      else lines.push(encode(current));
      current = ch;
      currentBytes = bytes.length;
      currentQp = qp;
      maxlen = nextMaxLength() - extra;
    } else {
      current += ch;
      currentBytes = nBytes;
      currentQp += qp;
    }
  }
  lines.push(encode(current));
  return lines;
}

/**
 * Compat32._fold(name, value, sanitize=True) and the Generator's checks:
 * `Name: ` + Header(value, header_name=name).encode(linesep='\n',
 * maxlinelen) + '\n'. Non-ASCII values become RFC 2047 UTF-8 encoded
 * words, as Python prints them.
 */
function foldHeader(name: string, value: string, maxLineLength: number): string {
  const utf8 = /[^\x00-\x7f]/.test(value);
  const formatter = new ValueFormatter(cpLength(name) + 2, maxLineLength === 0 ? 1000000 : maxLineLength);
  const lines = pySplitlines(value);
  formatter.feed('', lines.length > 0 ? lines[0]! : '', utf8);
  for (const line of lines.slice(1)) {
    formatter.newline();
    if (utf8) formatter.feed(' ', ' ' + pyLstrip(line), utf8);
    else {
      const sline = pyLstrip(line);
      formatter.feed(line.slice(0, line.length - sline.length), sline, utf8);
    }
  }
  if (lines.length > 1) formatter.newline();
  formatter.addTransition();
  const encoded = formatter.str('\n');
  if (EMBEDDED_HEADER.test(encoded)) {
    throw new HeaderParseError(`header value appears to contain an embedded header: ${pyRepr(encoded)}`);
  }
  const folded = `${name}: ${encoded}\n`;
  if (NEWLINE_WITHOUT_FWSP.test(folded.slice(0, -1))) {
    throw new HeaderWriteError(`folded header contains newline: ${pyRepr(folded)}`);
  }
  return folded;
}

/** Generator._write_lines: the text with every line break made '\n'. */
function writeLines(text: string): string {
  const lines = text.split(/\r\n|\r|\n/);
  let out = '';
  for (let i = 0; i < lines.length - 1; i++) out += lines[i] + '\n';
  return out + lines[lines.length - 1];
}

/** Generator._make_boundary's token: random.randrange(sys.maxsize) as 19 digits. */
function randomToken(): string {
  const bytes = new Uint8Array(8);
  globalThis.crypto.getRandomValues(bytes);
  let n = 0n;
  for (const b of bytes) n = (n << 8n) | BigInt(b);
  return (n % 0x7fffffffffffffffn).toString().padStart(19, '0');
}

/** time.ctime(): `Sun Nov 22 06:14:13 2026` in local time. */
function ctime(d: Date): string {
  const days = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${days[d.getDay()]} ${months[d.getMonth()]} ${String(d.getDate()).padStart(2, ' ')} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())} ${d.getFullYear()}`;
}

// ---------------------------------------------------------------------------
// What the email parser does after the header fields (for str(msg))

/** email.feedparser.headerRE: a line the parser reads as part of the header section. */
const HEADER_LINE = /^(From |[\x21-\x39\x3b-\x7e]*:|[\t ])/;

interface Tail {
  /** The envelope `From ` line when it is the first line (Message.get_unixfrom()). */
  unixfrom: string | undefined;
  /** What the email parser keeps as the payload (only malformed heads have one). */
  payload: string;
}

/**
 * Where Python's email feed parser ends the header section of `text` (the
 * header bytes, Latin-1): the fields themselves come from the core; this
 * finds only the envelope line and the payload, which CPython keeps and
 * prints in str(msg). The section ends at an empty line (dropped) or at the
 * first line that is neither a header, a continuation nor a `From ` line
 * (kept in the payload). A `From ` line that is the last of several header
 * lines is pushed back to the payload (FeedParser._parse_headers).
 */
function scanTail(text: string): Tail {
  const lines = text.match(/[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$/g) ?? [];
  let end = lines.length;
  let payloadFrom = lines.length;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (!HEADER_LINE.test(line)) {
      end = i;
      payloadFrom = line[0] === '\r' || line[0] === '\n' ? i + 1 : i;
      break;
    }
  }
  let unixfrom: string | undefined;
  if (end > 0 && lines[0]!.startsWith('From ')) unixfrom = lines[0]!.replace(/(\r\n|\r|\n)$/, '');
  let payload = lines.slice(payloadFrom).join('');
  if (end > 1 && lines[end - 1]!.startsWith('From ')) payload = lines[end - 1]! + payload;
  return { unixfrom, payload };
}

// ---------------------------------------------------------------------------
// HTTPMessage

const MISSING: unique symbol = Symbol('missing');

/**
 * CPython's `http.client.HTTPMessage`: the header fields of a response as a
 * case-insensitive, order-preserving multi-map (duplicates kept) with the
 * email.message.Message (compat32) methods and Python's semantics.
 *
 * `new HTTPMessage()` is empty, for building. `new HTTPMessage(fields,
 * source)` wraps a core `HeaderFields` without decoding it (look-ups
 * compare bytes; names and values become strings when first asked for;
 * the first change copies the fields into a plain list). `source`: the
 * header bytes the fields came from (after the status line); only
 * `as_string()` needs it, to print what Python's email parser keeps after a
 * malformed header section. `HTTPMessage.fromHead(head)` does both for a
 * core `ResponseHead`.
 */
export class HTTPMessage implements Iterable<string> {
  private fields: HeaderFields | null;
  private list: [string, string][] | null;
  private readonly source: Uint8Array | null;
  private tail: Tail | null = null;
  private defaultType = 'text/plain';
  /** Built empty: Python's payload is None (a parsed message's is a string). */
  private readonly built: boolean;

  /** An empty message, or one over core `fields` parsed from the header bytes `source`. */
  constructor(fields?: HeaderFields, source?: Uint8Array) {
    this.fields = fields ?? null;
    this.list = fields ? null : [];
    this.source = source ?? null;
    this.built = fields === undefined;
  }

  /** The message of a core `ResponseHead` (its header fields, with the bytes after its status line). */
  static fromHead(head: ResponseHead): HTTPMessage {
    const raw = head.raw;
    const nl = raw.indexOf(0x0a);
    return new HTTPMessage(head.headers, raw.subarray(nl < 0 ? raw.length : nl + 1));
  }

  // -- storage -------------------------------------------------------------

  /** The fields as a list, made once, on the first change. */
  private mutable(): [string, string][] {
    if (this.list === null) {
      this.list = this.fields!.toArray();
      this.fields = null;
    }
    return this.list;
  }

  private rows(): [string, string][] {
    return this.list ?? this.fields!.toArray();
  }

  private firstIndex(name: string): number {
    if (this.fields) return this.fields.indexOf(name);
    const lname = pyLower(name);
    return this.list!.findIndex(([k]) => pyLower(k) === lname);
  }

  private valueAt(i: number): string {
    return this.fields ? this.fields.value(i) : this.list![i]![1];
  }

  // -- mapping interface ---------------------------------------------------

  /** `len(msg)`: the number of header fields, duplicates included. */
  get length(): number {
    return this.fields ? this.fields.length : this.list!.length;
  }

  /** `len(msg)`. */
  __len__(): number {
    return this.length;
  }

  /** `msg[name]`: the first value of `name` (case-insensitive), or undefined (Python's None). */
  getItem(name: string): string | undefined {
    return this.get(name);
  }

  /** `msg[name]` (see `getItem`). */
  __getitem__(name: string): string | undefined {
    return this.get(name);
  }

  /**
   * `msg[name] = value`: APPENDS a field, as Python's `__setitem__` does;
   * an existing field of that name is kept (delete it first to replace).
   */
  setItem(name: string, value: string): void {
    this.mutable().push([name, value]);
  }

  /** `msg[name] = value`: appends (see `setItem`). */
  __setitem__(name: string, value: string): void {
    this.setItem(name, value);
  }

  /** `msg[name] = value`: appends, as Python's (see `setItem`), unlike `Map.set`/`Headers.set`. */
  set(name: string, value: string): void {
    this.setItem(name, value);
  }

  /** Appends a field (`msg[name] = value`). */
  append(name: string, value: string): void {
    this.setItem(name, value);
  }

  /** `del msg[name]`: removes every field named `name`; nothing happens when there is none. */
  del(name: string): void {
    const lname = pyLower(name);
    this.list = this.mutable().filter(([k]) => pyLower(k) !== lname);
  }

  /** `del msg[name]` (see `del`). */
  __delitem__(name: string): void {
    this.del(name);
  }

  /** `del msg[name]` (see `del`); returns whether a field was removed. */
  delete(name: string): boolean {
    const before = this.length;
    this.del(name);
    return this.length !== before;
  }

  /** `name in msg`: a field of that name exists (case-insensitive). */
  has(name: string): boolean {
    return this.firstIndex(name) >= 0;
  }

  /** `name in msg` (see `has`). */
  __contains__(name: string): boolean {
    return this.has(name);
  }

  /** `iter(msg)`: the field names, in order, duplicates included. */
  [Symbol.iterator](): Iterator<string> {
    return this.keys()[Symbol.iterator]();
  }

  /** `iter(msg)` (see `[Symbol.iterator]`). */
  __iter__(): Iterator<string> {
    return this[Symbol.iterator]();
  }

  /** Every field name, in order, duplicates included, case as received. */
  keys(): string[] {
    if (this.fields) {
      const f = this.fields;
      return Array.from({ length: f.length }, (_, i) => f.name(i));
    }
    return this.list!.map(([k]) => k);
  }

  /** Every field value, in order. */
  values(): string[] {
    if (this.fields) {
      const f = this.fields;
      return Array.from({ length: f.length }, (_, i) => f.value(i));
    }
    return this.list!.map(([, v]) => v);
  }

  /** Every field as [name, value], in order. */
  items(): [string, string][] {
    return this.rows().map(([k, v]) => [k, v]);
  }

  /** The first value of `name` (case-insensitive), or `failobj` (default undefined, Python's None). */
  get<F = undefined>(name: string, failobj?: F): string | F {
    const i = this.firstIndex(name);
    return i < 0 ? (failobj as F) : this.valueAt(i);
  }

  /** Every value of `name`, in order, or `failobj` (default undefined) when there is none. */
  get_all<F = undefined>(name: string, failobj?: F): string[] | F {
    let values: string[];
    if (this.fields) values = this.fields.getAll(name);
    else {
      const lname = pyLower(name);
      values = this.list!.filter(([k]) => pyLower(k) === lname).map(([, v]) => v);
    }
    return values.length === 0 ? (failobj as F) : values;
  }

  /** Stores a field without change (Python's parser-only `set_raw`): the same as `setItem` here. */
  set_raw(name: string, value: string): void {
    this.setItem(name, value);
  }

  /** The fields as [name, value] (Python's generator-only `raw_items`). */
  raw_items(): IterableIterator<[string, string]> {
    return this.items()[Symbol.iterator]();
  }

  /**
   * Replaces the value of the first field named `name`, keeping its place
   * and its name's case. Throws `KeyError(name.toLowerCase())` when there
   * is none.
   */
  replace_header(name: string, value: string): void {
    const lname = pyLower(name);
    const list = this.mutable();
    const i = list.findIndex(([k]) => pyLower(k) === lname);
    if (i < 0) throw new KeyError(lname);
    list[i] = [list[i]![0], value];
  }

  /**
   * http.client's own method, kept for compatibility: the names (not whole
   * lines) that start with `name:` (case-insensitive), each followed by the
   * names starting with whitespace. Since Python 3 iterates field *names*,
   * which never contain a colon when parsed, this is `[]` for every parsed
   * message (CPython 3.13 behaves the same way).
   */
  getallmatchingheaders(name: string): string[] {
    const prefix = pyLower(name) + ':';
    const n = cpLength(prefix);
    const out: string[] = [];
    let hit = false;
    for (const line of this.keys()) {
      const head = Array.from(line).slice(0, n).join('');
      if (pyLower(head) === prefix) hit = true;
      else if (!pyIsspace(Array.from(line).slice(0, 1).join(''))) hit = false;
      if (hit) out.push(line);
    }
    return out;
  }

  // -- content type and parameters -----------------------------------------

  /**
   * The lowercased `maintype/subtype` of the first Content-Type field; the
   * default type (`get_default_type()`) when there is none; `text/plain`
   * when the value's type part does not have exactly one `/` (RFC 2045).
   */
  get_content_type(): string {
    const value = this.get('content-type', MISSING);
    if (value === MISSING) return this.get_default_type();
    const ctype = pyLower(splitParam(value)[0]);
    if (ctype.split('/').length !== 2) return 'text/plain';
    return ctype;
  }

  /** The part of `get_content_type()` before the `/`. */
  get_content_maintype(): string {
    return this.get_content_type().split('/')[0]!;
  }

  /** The part of `get_content_type()` after the `/`. */
  get_content_subtype(): string {
    return this.get_content_type().split('/')[1]!;
  }

  /** The type assumed without a Content-Type field: `text/plain` unless set. */
  get_default_type(): string {
    return this.defaultType;
  }

  /** Sets the type assumed without a Content-Type field (not stored as a field). */
  set_default_type(ctype: string): void {
    this.defaultType = ctype;
  }

  /** email.message.Message._get_params_preserve. */
  private paramsPreserve(header: string): [string, ParamValue][] | undefined {
    const value = this.get(header, MISSING);
    if (value === MISSING) return undefined;
    const params: [string, string][] = [];
    for (const p of parseParam(value)) {
      const i = p.indexOf('=');
      if (i >= 0) params.push([pyStrip(p.slice(0, i)), pyStrip(p.slice(i + 1))]);
      else params.push([pyStrip(p), '']);
    }
    return decodeParams(params);
  }

  /**
   * The parameters of the first `header` field (default Content-Type) as
   * [name, value] pairs, the first being the value before any `;` with
   * value ''. Values are unquoted unless `unquote` is false (then they come
   * back quoted, even those sent bare, as Python's); RFC 2231 parameters
   * (`name*=charset'lang'text`, `name*0=`, ...) are joined and given as a
   * [charset, language, value] triple. `failobj` (default undefined) when
   * there is no such field.
   */
  get_params<F = undefined>(failobj?: F, header = 'content-type', unquote = true): [string, ParamValue][] | F {
    const params = this.paramsPreserve(header);
    if (params === undefined) return failobj as F;
    return unquote ? params.map(([k, v]): [string, ParamValue] => [k, unquoteValue(v)]) : params;
  }

  /**
   * The value of parameter `param` (case-insensitive) of the first `header`
   * field (default Content-Type): a string, or for an RFC 2231 parameter a
   * [charset, language, value] triple; unquoted unless `unquote` is false.
   * `failobj` (default undefined) when there is no such field or parameter.
   */
  get_param<F = undefined>(param: string, failobj?: F, header = 'content-type', unquote = true): ParamValue | F {
    if (!this.has(header)) return failobj as F;
    const lparam = pyLower(param);
    for (const [k, v] of this.paramsPreserve(header)!) {
      if (pyLower(k) === lparam) return unquote ? unquoteValue(v) : v;
    }
    return failobj as F;
  }

  /**
   * The `filename` parameter of Content-Disposition, else the `name`
   * parameter of Content-Type, RFC 2231-decoded and stripped; `failobj`
   * (default undefined) when neither exists.
   */
  get_filename<F = undefined>(failobj?: F): string | F {
    let filename = this.get_param('filename', MISSING, 'content-disposition');
    if (filename === MISSING) filename = this.get_param('name', MISSING, 'content-type');
    if (filename === MISSING) return failobj as F;
    return pyStrip(collapseRfc2231Value(filename));
  }

  /** The `boundary` parameter of Content-Type, RFC 2231-decoded, right-stripped; `failobj` when absent. */
  get_boundary<F = undefined>(failobj?: F): string | F {
    const boundary = this.get_param('boundary', MISSING);
    if (boundary === MISSING) return failobj as F;
    return pyRstrip(collapseRfc2231Value(boundary));
  }

  /**
   * Sets the `boundary` parameter of every Content-Type field to
   * `"boundary"` (added last when absent), keeping the fields' places; the
   * other parameters are rewritten as Python's get_params(unquote=False)
   * gives them. Throws `HeaderParseError('No Content-Type header found')`.
   */
  set_boundary(boundary: string): void {
    const params = this.paramsPreserve('content-type');
    if (params === undefined) throw new HeaderParseError('No Content-Type header found');
    const fresh: [string, ParamValue][] = [];
    let found = false;
    for (const [k, v] of params) {
      if (pyLower(k) === 'boundary') {
        fresh.push(['boundary', `"${boundary}"`]);
        found = true;
      } else fresh.push([k, v]);
    }
    if (!found) fresh.push(['boundary', `"${boundary}"`]);
    const value = fresh
      .map(([k, v]) => (v === '' ? k : `${k}=${typeof v === 'string' ? v : '(' + v.map(pyRepr).join(', ') + ')'}`))
      .join('; ');
    this.list = this.mutable().map(([k, v]) => [k, pyLower(k) === 'content-type' ? value : v]);
  }

  /**
   * The `charset` parameter of Content-Type, lowercased; for an RFC 2231
   * value, decoded with its own charset where Python knows it. `failobj`
   * (default undefined) when absent or not ASCII.
   */
  get_content_charset<F = undefined>(failobj?: F): string | F {
    const param = this.get_param('charset', MISSING);
    if (param === MISSING) return failobj as F;
    let charset: string;
    if (typeof param === 'string') charset = param;
    else {
      try {
        charset = decodeBytes(rawUnicodeEscape(param[2]), param[0] || 'us-ascii', 'strict');
      } catch (e) {
        if (!(e instanceof CodecLookupError || e instanceof CodecDecodeError)) throw e;
        charset = param[2];
      }
    }
    if (/[^\x00-\x7f]/.test(charset)) return failobj as F;
    return charset.toLowerCase();
  }

  /** The lowercased value before any `;` of Content-Disposition, or undefined. */
  get_content_disposition(): string | undefined {
    const value = this.get('content-disposition');
    if (value === undefined) return undefined;
    return pyLower(splitParam(value)[0]);
  }

  // -- str(msg) ------------------------------------------------------------

  private scanned(): Tail {
    return (this.tail ??= this.source ? scanTail(latin1Decode(this.source)) : { unixfrom: undefined, payload: '' });
  }

  /** The envelope line (`From ...`) when the header bytes began with one, else undefined. */
  get_unixfrom(): string | undefined {
    return this.scanned().unixfrom;
  }

  /**
   * Python's `msg.as_string(unixfrom=False, maxheaderlen=0)` (and
   * `str(msg)`): each field as `Name: value\n` (continuation lines on lines
   * of their own, a value with non-ASCII characters as RFC 2047 UTF-8
   * encoded words, longer lines folded only when `maxheaderlen` > 0), a
   * blank line, then whatever Python's email parser kept after a malformed
   * header section. Throws `HeaderParseError` / `HeaderWriteError` where
   * CPython 3.13 does (a value whose line breaks would start a new field).
   */
  as_string(unixfrom = false, maxheaderlen = 0): string {
    let out = '';
    if (unixfrom) out += (this.get_unixfrom() ?? 'From nobody ' + ctime(new Date())) + '\n';
    const body = this.body(maxheaderlen);
    for (const [k, v] of this.rows()) out += foldHeader(k, v, maxheaderlen);
    return out + '\n' + body;
  }

  /** Generator._dispatch over the payload's content type (the body is made before the fields are written). */
  private body(maxheaderlen: number): string {
    const main = this.get_content_maintype();
    if (this.built) {
      // Python's payload is None.
      if (main === 'multipart') {
        // Generator._handle_multipart with no parts: a boundary is made up
        // (and stored in the fields) when there is none.
        let boundary = this.get_boundary();
        if (!boundary) {
          boundary = '='.repeat(15) + randomToken() + '==';
          this.set_boundary(boundary);
        }
        return `--${boundary}\n\n--${boundary}--\n`;
      }
      if (main === 'message') {
        if (this.get_content_type() === 'message/delivery-status') throw new PyTypeError("'NoneType' object is not iterable");
        throw new PyTypeError("string argument expected, got 'NoneType'");
      }
      return '';
    }
    const payload = this.scanned().payload;
    if (main === 'multipart') return payload;
    if (main === 'message') {
      if (this.get_content_type() === 'message/delivery-status') return writeLines(payload);
      // The payload is another message: its fields, a blank line, its own payload.
      return headerBytesMessage(latin1Encode(payload), HTTPMessage, true).as_string(false, maxheaderlen);
    }
    return writeLines(payload);
  }

  /** `str(msg)` (see `as_string`). */
  toString(): string {
    return this.as_string();
  }

  /** `str(msg)` (see `as_string`). */
  __str__(): string {
    return this.as_string();
  }
}

// ---------------------------------------------------------------------------
// parse_headers

/** A status line the core parser reads before header bytes of its own. */
const SYNTHETIC_STATUS = latin1Encode('HTTP/1.1 200 OK\r\n');

/** A constructor of HTTPMessage or of a subclass (parse_headers' `_class`). */
export type HTTPMessageClass<T extends HTTPMessage> = new (fields?: HeaderFields, source?: Uint8Array) => T;

/**
 * The message of `headerBytes` (header lines up to and including the blank
 * line, or up to EOF), by the core parser behind a synthetic status line:
 * its limits and email rules are then CPython's. Throws the Python
 * exceptions: LineTooLong('header line'), HTTPException('got more than 100
 * headers'). The message's source is the bytes the core consumed, or with
 * `wholeSource` all of `headerBytes` (a nested message keeps the rest of
 * its text as payload).
 */
function headerBytesMessage<T extends HTTPMessage>(
  headerBytes: Uint8Array,
  cls: HTTPMessageClass<T>,
  wholeSource = false,
  strict = false,
): T {
  const input = new Uint8Array(SYNTHETIC_STATUS.length + headerBytes.length);
  input.set(SYNTHETIC_STATUS);
  input.set(headerBytes, SYNTHETIC_STATUS.length);
  let head: ResponseHead | null;
  try {
    head = new HeadParser({ strict }).execute(input, true);
  } catch (e) {
    if (e instanceof ParseError) throw fromParseError(e);
    throw e;
  }
  if (head === null) throw new HTTPException('header parser needed more input at EOF'); // cannot happen
  const end = head.headLength - SYNTHETIC_STATUS.length;
  return new cls(head.headers, wholeSource ? headerBytes : headerBytes.subarray(0, end));
}

/** Options of `parse_headers` beyond Python's. */
export interface ParseHeadersOptions {
  /**
   * Strict mode: refuse bare CR/LF, obs-fold, non-token names, control
   * bytes in values and a missing blank line (StrictViolation).
   */
  strict?: boolean;
}

/** Something with Python's `readline(limit)`: bytes, or a Promise of bytes (b'' / empty at EOF). */
export interface LineReader {
  readline(limit?: number): Uint8Array | ArrayBuffer | ArrayBufferView | Promise<Uint8Array | ArrayBuffer | ArrayBufferView>;
}

function isTerminator(line: Uint8Array): boolean {
  const n = line.length;
  return n === 0 || (n === 1 && line[0] === 0x0a) || (n === 2 && line[0] === 0x0d && line[1] === 0x0a);
}

/**
 * CPython's `http.client.parse_headers(fp, _class=HTTPMessage)`: reads the
 * header lines of a message and returns them as an HTTPMessage (or
 * `_class`).
 *
 * `fp` is either the bytes themselves (Uint8Array, ArrayBuffer or any
 * ArrayBufferView: the header section is read from its start, up to and
 * including the first line that is exactly CRLF or LF, or to its end), or
 * an object with `readline(limit)` returning bytes or a Promise of bytes,
 * which is called exactly as CPython's `_read_headers` calls it:
 * `readline(65537)` until a line is `\r\n`, `\n` or empty (EOF); nothing
 * past that line is read. Limits and errors as CPython's:
 * `LineTooLong('header line')` for a line over 65536 bytes,
 * `HTTPException('got more than 100 headers')` past 100 lines (the blank
 * line or EOF counts), and `TypeError` where CPython's join of the lines
 * fails (a `readline` that returns strings: they never end the section).
 *
 * `options.strict` (httpwire's strict mode) also refuses bare CR or LF,
 * obs-fold, non-token names, control bytes in values and a missing blank
 * line, with StrictViolation.
 *
 * Returns a Promise, since reading may wait; with bytes it settles at once.
 */
export async function parse_headers(
  fp: Uint8Array | ArrayBuffer | ArrayBufferView | LineReader,
  _class?: undefined,
  options?: ParseHeadersOptions,
): Promise<HTTPMessage>;
export async function parse_headers<T extends HTTPMessage>(
  fp: Uint8Array | ArrayBuffer | ArrayBufferView | LineReader,
  _class: HTTPMessageClass<T>,
  options?: ParseHeadersOptions,
): Promise<T>;
export async function parse_headers(
  fp: Uint8Array | ArrayBuffer | ArrayBufferView | LineReader,
  _class: HTTPMessageClass<HTTPMessage> = HTTPMessage,
  options: ParseHeadersOptions = {},
): Promise<HTTPMessage> {
  const strict = options.strict ?? false;
  const bytes = bytesView(fp);
  if (bytes) return headerBytesMessage(bytes, _class, false, strict);
  const reader = fp as LineReader;
  // CPython's _read_headers, then b''.join(headers).
  const lines: Uint8Array[] = [];
  let firstNotBytes = -1;
  let notBytesType = '';
  let total = 0;
  for (;;) {
    const got: unknown = await reader.readline(MAXLINE + 1);
    let line = bytesView(got);
    let length: number;
    if (line !== null) length = line.length;
    else if (typeof got === 'string') length = cpLength(got);
    else throw new PyTypeError(`object of type '${typeName(got)}' has no len()`);
    if (length > MAXLINE) throw new LineTooLong('header line');
    if (line === null) {
      // A str line (a text-mode file): never a terminator, and the join fails.
      if (firstNotBytes < 0) {
        firstNotBytes = lines.length;
        notBytesType = typeName(got);
      }
      line = new Uint8Array(0);
    }
    lines.push(line);
    total += line.length;
    if (lines.length > MAXHEADERS) throw new HTTPException(`got more than ${MAXHEADERS} headers`);
    if (typeof got !== 'string' && isTerminator(line)) break;
  }
  if (firstNotBytes >= 0) {
    throw new PyTypeError(`sequence item ${firstNotBytes}: expected a bytes-like object, ${notBytesType} found`);
  }
  const joined = new Uint8Array(total);
  let at = 0;
  for (const l of lines) {
    joined.set(l, at);
    at += l.length;
  }
  return headerBytesMessage(joined, _class, false, strict);
}

/** Python's type name of a value a readline returned. */
function typeName(v: unknown): string {
  if (typeof v === 'string') return 'str';
  if (v === null || v === undefined) return 'NoneType';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'float';
  if (typeof v === 'boolean') return 'bool';
  if (Array.isArray(v)) return 'list';
  return typeof v === 'object' ? ((v as object).constructor?.name ?? 'object') : typeof v;
}
