/**
 * The progress record of a dump under way: a small JSON file, `.awaitwhat-<pid>.progress` in the
 * dump directory, that the register keeps while a SIGUSR2 dump runs (written at its start,
 * rewritten at each phase, removed at its end) and that `awaitwhat dump <pid>` reads from
 * outside while it waits. It is what tells "busy taking a heap snapshot" from "event loop
 * blocked": both burn the CPU, only one has a live record.
 *
 * Both sides import this module, so the format cannot change on one side only. Writing never
 * throws (a full disk or a read-only directory just means no record); reading never throws
 * (anything that does not parse is no record).
 */
import { readFileSync, rmSync } from 'node:fs';
import { writeFileAtomic } from './atomic-write.js';

/** What a dump is doing now. `snapshot`: the program is paused (heap snapshot, or a fast dump's walk). */
export type DumpPhase = 'snapshot' | 'analysis' | 'threads' | 'writing';

/** The phases, in their order. */
const PHASES: readonly DumpPhase[] = ['snapshot', 'analysis', 'threads', 'writing'];

/** The progress record, as written to the file. */
export interface DumpProgress {
  /** The pid the dumping process calls itself (as in its dump file's name). */
  pid: number;
  phase: DumpPhase;
  /** When the dump started, epoch ms. */
  startedAt: number;
  /** When the phase started, epoch ms. */
  phaseAt: number;
  /** `full` (a heap snapshot) or `fast` (no snapshot). */
  mode: 'full' | 'fast';
  /** V8's used heap when the dump started, bytes. */
  heapUsedBytes: number;
  /** The memory guard's estimate of the peak memory the dump adds, bytes. */
  estimatedPeakBytes: number;
  /** The estimate of how long the program is paused, ms. */
  estimatedPauseMs: number;
}

/** What a dump reports at a phase change: the phase, and at the first one the mode and estimates. */
export type ProgressUpdate = Pick<DumpProgress, 'phase'> & Partial<Pick<DumpProgress, 'mode' | 'heapUsedBytes' | 'estimatedPeakBytes' | 'estimatedPauseMs'>>;

/**
 * Writes `record` to `path` whole (temporary file, then rename). Never throws: returns whether
 * it was written. Synchronous, because the snapshot that follows blocks the thread anyway.
 */
export function writeDumpProgress(path: string, record: DumpProgress): boolean {
  try {
    writeFileAtomic(path, JSON.stringify(record), 0o600, {}, false);
    return true;
  } catch {
    return false;
  }
}

/** Removes the record at `path`, if any. Never throws. */
export function removeDumpProgress(path: string): void {
  try {
    rmSync(path, { force: true });
  } catch {
    // Nothing else to do: a reader checks that its writer is alive and this old.
  }
}

const isCount = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value) && value >= 0;

/** The record in `text`, or `undefined` when it is not one. */
export function parseDumpProgress(text: string): DumpProgress | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const r = value as Record<string, unknown>;
  if (!Number.isSafeInteger(r.pid) || !PHASES.includes(r.phase as DumpPhase) || (r.mode !== 'full' && r.mode !== 'fast')) return undefined;
  if (![r.startedAt, r.phaseAt, r.heapUsedBytes, r.estimatedPeakBytes, r.estimatedPauseMs].every(isCount)) return undefined;
  return {
    pid: r.pid as number,
    phase: r.phase as DumpPhase,
    startedAt: r.startedAt as number,
    phaseAt: r.phaseAt as number,
    mode: r.mode,
    heapUsedBytes: r.heapUsedBytes as number,
    estimatedPeakBytes: r.estimatedPeakBytes as number,
    estimatedPauseMs: r.estimatedPauseMs as number,
  };
}

/** The record at `path`, or `undefined` (absent, unreadable, or not a record). Never throws. */
export function readDumpProgress(path: string): DumpProgress | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
  return parseDumpProgress(text);
}
