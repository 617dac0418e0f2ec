// The fuzzer's core, shared by the seeded script (test/fuzz/fuzz.mjs, a
// million inputs) and the suite (test/fuzz/fuzz.test.ts, 20,000 inputs).
//
// Input i of seed S comes from its own generator, seeded from (S, i), so any
// input replays alone (`node test/fuzz/fuzz.mjs --seed S --only i`). Each is
// a generated response (test/support/generate.ts: valid, mutated, soup,
// edge, long), half of them mutated again here (bit flips, runs of CR, LF,
// NUL, space, colon and digits, truncation, duplicated lines, huge numbers,
// chunk framing, long runs of 100 Continue), and is checked:
//
// 1. Whole responses (ResponseReader, as CPython's begin() + read()): the SIMD
//    build, the scalar build, both again fed in pieces at random cut points,
//    and the reference parser (test/reference/parser.ts) give one result.
//    Strict mode, SIMD whole and scalar in pieces, gives one result, which
//    is the default result or a refusal (an error).
// 2. The ABI itself, on both builds: `parseHead` on the whole input and fed
//    in pieces with its resume hints, `checkHeadStrict`, and `decodeChunked`
//    (default and strict) over what follows the head, in pieces. Every
//    return code is a known one, every offset in the out-block (head end,
//    version/reason spans, header entries, error offset, data runs) lies
//    inside the bytes handed in, numbers stay in range, every call makes
//    progress (a bounded number of calls per input), and the two builds
//    fill the out-block identically.
//
// Requests (`runRequest`, run by `fuzz.mjs --target requests` and
// test/fuzz/request-fuzz.test.ts): generated request streams
// (test/support/generate-requests.ts: pipelined heads, bodies by length and
// chunked), half mutated again with the generator's mutations and the ones
// above (with pipelined requests and a chunked request head where responses
// get 100 Continue heads and a chunked response head), checked the same way:
// the core's RequestReader as CPython's BaseHTTPRequestHandler.handle()
// reads a connection, SIMD = scalar = both fed in pieces, strict equal to
// the default or a refusal; `parseRequestHead` whole and in pieces on both
// builds, and `decodeChunked` over what follows the head. The reference for
// requests is CPython's http.server itself (test/cpython/request_oracle.py,
// on a sample: `requestOracleLine` gives its input).
//
// Anything thrown other than ParseError (a WASM trap included) is a crash.
import {
  ChunkState,
  Code,
  createWasmParser,
  HeadFlag,
  InFlag,
  Limit,
  ParseError,
  Slot,
  type WasmParser,
} from '../../src/core/index.js';
import type { ProtocolVersion } from '../../src/core/index.js';
import type { ResponseResult } from '../../src/http/report.js';
import { referenceParse } from '../reference/parser.js';
import { read } from '../support/replay.js';
import { generateResponse, latin1Bytes, makeRng, mutateBytes, splitPoints, type Rng } from '../support/generate.js';
import { generateRequests } from '../support/generate-requests.js';
import { readRequests, type RequestRecord } from '../support/request-replay.js';

export interface Finding {
  index: number;
  /** crash (a throw other than ParseError), bounds (an offset or value out of range), progress, mismatch. */
  kind: 'crash' | 'bounds' | 'progress' | 'mismatch' | 'hang';
  where: string;
  detail: string;
  method: string;
  /** The input as a Latin-1 string (JSON-escaped when reported). */
  input: string;
}

export interface FuzzStats {
  inputs: number;
  bytes: number;
  largest: number;
  /** Inputs per generator kind (plus `+fuzz` when mutated again here). */
  kinds: Record<string, number>;
  /** Strict mode: accepted with the default result, or refused (by error name). */
  strictAccepted: number;
  strictRefused: Record<string, number>;
  /** Outcomes of the default parse, by error name or `ok`. */
  outcomes: Record<string, number>;
  /** WASM calls made by the ABI checks. */
  abiCalls: number;
  /** Request streams with at least one request accepted (requests only). */
  accepted: number;
}

export function newStats(): FuzzStats {
  return { inputs: 0, bytes: 0, largest: 0, kinds: {}, strictAccepted: 0, strictRefused: {}, outcomes: {}, abiCalls: 0, accepted: 0 };
}

/** Seed of input `index` under run seed `seed` (a 32-bit mix of both). */
export function inputSeed(seed: number, index: number): number {
  let h = (seed ^ Math.imul(index + 1, 0x9e3779b1)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}

/** Mutated inputs are kept under this size (duplicated lines, huge numbers). */
const MAX_INPUT = 2_000_000;

function latin1(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 8192) out += String.fromCharCode(...bytes.subarray(i, i + 8192));
  return out;
}

// ---------------------------------------------------------------------------
// Inputs

const INSERTS = ['\r', '\n', '\0', ' ', ':', '\r\n', '\n\r', '\t', '0', '1', '5', '9', 'f', 'F', '-', '+', ';', '"', '\\', '\x7f', '\xff', '\x0b'];
const HUGE_LENGTHS = [16, 17, 20, 40, 309, 4299, 4300, 4301, 65530, 70000];

function hugeNumber(rng: Rng): string {
  const k = rng.pick(HUGE_LENGTHS);
  switch (rng.int(0, 5)) {
    case 0: return '9'.repeat(k);
    case 1: return '1' + '0'.repeat(k);
    case 2: return 'f'.repeat(k);
    case 3: return '0'.repeat(k) + rng.pick(['1', '5', 'a']);
    case 4: return '-' + '9'.repeat(k);
    default: return rng.pick(['9007199254740991', '9007199254740992', '18446744073709551616', '7fffffffffffffff', '2147483648', '4294967296']);
  }
}

