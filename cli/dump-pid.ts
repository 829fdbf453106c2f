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
 * Then:
 * - register loaded and SIGUSR2 caught → send SIGUSR2, wait for a new
 *   `awaitwhat-<pid>-*.json` in its dump directory (renamed into place, so whole once visible);
 * - no dump within the timeout while the target burns CPU → its event loop is blocked; attach
 *   through the inspector, which can still pause it and read its stack;
 * - otherwise (no register, or `--attach`) → attach mode, never SIGUSR2.
 *
 * Elsewhere than Linux nothing can be checked without signalling: attach mode is used, and
 * SIGUSR2 is sent only with `--force-signal`.
 *
 * @packageDocumentation
 */

import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { DumpUnreadableError, SnapshotFailedError, UsageError } from '../src/errors.js';
import type { Dump } from '../src/model.js';
import { parseDump } from '../src/serialize/json.js';
import { registerPath } from './capture.js';

/** SIGUSR1 on Linux: Node's inspector listens for it. */
export const LINUX_SIGUSR1 = 10;
/** SIGUSR2 on Linux: awaitwhat's register listens for it; without a handler it kills. */
export const LINUX_SIGUSR2 = 12;

/** Default `--timeout`: how long to wait for the target's dump, ms. */
export const DEFAULT_DUMP_TIMEOUT_MS = 30_000;

/** How long CPU time is sampled to decide whether a silent target is busy, ms. */
const CPU_SAMPLE_MS = 250;
/** Share of one core above which a silent target is considered busy (its loop blocked). */
const BUSY_SHARE = 0.3;
/** `/proc/<pid>/stat` times are in USER_HZ, fixed at 100 by the Linux ABI. */
const USER_HZ = 100;

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
}

/** Parses a `/proc/<pid>/status` signal mask (hexadecimal). */
export function parseSignalMask(hex: string): bigint {
  return BigInt(`0x${hex.trim()}`);
}

/** Whether signal number `signal` is set in a `SigCgt`-style mask (bit `signal - 1`). */
export function maskHasSignal(mask: bigint, signal: number): boolean {
  return ((mask >> BigInt(signal - 1)) & 1n) === 1n;
}

function tryRead(path: string): Buffer | undefined {
  try {
    return readFileSync(path);
  } catch {
    return undefined;
  }
}

function tryReadlink(path: string): string | undefined {
  try {
    return readlinkSync(path).replace(/ \(deleted\)$/, '');
  } catch {
    return undefined;
  }
}

/** Splits a NUL-separated `/proc` file. */
function nulSplit(buffer: Buffer): string[] {
  const parts = buffer.toString('utf8').split('\0');
  if (parts[parts.length - 1] === '') parts.pop();
  return parts;
}

/** Reads what `/proc` tells about `pid`, without signalling it. */
export function readTargetFacts(pid: number, proc = '/proc'): TargetFacts {
  const facts: TargetFacts = { pid };
  const base = join(proc, String(pid));
  const exe = tryReadlink(join(base, 'exe'));
  if (exe !== undefined) facts.exe = exe;
  const cmdline = tryRead(join(base, 'cmdline'));
  if (cmdline !== undefined) facts.argv = nulSplit(cmdline);
  const environ = tryRead(join(base, 'environ'));
  if (environ !== undefined) {
    facts.env = new Map();
    for (const entry of nulSplit(environ)) {
      const eq = entry.indexOf('=');
      if (eq > 0) facts.env.set(entry.slice(0, eq), entry.slice(eq + 1));
    }
  }
  const status = tryRead(join(base, 'status'))?.toString('utf8');
  const cgt = status && /^SigCgt:\s*([0-9a-fA-F]+)\s*$/m.exec(status);
  if (cgt && cgt[1]) facts.caught = parseSignalMask(cgt[1]);
  const cwd = tryReadlink(join(base, 'cwd'));
  if (cwd !== undefined) facts.cwd = cwd;
  return facts;
}

/** `utime + stime` of `pid` in seconds, from `/proc/<pid>/stat`; undefined if unreadable. */
export function cpuSeconds(pid: number, proc = '/proc'): number | undefined {
  const stat = tryRead(join(proc, String(pid), 'stat'))?.toString('utf8');
  if (!stat) return undefined;
  // The command name (field 2) is in parentheses and may contain spaces: count after it.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // Fields 14 and 15 of the whole line are 12 and 13 of what follows ")": state is field 3.
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) return undefined;
  return (utime + stime) / USER_HZ;
}

/** The scheduler state of `pid`'s main thread (`R`, `S`, …), from `/proc/<pid>/stat`. */
function procState(pid: number): string | undefined {
  const stat = tryRead(join('/proc', String(pid), 'stat'))?.toString('utf8');
  return stat ? stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) : undefined;
}

