// What `npm start` and `npm test` do first on a fresh clone: install the
// devDependencies (npm ci) when node_modules is missing or older than the
// lock file, and build (WASM + dist) when the build is missing or older
// than its sources. Quiet when there is nothing to do.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** npm as this process was started by it (npm_execpath), or `npm` on PATH. */
function npm(args, log) {
  log(`> npm ${args.join(' ')}`);
  const execpath = process.env.npm_execpath;
  if (execpath && /\.(c|m)?js$/.test(execpath)) {
    execFileSync(process.execPath, [execpath, ...args], { cwd: root, stdio: 'inherit' });
  } else {
    execFileSync(process.platform === 'win32' ? 'npm.cmd' : 'npm', args, { cwd: root, stdio: 'inherit' });
  }
}

const mtime = (path) => (existsSync(path) ? statSync(path).mtimeMs : 0);

/** The newest modification time under `dir` (recursive), skipping `skip` folders. */
function newest(dir, skip = new Set()) {
  let latest = 0;
  if (!existsSync(dir)) return latest;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!skip.has(path)) latest = Math.max(latest, newest(path, skip));
    } else {
      latest = Math.max(latest, mtime(path));
    }
  }
  return latest;
}

/** npm ci, when node_modules is missing or the lock file changed since it was made. */
export function ensureInstalled({ log = console.error } = {}) {
  const installed = mtime(join(root, 'node_modules', '.package-lock.json'));
  if (installed > 0 && installed >= mtime(join(root, 'package-lock.json'))) return false;
  // npm ci runs `prepare`, which builds.
  npm(['ci', '--no-audit', '--no-fund'], log);
  return true;
}

/** npm run build, when dist/ or the WASM files are missing or older than what they are built from. */
export function ensureBuilt({ log = console.error } = {}) {
  const outputs = ['dist/index.js', 'dist/browser.js', 'dist/cli/main.js', 'build/httpwire.simd.wasm', 'build/httpwire.scalar.wasm'];
  const built = Math.min(...outputs.map((f) => mtime(join(root, f))));
  const sources = Math.max(
    newest(join(root, 'src'), new Set([join(root, 'src', 'core', 'generated')])),
    newest(join(root, 'assembly')),
    ...['asconfig.json', 'tsconfig.json', 'tsconfig.build.json', 'scripts/build-wasm.mjs', 'scripts/dts-enums.mjs'].map((f) => mtime(join(root, f))),
  );
  if (built > 0 && built >= sources) return false;
  npm(['run', '--silent', 'build'], log);
  return true;
}

/** Both, in order. */
export function ensureReady(options) {
  if (!ensureInstalled(options)) ensureBuilt(options);
}
