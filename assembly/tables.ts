// Byte classes, one table lookup per byte (httparse's macros.rs idea,
// AssemblyScript's std/assembly/util/uri.ts layout). Generated from Python's
// own definitions (str.split, int(), email's headerRE) so that the sets are
// CPython's exactly, including \x1c-\x1f, \x85 and \xa0.

/** Python `str.split()`/`strip()` whitespace, for Latin-1 text. */
export const SPLIT_WS: u8 = 1;
/** Python `int(str)` surrounding whitespace. */
export const INT_WS: u8 = 2;
/** email header-name byte: 0x21-0x7e except ':'. */
export const NAME: u8 = 4;
/** Python `int(bytes, 16)` surrounding whitespace. */
export const BYTES_WS: u8 = 8;
export const DIGIT: u8 = 16;
export const HEX: u8 = 32;
/** RFC 9110 `tchar`: the bytes of a token (strict mode's header names). */
export const TCHAR: u8 = 64;

const CLASS = memory.data<u8>([
  0, 0, 0, 0, 0, 0, 0, 0, 0, 11, 11, 11, 11, 11, 0, 0,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1,
  11, 68, 4, 68, 68, 68, 68, 68, 4, 4, 68, 68, 4, 68, 68, 4,
  116, 116, 116, 116, 116, 116, 116, 116, 116, 116, 0, 4, 4, 4, 4, 4,
  4, 100, 100, 100, 100, 100, 100, 68, 68, 68, 68, 68, 68, 68, 68, 68,
  68, 68, 68, 68, 68, 68, 68, 68, 68, 68, 68, 4, 4, 4, 68, 68,
  68, 100, 100, 100, 100, 100, 100, 68, 68, 68, 68, 68, 68, 68, 68, 68,
  68, 68, 68, 68, 68, 68, 68, 68, 68, 68, 68, 4, 68, 4, 68, 0,
  0, 0, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
]);

/** True when byte `c` is in class `bit`. */
// @ts-ignore: decorator
@inline export function is(c: u32, bit: u8): bool {
  return (load<u8>(CLASS + c) & bit) != 0;
}

/** Value of an ASCII hex digit (caller checked `HEX`). */
// @ts-ignore: decorator
@inline export function hexValue(c: u32): u32 {
  return c <= 0x39 ? c - 0x30 : (c | 0x20) - 0x57;
}