/**
 * Whether `pid` is busy over {@link CPU_SAMPLE_MS}: it uses at least {@link BUSY_SHARE} of a
 * core, or its main thread is runnable (`R`) in nearly every sample. The second test is for a
 * loaded machine, where a spinning loop waits for a core most of the time and so gets little
 * CPU, but never sleeps, as an idle loop (in epoll_wait, `S`) does.
 */
export async function isBusy(pid: number): Promise<boolean | undefined> {
  const before = cpuSeconds(pid);
  const started = performance.now();
  let samples = 0;
  let runnable = 0;
  // At least CPU_SAMPLE_MS and at least 10 samples: on a loaded machine this process is
  // descheduled too, and a 10 ms sleep can last 100.
  while (performance.now() - started < CPU_SAMPLE_MS || samples < 10) {
    const state = procState(pid);
    if (state === undefined) return undefined; // gone
    samples++;
    if (state === 'R') runnable++;
    await sleep(10);
  }
  const after = cpuSeconds(pid);
  if (before === undefined || after === undefined) return undefined;
  const wall = (performance.now() - started) / 1000;
  return (after - before) / wall >= BUSY_SHARE || runnable >= samples * 0.8;
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
  const words = [...(facts.argv ?? []), ...(facts.env?.get('NODE_OPTIONS') ?? '').split(/\s+/).filter(Boolean)];
  return words.some((w) => namesRegister(w, facts.cwd));
}

/** Whether the target is a Node.js binary (by its executable, else its argv[0]). */
export function looksLikeNode(facts: TargetFacts): boolean {
  const names = [facts.exe, facts.argv?.[0]].filter((x): x is string => !!x).map((p) => basename(p));
  return names.some((n) => /^node(js)?(-?v?\d+(\.\d+)*)?(\.exe)?$/i.test(n));
}

/** If the target is `awaitwhat run`, the pid of the command it runs (its only child). */
export function runWrapperChild(facts: TargetFacts, proc = '/proc'): number | undefined {
  const argv = facts.argv ?? [];
  const script = argv[1] ? basename(argv[1]) : '';
  if (!(script === 'awaitwhat' || (script === 'main.js' && /cli[\\/]main\.js$/.test(argv[1] ?? '')))) return undefined;
  if (argv[2] !== 'run') return undefined;
  const children = tryRead(join(proc, String(facts.pid), 'task', String(facts.pid), 'children'))?.toString('utf8');
  const pids = (children ?? '').trim().split(/\s+/).filter(Boolean).map(Number);
  return pids.length === 1 ? pids[0] : undefined;
}

