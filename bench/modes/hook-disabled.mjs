// Mode "hook-disabled": hooks that exist but are off — one created and never enabled,
// one enabled then disabled. Must cost nothing (no promise hook left registered).
// Loaded with   node --import ./bench/modes/hook-disabled.mjs workload.mjs
import { createHook } from '../../dist/src/index.js';

const callbacks = { taskCreated() {}, taskEntered() {}, taskLeft() {}, taskSettled() {} };
createHook(callbacks);
createHook(callbacks).enable().disable();
