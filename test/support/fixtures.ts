// Loader for the Markdown response fixtures in test/fixtures/response/*.md,
// and a runner for CPython's oracle (test/cpython/oracle.py) over them.
// The format and its rendering rules are documented in
// test/fixtures/response/README.md; keep the two in step.
//
// This module imports only node: builtins so that
// test/cpython/fill-fixtures.mjs can transpile it on its own and import it.

import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface ResponseFixture {
  file: string;
  title: string;
  input: Uint8Array;
  method: string;
  /** What httpwire must produce (the result shape of docs/parser-semantics.md). */
  expected: Record<string, unknown>;
  /** What CPython produces, only where httpwire differs on purpose. */
  cpython?: Record<string, unknown>;
  /** What httpwire produces in strict mode, where the case says (```json strict). */
  strict?: Record<string, unknown>;
}

export type Eol = 'crlf' | 'lf' | 'none';

/** Where a fenced block sits in its file: 0-based line numbers of the fences. */
export interface BlockLines {
  open: number;
  close: number;
}

/** One section as parsed, with the positions a rewriting tool needs. */
export interface ParsedSection {
  file: string;
  title: string;
  method: string;
  eol: Eol;
  input: Uint8Array;
  expected?: Record<string, unknown>;
  cpython?: Record<string, unknown>;
  strict?: Record<string, unknown>;
  titleLine: number;
  http: BlockLines;
  json?: BlockLines;
  cpythonBlock?: BlockLines;
}

// ---------------------------------------------------------------------------
// Latin-1: byte 0xNN is U+00NN, both ways, for all 256 values. (TextDecoder's
// 'latin1' label is windows-1252 and maps 0x80-0x9f elsewhere.)

export function latin1(bytes: Uint8Array): string {
  let out = '';
  // Chunks keep String.fromCharCode under the engine's argument limit.
  for (let i = 0; i < bytes.length; i += 8192) {
    out += String.fromCharCode(...bytes.subarray(i, i + 8192));
  }
  return out;
}

export function fromLatin1(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c > 0xff) throw new Error(`fromLatin1: U+${c.toString(16).padStart(4, '0')} at ${i} is not Latin-1`);
    out[i] = c;
  }
  return out;
}

// ---------------------------------------------------------------------------
// Rendering

const EOLS: Record<Eol, string> = { crlf: '\r\n', lf: '\n', none: '' };
const SIMPLE_ESCAPES: Record<string, string> = { r: '\r', n: '\n', t: '\t', '0': '\0', '\\': '\\' };
const META_KEYS = new Set(['method', 'eol']);

class FixtureError extends Error {}

function fail(file: string, line: number, title: string | undefined, msg: string): never {
  const where = `${file}:${line + 1}${title === undefined ? '' : ` (## ${title})`}`;
  throw new FixtureError(`${where}: ${msg}`);
}

/** Escapes of one piece of a line (no macros): returns Latin-1 text. */
function unescape(text: string, err: (msg: string) => never): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    const code = ch.charCodeAt(0);
    // Only printable ASCII and tab may appear literally: a raw byte >= 0x80
    // would be ambiguous (UTF-8 file vs Latin-1 input), so it must be \xHH.
    if (code > 0x7e || (code < 0x20 && ch !== '\t')) {
      err(`literal U+${code.toString(16).padStart(4, '0')} in http block: write it as \\xHH`);
    }
    if (ch !== '\\') {
      out += ch;
      continue;
    }
    const next = text[i + 1];
    if (next === undefined) err('backslash at end of line');
    if (next === 'x') {
      const hex = text.slice(i + 2, i + 4);
      if (!/^[0-9a-fA-F]{2}$/.test(hex)) err(`bad \\x escape "\\x${hex}"`);
      out += String.fromCharCode(parseInt(hex, 16));
      i += 3;
    } else if (next in SIMPLE_ESCAPES) {
      out += SIMPLE_ESCAPES[next];
      i += 1;
    } else {
      err(`unknown escape "\\${next}"`);
    }
  }
  return out;
}

/** One line of an http block: escapes and {{N*text}} repeat macros. */
function renderLine(line: string, err: (msg: string) => never): string {
  let out = '';
  let pos = 0;
  while (pos < line.length) {
    const open = line.indexOf('{{', pos);
    if (open < 0) {
      out += unescape(line.slice(pos), err);
      break;
    }
    out += unescape(line.slice(pos, open), err);
    const close = line.indexOf('}}', open + 2);
    if (close < 0) err('"{{" without "}}" on the same line (write a literal "{{" as \\x7b\\x7b)');
    const m = /^(\d+)\*([\s\S]*)$/.exec(line.slice(open + 2, close));
    if (!m) err(`bad repeat macro "${line.slice(open, close + 2)}": want {{N*text}}`);
    const body = m[2]!;
    if (body.includes('{{')) err('repeat macros do not nest');
    out += unescape(body, err).repeat(Number(m[1]));
    pos = close + 2;
  }
  return out;
}

