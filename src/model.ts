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

/**
 * A place in the program's source. Lines and columns are **1-based**, as editors and stack
 * traces show them (V8's inspector reports 0-based; the snapshotter converts).
 */
export interface SourceLocation {
  /** The script's URL as V8 knows it: `file:///…` for files, `node:…` for Node's own modules. */
  url: string;
  /** 1-based line. */
  line: number;
  /** 1-based column. */
  column: number;
}

/** One frame of a captured stack (only present when creation stacks were enabled). */
export interface StackFrame extends SourceLocation {
  /** Function name as V8 reports it; empty for anonymous code. */
  functionName: string;
}

/**
 * What a node of the wait-for graph is.
 *
 * - `async-function`: one invocation of an `async function` (or async arrow / method),
 *   suspended at an `await`.
 * - `async-generator`: an async generator object, suspended at an `await` or `yield`, or
 *   waited on through its `next()` promises (`for await`).
 * - `module`: an ES module body suspended at a top-level `await`.
 * - `combinator`: the promise returned by `Promise.all`, `allSettled`, `any` or `race`, waiting
 *   on several inputs.
 * - `then`: a promise derived by `.then` / `.catch` / `.finally`, waiting on the promise it
 *   was chained to.
 * - `resolve`: a promise resolved with another promise (`resolve(p)`, `return p` from a
 *   `.then` callback): it adopts that promise's fate.
 * - `promise`: a pending promise that nothing in the graph settles: the leaf of a chain.
 */
export type NodeKind =
  | 'async-function'
  | 'async-generator'
  | 'module'
  | 'combinator'
  | 'then'
  | 'resolve'
  | 'promise';

/** Which promise combinator a `combinator` node is. */
export type CombinatorKind = 'all' | 'allSettled' | 'any' | 'race';

/**
 * A task or promise in the wait-for graph.
 *
 * Edges are stored on both ends: `awaits` (what this node waits for) and `awaitedBy` (who waits
 * for this node). An `async-function` node stands for the invocation *and* the promise it
 * returns, so "A awaits B()" is a single edge A → B.
 */
export interface GraphNode {
  /** Identifier unique within one dump (not stable across dumps), e.g. `"n12"`. */
  id: string;
  /** What this node is. */
  kind: NodeKind;
  /**
   * Human name: the function's name for tasks (`"<anonymous>"` when it has none), the
   * combinator (`"Promise.all"`), `".then"` / `".finally"` for derived promises,
   * `"resolve(promise)"` for a promise resolved with another one, `"Promise"` for leaves, the
   * module's file name for modules.
   */
  name: string;
  /** Set on `combinator` nodes. */
  combinator?: CombinatorKind;
  /**
   * For tasks: `suspended` (at an await or yield) or `running` (the task that requested the
   * dump). Promises are always `pending` (settled ones are not in the graph).
   */
  state: 'suspended' | 'running' | 'pending';
  /** Where a task is suspended: the exact `await` (or `yield`) expression. */
  awaitLocation?: SourceLocation;
  /** Where the task's function, or a `.then` callback, is defined. */
  functionLocation?: SourceLocation;
  /** Creation stack, top frame first; only when creation stacks were enabled. */
  creationStack?: StackFrame[];
  /**
   * How long this node has waited on what it awaits now, in milliseconds at the moment of the
   * dump. Known when the hook layer saw the wait begin (the register was loaded before it).
   */
  waitingMs?: number;
  /** Age of the promise in milliseconds, when the hook layer recorded its creation. */
  ageMs?: number;
  /** Ids of the nodes this node waits for (several for a combinator). */
  awaits: string[];
  /** Ids of the nodes waiting for this node. */
  awaitedBy: string[];
  /**
   * For `promise` leaves: what could still settle it (a timer, a socket, an event listener,
   * a queue in the program…) or that nothing can. Absent when the snapshotter found nothing.
   */
  leaf?: LeafInfo;
}

