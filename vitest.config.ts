import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    // .ci/run reads the JSON report to print "N passed, N failed"; vitest's own summary is not read.
    reporters: ['default', ['json', { outputFile: '.vitest-results.json' }]],
  },
});
