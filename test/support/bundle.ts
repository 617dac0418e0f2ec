// The library bundled into one ES module (esbuild, Node platform) for tests
// that run it in a child process: a child cannot import the TypeScript
// sources, and dist/ may be older than them.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';

const ROOT = join(import.meta.dirname, '..', '..');

/**
 * Bundles an entry of the library (default src/index.ts; e.g. 'src/pool/node.ts')
 * into a temporary directory; returns the module's path and the directory's remover.
 */
export async function bundleLibrary(entry = 'src/index.ts'): Promise<{ file: string; dir: string; remove(): void }> {
  const dir = mkdtempSync(join(tmpdir(), 'httpwire-bundle-'));
  const file = join(dir, 'httpwire.mjs');
  await build({
    entryPoints: [join(ROOT, entry)],
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    outfile: file,
    logLevel: 'warning',
    // package.json's sideEffects names dist/ files: from src/, an entry's import
    // of the root Node entry (which installs the transport) would be dropped.
    ignoreAnnotations: true,
  });
  return { file, dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
