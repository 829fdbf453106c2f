/**
 * Where a node:test file process writes what its tests waited for when the runner terminates
 * it: on the runner's own stderr.
 *
 * Why: on Node.js 20–23, `node --test --test-timeout=N` times out the *file*: the runner starts
 * the file's timer just before it spawns the file's process, so that timer always fires before
 * the timer of the test inside (started later, in the child), and the runner then kills the
 * child with SIGTERM (`spawn`'s `signal` option) and reports the file as `test timed out after
 * Nms` in the same turn of its event loop. The child's own reporter never sees a timeout, and
 * whatever the child writes on its stdout or stderr after the SIGTERM reaches the runner after
 * the file was reported: the runner drops it (its report buffer for that file is never drained
 * again). Nor can awaitwhat listen in the runner: Node 20 runs `--import` modules only in the
 * file processes, not in the `--test` process. So the file process writes its report on the
 * runner's stderr directly, `/proc/<ppid>/fd/2` opened for appending (Linux: a terminal, a pipe
 * or a file). Where that cannot be opened (another system, or a runner whose stderr is a socket,
 * as Node's `spawn` makes for `stdio: 'pipe'`), on its own stderr, which a runner still reading
 * it shows and one that timed the file out drops.
 *
 * @internal
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { procPath } from '../internal/proc.js';

/** Writes all of `bytes` on `fd`; never throws. */
function writeAll(fd: number, bytes: Buffer): void {
  let offset = 0;
  for (let attempts = 0; offset < bytes.length && attempts < 64; attempts++) {
    offset += writeSync(fd, bytes, offset, bytes.length - offset);
  }
}

/** Writes `text` (several lines, already terminal-safe) on stderr in one write; never throws. */
export function writeBlock(text: string): void {
  try {
    writeAll(2, Buffer.from(`${text}\n`, 'utf8'));
  } catch {
    // stderr is gone: nothing else can tell anyone
  }
}

/**
 * Writes `text` on the parent process's stderr (the test runner's), else on this process's.
 * Never throws.
 */
export function writeToRunner(text: string): void {
  let fd: number | undefined;
  try {
    if (process.platform === 'linux') fd = openSync(procPath(process.ppid, 'fd/2'), 'a');
  } catch {
    fd = undefined;
  }
  if (fd === undefined) return writeBlock(text);
  try {
    writeAll(fd, Buffer.from(`${text}\n`, 'utf8'));
  } catch {
    writeBlock(text);
  } finally {
    try {
      closeSync(fd);
    } catch {
      // closed already
    }
  }
}
