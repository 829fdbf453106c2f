/**
 * awaitwhat in a node:test file process (`node --test` runs each file in one): a test that
 * times out gets, in its own failure, the wait chain it is stuck on.
 *
 * How node:test times a test out (lib/internal/test_runner/test.js, Node 20–24): `Test.run()`
 * races the test function's promise against `stopTest()`, an unref'd timer whose promise then
 * rejects with `ERR_TEST_FAILURE('test timed out after Nms', 'testTimeoutFailure')`. On that
 * rejection `run()` records the error (`test.fail`) and aborts the test's `AbortController`,
 * synchronously, before any `afterEach` hook runs and before the test is reported. The test
 * function is still suspended where it waits: the chain is whole.
 *
 * Hook point: a root-level `beforeEach` (registered here, before the test file defines its
 * tests, so every test inherits it: node:test copies a parent's `beforeEach` hooks into each
 * child) adds a listener to `t.signal`. That listener runs at the abort above; it reads
 * `t.error`, and for a timeout (or a test cancelled with the event loop already empty) takes one
 * synchronous dump and writes the chain into the error itself: its `message` (what the TAP and
 * JUnit reporters print) and its `cause` (what spec and dot print, through `util.inspect`; a
 * value with its own inspect function, which Node's error serialisation between the file's
 * process and the runner passes on as its text). Every reporter shows it, in the failure of
 * that test, with no reporter of ours. Why not the others: `t.diagnostic()` lines are dropped
 * by the dot reporter and come after the failure; `test:fail` events are only seen by reporters,
 * in the runner process, where the test's heap is not; an `afterEach` hook runs after the
 * program's own `afterEach` hooks, which may already have closed what the test waited on.
 *
 * A timeout of the whole file (what `--test-timeout` does on Node 20–23): the runner kills this
 * process with SIGTERM; the report then goes to the runner's stderr (termination-report.ts).
 *
 * @internal
 */
import { after, beforeEach } from 'node:test';
import { inspect } from 'node:util';
import { isAbsolute } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Dump } from '../model.js';
import { terminalSafe } from '../internal/terminal-text.js';
import { dumpModules } from '../triggers/lazy-dump.js';
import { functionPlace } from './function-place.js';
import { stillAliveReport } from './still-alive.js';
import { stuckTestReport, type FunctionPlace } from './stuck-report.js';
import { writeBlock, writeToRunner } from './termination-report.js';

/** node:test's failure types of a test cut short while it waited. */
const CUT_SHORT = new Set(['testTimeoutFailure', 'cancelledByParent']);

/** What a hook gets of a test (node:test's `TestContext`, or a suite's context). */
interface TestContext {
  readonly name: string;
  readonly signal: AbortSignal;
}

/** The tests started and not finished, in start order. */
const running = new Set<TestContext>();

/** A test failure as node:test makes it (`ERR_TEST_FAILURE`). */
interface TestFailure {
  failureType?: string;
  message?: string;
  cause?: unknown;
}

let cached: Dump | undefined;

/**
 * One dump for everything cut short in one turn of the event loop: a test that times out and
 * the subtests node:test then cancels (its `postRun`, a few promise jobs later), or every
 * pending test cancelled at once when the loop ran dry. Nothing of the program's I/O can run
 * in between; a dump costs a pause each.
 */
function dumpNow(): Dump {
  if (cached) return cached;
  const dump = dumpModules().snapshotter.takeSnapshot({ trigger: 'api' });
  cached = dump;
  setImmediate(() => (cached = undefined));
  return dump;
}

/** Where the test behind `t` has its function: `t`'s private `#test` holds it, as `fn`. */
function bodyOf(t: TestContext): FunctionPlace | undefined {
  const place = functionPlace(t, ['#test', 'fn'], ['#test', 'loc', 'file']);
  if (!place) return undefined;
  const url = place.file && isAbsolute(place.file) ? pathToFileURL(place.file).href : undefined;
  return { line: place.line, column: place.column, ...(url ? { url } : {}) };
}

