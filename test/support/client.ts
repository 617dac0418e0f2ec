// Small helpers for tests that drive httpwire's HTTPConnection against real
// peers: connection counting, bounded body reads, and catching rejections.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { nodeTransportFactory } from '../../src/transport/node.js';
import type { ConnectOptions, Transport, TransportFactory } from '../../src/transport/types.js';
import { PYTHON313 } from './python.js';

/** The Node transport factory, recording every connect (one entry per new TCP connection). */
export function countingFactory(): { factory: TransportFactory; connects: ConnectOptions[] } {
  const connects: ConnectOptions[] = [];
  const factory: TransportFactory = (options): Promise<Transport> => {
    connects.push(options);
    return nodeTransportFactory(options);
  };
  return { factory, connects };
}

/** Latin-1 bytes <-> text. */
export const bytesOf = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0));
export const textOf = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('latin1');

export function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/**
 * Asserts `actual` holds exactly the bytes of `expected`. Vitest's deep
 * equality walks a typed array element by element (seconds for 1 MiB); this
 * compares natively and names the first differing offset.
 */
export function expectBytes(actual: Uint8Array, expected: Uint8Array): void {
  const a = Buffer.from(actual.buffer, actual.byteOffset, actual.byteLength);
  const b = Buffer.from(expected.buffer, expected.byteOffset, expected.byteLength);
  if (a.equals(b)) return;
  let at = 0;
  while (at < a.length && at < b.length && a[at] === b[at]) at++;
  throw new Error(`bytes differ: got ${a.length} bytes, expected ${b.length}; first difference at offset ${at}`);
}

/** Reads `resp` with read(amt) until it returns no bytes; at most `maxReads` reads. Returns the pieces. */
export async function readPieces(
  resp: { read(amt?: number | null): Promise<Uint8Array> },
  amt: number,
  maxReads = 100_000,
): Promise<Uint8Array[]> {
  const pieces: Uint8Array[] = [];
  for (let i = 0; i < maxReads; i++) {
    const piece = await resp.read(amt);
    if (piece.length === 0) return pieces;
    pieces.push(piece);
  }
  throw new Error(`body not finished after ${maxReads} reads of ${amt}`);
}

/** The error `promise` rejects with; fails the test if it resolves. */
export async function rejection(promise: Promise<unknown>): Promise<any> {
  let value: unknown;
  try {
    value = await promise;
  } catch (err) {
    return err;
  }
  throw new Error(`expected a rejection, got ${String(value)}`);
}

/**
 * Python source of `fields(e, names)`: the exception's type name, str, args
 * and the named attributes, bytes as Latin-1 text, for JSON. Scripts given
 * to runCPython() can use it; errorFields() is the same for httpwire's.
 */
export const PY_FIELDS = `
def fields(e, names):
    text = lambda v: v.decode('latin-1') if isinstance(v, bytes) else v
    out = {'type': type(e).__name__, 'str': str(e), 'args': [text(a) for a in e.args]}
    out.update({n: text(getattr(e, n, None)) for n in names})
    return out
`;

/** httpwire's exception as PY_FIELDS describes a Python one. */
export function errorFields(err: any, names: string[]): Record<string, unknown> {
  const text = (v: unknown) => (v instanceof Uint8Array ? textOf(v) : (v ?? null));
  const out: Record<string, unknown> = { type: err.name, str: err.message, args: err.args.map(text) };
  for (const n of names) out[n] = text(err[n]);
  return out;
}

/**
 * Runs `script` (after PY_FIELDS) under CPython 3.13 with `input` as JSON in
 * sys.argv[1]; returns its stdout parsed as JSON. Asynchronous, so servers
 * in this process go on answering. Fails without CPython 3.13.
 */
export async function runCPython(script: string, input: unknown): Promise<any> {
  if (!PYTHON313) throw new Error('CPython 3.13 is needed for this suite: set PYTHON313, or put python3.13 on PATH');
  const { stdout } = await promisify(execFile)(PYTHON313, ['-c', PY_FIELDS + script, JSON.stringify(input)], { timeout: 60_000 });
  return JSON.parse(stdout);
}
