// Mode "hook-empty": one `createHook()` with four empty callbacks, enabled, and nothing
// else (no register, no metrics): what an APM pays for the task tracker itself, before
// doing anything in its callbacks. Loaded with
//   node --import ./bench/modes/hook-empty.mjs workload.mjs
import { createHook } from '../../dist/src/index.js';

createHook({
  taskCreated() {},
  taskEntered() {},
  taskLeft() {},
  taskSettled() {},
}).enable();