/** The report on `t`, cut short now. */
function reportOn(t: TestContext): string {
  const others = [...running].filter((o) => o !== t).map(bodyOf).filter((p): p is FunctionPlace => p !== undefined);
  return stuckTestReport(dumpNow(), { name: t.name, body: bodyOf(t), otherBodies: others }, process.cwd());
}

/**
 * Appends `report` to the failure: to its message, and as its cause (a String whose inspection
 * is the whole text, so spec and dot print it as is, not as a quoted string).
 */
function addToFailure(error: TestFailure, report: string): void {
  const text = `${error.message ?? 'test cut short'}\n${report}`;
  error.message = text;
  const cause = new String(text);
  Object.defineProperty(cause, inspect.custom, { value: () => text });
  error.cause = cause;
}

function onEnd(t: TestContext): void {
  running.delete(t);
  try {
    const error = (t as unknown as { error?: TestFailure | null }).error;
    if (!error || typeof error !== 'object' || !CUT_SHORT.has(String(error.failureType))) return;
    addToFailure(error, reportOn(t));
  } catch (error) {
    writeBlock(`awaitwhat: could not name what test ${terminalSafe(JSON.stringify(t.name))} waits for: ${terminalSafe(String((error as Error)?.message ?? error))}`);
  }
}

/** Milliseconds after the last test before a process still running is reported (`AWAITWHAT_TEST_EXIT_MS`). */
export function stillAliveDelay(env: NodeJS.ProcessEnv = process.env): number | undefined {
  const value = env.AWAITWHAT_TEST_EXIT_MS;
  if (value === undefined || value.trim() === '') return 1000;
  const ms = Number(value);
  return Number.isFinite(ms) && ms > 0 ? ms : undefined;
}

let aliveReported = false;

function takeDumpOrNone(): Dump | undefined {
  try {
    return dumpNow();
  } catch {
    return undefined;
  }
}

/** After the file's last test: if the process is still there a while later, say why. */
function watchExit(): void {
  const ms = stillAliveDelay();
  if (ms === undefined) return;
  setTimeout(() => {
    aliveReported = true;
    const file = terminalSafe(process.argv[1] ?? 'this file');
    // To the runner's stderr: a runner that times the file out later drops what the file
    // process itself writes (termination-report.ts).
    writeToRunner(stillAliveReport(`awaitwhat: the tests of ${file} finished ${ms}ms ago and its process is still running`, takeDumpOrNone(), process.cwd()));
  }, ms).unref();
}

/** On the runner's SIGTERM (a file timed out): what the running tests wait for, then die of it. */
function onTerminate(signal: NodeJS.Signals): void {
  const alone = process.listenerCount(signal) === 1;
  try {
    const tests = [...running];
    const head = `awaitwhat: test file ${terminalSafe(process.argv[1] ?? '')} (pid ${process.pid}) was stopped by ${signal}`;
    if (tests.length > 0) {
      const lines = [`${head} while ${tests.length === 1 ? 'a test was' : `${tests.length} tests were`} running (on Node.js 20–23, --test-timeout times out the whole file):`];
      for (const t of tests) lines.push(reportOn(t));
      writeToRunner(lines.join('\n'));
    } else if (!aliveReported) {
      writeToRunner(stillAliveReport(`${head} after its tests finished`, takeDumpOrNone(), process.cwd()));
    }
  } catch {
    // the report is lost; the process still goes as the signal asks
  }
  if (alone) {
    process.off(signal, onTerminate);
    process.kill(process.pid, signal);
  }
}

let installed = false;

/** Installs the hooks in a node:test file process. Idempotent. */
export function installInTestFile(): void {
  if (installed) return;
  installed = true;
  beforeEach((t) => {
    running.add(t);
    t.signal.addEventListener('abort', () => onEnd(t), { once: true });
  });
  after(watchExit);
  process.on('SIGTERM', onTerminate);
}
