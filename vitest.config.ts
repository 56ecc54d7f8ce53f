import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // nodejieba is process-global native state; forks keep each file's load isolated.
    pool: 'forks',
    // The default output, then one plain 'N passed, N failed' line that CI can read.
    reporters: ['default', './test/support/summary-reporter.ts'],
  },
});
