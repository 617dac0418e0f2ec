// scripts/peers.mjs, what `npm test` runs before anything else: with the
// peers missing (a PATH that holds only node, no Chromium at its path, no
// pyenv) it stops with one message naming each missing peer and one
// command, and installs nothing in --check mode.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs script, no declarations
import { peers } from '../../scripts/peers.mjs';

const root = fileURLToPath(new URL('../..', import.meta.url));
const bin = mkdtempSync(join(tmpdir(), 'httpwire-peers-'));
symlinkSync(process.execPath, join(bin, 'node'));
chmodSync(bin, 0o755); // readable by the unprivileged user below
afterAll(() => rmSync(bin, { recursive: true, force: true }));

it('lists every peer the suites need, each with the Debian package that provides it', () => {
  const names = (peers as { apt: string }[]).map((p) => p.apt);
  expect(names).toEqual(expect.arrayContaining(['python3', 'openssl', 'nginx', 'tinyproxy', 'chromium', 'curl', 'python3-urllib3', 'bsdutils']));
});

it('with nothing installed: one message, every missing peer, one command, exit 1', () => {
  const r = spawnSync(join(bin, 'node'), [join(root, 'scripts', 'peers.mjs'), '--check'], {
    env: { PATH: bin, HOME: bin, PYENV_ROOT: join(bin, 'no-pyenv'), CHROMIUM_PATH: join(bin, 'no-chromium') },
    encoding: 'utf8',
    timeout: 60_000,
  });
  expect(r.status).toBe(1);
  const message = r.stderr.trim().split('\n');
  expect(message[0]).toBe('npm test cannot start: the tests need programs this machine does not have.');
  for (const p of peers as { apt: string }[]) expect(message).toContainEqual(expect.stringMatching(new RegExp(`^  - ${p.apt}: `)));
  expect(message).toContainEqual(expect.stringMatching(/^  - CPython 3\.13 .*pyenv install 3\.13/));
  // No apt-get on this PATH: the packages to install, by name, once.
  expect(message.at(-1)).toBe(
    `Install these (Debian package names) with your system's package manager: ${(peers as { apt: string }[]).map((p) => p.apt).join(' ')}`,
  );
});

it('not root, with apt-get: the message names the one apt-get command, with sudo', () => {
  const aptGet = ['/usr/bin/apt-get', '/bin/apt-get'].find((p) => existsSync(p));
  expect(aptGet, 'this test needs a Debian-like machine').toBeDefined();
  const withApt = mkdtempSync(join(tmpdir(), 'httpwire-peers-apt-'));
  chmodSync(withApt, 0o755);
  symlinkSync(aptGet!, join(withApt, 'apt-get'));
  try {
    const env = { PATH: `${bin}:${withApt}`, HOME: bin, PYENV_ROOT: join(bin, 'no-pyenv'), CHROMIUM_PATH: join(bin, 'no-chromium') };
    const script = [join(bin, 'node'), join(root, 'scripts', 'peers.mjs')]; // no --check: it would install if it could
    // As root, drop to nobody: the point is a user who may not install.
    const [cmd, ...args] = process.getuid?.() === 0 ? ['/usr/bin/setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', ...script] : script;
    const r = spawnSync(cmd!, args, { env, encoding: 'utf8', timeout: 60_000 });
    expect(r.status).toBe(1);
    const names = (peers as { apt: string }[]).map((p) => p.apt).join(' ');
    expect(r.stderr.trim().split('\n').at(-1)).toBe(`Run: sudo apt-get update && sudo apt-get install -y ${names}`);
    expect(r.stderr).not.toContain('installing');
  } finally {
    rmSync(withApt, { recursive: true, force: true });
  }
});

it('with everything installed (this machine): exit 0 and the CPython 3.13 it found', () => {
  const r = spawnSync(process.execPath, [join(root, 'scripts', 'peers.mjs'), '--check'], { encoding: 'utf8', timeout: 60_000 });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  expect(r.stdout).toMatch(/^ok {6}CPython 3\.13: .*python3\.13/m);
  expect(r.stdout).not.toContain('MISSING');
});
