// urllib3's HTTPHeaderDict (urllib3/_collections.py, 2.x): request headers
// with case-insensitive names that can hold a field more than once (two
// Cookie or X-Forwarded-For lines), and the helpers the pool uses on any
// headers it is given — a plain object or an HTTPHeaderDict — so that a
// copy keeps the kind it was given and repeated fields stay repeated.
import { KeyError } from '../http/exceptions.js';

/** What may be given where headers go: a plain object (names as given), or an HTTPHeaderDict. */
export type Headers = Record<string, string> | HTTPHeaderDict;

/** Sources an HTTPHeaderDict is made or extended from: another one, an object, a Map, or [name, value] pairs. */
export type HeaderSource = HTTPHeaderDict | Record<string, string> | Map<string, string> | Iterable<readonly [string, string]>;

function sourcePairs(source: HeaderSource): Iterable<readonly [string, string]> {
  if (source instanceof HTTPHeaderDict) return source.iteritems();
  if (source instanceof Map) return source.entries();
  if (typeof (source as Iterable<unknown>)[Symbol.iterator] === 'function') return source as Iterable<readonly [string, string]>;
  return Object.entries(source as Record<string, string>);
}

/**
 * urllib3's `HTTPHeaderDict`: a mapping of header names to values where
 * names compare case-insensitively (the first spelling is kept) and a
 * name may hold several values. `set()` (`__setitem__`) replaces,
 * `add()` appends; `get()` and `__getitem__` give the values joined with
 * ", ", `getlist()` each one. Iterating it — as the pool does when
 * sending — yields a [name, value] pair per value (urllib3's
 * `iteritems()`; JS's Headers and Map iterate pairs too), so repeated
 * fields go out as separate lines; Python's `for name in headers` is
 * `keys()`.
 */
export class HTTPHeaderDict implements Iterable<[string, string]> {
  /** Lower-cased name -> [name as first given, ...values]. Insertion-ordered. */
  private readonly _container = new Map<string, [string, ...string[]]>();

  /** From another HTTPHeaderDict (copied), an object, a Map or pairs; `extra` as urllib3's keyword arguments. */
  constructor(headers?: HeaderSource | null, extra?: Record<string, string>) {
    if (headers instanceof HTTPHeaderDict) {
      for (const [k, v] of headers._container) this._container.set(k, [...v]);
    } else if (headers !== null && headers !== undefined) {
      this.extend(headers);
    }
    if (extra) this.extend(extra);
  }

  /** `headers[name] = value`: replaces every value of the name (any case). */
  set(name: string, value: string): void {
    this._container.set(name.toLowerCase(), [name, value]);
  }

  __setitem__(name: string, value: string): void {
    this.set(name, value);
  }

  /** `headers[name]`: the values joined with ", "; KeyError when absent. */
  __getitem__(name: string): string {
    const vals = this._container.get(name.toLowerCase());
    if (vals === undefined) throw new KeyError(name);
    return vals.slice(1).join(', ');
  }

  /** Mapping's `get(name, default)`: the joined values, or `fallback` (undefined unless given). */
  get<T = undefined>(name: string, fallback?: T): string | T {
    const vals = this._container.get(name.toLowerCase());
    return vals === undefined ? (fallback as T) : vals.slice(1).join(', ');
  }

  /** `del headers[name]`: KeyError when absent. */
  __delitem__(name: string): void {
    if (!this._container.delete(name.toLowerCase())) throw new KeyError(name);
  }

  /** Removes the name if present (no error when absent). */
  discard(name: string): void {
    this._container.delete(name.toLowerCase());
  }

  /** JS's name for discard(); true if the name was there. */
  delete(name: string): boolean {
    return this._container.delete(name.toLowerCase());
  }

  /** `name in headers` (case-insensitive). */
  __contains__(name: string): boolean {
    return typeof name === 'string' && this._container.has(name.toLowerCase());
  }

  has(name: string): boolean {
    return this.__contains__(name);
  }

  /** Number of distinct names (`len(headers)`). */
  __len__(): number {
    return this._container.size;
  }

  get size(): number {
    return this._container.size;
  }

  /**
   * Adds a value, keeping those already there. `combine: true` appends it
   * to the last value with ", " instead (one line when sent).
   */
  add(name: string, value: string, options: { combine?: boolean } = {}): void {
    const key = name.toLowerCase();
    const vals = this._container.get(key);
    if (vals === undefined) this._container.set(key, [name, value]);
    else if (options.combine) vals[vals.length - 1] = `${vals[vals.length - 1]}, ${value}`;
    else vals.push(value);
  }

