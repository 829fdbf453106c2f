/**
 * The wait-for graph model: what a dump holds, as TypeScript types.
 *
 * This file is the contract between the snapshotter (which builds a {@link Dump}), the
 * serializers (JSON, DOT, tree, SVG) and the CLI (which reads dumps back). The JSON form of a
 * dump is exactly this shape; `schema/dump-v1.schema.json` describes it for other tools and
 * `docs/dump-format.md` explains every field.
 *
 * @packageDocumentation
 */

/** Version of the dump format produced by this release. Bumped on any incompatible change. */
export const DUMP_VERSION = 1 as const;

export type { SourceLocation, StackFrame } from './model-location.js';
import type { StackFrame } from './model-location.js';
export { LOST_AWAIT_KINDS } from './model-lost-awaits.js';
export type { LostAwait, LostAwaits } from './model-lost-awaits.js';
import type { LostAwaits } from './model-lost-awaits.js';
export { EDGE_KINDS, LOCK_STATES, type EdgeKind, type LockInfo, type LockState } from './model-locks.js';
import type { LockInfo } from './model-locks.js';

/* The nodes of the graph (task and promise kinds, leaves) live in model-nodes.ts. */
export { COMBINATOR_KINDS, LEAF_KINDS, NODE_FIELDS, NODE_KINDS, NODE_STATES, PROMISE_KINDS, TASK_KINDS, isTask, isTaskKind, nodeShape, shapeNode } from './model-nodes.js';
export type { ChainedNode, CombinatorKind, CombinatorNode, GraphNode, LeafInfo, LeafKind, LeafNode, NodeFields, NodeKind, NodeState, PromiseKind, TaskKind, TaskNode } from './model-nodes.js';
import type { GraphNode } from './model-nodes.js';

/**
 * A finding at the top of a dump.
 *
 * - `cycle`: tasks waiting on each other (deadlock; a lock-order deadlock when the cycle goes
 *   through a lock's holder, see {@link LockInfo});
 * - `never-settles`: a wait on a promise nothing can settle any more;
 * - `stall`: no timer, I/O, child process or other event source is pending: nothing will ever
 *   wake any waiting task;
 * - `long-wait`: a task has waited longer than the threshold;
 * - `fan-in`: many tasks wait on the same node (a pool, a lock, a shared request);
 * - `blocked-loop`: the event loop was blocked by synchronous JavaScript;
 * - `lock-leaked`: tasks wait for a lock nobody alive can release.
 * - `orphaned`: an HTTP request is open and no task waits for it (`dump.orphans`).
 */
export const VERDICT_KINDS = ['cycle', 'never-settles', 'stall', 'long-wait', 'fan-in', 'blocked-loop', 'lock-leaked', 'orphaned'] as const;
/** What a verdict found; see {@link VERDICT_KINDS}. */
export type VerdictKind = (typeof VERDICT_KINDS)[number];

/**
 * A verdict kind this version does not know, read as written from a dump of a newer
 * awaitwhat (docs/dump-format.md#compatibility): a reader must expect any string there and
 * show it as given. Autocompletion still offers the known kinds.
 */
export type NewerKind = string & Record<never, never>;

/** One finding, with the nodes it is about. */
export interface Verdict {
  /** One of {@link VERDICT_KINDS}; in a dump of a newer awaitwhat, possibly a kind this version does not know. */
  kind: VerdictKind | NewerKind;
  /** One line for a person. */
  summary: string;
  /** Ids of the nodes concerned (may be empty, e.g. for `stall` or `blocked-loop`). */
  nodes: string[];
}

/** The main thread was running JavaScript when the dump was asked for. */
export interface BlockedLoop {
  /** How long the event loop had not turned, ms (as measured by whoever noticed). */
  blockedMs: number;
  /** The main thread's JavaScript stack at that moment, top frame first. */
  stack: StackFrame[];
}

/** A chain of nodes that wait for each other in a loop: none of them can ever proceed. */
export interface Cycle {
  /**
   * Node ids in wait order: `nodes[0]` waits for `nodes[1]` … and the last for `nodes[0]`;
   * each step is an `awaits` edge or a `held-by` one (a leaf to its lock's holder).
   */
  nodes: string[];
}

