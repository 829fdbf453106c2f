// exit: 0
// A Promise subclass: species, how often its constructor runs, and what async functions return.
let constructed = 0;
class Tracked extends Promise {
  constructor(executor) { constructed++; super(executor); }
  static get [Symbol.species]() { return Tracked; }
}
const t = new Tracked((r) => r(1));
const chained = t.then((x) => x + 1).finally(() => {});
console.log(chained instanceof Tracked, constructed);
async function f() { return await t; }
const fp = f();
console.log(fp instanceof Tracked, fp.constructor === Promise);
const all = Tracked.all([t, 2]);
console.log(all instanceof Tracked, await all, await chained, constructed);
class NoSpecies extends Promise { static get [Symbol.species]() { return Promise; } }
const n = new NoSpecies((r) => r(5)).then((x) => x);
console.log(n instanceof NoSpecies, await n);
