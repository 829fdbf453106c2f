// Idles (no promise created for 1 s), then starts a wait and dumps 100 ms later. Prints
// whether the clock rested while idle, how long the dump says the task has been waiting, and
// the time since the wait began measured just before and just after the dump: the waiting
// time lies between the two if the first stamp after idling took the exact time (a stale
// clock would add the idle second).
import { snapshot } from '../../dist/src/index.js';
import { clockTicking } from '../../dist/src/hooks/coarse-clock.js';

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const never = new Promise(() => {});
async function stuck() {
  await never;
}

let restedWhileIdle = false;
await new Promise((resolve) =>
  setTimeout(() => {
    restedWhileIdle = !clockTicking();
    resolve();
  }, 1000),
);
const started = performance.now();
globalThis.task = stuck();
const armedAgain = clockTicking();
await sleep(100);
const elapsedBeforeMs = performance.now() - started;
const node = snapshot().nodes.find((n) => n.name === 'stuck');
const elapsedAfterMs = performance.now() - started;
console.log(JSON.stringify({ restedWhileIdle, armedAgain, waitingMs: node?.waitingMs, elapsedBeforeMs, elapsedAfterMs }));
