// flags: --import ./support/other-preload.mjs
// exit: 0
// Another preload's promise hooks, async_hooks hook, loader hook and patched then() keep
// working beside the register, and see the same number of the program's promises.
const { default: answer } = await import('virtual:answer');
const before = { ...globalThis.otherPreload };
async function f() { await null; return 1; }
await Promise.all([f(), f(), Promise.resolve(2).then((x) => x)]);
const after = globalThis.otherPreload;
console.log(answer, after.inits - before.inits, after.asyncInits - before.asyncInits, after.thens - before.thens);
