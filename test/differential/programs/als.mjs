// exit: 0
// AsyncLocalStorage through await, .then, timers, immediates, queueMicrotask, nextTick,
// EventEmitter (with and without AsyncResource.bind) and an async generator.
import { AsyncLocalStorage, AsyncResource } from 'node:async_hooks';
import { EventEmitter } from 'node:events';
const als = new AsyncLocalStorage();
const out = [];
const see = (where) => out.push(`${where}: ${als.getStore()?.id ?? '-'}`);
const emitter = new EventEmitter();
emitter.on('plain', () => see('emit plain'));
async function* gen() { see('gen start'); yield 1; await null; see('gen after await'); yield 2; }
await als.run({ id: 'req-1' }, async () => {
  see('sync');
  await null;
  see('after await');
  await Promise.resolve().then(() => see('then'));
  await new Promise((r) => setTimeout(() => { see('timeout'); r(); }, 1));
  await new Promise((r) => setImmediate(() => { see('immediate'); r(); }));
  await new Promise((r) => queueMicrotask(() => { see('microtask'); r(); }));
  await new Promise((r) => process.nextTick(() => { see('nextTick'); r(); }));
  emitter.on('bound', AsyncResource.bind(() => see('emit bound')));
  for await (const x of gen()) see(`for await ${x}`);
});
als.run({ id: 'req-2' }, () => { emitter.emit('plain'); });
emitter.emit('bound');
see('outside');
await Promise.all([1, 2].map((i) => als.run({ id: `par-${i}` }, async () => { await null; await null; see(`parallel ${i}`); })));
console.log(out.join('\n'));
