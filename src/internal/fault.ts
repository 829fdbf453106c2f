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
