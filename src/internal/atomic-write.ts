import { Buffer } from 'node:buffer';
import { closeSync, fsyncSync, lstatSync, openSync, readlinkSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { WriteFailedError } from '../errors.js';

/**
 * Writes every byte of `bytes` to `fd`: `write(2)` may write fewer bytes than asked (a disk
 * that fills up mid-write writes what fits, and only the next write fails with ENOSPC), so
 * one call is not enough to know the file is whole.
 * @param failAfter - test only (`AWAITWHAT_FAULT=write`): fail like a full disk once this
 *   many bytes are written
 */
export function writeAll(fd: number, bytes: Uint8Array, failAfter?: number): void {
  let offset = 0;
  while (offset < bytes.length) {
    if (failAfter !== undefined && offset >= failAfter) {
      throw Object.assign(new Error('ENOSPC: no space left on device, write (injected by AWAITWHAT_FAULT=write)'), { code: 'ENOSPC' });
    }
    const limit = failAfter === undefined ? bytes.length - offset : Math.max(1, Math.min(bytes.length - offset, failAfter - offset));
    const written = writeSync(fd, bytes, offset, limit);
    // A write that makes no progress and reports no error would loop forever.
    if (written <= 0) throw Object.assign(new Error(`write made no progress at byte ${offset} of ${bytes.length}`), { code: 'EIO' });
    offset += written;
  }
}

/** Test-only options of {@link writeFileAtomic}. */
export interface AtomicWriteFault {
  /** Fail like a full disk after this many bytes (`AWAITWHAT_FAULT=write`). */
  failAfterBytes?: number;
}

/**
 * Writes `data` to `path` so that readers see either nothing or the whole file: the bytes go
 * to a temporary file in the same directory, are flushed, then renamed over `path`. Every
 * byte is written or the write fails (short writes are completed; a full disk is an error,
 * not a truncated file), and on failure the temporary file is removed: the file is complete
 * or absent. The file is created with `mode` (0600 by default: dumps hold source paths and names).
 * `flush: false` skips the flush to disk: for a short-lived record (a dump's progress) that
 * readers need whole, not durable, and that must not stall the program's thread on a busy disk.
 * @throws {@link WriteFailedError} naming the path and the system's reason
 */
export function writeFileAtomic(path: string, data: string | Uint8Array, mode = 0o600, fault: AtomicWriteFault = {}, flush = true): void {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${Date.now()}.tmp`);
  let fd: number | undefined;
  try {
    const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    fd = openSync(tmp, 'wx', mode);
    writeAll(fd, bytes, fault.failAfterBytes);
    if (flush) fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(tmp, path);
  } catch (cause) {
    if (fd !== undefined) {
      try { closeSync(fd); } catch { /* already failing */ }
    }
    try { rmSync(tmp, { force: true }); } catch { /* best effort */ }
    throw new WriteFailedError(`cannot write ${path}: ${writeReason(cause, path, tmp)}`, { cause });
  }
}

/**
 * The system's reason, in terms of the file asked for: the temporary file is ours, and its name
 * (`.x.json.<pid>.<time>.tmp`) would only puzzle the reader; a missing directory is said as such.
 */
function writeReason(cause: unknown, path: string, tmp: string): string {
  const error = cause as NodeJS.ErrnoException;
  if (error.code === 'ENOENT' && error.syscall === 'open') return `no such directory ${dirname(path)}`;
  return String(error.message).split(tmp).join(path);
}

/** Symbolic links followed at most (the kernel's own limit is 40). */
const MAX_LINKS = 40;

/**
 * Where writing to `path` must go: through symbolic links (a link given as output names the
 * file to write, and stays a link), to the final target, which may not exist yet.
 */
export function resolveOutputPath(path: string): string {
  let current = resolve(path);
  for (let i = 0; i < MAX_LINKS; i++) {
    let link: string;
    try {
      if (!lstatSync(current).isSymbolicLink()) return current;
      link = readlinkSync(current);
    } catch (cause) {
      if ((cause as NodeJS.ErrnoException).code === 'ENOENT') return current;
      throw new WriteFailedError(`cannot write ${path}: ${(cause as Error).message}`, { cause });
    }
    current = resolve(dirname(current), link);
  }
  throw new WriteFailedError(`cannot write ${path}: too many levels of symbolic links`);
}

/**
 * Writes an output file the user named (`view -o`): a regular file (or a new one) is written
 * atomically ({@link writeFileAtomic}); a symbolic link is followed and its target written
 * atomically, the link kept; anything else that exists (a character device such as
 * `/dev/null`, a FIFO, a terminal) is opened and written through, never replaced by a file.
 * @throws {@link WriteFailedError} in one line; nothing half-written is left behind in a file
 */
export function writeOutputFile(path: string, data: string | Uint8Array, mode = 0o644): void {
  const target = resolveOutputPath(path);
  let existing: ReturnType<typeof statSync> | undefined;
  try {
    existing = statSync(target);
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code !== 'ENOENT') throw new WriteFailedError(`cannot write ${path}: ${(cause as Error).message}`, { cause });
  }
  if (existing === undefined || existing.isFile()) {
    writeFileAtomic(target, data, mode);
    return;
  }
  if (existing.isDirectory()) throw new WriteFailedError(`cannot write ${path}: it is a directory`);
  let fd: number | undefined;
  try {
    fd = openSync(target, 'w');
    writeAll(fd, typeof data === 'string' ? Buffer.from(data, 'utf8') : data);
  } catch (cause) {
    throw new WriteFailedError(`cannot write ${path}: ${(cause as Error).message}`, { cause });
  } finally {
    if (fd !== undefined) {
      try { closeSync(fd); } catch { /* nothing to release */ }
    }
  }
}