/** How a dump can be requested: SIGUSR2, `snapshot()`, at exit, the command line, the watchdog. */
export const DUMP_TRIGGERS = ['signal', 'api', 'exit', 'cli', 'watchdog'] as const;
/** How the dump was requested; see {@link DUMP_TRIGGERS}. */
export type DumpTrigger = (typeof DUMP_TRIGGERS)[number];

/** How a dump's facts can be gathered: see {@link Dump.source}. */
export const DUMP_SOURCES = ['in-process', 'attached'] as const;
/** How a dump's facts were gathered; see {@link DUMP_SOURCES}. */
export type DumpSource = (typeof DUMP_SOURCES)[number];

/** Which way a dump goes (their costs differ): see {@link SnapshotRefusal.way}. */
export const DUMP_WAYS = ['in-process', 'background', 'attached'] as const;
/** Which way a dump goes; see {@link DUMP_WAYS}. */
export type DumpWay = (typeof DUMP_WAYS)[number];

/** How a heap snapshot can be taken: see {@link DumpProfile.capture}. */
export const CAPTURE_METHODS = ['v8.getHeapSnapshot', 'inspector', 'async-walk'] as const;
/** How the heap snapshot was taken; see {@link CAPTURE_METHODS}. */
export type CaptureMethod = (typeof CAPTURE_METHODS)[number];

/** Facts about the process that was dumped. */
export interface ProcessInfo {
  pid: number;
  /** `process.argv` of the dumped process. */
  argv: string[];
  /** Working directory; `view` prints paths relative to it. */
  cwd: string;
  /** `process.version`, e.g. `v20.20.2`. */
  nodeVersion: string;
  platform: string;
  /** Milliseconds since the process started. */
  uptimeMs: number;
}

/** What the hook layer contributed to this dump. */
export interface HookInfo {
  /** Whether `awaitwhat/register` (or `installHooks()`) was active when the dump was taken. */
  installed: boolean;
  /** Whether full creation stacks were being captured. */
  creationStacks: boolean;
}

/** A complete dump: the JSON document written on SIGUSR2 and returned by `snapshot()`. */
export interface Dump {
  /** Format version; see {@link DUMP_VERSION}. */
  version: typeof DUMP_VERSION;
  /** Producer of the dump. */
  tool: { name: 'awaitwhat'; version: string };
  /** ISO-8601 time at which the dump was taken. */
  createdAt: string;
  /** How the dump was requested. */
  trigger: DumpTrigger;
  /** How long taking the snapshot paused the program, in milliseconds. */
  durationMs: number;
  process: ProcessInfo;
  hooks: HookInfo;
  /** Every pending task and promise that takes part in a wait. */
  nodes: GraphNode[];
  /** Ids of nodes nobody waits for: where each chain starts, in `nodes` order. */
  roots: string[];
  /** Every wait cycle (deadlock) found. */
  cycles: Cycle[];
  /** Things the snapshotter could not do or had to guess, one sentence each. */
  warnings: string[];
  /** Findings, most severe first (cycles, never-settling waits, stall, long waits, fan-in). */
  verdicts?: Verdict[];
  /** Present when the main thread was busy running JavaScript (see {@link BlockedLoop}). */
  blockedLoop?: BlockedLoop;
  /** Waits abandoned on a promise that was collected while pending (see {@link LostAwaits}). */
  lostAwaits?: LostAwaits;
  /**
   * How the facts were gathered: `in-process` (the register or `snapshot()` in the program
   * itself) or `attached` (the CLI attached to a process started without awaitwhat, through
   * its inspector; no stamps, so no waiting times). Absent means `in-process`.
   */
  source?: DumpSource;
  /** Task metrics, when `enableMetrics()` was on at dump time (see {@link DumpMetrics}). */
  metrics?: DumpMetrics;
  /** Where the dump's own time went (in-process dumps; see {@link DumpProfile}). */
  profile?: DumpProfile;
  /**
   * Present when no heap snapshot was taken because it would not fit in memory (see
   * {@link SnapshotRefusal}): then `nodes` is empty and the dump holds what is known without
   * a snapshot (process facts, hook layer, metrics).
   */
  refused?: SnapshotRefusal;
  /** The program's worker threads, one graph each (see {@link ThreadGraph}); absent without workers. */
  threads?: ThreadGraph[];
  /** Waits of one thread on another (see {@link ThreadEdge}). */
  threadEdges?: ThreadEdge[];
  /** HTTP requests open at the dump that no task waits for (see {@link OrphanedRequest}). */
  orphans?: OrphanedRequest[];
}

