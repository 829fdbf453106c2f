/**
 * The strings two processes (or two copies of awaitwhat in one process) must agree on: the
 * line the register prints after a dump, the name of a dump file, the registry key of the
 * hook state. Each is written by one side and read by the other (the register and the CLI,
 * the register and attach mode's probe, the register and the program's own `import
 * 'awaitwhat'`), so both sides import them from here and a change cannot reach only one.
 */

/** The start of the line the register prints on stderr after each dump; tools wait for it. */
export const DUMP_WRITTEN_PREFIX = 'awaitwhat: dump written to ';

/** The line announcing the dump file at `path` (written as is: the caller makes it terminal-safe). */
export function dumpWrittenLine(path: string): string {
  return `${DUMP_WRITTEN_PREFIX}${path}`;
}

/** The path a "dump written to" line names, or `undefined` for any other line. */
export function parseDumpWrittenLine(line: string): string | undefined {
  if (!line.startsWith(DUMP_WRITTEN_PREFIX)) return undefined;
  // A line read from a pipe may end in "\r" or spaces; a dump path never does.
  const path = line.slice(DUMP_WRITTEN_PREFIX.length).trimEnd();
  return path === '' ? undefined : path;
}

/** `awaitwhat-<pid>-<yyyymmdd-hhmmss-mmm>.json`: sorts by time, never collides within a pid. */
export function dumpFileName(pid: number, at: Date): string {
  const stamp = at.toISOString().replace(/[-:]/g, '').replace('T', '-').replace('.', '-').replace('Z', '');
  return `awaitwhat-${pid}-${stamp}.json`;
}

/**
 * Matches the names {@link dumpFileName} gives for `pid` (the pid the process calls itself),
 * not the dot-prefixed temporary file it is written as before the rename.
 */
export function dumpFileNamePattern(pid: number): RegExp {
  return new RegExp(`^awaitwhat-${pid}-\\d{8}-\\d{6}-\\d{3}\\.json$`);
}

/**
 * The `Symbol.for` key of the hook state on `globalThis`: shared by every copy of awaitwhat in a
 * process, and read by attach mode's probe, which runs in the target as an evaluated string.
 */
export const HOOKS_STATE_KEY = 'awaitwhat.hooks';

/**
 * The `BroadcastChannel` on which the main thread asks each worker thread running the register
 * for its graph (`src/triggers/thread-*.ts`): every thread of a process that loaded awaitwhat,
 * whatever copy, must use this one name.
 */
export const THREADS_CHANNEL = 'awaitwhat.threads';

/**
 * The `Symbol.for` key of the async-stack walker on `globalThis` (`snapshot/async-walk.ts`):
 * called by a fast dump's `Runtime.callFunctionOn`, in process or from another process.
 */
export const ASYNC_WALK_KEY = 'awaitwhat.asyncWalk';

/**
 * `.awaitwhat-<pid>.progress`: the record a dump under way keeps in the dump directory (written
 * by the register, `triggers/dump-progress.ts`; read by `awaitwhat dump <pid>` while it waits).
 * Dot-prefixed, like the dump's temporary file, so that listings of dumps skip it.
 */
export function progressFileName(pid: number): string {
  return `.awaitwhat-${pid}.progress`;
}
