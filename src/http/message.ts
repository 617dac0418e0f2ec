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

import { type Tail, scanTail } from '../email/feedparser.js';
import { ctime, foldHeader, randomToken, writeLines } from '../email/header.js';
import { type ParamValue, collapseRfc2231Value, decodeParams, parseParam, splitParam, unquoteValue } from '../email/params.js';
import { CodecDecodeError, CodecLookupError, decodeBytes, rawUnicodeEscape } from '../python/codecs.js';
import { cpLength, pyIsspace, pyLower, pyRstrip, pyStrip } from '../python/strings.js';
import { Limit } from '../abi/index.js';
import { bytesView } from '../core/buffer.js';
import { ParseError } from '../core/errors.js';
import { HeadParser, type HeaderFields, type ResponseHead } from '../core/head.js';
import { latin1Decode, latin1Encode } from '../core/latin1.js';
import { fromParseError, HTTPException, LineTooLong } from './exceptions.js';
import { HeaderParseError } from '../email/errors.js';
import { KeyError, TypeError as PyTypeError } from '../python/exceptions.js';
import { pyRepr } from '../python/repr.js';

export type { ParamValue, RFC2231Value } from '../email/params.js';


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
 * header bytes the fields came from (after the status line), as bytes or
 * as their Latin-1 text; only
 * `as_string()` needs it, to print what Python's email parser keeps after a
 * malformed header section. `HTTPMessage.fromHead(head)` does both for a
 * core `ResponseHead`.
 */
export class HTTPMessage implements Iterable<string> {
  private fields: HeaderFields | null;
  private list: [string, string][] | null;
  private readonly source: Uint8Array | string | null;
  private tail: Tail | null = null;
  private defaultType = 'text/plain';
  /** Built empty: Python's payload is None (a parsed message's is a string). */
  private readonly built: boolean;

  /** An empty message, or one over core `fields` parsed from the header bytes `source` (or their Latin-1 text). */
  constructor(fields?: HeaderFields, source?: Uint8Array | string) {
    this.fields = fields ?? null;
    this.list = fields ? null : [];
    this.source = source ?? null;
    this.built = fields === undefined;
  }

  /**
   * The message of a core `ResponseHead`: its header fields, with the head
   * after its status line as source, taken from the head's text (decoded
   * once by the core; never encoded back to bytes).
   */
  static fromHead(head: ResponseHead): HTTPMessage {
    const text = head.text;
    const nl = text.indexOf('\n');
    return new HTTPMessage(head.headers, nl < 0 ? '' : text.substring(nl + 1));
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
    const source = this.source;
    return (this.tail ??= source ? scanTail(typeof source === 'string' ? source : latin1Decode(source)) : { unixfrom: undefined, payload: '' });
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
export type HTTPMessageClass<T extends HTTPMessage> = new (fields?: HeaderFields, source?: Uint8Array | string) => T;

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
    const got: unknown = await reader.readline(Limit.MAX_LINE + 1);
    let line = bytesView(got);
    let length: number;
    if (line !== null) length = line.length;
    else if (typeof got === 'string') length = cpLength(got);
    else throw new PyTypeError(`object of type '${typeName(got)}' has no len()`);
    if (length > Limit.MAX_LINE) throw new LineTooLong('header line');
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
    if (lines.length > Limit.MAX_HEADERS) throw new HTTPException(`got more than ${Limit.MAX_HEADERS} headers`);
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
