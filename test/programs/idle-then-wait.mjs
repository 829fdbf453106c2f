// Idles (no promise created for 1 s), then starts a wait and dumps 100 ms later. Prints
// whether the clock rested while idle, how long the dump says the task has been waiting, and
// the bounds that age must lie in if the first stamp after idling took the exact time (a
// stale clock would add the idle second). The bounds are measured by the program around the
// events themselves, so a loaded machine that pauses it anywhere only widens them:
// - at least: from just after the wait began to just before the dump;
// - at most: from when the idle timer fired (before any clock read after idling) to just
//   after the dump.
import { snapshot } from '../../dist/src/index.js';
import { clockTicking } from '../../dist/src/hooks/coarse-clock.js';

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const never = new Promise(() => {});
async function stuck() {
  await never;
}

let restedWhileIdle = false;
let woke = 0;
await new Promise((resolve) =>
  setTimeout(() => {
    woke = performance.now();
    restedWhileIdle = !clockTicking();
    resolve();
  }, 1000),
);
globalThis.task = stuck();
const began = performance.now();
const armedAgain = clockTicking();
await sleep(100);
const atLeastMs = performance.now() - began;
const node = snapshot().nodes.find((n) => n.name === 'stuck');
const atMostMs = performance.now() - woke;
console.log(JSON.stringify({ restedWhileIdle, armedAgain, waitingMs: node?.waitingMs, atLeastMs, atMostMs }));
