// CPython 3.13, the reference for the Python surface (its email and
// http.client behaviour differs from 3.11's in places: header-injection
// checks in str(msg), the 3.13 HTTPStatus names). Found through PYTHON313,
// `python3.13` on PATH, or pyenv's versions; when none is found the suites
// that need it fail and say so, rather than being skipped.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';

function find(): string | null {
  const candidates: string[] = [];
  if (process.env.PYTHON313) candidates.push(process.env.PYTHON313);
  candidates.push('python3.13');
  const pyenv = `${process.env.PYENV_ROOT ?? `${process.env.HOME ?? '/root'}/.pyenv`}/versions`;
  if (existsSync(pyenv)) {
    for (const v of readdirSync(pyenv).filter((d) => d.startsWith('3.13')).sort().reverse()) {
      candidates.push(`${pyenv}/${v}/bin/python3.13`);
    }
  }
  for (const c of candidates) {
    try {
      const v = execFileSync(c, ['-c', 'import sys; print(sys.version_info[:2] >= (3, 13))'], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'], // a pyenv shim explains its misses on stderr
      });
      if (v.trim() === 'True') return c;
    } catch {
      // not this one
    }
  }
  return null;
}

/** The CPython 3.13 interpreter, or null. */
export const PYTHON313 = find();

/** Runs `script` under CPython 3.13 with `input` as JSON on stdin and returns its JSON stdout. */
export function python313(script: string, input: unknown): unknown {
  if (!PYTHON313) {
    throw new Error('CPython 3.13 is needed for this suite: set PYTHON313, or put python3.13 on PATH');
  }
  const out = execFileSync(PYTHON313, ['-c', script], {
    input: JSON.stringify(input),
    encoding: 'utf8',
    env: { ...process.env, PYTHONIOENCODING: 'utf-8', PYTHONUTF8: '1' },
    maxBuffer: 256 * 1024 * 1024,
  });
  return JSON.parse(out);
}
