// exit: 0
// The program freezes Promise and its prototype: everything still works, nothing was added.
Object.freeze(Promise.prototype);
Object.freeze(Promise);
async function f() { await null; return 'ok'; }
const p = f();
const names = Object.getOwnPropertyNames(Promise.prototype).sort().join(',');
let threw = false;
try { 'use strict'; Promise.prototype.extra = 1; } catch { threw = true; }
console.log(await p, names, Object.isFrozen(Promise.prototype), threw || Promise.prototype.extra === undefined);
const r = await Promise.allSettled([Promise.reject(new Error('x')), 1]);
console.log(JSON.stringify(r.map((s) => s.status)));
