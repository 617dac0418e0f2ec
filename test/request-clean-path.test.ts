// parseRequestHead reads a clean request head (what nearly every client
// sends) in one pass of its own (assembly/request.ts) and everything else
// the exact two-pass way (assembly/head.ts). The two must agree on every
// head the one-pass reading accepts: here each generated request is parsed
// whole (where the one-pass reading is tried) and in two calls, the second
// resuming after the request line (where it is not), and the context-block
// results are compared, on both builds, in the default and strict modes;
// the fields the one-pass reading reports for strict mode (REQUEST_FIELDS)
// are checked against the entries.
import { describe, expect, it } from 'vitest';
import { Code, createWasmParser, InFlag, latin1Decode, RequestReader, Slot, StrictRule, type WasmParser } from '../src/core/index.js';
import { latin1Bytes, makeRng, mutateBytes, type Rng } from './support/generate.js';
import { generateRequests } from './support/generate-requests.js';

const N = 6000;
let cleanReads = 0;
const SLOTS = [
  Slot.METHOD_START, Slot.METHOD_END, Slot.TARGET_START, Slot.TARGET_END, Slot.VERSION_START, Slot.VERSION_END,
  Slot.VERSION, Slot.WORD_COUNT, Slot.STATUS, Slot.STATUS_LINE_END, Slot.HEAD_END, Slot.HEADER_COUNT, Slot.FLAGS,
];

/** What a parse left: its return code, the head slots, Content-Length and the entries (or the error slots). */
function results(wasm: WasmParser, r: number): unknown[] {
  const o = wasm.out;
  if (r <= 0) return [r, o[Slot.ERROR_KIND], o[Slot.ERROR_OFFSET]];
  const count = o[Slot.HEADER_COUNT]!;
  return [r, ...SLOTS.map((s) => o[s]), wasm.contentLength, ...wasm.entries.subarray(0, count * 4)];
}

/**
 * REQUEST_FIELDS as the one-pass reading should pack it, from the entries
 * of the head just parsed: the first Host, Content-Length and
 * Transfer-Encoding (index + 1, 8 bits each) and a bit for each that
 * comes twice.
 */
function expectedFields(wasm: WasmParser, input: Uint8Array): number {
  let packed = 0;
  const names = ['host', 'content-length', 'transfer-encoding'];
  const seen = [0, 0, 0];
  for (let i = 0; i < wasm.out[Slot.HEADER_COUNT]!; i++) {
    const name = latin1Decode(input, wasm.entries[i * 4]!, wasm.entries[i * 4 + 1]!).toLowerCase();
    const k = names.indexOf(name);
    if (k < 0) continue;
    if (seen[k]++ === 0) packed |= (i + 1) << (8 * k);
    else packed |= 1 << (24 + k);
  }
  return packed;
}

function parse(wasm: WasmParser, input: Uint8Array, strict: boolean, split: boolean): unknown[] {
  const flags = InFlag.EOF | (strict ? InFlag.STRICT : 0);
  wasm.stageOnce(input);
  let r: number;
  if (!split) {
    r = wasm.parseRequestHead(input.length, 0, 0, flags);
    // A head read the one-pass way says where its framing fields are.
    const packed = wasm.out[Slot.REQUEST_FIELDS]!;
    if (r > 0 && packed >= 0) {
      cleanReads++;
      const want = expectedFields(wasm, input);
      if (packed !== want) return ['REQUEST_FIELDS', packed, want];
    }
  } else {
    // Up to the request line's end first: NEED_MORE with resume hints past 0.
    const nl = input.indexOf(0x0a);
    if (nl < 0 || nl + 1 >= input.length) return ['no split'];
    const first = wasm.parseRequestHead(nl + 1, 0, 0, 0);
    if (first !== Code.NEED_MORE) return ['first', first];
    r = wasm.parseRequestHead(input.length, wasm.out[Slot.SCANNED]!, wasm.out[Slot.LINES]!, flags);
    if (wasm.out[Slot.REQUEST_FIELDS] !== -1) return ['resumed read left REQUEST_FIELDS', wasm.out[Slot.REQUEST_FIELDS]];
  }
  return results(wasm, r);
}

