/**
 * Writing a dump to disk: name, directory, atomicity, permissions.
 */
import { join, resolve } from 'node:path';
import type { Dump } from '../model.js';
import { writeFileAtomic } from '../internal/atomic-write.js';
import { FAULT_WRITE_AFTER_BYTES } from '../internal/fault.js';
import { dumpFileName } from '../internal/protocol-strings.js';
import { serializeDump } from './json.js';

/** The directory dumps go to: `AWAITWHAT_DIR`, else the current directory. */
export function dumpDirectory(env: NodeJS.ProcessEnv = process.env): string {
  return resolve(env.AWAITWHAT_DIR || process.cwd());
}

/** The path and the text of `dump`'s file in `directory` (compact JSON). */
export function dumpFileContents(dump: Dump, directory: string): { path: string; text: string } {
  // Compact: a dump of many tasks is large, and people read dumps through `awaitwhat view`.
  return { path: join(directory, dumpFileName(dump.process.pid, new Date(dump.createdAt))), text: serializeDump(dump, { compact: true }) };
}

/**
 * Writes `dump` into `directory` atomically with mode 0600 and returns the file's path.
 * Throws {@link WriteFailedError} and leaves nothing behind on failure (a full disk included).
 * @param injectFault - test only (`AWAITWHAT_FAULT=write`): fail like a full disk mid-write
 */
export function writeDumpFile(dump: Dump, directory: string = dumpDirectory(), injectFault = false): string {
  const { path, text } = dumpFileContents(dump, directory);
  writeFileAtomic(path, text, 0o600, injectFault ? { failAfterBytes: FAULT_WRITE_AFTER_BYTES } : {});
  return path;
}
