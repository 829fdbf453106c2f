// exit: 0
// node:timers/promises: setTimeout and setImmediate values, setInterval as an async iterator,
// an aborted sleep.
import { setTimeout as sleep, setImmediate as immediate, setInterval as every } from 'node:timers/promises';
console.log(await sleep(2, 'timeout value'), await immediate('immediate value'));
let n = 0;
for await (const v of every(2, 'tick')) { if (++n === 3) break; }
console.log('ticks', n);
const ac = new AbortController();
const pending = sleep(10_000, null, { signal: ac.signal });
ac.abort();
try { await pending; } catch (e) { console.log(e.name, e.code); }
