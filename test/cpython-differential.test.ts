// Differential test against CPython's own http.client (test/cpython/oracle.py):
// the reference parser (test/reference/parser.ts) and httpwire's WASM parser
// are both judged on the same CPython results, for generated responses,
// a few 7 MB ones, and every Markdown fixture.
//
//   REF_CPYTHON_N       how many generated inputs (default 3000)
//   REF_CPYTHON_SEED    generator seed (default 1)
//   REF_CPYTHON_PYTHON  interpreter (default python3; any CPython 3.11+ binary)
//
// All inputs go through one Python process, as JSON lines. Every result must
// be deep-equal, except where the reference reports one of the deliberate
// differences of docs/differences.md; those are checked to be exactly that
// difference (see adjustForDeviations), and httpwire must then give the
// adjusted result too.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import { describe, expect, it } from 'vitest';
import { createWasmParser } from '../src/core/index.js';
import { parseResponse } from '../src/http/report.js';
import { referenceParseDetailed, type Deviation } from './reference/parser.js';
import { loadResponseFixtures } from './support/fixtures.js';
import { generateResponse, makeRng } from './support/generate.js';

const N = Number(process.env.REF_CPYTHON_N ?? 3000);
const SEED = Number(process.env.REF_CPYTHON_SEED ?? 1);
const PYTHON = process.env.REF_CPYTHON_PYTHON ?? 'python3';
const ORACLE = fileURLToPath(new URL('./cpython/oracle.py', import.meta.url));
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

interface Case {
  index: number;
  kind: string;
  method: string;
  input: Uint8Array;
}

type Result = Record<string, unknown>;

/** CPython's answer; lengths past 2^53 are kept exact as bigints. */
interface OracleResult {
  value: Result;
  bigLength?: bigint;
  bigExpected?: bigint;
}

function latin1(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 8192) out += String.fromCharCode(...bytes.subarray(i, i + 8192));
  return out;
}

/** JSON with every non-ASCII char escaped, so the pipe's text encoding does not matter. */
function asciiJson(value: unknown): string {
  return JSON.stringify(value).replace(/[\u007f-\uffff]/g, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'));
}

function parseOracleLine(line: string): OracleResult {
  const out: OracleResult = { value: JSON.parse(line) as Result };
  // oracle.py writes a length past 2^53-1 as a decimal string.
  if (typeof out.value.length === 'string') out.bigLength = BigInt(out.value.length);
  // ...and so is an IncompleteRead `expected` past 2^53-1.
  if (typeof out.value.expected === 'string') out.bigExpected = BigInt(out.value.expected);
  return out;
}

/** Runs every case through one oracle process; resolves with one result per case. */
function runOracle(cases: Case[]): Promise<OracleResult[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(PYTHON, [ORACLE], { stdio: ['pipe', 'pipe', 'pipe'] });
    const stdout: string[] = [];
    let stderr = '';
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (d: string) => stdout.push(d));
    child.stderr.on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => {
      const lines = stdout.join('').split('\n').filter((l) => l.length > 0);
      if (code !== 0 || lines.length !== cases.length) {
        const at = cases[lines.length];
        const where = at ? `; it stopped at case ${at.index}: ${asciiJson(latin1(at.input))} (${at.method})` : '';
        reject(new Error(`oracle exited with ${code} after ${lines.length}/${cases.length} results${where}\n${stderr}`));
        return;
      }
      resolve(lines.map(parseOracleLine));
    });
    // A write error (the child died) is reported by 'close' above.
    child.stdin.on('error', () => {});
    child.stdin.end(cases.map((c) => asciiJson({ input: latin1(c.input), method: c.method }) + '\n').join(''));
  });
}

const NO_BODY = (status: unknown) => status === 204 || status === 304 || (typeof status === 'number' && status >= 100 && status < 200);

/**
 * Turns CPython's result into the one the reference must give, applying each
 * deliberate difference the reference says it made, after checking CPython's
 * result has exactly the shape that difference predicts. Returns a string
 * explaining why not, when it does not.
 */
