// The hanging vitest fixture in the 'threads' pool, with awaitwhat's setup file.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    root: fileURLToPath(new URL('.', import.meta.url)),
    include: ['per-test-timeout.hang.mjs'],
    pool: 'threads',
    testTimeout: 1000,
    setupFiles: ['awaitwhat/vitest'],
  },
});
