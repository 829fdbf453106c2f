/**
 * The SIGUSR2 trigger: `kill -USR2 <pid>` writes a dump and names it on stderr.
 */
import { isMainThread } from 'node:worker_threads';
import { dumpModules } from './lazy-dump.js';

/** The signal that asks for a dump. SIGUSR1 belongs to the inspector. */
export const DUMP_SIGNAL = 'SIGUSR2';

/** The line the register prints on stderr after each dump; tools wait for it. */
export const DUMP_WRITTEN_PREFIX = 'awaitwhat: dump written to ';

let installed = false;

/**
 * Writes a dump now, as the signal handler does. Never throws: a failure is reported on
 * stderr in one line, because this runs inside the program being diagnosed.
 * @returns the dump file's path, or `undefined` if the dump failed.
 */
export function dumpToFile(trigger: 'signal' | 'exit' = 'signal'): string | undefined {
  try {
    const { snapshotter, dumpFile } = dumpModules();
    const path = dumpFile.writeDumpFile(snapshotter.takeSnapshot({ trigger }));
    process.stderr.write(`${DUMP_WRITTEN_PREFIX}${path}\n`);
    return path;
  } catch (error) {
    process.stderr.write(`awaitwhat: dump failed: ${(error as Error)?.message ?? String(error)}\n`);
    return undefined;
  }
}

function onSignal(): void {
  dumpToFile('signal');
}

/**
 * Listens for SIGUSR2 on the main thread (workers never receive signals). Node's own
 * `--report-on-signal` listener, if any, stays and still runs: listeners add up. The signal
 * handle is unref'd by Node, so it does not keep the process alive.
 */
export function installSignalTrigger(): void {
  if (installed || !isMainThread) return;
  installed = true;
  process.on(DUMP_SIGNAL, onSignal);
}

/** Removes the SIGUSR2 listener. */
export function uninstallSignalTrigger(): void {
  if (!installed) return;
  installed = false;
  process.off(DUMP_SIGNAL, onSignal);
}
