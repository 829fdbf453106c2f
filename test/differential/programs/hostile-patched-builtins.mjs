// exit: 0
// The program counts calls of builtins it patched (Array push, Map/WeakMap/Set methods,
// defineProperty, Reflect, Function apply/call) while its promises run: calls that are not its
// own would show.
const counts = {};
const wrap = (owner, key, label) => {
  const original = owner[key];
  owner[key] = function (...args) { if (counting) counts[label] = (counts[label] ?? 0) + 1; return original.apply(this, args); };
};
let counting = false;
for (const [owner, key, label] of [
  [Array.prototype, 'push', 'Array#push'], [Map.prototype, 'set', 'Map#set'], [Map.prototype, 'get', 'Map#get'],
  [Map.prototype, 'delete', 'Map#delete'], [WeakMap.prototype, 'set', 'WeakMap#set'], [WeakMap.prototype, 'get', 'WeakMap#get'],
  [Set.prototype, 'add', 'Set#add'], [Object, 'defineProperty', 'Object.defineProperty'], [Reflect, 'get', 'Reflect.get'],
  [Symbol, 'for', 'Symbol.for'], [JSON, 'stringify', 'JSON.stringify'], [Math, 'round', 'Math.round'], [Math, 'floor', 'Math.floor'],
  [Performance.prototype, 'now', 'performance.now'], [Date, 'now', 'Date.now'],
]) wrap(owner, key, label);
const mine = [];
counting = true;
async function step(i) { await null; mine.push(i); await new Promise((r) => setImmediate(r)); return i; }
await Promise.all([step(1), step(2), step(3)].map((p) => p.then((x) => x * 2)));
for (let i = 0; i < 5; i++) await new Promise((r) => setTimeout(r, 12)); // the register's clock refreshes every 10 ms
counting = false;
console.log(JSON.stringify(counts), mine.length);
