// Mode "hook-disabled": a hook that exists but was never enabled. Must cost nothing: no promise
// hook is registered. (A hook enabled and later disabled leaves no promise hook either, but V8
// keeps a slower path for promises once any promise hook has been set — a one-way switch, the
// same with a bare `promiseHooks.onInit(fn)()`; see docs/hooks.md#cost.)
// Loaded with   node --import ./bench/modes/hook-disabled.mjs workload.mjs
import { createHook } from '../../dist/src/index.js';

const callbacks = { taskCreated() {}, taskEntered() {}, taskLeft() {}, taskSettled() {} };
createHook(callbacks);
