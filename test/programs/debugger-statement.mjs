// A program that runs a `debugger;` statement every few milliseconds while a background dump
// is under way: it must keep running (the dump's inspector session must not pause it).
import { snapshotInBackground } from '../../dist/src/index.js';

const never = new Promise(() => {});
async function stuck() {
  await never;
}
globalThis.task = stuck();
let ticks = 0;
const timer = setInterval(() => {
  // eslint-disable-next-line no-debugger
  debugger;
  ticks++;
}, 2);
const dump = await snapshotInBackground();
const before = ticks;
await new Promise((resolve) => setTimeout(resolve, 50));
clearInterval(timer);
console.log(JSON.stringify({ ticksDuring: before, ticksAfter: ticks - before, stuck: dump.nodes.some((n) => n.name === 'stuck') }));
