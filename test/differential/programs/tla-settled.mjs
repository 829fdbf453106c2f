// exit: 0
// Top-level awaits that settle: timers, a dynamic import, a rejected promise caught.
import { setTimeout as sleep } from 'node:timers/promises';
const v = await sleep(5, 'slept');
const { basename } = await import('node:path');
let caught;
try { await Promise.reject(new Error('nope')); } catch (e) { caught = e.message; }
console.log(v, basename('/a/b.txt'), caught);
