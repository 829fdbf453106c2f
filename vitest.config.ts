import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Process tests run dist/: build it first if a source is newer (test/global-setup.ts).
    globalSetup: ['test/global-setup.ts'],
    // AWAITWHAT_TEST_CPU_LOG=<file>: one line of CPU seconds per test file (docs/testing.md).
    setupFiles: process.env.AWAITWHAT_TEST_CPU_LOG ? ['test/support/cpu-account.ts'] : [],
    // Child processes inherit this: a dump's per-object lookups are cut off after a time
    // budget (3 s by default); on a loaded CI machine that would make what a dump locates
    // depend on timing. Tests assert on content, never on speed.
    env: { AWAITWHAT_LOOKUP_BUDGET_MS: '120000' },
    // A time limit only ends a hang: tests that start Node processes take seconds on a
    // loaded 2-core machine, and must not fail for being slow (5 s is vitest's default).
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
