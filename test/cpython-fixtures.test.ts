// Every response fixture must say what CPython's http.client really does:
// its ```json cpython block where httpwire differs on purpose, else its
// ```json block. One oracle process reads all inputs (a fresh one is started
// only after a case on which CPython itself crashes, see runCpythonOracle).

import { describe, it, expect, beforeAll } from 'vitest';
import { loadResponseFixtures, runCpythonOracle, type OracleOutcome } from './support/fixtures.js';

const fixtures = loadResponseFixtures();

describe('response fixtures agree with CPython http.client', () => {
  let outcomes: OracleOutcome[] = [];

  beforeAll(async () => {
    outcomes = await runCpythonOracle(fixtures.map((f) => ({ input: f.input, method: f.method })));
  }, 120_000);

  it('has the cases', () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(180);
    expect(outcomes).toHaveLength(fixtures.length);
  });

  fixtures.forEach((f, i) => {
    it(`${f.file}: ${f.title}`, () => {
      expect(outcomes[i]).toStrictEqual(f.cpython ?? f.expected);
    });
  });
});
