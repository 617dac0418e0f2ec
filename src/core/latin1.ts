// Latin-1 (ISO-8859-1) exactly: byte 0xNN <-> U+00NN for all 256 values.
// Not TextDecoder('latin1'): the WHATWG encoding standard maps that label to
// windows-1252, which turns 0x80-0x9F into other characters.

const CHUNK = 4096; // arguments per String.fromCharCode.apply call
const ascii = new TextDecoder('utf-8');

// Where the engine has Node's Buffer (Node, Deno, Bun) its latin1Slice makes
// an exact one-byte string with a copy: much faster than the fallbacks, above
// all for bytes >= 0x80. Reached through globalThis, so the core still
// imports nothing from node:*.
type Latin1Slice = (this: Uint8Array, start: number, end: number) => string;
const nativeLatin1: Latin1Slice | undefined = (
  globalThis as { Buffer?: { prototype?: { latin1Slice?: Latin1Slice } } }
).Buffer?.prototype?.latin1Slice;

/** True where decoding is native and exact whatever the bytes (no need to check for ASCII). */
export const hasNativeLatin1 = nativeLatin1 !== undefined;

/**
 * Decodes bytes [start, end) of `bytes` as Latin-1. `isAscii` may be passed
 * when the caller already knows no byte is >= 0x80 (the WASM parser can
 * tell): the native UTF-8 decoder is exact for ASCII and faster.
 */
export function latin1Decode(bytes: Uint8Array, start = 0, end = bytes.length, isAscii = false): string {
  const n = end - start;
  if (n <= 0) return '';
  if (nativeLatin1) return nativeLatin1.call(bytes, start, end);
  if (n < 24) {
    let s = '';
    for (let i = start; i < end; i++) s += String.fromCharCode(bytes[i]!);
    return s;
  }
  if (isAscii) return ascii.decode(bytes.subarray(start, end));
  let s = '';
  for (let i = start; i < end; i += CHUNK) {
    s += String.fromCharCode.apply(null, bytes.subarray(i, Math.min(i + CHUNK, end)) as unknown as number[]);
  }
  return s;
}

/**
 * Index of the first character of `text` above U+00FF (not Latin-1), or -1.
 */
export function latin1Invalid(text: string): number {
  for (let i = 0; i < text.length; i++) {
    if (text.charCodeAt(i) > 0xff) return i;
  }
  return -1;
}

/**
 * Encodes `text` as Latin-1. The caller checks `latin1Invalid` first: a
 * character above U+00FF would be truncated to its low byte here.
 */
export function latin1Encode(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i);
  return out;
}

/**
 * `text` encoded as Latin-1 when every character is below `limit` (0x80
 * for ASCII, 0x100 for Latin-1), else null: the check and the encoding in
 * one pass, for callers that raise their own error on null.
 */
export function encodeBelow(text: string, limit: number): Uint8Array | null {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= limit) return null;
    out[i] = c;
  }
  return out;
}
