/**
 * Reading Linux's `/proc` about another process, without signalling it: one module for the
 * CLI's target detection (`cli/`), attach mode (`src/attach/`) and `awaitwhat run`; and about
 * this process's own threads (whether a worker thread still runs, for the register). Every
 * reader returns `undefined` (or an empty list) when the file cannot be read: the process is
 * gone, belongs to another user, or this is not Linux. Callers decide what that means.
 */
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { basename } from 'node:path';
import { terminalSafe } from './terminal-text.js';

/** The path of `/proc/<pid>/<name>` (`root`, `cwd`: how another filesystem view is reached from here). */
export function procPath(pid: number | 'self', name: string): string {
  return `/proc/${pid}/${name}`;
}

/** Reads `/proc/<pid>/<name>`, or `undefined`. */
export function readProcFile(pid: number | 'self', name: string): Buffer | undefined {
  try {
    return readFileSync(procPath(pid, name));
  } catch {
    return undefined;
  }
}

/** Resolves the symbolic link `/proc/<pid>/<name>` (`cwd`, `exe`, `root`, `ns/mnt`, `fd/3`…), or `undefined`. */
export function readProcLink(pid: number | 'self', name: string): string | undefined {
  try {
    return readlinkSync(procPath(pid, name)).replace(/ \(deleted\)$/, '');
  } catch {
    return undefined;
  }
}

/** Splits a NUL-separated `/proc` file (`cmdline`, `environ`). */
function nulSplit(buffer: Buffer): string[] {
  const parts = buffer.toString('utf8').split('\0');
  if (parts[parts.length - 1] === '') parts.pop();
  return parts;
}

/** The process's command line, split. */
export function readCmdline(pid: number): string[] | undefined {
  const buffer = readProcFile(pid, 'cmdline');
  return buffer === undefined ? undefined : nulSplit(buffer);
}

/** The environment the process was started with (later changes are not visible). */
export function readEnviron(pid: number): Map<string, string> | undefined {
  const buffer = readProcFile(pid, 'environ');
  if (buffer === undefined) return undefined;
  const env = new Map<string, string>();
  for (const entry of nulSplit(buffer)) {
    const eq = entry.indexOf('=');
    if (eq > 0) env.set(entry.slice(0, eq), entry.slice(eq + 1));
  }
  return env;
}

/** What `/proc/<pid>/status` says that awaitwhat needs. */
export interface ProcStatus {
  /** `SigCgt`: signals with a handler. */
  caught?: bigint;
  /** `NSpid`: the pid in each pid namespace, outermost first; the last is the process's own `process.pid`. */
  nsPids?: number[];
  /** `Uid`: real, effective, saved, filesystem. */
  uids?: number[];
  /** `Gid`: real, effective, saved, filesystem. */
  gids?: number[];
  /** `Groups`: supplementary groups. */
  groups?: number[];
  /** `CapEff`: effective capabilities. */
  capEff?: bigint;
}

/** Parses a `/proc/<pid>/status` mask (hexadecimal). */
export function parseSignalMask(hex: string): bigint {
  return BigInt(`0x${hex.trim()}`);
}

/** Whether bit number `signal` (1-based, as signals and capabilities + 1 are numbered) is set in `mask`. */
export function maskHasSignal(mask: bigint, signal: number): boolean {
  return ((mask >> BigInt(signal - 1)) & 1n) === 1n;
}

/** `SIGUSR1` on Linux: Node's inspector listens for it. */
export const LINUX_SIGUSR1 = 10;
/** `SIGUSR2` on Linux: awaitwhat's register listens for it; without a handler it kills. */
export const LINUX_SIGUSR2 = 12;

/** Whether a process with `SigCgt` mask `caught` handles `signal`; `undefined` when the mask is unknown. */
export function catchesSignal(caught: bigint | undefined, signal: number): boolean | undefined {
  return caught === undefined ? undefined : maskHasSignal(caught, signal);
}