/**
 * What a leaf promise finally waits on.
 *
 * - `timer`: a `setTimeout` / `timers/promises` timer (details: `delayMs`, `remainingMs`);
 * - `socket`: a TCP/TLS socket or HTTP request (details: `localAddress`, `remoteAddress`, …);
 * - `server`: a listening server;
 * - `fs`: a pending file system request;
 * - `dns`: a pending DNS lookup;
 * - `child-process`: a child process (details: `pid`, `command`);
 * - `worker`: a worker thread;
 * - `event`: an `EventEmitter` listener, e.g. `events.once` (details: `emitter`, `event`);
 * - `stream`: a stream (details: its class and state);
 * - `queue`: the promise's `resolve` is parked in the program's own data structure (a pool's
 *   waiter queue, a map of pending requests): whoever drains it can settle the promise;
 * - `never`: nothing can settle it any more: its resolve and reject functions are unreachable;
 * - `unknown`: something holds its resolve function, but not a kind awaitwhat recognises.
 */
export type LeafKind =
  | 'timer'
  | 'socket'
  | 'server'
  | 'fs'
  | 'dns'
  | 'child-process'
  | 'worker'
  | 'event'
  | 'stream'
  | 'queue'
  | 'never'
  | 'unknown';

/** What settles a leaf promise, as far as the heap shows. */
export interface LeafInfo {
  kind: LeafKind;
  /** One line for a person, e.g. `timer: 60s delay, 58.8s left`, `event 'connected' on Connection`. */
  description: string;
  /**
   * How the settling function is reached from the resource, outermost first, e.g.
   * `["Pool", "waiters", "[0]"]`: the path a person would follow in a debugger.
   */
  heldBy?: string[];
  /** Kind-specific facts: numbers, strings or booleans only. */
  details?: Record<string, string | number | boolean>;
  /** Where the program's function that holds the resolver is defined, when known. */
  location?: SourceLocation;
}

/**
 * A finding at the top of a dump.
 *
 * - `cycle`: tasks waiting on each other (deadlock);
 * - `never-settles`: a wait on a promise nothing can settle any more;
 * - `stall`: no timer, I/O, child process or other event source is pending: nothing will ever
 *   wake any waiting task;
 * - `long-wait`: a task has waited longer than the threshold;
 * - `fan-in`: many tasks wait on the same node (a pool, a lock, a shared request);
 * - `blocked-loop`: the event loop was blocked by synchronous JavaScript.
 */
export type VerdictKind = 'cycle' | 'never-settles' | 'stall' | 'long-wait' | 'fan-in' | 'blocked-loop';

/** One finding, with the nodes it is about. */
export interface Verdict {
  kind: VerdictKind;
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
  /** Node ids in wait order: `nodes[0]` awaits `nodes[1]` … and the last awaits `nodes[0]`. */
  nodes: string[];
}

/** How the dump was requested. */
export type DumpTrigger = 'signal' | 'api' | 'exit' | 'cli' | 'watchdog';

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
  /**
   * How the facts were gathered: `in-process` (the register or `snapshot()` in the program
   * itself) or `attached` (the CLI attached to a process started without awaitwhat, through
   * its inspector; no stamps, so no waiting times). Absent means `in-process`.
   */
  source?: 'in-process' | 'attached';
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
}

/**
 * Why a dump took no heap snapshot: its estimated peak memory exceeded what the process may
 * still use (docs/production.md). Added without a version bump: optional. Sizes in bytes.
 */
export interface SnapshotRefusal {
  /** One line for a person: the estimate, the limit that refused it, how to override. */
  reason: string;
  /** Which way the dump would have gone: its cost differs (see docs/production.md). */
  way: 'in-process' | 'background' | 'attached';
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
   * way) or `inspector` (`HeapProfiler.takeHeapSnapshot`, the fallback).
   */
  capture: 'v8.getHeapSnapshot' | 'inspector';
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

/* ------------------------------------------------------------------------------------------ */
/* Metrics section (optional; see docs/metrics.md). Added without a version bump: a reader    */
/* that does not know it ignores it, and dumps without it stay valid.                         */
/* ------------------------------------------------------------------------------------------ */

