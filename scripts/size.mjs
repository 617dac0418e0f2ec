// Bundle sizes for BENCHMARKS.md: httpwire's entries bundled and minified
// with esbuild (as an application would ship them), gzipped at level 9,
// next to undici's; and each .wasm module, raw and gzipped. Needs dist/
// (npm run build). Prints a Markdown table.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(root, 'package.json'));
const gz = (bytes) => gzipSync(bytes, { level: 9 }).length;

/** Bundles `source` (an ES module importing the package) minified; the output bytes and input files. */
async function bundle(source, options) {
  const r = await build({
    stdin: { contents: source, resolveDir: root, loader: 'js' },
    bundle: true,
    minify: true,
    format: 'esm',
    write: false,
    metafile: true,
    logLevel: 'error',
    ...options,
  });
  return { bytes: r.outputFiles[0].contents, inputs: Object.keys(r.metafile.inputs) };
}

const rows = [];
function row(what, bytes, note = '') {
  rows.push(`| ${what} | ${bytes.length} | ${gz(bytes)} | ${note} |`);
}

const browser = await bundle("export * from 'httpwire';", { platform: 'browser' });
const nodeBuiltins = browser.inputs.filter((i) => i.startsWith('node:'));
if (nodeBuiltins.length) throw new Error(`the browser bundle imports ${nodeBuiltins.join(', ')}`);
row('httpwire, browser entry (`browser` condition), everything exported', browser.bytes, 'both WASM builds embedded as base64');
const client = await bundle("export { HTTPConnection, HTTPSConnection, streamTransportFactory, toReadableStream } from 'httpwire';", { platform: 'browser' });
row('httpwire, browser entry, `HTTPConnection` + stream transport only', client.bytes, 'tree-shaken; both WASM builds embedded');
const node = await bundle("export * from 'httpwire';", { platform: 'node' });
row('httpwire, Node entry (`node` condition), everything exported', node.bytes, 'node:net/tls transport, diagnostics_channel');
const core = await bundle("export * from 'httpwire/core';", { platform: 'browser' });
row('httpwire/core (sans-IO parser only)', core.bytes, 'both WASM builds embedded');
const workerd = await bundle("export * from 'httpwire';", { platform: 'neutral', conditions: ['workerd', 'worker', 'browser'], external: ['cloudflare:sockets', '*.wasm'] });
row('httpwire, `workerd` entry (JS; the .wasm files ship as separate modules)', workerd.bytes, 'still holds the unused base64 copies (core/wasm.ts imports them)');
const embedded = readFileSync(join(root, 'dist', 'core', 'generated', 'wasm-base64.js'));
row('of which: the two WASM builds as base64 (dist/core/generated/wasm-base64.js)', embedded, 'in each bundle above');
for (const b of ['simd', 'scalar']) row(`build/httpwire.${b}.wasm`, readFileSync(join(root, 'build', `httpwire.${b}.wasm`)));

const undiciVersion = JSON.parse(readFileSync(require.resolve('undici/package.json'), 'utf8')).version;
const undici = await bundle("export * from 'undici';", { platform: 'node' });
row(`undici ${undiciVersion}, everything exported (Node only)`, undici.bytes, 'both llhttp WASM builds embedded as base64');
const request = await bundle("export { request } from 'undici';", { platform: 'node' });
row(`undici ${undiciVersion}, \`request\` only`, request.bytes, 'tree-shaking removes little: undici is CommonJS');
for (const file of ['llhttp-wasm.js', 'llhttp_simd-wasm.js']) {
  const text = readFileSync(join(dirname(require.resolve('undici')), 'lib', 'llhttp', file), 'utf8');
  const base64 = /wasmBase64 = '([^']+)'/.exec(text)[1];
  row(`undici's llhttp \`${file.replace('-wasm.js', '').replace('_simd', ' SIMD')}\` .wasm`, Buffer.from(base64, 'base64'));
}

console.log('| what | minified bytes | gzipped (level 9) | notes |');
console.log('|---|---:|---:|---|');
for (const r of rows) console.log(r);
console.log(`\nesbuild ${(await import('esbuild')).version}, Node ${process.version}.`);
