// Stuck tasks of several shapes, then a synchronous dump and a background dump of the same
// state; prints both, and how many times the event loop turned while the background dump ran.
import { snapshot, snapshotInBackground } from '../../dist/src/index.js';

const never = new Promise(() => {});
async function single() {
  await never;
}
async function multi(flag) {
  if (flag) await Promise.resolve();
  await never;
}
async function* gen() {
  yield 1;
  await never;
}
async function consume() {
  for await (const _ of gen());
}
globalThis.tasks = [single(), multi(true), multi(false), Promise.all([single(), single()]), consume()];

setTimeout(async () => {
  const sync = snapshot();
  let turns = 0;
  let counting = true;
  const count = () => {
    turns++;
    if (counting) setImmediate(count);
  };
  setImmediate(count);
  const background = await snapshotInBackground();
  counting = false;
  process.stdout.write(JSON.stringify({ sync, background, turns }));
}, 50);
