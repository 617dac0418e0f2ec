// Loading the WASM parser and crossing its boundary. One instance serves
// every connection: all per-connection state lives in JS and is passed in
// (head resume hints, chunk state slots), so calls from different
// connections may interleave freely. Views over memory.buffer are cached
// and rebuilt after `reserve`, the only call that can grow memory.
import { Limit, Slot } from '../abi/index.js';
import { SCALAR_WASM_BASE64, SIMD_WASM_BASE64 } from './generated/wasm-base64.js';

export type WasmBuild = 'simd' | 'scalar';

interface ParserExports {
  memory: WebAssembly.Memory;
  contextPtr(): number;
  reserve(inputBytes: number, entries: number): number;
  parseHead(total: number, scannedBefore: number, linesBefore: number, flags: number): number;
  parseRequestHead(total: number, scannedBefore: number, linesBefore: number, flags: number): number;
  decodeChunked(total: number, flags: number): number;
  checkHeadStrict(end: number, flags: number): number;
  hasHighBytes(end: number): number;
}

function fromBase64(text: string): Uint8Array {
  const bin = atob(text);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** A WASM parser instance and typed views over its memory. */
export class WasmParser {
  readonly build: WasmBuild;
  private readonly x: ParserExports;
  /** The context block as i32 slots (`Slot`): results, layout and decoder state. */
  out!: Int32Array;
  /** The context block as f64 slots (index = Slot / 2). */
  outF64!: Float64Array;
  /** Chunk data runs, pairs of [start, end). */
  runs!: Int32Array;
  /** Header entries, four i32 per header. */
  entries!: Int32Array;
  /** The input region. */
  input!: Uint8Array;
  private owner: object | null = null;
  private ownerLength = 0;
  /** Byte address of the context block (fixed for the instance). */
  private readonly context: number;

  /** Instantiates `module` (compiled from one of the two builds). */
  constructor(module: WebAssembly.Module, build: WasmBuild) {
    this.build = build;
    this.x = new WebAssembly.Instance(module, {}).exports as unknown as ParserExports;
    this.context = this.x.contextPtr();
    this.refreshViews();
  }

  /** Views over `memory.buffer`, placed by the context block's layout slots. */
  private refreshViews(): void {
    const buf = this.x.memory.buffer;
    const o = new Int32Array(buf, this.context, Limit.CONTEXT_SLOTS);
    this.out = o;
    this.outF64 = new Float64Array(buf, this.context, Limit.CONTEXT_SLOTS / 2);
    this.runs = new Int32Array(buf, o[Slot.RUNS_PTR]!, Limit.RUN_CAPACITY * 2);
    this.entries = new Int32Array(buf, o[Slot.ENTRIES_PTR]!, o[Slot.ENTRY_CAPACITY]! * 4);
    this.input = new Uint8Array(buf, o[Slot.INPUT_PTR]!, o[Slot.INPUT_CAPACITY]!);
  }

  /** Bytes the input region holds now. */
  get inputCapacity(): number {
    return this.input.length;
  }

  /** Grows the input region and entry table (never shrinks). False if refused. */
  reserve(inputBytes: number, entries: number): boolean {
    const ok = this.x.reserve(inputBytes, entries) === 1;
    this.refreshViews();
    return ok;
  }

  /**
   * Copies `bytes` to the start of the input region for `owner`. When the
   * same owner staged a prefix of these bytes last time (a head arriving in
   * pieces), only the new tail is copied. The owner promises that a prefix
   * it staged is unchanged until it calls `release`.
   */
  stage(owner: object, bytes: Uint8Array): boolean {
    if (bytes.length > this.input.length && !this.reserve(bytes.length, 0)) return false;
    let from = 0;
    if (this.owner === owner && this.ownerLength <= bytes.length) from = this.ownerLength;
    if (from < bytes.length) this.input.set(from === 0 ? bytes : bytes.subarray(from), from);
    this.owner = owner;
    this.ownerLength = bytes.length;
    return true;
  }

  /** Forgets what `owner` staged (its bytes changed or were consumed). */
  release(owner: object): void {
    if (this.owner === owner) this.owner = null;
  }

  /** Copies bytes for a one-shot call (nobody's prefix). */
  stageOnce(bytes: Uint8Array): void {
    this.owner = null;
    this.input.set(bytes, 0);
  }

  /** The input region, for a one-shot call whose caller copies its bytes in itself (nobody's prefix). */
  claimInput(): Uint8Array {
    this.owner = null;
    return this.input;
  }

  /** See `parseHead` in assembly/head.ts: >0 head length, 0 need more, <0 `Code`. */
  parseHead(total: number, scannedBefore: number, linesBefore: number, flags: number): number {
    return this.x.parseHead(total, scannedBefore, linesBefore, flags);
  }

  /** See `parseRequestHead` in assembly/head.ts: as `parseHead`, for a request head. */
  parseRequestHead(total: number, scannedBefore: number, linesBefore: number, flags: number): number {
    return this.x.parseRequestHead(total, scannedBefore, linesBefore, flags);
  }

  /** See `decodeChunked` in assembly/chunked.ts: >=0 bytes consumed, <0 `Code`. */
  decodeChunked(total: number, flags: number): number {
    return this.x.decodeChunked(total, flags);
  }

  /** Size of the instance's linear memory in bytes (tests check it stays bounded). */
  get memoryBytes(): number {
    return this.x.memory.buffer.byteLength;
  }

  /**
   * See `checkHeadStrict` in assembly/strict.ts: 0, or STRICT_VIOLATION with
   * the rule in ERROR_KIND. `flags`: `InFlag.REQUEST` for a request head.
   */
  checkHeadStrict(end: number, flags = 0): number {
    return this.x.checkHeadStrict(end, flags);
  }

  /** Whether some byte of the input region [0, end) is >= 0x80. */
  hasHighBytes(end: number): boolean {
    return this.x.hasHighBytes(end) === 1;
  }

  /** Content-Length from the context block. */
  get contentLength(): number {
    return this.outF64[Slot.CONTENT_LENGTH_F64 / 2]!;
  }
}

const modules: Partial<Record<WasmBuild, WebAssembly.Module>> = {};

/**
 * Supplies precompiled modules, used instead of compiling the embedded
 * bytes. For runtimes that refuse to compile from bytes (Cloudflare
 * Workers: the `workerd` entry imports the `.wasm` files and passes them
 * here) or that should compile asynchronously
 * (`await WebAssembly.compileStreaming(fetch(url))`). Call it before the
 * first parse; a parser already made keeps its module.
 */
export function setWasmModules(given: Partial<Record<WasmBuild, WebAssembly.Module>>): void {
  if (given.simd) modules.simd = given.simd;
  if (given.scalar) modules.scalar = given.scalar;
}

function compile(build: WasmBuild): WebAssembly.Module {
  let m = modules[build];
  if (!m) {
    m = new WebAssembly.Module(fromBase64(build === 'simd' ? SIMD_WASM_BASE64 : SCALAR_WASM_BASE64) as BufferSource);
    modules[build] = m;
  }
  return m;
}

/** A new parser instance of the given build (tests compare the two). */
export function createWasmParser(build: WasmBuild): WasmParser {
  return new WasmParser(compile(build), build);
}

let shared: WasmParser | null = null;

/**
 * The shared parser: the SIMD build where the engine validates it, else
 * the scalar build. Compiled synchronously on first use (no top-level
 * await, no file I/O).
 */
export function getWasmParser(): WasmParser {
  if (!shared) {
    let build: WasmBuild = 'scalar';
    try {
      compile('simd');
      build = 'simd';
    } catch {
      // Engines without WASM SIMD refuse the module at compile time.
    }
    shared = createWasmParser(build);
  }
  return shared;
}
