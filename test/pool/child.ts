// Runs a script in a child Node process and waits for it to exit by
// itself: the pool tests' check that idle sockets never hold a process.
import { spawn } from 'node:child_process';

/**
 * Runs `script` with this Node; resolves with its exit code (or a
 * 'killed: ...' text if it was still running after `limitMs`, far above
 * its start-up time) and its stdout and stderr together.
 */
export function runToExit(script: string, limitMs = 20_000): Promise<{ code: number | string; out: string }> {
  const child = spawn(process.execPath, [script], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (b) => (out += b));
  child.stderr.on('data', (b) => (out += b));
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      resolve({ code: `killed: still running after ${limitMs / 1000} s`, out });
    }, limitMs);
    child.on('exit', (c) => {
      clearTimeout(timer);
      resolve({ code: c ?? -1, out });
    });
  });
}
