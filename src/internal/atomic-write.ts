import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { WriteFailedError } from '../errors.js';

/**
 * Writes `data` to `path` so that readers see either nothing or the whole file: the bytes go
 * to a temporary file in the same directory, are flushed, then renamed over `path`.
 * The file is created with `mode` (0600 by default: dumps hold source paths and names).
 */
export function writeFileAtomic(path: string, data: string | Uint8Array, mode = 0o600): void {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${Date.now()}.tmp`);
  let fd: number | undefined;
  try {
    fd = openSync(tmp, 'wx', mode);
    if (typeof data === 'string') writeSync(fd, data);
    else writeSync(fd, data);
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(tmp, path);
  } catch (cause) {
    if (fd !== undefined) {
      try { closeSync(fd); } catch { /* already failing */ }
    }
    try { rmSync(tmp, { force: true }); } catch { /* best effort */ }
    throw new WriteFailedError(`cannot write ${path}: ${(cause as Error).message}`, { cause });
  }
}
