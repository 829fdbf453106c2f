// Mode "empty-hooks": the floor any promise-hook layer pays.
// Enables V8 promise hooks with four empty callbacks. Loaded with
//   node --import ./bench/modes/empty-promise-hooks.mjs workload.mjs
import { promiseHooks } from 'node:v8';

promiseHooks.createHook({
  init() {},
  before() {},
  after() {},
  settled() {},
});
