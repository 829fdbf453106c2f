/**
 * The in-process snapshotter: builds a {@link Dump} of the current process.
 *
 * Steps, all synchronous (the program is paused for the whole dump, so the graph is
 * consistent):
 * 1. open an in-process inspector session and enable the debugger (to learn script URLs);
 * 2. take a heap snapshot and derive the wait-for edges from V8's own objects
 *    (`wait-edges.ts`): exact, whatever the nesting, and free until a dump is asked;
 * 3. ask V8, for each suspended task, where it is suspended (`[[GeneratorLocation]]`) and
 *    where its function is defined (`[[FunctionLocation]]`) (`object-facts.ts`);
 * 4. read the hook layer's stamps out of the snapshot and build the nodes
 *    (`graph-builder.ts`);
 * 5. find roots and cycles (`dump-assembly.ts`).
 */
import { createRequire } from 'node:module';
import { dumpSection, exitCallsWarning } from '../internal/exit-guard.js';
import { currentProcessInfo } from '../internal/process-info.js';
import { hookState } from '../hooks/install.js';
import { dumpMetrics } from '../monitor/metrics.js';
import type { Dump, DumpTrigger, HookInfo } from '../model.js';
import type { VerdictOptions } from '../graph/verdicts.js';
import { assembleDump, tenthsOfMs } from './dump-assembly.js';
import { buildNodes } from './graph-builder.js';
import { captureHeap } from './heap-capture.js';
import { InspectorClient } from './inspector-client.js';
import { refuseIfTooBig, type MemoryGuardOptions } from './memory-guard.js';
import { InProcessFacts, LOOKUP_BUDGET_MS, OBJECT_GROUP } from './object-facts.js';
import { describeLeaves } from './leaves.js';
import { SuspensionIndex } from './suspension-points.js';
import { deriveWaitEdges } from './wait-edges.js';

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

/** Verdict thresholds from the environment: `AWAITWHAT_LONG_WAIT_MS`, `AWAITWHAT_FAN_IN`. */
export function verdictOptions(env: NodeJS.ProcessEnv): VerdictOptions {
  const options: VerdictOptions = {};
  const longWait = Number(env.AWAITWHAT_LONG_WAIT_MS);
  const fanIn = Number(env.AWAITWHAT_FAN_IN);
  if (env.AWAITWHAT_LONG_WAIT_MS && Number.isFinite(longWait) && longWait >= 0) options.longWaitMs = longWait;
  if (env.AWAITWHAT_FAN_IN && Number.isInteger(fanIn) && fanIn >= 2) options.fanIn = fanIn;
  return options;
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

/** The per-object lookup budget from `AWAITWHAT_LOOKUP_BUDGET_MS`, else the default. */
export function lookupBudget(env: NodeJS.ProcessEnv): number {
  const ms = Number(env.AWAITWHAT_LOOKUP_BUDGET_MS);
  return env.AWAITWHAT_LOOKUP_BUDGET_MS && Number.isFinite(ms) && ms >= 0 ? ms : LOOKUP_BUDGET_MS;
}

/**
 * Takes a dump of this process. Synchronous: the program does not run until it returns.
 * It runs with the built-ins as awaitwhat loaded them, whatever the program did to its globals
 * (`intrinsics.ts`); should the program's code run during it anyway and call `process.exit`,
 * the exit is refused (`exit-guard.ts`) and the dump says so in a warning.
 */
export function takeSnapshot(options: SnapshotOptions = {}): Dump {
  const { value: dump, exitCalls } = dumpSection(() => snapshotNow(options));
  const warning = exitCallsWarning(exitCalls);
  if (warning) dump.warnings = [...dump.warnings, warning];
  return dump;
}

function snapshotNow(options: SnapshotOptions): Dump {
  const started = performance.now();
  const refused = refuseIfTooBig('in-process', options.trigger ?? 'api', options);
  if (refused) return refused;
  const client = InspectorClient.connect(loadInspector());
  const warnings: string[] = [];
  try {
    const scripts = new Map<string, string>();
    client.on('Debugger.scriptParsed', (p: { scriptId: string; url: string }) => scripts.set(p.scriptId, p.url));
    client.call('Debugger.enable');
    const captured = captureHeap(client);
    const { heap } = captured;
    const graphStarted = performance.now();
    const raw = deriveWaitEdges(heap);
    describeLeaves(heap, raw.nodes.values(), started);
    const graphMs = performance.now() - graphStarted;
    const hooks = currentHookInfo();
    const facts = new InProcessFacts(client, heap, warnings, lookupBudget(process.env));
    let asyncGenerators = 0;
    for (const node of raw.nodes.values()) if (node.kind === 'async-generator') asyncGenerators++;
    facts.prepare(asyncGenerators);
    const located = { fromSource: 0, byLookup: 0, unlocated: 0 };
    const nodes = buildNodes(raw.nodes.values(), {
      located,
      heap,
      facts,
      scripts,
      now: started,
      hooks,
      suspensions: new SuspensionIndex((scriptId) => {
        try {
          return client.call<{ scriptSource: string }>('Debugger.getScriptSource', { scriptId }).scriptSource;
        } catch {
          return undefined;
        }
      }),
    });
    facts.finish();
    const dump = assembleDump({
      trigger: options.trigger ?? 'api',
      process: currentProcessInfo(),
      hooks,
      nodes,
      warnings,
      durationMs: 0,
      verdicts: { ...verdictOptions(process.env), eventSourcesPending: eventSourcesPending() },
    });
    const walks = facts.walks;
    const finished = performance.now();
    dump.durationMs = tenthsOfMs(finished - started);
    dump.profile = {
      capture: captured.method,
      snapshotBytes: captured.bytes,
      heapNodes: heap.nodeCount,
      captureMs: tenthsOfMs(captured.captureMs),
      parseMs: tenthsOfMs(captured.parseMs),
      graphMs: tenthsOfMs(graphMs),
      lookups: walks.count,
      lookupMs: tenthsOfMs(walks.ms),
      buildMs: tenthsOfMs(finished - graphStarted - graphMs - walks.ms),
      worker: false,
      located,
    };
    // Task metrics (issue 4), when enableMetrics() is on: cheap counters, no heap walk.
    const metricsSection = dumpMetrics();
    if (metricsSection) dump.metrics = metricsSection;
    return dump;
  } finally {
    try {
      client.call('Runtime.releaseObjectGroup', { objectGroup: OBJECT_GROUP });
      client.call('Debugger.disable');
    } catch {
      // The session is closed below either way.
    }
    client.close();
  }
}
