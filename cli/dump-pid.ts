/**
 * `awaitwhat dump <pid>`: the wait-for graph of a running process, from outside.
 *
 * SIGUSR2 kills a process that has no handler for it, so the target is examined *before*
 * anything is sent (Linux, through `/proc`):
 * - `/proc/<pid>/status` `SigCgt`: whether it catches SIGUSR2 (awaitwhat's register) and SIGUSR1
 *   (Node's inspector, which attach mode opens);
 * - `/proc/<pid>/cmdline` and `/proc/<pid>/environ`: whether it is Node.js and loads
 *   awaitwhat's register (`--import …awaitwhat/register` or this package's `register.js`,
 *   on the command line or in `NODE_OPTIONS`), and its `AWAITWHAT_DIR`;
 * - `/proc/<pid>/cwd`: where the register writes dumps when `AWAITWHAT_DIR` is not set.
 *
 * - `/proc/<pid>/status` `NSpid`: the pid the target calls itself (inside a container's pid
 *   namespace it is not the pid given), which its dump files are named with; `Uid`, `Gid`,
 *   `Groups`, `CapEff` and `/proc/<pid>/mountinfo`: whether it can write its dump directory.
 *   A target in another mount namespace has its directory reached through `/proc/<pid>/root`.
 *
 * Then:
 * - `awaitwhat run` → the process of its command that runs the register, not `npm` or `sh`;
 * - register loaded and SIGUSR2 caught → check its dump directory is writable by it (else say
 *   so and send nothing), send SIGUSR2, wait for a new `awaitwhat-<own pid>-*.json` there
 *   (renamed into place, so whole once visible);
 * - meanwhile, the target's progress record (`progress-watch.ts`) is shown; while it is live
 *   the target is busy in its own dump: waited for past the timeout, never attached to;
 * - no dump and no live record within the timeout while the target burns CPU → its event loop
 *   is blocked; attach through the inspector, which can still pause it and read its stack;
 * - otherwise (no register, or `--attach`) → attach mode, never SIGUSR2.
 *
 * Elsewhere than Linux nothing can be checked without signalling: attach mode is used, and
 * SIGUSR2 is sent only with `--force-signal`.
 *
 * @packageDocumentation
 */

import { readdirSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { InterruptedError, SnapshotFailedError, UsageError } from '../src/errors.js';
import { describeProcess, LINUX_SIGUSR1, LINUX_SIGUSR2, processExists, signalProblem } from '../src/internal/proc.js';
import { DUMP_WRITTEN_PREFIX, dumpFileNamePattern } from '../src/internal/protocol-strings.js';
import type { DumpProgress } from '../src/internal/dump-progress.js';
import { terminalSafe } from '../src/internal/terminal-text.js';
import type { Dump } from '../src/model.js';
import { describeProgress, extraWaitMs, liveProgress, ProgressNotes } from './progress-watch.js';
import { readDumpFile } from './read-dump.js';
import {
  catches,
  dumpableProcesses,
  dumpDirProblem,
  isBusy,
  isRunWrapper,
  looksLikeNode,
  ownPidOf,
  readTargetFacts,
  runsRegister,
  targetDumpDir,
  type DumpDirectory,
} from './target-facts.js';

export {
  cpuSeconds,
  LINUX_SIGUSR1,
  LINUX_SIGUSR2,
  looksLikeNode,
  maskHasSignal,
  namesRegister,
  parseSignalMask,
  readTargetFacts,
  runsRegister,
  targetDumpDir,
  type TargetFacts,
} from './target-facts.js';

/** Default `--timeout`: how long to wait for the target's dump, ms. */
export const DEFAULT_DUMP_TIMEOUT_MS = 30_000;

/** Options of {@link dumpPid}. */
export interface DumpPidOptions {
  /** How long to wait for the dump (signal mode) or for the inspector (attach mode), ms. */
  timeoutMs?: number;
  /** Attach through the inspector even if the target runs the register. */
  attach?: boolean;
  /** Send SIGUSR2 without confirming the register (needed off Linux). */
  forceSignal?: boolean;
  /** Directory the target writes dumps to (default: its `AWAITWHAT_DIR`, else its cwd). */
  dir?: string;
  /** The target's inspector port, for attach mode (default: its `--inspect-port`, else 9229). */
  port?: number;
  /** Stops waiting; in attach mode the target's inspector is closed again first. */
  signal?: AbortSignal;
  /** Where the one-line notes go (default: stderr, prefixed with `awaitwhat: `). */
  note?: (line: string) => void;
  /** Platform to behave as (tests); default `process.platform`. */
  platform?: NodeJS.Platform;
}

/** What {@link dumpPid} returns. */
export interface DumpPidResult {
  dump: Dump;
  /** How the dump was obtained. */
  mode: 'signal' | 'attach';
  /** The dump file the target wrote (signal mode). */
  path?: string;
}

/** Parses the `<pid>` argument. */
export function parsePid(text: string | number): number {
  const value = String(text).trim();
  if (!/^\d+$/.test(value) || Number(value) <= 0 || !Number.isSafeInteger(Number(value))) {
    throw new UsageError(`pid must be a positive integer, got "${value}" (see awaitwhat --help)`);
  }
  return Number(value);
}

/** Checks that `pid` exists and may be signalled (signal 0 sends nothing). */
export function checkSignallable(pid: number): void {
  const cause = signalProblem(pid);
  if (cause !== undefined) {
    const code = cause.code;
    if (code === 'ESRCH') throw new SnapshotFailedError(`no process with pid ${pid}`, { cause });
    if (code === 'EPERM') throw new SnapshotFailedError(`not allowed to signal pid ${pid}`, { cause });
    throw new SnapshotFailedError(`cannot signal pid ${pid}: ${cause.message}`, { cause });
  }
}


function listDumps(dir: string, pattern: RegExp): string[] {
  try {
    return readdirSync(dir).filter((f) => pattern.test(f)).sort();
  } catch {
    return [];
  }
}

/** What {@link attach} passes on to attach mode. */
interface AttachRequest {
  timeoutMs: number;
  port?: number;
  signal?: AbortSignal;
  note?: (line: string) => void;
}

/**
 * Attach mode (`src/attach/`), loaded lazily: the inspector client it needs is only loaded
 * when attaching, not for every command.
 */
async function attach(pid: number, request: AttachRequest): Promise<Dump> {
  const { attachSnapshot } = await import('../src/attach/index.js');
  try {
    return await attachSnapshot(pid, request);
  } catch (error) {
    // Messages may quote the target (an evaluation's exception, its inspector's answers).
    if (error instanceof Error) error.message = terminalSafe(error.message);
    throw error;
  }
}

/** The interruption while waiting for a dump file: nothing was opened, nothing to close. */
function interruptedWaiting(pid: number, signal: AbortSignal): InterruptedError {
  return new InterruptedError(`interrupted (${String(signal.reason)}) while waiting for the dump of pid ${pid}; it may still write it`);
}

/** How {@link signalAndWait} ended without a dump file. */
type NoDump = { blocked: boolean | undefined; busyTooLong?: undefined } | { busyTooLong: { waitedMs: number; record: DumpProgress }; blocked?: undefined };

/**
 * Sends SIGUSR2 and waits for the dump file, named with `ownPid` (the pid the target calls
 * itself, which differs inside a pid namespace), showing the target's progress record as it
 * goes (`progress-watch.ts`). `timeoutMs` bounds the wait for the dump to *start*: while the
 * target's record shows a dump under way, it is waited for up to {@link extraWaitMs} longer.
 * Without a dump or a live record by then, says whether the target is busy on the CPU.
 */
async function signalAndWait(
  pid: number,
  ownPid: number,
  dir: DumpDirectory,
  timeoutMs: number,
  signal: AbortSignal | undefined,
  note: (line: string) => void,
): Promise<{ path: string; dump: Dump } | NoDump> {
  const pattern = dumpFileNamePattern(ownPid);
  const before = new Set(listDumps(dir.access, pattern));
  process.kill(pid, 'SIGUSR2');
  const started = performance.now();
  const deadline = started + timeoutMs;
  let extendedUntil: number | undefined;
  const notes = new ProgressNotes(pid, note);
  for (;;) {
    // The record before the listing: the register renames its dump into place, then removes
    // the record, so a record gone here means the file (if any) is seen below.
    const record = liveProgress(pid, ownPid, dir.access);
    const fresh = listDumps(dir.access, pattern).filter((f) => !before.has(f));
    const newest = fresh[fresh.length - 1];
    if (newest !== undefined) {
      const path = join(dir.access, newest);
      return { path, dump: readDumpFile(path, terminalSafe(path)) };
    }
    if (!processExists(pid)) throw new SnapshotFailedError(`pid ${pid} exited before writing a dump`);
    if (signal?.aborted) throw interruptedWaiting(pid, signal);
    if (record) notes.show(record);
    const now = performance.now();
    if (now >= deadline) {
      if (record) {
        if (extendedUntil === undefined) {
          extendedUntil = deadline + extraWaitMs(record);
          note(
            `pid ${pid} wrote no dump within ${timeoutMs} ms, but it ${describeProgress(record)}: busy with its dump, not blocked; ` +
              `waiting up to ${Math.round(extraWaitMs(record) / 1000)} s more, never attaching meanwhile`,
          );
        } else if (now >= extendedUntil) {
          return { busyTooLong: { waitedMs: now - started, record } };
        }
      } else {
        const blocked = await isBusy(pid);
        // The dump may have started while the CPU was sampled: then it is not a blocked loop.
        if (!(blocked && liveProgress(pid, ownPid, dir.access))) return { blocked };
      }
    }
    await sleep(50);
  }
}

/**
 * If `pid` is `awaitwhat run`, the process of its command to dump instead: the innermost
 * one that runs the register and catches SIGUSR2 (not `npm` or `sh` in between).
 */
function unwrapRun(pid: number, note: (line: string) => void): number {
  const wrapper = readTargetFacts(pid);
  if (!isRunWrapper(wrapper)) return pid;
  const inner = dumpableProcesses(pid, false);
  if (inner.length === 1) {
    note(`pid ${pid} is "awaitwhat run"; dumping ${describeProcess(inner[0]!)}, the process of its command that runs the register`);
    return inner[0]!;
  }
  if (inner.length === 0) {
    throw new SnapshotFailedError(`pid ${pid} is "awaitwhat run", and no process of its command has awaitwhat's SIGUSR2 listener (yet)`);
  }
  throw new SnapshotFailedError(
    `pid ${pid} is "awaitwhat run", and ${inner.length} processes of its command run the register: ${inner.map(describeProcess).join(', ')}; dump one of them`,
  );
}

/**
 * Dumps process `pid`: through its register (SIGUSR2) when it runs one, through its
 * inspector otherwise. See the module comment for the decision.
 *
 * @throws {@link UsageError} for a pid that is awaitwhat itself
 * @throws {@link SnapshotFailedError} with a one-line message for every case that yields no dump
 * @throws {@link InterruptedError} when `options.signal` aborted it (after closing what it opened)
 */
export async function dumpPid(pid: number, options: DumpPidOptions = {}): Promise<DumpPidResult> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_DUMP_TIMEOUT_MS;
  const note = options.note ?? ((line: string) => process.stderr.write(`awaitwhat: ${terminalSafe(line)}\n`));
  const platform = options.platform ?? process.platform;
  const { signal } = options;
  const request: AttachRequest = {
    timeoutMs,
    ...(options.port !== undefined ? { port: options.port } : {}),
    ...(signal ? { signal } : {}),
    note,
  };
  if (pid === process.pid) throw new UsageError('that pid is awaitwhat itself');
  checkSignallable(pid);

  if (platform !== 'linux') {
    if (options.forceSignal && !options.attach) {
      const at = resolve(options.dir ?? process.cwd());
      const outcome = await signalAndWait(pid, pid, { shown: at, access: at }, timeoutMs, signal, note);
      if ('dump' in outcome) return { mode: 'signal', ...outcome };
      throw new SnapshotFailedError(`pid ${pid} wrote no dump into ${terminalSafe(at)} within ${timeoutMs} ms of SIGUSR2`);
    }
    note(`cannot check pid ${pid} for a SIGUSR2 handler on ${platform}; attaching through its inspector (SIGUSR1) (--force-signal sends SIGUSR2)`);
    return { mode: 'attach', dump: await attach(pid, request) };
  }

  pid = unwrapRun(pid, note);
  checkSignallable(pid);
  const facts = readTargetFacts(pid);

  const register = runsRegister(facts);
  if (!register && !looksLikeNode(facts)) {
    const what = facts.exe ?? facts.argv?.[0];
    throw new SnapshotFailedError(`pid ${pid} is not a Node.js process${what ? ` (${terminalSafe(basename(what))})` : ''}`);
  }
  const catchesUsr2 = catches(facts, LINUX_SIGUSR2);
  const catchesUsr1 = catches(facts, LINUX_SIGUSR1);

  const attachSafely = async (why: string): Promise<DumpPidResult> => {
    if (catchesUsr1 === false) {
      throw new SnapshotFailedError(`${why}, and pid ${pid} has no SIGUSR1 handler (its inspector is disabled): SIGUSR1 would kill it; not attaching`);
    }
    note(`${why}; attaching through its inspector (SIGUSR1)`);
    return { mode: 'attach', dump: await attach(pid, request) };
  };

  if (options.attach) return attachSafely(`attach mode requested for pid ${pid}`);

  if ((register && catchesUsr2 === true) || (options.forceSignal && catchesUsr2 !== false)) {
    const dir = options.dir !== undefined ? { shown: resolve(options.dir), access: resolve(options.dir) } : targetDumpDir(facts);
    if (dir === undefined) throw new SnapshotFailedError(`cannot find the dump directory of pid ${pid} (pass --dir)`);
    const shown = terminalSafe(dir.shown);
    // The register would only report the failure on the target's own stderr: say it here, before signalling.
    const problem = dumpDirProblem(facts, dir);
    if (problem) {
      throw new SnapshotFailedError(
        `pid ${pid}'s dump directory ${shown} ${problem}: its dump would fail, so SIGUSR2 is not sent; start it with AWAITWHAT_DIR set to a directory it can write, or use --attach`,
      );
    }
    const outcome = await signalAndWait(pid, ownPidOf(facts), dir, timeoutMs, signal, note);
    if ('dump' in outcome) return { mode: 'signal', ...outcome };
    if (outcome.busyTooLong) {
      const { waitedMs, record } = outcome.busyTooLong;
      throw new SnapshotFailedError(
        `pid ${pid} ${describeProgress(record)} and wrote no dump within ${Math.round(waitedMs / 1000)} s: gave up waiting, not attaching (its loop is not blocked); ` +
          `it writes the dump into ${shown} when done (its stderr then says "${DUMP_WRITTEN_PREFIX}…")`,
      );
    }
    if (outcome.blocked) {
      return attachSafely(`pid ${pid} wrote no dump within ${timeoutMs} ms and is busy on the CPU: its event loop is blocked`);
    }
    throw new SnapshotFailedError(
      `pid ${pid} wrote no dump into ${shown} within ${timeoutMs} ms of SIGUSR2 while idle: its dump failed (its stderr has a line "awaitwhat: dump failed: …") or its SIGUSR2 listener is not awaitwhat's`,
    );
  }

  if (options.forceSignal && catchesUsr2 === false) {
    throw new SnapshotFailedError(`pid ${pid} has no SIGUSR2 handler: SIGUSR2 would kill it; not sending it`);
  }
  if (register) return attachSafely(`pid ${pid} loads awaitwhat's register but has no SIGUSR2 handler yet`);
  return attachSafely(`pid ${pid} does not run awaitwhat`);
}
