// Preloaded before the register (`--import` order): wraps every `v8.promiseHooks` function that
// sets a V8 promise hook and writes one line to stderr, synchronously, each time one is called,
// so a test can tell whether anything in the process ever set a promise hook.
import { writeSync } from 'node:fs';
import { promiseHooks } from 'node:v8';

for (const name of ['onInit', 'onBefore', 'onAfter', 'onSettled', 'createHook']) {
  const original = promiseHooks[name];
  promiseHooks[name] = function spied(...args) {
    writeSync(2, `spy: promiseHooks.${name} called\n`);
    return original.apply(this, args);
  };
}
