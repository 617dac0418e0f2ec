// Byte searches over [p, end): the only loops that see every byte of a head.
// SIMD and scalar builds come from this one source (ASC_FEATURE_SIMD); both
// may read up to 15 bytes past `end`, which the layout keeps as padding.

// @ts-ignore: decorator
@inline const ONES: u64 = 0x0101010101010101;
// @ts-ignore: decorator
@inline const HIGHS: u64 = 0x8080808080808080;

/** First `\n` in [p, end), or `end`. */
export function findLF(p: usize, end: usize): usize {
  if (ASC_FEATURE_SIMD) {
    const lf = i8x16.splat(0x0a);
    while (p + 16 <= end) {
      const m = i8x16.bitmask(i8x16.eq(v128.load(p), lf));
      if (m) return p + <usize>ctz(m);
      p += 16;
    }
  } else {
    while (p + 8 <= end) {
      const x = load<u64>(p) ^ 0x0a0a0a0a0a0a0a0a;
      const t = (x - ONES) & ~x & HIGHS;
      if (t) return p + <usize>(ctz(t) >> 3);
      p += 8;
    }
  }
  while (p < end) {
    if (load<u8>(p) == 0x0a) return p;
    p++;
  }
  return end;
}

/** First `\r` or `\n` in [p, end), or `end`: email line ends. */
export function findCRLF(p: usize, end: usize): usize {
  if (ASC_FEATURE_SIMD) {
    const lf = i8x16.splat(0x0a);
    const cr = i8x16.splat(0x0d);
    while (p + 16 <= end) {
      const v = v128.load(p);
      const m = i8x16.bitmask(v128.or(i8x16.eq(v, lf), i8x16.eq(v, cr)));
      if (m) return p + <usize>ctz(m);
      p += 16;
    }
  } else {
    while (p + 8 <= end) {
      const w = load<u64>(p);
      const x = w ^ 0x0a0a0a0a0a0a0a0a;
      const y = w ^ 0x0d0d0d0d0d0d0d0d;
      const t = ((x - ONES) & ~x | (y - ONES) & ~y) & HIGHS;
      if (t) return p + <usize>(ctz(t) >> 3);
      p += 8;
    }
  }
  while (p < end) {
    const c = load<u8>(p);
    if (c == 0x0a || c == 0x0d) return p;
    p++;
  }
  return end;
}

/** True when some byte in [p, end) is >= 0x80. */
export function hasHighByte(p: usize, end: usize): bool {
  if (ASC_FEATURE_SIMD) {
    let acc = i8x16.splat(0);
    while (p + 16 <= end) {
      acc = v128.or(acc, v128.load(p));
      p += 16;
    }
    if (i8x16.bitmask(acc)) return true;
  } else {
    let acc: u64 = 0;
    while (p + 8 <= end) {
      acc |= load<u64>(p);
      p += 8;
    }
    if (acc & HIGHS) return true;
  }
  while (p < end) {
    if (load<u8>(p) >= 0x80) return true;
    p++;
  }
  return false;
}

/**
 * First byte in [p, end) that is not an email header-name byte (0x21-0x7e
 * except ':'), or `end`. May read up to 15 bytes past `end` (layout padding).
 */
export function findNonName(p: usize, end: usize): usize {
  if (ASC_FEATURE_SIMD) {
    const lo = i8x16.splat(0x21);
    const hi = i8x16.splat(0x7e);
    const colon = i8x16.splat(0x3a);
    while (p < end) {
      const v = v128.load(p);
      const bad = v128.or(v128.or(i8x16.lt_u(v, lo), i8x16.gt_u(v, hi)), i8x16.eq(v, colon));
      const m = i8x16.bitmask(bad);
      if (m) {
        const q = p + <usize>ctz(m);
        return q < end ? q : end;
      }
      p += 16;
    }
  } else {
    while (p < end) {
      const w = load<u64>(p);
      const lt = (w - 0x2121212121212121) & ~w & HIGHS;
      const gt = (((w & 0x7f7f7f7f7f7f7f7f) + ONES) | w) & HIGHS;
      const x = w ^ 0x3a3a3a3a3a3a3a3a;
      const t = lt | gt | ((x - ONES) & ~x & HIGHS);
      if (t) {
        const q = p + <usize>(ctz(t) >> 3);
        return q < end ? q : end;
      }
      p += 8;
    }
  }
  return end;
}

