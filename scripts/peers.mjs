// The outside programs the tests need, in one list: `npm test` checks them
// before anything else (scripts/test.mjs). An issue that needs a new peer
// adds one entry here; nothing else has to change.
//
// Each entry: `apt`, the Debian package that provides it; `why`, who needs
// it; and how to tell it is there: `command` (an executable on PATH, or in
// the sbin folder next to a PATH folder, where Debian puts daemons and a
// non-root PATH may not look), `file` (a fixed path, e.g. Debian's Chromium,
// which the browser tests launch by path), or `present()`.
import { execFileSync } from 'node:child_process';
import { accessSync, constants, existsSync, readdirSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';

/** Can `python` import `module`? */
function imports(python, module) {
  try {
    execFileSync(python, ['-c', `import ${module}`], { stdio: 'ignore', timeout: 30_000 });
    return true;
  } catch {
    return false;
  }
}

/** Is a Debian package installed (dpkg's own records)? null where there is no dpkg. */
function dpkgInstalled(pkg) {
  try {
    return execFileSync('dpkg-query', ['-W', '-f=${Status}', pkg], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).includes('ok installed');
  } catch (err) {
    return err.code === 'ENOENT' ? null : false;
  }
}

export const peers = [
  { apt: 'python3', command: 'python3', why: 'CPython, the reference of the differential tests; http.server' },
  { apt: 'openssl', command: 'openssl', why: 'mints the TLS certificates of the TLS and integration tests' },
  { apt: 'nginx', command: 'nginx', why: 'a real server for the integration, runtime and CLI tests' },
  { apt: 'tinyproxy', command: 'tinyproxy', why: 'a real CONNECT proxy for the tunnel tests' },
  {
    apt: 'chromium',
    file: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    why: 'the browser of the browser tests (Debian\'s; nothing downloads one)',
  },
  { apt: 'curl', command: 'curl', why: 'the proxy tests compare with curl' },
  {
    apt: 'python3-urllib3',
    // Debian's package is for Debian's python3; elsewhere any python3 with urllib3 will do.
    present: () => dpkgInstalled('python3-urllib3') ?? imports('python3', 'urllib3'),
    why: 'the pool tests and benchmark compare with urllib3',
  },
  { apt: 'iproute2', command: 'ss', why: "`ss` shows the kernel's view of a socket to the pool's socket_options test" },
  { apt: 'bsdutils', command: 'script', why: '`script` (util-linux) gives the CLI tests a real pseudo-terminal' },
];

/** Where `name` runs from: PATH, and each PATH folder's sibling sbin. null when nowhere. */
export function findCommand(name, path = process.env.PATH ?? '') {
  const dirs = path.split(delimiter).filter(Boolean);
  const sbins = dirs.filter((d) => d.endsWith('/bin')).map((d) => join(dirname(d), 'sbin'));
  for (const dir of [...dirs, ...sbins]) {
    try {
      accessSync(join(dir, name), constants.X_OK);
      return join(dir, name);
    } catch {
      // not here
    }
  }
  return null;
}

/** True when the peer is there. */
export function isPresent(peer) {
  if (peer.present) return peer.present();
  if (peer.file) return existsSync(peer.file);
  return findCommand(peer.command) !== null;
}

/** The first of `candidates` for which `python -c code` prints True; null when none. */
function firstPython(candidates, code) {
  for (const python of candidates) {
    try {
      const ok = execFileSync(python, ['-c', code], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'], // a pyenv shim explains its misses on stderr
        timeout: 30_000,
      });
      if (ok.trim() === 'True') return python;
    } catch {
      // not this one
    }
  }
  return null;
}

/** The interpreters pyenv installed whose version folder starts with `prefix`, newest first. */
function pyenvPythons(prefix, exe) {
  const pyenv = join(process.env.PYENV_ROOT || join(process.env.HOME || '/root', '.pyenv'), 'versions');
  if (!existsSync(pyenv)) return [];
  return readdirSync(pyenv).filter((d) => d.startsWith(prefix)).sort().reverse().map((v) => join(pyenv, v, 'bin', exe));
}

