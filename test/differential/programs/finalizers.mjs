// flags: --expose-gc
// exit: 0
// FinalizationRegistry after gc(): dropped objects and dropped promises (settled, pending,
// awaited by a finished async function) are all collected and their callbacks run.
const collected = [];
const registry = new FinalizationRegistry((name) => collected.push(name));
(function make() {
  registry.register({}, 'object');
  registry.register(Promise.resolve(1), 'resolved promise');
  registry.register(new Promise(() => {}), 'pending promise');
  const rejected = Promise.reject(new Error('x'));
  rejected.catch(() => {});
  registry.register(rejected, 'rejected promise');
  async function f() { await null; return 1; }
  registry.register(f(), 'async result');
  registry.register(Promise.resolve().then(() => {}), 'then result');
})();
const turn = () => new Promise((r) => setTimeout(r, 0));
for (let i = 0; i < 5 && collected.length < 6; i++) { await turn(); globalThis.gc(); await turn(); }
console.log(collected.sort().join('\n'));
