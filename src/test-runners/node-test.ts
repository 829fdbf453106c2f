/**
 * `node --test --import awaitwhat/test`: a node:test test that times out names, in its own
 * failure, the wait chain it is stuck on (docs/testing.md).
 *
 * `node --test` passes `--import` on to each **test file process** (`NODE_TEST_CONTEXT` set by
 * the runner; Node 20 does not run `--import` modules in the `--test` process itself): there
 * this module installs the register (hook layer for waiting times, SIGUSR2 and exit dumps),
 * then the hooks of `node-test-file.ts`. Anywhere else (`NODE_OPTIONS` reaching other
 * processes, a test file run without `--test`) it is the register alone: creating node:test's
 * root there would print a test report at the exit of a program that has no tests.
 *
 * @packageDocumentation
 */
import { nodeTestRole } from './node-test-role.js';

// The same module as `--import awaitwhat/register`: loaded twice, it installs once.
await import('../register.js');
if (nodeTestRole() === 'file') {
  const { preloadDumpModules } = await import('../triggers/lazy-dump.js');
  await preloadDumpModules();
  const { installInTestFile } = await import('./node-test-file.js');
  installInTestFile();
}
