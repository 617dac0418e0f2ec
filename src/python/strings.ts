// Python's str methods as the email package uses them (strip, split,
// splitlines, len and ordering by code point), for strings that are Python
// text. Pure functions; nothing here knows HTTP.

/** Python's `str.isspace()` set: whitespace per Unicode bidi class WS/B/S or category Zs. */
const PY_SPACE = '\t\n\v\f\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000';

export function isPySpaceChar(ch: string): boolean {
  return PY_SPACE.includes(ch);
}

/** Python's `s.isspace()`: non-empty and all whitespace. */
export function pyIsspace(s: string): boolean {
  if (s.length === 0) return false;
  for (const ch of s) if (!isPySpaceChar(ch)) return false;
  return true;
}

/** Python's `s.lstrip()` (no argument). */
export function pyLstrip(s: string): string {
  let i = 0;
  while (i < s.length && isPySpaceChar(s[i]!)) i++;
  return s.slice(i);
}

/** Python's `s.rstrip()` (no argument). */
export function pyRstrip(s: string): string {
  let j = s.length;
  while (j > 0 && isPySpaceChar(s[j - 1]!)) j--;
  return s.slice(0, j);
}

/** Python's `s.strip()` (no argument). */
export function pyStrip(s: string): string {
  return pyLstrip(pyRstrip(s));
}

/** Python's `s.lower()`. */
export function pyLower(s: string): string {
  return s.toLowerCase();
}

/** Python's `s.count(sub, 0, end)` (non-overlapping). */
export function pyCount(s: string, sub: string, end: number): number {
  let n = 0;
  for (let i = s.indexOf(sub); i >= 0 && i + sub.length <= end; i = s.indexOf(sub, i + sub.length)) n++;
  return n;
}

/** Python's `s.split(sep, maxsplit)` with an explicit separator. */
export function pySplit(s: string, sep: string, maxsplit: number): string[] {
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
export function pySplitlines(s: string): string[] {
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
export function cpLength(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

/** Python strings compare by code point (JavaScript's `<` by UTF-16 unit). */
export function cmpCodePoints(a: string, b: string): number {
  const x = Array.from(a, (c) => c.codePointAt(0)!);
  const y = Array.from(b, (c) => c.codePointAt(0)!);
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
  return x.length - y.length;
}
