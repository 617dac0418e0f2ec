// `npm start`'s demo (examples/demo.mjs) as a process: it runs the Python
// docs' sessions against its own server on 127.0.0.1, and every Python
// statement that does something is answered by the JavaScript that ran.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeEach, expect, inject, it } from 'vitest';
import { run } from './run.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

beforeEach(() => expect(inject('setupError')).toBe(''));

it('prints each Python step with the JavaScript that ran and its output, with no network', async () => {
  const r = await run(process.execPath, [join(root, 'examples', 'demo.mjs')], { cwd: root, timeoutMs: 60_000 });
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  const lines = r.stdout.split('\n');
  // Every Python statement (not a comment, not a continuation) is followed by its JavaScript.
  const statements = lines.flatMap((l, i) => (l.startsWith('>>> ') && !l.startsWith('>>> #') ? [i] : []));
  expect(statements.length).toBeGreaterThan(30);
  for (const i of statements) {
    let j = i + 1;
    while (lines[j]!.startsWith('...')) j++;
    expect(lines[j], `after ${lines[i]}`).toMatch(/^js> /);
  }
  expect(r.stdout).toContain(">>> print(r1.status, r1.reason)\njs> console.log(r1.status, r1.reason);\n200 OK\n");
  expect(r.stdout).toContain('>>> print(r2.status, r2.reason)\njs> console.log(r2.status, r2.reason);\n404 Not Found\n');
  expect(r.stdout).toMatch(/>>> data\njs> console\.log\(pyRepr\(data\)\);\nb'Redirecting to <a href="http:\/\/127\.0\.0\.1:\d+\/issue12524">/);
  expect(r.stdout).toContain(">>> res.getheader(\"Content-Length\")\njs> console.log(pyRepr(res.getheader('Content-Length')));\n'526'\n");
  expect(r.stdout).toContain("{ status: 200, reason: 'OK', chunked: true, body: 'Wikipedia' }");
  // Only the local server: every connection the demo names is 127.0.0.1.
  const hosts = [...r.stdout.matchAll(/^>>> conn = http\.client\.HTTPConnection\("([^"]+)", \d+\)$/gm)].map((m) => m[1]);
  expect(hosts).toEqual(Array(5).fill('127.0.0.1'));
});
