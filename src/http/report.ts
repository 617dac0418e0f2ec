// What CPython's begin() + read() make of a whole response, as data: the
// result shape of docs/parser-semantics.md (CPython's attribute names, the
// Python exception's name and arguments). The fixtures, the differential
// tests and the demo read responses through this; it drives the core's
// ResponseMachine, as HTTPResponse does, and takes the Python error's
// arguments from the function HTTPResponse raises with.
import { Code, Limit } from '../abi/index.js';
import { concatBytes } from '../core/buffer.js';
import { LINE_KIND_TEXT, type ParseError, STRICT_RULES } from '../core/errors.js';
import type { ResponseHead } from '../core/head.js';
import { latin1Decode } from '../core/latin1.js';
import { ResponseEvent, ResponseMachine, ResponsePhase } from '../core/response.js';
import type { WasmParser } from '../core/wasm.js';
import { type IncompleteRead, pythonExceptionName } from './exceptions.js';
import { responseError } from './response.js';

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
  private readonly machine: ResponseMachine;
  private readonly pieces: Uint8Array[] = [];
  private bodyBytes = 0;
  private failure: ResponseResult | null = null;

  constructor(options: ResponseReaderOptions = {}) {
    this.machine = new ResponseMachine({
      wasm: options.wasm,
      strict: options.strict ?? false,
      headRequest: (options.method ?? 'GET') === 'HEAD',
    });
  }

  /** Appends received bytes and reads as far as they allow. */
  feed(chunk: Uint8Array): void {
    if (this.finished) return;
    this.machine.receive(chunk);
    this.drive();
  }

  /** The peer closed: finishes the response or records why it cannot. */
  end(): void {
    this.machine.receiveEof();
    if (!this.finished) this.drive();
  }

  /** The head and whole body are read, or reading failed. */
  get finished(): boolean {
    return this.failure !== null || this.machine.phase === ResponsePhase.DONE;
  }

  /** Bytes received after the end of the response. */
  get trailing(): number {
    return this.machine.buffer.length;
  }

  /** The outcome; only meaningful once `finished` (or after `end()`). */
  result(): ResponseResult {
    if (this.failure) return this.failure;
    const head = this.machine.head;
    if (!head) throw new Error('ResponseReader.result() before the response was read');
    return { ...headFields(head), body: latin1Decode(concatBytes(this.pieces, this.bodyBytes)) };
  }

  private drive(): void {
    const m = this.machine;
    for (;;) {
      switch (m.next()) {
        case ResponseEvent.DATA:
          this.pieces.push(m.data.slice());
          this.bodyBytes += m.data.length;
          continue;
        case ResponseEvent.ERROR:
          this.failure = this.describe(m.error!);
          return;
        case ResponseEvent.NEED_DATA:
        case ResponseEvent.END:
          return;
        default:
          continue; // a head: the body follows
      }
    }
  }

  private describe(e: ParseError): ResponseResult {
    const head = this.machine.head;
    const out: ResponseResult = head ? headFields(head) : {};
    out.error = pythonExceptionName(e.code);
    switch (e.code) {
      case Code.BAD_STATUS_LINE:
        out.line = e.text;
        break;
      case Code.LINE_TOO_LONG:
        out.what = LINE_KIND_TEXT[e.kind];
        break;
      case Code.TOO_MANY_HEADERS:
        out.message = `got more than ${Limit.MAX_HEADERS} headers`;
        break;
      case Code.UNKNOWN_PROTOCOL:
        out.version = e.text as unknown as number; // CPython's UnknownProtocol(version)
        break;
      case Code.STRICT_VIOLATION:
        out.rule = STRICT_RULES[e.kind]?.[0] ?? String(e.kind);
        break;
      case Code.INCOMPLETE_BODY:
      case Code.BAD_CHUNK_SIZE:
      case Code.INCOMPLETE_CHUNK: {
        // HTTPResponse's IncompleteRead, made by the same function.
        const py = responseError(this.machine, e, concatBytes(this.pieces, this.bodyBytes)) as IncompleteRead;
        out.partial = latin1Decode(py.partial);
        out.expected = py.expected;
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
