// Idles (no promise created for 300 ms), then starts a wait and dumps 100 ms later. Prints
// whether the clock rested while idle and how long the dump says the task has been waiting:
// the time since the wait began (to the millisecond) if the first stamp after idling took the exact time.
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
  }, 300),
);
const started = performance.now();
globalThis.task = stuck();
const armedAgain = clockTicking();
await sleep(100);
const elapsedMs = performance.now() - started;
const node = snapshot().nodes.find((n) => n.name === 'stuck');
console.log(JSON.stringify({ restedWhileIdle, armedAgain, waitingMs: node?.waitingMs, elapsedMs }));
