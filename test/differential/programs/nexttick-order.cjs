// exit: 0
// nextTick queue against promise jobs in a CommonJS entry (ticks first) and nested ticks.
const order = [];
Promise.resolve().then(() => order.push('then'));
process.nextTick(() => {
  order.push('tick 1');
  process.nextTick(() => order.push('nested tick'));
  Promise.resolve().then(() => order.push('then from tick'));
});
process.nextTick(() => order.push('tick 2'));
(async () => { await undefined; order.push('await'); process.nextTick(() => order.push('tick from await')); })();
setImmediate(() => console.log(order.join('\n')));
