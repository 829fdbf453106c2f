/**
 * The SIGUSR2 trigger: `kill -USR2 <pid>` writes a dump and names it on stderr.
 *
 * The dump is taken in the background (`src/background/`): the program is paused while V8
 * writes the heap snapshot, and goes on serving while a worker thread builds the graph. The
 * exit trigger, where nothing asynchronous can happen, dumps synchronously instead.
 */
import { isMainThread } from 'node:worker_threads';
import { requestedFault } from '../internal/fault.js';
import { withIntrinsics } from '../internal/intrinsics.js';
import { dumpWrittenLine } from '../internal/protocol-strings.js';
import { firstLine, stderrLine } from '../internal/stderr-line.js';
import type { Dump } from '../model.js';
import { joinThreads } from '../graph/thread-join.js';
import { startProgress, type ProgressRecord } from './dump-progress.js';
import { dumpModules, dumpModulesLoading } from './lazy-dump.js';
import { collectThreadGraphs, collectThreadGraphsSync, knownThreads } from './thread-collector.js';

/** The signal that asks for a dump. SIGUSR1 belongs to the inspector. */
export const DUMP_SIGNAL = 'SIGUSR2';

/** Captured at load: the program may replace these before a dump. */
const PromiseIntrinsic = Promise;
const promiseThen = Promise.prototype.then;
const apply = Reflect.apply;

let installed = false;

/**
 * Writes a dump now, as the signal handler does. Never throws: a failure is reported on
 * stderr in one line, because this runs inside the program being diagnosed.
 * @returns the dump file's path, or `undefined` if the dump failed.
 */
export function dumpToFile(trigger: 'signal' | 'exit' = 'signal'): string | undefined {
  try {
    const { snapshotter } = dumpModules();
    // Then each worker thread's graph, asked once the main thread's snapshot is done.
    return withIntrinsics(() => {
      const dump = snapshotter.takeSnapshot({ trigger });
      return writeAndAnnounce(dump.refused ? dump : joinThreads(dump, collectThreadGraphsSync(trigger)));
    });
  } catch (error) {
    reportFailure(error);
    return undefined;
  }
}

/** Writes the dump file and names it on stderr; a failure is reported in one line. */
function writeAndAnnounce(dump: Dump): string | undefined {
  try {
    const path = dumpModules().dumpFile.writeDumpFile(dump, undefined, requestedFault() === 'write');
    // (stderrLine shows terminal controls in the path, which may be the program's cwd, as escapes.)
    stderrLine(dumpWrittenLine(path));
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
  stderrLine(`awaitwhat: dump failed: ${firstLine(error)}`);
}

/**
 * Takes a dump in the background, writes it and names it on stderr (or reports its failure
 * in one line), then calls `done` with the path. Uses no promise and never throws: it runs in
 * the program's signal listener, whatever the program did to its globals.
 */
function dumpInBackground(done?: (path: string | undefined) => void): void {
  if (inFlight) {
    stderrLine('awaitwhat: a dump is already being taken; this request is ignored');
    done?.(undefined);
    return;
  }
  // Node < 20.19 under `node -r`: the register may still be import()ing the dump modules.
  const loading = dumpModulesLoading();
  if (loading) {
    apply(promiseThen, loading, [() => withIntrinsics(() => dumpInBackground(done)), () => withIntrinsics(() => dumpInBackground(done))]);
    return;
  }
  inFlight = true;
  // What `awaitwhat dump <pid>` reads while it waits; removed however the dump ends.
  const progress = startProgress(() => dumpModules().dumpFile.dumpDirectory());
  if (knownThreads().length > 0) {
    dumpWithThreads(progress, done);
    return;
  }
  try {
    const { background, dumpFile } = dumpModules();
    background.startBackgroundDump(
      { trigger: 'signal' },
      dumpFile.dumpDirectory(),
      (result) => {
        inFlight = false;
        progress.end();
        if (result.error !== undefined) reportFailure(result.error);
        else stderrLine(dumpWrittenLine(String(result.path)));
        done?.(result.error === undefined ? result.path : undefined);
      },
      progress.update,
    );
  } catch (error) {
    inFlight = false;
    progress.end();
    reportFailure(error);
    done?.(undefined);
  }
}

/**
 * The background dump of a program with worker threads running the register: the main
 * thread's dump first (its analysis in the background as always), then each worker's graph,
 * asked one worker at a time; the joined dump is written here, on the main thread.
 */
function dumpWithThreads(progress: ProgressRecord, done?: (path: string | undefined) => void): void {
  const end = (path: string | undefined): void => {
    inFlight = false;
    progress.end();
    done?.(path);
  };
  const write = (dump: Dump): string | undefined => {
    progress.update({ phase: 'writing' });
    return writeAndAnnounce(dump);
  };
  try {
    dumpModules().background.startBackgroundDump(
      { trigger: 'signal' },
      undefined,
      (result) => {
        if (result.error !== undefined) {
          reportFailure(result.error);
          end(undefined);
          return;
        }
        const dump = result.dump!;
        if (dump.refused) {
          end(write(dump));
          return;
        }
        progress.update({ phase: 'threads' });
        collectThreadGraphs('signal', (graphs) => withIntrinsics(() => end(write(joinThreads(dump, graphs)))));
      },
      progress.update,
    );
  } catch (error) {
    reportFailure(error);
    end(undefined);
  }
}

/**
 * Takes a dump in the background and writes it, as the signal handler does. Never rejects
 * and never throws: failures are reported on stderr in one line.
 * @returns the dump file's path, or `undefined` if the dump failed or one was under way.
 */
export function dumpToFileInBackground(): Promise<string | undefined> {
  return new PromiseIntrinsic((resolve) => dumpInBackground(resolve));
}

/** The signal listener: nothing may escape it (an exception here would end the program). */
function onSignal(): void {
  try {
    withIntrinsics(() => dumpInBackground());
  } catch {
    // dumpInBackground reports its own failures; this only guards the report itself.
  }
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
