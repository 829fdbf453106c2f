// The hanging vitest fixture in the 'forks' pool, with awaitwhat's setup file.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    root: fileURLToPath(new URL('.', import.meta.url)),
    include: ['per-test-timeout.hang.mjs'],
    pool: 'forks',
    testTimeout: 1000,
    setupFiles: ['awaitwhat/vitest'],
  },
});