/** Parses the text of `/proc/<pid>/status`. */
export function parseStatus(text: string): ProcStatus {
  const status: ProcStatus = {};
  const field = (name: string): string | undefined => new RegExp(`^${name}:[ \\t]*(.*)$`, 'm').exec(text)?.[1]?.trim();
  const numbers = (value: string | undefined): number[] | undefined =>
    value === undefined ? undefined : value.split(/\s+/).filter(Boolean).map(Number).filter(Number.isInteger);
  const cgt = field('SigCgt');
  if (cgt && /^[0-9a-f]+$/i.test(cgt)) status.caught = parseSignalMask(cgt);
  const cap = field('CapEff');
  if (cap && /^[0-9a-f]+$/i.test(cap)) status.capEff = parseSignalMask(cap);
  const nsPids = numbers(field('NSpid'));
  if (nsPids && nsPids.length > 0) status.nsPids = nsPids;
  const uids = numbers(field('Uid'));
  if (uids && uids.length === 4) status.uids = uids;
  const gids = numbers(field('Gid'));
  if (gids && gids.length === 4) status.gids = gids;
  const groups = numbers(field('Groups'));
  if (groups) status.groups = groups;
  return status;
}

/** Reads `/proc/<pid>/status`. */
export function readStatus(pid: number): ProcStatus | undefined {
  const text = readProcFile(pid, 'status')?.toString('utf8');
  return text === undefined ? undefined : parseStatus(text);
}

/** The pid the process sees as its own `process.pid` (the innermost of `NSpid`), else `pid`. */
export function ownPid(pid: number): number {
  return ownPidFromStatus(readStatus(pid), pid);
}

/** {@link ownPid} from a `status` already read: the last of `NSpid`, else `pid`. */
export function ownPidFromStatus(status: ProcStatus | undefined, pid: number): number {
  return status?.nsPids?.at(-1) ?? pid;
}

/** `/proc/<pid>/stat` times are in USER_HZ, fixed at 100 by the Linux ABI. */
const USER_HZ = 100;

/** The fields of `/proc/<pid>/stat` after the command name, which may contain spaces and ")". */
function statFields(pid: number | 'self', name = 'stat'): string[] | undefined {
  return fieldsAfterName(readProcFile(pid, name)?.toString('utf8'));
}

/** The fields of a `stat` file's text after the command name (field 3, the state, comes first). */
function fieldsAfterName(stat: string | undefined): string[] | undefined {
  if (!stat) return undefined;
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}

/** `utime + stime` of `pid` in seconds; undefined if unreadable. */
export function cpuSeconds(pid: number): number | undefined {
  const fields = statFields(pid);
  if (!fields) return undefined;
  // Fields 14 and 15 of the whole line are 12 and 13 of what follows ")" (state is field 3).
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) return undefined;
  return (utime + stime) / USER_HZ;
}

/**
 * When `pid` started, epoch ms (to 10 ms), from its `starttime` in `/proc/<pid>/stat` (clock
 * ticks after boot) and the boot time `btime` of `/proc/stat`; undefined if unreadable.
 */
export function processStartedAt(pid: number): number | undefined {
  const ticks = Number(statFields(pid)?.[19]);
  const boot = /^btime\s+(\d+)$/m.exec(readFileText('/proc/stat') ?? '')?.[1];
  if (!Number.isFinite(ticks) || boot === undefined) return undefined;
  return Number(boot) * 1000 + (ticks * 1000) / USER_HZ;
}

function readFileText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/**
 * The scheduling state of `pid`'s main thread (`R` running or runnable, `S` sleeping, `D`
 * waiting on I/O, …), from `/proc/<pid>/stat`; undefined if unreadable.
 */
export function readState(pid: number): string | undefined {
  return statFields(pid)?.[0];
}

/** Process group, controlling terminal and the terminal's foreground group of `pid`. */
export function readTerminal(pid: number | 'self'): { pgrp: number; ttyNr: number; tpgid: number } | undefined {
  const fields = statFields(pid);
  if (!fields) return undefined;
  const [pgrp, , ttyNr, tpgid] = fields.slice(2, 6).map(Number);
  if (![pgrp, ttyNr, tpgid].every((n) => Number.isInteger(n))) return undefined;
  return { pgrp: pgrp!, ttyNr: ttyNr!, tpgid: tpgid! };
}

/** The children of `pid` (of all its threads). */
export function childPids(pid: number): number[] {
  let tasks: string[];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return [];
  }
  const children = new Set<number>();
  for (const task of tasks) {
    const text = readProcFile(pid, `task/${task}/children`)?.toString('utf8') ?? '';
    for (const word of text.trim().split(/\s+/)) if (/^\d+$/.test(word)) children.add(Number(word));
  }
  return [...children];
}