function cases(): string[] {
  const out = [
    'GET /index.html HTTP/1.1\r\nHost: example.com\r\n\r\n',
    'POST /x HTTP/1.0\r\nContent-Length: 12\r\nContent-Length: 3\r\n\r\nbody',
    'PUT /x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: CHUNKED\r\nContent-Length: 5\r\n\r\n',
    'GET * HTTP/1.1\r\nHost: a\r\nX:\t \tv a l\t\r\nY:\r\nZ: caf\xe9 \r\n\r\n',
    'CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n',
    'GET / HTTP/1.1\r\nContent-Length: 99999999999999999999\r\nHost: x\r\n\r\n',
    'GET / HTTP/1.1\r\nContent-Length: -0\r\nTransfer-Encoding: chunked \r\n\r\n',
    'GET / HTTP/1.1\r\n' + 'X-A: b\r\n'.repeat(89) + '\r\n',
    'GET / HTTP/1.1\r\n' + 'X-A: b\r\n'.repeat(90) + '\r\n',
    'GET / HTTP/1.1\r\n' + 'X-A: b\r\n'.repeat(99) + '\r\n',
    'GET / HTTP/1.1\r\n' + 'X-A: b\r\n'.repeat(100) + '\r\n',
    'GET /' + 'a'.repeat(65524) + ' HTTP/1.1\r\nHost: x\r\n\r\n',
    'GET /' + 'a'.repeat(65525) + ' HTTP/1.1\r\nHost: x\r\n\r\n',
    'GET / HTTP/1.1\r\nX: ' + 'v'.repeat(65530) + '\r\n\r\n',
    'GET / HTTP/1.1\r\nX: ' + 'v'.repeat(65531) + '\r\n\r\n',
  ];
  const rng = makeRng(20261202);
  for (let i = 0; i < N; i++) {
    // Half clean heads as the one-pass reading takes them, a quarter of
    // those then mutated (a byte changed, added or removed: mostly no
    // longer clean), half the general generator's streams.
    let text = i % 2 === 0 ? cleanHead(rng) : generateRequests(rng).text;
    if (rng.chance(0.25)) text = mutateBytes(rng, text);
    out.push(text);
  }
  return out;
}

const TCHAR = "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
const FRAMING = ['Content-Length', 'content-length', 'CONTENT-LENGTH', 'Transfer-Encoding', 'transfer-encoding', 'Host', 'HOST', 'Connection', 'Expect'];
const FRAMING_VALUES = ['0', '5', ' 12', '-1', '+4', '1_0', '007', '3, 3', '99999999999999999999', '-0', 'chunked', 'CHUNKED', 'chunked ', 'gzip, chunked', 'xchunked', '', 'example.com', 'close'];

function word(rng: Rng, chars: string, min: number, max: number): string {
  let w = '';
  for (let n = rng.int(min, max); n > 0; n--) w += chars[rng.int(0, chars.length - 1)];
  return w;
}

/** A value: visible ASCII, blanks, HTAB and obs-text (never CR, LF or another control byte). */
function value(rng: Rng): string {
  let v = '';
  for (let n = rng.int(0, rng.chance(0.1) ? 200 : 30); n > 0; n--) {
    const k = rng.int(0, 19);
    v += k === 0 ? '\t' : k === 1 ? ' ' : k === 2 ? String.fromCharCode(rng.int(0x80, 0xff)) : String.fromCharCode(rng.int(0x21, 0x7e));
  }
  return v;
}

