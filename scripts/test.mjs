// `npm test`: runs Vitest and ends with the plain line CI reads,
// "N passed, N failed" (CI does not read Vitest's own summary).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const report = join(root, '.tmp', 'vitest-report.json');
mkdirSync(dirname(report), { recursive: true });
rmSync(report, { force: true });

const vitest = join(root, 'node_modules', 'vitest', 'vitest.mjs');
const run = spawnSync(
  process.execPath,
  [vitest, 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`, ...process.argv.slice(2)],
  { cwd: root, stdio: 'inherit' },
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
