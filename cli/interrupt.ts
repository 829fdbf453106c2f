/**
 * Ctrl-C, `kill` and a closed terminal while `awaitwhat dump` holds something open in another
 * process: SIGINT, SIGTERM and SIGHUP abort the work instead of killing the CLI on the spot,
 * the work closes what it opened (the target's inspector), says so in one line, and the CLI
 * then dies of the same signal, so the shell sees the conventional status (130, 143, 129).
 * A second signal does not wait for the cleanup.
 *
 * @packageDocumentation
 */

import { constants } from 'node:os';
import { terminalSafe } from '../src/internal/terminal-text.js';

/** The signals that stop the work, with cleanup. */
export const INTERRUPTING_SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/** Dies of `signal` as if no handler had been installed (falls back to exit 128 + n). */
function dieOf(signal: NodeJS.Signals): never {
  for (const s of INTERRUPTING_SIGNALS) process.removeAllListeners(s);
  process.kill(process.pid, signal);
  process.exit(128 + (constants.signals[signal] ?? 0));
}

/**
 * Runs `work` with the interrupting signals turned into an abort of its `AbortSignal`. If one
 * arrived, prints the outcome's one line (the work's error says what was closed) and dies of
 * that signal; otherwise returns or throws what `work` did.
 */
export async function untilInterrupted<T>(work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  let received: NodeJS.Signals | undefined;
  const handlers = INTERRUPTING_SIGNALS.map((signal) => {
    const handler = (): void => {
      if (received !== undefined) {
        process.stderr.write(`awaitwhat: ${signal} again: exiting without waiting for the cleanup (the target's inspector may stay open)\n`);
        dieOf(signal);
      }
      received = signal;
      controller.abort(signal);
    };
    process.on(signal, handler);
    return [signal, handler] as const;
  });
  const uninstall = (): void => {
    for (const [signal, handler] of handlers) process.off(signal, handler);
  };
  let outcome: { value: T } | { error: unknown };
  try {
    outcome = { value: await work(controller.signal) };
  } catch (error) {
    outcome = { error };
  }
  uninstall();
  if (received === undefined) {
    if ('error' in outcome) throw outcome.error;
    return outcome.value;
  }
  const line =
    !('error' in outcome) ? `interrupted (${received}) after the dump was taken (nothing left open); not shown`
    : outcome.error instanceof Error ? outcome.error.message.split('\n', 1)[0]!
    : `interrupted (${received})`;
  process.stderr.write(`awaitwhat: ${terminalSafe(line)}\n`);
  return dieOf(received);
}
