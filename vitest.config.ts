import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The differential and CPython suites run many thousands of inputs.
    testTimeout: 300_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