/**
 * Summary of a histogram of durations. Every field is in **nanoseconds** except `count`.
 * Percentiles come from log-linear buckets and are within ≈ 3 % of the true sample.
 * `count` is exact. For the task metrics' step and wait histograms, values come from the
 * **timed** steps (a sample unless `enableMetrics({ timeEveryStep: true })`, see
 * docs/metrics.md): `mean` and the percentiles are estimates, `min` / `max` the extremes of the
 * sample; with every step timed, `min`, `max` and `mean` are exact. All fields but `count` are
 * 0 while nothing was measured (all are 0 when `count` is 0).
 */
export interface HistogramSummary {
  /** Number of samples. */
  count: number;
  min: number;
  mean: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

/** Per-task figures of one live task (see docs/metrics.md for the definitions). */
export interface TaskMetrics {
  /** Task id (process-wide, increasing, never reused); the id hooks see as `task.id`. */
  id: number;
  /** Id of the task whose step created this task; absent when created outside any task step. */
  parentId?: number;
  /** Function name at the task's creation, when locations are captured. */
  name?: string;
  /** Where the task was created, when locations are captured. */
  location?: SourceLocation;
  /** Steps run so far (the first one included). */
  resumptions: number;
  /** Total synchronous time of its steps, ns. */
  busyNs: number;
  /** Total time between the end of one of its steps and the start of the next, ns. */
  waitingNs: number;
  /** Milliseconds since its first step started. */
  ageMs: number;
}

/** A task step that ran longer than the slow-step threshold: it blocked the event loop. */
export interface SlowStep {
  /** The task the step belongs to. */
  taskId: number;
  parentTaskId?: number;
  taskName?: string;
  taskLocation?: SourceLocation;
  /** Synchronous duration of the step, ns. */
  durationNs: number;
  /** When the step started, milliseconds since the Unix epoch. */
  startedAt: number;
  /**
   * The `await` (or `.then` call) that ended the step, i.e. the line the task is at when it
   * yields back to the event loop; present when slow-step stacks are enabled.
   */
  awaitLocation?: SourceLocation;
  /** The stack at that point (`Error.prototype.stack` form), when slow-step stacks are enabled. */
  stack?: string;
  /**
   * What the `context` function given to `enableMetrics()` returned inside the step (with the
   * task's async context current), e.g. `{ traceId, spanId }`. JSON values only.
   */
  context?: unknown;
}

/**
 * The task figures every metrics reading has: cumulative in a dump's {@link DumpMetrics}, over
 * one interval in `metricsIntervals()` readings. Definitions in docs/metrics.md.
 */
export interface TaskFigures {
  /** Tasks that ran their first step. */
  tasksCreated: number;
  /** Tasks that finished (their last step ended without a continuation). */
  tasksSettled: number;
  /** Tasks started and not finished, at the time of the reading (a level, never a delta). */
  tasksLive: number;
  /** Task steps run (every step counts, the first one included). */
  resumptions: number;
  /** Sum of the synchronous time of every step, ns. */
  busyNs: number;
  /** Sum of the waits between a task's steps, ns. */
  waitingNs: number;
  /** Synchronous time of each task step, ns. */
  stepDurationNs: HistogramSummary;
  /** Time from the end of a task's step to the start of its next step, ns. */
  waitDurationNs: HistogramSummary;
  /** Event-loop utilisation over the period, 0 … 1 (`performance.eventLoopUtilization`). */
  eventLoopUtilization: number;
}

/** Cumulative task metrics since `enableMetrics()`; definitions in docs/metrics.md. */
export interface DumpMetrics extends TaskFigures {
  /** Milliseconds since metrics were enabled. */
  sinceMs: number;
  /** Event-loop delay (`perf_hooks.monitorEventLoopDelay`, 10 ms resolution), ns. */
  eventLoopDelayNs: HistogramSummary;
  /** The slow-step threshold, ms. */
  slowStepThresholdMs: number;
  /** Slow steps seen since metrics were enabled. */
  slowStepsTotal: number;
  /** The most recent slow steps, oldest first (bounded ring). */
  slowSteps: SlowStep[];
  /** Live tasks, busiest first (bounded; see `tasksOmitted`). */
  tasks: TaskMetrics[];
  /** Live tasks not listed in `tasks` (over the limit, or beyond the live-task table's capacity). */
  tasksOmitted: number;
}
