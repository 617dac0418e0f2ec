// Starting the peers of a Vitest project's global setup. A failure does not
// throw (that would abort the whole run, every project with it): it is
// provided as `setupError`, and each test of the project fails on it.
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Why the project's global setup failed; '' when it did not. */
    setupError: string;
  }
}

export interface Stoppable {
  stop(): Promise<void>;
}

/**
 * Runs `start`, which pushes each peer it starts onto `started`; returns
 * the teardown that stops them all, latest first.
 */
export async function startPeers(project: TestProject, start: (started: Stoppable[]) => Promise<void>): Promise<() => Promise<void>> {
  const started: Stoppable[] = [];
  const stopAll = async () => {
    for (const peer of started.reverse()) await peer.stop().catch(() => {});
  };
  try {
    await start(started);
    project.provide('setupError', '');
  } catch (err) {
    project.provide('setupError', err instanceof Error ? (err.stack ?? err.message) : String(err));
  }
  return stopAll;
}
