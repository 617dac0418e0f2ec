// Global setup of the runtimes project: builds dist/ (what Deno, workerd
// and the package checks load, as a user's install would) and starts a
// real HTTP server (Python's http.server) on 127.0.0.1 for the runtimes to
// request from, and nginx (chunked bodies; TLS with a certificate from a
// CA minted for the run).
import { execFileSync } from 'node:child_process';
import type { TestProject } from 'vitest/node';
import { startPeers } from '../support/global-peers.js';
import { startNginx, startPythonHttpServer } from '../support/servers.js';

declare module 'vitest' {
  export interface ProvidedContext {
    runtimeHttpPort: number;
    /** nginx: plain HTTP, TLS (for localhost and 127.0.0.1), and the CA that signed it. */
    nginx: { httpPort: number; tlsPort: number; wrongNamePort: number; caFile: string };
  }
}

export default function setup(project: TestProject): Promise<() => Promise<void>> {
  return startPeers(project, async (started) => {
    // npm run build:ts: tsc, then the const-enum rewrite of the declarations.
    execFileSync('npm', ['run', '--silent', 'build:ts'], { cwd: project.config.root, stdio: 'pipe', timeout: 120_000 });
    const server = await startPythonHttpServer();
    started.push(server);
    const nginx = await startNginx();
    started.push(nginx);
    project.provide('runtimeHttpPort', server.port);
    project.provide('nginx', { httpPort: nginx.httpPort, tlsPort: nginx.tlsPort, wrongNamePort: nginx.wrongNamePort, caFile: nginx.certs.caFile });
  });
}
