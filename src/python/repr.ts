// Python's repr() and str() of the values this library uses as Python
// values (str, bytes, int, bool, None, list, objects with __repr__).

/** Python's `str.isprintable()` for one code point (space is printable). */
const NON_PRINTABLE = /[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Zl}\p{Zp}\p{Zs}]/u;

export function hex(n: number, width: number): string {
  return n.toString(16).padStart(width, '0');
}

/** Python's `repr()` of a `str`: quote choice and escapes as CPython's unicode_repr. */
function reprStr(s: string): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === quote || ch === '\\') out += '\\' + ch;
    else if (ch === '\t') out += '\\t';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (c < 0x20 || c === 0x7f) out += '\\x' + hex(c, 2);
    else if (c < 0x7f) out += ch;
    else if (ch !== ' ' && NON_PRINTABLE.test(ch)) {
      out += c <= 0xff ? '\\x' + hex(c, 2) : c <= 0xffff ? '\\u' + hex(c, 4) : '\\U' + hex(c, 8);
    } else out += ch;
  }
  return out + quote;
}

/** Python's `repr()` of `bytes`. */
function reprBytes(b: Uint8Array): string {
  let hasSingle = false;
  let hasDouble = false;
  for (const c of b) {
    if (c === 0x27) hasSingle = true;
    else if (c === 0x22) hasDouble = true;
  }
  const quote = hasSingle && !hasDouble ? 0x22 : 0x27;
  let out = 'b' + String.fromCharCode(quote);
  for (const c of b) {
    if (c === quote || c === 0x5c) out += '\\' + String.fromCharCode(c);
    else if (c === 0x09) out += '\\t';
    else if (c === 0x0a) out += '\\n';
    else if (c === 0x0d) out += '\\r';
    else if (c < 0x20 || c >= 0x7f) out += '\\x' + hex(c, 2);
    else out += String.fromCharCode(c);
  }
  return out + String.fromCharCode(quote);
}

export function reprNumber(n: number): string {
  if (Number.isNaN(n)) return 'nan';
  if (n === Infinity) return 'inf';
  if (n === -Infinity) return '-inf';
  // An integral number is shown as Python shows an int (no exponent).
  if (Number.isInteger(n)) return BigInt(n).toString();
  return String(n);
}

/**
 * Python's `repr()` of a value as this library represents Python values:
 * string -> str, Uint8Array -> bytes, number -> int (or float), bigint ->
 * int, boolean -> bool, null/undefined -> None, array -> list, an object
 * with a `__repr__()` method -> its result, anything else -> `String(v)`.
 */
export function pyRepr(value: unknown): string {
  if (typeof value === 'string') return reprStr(value);
  if (value instanceof Uint8Array) return reprBytes(value);
  if (typeof value === 'number') return reprNumber(value);
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (value === null || value === undefined) return 'None';
  if (Array.isArray(value)) return '[' + value.map(pyRepr).join(', ') + ']';
  const r = (value as { __repr__?: unknown }).__repr__;
  if (typeof r === 'function') return String(r.call(value));
  return String(value);
}

/**
 * Python's `str()` of a value (see `pyRepr` for the mapping): a string is
 * itself, an object with `__str__()` gives its result, anything else is
 * its repr.
 */
export function pyStr(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value !== null && typeof value === 'object' && !(value instanceof Uint8Array) && !Array.isArray(value)) {
    const s = (value as { __str__?: unknown }).__str__;
    if (typeof s === 'function') return String(s.call(value));
  }
  return pyRepr(value);
}

/** Classes whose `type()` repr names their Python module (`<class 'http.client.HTTPResponse'>`). */
export const pyModules = new Map<unknown, string>();

/** Python's `repr(type(v))` for the values a JavaScript caller can pass (a plain object is a dict). */
export function pyType(v: unknown): string {
  if (v === null || v === undefined) return "<class 'NoneType'>";
  if (typeof v === 'number') return Number.isInteger(v) ? "<class 'int'>" : "<class 'float'>";
  if (typeof v === 'bigint') return "<class 'int'>";
  if (typeof v === 'boolean') return "<class 'bool'>";
  if (typeof v === 'string') return "<class 'str'>";
  if (typeof v === 'function') return "<class 'function'>";
  const ctor = (v as object).constructor;
  const module = pyModules.get(ctor);
  if (module !== undefined) return `<class '${module}.${ctor.name}'>`;
  const name = ctor?.name;
  return `<class '${name && name !== 'Object' ? name : 'dict'}'>`;
}
