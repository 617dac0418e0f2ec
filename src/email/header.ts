// Header folding: compat32's _fold over email.header.Header.encode, and the
// Generator's pieces str(msg) needs (line ends, boundary token, ctime).

import { HeaderParseError, HeaderWriteError } from './errors.js';
import { utf8Encoder } from '../python/codecs.js';
import { pyRepr } from '../python/repr.js';
import { cpLength, isPySpaceChar, pyIsspace, pyLstrip, pySplitlines } from '../python/strings.js';

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

export function base64(data: Uint8Array): string {
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
export function foldHeader(name: string, value: string, maxLineLength: number): string {
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
export function writeLines(text: string): string {
  const lines = text.split(/\r\n|\r|\n/);
  let out = '';
  for (let i = 0; i < lines.length - 1; i++) out += lines[i] + '\n';
  return out + lines[lines.length - 1];
}

/** Generator._make_boundary's token: random.randrange(sys.maxsize) as 19 digits. */
export function randomToken(): string {
  const bytes = new Uint8Array(8);
  globalThis.crypto.getRandomValues(bytes);
  let n = 0n;
  for (const b of bytes) n = (n << 8n) | BigInt(b);
  return (n % 0x7fffffffffffffffn).toString().padStart(19, '0');
}

/** time.ctime(): `Sun Nov 22 06:14:13 2026` in local time. */
export function ctime(d: Date): string {
  const days = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${days[d.getDay()]} ${months[d.getMonth()]} ${String(d.getDate()).padStart(2, ' ')} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())} ${d.getFullYear()}`;
}
