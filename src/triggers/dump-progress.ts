/**
 * The register's side of the progress record (`internal/dump-progress.ts`): a SIGUSR2 dump
 * publishes what it is doing in `.awaitwhat-<pid>.progress`, in the directory its dump goes to,
 * so that `awaitwhat dump <pid>` can show it and tell "busy in a snapshot" from "blocked".
 *
 * It runs inside the program being diagnosed: synchronous file calls, every failure swallowed
 * (no record is the worst outcome), and the record removed on every path: the dump's end
 * (written, failed, refused), and the program's exit while a dump is under way.
 */
import { join } from 'node:path';
import { removeDumpProgress, writeDumpProgress, type DumpProgress, type ProgressUpdate } from '../internal/dump-progress.js';
import { progressFileName } from '../internal/protocol-strings.js';

/** A dump's progress record: updated at each phase, ended once. */
export interface ProgressRecord {
  /** Records a phase change (the first update, with the estimates, creates the file). */
  update(update: ProgressUpdate): void;
  /** Removes the record; later updates are ignored. */
  end(): void;
}

/** Captured at load: the program may replace these before a dump. */
const dateNow = Date.now;
const processOn = process.on.bind(process);
const processOff = process.off.bind(process);

/**
 * Starts the progress record of a dump that writes into `directory`. Never throws; if the
 * directory cannot be named, the record is a no-op.
 */
export function startProgress(directory: () => string): ProgressRecord {
  let path: string | undefined;
  let record: DumpProgress | undefined;
  let ended = false;
  const startedAt = dateNow();
  const onExit = (): void => removeDumpProgress(path!);
  const update = (change: ProgressUpdate): void => {
    if (ended) return;
    try {
      const now = dateNow();
      if (record === undefined) {
        path ??= join(directory(), progressFileName(process.pid));
        record = { pid: process.pid, phase: change.phase, startedAt, phaseAt: now, mode: 'full', heapUsedBytes: 0, estimatedPeakBytes: 0, estimatedPauseMs: 0 };
        processOn('exit', onExit);
      }
      record = { ...record, ...change, phaseAt: now };
      writeDumpProgress(path!, record);
    } catch {
      // No record: the CLI then only has the CPU to go by.
    }
  };
  const end = (): void => {
    if (ended) return;
    ended = true;
    if (record === undefined || path === undefined) return;
    try {
      processOff('exit', onExit);
    } catch {
      // The exit listener then removes an already removed file: harmless.
    }
    removeDumpProgress(path);
  };
  return { update, end };
}
