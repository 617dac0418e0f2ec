// The library bundled into one ES module (esbuild, Node platform) for tests
// that run it in a child process: a child cannot import the TypeScript
// sources, and dist/ may be older than them.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';

const ROOT = join(import.meta.dirname, '..', '..');

/** Bundles src/index.ts into a temporary directory; returns the module's path and the directory's remover. */
export async function bundleLibrary(): Promise<{ file: string; dir: string; remove(): void }> {
  const dir = mkdtempSync(join(tmpdir(), 'httpwire-bundle-'));
  const file = join(dir, 'httpwire.mjs');
  await build({ entryPoints: [join(ROOT, 'src', 'index.ts')], bundle: true, format: 'esm', platform: 'node', target: 'node20', outfile: file, logLevel: 'warning' });
  return { file, dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