function adjustForDeviations(c: Case, cp: OracleResult, ref: Result, deviations: Deviation[]): Result | string {
  let value: Result = { ...cp.value };
  const kinds = new Set(deviations.map((d) => d.kind));

  if (cp.bigLength !== undefined && !kinds.has('content-length-clamped')) return 'CPython length past 2^53 but the reference did not clamp';
  if (cp.bigExpected !== undefined && !kinds.has('content-length-clamped')) return 'CPython expected past 2^53 but the reference did not clamp';

  for (const d of deviations) {
    switch (d.kind) {
      case 'no-body-status-chunked': {
        // CPython reads a chunked body even for 1xx/204/304: keep its head, drop its body or error.
        if (value.chunked !== true || !NO_BODY(value.status) || c.method === 'HEAD') return `bad ${d.kind}`;
        const { body: _b, error: _e, partial: _p, expected: _x, what: _w, message: _m, ...head } = value;
        value = { ...head, body: '' };
        break;
      }
      case 'content-length-clamped': {
        if (cp.bigLength === undefined || cp.bigLength <= MAX_SAFE) return `bad ${d.kind}: CPython length is ${String(value.length)}`;
        value.length = Number(MAX_SAFE);
        if (value.error === 'IncompleteRead' && typeof value.partial === 'string') {
          // expected = length - len(partial), on both sides
          const got = BigInt(value.partial.length);
          const cpExpected = cp.bigExpected ?? (typeof value.expected === 'number' ? BigInt(value.expected) : null);
          if (cpExpected !== cp.bigLength - got) return `bad ${d.kind}: CPython expected ${String(value.expected)}`;
          value.expected = Number(MAX_SAFE - got);
        }
        break;
      }
      case 'negative-chunk-size': {
        const size = BigInt(d.size);
        if (size === -1n) {
          // read(-1) takes everything to EOF as chunk data, then the CRLF is missing.
          const rest = latin1(c.input.subarray(d.restOffset));
          const partial = value.partial;
          if (value.error !== 'IncompleteRead' || value.expected !== null || typeof partial !== 'string' || !partial.endsWith(rest)) {
            return `bad ${d.kind}`;
          }
          value.partial = partial.slice(0, partial.length - rest.length);
        } else {
          // read(-n) raises, out of HTTPResponse.read(): ValueError, or
          // OverflowError past a C ssize_t. The chunks read before are lost
          // with it, so the reference's partial cannot be checked here.
          const error = size >= -(2n ** 63n) ? 'ValueError' : 'OverflowError';
          const partial = ref.partial;
          if (value.error !== error || typeof partial !== 'string') return `bad ${d.kind}: CPython ${String(value.error)}`;
          const { message: _m, ...head } = value;
          value = { ...head, error: 'IncompleteRead', partial, expected: null };
        }
        break;
      }
    }
  }
  return value;
}

function generateCases(n: number, seed: number): Case[] {
  const rng = makeRng(seed);
  const cases: Case[] = [];
  for (let i = 0; i < n; i++) {
    const g = generateResponse(rng);
    cases.push({ index: i, kind: g.kind, method: g.method, input: g.input });
  }
  return cases;
}

