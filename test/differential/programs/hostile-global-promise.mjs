// exit: 0
// The program replaces the global Promise with a subclass and patches its statics: its own
// code sees its class everywhere it asks for it, and counts every construction.
const Native = Promise;
let made = 0;
class AppPromise extends Native {
  constructor(executor) { made++; super(executor); }
}
globalThis.Promise = AppPromise;
const p = new Promise((r) => r(1));
const q = p.then((x) => x + 1);
async function f() { await null; return (await q) + 1; }
console.log(await f(), p instanceof AppPromise, q instanceof AppPromise, made);
console.log(await Promise.all([1, Promise.resolve(2)]), made);
