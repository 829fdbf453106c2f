// Programs of known shapes for test/monitor-*.test.ts: `node monitor-shapes.mjs <shape> [N] [M]`.
// Each runs its shape inside a measurement window (started from a timer callback, so no task
// step of the loader or of the driver is in it) and prints one JSON line: hook events seen in
// the window, the interval metrics of the window, and what the shape recorded itself.
import { AsyncLocalStorage } from 'node:async_hooks';
import { createHook, enableMetrics, metrics, metricsIntervals } from 'awaitwhat';

const [shape = 'flat', nArg = '20', mArg = '7'] = process.argv.slice(2);
const N = Number(nArg);
const M = Number(mArg);
const als = new AsyncLocalStorage();
const seen = { created: [], entered: 0, left: 0, settled: 0, enteredStore: 0, leftStore: 0, errors: [] };
let counting = false;
const extra = {};

const callbacks = {
  taskCreated(task) {
    if (counting) seen.created.push({ id: task.id, parentId: task.parentId ?? null });
  },
  taskEntered(task) {
    if (!counting) return;
    seen.entered++;
    if (als.getStore()?.task !== undefined) seen.enteredStore++;
    if (shape.startsWith('throw') && seen.entered === 3) throw new Error('boom in taskEntered');
  },
  taskLeft() {
    if (!counting) return;
    seen.left++;
    if (als.getStore()?.task !== undefined) seen.leftStore++;
  },
  taskSettled() {
    if (counting) seen.settled++;
  },
};
const hookOptions = shape === 'throw' ? { onError: (e) => seen.errors.push({ code: e.code, callback: e.callback, message: e.message }) } : {};

if (shape === 'als-first') als.enterWith({ outer: true }); // async_hooks' promise hooks before ours
const hook = shape === 'disabled' ? createHook(callbacks) : createHook(callbacks, hookOptions).enable();
if (shape === 'hook-first') als.enterWith({ outer: true }); // async_hooks' promise hooks after ours
enableMetrics({ slowStepThresholdMs: 15, slowStepStacks: shape === 'slow', context: () => als.getStore() });

const spin = (ms) => {
  const t0 = performance.now();
  while (performance.now() - t0 < ms);
};
async function work(i) {
  for (let j = 0; j < M; j++) await null;
  return i;
}
async function child() {
  for (let j = 0; j < M; j++) await Promise.resolve(j);
}
async function parent() {
  await child();
}
async function root() {
  await null;
  for (let i = 0; i < N; i++) work(i);
  await null;
}
async function busy(ms) {
  await null;
  spin(ms);
}
async function marker() {}
async function slow() {
  await null;
  spin(40);
  await marker(); // SLOW-AWAIT
}

const shapes = {
  flat: () => { for (let i = 0; i < N; i++) work(i); },
  'als-first': () => { for (let i = 0; i < N; i++) als.run({ task: i }, () => work(i)); },
  'hook-first': () => { for (let i = 0; i < N; i++) als.run({ task: i }, () => work(i)); },
  'parent-child': () => { for (let i = 0; i < N; i++) parent(); },
  nested: () => { root(); },
  then: () => { for (let i = 0; i < N; i++) Promise.resolve(i).then((x) => x + 1).then((x) => x + 1).then(() => {}); },
  // 20 steps of 4 ms, 10 steps of 12 ms.
  histogram: () => { for (let i = 0; i < 20; i++) busy(4); for (let i = 0; i < 10; i++) busy(12); },
  throw: () => { for (let i = 0; i < N; i++) work(i); },
  'throw-warning': () => { for (let i = 0; i < N; i++) work(i); },
  disabled: () => { for (let i = 0; i < N; i++) work(i); },
  'enable-disable': () => {
    for (let i = 0; i < N; i++) work(i);
    setTimeout(() => { hook.disable(); hook.disable(); for (let i = 0; i < N; i++) work(i); }, 20);
  },
  slow: () => { als.run({ task: 'slow-one' }, () => slow()); },
};

setTimeout(() => {
  const interval = metricsIntervals();
  counting = true;
  shapes[shape]();
  setTimeout(() => {
    counting = false;
    const window = interval.next();
    extra.next = interval.next(); // nothing ran in between: an empty interval
    const all = metrics();
    console.log(JSON.stringify({ seen, window, slowSteps: all.slowSteps, hookEnabled: hook.enabled, extra }));
  }, shape === 'histogram' ? 600 : 100);
}, 10);
