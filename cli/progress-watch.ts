/**
 * What `awaitwhat dump <pid>` learns, while it waits, from the progress record the target's
 * register keeps during a dump (`src/internal/dump-progress.ts`): which phase, since when, and
 * the memory guard's estimates. A live record means "busy taking its dump": the target burns
 * the CPU as a blocked loop does, but it must not be attached to (its inspector would open
 * only after the snapshot, and stay open).
 *
 * A record is live only if its process still runs and started before the record did: a record
 * left by a process that was killed mid-dump (SIGKILL, the OOM killer: no exit listener runs)
 * names a pid that is gone, or one a newer process now has.
 *
 * @packageDocumentation
 */

import { join } from 'node:path';
import { readDumpProgress, type DumpProgress } from '../src/internal/dump-progress.js';
import { formatBytes } from '../src/internal/memory-headroom.js';
import { processExists, processStartedAt } from '../src/internal/proc.js';
import { progressFileName } from '../src/internal/protocol-strings.js';

/**
 * How far a record's start may precede its process's start and still be its own, ms: the two
 * come from different clocks (the kernel's boot time, to 10 ms, and the program's `Date.now()`).
 */
const CLOCK_SLACK_MS = 2000;

/** No note for a dump that ends within this long of the signal, ms: a quick dump stays quiet. */
const QUIET_MS = 1000;
/** Shortest time between two progress notes, ms. */
const MIN_NOTE_INTERVAL_MS = 1000;
/** A note is repeated this often while nothing changes, ms (with the time so far). */
const REPEAT_NOTE_MS = 5000;

/** Beyond `--timeout`, how long a dump under way is waited for: at least this, ms… */
const MIN_EXTRA_WAIT_MS = 60_000;
/** …or this many times its estimated pause (a loaded machine takes several times longer). */
const PAUSE_ESTIMATE_FACTOR = 10;

/**
 * The live progress record of `pid` (calling itself `ownPid`) in `dir`, or `undefined`: none,
 * unreadable, or stale (its process gone, or younger than the record says it is).
 */
export function liveProgress(pid: number, ownPid: number, dir: string): DumpProgress | undefined {
  const record = readDumpProgress(join(dir, progressFileName(ownPid)));
  if (record === undefined || record.pid !== ownPid || !processExists(pid)) return undefined;
  const started = processStartedAt(pid);
  if (started !== undefined && record.startedAt < started - CLOCK_SLACK_MS) return undefined;
  return record;
}

/**
 * How long after `--timeout` a dump under way is still waited for, ms: the larger of a minute and
 * ten times its estimated pause. Past it, `dump <pid>` gives up without attaching.
 */
export function extraWaitMs(record: DumpProgress): number {
  return Math.max(MIN_EXTRA_WAIT_MS, PAUSE_ESTIMATE_FACTOR * record.estimatedPauseMs);
}

const seconds = (ms: number): string => `${Math.max(0, Math.round(ms / 1000))} s`;

/** What the target is doing, for a person: "is taking a heap snapshot (…)". */
export function describeProgress(record: DumpProgress): string {
  const estimate = `estimated peak +${formatBytes(record.estimatedPeakBytes)}, ~${seconds(record.estimatedPauseMs)} paused, used heap ${formatBytes(record.heapUsedBytes)}`;
  switch (record.phase) {
    case 'snapshot':
      return record.mode === 'fast' ? `is taking a fast dump (${estimate})` : `is taking a heap snapshot (${estimate})`;
    case 'analysis':
      return 'has taken its heap snapshot and is analysing it in a worker thread (the program runs again)';
    case 'threads':
      return "is collecting its worker threads' graphs";
    case 'writing':
      return 'is writing its dump file';
  }
}

/**
 * Prints the progress of a dump on the `note` line, at most once a second, and only when the
 * phase changed or every few seconds (with the time so far); nothing in the first second.
 */
export class ProgressNotes {
  private lastAt = -Infinity;
  private lastPhase: string | undefined;

  constructor(
    private readonly pid: number,
    private readonly note: (line: string) => void,
    /** When the wait started, epoch ms. */
    private readonly since = Date.now(),
  ) {}

  /** Shows `record` if it is news, or if the last note is old enough. */
  show(record: DumpProgress, now = Date.now()): void {
    const phase = `${record.startedAt}:${record.phase}`;
    const since = now - this.lastAt;
    if (now - this.since < QUIET_MS || since < MIN_NOTE_INTERVAL_MS || (phase === this.lastPhase && since < REPEAT_NOTE_MS)) return;
    this.lastAt = now;
    this.lastPhase = phase;
    this.note(`pid ${this.pid} ${describeProgress(record)}, ${seconds(now - record.startedAt)} so far…`);
  }
}
