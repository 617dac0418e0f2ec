// A whole response read from bytes, the way CPython's begin() + read()
// reads it: 100 Continue heads skipped, the body read to its end. This is
// the driver the fixtures, the differential tests and the demo use; the
// http layer builds the same steps into HTTPResponse.
import { Code } from '../abi/index.js';
import { bodyReaderFor, ChunkedReader, type BodyReader } from './body.js';
import { concatBytes, ReceiveBuffer } from './buffer.js';
import { LINE_KIND_TEXT, ParseError, STRICT_RULES } from './errors.js';
import { HeadParser, type ResponseHead } from './head.js';
import { latin1Decode } from './latin1.js';
import type { WasmParser } from './wasm.js';

/** The result shape of docs/parser-semantics.md (what CPython reports). */
export interface ResponseResult {
  status?: number;
  reason?: string;
  version?: number;
  headers?: [string, string][];
  chunked?: boolean;
  length?: number | null;
  will_close?: boolean;
  body?: string;
  error?: string;
  line?: string;
  what?: string;
  message?: string;
  version_text?: string;
  partial?: string;
  expected?: number | null;
  /** With `error: 'StrictViolation'`: the rule's name (`STRICT_RULES`). */
  rule?: string;
}

/** Options of a `ResponseReader`. */
export interface ResponseReaderOptions {
  /** The request method (HEAD responses have no body). */
  method?: string;
  wasm?: WasmParser;
  /** Strict mode (see `StrictRule`): refused input gives `error: 'StrictViolation'` and the rule's name. */
  strict?: boolean;
}

/**
 * Reads one response from bytes fed in any pieces. `feed` each piece, then
 * `end()` when the peer closed; `result()` gives the outcome.
 */
export class ResponseReader {
  private readonly buf = new ReceiveBuffer(1024);
  private readonly parser: HeadParser;
  private readonly headRequest: boolean;
  private readonly wasm: WasmParser | undefined;
  private readonly strict: boolean;
  private head: ResponseHead | null = null;
  private body: BodyReader | null = null;
  private readonly pieces: Uint8Array[] = [];
  private bodyBytes = 0;
  private eof = false;
  private failure: ResponseResult | null = null;

  constructor(options: ResponseReaderOptions = {}) {
    this.wasm = options.wasm;
    this.strict = options.strict ?? false;
    this.parser = new HeadParser(options.wasm ? { wasm: options.wasm, strict: this.strict } : { strict: this.strict });
    this.headRequest = (options.method ?? 'GET') === 'HEAD';
  }

  /** Appends received bytes and reads as far as they allow. */
  feed(chunk: Uint8Array): void {
    if (this.finished) return;
    this.buf.push(chunk);
    this.drive();
  }

  /** The peer closed: finishes the response or records why it cannot. */
  end(): void {
    this.eof = true;
    if (!this.finished) this.drive();
  }

  /** The head and whole body are read, or reading failed. */
  get finished(): boolean {
    return this.failure !== null || (this.body !== null && this.body.done);
  }

  /** Bytes received after the end of the response. */
  get trailing(): number {
    return this.buf.length;
  }

  /** The outcome; only meaningful once `finished` (or after `end()`). */
  result(): ResponseResult {
    if (this.failure) return this.failure;
    if (!this.head) throw new Error('ResponseReader.result() before the response was read');
    return { ...headFields(this.head), body: latin1Decode(concatBytes(this.pieces, this.bodyBytes)) };
  }

  private drive(): void {
    try {
      while (!this.head) {
        const head = this.parser.execute(this.buf.view(), this.eof, this.headRequest);
        if (!head) return;
        this.buf.consume(head.headLength);
        if (head.status === 100) continue; // begin() skips 100 Continue
        this.head = head;
        this.body = bodyReaderFor(head, this.wasm, this.strict);
      }
      const body = this.body!;
      while (!body.done) {
        const piece = body.next(this.buf, Number.MAX_SAFE_INTEGER, this.eof);
        if (piece.length === 0) {
          if (body.done || !this.eof) return;
          continue;
        }
        this.pieces.push(piece.slice());
        this.bodyBytes += piece.length;
      }
    } catch (e) {
      if (!(e instanceof ParseError)) throw e;
      this.failure = this.describe(e);
    }
  }

  private describe(e: ParseError): ResponseResult {
    const out: ResponseResult = this.head ? headFields(this.head) : {};
    out.error = e.pythonName;
    switch (e.code) {
      case Code.BAD_STATUS_LINE:
        out.line = e.text;
        break;
      case Code.LINE_TOO_LONG:
        out.what = LINE_KIND_TEXT[e.kind];
        break;
      case Code.TOO_MANY_HEADERS:
        out.message = 'got more than 100 headers';
        break;
      case Code.UNKNOWN_PROTOCOL:
        out.version = e.text as unknown as number; // CPython's UnknownProtocol(version)
        break;
      case Code.STRICT_VIOLATION:
        out.rule = STRICT_RULES[e.kind]?.[0] ?? String(e.kind);
        break;
      case Code.INCOMPLETE_BODY:
        out.partial = latin1Decode(concatBytes(this.pieces, this.bodyBytes));
        out.expected = e.expected;
        break;
      case Code.BAD_CHUNK_SIZE:
      case Code.INCOMPLETE_CHUNK: {
        // _read_chunked re-raises with only the chunks read whole.
        const cut = this.body instanceof ChunkedReader ? this.body.partialChunkBytes : 0;
        const all = concatBytes(this.pieces, this.bodyBytes);
        out.partial = latin1Decode(all, 0, all.length - cut);
        out.expected = null;
        break;
      }
    }
    return out;
  }
}

function headFields(h: ResponseHead): ResponseResult {
  return {
    status: h.status,
    reason: h.reason,
    version: h.version,
    headers: h.headers.toArray(),
    chunked: h.chunked,
    length: h.length,
    will_close: h.willClose,
  };
}


/** Reads a whole response from `input` followed by EOF. */
export function parseResponse(input: Uint8Array, options: ResponseReaderOptions = {}): ResponseResult {
  const reader = new ResponseReader(options);
  reader.feed(input);
  reader.end();
  return reader.result();
}
