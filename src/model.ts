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
}

/** A chain of nodes that wait for each other in a loop: none of them can ever proceed. */
export interface Cycle {
  /** Node ids in wait order: `nodes[0]` awaits `nodes[1]` … and the last awaits `nodes[0]`. */
  nodes: string[];
}

/** How the dump was requested. */
export type DumpTrigger = 'signal' | 'api' | 'exit' | 'cli';

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
}
