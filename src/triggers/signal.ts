/**
 * The SIGUSR2 trigger: `kill -USR2 <pid>` writes a dump and names it on stderr.
 *
 * The dump is taken in the background (`src/background/`): the program is paused while V8
 * writes the heap snapshot, and goes on serving while a worker thread builds the graph. The
 * exit trigger, where nothing asynchronous can happen, dumps synchronously instead.
 */
import { isMainThread } from 'node:worker_threads';
import { terminalSafe } from '../internal/terminal-text.js';
import type { Dump } from '../model.js';
import { dumpModules, dumpModulesLoading } from './lazy-dump.js';

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
    const { snapshotter } = dumpModules();
    return writeAndAnnounce(snapshotter.takeSnapshot({ trigger }));
  } catch (error) {
    reportFailure(error);
    return undefined;
  }
}

/** Writes the dump file and names it on stderr; a failure is reported in one line. */
function writeAndAnnounce(dump: Dump): string | undefined {
  try {
    const path = dumpModules().dumpFile.writeDumpFile(dump);
    // The path holds the dump directory, which may be the program's cwd.
    process.stderr.write(`${DUMP_WRITTEN_PREFIX}${terminalSafe(path)}\n`);
    return path;
  } catch (error) {
    reportFailure(error);
    return undefined;
  }
}

/** The background dump under way, if any: one at a time. */
let inFlight = false;

/** Reports a failure in one line; never throws. */
function reportFailure(error: unknown): void {
  try {
    process.stderr.write(`awaitwhat: dump failed: ${terminalSafe((error as Error)?.message ?? String(error))}\n`);
  } catch {
    // stderr is gone: nothing else to tell
  }
}

/**
 * Takes a dump in the background and writes it, as the signal handler does. Never rejects
 * and never throws: failures are reported on stderr in one line.
 * @returns the dump file's path, or `undefined` if the dump failed or one was under way.
 */
export function dumpToFileInBackground(): Promise<string | undefined> {
  if (inFlight) {
    process.stderr.write('awaitwhat: a dump is already being taken; this request is ignored\n');
    return Promise.resolve(undefined);
  }
  // Node < 20.19 under `node -r`: the register may still be import()ing them.
  const loading = dumpModulesLoading();
  if (loading) return loading.then(dumpToFileInBackground);
  let modules: ReturnType<typeof dumpModules>;
  try {
    modules = dumpModules();
  } catch (error) {
    reportFailure(error);
    return Promise.resolve(undefined);
  }
  inFlight = true;
  let pending: Promise<Dump>;
  try {
    pending = modules.background.takeSnapshotInBackground({ trigger: 'signal' });
  } catch (error) {
    pending = Promise.reject(error);
  }
  return pending.then(
    (dump) => {
      inFlight = false;
      return writeAndAnnounce(dump);
    },
    (error: unknown) => {
      inFlight = false;
      reportFailure(error);
      return undefined;
    },
  );
}

function onSignal(): void {
  void dumpToFileInBackground();
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