  /** Adds every pair of `source` (and `extra`) with add(): nothing replaced. */
  extend(source: HeaderSource = [], extra?: Record<string, string>): void {
    for (const [k, v] of sourcePairs(source)) this.add(k, v);
    if (extra) for (const [k, v] of Object.entries(extra)) this.add(k, v);
  }

  /**
   * Mapping's `update()`: each name of `source` set(), replacing. A header
   * dict is a Mapping there: each name once, its values joined with ", "
   * (itermerged), as urllib3's; its pairs one by one would keep only the last.
   */
  update(source: HeaderSource): void {
    const pairs = source instanceof HTTPHeaderDict ? source.itermerged() : sourcePairs(source);
    for (const [k, v] of pairs) this.set(k, v);
  }

  /** Every value of the name; `[]` (or `fallback`, if given) when absent. */
  getlist<T = string[]>(name: string, fallback?: T): string[] | T {
    const vals = this._container.get(name.toLowerCase());
    if (vals === undefined) return fallback === undefined ? [] : fallback;
    return vals.slice(1);
  }

  /** urllib3's aliases of getlist (httplib's and http.cookiejar's names). */
  getheaders(name: string): string[] {
    return this.getlist(name);
  }

  getallmatchingheaders(name: string): string[] {
    return this.getlist(name);
  }

  iget(name: string): string[] {
    return this.getlist(name);
  }

  get_all(name: string): string[] {
    return this.getlist(name);
  }

  /** Mapping's `setdefault(name, default='')`: the joined values, after setting `fallback` if absent. */
  setdefault(name: string, fallback = ''): string {
    if (!this.__contains__(name)) this.set(name, fallback);
    return this.__getitem__(name);
  }

  /** Mapping's `pop(name[, default])`: removes and returns the joined values; KeyError without a default. */
  pop(name: string, ...fallback: [string?]): string | undefined {
    if (!this.__contains__(name)) {
      if (fallback.length > 0) return fallback[0];
      throw new KeyError(name);
    }
    const v = this.__getitem__(name);
    this.discard(name);
    return v;
  }

  /** A copy (the values copied too). */
  copy(): HTTPHeaderDict {
    return new HTTPHeaderDict(this);
  }

  /** Names as first given, one per distinct name (Python's iteration over the dict). */
  keys(): string[] {
    return Array.from(this._container.values(), (v) => v[0]);
  }

  /** The joined values, one per name. */
  values(): string[] {
    return Array.from(this._container.values(), (v) => v.slice(1).join(', '));
  }

  /** Each [name, value] pair, a repeated name once per value (what is sent). */
  *iteritems(): IterableIterator<[string, string]> {
    for (const [name, ...vals] of this._container.values()) for (const v of vals) yield [name, v];
  }

  /** Each [name, joined values] pair, one per name. */
  *itermerged(): IterableIterator<[string, string]> {
    for (const [name, ...vals] of this._container.values()) yield [name, vals.join(', ')];
  }

  /** urllib3's items(): the pairs of iteritems() (a repeated name once per value), as an array. */
  items(): [string, string][] {
    return Array.from(this.iteritems());
  }

  /** Whether `name` has `value` among its values (urllib3's `(name, value) in headers.items()`). */
  _has_value_for_header(name: string, value: string): boolean {
    const vals = this._container.get(name.toLowerCase());
    return vals !== undefined && vals.indexOf(value, 1) > 0;
  }

  /** Removes the headers about a body before a 303's GET (urllib3's list, plus Transfer-Encoding); returns this. */
  _prepare_for_method_change(): this {
    for (const name of BODY_HEADERS) this.discard(name);
    return this;
  }

  /** `==`: the same names (any case) with the same joined values; false for what cannot make a header dict. */
  __eq__(other: unknown): boolean {
    let o: HTTPHeaderDict;
    try {
      o = other instanceof HTTPHeaderDict ? other : new HTTPHeaderDict(other as HeaderSource);
    } catch {
      return false;
    }
    if (o.size !== this.size) return false;
    for (const [k, v] of this.itermerged()) if (o.get(k) !== v) return false;
    return true;
  }

  /** `a | b`: a copy of this extended with `other` (add(), nothing replaced). */
  __or__(other: HeaderSource): HTTPHeaderDict {
    const out = this.copy();
    out.extend(other);
    return out;
  }

