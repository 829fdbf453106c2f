/**
 * Test-only fault injection: `AWAITWHAT_FAULT=<phase>` makes one phase of a dump fail as it
 * could in the field, so that tests can check, phase by phase, that the host survives with
 * its own exit code and output, that stderr gets one line naming the cause, and that no
 * partial file is left.
 *
 * Read only when a dump runs (one environment lookup per dump; nothing on the hot path).
 * Not a feature: undocumented outside docs/reliability.md, and never set by awaitwhat itself.
 *
 * | phase | where it fails |
 * |---|---|
 * | `capture` | taking the heap snapshot (main thread) |
 * | `parse` | reading the snapshot's bytes (worker, or main thread for a synchronous dump) |
 * | `worker-crash` | the analysis worker dies of an uncaught exception |
 * | `lookup` | the main thread stops answering the worker's lookups |
 * | `write` | the disk fills up while the dump file is written |
 * | `inspector` | no inspector session can be opened |
 *
 * @internal
 */
import { existsSync } from 'node:fs';

/** The phases a fault can be injected into. */
export type FaultPhase = 'capture' | 'parse' | 'worker-crash' | 'lookup' | 'write' | 'inspector';

/** The phase `AWAITWHAT_FAULT` names, if any (read now). */
export function requestedFault(env: NodeJS.ProcessEnv = process.env): FaultPhase | undefined {
  const value = env.AWAITWHAT_FAULT;
  return value === 'capture' || value === 'parse' || value === 'worker-crash' || value === 'lookup' || value === 'write' || value === 'inspector' ? value : undefined;
}

/** The text of an injected failure: says it was injected, and by what. */
export function injectedFault(phase: FaultPhase): string {
  return `injected fault (AWAITWHAT_FAULT=${phase})`;
}

/** Bytes written before an injected full disk (`write`). */
export const FAULT_WRITE_AFTER_BYTES = 1024;

/**
 * Test-only: `AWAITWHAT_TEST_HOLD_SNAPSHOT=<path>` makes a background (SIGUSR2) dump spin on the
 * CPU, as a long heap snapshot does, right before taking its snapshot, until `<path>` exists
 * (at most {@link HOLD_LIMIT_MS}): a test can then watch `awaitwhat dump <pid>` wait on a dump
 * that is "busy taking a snapshot", as long as it needs, and end it when it wants.
 * Not a feature: documented in docs/reliability.md only.
 */
export function holdBeforeSnapshot(env: NodeJS.ProcessEnv = process.env): void {
  const path = env.AWAITWHAT_TEST_HOLD_SNAPSHOT;
  if (!path) return;
  const until = Date.now() + HOLD_LIMIT_MS;
  // Spinning, not sleeping: the CLI must see a process that burns the CPU, as in a snapshot.
  while (!existsSync(path) && Date.now() < until) {
    const spin = Date.now() + 5;
    while (Date.now() < spin) {
      // busy
    }
  }
}

/** The longest {@link holdBeforeSnapshot} holds, ms: a forgotten file never hangs a test run. */
export const HOLD_LIMIT_MS = 120_000;
