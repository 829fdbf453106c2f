/**
 * The task tracker's fast and full paths are chosen when hooks or metrics change, by
 * registering one path's callbacks with V8, never by a test per promise event; and whichever
 * path runs, the counts are those of docs/hooks.md. `test/programs/monitor-paths.mjs` wraps
 * `v8.promiseHooks` before awaitwhat loads and reports, by function name, which callbacks are
 * registered in each phase, with the interval metrics of N tasks × M awaits run in it.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../', import.meta.url));
const program = fileURLToPath(new URL('programs/monitor-paths.mjs', import.meta.url));

interface Registered {
  init: string[];
  before: string[];
  after: string[];
  settled: string[];
}
interface Phase {
  registered: Registered;
  registrationsDuringSteps: number;
  entered: number;
  enteredStore: number;
  tasksCreated: number;
  tasksSettled: number;
  resumptions: number;
  steps: number;
}
interface Result {
  initially: Registered;
  metrics: Phase;
  metricsAndHook: Phase;
  metricsAgain: Phase;
  swappedInsideSteps: Phase;
  off: Registered;
  hookOnly: Phase;
  end: Registered;
}

async function phases(...args: string[]): Promise<Result> {
  const { stdout } = await run(process.execPath, [program, ...args], { cwd: root, timeout: 30_000 });
  return JSON.parse(stdout) as Result;
}

const NONE: Registered = { init: [], before: [], after: [], settled: [] };
const FAST: Registered = { init: ['initFast'], before: ['beforeFast'], after: ['afterFast'], settled: ['settled'] };
const FULL: Registered = { init: ['initFull'], before: ['beforeFull'], after: ['afterFull'], settled: ['settled'] };
/** 20 tasks × 7 awaits, started from a timer callback. */
const COUNTS = { tasksCreated: 20, tasksSettled: 20, resumptions: 140, steps: 140 };

describe.each([
  ['without ALS', []],
  ['with ALS in use before the tracker', ['als']],
])('fast and full paths (%s)', (_label, args) => {
  it('metrics alone register the fast callbacks; a hook the full ones; each change swaps them, nothing else does', async () => {
    const r = await phases(...args);
    expect(r.initially).toEqual(NONE);
    expect(r.metrics).toMatchObject({ registered: FAST, registrationsDuringSteps: 0, entered: 0, ...COUNTS });
    expect(r.metricsAndHook).toMatchObject({ registered: FULL, registrationsDuringSteps: 0, entered: 140, ...COUNTS });
    expect(r.metricsAgain).toMatchObject({ registered: FAST, registrationsDuringSteps: 0, entered: 0, ...COUNTS });
    expect(r.off).toEqual(NONE);
    expect(r.hookOnly).toMatchObject({ registered: FULL, registrationsDuringSteps: 0, entered: 140 });
    expect(r.end).toEqual(NONE);
  }, 60_000);

  it('a hook enabled and disabled inside steps: steps begun on one path end on the other, counts stay exact', async () => {
    const r = await phases(...args);
    // Enabled in task 0's third step, disabled in its fifth (see the program): rounds 2 to 4.
    expect(r.swappedInsideSteps).toMatchObject({ registered: FAST, entered: 40, ...COUNTS });
    expect(r.swappedInsideSteps.registrationsDuringSteps).toBeGreaterThan(0);
  }, 60_000);

  it("the task's own ALS store is current in taskEntered after a swap", async () => {
    const r = await phases(...args);
    const withAls = args.length > 0;
    expect(r.metricsAndHook.enteredStore).toBe(withAls ? 140 : 0);
    expect(r.swappedInsideSteps.enteredStore).toBe(withAls ? 40 : 0);
    expect(r.hookOnly.enteredStore).toBe(withAls ? 140 : 0);
  }, 60_000);
});