/** Every descendant of `pid` (not `pid` itself), parents before their children. */
export function descendantPids(pid: number): number[] {
  const out: number[] = [];
  const seen = new Set<number>([pid]);
  for (let queue = childPids(pid); queue.length > 0; ) {
    const next: number[] = [];
    for (const child of queue) {
      if (seen.has(child)) continue;
      seen.add(child);
      out.push(child);
      next.push(...childPids(child));
    }
    queue = next;
  }
  return out;
}

/**
 * The socket inodes among `pid`'s open files (`/proc/<pid>/fd/* → socket:[inode]`), or
 * `undefined` when its file descriptors cannot be read.
 */
export function socketInodes(pid: number): Set<number> | undefined {
  let fds: string[];
  try {
    fds = readdirSync(`/proc/${pid}/fd`);
  } catch {
    return undefined;
  }
  const inodes = new Set<number>();
  for (const fd of fds) {
    const match = /^socket:\[(\d+)\]$/.exec(readProcLink(pid, `fd/${fd}`) ?? '');
    if (match) inodes.add(Number(match[1]));
  }
  return inodes;
}

/** TCP state LISTEN in `/proc/net/tcp`. */
const TCP_LISTEN = '0A';

/** Local addresses through which a connection to 127.0.0.1 can arrive (hex, as in `/proc/net/tcp*`). */
const REACHES_LOOPBACK = new Set([
  '0100007F', // 127.0.0.1
  '00000000', // 0.0.0.0
  '00000000000000000000000000000000', // :: (dual stack)
  '0000000000000000FFFF00000100007F', // ::ffff:127.0.0.1
]);

/**
 * The inodes of the sockets listening on TCP `port` that a connection to 127.0.0.1:`port`
 * can reach, in this process's network namespace (`/proc/self/net/tcp` and `tcp6`).
 * `undefined` when neither table can be read (not Linux).
 */
export function loopbackListeners(port: number): number[] | undefined {
  let readable = false;
  const inodes: number[] = [];
  for (const table of ['net/tcp', 'net/tcp6']) {
    const text = readProcFile('self', table)?.toString('utf8');
    if (text === undefined) continue;
    readable = true;
    for (const line of text.split('\n').slice(1)) {
      // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode
      const fields = line.trim().split(/\s+/);
      if (fields.length < 10 || fields[3] !== TCP_LISTEN) continue;
      const [address, portHex] = fields[1]!.split(':');
      if (parseInt(portHex ?? '', 16) !== port || !REACHES_LOOPBACK.has((address ?? '').toUpperCase())) continue;
      inodes.push(Number(fields[9]));
    }
  }
  return readable ? inodes : undefined;
}

/** The processes that hold socket `inode` open (every readable `/proc/<pid>/fd`). */
export function processesHoldingSocket(inode: number): number[] {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return [];
  }
  const holders: number[] = [];
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    if (socketInodes(Number(entry))?.has(inode)) holders.push(Number(entry));
  }
  return holders;
}

/** `pid 123 (node server.js)`: a process named for a message, its command line made terminal-safe and cut short. */
export function describeProcess(pid: number): string {
  const argv = readCmdline(pid);
  if (!argv || argv.length === 0) return `pid ${pid}`;
  const words = [basename(argv[0]!), ...argv.slice(1)].join(' ');
  const shown = words.length > 80 ? `${words.slice(0, 79)}…` : words;
  return `pid ${pid} (${terminalSafe(shown)})`;
}

/** Whether `pid` lives in the same mount namespace and root as this process; `undefined` if unknown. */
export function sharesFilesystemView(pid: number): boolean | undefined {
  const ours = readProcLink('self', 'ns/mnt');
  const theirs = readProcLink(pid, 'ns/mnt');
  if (ours === undefined || theirs === undefined) return undefined;
  return ours === theirs && readProcLink('self', 'root') === readProcLink(pid, 'root');
}

/** One line of `/proc/<pid>/mountinfo`: where a mount is, what it shows, and whether it is read-only. */
export interface MountEntry {
  mountPoint: string;
  /** The directory of the filesystem mounted there (a cgroup's path for cgroup mounts). */
  root: string;
  fstype: string;
  /** The filesystem's own options (`memory` for a cgroup v1 memory mount, `ro`…). */
  superOptions: string[];
  readOnly: boolean;
}

