// Which promise-hook callbacks the task tracker registers, as hooks and metrics are enabled and
// disabled (test/monitor-paths.test.ts). `v8.promiseHooks` is wrapped before awaitwhat loads,
// so the program knows, by function name, every callback registered with V8 and still live.
// Each phase runs N tasks of M awaits from a timer callback (no step of ours around them) and
// reads the interval metrics in the next macrotask (the tasks' steps all run in the microtask
// drain after the timer callback), then prints one JSON line with every phase.
// `node monitor-paths.mjs als`: an AsyncLocalStorage is in use from the start (async_hooks'
// promise hooks registered before the tracker's) and each task runs in a store of its own.
import { AsyncLocalStorage } from 'node:async_hooks';
import { promiseHooks } from 'node:v8';

const live = { onInit: new Set(), onBefore: new Set(), onAfter: new Set(), onSettled: new Set() };
let registrations = 0;
for (const kind of Object.keys(live)) {
  const original = promiseHooks[kind];
  promiseHooks[kind] = function wrapped(fn) {
    registrations += 1;
    const stop = original.call(this, fn);
    live[kind].add(fn.name);
    return () => {
      live[kind].delete(fn.name);
      return stop();
    };
  };
}
const { createHook, disableMetrics, enableMetrics, metricsIntervals } = await import('awaitwhat');

const N = 20;
const M = 7;
const registered = () => ({
  init: [...live.onInit],
  before: [...live.onBefore],
  after: [...live.onAfter],
  settled: [...live.onSettled],
});
const withAls = process.argv[2] === 'als';
const als = new AsyncLocalStorage();
if (withAls) als.enterWith({ outer: true });
let entered = 0;
let enteredStore = 0;
const hook = createHook({
  taskEntered() {
    entered += 1;
    if (als.getStore()?.task !== undefined) enteredStore += 1;
  },
});

async function work(i, toggleAt) {
  for (let j = 0; j < M; j++) {
    // Hooks changed inside a step: the step starts on one path and ends on the other.
    if (i === 0 && toggleAt >= 0 && j === toggleAt) hook.enable();
    if (i === 0 && toggleAt >= 0 && j === toggleAt + 2) hook.disable();
    await null;
  }
}

/** Runs N tasks from a timer callback; resolves with the registered callbacks and the figures. */
function phase(toggleAt = -1) {
  return new Promise((done) => {
    setTimeout(() => {
      const interval = metricsIntervals();
      const before = registrations;
      entered = enteredStore = 0;
      for (let i = 0; i < N; i++) {
        if (withAls) als.run({ task: i }, () => work(i, toggleAt));
        else work(i, toggleAt);
      }
      setImmediate(() => {
        const w = interval.next();
        done({
          registered: registered(),
          registrationsDuringSteps: registrations - before,
          entered,
          enteredStore,
          tasksCreated: w.tasksCreated,
          tasksSettled: w.tasksSettled,
          resumptions: w.resumptions,
          steps: w.stepDurationNs.count,
        });
      });
    }, 1);
  });
}

const result = { initially: registered() };
enableMetrics();
result.metrics = await phase();
hook.enable();
result.metricsAndHook = await phase();
hook.disable();
result.metricsAgain = await phase();
result.swappedInsideSteps = await phase(2);
disableMetrics();
result.off = registered();
hook.enable();
result.hookOnly = await phase();
hook.disable();
result.end = registered();
console.log(JSON.stringify(result));
