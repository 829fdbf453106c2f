/**
 * The in-process snapshotter: a {@link Dump} of the current process, taken synchronously (the
 * program is paused for the whole dump, so the graph is consistent).
 *
 * The memory guard first (`memory-guard.ts`), then a same-thread inspector session
 * (`inspector-client.ts`), over which the dump pipeline (`pipeline.ts`) runs to its end before
 * this returns: capture with `v8.getHeapSnapshot` (`heap-capture.ts`), edges, leaves, lookups,
 * nodes, assembly, profile. Its configuration is this process's own environment (`config.ts`).
 */
import { createRequire } from 'node:module';
import { dumpSection, exitCallsWarning } from '../internal/exit-guard.js';
import { currentProcessInfo } from '../internal/process-info.js';
import { hookState } from '../hooks/install.js';
import { dumpMetrics } from '../monitor/metrics.js';
import type { Dump, DumpTrigger, HookInfo } from '../model.js';
import { dumpConfig } from './config.js';
import { captureInProcess } from './heap-capture.js';
import { InspectorClient } from './inspector-client.js';
import { readLostAwaits, sealLostAwaitCohort } from './lost-awaits.js';
import type { MemoryGuardOptions } from './memory-guard.js';
import { chooseDumpMode } from './dump-mode.js';
import { dumpSteps, releaseSession } from './pipeline.js';
import { runSync } from './session.js';

/** Options of {@link takeSnapshot}. */
export interface SnapshotOptions extends MemoryGuardOptions {
  /** Recorded in the dump; `api` by default. */
  trigger?: DumpTrigger;
}

/** Loaded lazily: a Node built without the inspector must still be able to load awaitwhat. */
function loadInspector(): typeof import('node:inspector') | undefined {
  try {
    return createRequire(import.meta.url)('node:inspector') as typeof import('node:inspector');
  } catch {
    return undefined;
  }
}

/**
 * Whether anything keeps the event loop alive. awaitwhat's own handles (the clock interval,
 * the watchdog) are unref'd and not listed, nor is the signal listener.
 */
export function eventSourcesPending(): boolean | undefined {
  try {
    return process.getActiveResourcesInfo().length > 0;
  } catch {
    return undefined;
  }
}

/** What the hook layer contributes to a dump of this process now. */
export function currentHookInfo(): HookInfo {
  const state = hookState();
  return { installed: state !== undefined, creationStacks: state?.creationStacks ?? false };
}

/**
 * Takes a dump of this process. Synchronous: the program does not run until it returns.
 * It runs with the built-ins as awaitwhat loaded them, whatever the program did to its globals
 * (`intrinsics.ts`); should the program's code run during it anyway and call `process.exit`,
 * the exit is refused (`exit-guard.ts`) and the dump says so in a warning.
 * `mode` (internal: the background dump, which weighed the memory already) takes a fast dump.
 */
export function takeSnapshot(options: SnapshotOptions = {}, mode?: 'fast'): Dump {
  const { value: dump, exitCalls } = dumpSection(() => snapshotNow(options, mode));
  const warning = exitCallsWarning(exitCalls);
  if (warning) dump.warnings = [...dump.warnings, warning];
  return dump;
}

function snapshotNow(options: SnapshotOptions, mode: 'fast' | undefined): Dump {
  const started = performance.now();
  const trigger = options.trigger ?? 'api';
  const env = dumpConfig(process.env);
  const choice = mode === 'fast' ? { mode, warnings: [] } : chooseDumpMode('in-process', trigger, options, env);
  if (choice.refused) return choice.refused;
  const client = InspectorClient.connect(loadInspector());
  try {
    const config = { ...env, dumpMode: choice.mode };
    sealLostAwaitCohort();
    const dump = runSync(
      dumpSteps({
        trigger,
        process: currentProcessInfo(),
        hooks: currentHookInfo(),
        now: started,
        config,
        scripts: new Map(),
        warnings: choice.warnings,
        enableDebugger: 'before-capture',
        capture: captureInProcess(config),
        pause: { kind: 'whole-dump', startedAt: started },
        worker: false,
        eventSourcesPending: eventSourcesPending(),
        lostAwaits: () => readLostAwaits(started),
      }),
      client,
    );
    // Task metrics (issue 4), when enableMetrics() is on: cheap counters, no heap walk.
    const section = dumpMetrics();
    if (section) dump.metrics = section;
    return dump;
  } finally {
    runSync(releaseSession(), client);
    client.close();
  }
}