/** Undoes the octal escapes of `mountinfo` paths (`\040` for a space). */
function unescapeMountPath(path: string): string {
  return path.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8)));
}

/** Parses the text of a `mountinfo` file, in mount order; lines it cannot read are skipped. */
export function parseMountInfo(text: string): MountEntry[] {
  const mounts: MountEntry[] = [];
  for (const line of text.split('\n')) {
    // id parent major:minor root mount-point mount-options [optional…] - fstype source super-options
    const fields = line.split(' ');
    const dash = fields.indexOf('-');
    if (fields.length < 6 || dash < 6) continue;
    const options = fields[5]!.split(',');
    const superOptions = (fields[dash + 3] ?? '').split(',');
    mounts.push({
      mountPoint: unescapeMountPath(fields[4]!),
      root: unescapeMountPath(fields[3]!),
      fstype: fields[dash + 1] ?? '',
      superOptions,
      readOnly: options.includes('ro') || superOptions.includes('ro'),
    });
  }
  return mounts;
}

/** The mounts `pid` sees, in mount order. */
export function readMounts(pid: number | 'self'): MountEntry[] | undefined {
  const text = readProcFile(pid, 'mountinfo')?.toString('utf8');
  return text === undefined ? undefined : parseMountInfo(text);
}

/** The mount `path` (absolute, as `pid` sees it) is on: the last-mounted longest prefix. */
export function mountOf(mounts: readonly MountEntry[], path: string): MountEntry | undefined {
  let best: MountEntry | undefined;
  for (const mount of mounts) {
    const point = mount.mountPoint;
    const contains = point === '/' || path === point || path.startsWith(`${point}/`);
    if (contains && (!best || point.length >= best.mountPoint.length)) best = mount;
  }
  return best;
}

/**
 * Why `pid` cannot be signalled (`ESRCH`: no such process, `EPERM`: not ours to signal), or
 * `undefined` when it can. Sends no signal (signal 0). Callers word the error for their mode.
 */
export function signalProblem(pid: number): NodeJS.ErrnoException | undefined {
  try {
    process.kill(pid, 0);
    return undefined;
  } catch (error) {
    return error as NodeJS.ErrnoException;
  }
}

/** Whether `pid` exists (`EPERM`: it exists, but is not ours to signal). Sends no signal. */
export function processExists(pid: number): boolean {
  const problem = signalProblem(pid);
  return problem === undefined || problem.code === 'EPERM';
}

/**
 * A thread of this process as Linux names it: its task id, and its start time in clock ticks
 * after boot. A task id is reused once the pid space wraps; the pair never names two threads.
 */
export interface ThreadTask {
  /** The thread's task id (`/proc/<pid>/task/<tid>`). */
  tid: number;
  /** Its `starttime` (field 22 of its `stat`): clock ticks after boot. */
  startTicks: number;
}

/** The calling thread's task (`/proc/thread-self`, Linux 3.17 and later), or `undefined`. */
export function currentThreadTask(): ThreadTask | undefined {
  let link: string;
  try {
    link = readlinkSync('/proc/thread-self'); // "<pid>/task/<tid>"
  } catch {
    return undefined;
  }
  const tid = Number(/\/task\/(\d+)$/.exec(link)?.[1]);
  const startTicks = Number(fieldsAfterName(readFileText('/proc/thread-self/stat'))?.[19]);
  return Number.isSafeInteger(tid) && tid > 0 && Number.isSafeInteger(startTicks) && startTicks >= 0 ? { tid, startTicks } : undefined;
}

/**
 * Whether the thread `task` names still runs in this process: `false` once it has ended (its
 * `/proc/self/task/<tid>` is gone, names a later thread, or is a zombie), `undefined` when
 * `/proc` cannot say.
 */
export function threadTaskRunning(task: ThreadTask): boolean | undefined {
  const fields = statFields('self', `task/${task.tid}/stat`);
  if (fields === undefined) return tasksReadable() ? false : undefined;
  const state = fields[0];
  if (state === 'Z' || state === 'X' || state === 'x') return false;
  const startTicks = Number(fields[19]);
  return Number.isSafeInteger(startTicks) ? startTicks === task.startTicks : undefined;
}

/** Whether this process's `/proc/self/task` can be listed: then a missing task has ended. */
function tasksReadable(): boolean {
  try {
    return readdirSync(procPath('self', 'task')).length > 0;
  } catch {
    return false;
  }
}
