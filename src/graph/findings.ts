/**
 * Verdict detection: what is wrong in a finished wait-for graph, as structured findings (kind,
 * node ids, durations, counts) with no wording, as tokio-console's warnings are. The sentences
 * are made from them in `verdict-wording.ts`.
 */
import { isTask, type BlockedLoop, type Cycle, type GraphNode, type LostAwaits, type StackFrame, type VerdictKind } from '../model.js';

/** Tasks waiting on each other: a deadlock. `nodes` in wait order, as the cycle lists them. */
export interface CycleFinding {
  kind: 'cycle';
  nodes: string[];
}

/** A promise nothing can settle any more (its resolve and reject are unreachable), and who waits on it. */
export interface NeverSettlesFinding {
  kind: 'never-settles';
  /** The leaf promise. */
  leaf: string;
  /** The nodes waiting on it. */
  waiters: string[];
  /** The leaf, then its waiters. */
  nodes: string[];
  lost?: never;
}

/**
 * Waits abandoned on a promise nothing could settle, found collected while pending (so not in
 * the graph): a `never-settles` finding without a leaf. See the dump's `lostAwaits`.
 */
export interface LostAwaitsFinding {
  kind: 'never-settles';
  /** The dump's lost awaits. */
  lost: LostAwaits;
  leaf?: never;
  waiters?: never;
  nodes: string[];
}

/**
 * Nothing can wake any waiting task: `no-event-sources` when the process reports no timer,
 * I/O or other event source pending; `dead-ends` when every wait ends in a cycle or in a
 * promise that can never settle.
 */
export interface StallFinding {
  kind: 'stall';
  cause: 'no-event-sources' | 'dead-ends';
  nodes: string[];
}

/** The event loop was blocked by synchronous JavaScript. */
export interface BlockedLoopFinding {
  kind: 'blocked-loop';
  /** How long the loop had not turned, ms; 0 when unknown. */
  blockedMs: number;
  /** The frame it was running, when known. */
  top: StackFrame | undefined;
  nodes: string[];
}

/** Tasks waiting at least the threshold. */
export interface LongWaitFinding {
  kind: 'long-wait';
  /** The threshold, ms. */
  thresholdMs: number;
  /** The longest wait, ms (that of `nodes[0]`). */
  longestMs: number;
  /** The tasks, longest wait first. */
  nodes: string[];
}

/** Many nodes waiting on the same one: a pool, a lock, a shared request. */
export interface FanInFinding {
  kind: 'fan-in';
  /** The node waited on. */
  node: string;
  /** How many wait on it. */
  waiters: number;
  /** The node, then its waiters. */
  nodes: string[];
}

/** One finding; `nodes` are the ids a verdict about it names. */
export type Finding = CycleFinding | NeverSettlesFinding | StallFinding | BlockedLoopFinding | LongWaitFinding | FanInFinding
  | LostAwaitsFinding;

// Every verdict kind has its finding, and no finding is of another kind.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const findingKindsAreVerdictKinds: Same<Finding['kind'], VerdictKind> = true;
void findingKindsAreVerdictKinds;

/** Thresholds and facts {@link detectFindings} needs besides the graph. */
export interface DetectionOptions {
  /** A task waiting at least this long is a long wait (ms). */
  longWaitMs: number;
  /** At least this many waiters on one node is a fan-in. */
  fanIn: number;
  /** Whether any event source that keeps the loop alive is pending; unknown if absent. */
  eventSourcesPending?: boolean;
  /** Waits found collected while pending (the dump's `lostAwaits`). */
  lostAwaits?: LostAwaits;
}

/**
 * Findings, most severe first: cycles (deadlocks), waits on promises nothing can settle, a
 * whole-process stall, a blocked loop, long waits, fan-in.
 */
export function detectFindings(
  nodes: readonly GraphNode[],
  cycles: readonly Cycle[],
  blockedLoop: BlockedLoop | undefined,
  options: DetectionOptions,
): Finding[] {
  const findings: Finding[] = [];
  for (const cycle of cycles) findings.push({ kind: 'cycle', nodes: [...cycle.nodes] });

  const never = nodes.filter((n) => n.leaf?.kind === 'never');
  for (const leaf of never) {
    findings.push({ kind: 'never-settles', leaf: leaf.id, waiters: [...leaf.awaitedBy], nodes: [leaf.id, ...leaf.awaitedBy] });
  }
  if (options.lostAwaits && options.lostAwaits.count > 0) findings.push({ kind: 'never-settles', lost: options.lostAwaits, nodes: [] });

  // Every chain ends in a cycle or in a promise nothing can settle: nothing can wake anyone.
  const terminals = nodes.filter((n) => n.awaits.length === 0);
  const inCycle = new Set(cycles.flatMap((c) => c.nodes));
  const stuckForGood = terminals.every((n) => n.leaf?.kind === 'never');
  if (nodes.length > 0 && options.eventSourcesPending === false) {
    findings.push({ kind: 'stall', cause: 'no-event-sources', nodes: [] });
  } else if (nodes.length > 0 && stuckForGood && (never.length > 0 || inCycle.size > 0)) {
    findings.push({ kind: 'stall', cause: 'dead-ends', nodes: [] });
  }

  if (blockedLoop) findings.push({ kind: 'blocked-loop', blockedMs: blockedLoop.blockedMs, top: blockedLoop.stack[0], nodes: [] });

  const long = nodes
    .filter((n) => isTask(n) && n.waitingMs !== undefined && n.waitingMs >= options.longWaitMs)
    .sort((a, b) => b.waitingMs! - a.waitingMs!);
  if (long.length > 0) {
    findings.push({ kind: 'long-wait', thresholdMs: options.longWaitMs, longestMs: long[0]!.waitingMs!, nodes: long.map((n) => n.id) });
  }

  for (const node of nodes) {
    if (node.awaitedBy.length < options.fanIn) continue;
    findings.push({ kind: 'fan-in', node: node.id, waiters: node.awaitedBy.length, nodes: [node.id, ...node.awaitedBy] });
  }
  return findings;
}