/** A run of chunk framing, well-formed or not. */
function chunkFraming(rng: Rng): string {
  let out = '';
  const n = rng.int(1, 5);
  for (let i = 0; i < n; i++) {
    const data = 'x'.repeat(rng.pick([0, 1, 3, 5, 16, 100]));
    const size = rng.chance(0.6) ? data.length.toString(16) : rng.pick(['0', '1', 'ff', 'FFFFFFFF', ' 5 ', '5 ;a', '-1', '0x5', '5\t', '', hugeNumber(rng)]);
    const ext = rng.chance(0.8) ? '' : rng.pick([';a=b', ';a="q\\"x"', '; a = b', ';', ';"', ';a=', ';a=b;c', '\t;x']);
    const eol = rng.chance(0.8) ? '\r\n' : rng.pick(['\n', '\r', '', '\r\r\n']);
    const end = rng.chance(0.8) ? '\r\n' : rng.pick(['', 'XY', '\n', '\r', '\r\n\r\n']);
    out += size + ext + eol + data + end;
  }
  if (rng.chance(0.6)) out += rng.pick(['0\r\n\r\n', '0\r\nT: x\r\n\r\n', '0\r\n', '0\n\n', '0\r\nT\r\n\r\n', '0\r\n \r\n\r\n']);
  return out;
}

/** The messages mutations put in front of an input (case 6) and the chunked head they frame fuzzed chunks with (case 9). */
interface Shape {
  repeated: readonly string[];
  chunkedHead: string;
}

const RESPONSE_SHAPE: Shape = {
  repeated: ['HTTP/1.1 100 Continue\r\n\r\n', 'HTTP/1.1 100 Continue\r\nX: y\r\n\r\n', 'HTTP/1.1 100\r\n\n'],
  chunkedHead: 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n',
};

const REQUEST_SHAPE: Shape = {
  repeated: ['GET / HTTP/1.1\r\nHost: a\r\n\r\n', 'POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n', 'PUT / HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 1\r\n\r\nx'],
  chunkedHead: 'POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n',
};

/** One more mutation, of the kinds the brief lists, on top of the generator's. */
function fuzzMutate(rng: Rng, s: string, shape: Shape): string {
  const pos = () => rng.int(0, s.length);
  switch (rng.int(0, 10)) {
    case 0: { // flip one bit
      if (s.length === 0) return s;
      const i = rng.int(0, s.length - 1);
      return s.slice(0, i) + String.fromCharCode(s.charCodeAt(i) ^ (1 << rng.int(0, 7))) + s.slice(i + 1);
    }
    case 1: { // a run of CR, LF, NUL, space, colon, digits...
      const i = pos();
      return s.slice(0, i) + rng.pick(INSERTS).repeat(rng.pick([1, 1, 2, 3, 8, 100])) + s.slice(i);
    }
    case 2: // truncate
      return s.slice(0, pos());
    case 3: { // duplicate one line (a header line, mostly) many times
      const lines = s.split(/(?<=\n)/);
      if (lines.length === 0) return s;
      const at = rng.int(0, lines.length - 1);
      const line = lines[at]!;
      const count = Math.min(rng.pick([1, 2, 50, 98, 99, 100, 101, 200]), Math.floor(MAX_INPUT / Math.max(1, line.length)));
      lines.splice(at, 0, ...Array<string>(count).fill(line));
      return lines.join('');
    }
    case 4: { // a huge number in place of a run of digits
      const m = /[0-9a-fA-F]+/g;
      m.lastIndex = pos();
      const hit = m.exec(s) ?? /[0-9a-fA-F]+/.exec(s);
      if (!hit) return s + hugeNumber(rng);
      return s.slice(0, hit.index) + hugeNumber(rng) + s.slice(hit.index + hit[0].length);
    }
    case 5: { // chunk framing after the head (or anywhere)
      const end = s.indexOf('\r\n\r\n');
      const i = end >= 0 && rng.chance(0.7) ? end + 4 : pos();
      return s.slice(0, i) + chunkFraming(rng) + (rng.chance(0.5) ? s.slice(i) : '');
    }
    case 6: { // many 100 Continue heads (responses) or pipelined requests first
      const one = rng.pick(shape.repeated);
      return one.repeat(rng.pick([1, 2, 10, 100, 1000])) + s;
    }
    case 7: { // copy a segment elsewhere
      const i = pos();
      const seg = s.slice(i, i + rng.int(1, 64));
      const j = pos();
      return s.slice(0, j) + seg + s.slice(j);
    }
    case 8: { // a control or high byte in place of one
      if (s.length === 0) return s;
      const i = rng.int(0, s.length - 1);
      const c = rng.chance(0.5) ? rng.int(0, 0x20) : rng.int(0x7f, 0xff);
      return s.slice(0, i) + String.fromCharCode(c) + s.slice(i + 1);
    }
    case 9: // a chunked head in front of fuzzed framing
      return shape.chunkedHead + chunkFraming(rng) + (rng.chance(0.3) ? s : '');
    default: // the generator's own byte mutations
      return mutateBytes(rng, s);
  }
}

export interface FuzzInput {
  input: Uint8Array;
  method: string;
  kind: string;
}

