/**
 * How much more memory a process may use before something kills it: the memory limits of its
 * cgroup (v2 `memory.max`, v1 `memory.limit_in_bytes`, and those of every ancestor cgroup up
 * to the mount, since any of them can trigger the OOM killer) and the system's `MemAvailable`.
 *
 * Everything is read from `/proc` and `/sys/fs/cgroup` through a reader function, so that the
 * parsing is tested on fixed texts and the real reading on the real files. A file that is
 * missing or unreadable is no limit: the reading never throws.
 */
import { readFileSync } from 'node:fs';
import { parseMountInfo as parseMounts } from './proc.js';

/** Reads a file's text, or `undefined` when it cannot be read. */
export type TextReader = (path: string) => string | undefined;

/** One limit on the process's memory, with what it leaves. */
export interface MemoryLimit {
  /** What the limit is, for a person: `cgroup v1 memory.limit_in_bytes`, `system MemAvailable`, … */
  source: string;
  /** The file it was read from (cgroup limits). */
  path?: string;
  /** The limit, bytes. */
  limitBytes: number;
  /** What counts against it now, bytes (page cache the kernel can drop is not counted). */
  usageBytes: number;
  /** `limitBytes − usageBytes`, at least 0: what may still be allocated under this limit. */
  headroomBytes: number;
}

/** Values at or above this are "no limit": cgroup v1 writes 2^63 rounded down to a page. */
const UNLIMITED = 2 ** 60;

/** Reads a file through `readFileSync`; `undefined` on any error. */
export const readTextFile: TextReader = (path) => {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
};

/** A non-negative byte count from a cgroup file; `undefined` for `max`, unlimited or garbage. */
export function parseLimitValue(text: string | undefined): number | undefined {
  const value = text?.trim();
  if (value === undefined || !/^\d+$/.test(value)) return undefined;
  const n = Number(value);
  return n >= UNLIMITED ? undefined : n;
}

/** The value of `key` in a `key value` file (`memory.stat`) or `Key: value kB` (`/proc/meminfo`). */
export function statValue(text: string | undefined, key: string): number | undefined {
  if (text === undefined) return undefined;
  for (const line of text.split('\n')) {
    const [name, value, unit] = line.replace(':', ' ').trim().split(/\s+/);
    if (name === key && value !== undefined && /^\d+$/.test(value)) return Number(value) * (unit === 'kB' ? 1024 : 1);
  }
  return undefined;
}

/** Where a process sits in the cgroup hierarchies, from `/proc/<pid>/cgroup`. */
export interface CgroupPaths {
  /** The path in the v1 hierarchy that has the `memory` controller. */
  v1Memory?: string;
  /** The path in the v2 (unified) hierarchy. */
  v2?: string;
}

/** Parses `/proc/<pid>/cgroup` (`id:controllers:path` lines; v2 is `0::path`). */
export function parseCgroupFile(text: string | undefined): CgroupPaths {
  const paths: CgroupPaths = {};
  for (const line of (text ?? '').split('\n')) {
    const match = /^(\d+):([^:]*):(.*)$/.exec(line.trim());
    if (!match) continue;
    const [, id, controllers, path] = match as unknown as [string, string, string, string];
    if (id === '0' && controllers === '') paths.v2 = path;
    else if (controllers.split(',').includes('memory')) paths.v1Memory = path;
  }
  return paths;
}

/** A cgroup filesystem mount: where it is, and which cgroup its root is. */
export interface CgroupMount {
  /** Mount point, e.g. `/sys/fs/cgroup/memory`. */
  mountPoint: string;
  /** The cgroup path the mount shows at its root (`/` unless a container mounted its own). */
  root: string;
}

/** Finds the v1 `memory` mount and the v2 mount in the text of a `mountinfo` file. */
export function parseMountInfo(text: string | undefined): { v1Memory?: CgroupMount; v2?: CgroupMount } {
  const found: { v1Memory?: CgroupMount; v2?: CgroupMount } = {};
  for (const { fstype, superOptions, mountPoint, root } of parseMounts(text ?? '')) {
    if (fstype === 'cgroup2' && !found.v2) found.v2 = { mountPoint, root };
    else if (fstype === 'cgroup' && superOptions.includes('memory') && !found.v1Memory) found.v1Memory = { mountPoint, root };
  }
  return found;
}

/**
 * The directories of a cgroup and its ancestors under a mount, innermost first. When the
 * process's path is not under the mount (a container whose mount root *is* its cgroup, or a
 * cgroup namespace), only the mount point itself is used.
 */
