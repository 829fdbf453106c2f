// Stuck in the ways the DOT and SVG views must draw (see dot-view.test.ts): three requests
// alike, each waiting for a slot of a limiter nobody frees (one box ×3, its leaf "resolve held
// in limiter.queue"); a task waiting on a promise that can never settle (amber); and a task
// whose name and event are not ASCII (Graphviz measures those bytes short: the box must still
// hold them). Prints "ready" and waits for SIGUSR2.
import { EventEmitter, once } from 'node:events';

class Limiter {
  queue = [];
  acquire() {
    return new Promise((resolve) => this.queue.push(resolve));
  }
}
const limiter = new Limiter();
globalThis.limiter = limiter;

async function handleRequest(id) {
  await limiter.acquire(); // stuck: no slot is ever freed
  return id;
}

// Its resolve and reject are dropped; the promise itself stays reachable, so its waiter is in the heap.
const lost = new Promise(() => {});
globalThis.lost = lost;
async function waitForever() {
  await lost; // stuck: nothing can settle it
}

const bus = new EventEmitter();
globalThis.bus = bus;
async function ШЖЮЩ_ОБРАБОТКА_ЗАКАЗА_ŒÆ() {
  await once(bus, 'Überprüfung→fertig ✓ 完了'); // stuck: never emitted
}

for (let i = 0; i < 3; i++) handleRequest(i);
waitForever();
ШЖЮЩ_ОБРАБОТКА_ЗАКАЗА_ŒÆ();
setInterval(() => {}, 60_000);
console.log('ready');
