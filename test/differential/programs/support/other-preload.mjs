// Another preload beside the register: its own v8 promise hook, async_hooks hook, a module
// loader hook (module.register) serving a virtual module, and a patched Promise.prototype.then.
import { promiseHooks } from 'node:v8';
import { createHook } from 'node:async_hooks';
import { register } from 'node:module';
globalThis.otherPreload = { inits: 0, asyncInits: 0, thens: 0 };
promiseHooks.onInit(() => globalThis.otherPreload.inits++);
createHook({ init(_id, type) { if (type === 'PROMISE') globalThis.otherPreload.asyncInits++; } }).enable();
const then = Promise.prototype.then;
Promise.prototype.then = function patchedThen(...args) { globalThis.otherPreload.thens++; return then.apply(this, args); };
if (typeof register === 'function') register(new URL('./virtual-loader.mjs', import.meta.url));
