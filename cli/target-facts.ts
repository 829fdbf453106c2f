/**
 * What `awaitwhat dump <pid>` and `awaitwhat run` learn about a process before sending it
 * anything (Linux, through `src/internal/proc.ts`): whether it is Node.js and loads
 * awaitwhat's register, which signals it catches, its own pid inside its pid namespace, and
 * where its dumps go — and whether it can write there.
 *
 * @packageDocumentation
 */

import { readFileSync, statSync } from 'node:fs';
import { basename, isAbsolute, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { splitNodeOptions } from '../src/internal/node-options.js';
import {
  catchesSignal,
  cpuSeconds,
  descendantPids,
  LINUX_SIGUSR2,
  maskHasSignal,
  mountOf,
  ownPidFromStatus,
  procPath,
  readCmdline,
  readEnviron,
  readMounts,
  readProcLink,
  readState,
  readStatus,
  sharesFilesystemView,
  type ProcStatus,
} from '../src/internal/proc.js';
import { registerPath } from './capture.js';

export { LINUX_SIGUSR1, LINUX_SIGUSR2, maskHasSignal, parseSignalMask } from '../src/internal/proc.js';

/** CAP_DAC_OVERRIDE (capability 1): file permission checks do not apply. */
const CAP_DAC_OVERRIDE_BIT = 2;

/** How long CPU time is sampled to decide whether a silent target is busy, ms. */
const CPU_SAMPLE_MS = 250;
/** Share of one core above which a silent target is considered busy (its loop blocked). */
const BUSY_SHARE = 0.3;
/** How many times the main thread's state is read while sampling. */
const STATE_SAMPLES = 10;
/** Share of those samples in which a busy main thread is runnable. */
const RUNNABLE_SHARE = 0.8;

/** What `/proc` says about a process (Linux); fields are undefined when unreadable. */
export interface TargetFacts {
  pid: number;
  /** Resolved `/proc/<pid>/exe`. */
  exe?: string;
  /** `/proc/<pid>/cmdline`, split. */
  argv?: string[];
  /** `/proc/<pid>/environ`: the environment it was started with (not later changes). */
  env?: Map<string, string>;
  /** `SigCgt` mask: signals with a handler. */
  caught?: bigint;
  /** Resolved `/proc/<pid>/cwd`. */
  cwd?: string;
  /** `/proc/<pid>/status`: pid namespaces, credentials. */
  status?: ProcStatus;
}

/** Reads what `/proc` tells about `pid`, without signalling it. */
export function readTargetFacts(pid: number): TargetFacts {
  const facts: TargetFacts = { pid };
  const exe = readProcLink(pid, 'exe');
  if (exe !== undefined) facts.exe = exe;
  const argv = readCmdline(pid);
  if (argv !== undefined) facts.argv = argv;
  const env = readEnviron(pid);
  if (env !== undefined) facts.env = env;
  const status = readStatus(pid);
  if (status !== undefined) {
    facts.status = status;
    if (status.caught !== undefined) facts.caught = status.caught;
  }
  const cwd = readProcLink(pid, 'cwd');
  if (cwd !== undefined) facts.cwd = cwd;
  return facts;
}

/** Whether the facts show a handler for signal `signal`; `undefined` when unknown. */
export function catches(facts: TargetFacts, signal: number): boolean | undefined {
  return catchesSignal(facts.caught, signal);
}

/** The pid the target calls itself (`process.pid`, the last of `NSpid`): the pid in its dump file names. */
export function ownPidOf(facts: TargetFacts): number {
  return ownPidFromStatus(facts.status, facts.pid);
}

/** `utime + stime` of `pid` in seconds; re-exported for tests. */
export { cpuSeconds };

/**
 * Whether `pid`'s main thread is busy: over {@link CPU_SAMPLE_MS} it used at least
 * {@link BUSY_SHARE} of a core, or it was runnable (`R`) in most samples of its state. The
 * second holds on a loaded machine too, where a spinning thread waits for a core and its CPU
 * share says little; an idle Node.js main thread sleeps in its event loop (`S`).
 */
export async function isBusy(pid: number): Promise<boolean | undefined> {
  const before = cpuSeconds(pid);
  const started = performance.now();
  let samples = 0;
  let runnable = 0;
  for (let i = 0; i < STATE_SAMPLES; i++) {
    const state = readState(pid);
    if (state !== undefined) samples++;
    if (state === 'R') runnable++;
    await sleep(CPU_SAMPLE_MS / STATE_SAMPLES);
  }
  const after = cpuSeconds(pid);
  if (before === undefined || after === undefined) return undefined;
  const wall = (performance.now() - started) / 1000;
  return (after - before) / wall >= BUSY_SHARE || (samples > 0 && runnable / samples >= RUNNABLE_SHARE);
}

/**
 * Whether one command-line word (or `NODE_OPTIONS` word) names awaitwhat's register: the
 * package specifier `awaitwhat/register`, or a path / file URL of a `dist/src/register.js`
 * inside an installed awaitwhat (this copy or another one), relative paths resolved against
 * the target's working directory.
 */
export function namesRegister(word: string, cwd: string | undefined): boolean {
  const value = word.replace(/^--(import|require|loader|experimental-loader)=/, '').replace(/^["']|["']$/g, '');
  if (/(^|\/)awaitwhat\/register(\.js)?$/.test(value)) return true;
  if (!/register\.js$/.test(value)) return false;
  let path: string;
  try {
    path = value.startsWith('file:') ? fileURLToPath(value) : resolve(cwd ?? '/', value);
  } catch {
    return false;
  }
  if (path === registerPath()) return true;
  if (!/[\\/]dist[\\/]src[\\/]register\.js$/.test(path)) return false;
  try {
    const pkg = JSON.parse(readFileSync(resolve(path, '../../../package.json'), 'utf8')) as { name?: unknown };
    return pkg.name === 'awaitwhat';
  } catch {
    return false;
  }
}

/** Whether the target loads the register, as far as its command line and environment show. */
export function runsRegister(facts: TargetFacts): boolean {
  const words = [...(facts.argv ?? []), ...splitNodeOptions(facts.env?.get('NODE_OPTIONS') ?? '')];
  return words.some((w) => namesRegister(w, facts.cwd));
}

/** Whether the target is a Node.js binary (by its executable, else its argv[0]). */
export function looksLikeNode(facts: TargetFacts): boolean {
  const names = [facts.exe, facts.argv?.[0]].filter((x): x is string => !!x).map((p) => basename(p));
  return names.some((n) => /^node(js)?(-?v?\d+(\.\d+)*)?(\.exe)?$/i.test(n));
}

/** Whether the target is `awaitwhat run` (this CLI's `run` command). */
export function isRunWrapper(facts: TargetFacts): boolean {
  const argv = facts.argv ?? [];
  const script = argv[1] ? basename(argv[1]) : '';
  if (!(script === 'awaitwhat' || (script === 'main.js' && /cli[\\/]main\.js$/.test(argv[1] ?? '')))) return false;
  return argv[2] === 'run';
}

/** Whether `pid` runs the register and catches `SIGUSR2`: sending it `SIGUSR2` makes a dump. */
export function isDumpable(pid: number): boolean {
  const facts = readTargetFacts(pid);
  return runsRegister(facts) && catches(facts, LINUX_SIGUSR2) === true;
}

/**
 * The processes of the tree under `root` that a dump is about: those that run the register
 * and catch `SIGUSR2`, innermost only. A launcher that also loaded the register through
 * `NODE_OPTIONS` (`npm`, `npx`, a process manager) has such a process below it and is left
 * out; `sh -c` never qualifies (no register, and `SIGUSR2` would kill it).
 *
 * @param includeRoot - whether `root` itself may be one of them
 */
export function dumpableProcesses(root: number, includeRoot: boolean): number[] {
  const all = includeRoot ? [root, ...descendantPids(root)] : descendantPids(root);
  const dumpable = all.filter(isDumpable);
  const set = new Set(dumpable);
  return dumpable.filter((pid) => !descendantPids(pid).some((d) => set.has(d)));
}

/** Where the target's dumps go: as the target names it, and the path to reach it from here. */
export interface DumpDirectory {
  /** The directory as the target sees it (its `AWAITWHAT_DIR` resolved against its cwd, or its cwd). */
  shown: string;
  /** The same directory as this process reaches it: through `/proc/<pid>/root` or `/proc/<pid>/cwd` when the target has another filesystem view (a container). */
  access: string;
}

/** The directory the register in the target writes to, or `undefined` if unknown. */
export function targetDumpDir(facts: TargetFacts): DumpDirectory | undefined {
  const dir = facts.env?.get('AWAITWHAT_DIR');
  const shown = dir ? (facts.cwd ? resolve(facts.cwd, dir) : resolve(dir)) : facts.cwd;
  if (shown === undefined) return undefined;
  if (sharesFilesystemView(facts.pid) !== false) return { shown, access: shown };
  // Another mount namespace or root: its paths mean something else here.
  const access = !dir ? procPath(facts.pid, 'cwd') : join(procPath(facts.pid, isAbsolute(dir) ? 'root' : 'cwd'), dir);
  return { shown, access };
}

/**
 * Why the target could not write a dump into `dir`, or `undefined` when it can (as far as
 * permissions, ownership and read-only mounts show: ACLs and security modules are not read).
 */
export function dumpDirProblem(facts: TargetFacts, dir: DumpDirectory): string | undefined {
  let stats: ReturnType<typeof statSync>;
  try {
    stats = statSync(dir.access);
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    return code === 'ENOENT' ? 'does not exist' : `cannot be checked (${code ?? (cause as Error).message})`;
  }
  if (!stats.isDirectory()) return 'is not a directory';
  const mount = facts.status && readMounts(facts.pid);
  const on = mount ? mountOf(mount, dir.shown) : undefined;
  if (on?.readOnly) return `is on a read-only mount (${on.mountPoint})`;
  const status = facts.status;
  if (!status?.uids || !status.gids) return undefined;
  if (status.capEff !== undefined && maskHasSignal(status.capEff, CAP_DAC_OVERRIDE_BIT)) return undefined;
  const uid = status.uids[3]!;
  const gid = status.gids[3]!;
  // Creating a file needs write and search permission on the directory, from the one class that applies.
  const bits =
    uid === stats.uid ? (stats.mode >> 6) & 0o7
    : gid === stats.gid || (status.groups ?? []).includes(stats.gid) ? (stats.mode >> 3) & 0o7
    : stats.mode & 0o7;
  if ((bits & 0o3) === 0o3) return undefined;
  const mode = (stats.mode & 0o7777).toString(8).padStart(3, '0');
  return `is not writable by its uid ${uid} (mode ${mode}, owner uid ${stats.uid} gid ${stats.gid})`;
}