/** Input `index` of run `seed`. */
export function fuzzInput(seed: number, index: number): FuzzInput & { rng: Rng } {
  const rng = makeRng(inputSeed(seed, index));
  const g = generateResponse(rng);
  if (!rng.chance(0.5)) return { ...g, rng };
  let text = latin1(g.input);
  const rounds = rng.int(1, 4);
  for (let i = 0; i < rounds; i++) text = fuzzMutate(rng, text, RESPONSE_SHAPE);
  if (text.length > MAX_INPUT) text = text.slice(0, MAX_INPUT);
  return { input: latin1Bytes(text), method: g.method, kind: `${g.kind}+fuzz`, rng };
}

export interface RequestFuzzInput {
  input: Uint8Array;
  /** The server's protocol_version the stream is read with. */
  protocol: ProtocolVersion;
  kind: string;
}

/**
 * Request stream `index` of run `seed`: generated, and half the time
 * mutated one to four times (the generator's byte mutations or this
 * file's, evenly).
 */
export function requestFuzzInput(seed: number, index: number): RequestFuzzInput & { rng: Rng } {
  // Its own stream of seeds: request input i is not response input i's generator state.
  const rng = makeRng(inputSeed(seed ^ 0x52455155, index));
  const g = generateRequests(rng);
  const kind = g.kind.split('+')[0]!;
  if (!rng.chance(0.5)) return { input: latin1Bytes(g.text), protocol: g.protocol, kind, rng };
  let text = g.text;
  const rounds = rng.int(1, 4);
  for (let i = 0; i < rounds; i++) text = rng.chance(0.5) ? mutateBytes(rng, text) : fuzzMutate(rng, text, REQUEST_SHAPE);
  if (text.length > MAX_INPUT) text = text.slice(0, MAX_INPUT);
  return { input: latin1Bytes(text), protocol: g.protocol, kind: `${kind}+fuzz`, rng };
}