/**
 * CPython 3.13, the reference of the Python-surface suites: PYTHON313,
 * `python3.13` on PATH, or a 3.13 that pyenv installed. The path, or null.
 * (Debian 12 has no python3.13 package, so it cannot be installed here.)
 */
export function findPython313() {
  const candidates = [process.env.PYTHON313, findCommand('python3.13'), ...pyenvPythons('3.13', 'python3.13')].filter(Boolean);
  return firstPython(candidates, 'import sys; print(sys.version_info[:2] == (3, 13))');
}

/**
 * A python3 with urllib3 2.x, for the pool tests that compare bytes with
 * urllib3 2 (Debian 12's python3-urllib3 is 1.26): PYTHON_URLLIB3,
 * `python3` on PATH, or a pyenv python3. The path, or null.
 */
export function findUrllib3v2() {
  const candidates = [process.env.PYTHON_URLLIB3, findCommand('python3'), ...pyenvPythons('3', 'python3')].filter(Boolean);
  return firstPython(candidates, "import urllib3; print(urllib3.__version__.startswith('2.'))");
}

const HOW_TO_GET_URLLIB3 =
  "urllib3 2.x for some python3 (Debian 12's package is 1.26): `python3 -m pip install 'urllib3>=2,<3'`, " +
  'or PYTHON_URLLIB3=/path/to/python3 that has it';

const HOW_TO_GET_313 =
  'CPython 3.13 (no Debian 12 package): `pyenv install 3.13` (https://github.com/pyenv/pyenv), ' +
  'or any python3.13 on PATH, or PYTHON313=/path/to/python3.13';

/**
 * Checks every peer; installs the missing ones when this process may
 * (root, apt-get present, `install` true): `apt-get update` once, then one
 * `apt-get install`. Returns { python313 } when all is there, or
 * { message }: one text naming what is missing and the one command to run.
 */
export function ensurePeers({ install = true, log = console.error } = {}) {
  let missing = peers.filter((p) => !isPresent(p));
  const aptGet = findCommand('apt-get');
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  if (missing.length > 0 && install && root && aptGet) {
    const names = missing.map((p) => p.apt);
    log(`npm test: installing what the tests need: ${names.join(' ')}`);
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    try {
      execFileSync(aptGet, ['update', '-qq'], { stdio: 'inherit', env });
      execFileSync(aptGet, ['install', '-y', '-qq', ...names], { stdio: 'inherit', env });
    } catch {
      // apt-get said why above; what is still missing is reported below.
    }
    missing = peers.filter((p) => !isPresent(p));
  }
  const python313 = findPython313();
  const urllib3 = findUrllib3v2();
  if (missing.length === 0 && python313 && urllib3) return { python313, urllib3 };

  const lines = ['npm test cannot start: the tests need programs this machine does not have.'];
  for (const p of missing) lines.push(`  - ${p.apt}: ${p.why}`);
  if (!python313) lines.push(`  - ${HOW_TO_GET_313}`);
  if (!urllib3) lines.push(`  - ${HOW_TO_GET_URLLIB3}`);
  if (missing.length > 0) {
    const names = missing.map((p) => p.apt).join(' ');
    const sudo = root ? '' : 'sudo ';
    lines.push(
      aptGet
        ? `Run: ${sudo}apt-get update && ${sudo}apt-get install -y ${names}`
        : `Install these (Debian package names) with your system's package manager: ${names}`,
    );
  }
  return { message: lines.join('\n') };
}

// `node scripts/peers.mjs [--check]`: what is there, what is missing (with
// --check, report only: install nothing). Exit code 0 when all is there.
if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  const check = process.argv.includes('--check');
  for (const p of peers) console.log(`${isPresent(p) ? 'ok     ' : 'MISSING'} ${p.apt}`);
  const r = ensurePeers({ install: !check });
  if (r.message) {
    console.error(r.message);
    process.exit(1);
  }
  console.log(`ok      CPython 3.13: ${r.python313}`);
  console.log(`ok      urllib3 2.x: ${r.urllib3}`);
}
