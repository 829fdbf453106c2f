/**
 * The dump pipeline, written once for every kind of dump (in process, background, attached):
 *
 * 1. capture: the heap snapshot, taken and parsed the mode's own way (the one pluggable step:
 *    bytes from `v8.getHeapSnapshot` in process, chunks over a WebSocket when attached);
 * 2. wait edges (`wait-edges.ts`) and leaves (`leaves.ts`, `handler-links.ts`), and who
 *    holds the locks leaves are queued in (`lock-owners.ts`), from the snapshot alone;
 * 3. lookups (`lookups.ts`): what only V8 can tell, within one {@link LookupBudget}; then the
 *    holders of locks released by a method, from the sources they fetched (`lock-guards.ts`);
 * 4. nodes (`graph-builder.ts`), then the envelope with roots, cycles and verdicts
 *    (`dump-assembly.ts`), then the profile ({@link dumpProfile}).
 *
 * It is protocol steps (`session.ts`): {@link runSync} runs it inside the program, which does
 * not run meanwhile; {@link runAsync} from a worker thread or another process.
 */
import type { BlockedLoop, Dump, DumpMetrics, DumpProfile, DumpTrigger, GraphNode, HookInfo, LostAwaits, ProcessInfo } from '../model.js';
import type { DumpConfig } from './config.js';
import { assembleDump, tenthsOfMs } from './dump-assembly.js';
import { buildNodes } from './graph-builder.js';
import type { CapturedHeap } from './heap-capture.js';
import { linkHandlerLeaves } from './handler-links.js';
import { describeLeaves } from './leaves.js';
import { findGuardedHolders } from './lock-guards.js';
import { findLockOwners } from './lock-owners.js';
import { gatherFacts, LookupBudget } from './lookups.js';
import { call, type Steps } from './session.js';
import { deriveWaitEdges } from './wait-edges.js';
import { OBJECT_GROUP } from './object-facts.js';
import { findOpenRequests } from './open-requests.js';
import { describeOrphans, orphanSockets } from './orphan-report.js';
import { findOrphans } from './request-holders.js';
import { fastCapture } from './fast-dump.js';


/**
 * What "paused the program" means in `durationMs`: the whole dump (in process), the snapshot
 * and the lookups the main thread answered (background), or from the snapshot until the last
 * lookup (attached: the target then runs again).
 */
export type PauseRule = { kind: 'whole-dump'; startedAt: number } | { kind: 'capture-and-lookups' } | { kind: 'until-lookups-done' };

/** One dump's inputs: the process it describes, and the mode's own steps. */
export interface DumpRequest {
  trigger: DumpTrigger;
  process: ProcessInfo;
  hooks: HookInfo;
  /** The dumped process's `performance.now()` when the dump began: waiting times end there. */
  now: number;
  /** Read from the dumped process's environment (`config.ts`). */
  config: DumpConfig;
  /** Script id → URL, filled from `Debugger.scriptParsed` on the session. */
  scripts: Map<string, string>;
  /** Sentences the mode already has for the dump's warnings; the pipeline adds its own. */
  warnings: string[];
  /** The capture step. */
  capture: Steps<CapturedHeap>;
  /**
   * When to enable the debugger, whose `Debugger.scriptParsed` events fill `scripts`; absent:
   * the mode has done it (attach mode, which needs it before).
   */
  enableDebugger?: 'before-capture' | 'after-capture';
  /** Per-object lookups a round at most (default: no limit but the budget's time). */
  lookupsPerRound?: number;
  /** Runs after the last lookup, before the nodes are built (attach mode resumes the target). */
  lookupsDone?: () => Steps<void>;
  /** Sentences about the built nodes, added to the warnings (attach mode: tasks that moved on). */
  notes?: (nodes: GraphNode[]) => string[];
  pause: PauseRule;
  /** Whether the analysis runs in a worker thread while the program goes on. */
  worker: boolean;
  source?: 'in-process' | 'attached';
  blockedLoop?: BlockedLoop;
  /** Whether anything keeps the event loop alive (known in process only). */
  eventSourcesPending?: boolean | undefined;
  metrics?: DumpMetrics;
  /**
   * The lost awaits (`lost-awaits.ts`), asked for right after the capture: the snapshot's full
   * GC has collected what was garbage by then.
   */
  lostAwaits?: () => LostAwaits | undefined;
  /** When the snapshot was taken, if not now (ISO 8601). */
  createdAt?: string;
}

