// The package as published: publint and @arethetypeswrong/cli (ESM-only
// profile) pass; each export condition resolves to its entry; the browser
// entry bundles with no node:* module; the Node entry installs its
// transport; the declarations work for isolatedModules consumers; the
// packed tarball, installed into a scratch project, type-checks in every
// moduleResolution a consumer may use; no shipped source map names a file
// that is not shipped.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import ts from 'typescript';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { run } from './run.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const bin = (name: string) => join(root, 'node_modules', '.bin', name);

/** The files esbuild reads when bundling `source` with the given conditions. */
async function inputs(
  source: string,
  { external = [], ...options }: { platform: 'browser' | 'node' | 'neutral'; conditions?: string[]; external?: string[] },
): Promise<string[]> {
  const r = await build({
    stdin: { contents: source, resolveDir: root, loader: 'js' },
    bundle: true,
    write: false,
    metafile: true,
    format: 'esm',
    logLevel: 'silent',
    external: ['cloudflare:sockets', '*.wasm', ...external],
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
    expect(Object.keys(entrypoints).sort()).toEqual(['.', './core', './node', './package.json', './pool', './proxy']);
  });

  it.each([
    ['browser', { platform: 'browser' as const }, 'dist/browser.js'],
    ['default (no runtime condition)', { platform: 'neutral' as const }, 'dist/browser.js'],
    ['node', { platform: 'node' as const }, 'dist/index.js'],
    ['./node subpath, whatever the platform', { platform: 'browser' as const, subpath: 'httpwire/node', external: ['node:*'] }, 'dist/index.js'],
    ['deno', { platform: 'neutral' as const, conditions: ['deno'] }, 'dist/deno.js'],
    ['workerd', { platform: 'neutral' as const, conditions: ['workerd', 'worker', 'browser'] }, 'dist/workerd.js'],
  ])('resolves the %s condition to its entry', async (_, { subpath = 'httpwire', ...options }, entry) => {
    const files = await inputs(`import '${subpath}';`, options);
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

  it.each([
    ['browser', { platform: 'browser' as const }, 'dist/pool/index.js'],
    ['default (no runtime condition)', { platform: 'neutral' as const }, 'dist/pool/index.js'],
    ['node', { platform: 'node' as const }, 'dist/pool/node.js'],
    ['deno', { platform: 'neutral' as const, conditions: ['deno'] }, 'dist/pool/deno.js'],
    ['workerd', { platform: 'neutral' as const, conditions: ['workerd', 'worker', 'browser'] }, 'dist/pool/workerd.js'],
  ])('resolves httpwire/pool with the %s condition to its entry', async (_, options, entry) => {
    const files = await inputs("import 'httpwire/pool';", options);
    expect(files).toContain(entry);
    for (const other of ['dist/pool/node.js', 'dist/pool/deno.js', 'dist/pool/workerd.js']) {
      if (other !== entry) expect(files).not.toContain(other);
    }
  });

  it('bundles httpwire/pool for browsers with no node:* module', async () => {
    const files = await inputs("export * from 'httpwire/pool';", { platform: 'browser' });
    expect(files).toContain('dist/pool/connectionpool.js');
    expect(files.filter((f) => f.startsWith('node:'))).toEqual([]);
    expect(files).not.toContain('dist/transport/node.js');
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

// ---------------------------------------------------------------- the tarball, installed

/** A scratch consumer project with the packed tarball installed, as a user would install it. */
const consumer = { dir: '', files: [] as string[] };

beforeAll(async () => {
  if (inject('setupError')) return;
  consumer.dir = mkdtempSync(join(tmpdir(), 'httpwire-consumer-'));
  // --ignore-scripts: dist/ is built by the global setup (prepare would rebuild it under the other tests).
  const packed = await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', consumer.dir], { cwd: root, timeoutMs: 60_000 });
  expect(packed.code).toBe(0);
  const [info] = JSON.parse(packed.stdout) as [{ filename: string; files: { path: string }[] }];
  consumer.files = info.files.map((f) => f.path);
  writeFileSync(join(consumer.dir, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
  const installed = await run('npm', ['install', '--offline', '--ignore-scripts', '--no-audit', '--no-fund', join(consumer.dir, info.filename)], {
    cwd: consumer.dir,
    timeoutMs: 120_000,
  });
  expect(installed.code, installed.stderr).toBe(0);
  // The consumer's own @types/node (the Node entry's declarations name node:stream).
  mkdirSync(join(consumer.dir, 'node_modules', '@types'), { recursive: true });
  symlinkSync(join(root, 'node_modules', '@types', 'node'), join(consumer.dir, 'node_modules', '@types', 'node'), 'dir');
}, 240_000);

afterAll(() => {
  if (consumer.dir) rmSync(consumer.dir, { recursive: true, force: true });
});

/** What a Node program uses: the Python surface and the Node-only exports. */
const NODE_USE = (from: string) => `
import { HTTPConnection, HTTPSConnection, create_default_context, StrictViolation, toNodeReadable, nodeTransportFactory, channels, type HTTPResponse } from '${from}';
import { HeadParser } from 'httpwire/core';
const conn = new HTTPConnection('localhost', 8080, { timeout: 10, strict: true, transportFactory: nodeTransportFactory });
const tls = new HTTPSConnection('localhost', 8443, { context: create_default_context({ cafile: 'ca.pem' }) });
export async function get(): Promise<number> {
  await conn.request('GET', '/', null, { Accept: 'text/html' });
  const res: HTTPResponse = await conn.getresponse();
  toNodeReadable(res).pipe(process.stdout);
  channels.connect.subscribe(() => {});
  tls.close();
  return res.status === 200 && !(res instanceof StrictViolation) ? new HeadParser().constructor.length : 0;
}
`;

/** What a browser program uses: the shared surface and the web stream view. */
const BROWSER_USE = `
import { HTTPConnection, streamTransportFactory, toReadableStream, setWasmModules, type HTTPResponse } from 'httpwire';
const factory = streamTransportFactory(async () => {
  const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>();
  return { readable, writable, close: () => {} };
});
const conn = new HTTPConnection('example.com', 80, { transportFactory: factory, timeout: 10 });
export async function get(): Promise<ReadableStream<Uint8Array>> {
  setWasmModules({});
  await conn.request('GET', '/');
  const res: HTTPResponse = await conn.getresponse();
  return toReadableStream(res);
}
`;

/** Type-checks `sources` (one program) in the consumer project with `options`; the diagnostics' codes and texts. */
function typecheck(sources: string[], options: ts.CompilerOptions): string[] {
  const files = sources.map((source, i) => {
    const file = join(consumer.dir, `check-${i}-${Math.random().toString(36).slice(2)}.ts`);
    writeFileSync(file, source);
    return file;
  });
  try {
    const program = ts.createProgram(files, {
      target: ts.ScriptTarget.ES2022,
      lib: ['lib.es2022.d.ts', 'lib.dom.d.ts', 'lib.dom.iterable.d.ts'],
      strict: true,
      exactOptionalPropertyTypes: true,
      skipLibCheck: false, // the shipped declarations are checked too
      noEmit: true,
      types: ['node'],
      typeRoots: [join(consumer.dir, 'node_modules', '@types')],
      ...options,
    });
    return ts.getPreEmitDiagnostics(program).map((d) => `TS${d.code}: ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`);
  } finally {
    for (const file of files) rmSync(file, { force: true });
  }
}

const MODES: Record<string, ts.CompilerOptions> = {
  nodenext: { module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext },
  node16: { module: ts.ModuleKind.Node16, moduleResolution: ts.ModuleResolutionKind.Node16 },
  bundler: { module: ts.ModuleKind.ESNext, moduleResolution: ts.ModuleResolutionKind.Bundler },
  'bundler + customConditions ["node"]': { module: ts.ModuleKind.ESNext, moduleResolution: ts.ModuleResolutionKind.Bundler, customConditions: ['node'] },
  'bundler + module preserve': { module: ts.ModuleKind.Preserve, moduleResolution: ts.ModuleResolutionKind.Bundler },
};

describe('the packed tarball in a consumer project (strict, exactOptionalPropertyTypes, no skipLibCheck)', () => {
  it('ships no source map that names a file it does not ship', () => {
    expect(consumer.files).toContain('dist/index.js');
    expect(consumer.files).toContain('dist/cli/main.js');
    const shipped = new Set(consumer.files);
    for (const map of consumer.files.filter((f) => f.endsWith('.map'))) {
      const { sources } = JSON.parse(readFileSync(join(consumer.dir, 'node_modules', 'httpwire', map), 'utf8')) as { sources: string[] };
      for (const source of sources) expect(shipped, `${map} names ${source}`).toContain(join(dirname(map), source));
    }
    // The decision behind it: no maps at all (they named src/*.ts, which is not shipped).
    expect(consumer.files.filter((f) => f.endsWith('.map'))).toEqual([]);
    expect(consumer.files.filter((f) => f.startsWith('src/'))).toEqual([]);
  });

  it.each(Object.entries(MODES))('%s: httpwire/node gives the Node exports; the shared surface checks', (name, mode) => {
    const sources = [NODE_USE('httpwire/node'), BROWSER_USE];
    // Where resolution has the `node` condition, httpwire itself is the Node entry.
    if (!name.startsWith('bundler') || mode.customConditions?.includes('node')) sources.push(NODE_USE('httpwire'));
    expect(typecheck(sources, mode)).toEqual([]);
  });

  it('bundler without a node condition resolves httpwire to the browser entry: the Node-only names are absent (use httpwire/node)', () => {
    // What a bundler does at run time too: with no `node` condition it bundles dist/browser.js, which has no Node transport.
    const errors = typecheck(["import { toNodeReadable } from 'httpwire';\nexport { toNodeReadable };\n"], MODES.bundler!);
    expect(errors).toEqual([expect.stringMatching(/^TS2305: Module '"httpwire"' has no exported member 'toNodeReadable'/)]);
  });

  it.each([
    ['deno', 'denoTransportFactory'],
    ['workerd', 'workersTransportFactory'],
  ])('bundler + customConditions ["%s"] gives that runtime\'s entry', (condition, name) => {
    const mode = { ...MODES.bundler!, customConditions: [condition] };
    expect(typecheck([`import { ${name}, HTTPConnection } from 'httpwire';\nexport const f = [${name}, HTTPConnection];\n`], mode)).toEqual([]);
  });

  it('the bin runs from the installed package (npx httpwire --help)', async () => {
    expect(existsSync(join(consumer.dir, 'node_modules', '.bin', 'httpwire'))).toBe(true);
    const r = await run(join(consumer.dir, 'node_modules', '.bin', 'httpwire'), ['--help'], { cwd: consumer.dir, timeoutMs: 30_000 });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Usage: httpwire \[METHOD\] URL/);
  });
});
