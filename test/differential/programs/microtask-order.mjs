// exit: 0
// The interleaving of queueMicrotask, .then, await, nextTick, immediates and timers.
const order = [];
setTimeout(() => order.push('timeout'), 0);
setImmediate(() => order.push('immediate'));
process.nextTick(() => order.push('tick 1'));
queueMicrotask(() => order.push('microtask 1'));
Promise.resolve().then(() => order.push('then 1')).then(() => order.push('then 2'));
(async () => { order.push('async sync part'); await null; order.push('after await 1'); await null; order.push('after await 2'); })();
queueMicrotask(() => { order.push('microtask 2'); process.nextTick(() => order.push('tick from microtask')); });
process.nextTick(() => { order.push('tick 2'); Promise.resolve().then(() => order.push('then from tick')); });
Promise.resolve(Promise.resolve()).then(() => order.push('resolved with a promise'));
new Promise((r) => r({ then: (ok) => { order.push('thenable then'); ok(); } })).then(() => order.push('after thenable'));
order.push('sync end');
setTimeout(() => setTimeout(() => console.log(order.join('\n')), 5), 5);
