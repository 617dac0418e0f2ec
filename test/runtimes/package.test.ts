// The package as published: publint and @arethetypeswrong/cli (ESM-only
// profile) pass; each export condition resolves to its entry; the browser
// entry bundles with no node:* module; the Node entry installs its
// transport; the declarations work for isolatedModules consumers.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import ts from 'typescript';
import { beforeEach, describe, expect, inject, it } from 'vitest';
import { run } from './run.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const bin = (name: string) => join(root, 'node_modules', '.bin', name);

/** The files esbuild reads when bundling `source` with the given conditions. */
async function inputs(source: string, options: { platform: 'browser' | 'node' | 'neutral'; conditions?: string[] }): Promise<string[]> {
  const r = await build({
    stdin: { contents: source, resolveDir: root, loader: 'js' },
    bundle: true,
    write: false,
    metafile: true,
    format: 'esm',
    logLevel: 'silent',
    external: ['cloudflare:sockets', '*.wasm'],
    ...options,
  });
  return Object.keys(r.metafile.inputs);
}

beforeEach(() => expect(inject('setupError')).toBe(''));

describe('package', () => {
  it('passes publint --strict', async () => {
    const r = await run(bin('publint'), ['--strict'], { cwd: root, timeoutMs: 90_000 });
    expect(r.stdout + r.stderr).toContain('All good!');
    expect(r.code).toBe(0);
  });

  it('passes @arethetypeswrong/cli with the ESM-only profile', async () => {
    // Packed here with --ignore-scripts: `attw --pack` runs npm pack, whose
    // prepare script would rebuild the WASM and dist/ under the other tests.
    const dir = mkdtempSync(join(tmpdir(), 'httpwire-pack-'));
    let r;
    try {
      const packed = await run('npm', ['pack', '--ignore-scripts', '--silent', '--pack-destination', dir], { cwd: root, timeoutMs: 60_000 });
      expect(packed.code).toBe(0);
      r = await run(bin('attw'), [join(dir, packed.stdout.trim().split('\n').at(-1)!), '--profile', 'esm-only', '--format', 'json'], { cwd: root, timeoutMs: 120_000 });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    expect(r.code).toBe(0);
    const problems = Object.values(JSON.parse(r.stdout).problems as Record<string, { resolutionKind: string }[]>).flat();
    // The ESM-only profile ignores CommonJS require() and node10 (no `exports` support).
    expect(problems.filter((p) => p.resolutionKind !== 'node16-cjs' && p.resolutionKind !== 'node10')).toEqual([]);
    const entrypoints = JSON.parse(r.stdout).analysis.entrypoints as Record<string, unknown>;
    expect(Object.keys(entrypoints).sort()).toEqual(['.', './core', './package.json', './proxy']);
  });

  it.each([
    ['browser', { platform: 'browser' as const }, 'dist/browser.js'],
    ['default (no runtime condition)', { platform: 'neutral' as const }, 'dist/browser.js'],
    ['node', { platform: 'node' as const }, 'dist/index.js'],
    ['deno', { platform: 'neutral' as const, conditions: ['deno'] }, 'dist/deno.js'],
    ['workerd', { platform: 'neutral' as const, conditions: ['workerd', 'worker', 'browser'] }, 'dist/workerd.js'],
  ])('resolves the %s condition to its entry', async (_, options, entry) => {
    const files = await inputs("import 'httpwire';", options);
    expect(files).toContain(entry);
    for (const other of ['dist/browser.js', 'dist/index.js', 'dist/deno.js', 'dist/workerd.js']) {
      // browser.js is what the other entries re-export; no entry pulls in another runtime's.
      if (other !== entry && other !== 'dist/browser.js') expect(files).not.toContain(other);
    }
  });

  it('bundles the browser entry with no node:* module and no file access', async () => {
    const files = await inputs("export * from 'httpwire';", { platform: 'browser' });
    expect(files.filter((f) => f.startsWith('node:'))).toEqual([]);
    expect(files).not.toContain('dist/transport/node.js');
    expect(files).not.toContain('dist/http/node-streams.js');
  });

  it('imports the .wasm files only in the workerd entry', async () => {
    const core = await inputs("import 'httpwire/core';", { platform: 'neutral', conditions: ['workerd'] });
    expect(core).toContain('dist/core/workerd.js');
    const browser = await inputs("import 'httpwire/core';", { platform: 'browser' });
    expect(browser).not.toContain('dist/core/workerd.js');
  });

  it('installs node:net/tls as the default transport in the Node entry only', async () => {
    const script = [
      "const { HTTPConnection, NotConnected } = await import(process.argv[1]);",
      "const c = new HTTPConnection('127.0.0.1', 1);",
      "const e = await c.connect().then(() => null, (e) => e);",
      'console.log(e instanceof NotConnected ? "none" : e.constructor.name);',
    ].join('\n');
    const ask = (entry: string) =>
      run(process.execPath, ['--input-type=module', '-e', script, join(root, 'dist', entry)], { cwd: root, timeoutMs: 30_000 });
    expect((await ask('index.js')).stdout.trim()).toBe('ConnectionRefusedError');
    expect((await ask('browser.js')).stdout.trim()).toBe('none');
  });

  it('declares the ABI enums so that isolatedModules consumers can read them', () => {
    const dir = mkdtempSync(join(tmpdir(), 'httpwire-consumer-'));
    try {
      const file = join(dir, 'consumer.mts');
      writeFileSync(file, "import { Code, BodyKind } from 'httpwire/core';\nexport const codes: number[] = [Code.NEED_MORE, BodyKind.CHUNKED];\n");
      const program = ts.createProgram([file], {
        module: ts.ModuleKind.NodeNext,
        moduleResolution: ts.ModuleResolutionKind.NodeNext,
        target: ts.ScriptTarget.ES2022,
        isolatedModules: true,
        verbatimModuleSyntax: true,
        strict: true,
        noEmit: true,
        skipLibCheck: false,
        types: [],
        lib: ['lib.es2022.d.ts', 'lib.dom.d.ts'],
        // Resolve 'httpwire' to this package, as an installed copy would be.
        paths: { 'httpwire/core': [join(root, 'dist/core/index.d.ts')] },
      });
      const diagnostics = ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
      expect(diagnostics).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
