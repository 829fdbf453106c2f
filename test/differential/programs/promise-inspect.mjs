// exit: 0
// What the program can see on its promises: inspection, own keys and symbols, JSON, prototype.
import util from 'node:util';
const pending = new Promise(() => {});
const done = Promise.resolve({ a: 1 });
const failed = Promise.reject(new Error('shown'));
failed.catch(() => {});
async function f() { await null; }
const task = f();
await null;
for (const p of [pending, done, failed, task]) {
  console.log(util.inspect(p).split('\n')[0], Reflect.ownKeys(p).length, JSON.stringify(p), Object.getPrototypeOf(p) === Promise.prototype);
}
console.log(util.types.isPromise(task), Object.prototype.toString.call(task), Object.keys(Promise).length);
