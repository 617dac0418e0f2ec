// The generated API reference (`npm run docs:api`, TypeDoc over the public
// entries: root, core and pool) must build without a warning: every type a public
// signature mentions is exported and documented where users can find it.
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

describe('API reference', () => {
  it('TypeDoc builds it with no warning (validation only, nothing written)', () => {
    const root = join(import.meta.dirname, '..');
    const typedoc = join(root, 'node_modules', 'typedoc', 'bin', 'typedoc');
    const run = spawnSync(process.execPath, [typedoc, '--emit', 'none'], { cwd: root, encoding: 'utf8', timeout: 240_000 });
    const output = `${run.stdout}\n${run.stderr}`;
    expect(output).not.toMatch(/\[warning\]|\[error\]/);
    expect(run.status).toBe(0);
  }, 300_000);
});