/** Expands {{N*text}} in a json block's text before JSON.parse (text is taken literally). */
export function expandJsonMacros(text: string): string {
  return text.replace(/\{\{(\d+)\*([\s\S]*?)\}\}/g, (_m, n: string, body: string) => body.repeat(Number(n)));
}

// ---------------------------------------------------------------------------
// Parsing

const FENCE_OPEN = /^(`{3,})\s*(.*?)\s*$/;
const META_LINE = /^<!--\s*meta=(.*?)\s*-->\s*$/;

interface Draft {
  title: string;
  titleLine: number;
  meta?: { method?: string; eol?: Eol };
  httpLines?: string[];
  http?: BlockLines;
  jsonText?: string;
  json?: BlockLines;
  cpythonText?: string;
  cpythonBlock?: BlockLines;
  strictText?: string;
  strictBlock?: BlockLines;
}

function parseJsonBlock(text: string, err: (msg: string) => never): Record<string, unknown> {
  if (text.trim() === '') err('empty json block');
  let value: unknown;
  try {
    value = JSON.parse(expandJsonMacros(text));
  } catch (e) {
    err(`json block does not parse: ${(e as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) err('json block is not an object');
  return value as Record<string, unknown>;
}

/**
 * Parses one fixture file. With requireJson (the default) every section must
 * have its ```json block; fill-fixtures.mjs passes false to find the ones to fill.
 */
export function parseResponseFixtureFile(
  text: string,
  file: string,
  options: { requireJson?: boolean } = {},
): ParsedSection[] {
  const requireJson = options.requireJson ?? true;
  if (text.includes('\r')) fail(file, 0, undefined, 'file contains a carriage return: use \\r inside http blocks, LF line ends');
  const lines = text.split('\n');
  const drafts: Draft[] = [];
  let cur: Draft | undefined;

  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const fence = FENCE_OPEN.exec(line);
    if (fence) {
      const ticks = fence[1]!;
      const info = fence[2]!;
      let close = i + 1;
      while (close < lines.length && lines[close] !== ticks) close++;
      if (close >= lines.length) fail(file, i, cur?.title, `unclosed ${ticks}${info} block`);
      const body = lines.slice(i + 1, close);
      const where: BlockLines = { open: i, close };
      if (cur) {
        const err = (msg: string): never => fail(file, i, cur!.title, msg);
        if (info === 'http') {
          if (cur.http) err('second http block');
          cur.httpLines = body;
          cur.http = where;
        } else if (info === 'json' || info === 'json cpython') {
          // json after http keeps sections uniform and lets the fill tool insert after http.
          if (!cur.http) err(`${info} block before the http block`);
          if (info === 'json') {
            if (cur.json) err('second json block');
            if (cur.cpythonBlock) err('json block must come before the json cpython block');
            cur.jsonText = body.join('\n');
            cur.json = where;
          } else {
            if (cur.cpythonBlock) err('second json cpython block');
            cur.cpythonText = body.join('\n');
            cur.cpythonBlock = where;
          }
        } else if (info === 'json strict') {
          // Strict mode's result is httpwire's own: it comes last, after any CPython block.
          if (!cur.http) err('json strict block before the http block');
          if (cur.strictBlock) err('second json strict block');
          cur.strictText = body.join('\n');
          cur.strictBlock = where;
        } else {
          err(`unknown fenced block "${ticks}${info}" (want http, json, json cpython or json strict)`);
        }
      }
      // Fences before the first section (README-like prose) are ignored.
      i = close;
      continue;
    }
    if (line.startsWith('## ')) {
      const title = line.slice(3).trim();
      if (title === '') fail(file, i, undefined, 'empty section title');
      cur = { title, titleLine: i };
      drafts.push(cur);
      continue;
    }
    const meta = META_LINE.exec(line);
    if (meta) {
      if (!cur) fail(file, i, undefined, 'meta line before the first section');
      const err = (msg: string): never => fail(file, i, cur!.title, msg);
      if (cur.meta) err('second meta line');
      if (cur.http) err('meta line after the http block');
      let value: unknown;
      try {
        value = JSON.parse(meta[1]!);
      } catch (e) {
        err(`meta does not parse: ${(e as Error).message}`);
      }
      if (typeof value !== 'object' || value === null || Array.isArray(value)) err('meta is not an object');
      const obj = value as Record<string, unknown>;
      for (const k of Object.keys(obj)) if (!META_KEYS.has(k)) err(`unknown meta key "${k}"`);
      if (obj.method !== undefined && (typeof obj.method !== 'string' || obj.method === '')) err('meta method must be a non-empty string');
      if (obj.eol !== undefined && !(typeof obj.eol === 'string' && obj.eol in EOLS)) err('meta eol must be "crlf", "lf" or "none"');
      cur.meta = obj as NonNullable<Draft['meta']>;
      continue;
    }
    if (line.startsWith('<!--') && line.includes('meta')) fail(file, i, cur?.title, 'malformed meta line: want <!-- meta={...} -->');
  }

  const seen = new Set<string>();
  return drafts.map((d): ParsedSection => {
    const err = (msg: string): never => fail(file, d.titleLine, d.title, msg);
    if (seen.has(d.title)) err('duplicate title in this file');
    seen.add(d.title);
    const { http, httpLines, json, cpythonBlock } = d;
    if (!http || !httpLines) return err('no http block');
    if (requireJson && d.jsonText === undefined) err('no json block (run node test/cpython/fill-fixtures.mjs --write)');
    if (d.cpythonText !== undefined && d.jsonText === undefined) err('json cpython block without a json block');
    const eol = d.meta?.eol ?? 'crlf';
    const rendered = httpLines.map((l, k) => renderLine(l, (msg) => fail(file, http.open + 1 + k, d.title, msg)));
    const section: ParsedSection = {
      file,
      title: d.title,
      method: d.meta?.method ?? 'GET',
      eol,
      input: fromLatin1(rendered.join(EOLS[eol])),
      titleLine: d.titleLine,
      http,
    };
    if (d.jsonText !== undefined && json) {
      section.expected = parseJsonBlock(d.jsonText, (msg) => fail(file, json.open, d.title, msg));
      section.json = json;
    }
    if (d.cpythonText !== undefined && cpythonBlock) {
      section.cpython = parseJsonBlock(d.cpythonText, (msg) => fail(file, cpythonBlock.open, d.title, msg));
      section.cpythonBlock = cpythonBlock;
      // A cpython block that says the same as json documents no difference.
      if (JSON.stringify(section.cpython) === JSON.stringify(section.expected)) err('json cpython block equals the json block');
    }
    if (d.strictText !== undefined && d.strictBlock) {
      section.strict = parseJsonBlock(d.strictText, (msg) => fail(file, d.strictBlock!.open, d.title, msg));
    }
    return section;
  });
}