/** Takes and analyses one heap snapshot; answers the complete dump. */
export function* dumpSteps(request: DumpRequest): Steps<Dump> {
  if (request.config.dumpMode === 'fast') {
    const fast = yield* fastDumpSteps(request);
    if (fast) return fast;
  }
  if (request.enableDebugger === 'before-capture') yield* enableDebugger(request.scripts);
  const captureStarted = performance.now();
  const captured = yield* request.capture;
  if (request.enableDebugger === 'after-capture') yield* enableDebugger(request.scripts);
  const { heap } = captured;
  const lostAwaits = request.lostAwaits?.();
  const graphStarted = performance.now();
  const raw = [...deriveWaitEdges(heap).nodes.values()];
  describeLeaves(heap, raw, request.now);
  linkHandlerLeaves(heap, raw);
  findLockOwners(heap, raw);
  // Open HTTP requests no task waits for: a dump never says "nothing is waiting" over them.
  const isProgramScript = (id: string) => !(request.scripts.get(id) ?? 'node:').startsWith('node:');
  const orphaned = findOrphans(heap, raw, findOpenRequests(heap, request.now), isProgramScript);
  const graphMs = performance.now() - graphStarted;
  const warnings = request.warnings;
  const budget = new LookupBudget(request.config.lookupBudgetMs, request.lookupsPerRound);
  const { scripts, now, hooks } = request;
  const { facts, suspensions } = yield* gatherFacts(heap, raw, { scripts, now, hooks, budget, warnings, sockets: orphanSockets(orphaned) });
  findGuardedHolders(heap, raw, suspensions);
  if (request.lookupsDone) yield* request.lookupsDone();
  const lookupsDone = performance.now();
  const located = { fromSource: 0, byLookup: 0, unlocated: 0 };
  const nodes = buildNodes(raw, { heap, facts, scripts, now, hooks, suspensions, located });
  if (request.notes) warnings.push(...request.notes(nodes));
  const orphans = describeOrphans(orphaned, { heap, scripts, facts });
  const dump = assembleDump({
    trigger: request.trigger,
    process: request.process,
    hooks,
    nodes,
    warnings,
    durationMs: 0,
    verdicts: request.eventSourcesPending === undefined ? request.config.verdicts : { ...request.config.verdicts, eventSourcesPending: request.eventSourcesPending },
    ...(request.source ? { source: request.source } : {}),
    ...(request.blockedLoop ? { blockedLoop: request.blockedLoop } : {}),
    ...(orphans.length > 0 ? { orphans } : {}),
    ...(lostAwaits ? { lostAwaits } : {}),
  });
  if (request.createdAt !== undefined) dump.createdAt = request.createdAt;
  const finished = performance.now();
  const pause = request.pause;
  dump.durationMs = tenthsOfMs(
    pause.kind === 'whole-dump' ? finished - pause.startedAt : pause.kind === 'capture-and-lookups' ? captured.captureMs + budget.spentMs : lookupsDone - captureStarted,
  );
  dump.profile = dumpProfile(captured, { graphMs, budget, buildMs: finished - graphStarted - graphMs - budget.spentMs, worker: request.worker });
  dump.profile.located = located;
  if (request.metrics) dump.metrics = request.metrics;
  if (orphans.length > 0) dump.orphans = orphans;
  return dump;
}

/**
 * The fast dump (`fast-dump.ts`): no heap snapshot; answers `undefined`, with the reason in the
 * warnings, when the process cannot give one, and the full dump goes ahead.
 */
function* fastDumpSteps(request: DumpRequest): Steps<Dump | undefined> {
  const started = performance.now();
  const fast = yield* fastCapture();
  if (fast.missing !== undefined) {
    request.warnings.push(`AWAITWHAT_DUMP_MODE=fast: no fast dump (${fast.missing}); a full dump (heap snapshot) was taken instead`);
    return undefined;
  }
  if (request.lookupsDone) yield* request.lookupsDone();
  const walked = performance.now();
  const warnings = [
    ...request.warnings,
    'fast dump (AWAITWHAT_DUMP_MODE=fast): tasks and await lines from V8\'s async stack walk, no heap snapshot; not shown: tasks awaiting a promise that several wait on, leaves, waiting times, function definitions',
  ];
  const nodes = fast.nodes;
  if (request.notes) warnings.push(...request.notes(nodes));
  const dump = assembleDump({
    trigger: request.trigger,
    process: request.process,
    hooks: request.hooks,
    nodes,
    warnings,
    durationMs: 0,
    verdicts: request.config.verdicts,
    ...(request.source ? { source: request.source } : {}),
    ...(request.blockedLoop ? { blockedLoop: request.blockedLoop } : {}),
  });
  if (request.createdAt !== undefined) dump.createdAt = request.createdAt;
  const finished = performance.now();
  const pause = request.pause;
  dump.durationMs = tenthsOfMs(pause.kind === 'whole-dump' ? finished - pause.startedAt : pause.kind === 'capture-and-lookups' ? fast.queryMs + fast.walkMs : walked - started);
  dump.profile = {
    capture: 'async-walk',
    snapshotBytes: 0,
    heapNodes: fast.promises,
    captureMs: tenthsOfMs(fast.queryMs),
    parseMs: 0,
    graphMs: tenthsOfMs(fast.walkMs),
    lookups: 0,
    lookupMs: 0,
    buildMs: tenthsOfMs(finished - walked),
    worker: false,
  };
  if (request.metrics) dump.metrics = request.metrics;
  return dump;
}

/** The phase times of a dump, as `dump.profile` records them. */
export function dumpProfile(captured: CapturedHeap, phases: { graphMs: number; budget: LookupBudget; buildMs: number; worker: boolean }): DumpProfile {
  return {
    capture: captured.method,
    snapshotBytes: captured.bytes,
    heapNodes: captured.heap.nodeCount,
    captureMs: tenthsOfMs(captured.captureMs),
    parseMs: tenthsOfMs(captured.parseMs),
    graphMs: tenthsOfMs(phases.graphMs),
    lookups: phases.budget.lookups,
    lookupMs: tenthsOfMs(phases.budget.spentMs),
    buildMs: tenthsOfMs(Math.max(0, phases.buildMs)),
    worker: phases.worker,
  };
}

/**
 * Enables the debugger, whose `Debugger.scriptParsed` events (one per script, sent during
 * `Debugger.enable`) fill `scripts`.
 */
export function* enableDebugger(scripts: Map<string, string>): Steps<void> {
  yield { type: 'subscribe', event: 'Debugger.scriptParsed', listener: (p: { scriptId: string; url: string }) => scripts.set(p.scriptId, p.url) };
  yield* call('Debugger.enable');
}

/** Releases what the lookups held and disables the debugger; never throws. */
export function* releaseSession(): Steps<void> {
  for (const [method, params] of [['Runtime.releaseObjectGroup', { objectGroup: OBJECT_GROUP }], ['Debugger.disable', {}]] as const) {
    try {
      yield* call(method, params);
    } catch {
      // The session is closed afterwards either way.
    }
  }
}