/** A few multi-megabyte inputs: the reference must stay quick and total on them. */
function hugeCases(start: number): Case[] {
  const enc = (s: string) => {
    const out = new Uint8Array(s.length);
    for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
    return out;
  };
  const MB7 = 7 * 1024 * 1024;
  const texts: [string, string][] = [
    ['big body', 'HTTP/1.1 200 OK\r\nContent-Length: ' + MB7 + '\r\n\r\n' + 'x'.repeat(MB7)],
    ['tiny chunks', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n' + '1\r\na\r\n'.repeat(MB7 / 6) + '0\r\n\r\n'],
    ['no newline', 'HTTP/1.1 200 OK' + 'y'.repeat(MB7)],
    ['many 100s', 'HTTP/1.1 100 Continue\r\n\r\n'.repeat(MB7 / 26) + 'HTTP/1.1 200 OK\r\n\r\n'],
    ['close body', 'HTTP/1.0 200 OK\r\n\r\n' + '\r\n'.repeat(MB7 / 2)],
  ];
  return texts.map(([kind, t], i) => ({ index: start + i, kind: 'huge ' + kind, method: 'GET', input: enc(t) }));
}

/** Long JSON cut for the console: a 65 KB line would bury the report. */
function clip(json: string): string {
  return json.length <= 4000 ? json : `${json.slice(0, 4000)}... (${json.length} chars in all)`;
}

function tally<T>(items: T[], key: (t: T) => string): string {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k}=${v}`).join(' ');
}

function fixtureCases(start: number): Case[] {
  return loadResponseFixtures().map((f, i) => ({ index: start + i, kind: 'fixture', method: f.method, input: f.input }));
}

describe('reference parser and httpwire vs CPython http.client', () => {
  it(`agree on ${N} generated responses (seed ${SEED}), a few 7 MB ones, and every fixture`, async () => {
    const generated = [...generateCases(N, SEED), ...hugeCases(N)];
    const cases = [...generated, ...fixtureCases(generated.length)];
    const wasm = createWasmParser('simd');

    const started = Date.now();
    const refs = cases.map((c) => referenceParseDetailed(c.input, c.method));
    const refMs = Date.now() - started;
    const oracleStarted = Date.now();
    const oracle = await runOracle(cases);
    const oracleMs = Date.now() - oracleStarted;

    const mismatches: string[] = [];
    const deviationCount = new Map<string, number>();
    cases.forEach((c, i) => {
      const { result, deviations } = refs[i]!;
      for (const d of deviations) deviationCount.set(d.kind, (deviationCount.get(d.kind) ?? 0) + 1);
      const expected = adjustForDeviations(c, oracle[i]!, result, deviations);
      const ours = parseResponse(c.input, { method: c.method, wasm }) as Result;
      if (typeof expected !== 'string' && !isDeepStrictEqual(ours, expected)) {
        mismatches.push(
          [
            `case ${c.index} (${c.kind}, method ${c.method}): httpwire differs`,
            `  input:    ${clip(asciiJson(latin1(c.input)))}`,
            `  expected: ${clip(asciiJson(expected))}`,
            `  httpwire: ${clip(asciiJson(ours))}`,
          ].join('\n'),
        );
      }
      if (typeof expected === 'string' || !isDeepStrictEqual(result, expected)) {
        mismatches.push(
          [
            `case ${c.index} (${c.kind}, method ${c.method})${typeof expected === 'string' ? ': ' + expected : ''}`,
            `  input:     ${clip(asciiJson(latin1(c.input)))}`,
            `  cpython:   ${clip(asciiJson(oracle[i]!.value))}`,
            `  reference: ${clip(asciiJson(result))}`,
            `  deviations: ${JSON.stringify(deviations)}`,
          ].join('\n'),
        );
      }
    });

    console.log(
      [
        `cpython-differential: ${cases.length} inputs, ${mismatches.length} mismatches; reference ${refMs} ms, CPython ${oracleMs} ms`,
        `  kinds: ${tally(cases, (c) => c.kind.replace(/^huge .*/, 'huge'))}`,
        `  outcomes: ${tally(refs, (r) => String(r.result.error ?? 'ok'))}`,
        `  deliberate differences: ${[...deviationCount].map(([k, v]) => `${k}=${v}`).join(' ') || 'none'}`,
      ].join('\n'),
    );
    if (mismatches.length > 0) {
      console.log(`replay: REF_CPYTHON_SEED=${SEED} REF_CPYTHON_N=${N}; the first ${Math.min(20, mismatches.length)}:\n`);
      console.log(mismatches.slice(0, 20).join('\n\n'));
    }
    expect(mismatches.length).toBe(0);
  }, 900_000);
});
