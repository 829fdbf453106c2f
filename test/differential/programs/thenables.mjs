// exit: 0
// Thenables: awaited, resolved through Promise.resolve, one that throws, one that calls back
// twice; how many times each then() is called.
const calls = { good: 0, thrower: 0, twice: 0 };
const good = { then(ok) { calls.good++; ok('good'); } };
const thrower = { then() { calls.thrower++; throw new Error('then threw'); } };
const twice = { then(ok, fail) { calls.twice++; ok('first'); ok('second'); fail(new Error('ignored')); } };
console.log(await good, await Promise.resolve(good));
try { await thrower; } catch (e) { console.log('caught', e.message); }
console.log(await twice);
const getterCalls = { n: 0 };
const lazy = { get then() { getterCalls.n++; return (ok) => ok('lazy'); } };
console.log(await lazy, getterCalls.n, JSON.stringify(calls));