/**
 * First byte in [p, end) that is a control byte other than HTAB (< 0x20
 * or 0x7f: CR and LF included), or `end`. Strict mode's scan of field
 * values. May read up to 15 bytes past `end` (layout padding).
 */
export function findCtl(p: usize, end: usize): usize {
  for (;;) {
    let q = end;
    if (ASC_FEATURE_SIMD) {
      const space = i8x16.splat(0x20);
      const del = i8x16.splat(0x7f);
      while (p < end) {
        const v = v128.load(p);
        const m = i8x16.bitmask(v128.or(i8x16.lt_u(v, space), i8x16.eq(v, del)));
        if (m) {
          q = p + <usize>ctz(m);
          break;
        }
        p += 16;
      }
    } else {
      while (p < end) {
        const w = load<u64>(p);
        const lt = (w - 0x2020202020202020) & ~w & HIGHS;
        const x = w ^ 0x7f7f7f7f7f7f7f7f;
        const t = lt | ((x - ONES) & ~x & HIGHS);
        if (t) {
          q = p + <usize>(ctz(t) >> 3);
          break;
        }
        p += 8;
      }
    }
    if (q >= end) return end;
    if (load<u8>(q) != 0x09) return q;
    p = q + 1; // HTAB is allowed in a value
  }
  return end; // not reached: the loop returns
}

/**
 * Header lines a clean head may have (assembly/head.ts and request.ts):
 * below CPython's 100-line limit with room to spare, so that the limit
 * itself is always judged by the exact reading.
 */
export const CLEAN_MAX_HEADERS = 90;

/** The line ends (the CR) that `cleanLineEnds` finds: each header line's, then the blank line's. */
export const LINE_ENDS: usize = memory.data((CLEAN_MAX_HEADERS + 1) << 2, 16);

/**
 * Bit i set when byte `vb + i` of the input ends a clean line: CR or LF
 * (`anyControl` false), or any control byte but HTAB (< 0x20 or 0x7f;
 * `anyControl` true). Reads 16 bytes. SIMD builds only.
 */
// @ts-ignore: decorator
@inline function lineEndMask(input: usize, vb: i32, anyControl: bool): i32 {
  const v = v128.load(input + <usize>vb);
  if (anyControl) {
    const ctl = v128.or(i8x16.lt_u(v, i8x16.splat(0x20)), i8x16.eq(v, i8x16.splat(0x7f)));
    return i8x16.bitmask(v128.andnot(ctl, i8x16.eq(v, i8x16.splat(0x09))));
  }
  return i8x16.bitmask(v128.or(i8x16.eq(v, i8x16.splat(0x0a)), i8x16.eq(v, i8x16.splat(0x0d))));
}

/**
 * The first pass over a clean header block (SIMD builds only), so that in
 * the second no line waits for the one before it: from `p` (the first
 * header line) in [0, total) of `input`, each line's end, the first byte
 * `lineEndMask` marks, which must be a CRLF. Stores them in LINE_ENDS, the
 * blank line's CR last, and returns the number of header lines; or -1 when
 * a line end is not CRLF, the input ends first, there are more than `cap`
 * lines, or a line with its CRLF is `lineLimit` bytes or longer. One pass
 * doing a line's end, name and value spent ~14 ns a line in a chain of
 * dependent scans, however short the line.
 */
// @ts-ignore: decorator
@inline export function cleanLineEnds(input: usize, p: i32, total: i32, cap: i32, anyControl: bool, lineLimit: i32): i32 {
  let lines = 0;
  let ls = p;
  let vb = p & ~15;
  let m = lineEndMask(input, vb, anyControl) & (-1 << (p - vb));
  for (;;) {
    while (m == 0) {
      vb += 16;
      if (vb >= total) return -1;
      m = lineEndMask(input, vb, anyControl);
    }
    const cr = vb + <i32>ctz(m);
    if (cr + 1 >= total || load<u16>(input + <usize>cr) != 0x0a0d) return -1;
    store<i32>(LINE_ENDS + (<usize>lines << 2), cr);
    if (cr == ls) break; // the blank line
    const next = cr + 2;
    if (next - ls >= lineLimit || lines >= cap) return -1;
    lines++;
    ls = next;
    if (next >= vb + 16) {
      vb = next & ~15;
      m = lineEndMask(input, vb, anyControl);
    }
    m &= -1 << (next - vb);
  }
  return lines;
}