/** What the request oracle (test/cpython/request_oracle.py) reads for one stream: a JSON line, non-ASCII escaped. */
export function requestOracleLine(c: RequestFuzzInput): string {
  const json = JSON.stringify({ input: latin1(c.input), method: 'GET', protocol: c.protocol });
  return json.replace(/[\u007f-\uffff]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** How httpwire reads a request stream whole with the SIMD build: what the oracle's line for it must equal (as JSON). */
export function requestResult(wasm: WasmParser, c: RequestFuzzInput): { requests: RequestRecord[] } {
  return readRequests([c.input], { wasm, protocol: c.protocol });
}

/** Cut points: the generator's (biased to the head), uniform ones, or (short inputs) a trickle. */
function cutPoints(rng: Rng, length: number): number[] {
  const roll = rng.next();
  if (roll < 0.5 || length < 2) return splitPoints(rng, length);
  if (roll < 0.9 || length > 4096) {
    const cuts = new Set<number>();
    const n = rng.int(1, 12);
    for (let i = 0; i < n; i++) cuts.add(rng.int(1, length - 1));
    return [...cuts].sort((a, b) => a - b);
  }
  const cuts: number[] = [];
  for (let at = rng.int(1, 7); at < length; at += rng.int(1, 7)) cuts.push(at);
  return cuts;
}

// ---------------------------------------------------------------------------
// The checker

type Report = (kind: Finding['kind'], where: string, detail: string) => void;

const HEAD_CODES = new Set<number>([Code.REMOTE_DISCONNECTED, Code.BAD_STATUS_LINE, Code.LINE_TOO_LONG, Code.TOO_MANY_HEADERS, Code.UNKNOWN_PROTOCOL]);
const REQUEST_HEAD_CODES = new Set<number>([Code.REMOTE_DISCONNECTED, Code.LINE_TOO_LONG, Code.TOO_MANY_HEADERS, Code.BAD_REQUEST_LINE]);
const CHUNK_CODES = new Set<number>([Code.BAD_CHUNK_SIZE, Code.LINE_TOO_LONG, Code.INCOMPLETE_CHUNK, Code.STRICT_VIOLATION]);
const MAX_SAFE = Number.MAX_SAFE_INTEGER;
const KNOWN_FLAGS = HeadFlag.CHUNKED | HeadFlag.HAS_LENGTH | HeadFlag.WILL_CLOSE | HeadFlag.NO_BODY | HeadFlag.LENGTH_CLAMPED;
/** The chunk decoder's state slots, carried between calls as ChunkedReader carries them. */
const CHUNK_I32 = [Slot.CHUNK_STATE, Slot.CHUNK_LINE_LEN, Slot.CHUNK_INT_STATE, Slot.CHUNK_NEGATIVE, Slot.CHUNK_STRICT];
const CHUNK_F64 = [Slot.CHUNK_REMAINING_F64, Slot.CHUNK_VALUE_F64, Slot.CHUNK_SIZE_F64];
/** decodeChunked calls get at most this much input, as ChunkedReader's window. */
const CHUNK_WINDOW = 32768;

function isCount(v: number, max = MAX_SAFE): boolean {
  return Number.isInteger(v) && v >= 0 && v <= max;
}

/** Results compared as JSON with sorted keys. */
function canonical(v: unknown): string {
  const sort = (x: unknown): unknown =>
    Array.isArray(x)
      ? x.map(sort)
      : x && typeof x === 'object'
        ? Object.fromEntries(Object.keys(x).sort().map((k) => [k, sort((x as Record<string, unknown>)[k])]))
        : x;
  return JSON.stringify(sort(v));
}

function short(s: string, n = 300): string {
  return s.length > n ? `${s.slice(0, n)}… (${s.length} chars)` : s;
}

export class Fuzzer {
  readonly simd: WasmParser;
  readonly scalar: WasmParser;
  readonly stats = newStats();
  readonly findings: Finding[] = [];

  constructor() {
    this.simd = createWasmParser('simd');
    this.scalar = createWasmParser('scalar');
  }

  /** Generates and checks input `index` of run `seed`; returns the findings it made. */
  run(seed: number, index: number): Finding[] {
    const { input, method, kind, rng } = fuzzInput(seed, index);
    const found: Finding[] = [];
    let text: string | null = null;
    const report: Report = (k, where, detail) => {
      text ??= latin1(input.subarray(0, 4096));
      found.push({ index, kind: k, where, detail, method, input: text });
    };
    const s = this.stats;
    s.inputs++;
    s.bytes += input.length;
    if (input.length > s.largest) s.largest = input.length;
    s.kinds[kind] = (s.kinds[kind] ?? 0) + 1;
    try {
      this.checkWhole(input, method, rng, report);
      this.checkAbi(input, method, rng, report);
    } catch (e) {
      report('crash', 'checker', String(e instanceof Error ? e.stack : e));
    }
    this.findings.push(...found);
    return found;
  }

  /** Generates and checks request stream `index` of run `seed`; returns the findings it made. */
  runRequest(seed: number, index: number): Finding[] {
    const c = requestFuzzInput(seed, index);
    const found: Finding[] = [];
    let text: string | null = null;
    const report: Report = (k, where, detail) => {
      text ??= latin1(c.input.subarray(0, 4096));
      found.push({ index, kind: k, where, detail, method: c.protocol, input: text });
    };
    const s = this.stats;
    s.inputs++;
    s.bytes += c.input.length;
    if (c.input.length > s.largest) s.largest = c.input.length;
    s.kinds[c.kind] = (s.kinds[c.kind] ?? 0) + 1;
    try {
      this.checkRequests(c, c.rng, report);
      this.checkRequestAbi(c.input, c.rng, report);
    } catch (e) {
      report('crash', 'checker', String(e instanceof Error ? e.stack : e));
    }
    this.findings.push(...found);
    return found;
  }

  // -- whole responses -------------------------------------------------------

  private read(wasm: WasmParser, input: Uint8Array, method: string, cuts: number[], strict: boolean, report: Report, where: string): ResponseResult | null {
    try {
      const pieces = [0, ...cuts].map((at, i) => input.subarray(at, i < cuts.length ? cuts[i] : input.length));
      const { result, reader } = read({ method }, wasm, pieces, true, strict);
      if (!reader.finished) report('progress', where, 'not finished after end()');
      return result;
    } catch (e) {
      report('crash', where, String(e instanceof Error ? e.stack : e));
      return null;
    }
  }

  private checkWhole(input: Uint8Array, method: string, rng: Rng, report: Report): void {
    const ref = referenceParse(input, method);
    if (ref.error === 'ReferenceBug') report('crash', 'reference', String(ref.message));
    const want = canonical(ref);
    const outcome = typeof ref.error === 'string' ? ref.error : 'ok';
    this.stats.outcomes[outcome] = (this.stats.outcomes[outcome] ?? 0) + 1;
    const cutsA = cutPoints(rng, input.length);
    const cutsB = cutPoints(rng, input.length);
    const runs: [string, WasmParser, number[]][] = [
      ['simd', this.simd, []],
      ['scalar', this.scalar, []],
      ['simd split', this.simd, cutsA],
      ['scalar split', this.scalar, cutsB],
    ];
    for (const [where, wasm, cuts] of runs) {
      const got = this.read(wasm, input, method, cuts, false, report, where);
      if (got && canonical(got) !== want) {
        report('mismatch', `${where} vs reference`, `cuts ${JSON.stringify(cuts).slice(0, 200)}\n  ours ${short(canonical(got))}\n  ref  ${short(want)}`);
      }
    }
    const a = this.read(this.simd, input, method, [], true, report, 'strict simd');
    const b = this.read(this.scalar, input, method, cutsB, true, report, 'strict scalar split');
    if (!a || !b) return;
    if (canonical(a) !== canonical(b)) {
      report('mismatch', 'strict simd vs strict scalar split', `\n  simd   ${short(canonical(a))}\n  scalar ${short(canonical(b))}`);
    }
    if (a.error === undefined) {
      this.stats.strictAccepted++;
      if (canonical(a) !== want) report('mismatch', 'strict accepted, unlike default', `\n  strict  ${short(canonical(a))}\n  default ${short(want)}`);
    } else {
      const name = a.error === 'StrictViolation' ? `StrictViolation ${a.rule}` : a.error;
      this.stats.strictRefused[name] = (this.stats.strictRefused[name] ?? 0) + 1;
    }
  }

  // -- whole request streams -------------------------------------------------

  private readStream(wasm: WasmParser, c: RequestFuzzInput, cuts: number[], strict: boolean, report: Report, where: string): { requests: RequestRecord[] } | null {
    try {
      const pieces = [0, ...cuts].map((at, i) => c.input.subarray(at, i < cuts.length ? cuts[i] : c.input.length));
      const got = readRequests(pieces, { wasm, protocol: c.protocol, strict });
      if (got.requests.some((r) => r.stuck)) report('progress', where, 'the reader decided nothing after EOF');
      return got;
    } catch (e) {
      report('crash', where, String(e instanceof Error ? e.stack : e));
      return null;
    }
  }

  /**
   * The stream read by the RequestReader: SIMD whole = scalar whole = both
   * in pieces; strict (SIMD whole, scalar in pieces) gives one result, the
   * default one or the same requests up to a refusal of the last.
   */
  private checkRequests(c: RequestFuzzInput, rng: Rng, report: Report): void {
    const cutsA = cutPoints(rng, c.input.length);
    const cutsB = cutPoints(rng, c.input.length);
    const a = this.readStream(this.simd, c, [], false, report, 'simd');
    if (!a) return;
    const want = JSON.stringify(a);
    const runs: [string, WasmParser, number[]][] = [
      ['scalar', this.scalar, []],
      ['simd split', this.simd, cutsA],
      ['scalar split', this.scalar, cutsB],
    ];
    for (const [where, wasm, cuts] of runs) {
      const got = this.readStream(wasm, c, cuts, false, report, where);
      if (got && JSON.stringify(got) !== want) report('mismatch', `${where} vs simd`, `cuts ${JSON.stringify(cuts).slice(0, 200)}\n  ours ${short(JSON.stringify(got))}\n  simd ${short(want)}`);
    }
    const last = a.requests[a.requests.length - 1] ?? {};
    const outcome = 'command' in last ? (typeof last.body_error === 'string' ? last.body_error : 'ok') : 'status' in last ? `${last.status}` : 'closed';
    this.stats.outcomes[outcome] = (this.stats.outcomes[outcome] ?? 0) + 1;
    if (a.requests.some((r) => 'command' in r)) this.stats.accepted++;
    const sa = this.readStream(this.simd, c, [], true, report, 'strict simd');
    const sb = this.readStream(this.scalar, c, cutsB, true, report, 'strict scalar split');
    if (!sa || !sb) return;
    const strict = JSON.stringify(sa);
    if (strict !== JSON.stringify(sb)) report('mismatch', 'strict simd vs strict scalar split', `\n  simd   ${short(strict)}\n  scalar ${short(JSON.stringify(sb))}`);
    if (strict === want) {
      this.stats.strictAccepted++;
      return;
    }
    const n = sa.requests.length;
    const refusal = sa.requests[n - 1]!;
    const message = String(refusal.message ?? '');
    const refused = (refusal.status === 400 && message.startsWith('Bad request: ')) || refusal.body_error === 'StrictViolation' || refusal.body_error === 'IncompleteRead';
    if (!refused || JSON.stringify(sa.requests.slice(0, n - 1)) !== JSON.stringify(a.requests.slice(0, n - 1))) {
      report('mismatch', 'strict reads differently, not a refusal', `\n  strict  ${short(strict)}\n  default ${short(want)}`);
      return;
    }
    const name = refusal.status === 400 ? `StrictViolation ${message.slice('Bad request: '.length)}` : String(refusal.body_error);
    this.stats.strictRefused[name] = (this.stats.strictRefused[name] ?? 0) + 1;
  }

  // -- the ABI ---------------------------------------------------------------

  private checkAbi(input: Uint8Array, method: string, rng: Rng, report: Report): void {
    const headFlag = method === 'HEAD' ? InFlag.HEAD_REQUEST : 0;
    const cuts = cutPoints(rng, Math.min(input.length, Limit.MAX_HEAD));
    const heads = [this.simd, this.scalar].map((w) => this.headWhole(w, input, headFlag, report));
    const [a, b] = heads as [number[], number[]];
    if (canonical(a) !== canonical(b)) report('mismatch', 'parseHead simd vs scalar', `\n  simd   ${short(canonical(a))}\n  scalar ${short(canonical(b))}`);
    for (const w of [this.simd, this.scalar]) {
      const inc = this.headPieces(w, input, headFlag, cuts, report);
      if (canonical(inc) !== canonical(a)) {
        report('mismatch', `parseHead in pieces vs whole (${w.build})`, `cuts ${JSON.stringify(cuts).slice(0, 200)}\n  pieces ${short(canonical(inc))}\n  whole  ${short(canonical(a))}`);
      }
    }
    const headEnd = a[0]!;
    // Chunk framing over what follows a head, and now and then over the whole input.
    const bodies: Uint8Array[] = [];
    if (headEnd > 0) bodies.push(input.subarray(headEnd));
    if (rng.chance(0.2)) bodies.push(input);
    this.checkChunkBodies(bodies, rng, report);
  }

  /**
   * parseRequestHead whole (both builds, the same record) and in pieces
   * with its resume hints; then decodeChunked over what follows the head
   * (a chunked request body, or whatever is there).
   */
  private checkRequestAbi(input: Uint8Array, rng: Rng, report: Report): void {
    const cuts = cutPoints(rng, Math.min(input.length, Limit.MAX_HEAD));
    const [a, b] = [this.simd, this.scalar].map((w) => this.headWhole(w, input, 0, report, true)) as [number[], number[]];
    if (canonical(a) !== canonical(b)) report('mismatch', 'parseRequestHead simd vs scalar', `\n  simd   ${short(canonical(a))}\n  scalar ${short(canonical(b))}`);
    for (const w of [this.simd, this.scalar]) {
      const inc = this.headPieces(w, input, 0, cuts, report, true);
      if (canonical(inc) !== canonical(a)) {
        report('mismatch', `parseRequestHead in pieces vs whole (${w.build})`, `cuts ${JSON.stringify(cuts).slice(0, 200)}\n  pieces ${short(canonical(inc))}\n  whole  ${short(canonical(a))}`);
      }
    }
    if (a[0]! > 0) this.checkChunkBodies([input.subarray(a[0]!)], rng, report);
  }

  /** decodeChunked over each body, default and strict: SIMD = scalar whole, and in pieces = whole. */
  private checkChunkBodies(bodies: Uint8Array[], rng: Rng, report: Report): void {
    for (const body of bodies) {
      const bodyCuts = cutPoints(rng, body.length);
      for (const strict of [false, true]) {
        const flags = strict ? InFlag.STRICT : 0;
        const wholeA = this.chunks(this.simd, body, [], flags, report);
        const wholeB = this.chunks(this.scalar, body, [], flags, report);
        if (canonical(wholeA.calls) !== canonical(wholeB.calls)) {
          report('mismatch', `decodeChunked simd vs scalar${strict ? ' (strict)' : ''}`, `\n  simd   ${short(canonical(wholeA.calls))}\n  scalar ${short(canonical(wholeB.calls))}`);
        }
        const split = this.chunks(rng.chance(0.5) ? this.simd : this.scalar, body, bodyCuts, flags, report);
        if (canonical(split.outcome) !== canonical(wholeA.outcome)) {
          report('mismatch', `decodeChunked in pieces vs whole${strict ? ' (strict)' : ''}`, `cuts ${JSON.stringify(bodyCuts).slice(0, 200)}\n  pieces ${short(canonical(split.outcome))}\n  whole  ${short(canonical(wholeA.outcome))}`);
        }
      }
    }
  }

  /** The head slots after a parseHead that returned `r`, checked against `total`; the record compared between builds. */
  private headRecord(w: WasmParser, r: number, total: number, eof: boolean, report: Report, where: string): number[] {
    const o = w.out;
    const bad = (what: string) => report('bounds', where, `${what}; r=${r} total=${total} slots=${JSON.stringify(Array.from(o.subarray(0, 16)))}`);
    if (r < 0) {
      if (!HEAD_CODES.has(r)) bad(`unknown return code ${r}`);
      const off = o[Slot.ERROR_OFFSET]!;
      if (!isCount(off, total)) bad(`error offset ${off} outside the input`);
      const kind = r === Code.LINE_TOO_LONG ? o[Slot.ERROR_KIND]! : 0;
      if (r === Code.LINE_TOO_LONG && kind !== 1 && kind !== 2) bad(`line kind ${kind}`);
      return [r, off, kind];
    }
    if (r === 0) return this.needMoreRecord(w, total, eof, bad);
    if (r > total || o[Slot.HEAD_END] !== r) bad('head end outside the input');
    const status = o[Slot.STATUS]!;
    const version = o[Slot.VERSION]!;
    const [vs, ve, rs, re, sle, count, flags] = [
      o[Slot.VERSION_START]!, o[Slot.VERSION_END]!, o[Slot.REASON_START]!, o[Slot.REASON_END]!,
      o[Slot.STATUS_LINE_END]!, o[Slot.HEADER_COUNT]!, o[Slot.FLAGS]!,
    ];
    if (status < 100 || status > 999) bad(`status ${status}`);
    if (!(version === 10 || version === 11 || (version === 0 && status === 100))) bad(`version ${version}`);
    if (!(vs >= 0 && vs <= ve && ve <= sle && rs <= re && re <= sle && rs >= ve && sle <= r)) bad('status-line spans outside the status line');
    if (!isCount(count, w.entries.length / 4) || (status === 100 && count !== 0)) bad(`header count ${count}`);
    if ((flags & ~KNOWN_FLAGS) !== 0) bad(`unknown flags ${flags}`);
    const record = [r, status, version, vs, ve, rs, re, sle, count, flags];
    if (flags & HeadFlag.HAS_LENGTH) {
      const cl = w.contentLength;
      if (!isCount(cl)) bad(`content length ${cl}`);
      record.push(cl);
    }
    let prev = sle;
    for (let i = 0; i < count; i++) {
      const [ns, ne, vs2, ve2] = w.entries.subarray(i * 4, i * 4 + 4);
      if (!(ns! >= prev && ns! < ne! && ne! < vs2! && vs2! <= ve2! && ve2! <= r)) bad(`header entry ${i} [${ns}, ${ne}, ${vs2}, ${ve2}] outside the head`);
      prev = ns!;
      record.push(ns!, ne!, vs2!, ve2!);
    }
    // Strict mode's line check of the same head.
    const sr = w.checkHeadStrict(r);
    if (sr !== 0 && sr !== Code.STRICT_VIOLATION) bad(`checkHeadStrict returned ${sr}`);
    if (sr !== 0) {
      const off = o[Slot.ERROR_OFFSET]!;
      const rule = o[Slot.ERROR_KIND]!;
      if (!isCount(off, r)) bad(`strict error offset ${off} outside the head`);
      if (rule < 1 || rule > 7) bad(`strict head rule ${rule}`);
      record.push(sr, off, rule);
    }
    this.stats.abiCalls++;
    return record;
  }

  /**
   * The request head slots after a parseRequestHead that returned `r`:
   * return code, error offset, method/target/version spans and header
   * entries inside the head, strict mode's line check; the record compared
   * between builds and between whole and pieces.
   */
  private requestHeadRecord(w: WasmParser, r: number, total: number, eof: boolean, report: Report, where: string): number[] {
    const o = w.out;
    const bad = (what: string) => report('bounds', where, `${what}; r=${r} total=${total} slots=${JSON.stringify(Array.from(o.subarray(0, 16)))}`);
    const inside = (name: string, start: number, end: number, limit: number) => {
      if (!(isCount(start, limit) && isCount(end, limit) && start <= end)) bad(`${name} [${start}, ${end}) outside [0, ${limit}]`);
    };
    if (r < 0) {
      if (!REQUEST_HEAD_CODES.has(r)) bad(`unknown return code ${r}`);
      const off = o[Slot.ERROR_OFFSET]!;
      if (!isCount(off, total)) bad(`error offset ${off} outside the input`);
      return [r, off, o[Slot.ERROR_KIND]!];
    }
    if (r === 0) return this.needMoreRecord(w, total, eof, bad);
    if (r > total) bad('head end outside the input');
    const count = o[Slot.HEADER_COUNT]!;
    const record = [r, o[Slot.METHOD_START]!, o[Slot.METHOD_END]!, o[Slot.TARGET_START]!, o[Slot.TARGET_END]!, o[Slot.VERSION]!, o[Slot.FLAGS]!, count];
    inside('method', o[Slot.METHOD_START]!, o[Slot.METHOD_END]!, r);
    inside('target', o[Slot.TARGET_START]!, o[Slot.TARGET_END]!, r);
    if (o[Slot.WORD_COUNT]! >= 3) inside('version', o[Slot.VERSION_START]!, o[Slot.VERSION_END]!, r);
    if (![9, 10, 11].includes(o[Slot.VERSION]!)) bad(`version ${o[Slot.VERSION]}`);
    if (!isCount(count, w.entries.length / 4)) bad(`header count ${count}`);
    for (let i = 0; i < Math.min(count, w.entries.length / 4); i++) {
      const e = Array.from(w.entries.subarray(i * 4, i * 4 + 4));
      inside(`header ${i} name`, e[0]!, e[1]!, r);
      inside(`header ${i} value`, e[2]!, e[3]!, r);
      record.push(...e);
    }
    const sr = w.checkHeadStrict(r, InFlag.REQUEST);
    if (sr !== 0 && sr !== Code.STRICT_VIOLATION) bad(`checkHeadStrict returned ${sr}`);
    if (sr !== 0) {
      const off = o[Slot.ERROR_OFFSET]!;
      if (!isCount(off, r)) bad(`strict error offset ${off} outside the head`);
      record.push(sr, off, o[Slot.ERROR_KIND]!);
    }
    this.stats.abiCalls++;
    return record;
  }

  /** A head that needs more bytes: never at EOF or past MAX_HEAD, resume hints in range. */
  private needMoreRecord(w: WasmParser, total: number, eof: boolean, bad: (what: string) => void): number[] {
    const scanned = w.out[Slot.SCANNED]!;
    const lines = w.out[Slot.LINES]!;
    if (eof) bad('need more at EOF');
    if (total >= Limit.MAX_HEAD) bad('need more past MAX_HEAD');
    if (!isCount(scanned, total) || !isCount(lines, Limit.MAX_HEADERS + 1)) bad(`resume hints ${scanned}/${lines}`);
    return [0, scanned, lines];
  }

  /** parseHead (parseRequestHead when `request`), with the entries it asks for reserved. */
  private parse(w: WasmParser, total: number, scanned: number, lines: number, flags: number, request: boolean): number {
    this.stats.abiCalls++;
    const call = () => (request ? w.parseRequestHead(total, scanned, lines, flags) : w.parseHead(total, scanned, lines, flags));
    let r = call();
    if (r === Code.NEED_ENTRIES) {
      if (!w.reserve(0, w.out[Slot.NEEDED_ENTRIES]!)) throw new Error('reserve refused the entries a head needs');
      r = call();
    }
    return r;
  }

  /** The record of a head parse of either kind. */
  private record(w: WasmParser, r: number, total: number, eof: boolean, report: Report, where: string, request: boolean): number[] {
    return request ? this.requestHeadRecord(w, r, total, eof, report, where) : this.headRecord(w, r, total, eof, report, where);
  }

  /** parseHead (or parseRequestHead) over the whole input (up to MAX_HEAD, as HeadParser stages it). */
  private headWhole(w: WasmParser, input: Uint8Array, headFlag: number, report: Report, request = false): number[] {
    const total = Math.min(input.length, Limit.MAX_HEAD);
    if (total > w.inputCapacity && !w.reserve(total, 0)) throw new Error(`reserve(${total}) refused`);
    w.stageOnce(input.subarray(0, total));
    const eof = total === input.length;
    const r = this.parse(w, total, 0, 0, headFlag | (eof ? InFlag.EOF : 0), request);
    return this.record(w, r, total, eof, report, `${request ? 'parseRequestHead' : 'parseHead'} whole (${w.build})`, request);
  }

  /** The head fed growing prefixes with its resume hints, as HeadParser does; the hints must only move forward. */
  private headPieces(w: WasmParser, input: Uint8Array, headFlag: number, cuts: number[], report: Report, request = false): number[] {
    const limit = Math.min(input.length, Limit.MAX_HEAD);
    const owner = {};
    let scanned = 0;
    let lines = 0;
    for (const end of [...cuts, limit]) {
      if (!w.stage(owner, input.subarray(0, end))) throw new Error(`stage(${end}) refused`);
      const eof = end === input.length;
      const r = this.parse(w, end, scanned, lines, headFlag | (eof ? InFlag.EOF : 0), request);
      const rec = this.record(w, r, end, eof, report, `${request ? 'parseRequestHead' : 'parseHead'} in pieces (${w.build})`, request);
      if (r !== 0) {
        w.release(owner);
        return rec;
      }
      const s = w.out[Slot.SCANNED]!;
      const l = w.out[Slot.LINES]!;
      if (s < scanned || l < lines) report('progress', `${request ? 'parseRequestHead' : 'parseHead'} in pieces (${w.build})`, `resume hints went back: ${scanned}/${lines} -> ${s}/${l} at ${end}`);
      scanned = s;
      lines = l;
    }
    w.release(owner);
    return [0, scanned, lines];
  }

  /**
   * decodeChunked over `body` fed at `cuts`, its state carried between calls
   * in JS as ChunkedReader carries it. Returns every call's record (for the
   * build comparison) and the outcome: data, final code, absolute error
   * offset (for the cut comparison).
   */
  private chunks(w: WasmParser, body: Uint8Array, cuts: number[], mode: number, report: Report): { calls: number[][]; outcome: unknown } {
    const where = `decodeChunked${mode & InFlag.STRICT ? ' strict' : ''} (${w.build}${cuts.length ? ', in pieces' : ''})`;
    const o = w.out;
    const f = w.outF64;
    // The CHUNK_* slots of this body (i32 ones, then f64 ones), all zero for a new one.
    const ints = [0, 0, 0, 0, 0];
    const floats = [0, 0, 0];
    const calls: number[][] = [];
    const data: number[] = [];
    let base = 0; // absolute offset of pending[0]
    let pending: Uint8Array = new Uint8Array(0);
    let code = 0;
    let errorAt = -1;
    let budget = body.length + cuts.length + 8; // every call but the last per piece consumes a byte
    const ends = [...cuts, body.length];
    let from = 0;
    outer: for (let p = 0; p < ends.length; p++) {
      const piece = body.subarray(from, ends[p]);
      from = ends[p]!;
      const joined = new Uint8Array(pending.length + piece.length);
      joined.set(pending);
      joined.set(piece, pending.length);
      pending = joined;
      const last = p === ends.length - 1;
      for (;;) {
        if (--budget < 0) {
          report('progress', where, 'more decodeChunked calls than bytes');
          break outer;
        }
        const total = Math.min(pending.length, CHUNK_WINDOW, w.inputCapacity);
        w.stageOnce(pending.subarray(0, total));
        CHUNK_I32.forEach((slot, k) => (o[slot] = ints[k]!));
        CHUNK_F64.forEach((slot, k) => (f[slot / 2] = floats[k]!));
        const eof = last && total === pending.length;
        const before = ints[0]!;
        this.stats.abiCalls++;
        const r = w.decodeChunked(total, mode | (eof ? InFlag.EOF : 0));
        CHUNK_I32.forEach((slot, k) => (ints[k] = o[slot]!));
        CHUNK_F64.forEach((slot, k) => (floats[k] = f[slot / 2]!));
        const [state, lineLen] = ints as [number, number];
        const runCount = o[Slot.RUN_COUNT]!;
        const bad = (what: string) => report('bounds', where, `${what}; r=${r} total=${total} slots=${ints} ${floats} runs=${runCount}`);
        const limit = r < 0 ? total : r;
        const record = [r, runCount, ...ints, ...floats];
        if (!isCount(runCount, Limit.RUN_CAPACITY)) bad(`run count ${runCount}`);
        let prevEnd = 0;
        for (let i = 0; i < Math.min(runCount, Limit.RUN_CAPACITY); i++) {
          const s = w.runs[i * 2]!;
          const e = w.runs[i * 2 + 1]!;
          if (!(s >= prevEnd && s < e && e <= limit)) bad(`run ${i} [${s}, ${e}) outside [${prevEnd}, ${limit}]`);
          prevEnd = e;
          record.push(s, e);
          for (let k = s; k < e && k < total; k++) data.push(pending[k]!);
        }
        if (state < ChunkState.SIZE || state > ChunkState.DONE) bad(`state ${state}`);
        if (!isCount(lineLen, Limit.MAX_LINE + (r === Code.LINE_TOO_LONG ? 1 : 0))) bad(`line length ${lineLen}`);
        for (const v of floats) if (!isCount(v)) bad(`chunk number ${v}`);
        if (r < 0) {
          const off = o[Slot.ERROR_OFFSET]!;
          const kind = o[Slot.ERROR_KIND]!;
          if (!CHUNK_CODES.has(r)) bad(`unknown return code ${r}`);
          if (!isCount(off, total)) bad(`error offset ${off} outside the input`);
          if (r === Code.LINE_TOO_LONG && kind !== 3 && kind !== 4) bad(`line kind ${kind}`);
          if (r === Code.STRICT_VIOLATION && !(mode & InFlag.STRICT)) bad('strict violation outside strict mode');
          if (r === Code.STRICT_VIOLATION && !(kind >= 1 && kind <= 3) && !(kind >= 13 && kind <= 16)) bad(`strict chunk rule ${kind}`);
          record.push(off, kind);
          calls.push(record);
          code = r;
          errorAt = base + off;
          break outer;
        }
        calls.push(record);
        if (r > total) bad('consumed more than given');
        if (state === ChunkState.DONE) break outer;
        if (r < total && runCount !== Limit.RUN_CAPACITY) bad('stopped before the end without a full run table');
        if (eof && r === total) {
          // At EOF a body ends or fails.
          report('progress', where, `EOF and the body neither ended nor failed (state ${state})`);
          break outer;
        }
        if (r === 0 && total > 0 && before !== ChunkState.DONE) {
          report('progress', where, 'a call with input consumed nothing');
          break outer;
        }
        pending = pending.subarray(r);
        base += r;
        if (pending.length === 0 && !last) break; // the next piece
      }
    }
    return { calls, outcome: { code, errorAt, state: ints[0], data: latin1(Uint8Array.from(data)) } };
  }
}

/** A ParseError is an answer, anything else a crash: re-exported for the script's own checks. */
export { ParseError };