/** The directory the register in the target writes to. */
export function targetDumpDir(facts: TargetFacts): string | undefined {
  const dir = facts.env?.get('AWAITWHAT_DIR');
  if (dir) return facts.cwd ? resolve(facts.cwd, dir) : resolve(dir);
  return facts.cwd;
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
  try {
    process.kill(pid, 0);
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    if (code === 'ESRCH') throw new SnapshotFailedError(`no process with pid ${pid}`, { cause });
    if (code === 'EPERM') throw new SnapshotFailedError(`not allowed to signal pid ${pid}`, { cause });
    throw new SnapshotFailedError(`cannot signal pid ${pid}: ${(cause as Error).message}`, { cause });
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** `awaitwhat-<pid>-<yyyymmdd-hhmmss-mmm>.json` (the temporary file starts with a dot). */
function dumpNamePattern(pid: number): RegExp {
  return new RegExp(`^awaitwhat-${pid}-\\d{8}-\\d{6}-\\d{3}\\.json$`);
}

function listDumps(dir: string, pattern: RegExp): string[] {
  try {
    return readdirSync(dir).filter((f) => pattern.test(f)).sort();
  } catch {
    return [];
  }
}

/**
 * Attach mode (`src/attach/`), loaded lazily: the inspector client it needs is only loaded
 * when attaching, not for every command.
 */
async function attach(pid: number, timeoutMs: number): Promise<Dump> {
  const { attachSnapshot } = await import('../src/attach/index.js');
  return attachSnapshot(pid, { timeoutMs });
}

/** Sends SIGUSR2 and waits for the dump file; throws with `blocked` set when the loop is busy. */
async function signalAndWait(
  pid: number,
  dir: string,
  timeoutMs: number,
): Promise<{ path: string; dump: Dump } | { blocked: boolean | undefined }> {
  const pattern = dumpNamePattern(pid);
  const before = new Set(listDumps(dir, pattern));
  process.kill(pid, 'SIGUSR2');
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const fresh = listDumps(dir, pattern).filter((f) => !before.has(f));
    const newest = fresh[fresh.length - 1];
    if (newest !== undefined) {
      const path = join(dir, newest);
      let text: string;
      try {
        text = readFileSync(path, 'utf8');
      } catch (cause) {
        throw new DumpUnreadableError(`cannot read ${path}: ${(cause as Error).message}`, { cause });
      }
      return { path, dump: parseDump(text, path) };
    }
    if (!alive(pid)) throw new SnapshotFailedError(`pid ${pid} exited before writing a dump`);
    if (performance.now() >= deadline) break;
    await sleep(Math.min(50, Math.max(1, deadline - performance.now())));
  }
  return { blocked: await isBusy(pid) };
}

/**
 * Dumps process `pid`: through its register (SIGUSR2) when it runs one, through its
 * inspector otherwise. See the module comment for the decision.
 *
 * @throws {@link UsageError} for a pid that is awaitwhat itself
 * @throws {@link SnapshotFailedError} with a one-line message for every case that yields no dump
 */
export async function dumpPid(pid: number, options: DumpPidOptions = {}): Promise<DumpPidResult> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_DUMP_TIMEOUT_MS;
  const note = options.note ?? ((line: string) => process.stderr.write(`awaitwhat: ${line}\n`));
  const platform = options.platform ?? process.platform;
  if (pid === process.pid) throw new UsageError('that pid is awaitwhat itself');
  checkSignallable(pid);

  if (platform !== 'linux') {
    if (options.forceSignal && !options.attach) {
      const dir = resolve(options.dir ?? process.cwd());
      const outcome = await signalAndWait(pid, dir, timeoutMs);
      if ('dump' in outcome) return { mode: 'signal', ...outcome };
      throw new SnapshotFailedError(`pid ${pid} wrote no dump into ${dir} within ${timeoutMs} ms of SIGUSR2`);
    }
    note(`cannot check pid ${pid} for a SIGUSR2 handler on ${platform}; attaching through its inspector (SIGUSR1) (--force-signal sends SIGUSR2)`);
    return { mode: 'attach', dump: await attach(pid, timeoutMs) };
  }

  let facts = readTargetFacts(pid);
  const wrapped = runWrapperChild(facts);
  if (wrapped !== undefined) {
    note(`pid ${pid} is "awaitwhat run"; dumping the command it runs, pid ${wrapped}`);
    pid = wrapped;
    checkSignallable(pid);
    facts = readTargetFacts(pid);
  }

  const register = runsRegister(facts);
  if (!register && !looksLikeNode(facts)) {
    const what = facts.exe ?? facts.argv?.[0];
    throw new SnapshotFailedError(`pid ${pid} is not a Node.js process${what ? ` (${basename(what)})` : ''}`);
  }
  const catchesUsr2 = facts.caught === undefined ? undefined : maskHasSignal(facts.caught, LINUX_SIGUSR2);
  const catchesUsr1 = facts.caught === undefined ? undefined : maskHasSignal(facts.caught, LINUX_SIGUSR1);

  const attachSafely = async (why: string): Promise<DumpPidResult> => {
    if (catchesUsr1 === false) {
      throw new SnapshotFailedError(`${why}, and pid ${pid} has no SIGUSR1 handler (its inspector is disabled): SIGUSR1 would kill it; not attaching`);
    }
    note(`${why}; attaching through its inspector (SIGUSR1)`);
    return { mode: 'attach', dump: await attach(pid, timeoutMs) };
  };

  if (options.attach) return attachSafely(`attach mode requested for pid ${pid}`);

  if ((register && catchesUsr2 === true) || (options.forceSignal && catchesUsr2 !== false)) {
    const dir = options.dir !== undefined ? resolve(options.dir) : targetDumpDir(facts);
    if (dir === undefined) throw new SnapshotFailedError(`cannot find the dump directory of pid ${pid} (pass --dir)`);
    const outcome = await signalAndWait(pid, dir, timeoutMs);
    if ('dump' in outcome) return { mode: 'signal', ...outcome };
    if (outcome.blocked) {
      return attachSafely(`pid ${pid} wrote no dump within ${timeoutMs} ms and is busy on the CPU: its event loop is blocked`);
    }
    throw new SnapshotFailedError(`pid ${pid} wrote no dump into ${dir} within ${timeoutMs} ms of SIGUSR2 (idle, so its SIGUSR2 listener did not run: is it awaitwhat's?)`);
  }

  if (options.forceSignal && catchesUsr2 === false) {
    throw new SnapshotFailedError(`pid ${pid} has no SIGUSR2 handler: SIGUSR2 would kill it; not sending it`);
  }
  if (register) return attachSafely(`pid ${pid} loads awaitwhat's register but has no SIGUSR2 handler yet`);
  return attachSafely(`pid ${pid} does not run awaitwhat`);
}
