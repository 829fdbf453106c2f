/**
 * Reading a dump file: the one reader behind `awaitwhat view`, `awaitwhat dump <pid>` (the
 * file the target wrote) and `awaitwhat demo` / the fixture captures.
 *
 * @packageDocumentation
 */

import { readFileSync } from 'node:fs';
import { DumpUnreadableError } from '../src/errors.js';
import type { Dump } from '../src/model.js';
import { terminalSafe } from '../src/internal/terminal-text.js';
import { newerKindsWarning, readDump } from '../src/serialize/json.js';

/** The common reasons a file cannot be read, in words; anything else keeps the system's message. */
function whyUnreadable(cause: unknown): string {
  const code = (cause as NodeJS.ErrnoException).code;
  return (
    code === 'ENOENT' ? 'no such file'
    : code === 'EISDIR' ? 'is a directory'
    : code === 'EACCES' ? 'permission denied'
    : (cause as Error).message
  );
}

/**
 * Reads and validates the dump at `path`.
 *
 * @param shown - how messages name the file (default `path`; `awaitwhat dump` passes a
 *   terminal-safe form of a path that came from the target)
 * A dump of a newer awaitwhat holding kinds this version does not know is read all the same,
 * with one warning line on stderr (docs/dump-format.md#compatibility).
 *
 * @throws {@link DumpUnreadableError} in one line for every failure to read the file, and
 *   whatever `parseDump` throws for a file that is not a valid dump
 */
export function readDumpFile(path: string, shown: string = path): Dump {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (cause) {
    throw new DumpUnreadableError(`cannot read ${shown}: ${whyUnreadable(cause)}`, { cause });
  }
  const read = readDump(text, shown);
  const warning = newerKindsWarning(read, shown);
  if (warning !== undefined) process.stderr.write(`awaitwhat: warning: ${terminalSafe(warning)}\n`);
  return read.dump;
}
