// Prints what a program can observe about promises and its own event loop; the output must
// be identical with and without the register.
import util from 'node:util';
const p = Promise.resolve(1).then((x) => x);
const pending = new Promise(() => {});
async function f() { await null; return 2; }
const q = f();
let unhandled = 0;
process.on('unhandledRejection', () => { unhandled++; });
Promise.reject(new Error('boom'));
await p; await q;
setTimeout(() => {
  console.log(util.inspect(p), util.inspect(pending), util.inspect(q));
  console.log(JSON.stringify({
    symbols: Object.getOwnPropertySymbols(p).length + Object.getOwnPropertySymbols(pending).length,
    keys: Reflect.ownKeys(q).length,
    unhandled,
  }));
}, 20);
