// exit: 0
// async_hooks: the resource types the program's own work creates, and their parentage
// (relations only: ids are numbers anything could shift).
import { createHook, executionAsyncId, triggerAsyncId } from 'node:async_hooks';
const types = {};
let parentOk = true;
const hook = createHook({ init(id, type, trigger) { types[type] = (types[type] ?? 0) + 1; if (!(trigger > 0)) parentOk = false; } });
hook.enable();
async function job() { await null; await new Promise((r) => setTimeout(r, 1)); return executionAsyncId() > 0 && triggerAsyncId() >= 0; }
const ok = await Promise.all([job(), job()]);
await new Promise((r) => setImmediate(r));
hook.disable();
console.log(JSON.stringify(Object.keys(types).sort().map((t) => [t, types[t]])), parentOk, ok.join(','));
