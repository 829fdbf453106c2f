// flags: --frozen-intrinsics
// exit: 0
// Frozen intrinsics: promises, async functions and timers still work, and nothing was added.
async function f(x) { await null; return x * 2; }
const r = await Promise.all([f(1), f(2), Promise.resolve(3).then((x) => x + 1)]);
console.log(r.join(','), Object.isFrozen(Promise.prototype), Object.getOwnPropertyNames(Promise.prototype).sort().join(','));