  /** `b | a` with `b` not a header dict: a new one from `other`, extended with this. */
  __ror__(other: HeaderSource): HTTPHeaderDict {
    const out = new HTTPHeaderDict(other);
    out.extend(this);
    return out;
  }

  /** `a |= b`: extends this in place; returns this. */
  __ior__(other: HeaderSource): this {
    this.extend(other);
    return this;
  }

  [Symbol.iterator](): IterableIterator<[string, string]> {
    return this.iteritems();
  }

  /** `HTTPHeaderDict({'Name': 'a, b'})`, as urllib3 (merged values, Python's dict repr). */
  __repr__(): string {
    const body = Array.from(this.itermerged(), ([k, v]) => `${pyStr(k)}: ${pyStr(v)}`).join(', ');
    return `HTTPHeaderDict({${body}})`;
  }

  toString(): string {
    return this.__repr__();
  }

  /** JSON: the [name, value] pairs (a pool key, a log line). */
  toJSON(): [string, string][] {
    return this.items();
  }
}

/** Python's repr of a str (single quotes unless the text holds one and no double quote). */
function pyStr(s: string): string {
  const q = s.includes("'") && !s.includes('"') ? '"' : "'";
  return q + s.replace(/\\/g, '\\\\').replace(new RegExp(q, 'g'), '\\' + q) + q;
}

/** Headers about a body, which a 303's GET must not carry (urllib3's, plus Transfer-Encoding: the body it framed is gone). */
const BODY_HEADERS = ['Content-Encoding', 'Content-Language', 'Content-Location', 'Content-Type', 'Content-Length', 'Digest', 'Last-Modified', 'Transfer-Encoding'];
const BODY_HEADERS_LOWER = new Set(BODY_HEADERS.map((h) => h.toLowerCase()));

// ------------------------------------------------------------ helpers for either kind

/** Whether `headers` has `name` (any case). */
export function hasHeader(headers: Headers, name: string): boolean {
  if (headers instanceof HTTPHeaderDict) return headers.__contains__(name);
  const n = name.toLowerCase();
  for (const k in headers) if (k.length === n.length && k.toLowerCase() === n) return true;
  return false;
}

/** A copy of `headers` (same kind) with `name` set to `value`, replacing it in any case. */
export function withHeader(headers: Headers, name: string, value: string): Headers {
  return mergeHeaders(headers, { [name]: value });
}

/** A copy of `headers` (same kind) with every field of `extra` set, each replacing its name in any case. */
export function mergeHeaders(headers: Headers, extra: Headers): Headers {
  if (headers instanceof HTTPHeaderDict) {
    const out = headers.copy();
    // Names of `extra` replace; repeated ones in an HTTPHeaderDict `extra` all go in.
    const seen = new Set<string>();
    for (const [k, v] of extra instanceof HTTPHeaderDict ? extra.iteritems() : Object.entries(extra)) {
      if (seen.has(k.toLowerCase())) out.add(k, v);
      else out.set(k, v);
      seen.add(k.toLowerCase());
    }
    return out;
  }
  if (extra instanceof HTTPHeaderDict) return mergeHeaders(new HTTPHeaderDict(headers), extra);
  const out: Record<string, string> = { ...headers };
  const lower = new Map(Object.keys(out).map((k) => [k.toLowerCase(), k]));
  for (const [k, v] of Object.entries(extra)) {
    const existing = lower.get(k.toLowerCase());
    if (existing !== undefined) delete out[existing];
    out[k] = v;
  }
  return out;
}

/** A copy of `headers` (same kind) without the names (lower case) in `remove`. */
export function withoutHeaders(headers: Headers, remove: ReadonlySet<string>): Headers {
  if (headers instanceof HTTPHeaderDict) {
    const out = headers.copy();
    for (const k of out.keys()) if (remove.has(k.toLowerCase())) out.discard(k);
    return out;
  }
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) if (!remove.has(k.toLowerCase())) out[k] = v;
  return out;
}

/** `headers` without the body's headers (urllib3's HTTPHeaderDict._prepare_for_method_change, plus Transfer-Encoding), as a copy. */
export function prepareForMethodChange(headers: Headers): Headers {
  return withoutHeaders(headers, BODY_HEADERS_LOWER);
}

/** One value per name (repeated ones joined with ", "), as a plain object: for CONNECT's headers. */
export function mergedHeaders(headers: Headers): Record<string, string> {
  return headers instanceof HTTPHeaderDict ? Object.fromEntries(headers.itermerged()) : headers;
}
