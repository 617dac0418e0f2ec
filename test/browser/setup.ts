// Global setup of the browser project (runs in Node): a real HTTP server
// (Python's http.server), the echo server and the WebSocket-to-TCP bridge
// on 127.0.0.1, and
// the Markdown parser fixtures, handed to the page through `provide`.
import { createHash } from 'node:crypto';
import type { TestProject } from 'vitest/node';
import { latin1, loadResponseFixtures } from '../support/fixtures.js';
import { startPeers } from '../support/global-peers.js';
import { STATIC_FILES, startEchoServer, startPythonHttpServer } from '../support/servers.js';
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
    /** test/support/echo_server.py: answers with the request it got, as JSON. */
    echoPort: number;
    bridgePort: number;
    /** The served files: [path, length, SHA-256 hex]. */
    files: [string, number, string][];
  }
}

export default function setup(project: TestProject): Promise<() => Promise<void>> {
  return startPeers(project, async (started) => {
    project.provide(
      'fixtures',
      loadResponseFixtures().map((fx) => ({ file: fx.file, title: fx.title, method: fx.method, input: latin1(fx.input), expected: fx.expected })),
    );
    project.provide(
      'files',
      Object.entries(STATIC_FILES).map(([path, bytes]) => [path, bytes.length, createHash('sha256').update(bytes).digest('hex')]),
    );
    const server = await startPythonHttpServer();
    started.push(server);
    const echo = await startEchoServer();
    started.push(echo);
    const bridge = await startWsBridge();
    started.push(bridge);
    project.provide('httpPort', server.port);
    project.provide('echoPort', echo.port);
    project.provide('bridgePort', bridge.port);
  });
}
