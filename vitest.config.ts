import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 120_000,
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    // .ci/run reads the JSON report to print "N passed, N failed"; vitest's own summary is not read.
    reporters: ['default', ['json', { outputFile: '.vitest-results.json' }]],
    projects: [
      // Pure tests: no engine, no system packages (`npm run test:unit`).
      // One module cache per worker (no per-file isolation): these tests hold no global state, and
      // re-importing the AWS SDK, zod schemas and the compose schema per file cost most of their time.
      { extends: true, test: { name: 'unit', include: ['test/unit/**/*.test.ts'], isolate: false } },
      // Everything that talks to a real engine, kube-sim, a git server or a browser.
      {
        extends: true,
        test: { name: 'engine', include: ['test/**/*.test.ts'], exclude: ['test/unit/**'], globalSetup: ['test/support/global-setup.ts'] },
      },
    ],
  },
});
