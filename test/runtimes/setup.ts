// Global setup of the runtimes project: builds dist/ (what Deno, workerd
// and the package checks load, as a user's install would) and starts a
// real HTTP server (Python's http.server) on 127.0.0.1 for the runtimes to
// request from.
import { execFileSync } from 'node:child_process';
import type { TestProject } from 'vitest/node';
import { startPythonHttpServer } from '../support/servers.js';

declare module 'vitest' {
  export interface ProvidedContext {
    runtimeHttpPort: number;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  // npm run build:ts: tsc, then the const-enum rewrite of the declarations.
  execFileSync('npm', ['run', '--silent', 'build:ts'], { cwd: project.config.root, stdio: 'pipe', timeout: 120_000 });
  const server = await startPythonHttpServer();
  project.provide('runtimeHttpPort', server.port);
  return () => server.stop();
}