/** A head the one-pass reading accepts (up to 95 fields, so some go past its 90). */
function cleanHead(rng: Rng): string {
  const visible = Array.from({ length: 0x5e }, (_, k) => String.fromCharCode(0x21 + k)).join('');
  let head = `${word(rng, TCHAR, 1, 8)} ${rng.chance(0.7) ? '/' : ''}${word(rng, visible, 0, 60)} HTTP/1.${rng.pick(['0', '1'])}\r\n`;
  for (let n = rng.chance(0.05) ? rng.int(85, 95) : rng.int(0, 12); n > 0; n--) {
    const framing = rng.chance(0.3);
    const name = framing ? rng.pick(FRAMING) : word(rng, TCHAR, 1, 20);
    head += `${name}:${rng.pick(['', ' ', '\t', ' \t '])}${framing ? rng.pick(FRAMING_VALUES) : value(rng)}\r\n`;
  }
  return head + '\r\n' + (rng.chance(0.3) ? 'GET / HTTP/1.1\r\n' : '');
}

describe('parseRequestHead: the one-pass reading of a clean head agrees with the exact reading', () => {
  const all = cases();
  for (const build of ['simd', 'scalar'] as const) {
    it(`${build}: ${all.length} requests, whole = resumed after the request line, default and strict`, () => {
      const wasm = createWasmParser(build);
      wasm.reserve(70_000, 0);
      const mismatches: unknown[] = [];
      let compared = 0;
      cleanReads = 0;
      let strictAccepted = 0; // heads strict mode takes: nearly all of them read by the one-pass path
      for (const text of all) {
        const input = latin1Bytes(text);
        if (input.length > wasm.inputCapacity) continue;
        for (const strict of [false, true]) {
          const split = parse(wasm, input, strict, true);
          if (split[0] === 'no split' || split[0] === 'first') continue;
          const whole = parse(wasm, input, strict, false);
          compared++;
          if (strict && typeof whole[0] === 'number' && whole[0] > 0) strictAccepted++;
          if (JSON.stringify(whole) !== JSON.stringify(split)) mismatches.push({ strict, text: text.slice(0, 200), whole: whole.slice(0, 16), split: split.slice(0, 16) });
        }
      }
      expect(compared).toBeGreaterThan(all.length / 2);
      expect(strictAccepted).toBeGreaterThan(all.length / 5);
      expect(cleanReads).toBeGreaterThan(all.length / 5);
      expect(mismatches.slice(0, 3)).toEqual([]);
    });
  }
});

describe('RequestReader: a head at the front of a read larger than the first window (16 KiB)', () => {
  const body = 'b'.repeat(100_000);
  const read = (text: string, strict: boolean) => {
    const reader = new RequestReader({ strict });
    reader.feed(latin1Bytes(text));
    reader.end();
    const events: string[] = [];
    let got = 0;
    for (let k = 0; k < 100; k++) {
      const ev = reader.next();
      if (ev.type === 'data') got += ev.data.length;
      else if (ev.type === 'head') events.push(`head ${ev.head.method} ${ev.head.headers.length} ${ev.head.length}`);
      else if (ev.type === 'error') events.push(`error ${ev.error.code} ${ev.error.kind}`);
      else events.push(ev.type);
      if (ev.type === 'closed' || ev.type === 'error') break;
    }
    return { events, got };
  };
  for (const strict of [false, true]) {
    it(`${strict ? 'strict' : 'default'}: a small head, a long head, and a refused one, each with a 100 KB body behind it`, () => {
      const small = `POST /up HTTP/1.1\r\nHost: a\r\nContent-Length: ${body.length}\r\n\r\n${body}`;
      expect(read(small, strict)).toEqual({ events: ['head POST 2 100000', 'end', 'closed'], got: body.length });
      const long = `POST /up HTTP/1.1\r\nHost: a\r\nCookie: ${'c'.repeat(20_000)}\r\nContent-Length: ${body.length}\r\n\r\n${body}`;
      expect(read(long, strict)).toEqual({ events: ['head POST 3 100000', 'end', 'closed'], got: body.length });
      const folded = `POST /up HTTP/1.1\r\nHost: a\r\nX: y\r\n z\r\nContent-Length: ${body.length}\r\n\r\n${body}`;
      expect(read(folded, strict)).toEqual(
        strict
          ? { events: [`error ${Code.STRICT_VIOLATION} ${StrictRule.OBS_FOLD}`], got: 0 }
          : { events: ['head POST 3 100000', 'end', 'closed'], got: body.length },
      );
    });
  }
});