/**
 * Why a dump took no heap snapshot: its estimated peak memory exceeded what the process may
 * still use (docs/production.md). Added without a version bump: optional. Sizes in bytes.
 */
export interface SnapshotRefusal {
  /** One line for a person: the estimate, the limit that refused it, how to override. */
  reason: string;
  /** Which way the dump would have gone: its cost differs (see docs/production.md). */
  way: DumpWay;
  /** V8's used heap size at the time (of the target, in attach mode). */
  heapUsedBytes: number;
  /** The estimated peak of memory the dump would have added. */
  estimatedPeakBytes: number;
  /** The tightest limit: what it is, its size, what counts against it, what it leaves. */
  limit: {
    /** e.g. `cgroup v1 memory.limit_in_bytes`, `system MemAvailable`, `AWAITWHAT_MEMORY_BUDGET_MB=64`, `option memoryBudgetMB=64`. */
    source: string;
    limitBytes: number;
    usageBytes: number;
    headroomBytes: number;
  };
}

/**
 * Where an in-process dump's time went, phase by phase, so that a slow dump explains itself
 * (docs/benchmarks.md shows how it grows with the number of tasks). Added without a version
 * bump: optional, and a reader that does not know it ignores it. Times in ms.
 */
export interface DumpProfile {
  /**
   * How the heap snapshot was taken: `v8.getHeapSnapshot` (as bytes, synchronously; the fast
   * way) or `inspector` (`HeapProfiler.takeHeapSnapshot`, the fallback); `async-walk`: no
   * snapshot (`AWAITWHAT_DUMP_MODE=fast`), `heapNodes` then counts the promises walked.
   */
  capture: CaptureMethod;
  /** Size of the heap snapshot's JSON, bytes. */
  snapshotBytes: number;
  /** Objects in the heap snapshot. */
  heapNodes: number;
  /** V8 producing the heap snapshot. */
  captureMs: number;
  /** Reading the snapshot into typed columns. */
  parseMs: number;
  /** Deriving the wait edges and the leaves from the snapshot. */
  graphMs: number;
  /** Per-object lookups through the inspector (each walks the whole heap): how many. */
  lookups: number;
  /** Their time. */
  lookupMs: number;
  /** Building the nodes (lookups excepted) and assembling the dump: roots, cycles, verdicts. */
  buildMs: number;
  /**
   * Whether parsing and analysis ran in a worker thread while the program went on (SIGUSR2
   * dumps, `snapshotInBackground()`); then only `captureMs` and `lookupMs` paused it.
   */
  worker: boolean;
  /**
   * How the program's suspended tasks (Node's own excepted) were placed at their await line:
   * from the source (`fromSource`: a single await, or the only await whose expression fits
   * what the task awaits), by a per-object lookup (`byLookup`), or not at all (`unlocated`).
   * Optional: dumps of earlier versions lack it.
   */
  located?: { fromSource: number; byLookup: number; unlocated: number };
}

/* The optional metrics section (docs/metrics.md) lives in model-metrics.ts. */
export type { DumpMetrics, HistogramSummary, SlowStep, TaskFigures, TaskMetrics } from './model-metrics.js';
import type { DumpMetrics } from './model-metrics.js';

/* Worker threads (docs/dump-format.md#threads): what a thread is in model-threads.ts. */
export { THREAD_STATUSES, type ThreadEdge, type ThreadFacts, type ThreadStatus } from './model-threads.js';
import type { ThreadEdge, ThreadFacts } from './model-threads.js';

/** One worker thread's wait-for graph, in that thread's own ids; the fields as in {@link Dump}. */
export interface ThreadGraph extends ThreadFacts {
  nodes: GraphNode[];
  roots: string[];
  cycles: Cycle[];
  warnings: string[];
  verdicts?: Verdict[];
}
/* The optional orphaned-requests section (docs/diagnosis.md) lives in model-orphans.ts. */
export { REQUEST_KINDS, type OrphanedRequest, type RequestHandler, type RequestKind } from './model-orphans.js';
import type { OrphanedRequest } from './model-orphans.js';
