/**
 * `setupFiles: ['awaitwhat/vitest']`: a vitest test that times out names, in its own failure,
 * the wait chain it is stuck on (docs/testing.md).
 *
 * How vitest (3.2) times a test out (`withTimeout` in @vitest/runner): a timer racing the test
 * function's promise. When it fires, vitest makes the timeout error, aborts the test context's
 * `AbortController` with that error as the reason (`context.signal`), then rejects; the failure
 * is recorded, serialised and sent to the reporters in the main process afterwards. The test
 * function is still suspended where it waits.
 *
 * Hook point: a `beforeEach` of this setup file (vitest runs setup files in every test file's
 * worker, before the file) adds a listener to `context.signal`. At the abort it takes one
 * synchronous dump of the worker — a child process (`forks`) or a worker thread (`threads`,
 * whose heap is its own isolate's: the dump covers it) — and appends the chain to the timeout
 * error's message, which every reporter prints. Why not a reporter: reporters run in the main
 * process, where the test's heap is not; why not `onTestFailed`: it runs after the `afterEach`
 * hooks, which may already have closed what the test waited on.
 *
 * @packageDocumentation
 */
import { beforeEach } from 'vitest';
import { getFn } from 'vitest/suite';
import '../register.js';
import type { Dump } from '../model.js';
import { terminalSafe } from '../internal/terminal-text.js';
import { dumpModules, preloadDumpModules } from '../triggers/lazy-dump.js';
import { functionPlace } from './function-place.js';
import { stuckTestReport, type FunctionPlace } from './stuck-report.js';

await preloadDumpModules();

/** What this file needs of vitest's test context. */
interface VitestContext {
  readonly signal?: AbortSignal;
  readonly task: { name: string; file?: { filepath?: string } };
}

/** vitest's timeout error says `Test timed out in <n>ms.` (`Hook timed out` for hooks). */
const TIMEOUT = /^(Test|Hook) timed out in \d+ms/;

const running = new Set<VitestContext>();

/**
 * Where the test's own function is defined. vitest keeps it behind its wrappers (`getFn(task)`
 * is `withTimeout(withAwaitAsyncAssertions(withFixtures(handler)))`), each holding the one
 * inside as `fn` in its closure: followed until a function with no `fn` of its own.
 */
function bodyOf(context: VitestContext): FunctionPlace | undefined {
  try {
    const wrapped = getFn(context.task as never) as unknown;
    if (typeof wrapped !== 'function') return undefined;
    const place = functionPlace(wrapped, [], undefined, 'fn');
    return place ? { line: place.line, column: place.column } : undefined;
  } catch {
    return undefined;
  }
}

function onAbort(context: VitestContext): void {
  running.delete(context);
  const reason = context.signal?.reason as { message?: unknown } | undefined;
  if (!reason || typeof reason !== 'object' || typeof reason.message !== 'string' || !TIMEOUT.test(reason.message)) return;
  try {
    const dump: Dump = dumpModules().snapshotter.takeSnapshot({ trigger: 'api' });
    const others = [...running].map(bodyOf).filter((p): p is FunctionPlace => p !== undefined);
    const report = stuckTestReport(dump, { name: context.task.name, body: bodyOf(context), otherBodies: others }, process.cwd());
    reason.message = `${reason.message}\n${report}`;
  } catch (error) {
    reason.message = `${reason.message}\nawaitwhat: could not name what the test waits for: ${terminalSafe(String((error as Error)?.message ?? error))}`;
  }
}

beforeEach((context) => {
  const ctx = context as unknown as VitestContext;
  if (!ctx.signal) return;
  running.add(ctx);
  ctx.signal.addEventListener('abort', () => onAbort(ctx), { once: true });
  return () => void running.delete(ctx);
});
