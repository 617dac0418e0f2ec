// Global setup of the browser project (runs in Node): a real HTTP server
// (Python's http.server) and the WebSocket-to-TCP bridge on 127.0.0.1, and
// the Markdown parser fixtures, handed to the page through `provide`.
import { createHash } from 'node:crypto';
import type { TestProject } from 'vitest/node';
import { latin1, loadResponseFixtures } from '../support/fixtures.js';
import { STATIC_FILES, startPythonHttpServer } from '../support/servers.js';
import { startWsBridge } from '../support/ws-bridge.js';

export interface BrowserFixture {
  file: string;
  title: string;
  method: string;
  /** The input bytes as a Latin-1 string (provide() passes JSON). */
  input: string;
  expected: Record<string, unknown>;
}

declare module 'vitest' {
  export interface ProvidedContext {
    fixtures: BrowserFixture[];
    httpPort: number;
    bridgePort: number;
    /** The served files: [path, length, SHA-256 hex]. */
    files: [string, number, string][];
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  project.provide(
    'fixtures',
    loadResponseFixtures().map((fx) => ({ file: fx.file, title: fx.title, method: fx.method, input: latin1(fx.input), expected: fx.expected })),
  );
  project.provide(
    'files',
    Object.entries(STATIC_FILES).map(([path, bytes]) => [path, bytes.length, createHash('sha256').update(bytes).digest('hex')]),
  );
  const server = await startPythonHttpServer();
  const bridge = await startWsBridge().catch(async (err: unknown) => {
    await server.stop();
    throw err;
  });
  project.provide('httpPort', server.port);
  project.provide('bridgePort', bridge.port);
  return async () => {
    await bridge.stop();
    await server.stop();
  };
}
