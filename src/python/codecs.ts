// Python's codecs: decoding for the RFC 2231 parameter values of the email
// package (the common ones exactly, others through the engine's
// TextDecoder), and `str.encode` to ASCII or Latin-1 with Python's error.

import { latin1Decode, latin1Encode } from '../core/latin1.js';
import { unicodeEncodeError } from './exceptions.js';

export class CodecLookupError extends Error {}
export class CodecDecodeError extends Error {}

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
export function decodeBytes(data: Uint8Array, charset: string, errors: 'strict' | 'replace'): string {
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
export function rawUnicodeEscape(s: string): Uint8Array {
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

export const utf8Encoder = new TextEncoder();

/** Python's `text.encode(encoding)` for 'ascii' or 'latin-1': the bytes, or its UnicodeEncodeError. */
export function pyEncode(text: string, encoding: 'ascii' | 'latin-1'): Uint8Array {
  const err = unicodeEncodeError(text, encoding);
  if (err) throw err;
  return latin1Encode(text);
}
