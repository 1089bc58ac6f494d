// The Chromium end-to-end tests (test/e2e/*.e2e.ts): real browser runner, real station, real Chromium.
// Run by `npm run test:e2e` after the renderer is built; one file at a time, they own their processes.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/e2e/**/*.e2e.ts'],
    environment: 'node',
    testTimeout: 240_000,
    hookTimeout: 60_000,
    fileParallelism: false,
    reporters: ['default', './test/support/summary-reporter.ts'],
  },
});