export function defaultFixtureDir(): string {
  return fileURLToPath(new URL('../fixtures/response/', import.meta.url));
}

/** Every section of every dir/*.md except README.md, file by file in name order. */
export function loadResponseFixtures(dir: string = defaultFixtureDir()): ResponseFixture[] {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.md') && f !== 'README.md')
    .sort();
  if (files.length === 0) throw new Error(`no fixture files in ${dir}`);
  const out: ResponseFixture[] = [];
  const titles = new Map<string, string>();
  for (const f of files) {
    for (const s of parseResponseFixtureFile(readFileSync(join(dir, f), 'utf8'), f)) {
      // Titles name the tests, so they must be unique across files too.
      const other = titles.get(s.title);
      if (other !== undefined) fail(f, s.titleLine, s.title, `duplicate title (also in ${other})`);
      titles.set(s.title, f);
      const fx: ResponseFixture = { file: f, title: s.title, input: s.input, method: s.method, expected: s.expected! };
      if (s.cpython) fx.cpython = s.cpython;
      if (s.strict) fx.strict = s.strict;
      out.push(fx);
    }
  }
  return out;
}

// ---------------------------------------------------------------------------
// CPython oracle

export interface OracleCase {
  input: Uint8Array;
  method: string;
  /** For request_oracle.py: the server's protocol_version. */
  protocol?: string;
}

/**
 * A run's outcome per case: the oracle's result shape (an error CPython
 * raised outside http.client, such as MemoryError on a 2^53-byte read, is
 * reported with its type name like any other error).
 */
export type OracleOutcome = Record<string, unknown>;

export function defaultOraclePath(): string {
  return fileURLToPath(new URL('../cpython/oracle.py', import.meta.url));
}

/** JSON with every non-ASCII char escaped, so stdin's encoding cannot matter. */
function asciiJson(value: unknown): string {
  return JSON.stringify(value).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function runOnce(
  python: string,
  oracle: string,
  cases: OracleCase[],
): Promise<{ lines: string[]; code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(python, [oracle], { stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', reject);
    // EPIPE when the oracle dies early: the exit code and stderr tell why.
    child.stdin.on('error', () => {});
    child.on('close', (code) => {
      const text = Buffer.concat(out).toString('utf8');
      const lines = text.split('\n').filter((l) => l.trim() !== '');
      resolve({ lines, code, stderr: Buffer.concat(err).toString('utf8') });
    });
    child.stdin.end(cases.map((c) => asciiJson({ input: latin1(c.input), method: c.method, ...(c.protocol ? { protocol: c.protocol } : {}) }) + '\n').join(''));
  });
}

/** Runs all cases through one oracle process (oracle.py reports every failure as a result). */
export async function runCpythonOracle(
  cases: OracleCase[],
  options: { python?: string; oracle?: string } = {},
): Promise<OracleOutcome[]> {
  const run = await runOnce(options.python ?? 'python3', options.oracle ?? defaultOraclePath(), cases);
  if (run.code !== 0 || run.lines.length !== cases.length) {
    throw new Error(`oracle exited ${run.code} with ${run.lines.length} results for ${cases.length} inputs: ${run.stderr}`);
  }
  return run.lines.map((l) => JSON.parse(l) as OracleOutcome);
}
