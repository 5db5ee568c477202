import { defineConfig } from 'vitest/config';

/** Browser tests: real Chromium against the web host. One file at a time, bounded everywhere. */
export default defineConfig({
  test: {
    include: ['test/e2e/**/*.e2e.ts'],
    environment: 'node',
    testTimeout: 90_000,
    hookTimeout: 90_000,
    teardownTimeout: 20_000,
    fileParallelism: false,
    reporters: ['default', 'json'],
    outputFile: { json: 'test-results/e2e.json' },
  },
});
