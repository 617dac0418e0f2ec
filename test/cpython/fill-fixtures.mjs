#!/usr/bin/env node
// Checks, or fills in, the expected results of the response fixtures from
// CPython's own http.client (test/cpython/oracle.py), or with --requests of
// the request fixtures (test/fixtures/request) from CPython 3.13's
// http.server (test/cpython/request_oracle.py; PYTHON names the interpreter).
//
//   node test/cpython/fill-fixtures.mjs            check every section, exit 1 on any problem
//   node test/cpython/fill-fixtures.mjs --write    also add the missing ```json blocks
//   node test/cpython/fill-fixtures.mjs --update   also rewrite blocks CPython disagrees with
//                                                  (```json cpython where there is one, else ```json)
//   ... [files...]                                 only these fixture files (names or paths)
//
// So a new case needs only its title, optional meta line and ```http block.
// The loader is TypeScript: it is transpiled here with the project's own
// `typescript` so that this script runs on plain Node 20.

import { readFileSync, writeFileSync, readdirSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const requests = process.argv.includes('--requests');
const fixtureDir = join(root, 'test', 'fixtures', requests ? 'request' : 'response');
const oraclePath = join(here, requests ? 'request_oracle.py' : 'oracle.py');
const python = process.env.PYTHON ?? 'python3';

async function importLoader() {
  const src = readFileSync(join(root, 'test', 'support', 'fixtures.ts'), 'utf8');
  const { outputText } = ts.transpileModule(src, {
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
    fileName: 'fixtures.ts',
  });
  // A data: URL module may import node: builtins, which is all the loader uses.
  return import(`data:text/javascript;base64,${Buffer.from(outputText).toString('base64')}`);
}

/** Python json.dumps style (", " and ": ", non-ASCII as \u00XX): what the oracle prints. */
function pyJson(v) {
  if (v === null) return 'null';
  if (typeof v === 'string') {
    return JSON.stringify(v).replace(/[\u007f-\uffff]/g, (c) => {
      const code = c.charCodeAt(0);
      return code === 0x7f ? c : `\\u${code.toString(16).padStart(4, '0')}`;
    });
  }
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return `[${v.map(pyJson).join(', ')}]`;
  return `{${Object.entries(v).map(([k, x]) => `${pyJson(k)}: ${pyJson(x)}`).join(', ')}}`;
}

/**
 * Folds long repetitions into {{N*unit}} (the loader expands them before
 * JSON.parse), so a 64 KiB header value stays one readable line.
 */
function compress(text) {
  let out = '';
  let i = 0;
  while (i < text.length) {
    let best = null;
    for (let p = 1; p <= 24 && i + p <= text.length; p++) {
      const unit = text.slice(i, i + p);
      if (/[{}]/.test(unit)) continue;
      let k = 1;
      while (text.startsWith(unit, i + k * p)) k++;
      if (k >= 4 && k * p >= 48 && (!best || k * p > best.k * best.unit.length)) best = { unit, k };
    }
    if (best) {
      out += `{{${best.k}*${best.unit}}}`;
      i += best.k * best.unit.length;
    } else {
      out += text[i++];
    }
  }
  return out;
}

function same(a, b) {
  return JSON.stringify(canon(a)) === JSON.stringify(canon(b));
}
function canon(v) {
  if (Array.isArray(v)) return v.map(canon);
  if (v && typeof v === 'object') return Object.fromEntries(Object.keys(v).sort().map((k) => [k, canon(v[k])]));
  return v;
}

function short(v) {
  const s = pyJson(v);
  return s.length > 400 ? `${s.slice(0, 400)}... (${s.length} chars)` : s;
}

async function main() {
  const args = process.argv.slice(2);
  const update = args.includes('--update');
  const write = update || args.includes('--write');
  const only = args.filter((a) => !a.startsWith('--')).map((a) => basename(a));
  const unknown = args.filter((a) => a.startsWith('--') && !['--write', '--update', '--requests'].includes(a));
  if (unknown.length) throw new Error(`unknown option ${unknown.join(' ')}`);

  const loader = await importLoader();
  const files = readdirSync(fixtureDir)
    .filter((f) => f.endsWith('.md') && f !== 'README.md' && (only.length === 0 || only.includes(f)))
    .sort();

  const parsed = files.map((f) => ({
    file: f,
    text: readFileSync(join(fixtureDir, f), 'utf8'),
  }));
  const all = [];
  for (const p of parsed) {
    p.sections = loader.parseResponseFixtureFile(p.text, p.file, { requireJson: false });
    all.push(...p.sections);
  }
  // Same rule as loadResponseFixtures: titles are test names.
  const titles = new Map();
  for (const s of all) {
    if (titles.has(s.title)) throw new Error(`${s.file}: duplicate title "${s.title}" (also in ${titles.get(s.title)})`);
    titles.set(s.title, s.file);
  }

  const outcomes = await loader.runCpythonOracle(
    all.map((s) => ({ input: s.input, method: s.method })),
    { oracle: oraclePath, python },
  );

  let problems = 0;
  let filled = 0;
  let updated = 0;
  for (const p of parsed) {
    const lines = p.text.split('\n');
    const edits = []; // { at, remove, insert[] }, applied bottom-up
    for (const s of p.sections) {
      const got = outcomes[all.indexOf(s)];
      const line = compress(pyJson(got));
      // The folded line must read back as exactly what CPython said.
      if (!same(JSON.parse(loader.expandJsonMacros(line)), got)) throw new Error(`${s.file}: ${s.title}: cannot fold ${pyJson(got)}`);
      const block = ['```json', line, '```'];
      const label = `${s.file}: ## ${s.title}`;
      if (s.expected === undefined) {
        if (write) {
          edits.push({ at: s.http.close + 1, remove: 0, insert: block });
          filled++;
        } else {
          console.log(`MISSING ${label}\n  cpython: ${short(got)}`);
          problems++;
        }
        continue;
      }
      const want = s.cpython ?? s.expected;
      if (same(want, got)) continue;
      const which = s.cpython ? 'json cpython' : 'json';
      if (update) {
        const b = s.cpython ? s.cpythonBlock : s.json;
        edits.push({ at: b.open, remove: b.close - b.open + 1, insert: s.cpython ? ['```json cpython', block[1], '```'] : block });
        updated++;
        console.log(`UPDATED ${label} (${which})`);
      } else {
        console.log(`MISMATCH ${label} (${which})\n  fixture: ${short(want)}\n  cpython: ${short(got)}`);
        problems++;
      }
      if (s.cpython && same(s.expected, got)) console.log(`  note: CPython now agrees with the json block; the difference may be gone`);
    }
    if (edits.length) {
      edits.sort((a, b) => b.at - a.at);
      for (const e of edits) lines.splice(e.at, e.remove, ...e.insert);
      writeFileSync(join(fixtureDir, p.file), lines.join('\n'));
    }
    console.log(`${p.file}: ${p.sections.length} cases`);
  }
  console.log(`${all.length} cases, ${filled} filled, ${updated} updated, ${problems} problems`);
  process.exitCode = problems ? 1 : 0;
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exitCode = 2;
});
