// exit: 0
// events.once and events.on: values, an 'error' event rejecting once(), an abort.
import { EventEmitter, once, on } from 'node:events';
const e = new EventEmitter();
setImmediate(() => e.emit('ready', 1, 2));
console.log(JSON.stringify(await once(e, 'ready')));
setImmediate(() => e.emit('error', new Error('emitted error')));
try { await once(e, 'never'); } catch (err) { console.log('once rejected:', err.message); }
const ac = new AbortController();
setImmediate(() => { e.emit('item', 'a'); e.emit('item', 'b'); });
const items = [];
for await (const [item] of on(e, 'item', { signal: ac.signal })) { items.push(item); if (items.length === 2) break; }
console.log(items.join(','), e.listenerCount('item'));
const aborted = once(e, 'nothing', { signal: AbortSignal.abort() }).catch((err) => err.name);
console.log(await aborted);
