// `npm test`: the whole set-up, then Vitest, ending with the plain line CI
// reads, "N passed, N failed" (CI does not read Vitest's own summary).
// Set-up, in order: the outside programs of scripts/peers.mjs (installed
// when this process may, else one message and exit before any test), then
// npm ci and the build when node_modules or dist/ are missing or stale.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ensurePeers } from './peers.mjs';
import { ensureReady, root } from './setup.mjs';

const peers = ensurePeers();
if (peers.message) {
  console.error(`\n${peers.message}\n`);
  console.log('0 passed, 1 failed');
  process.exit(1);
}
try {
  ensureReady();
} catch (e) {
  // npm ci or the build said why above.
  console.error(`\nnpm test cannot start: ${e.message.split('\n')[0]}\n`);
  console.log('0 passed, 1 failed');
  process.exit(1);
}

const report = join(root, '.tmp', 'vitest-report.json');
mkdirSync(dirname(report), { recursive: true });
rmSync(report, { force: true });

const vitest = join(root, 'node_modules', 'vitest', 'vitest.mjs');
const run = spawnSync(
  process.execPath,
  [vitest, 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`, ...process.argv.slice(2)],
  // PYTHON313: the interpreter found above, for test/support/python.ts;
  // PYTHON_URLLIB3: a python3 with urllib3 2.x, for test/pool/proxy.test.ts.
  { cwd: root, stdio: 'inherit', env: { ...process.env, PYTHON313: peers.python313, PYTHON_URLLIB3: peers.urllib3 } },
);

let passed = 0;
let failed = 0;
if (existsSync(report)) {
  const r = JSON.parse(readFileSync(report, 'utf8'));
  passed = r.numPassedTests ?? 0;
  // A file that failed to load has no tests of its own: count it once. So
  // does a file that ran none (a browser that never started reports its
  // files as passed with no tests).
  const broken = (r.testResults ?? []).filter((f) => (f.assertionResults ?? []).length === 0);
  failed = (r.numFailedTests ?? 0) + broken.length;
} else {
  failed = 1; // Vitest died before writing its report
}
// Vitest failed for a reason no test shows (an unhandled error): one failure.
if (run.status !== 0 && failed === 0) failed = 1;
console.log(`${passed} passed, ${failed} failed`);
process.exit(run.status === 0 && failed === 0 && passed > 0 ? 0 : 1);