export function cgroupDirectories(mount: CgroupMount, cgroupPath: string, exists: (dir: string) => boolean): string[] {
  const root = mount.root === '/' ? '' : mount.root.replace(/\/+$/, '');
  let relative = cgroupPath;
  if (root !== '' && (cgroupPath === root || cgroupPath.startsWith(`${root}/`))) relative = cgroupPath.slice(root.length);
  const parts = relative.split('/').filter((p) => p !== '' && p !== '.' && p !== '..');
  const base = mount.mountPoint.replace(/\/+$/, '');
  const leaf = [base, ...parts].join('/');
  if (parts.length === 0 || !exists(leaf)) return [base];
  const dirs: string[] = [];
  for (let n = parts.length; n >= 0; n--) dirs.push([base, ...parts.slice(0, n)].join('/'));
  return dirs;
}

/** The limit of one cgroup directory, if it has one. */
function cgroupLimit(read: TextReader, dir: string, version: 1 | 2): MemoryLimit | undefined {
  const [limitFile, usageFile, inactiveKey] =
    version === 2 ? ['memory.max', 'memory.current', 'inactive_file'] : ['memory.limit_in_bytes', 'memory.usage_in_bytes', 'total_inactive_file'];
  const limitBytes = parseLimitValue(read(`${dir}/${limitFile}`));
  if (limitBytes === undefined) return undefined;
  const usage = parseLimitValue(read(`${dir}/${usageFile}`)) ?? 0;
  // Inactive file pages are reclaimed before the OOM killer runs (what `docker stats` and the
  // kubelet call the working set).
  const inactive = statValue(read(`${dir}/memory.stat`), inactiveKey) ?? 0;
  const usageBytes = Math.max(0, usage - inactive);
  return { source: `cgroup v${version} ${limitFile}`, path: `${dir}/${limitFile}`, limitBytes, usageBytes, headroomBytes: Math.max(0, limitBytes - usageBytes) };
}

/** Where to read from: `/proc/<pid>` of the process, and this process's mount table. */
export interface HeadroomSources {
  /** The process (default: this one). */
  pid?: number | 'self';
  /** How files are read (tests pass fixed texts). */
  read?: TextReader;
}

/**
 * Every memory limit that applies to the process, with its headroom: each limited cgroup from
 * the process's own up to its hierarchy's mount (v2 and v1), then the system's `MemAvailable`.
 * Empty where nothing could be read (not Linux).
 */
export function readMemoryLimits(sources: HeadroomSources = {}): MemoryLimit[] {
  const read = sources.read ?? readTextFile;
  const pid = sources.pid ?? 'self';
  const limits: MemoryLimit[] = [];
  const paths = parseCgroupFile(read(`/proc/${pid}/cgroup`));
  const mounts = parseMountInfo(read('/proc/self/mountinfo'));
  const exists = (dir: string): boolean => read(`${dir}/cgroup.procs`) !== undefined;
  const hierarchies: [CgroupMount | undefined, string | undefined, 1 | 2][] = [
    [mounts.v2, paths.v2, 2],
    [mounts.v1Memory, paths.v1Memory, 1],
  ];
  for (const [mount, path, version] of hierarchies) {
    if (!mount || path === undefined) continue;
    for (const dir of cgroupDirectories(mount, path, exists)) {
      const limit = cgroupLimit(read, dir, version);
      if (limit) limits.push(limit);
    }
  }
  const meminfo = read('/proc/meminfo');
  const available = statValue(meminfo, 'MemAvailable');
  const total = statValue(meminfo, 'MemTotal');
  if (available !== undefined && total !== undefined) {
    limits.push({ source: 'system MemAvailable', limitBytes: total, usageBytes: Math.max(0, total - available), headroomBytes: available });
  }
  return limits;
}

/** The limit that leaves the least, or `undefined` when none is known. */
export function tightestLimit(limits: readonly MemoryLimit[]): MemoryLimit | undefined {
  let tightest: MemoryLimit | undefined;
  for (const limit of limits) if (!tightest || limit.headroomBytes < tightest.headroomBytes) tightest = limit;
  return tightest;
}

/** Bytes for a person: `812 MB`, `1.5 GiB` (binary units, as cgroup limits are usually set). */
export function formatBytes(bytes: number): string {
  const MiB = 1024 * 1024;
  if (bytes >= 1024 * MiB) return `${(bytes / (1024 * MiB)).toFixed(1)} GiB`;
  if (bytes >= MiB) return `${Math.round(bytes / MiB)} MiB`;
  return `${Math.round(bytes / 1024)} KiB`;
}
