/**
 * Verdict detection: what is wrong in a finished wait-for graph, as structured findings (kind,
 * node ids, durations, counts) with no wording, as tokio-console's warnings are. The sentences
 * are made from them in `verdict-wording.ts`.
 */
import { isTask, type BlockedLoop, type Cycle, type GraphNode, type LostAwaits, type OrphanedRequest, type StackFrame, type VerdictKind } from '../model.js';

/** Tasks waiting on each other: a deadlock. `nodes` in wait order, as the cycle lists them. */
export interface CycleFinding {
  kind: 'cycle';
  nodes: string[];
  /** Whether a step of the cycle is a leaf waiting for its lock's holder: a lock-order deadlock. */
  lockOrder?: boolean;
}

/** Tasks queued in a lock nobody alive can release (`leaf.lock.state` `leaked`). */
export interface LockLeakedFinding {
  kind: 'lock-leaked';
  /** The lock's class. */
  lock: string;
  /** The leaves queued in it. */
  leaves: string[];
  /** The nodes waiting on those leaves. */
  waiters: string[];
  /** The leaves, then their waiters. */
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

/**
 * Open HTTP requests no task waits for (`dump.orphans`), alike ones together: same kind,
 * method, URL, handler and holder. They are no graph nodes: `nodes` is empty.
 */
export interface OrphanedFinding {
  kind: 'orphaned';
  /** The alike requests, the one open longest first. */
  requests: OrphanedRequest[];
  nodes: string[];
}

/** One finding; `nodes` are the ids a verdict about it names. */
export type Finding = CycleFinding | NeverSettlesFinding | StallFinding | BlockedLoopFinding | LongWaitFinding | FanInFinding
  | LostAwaitsFinding | LockLeakedFinding | OrphanedFinding;

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
  /** Open HTTP requests no task waits for. */
  orphans?: readonly OrphanedRequest[];
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
  for (const cycle of cycles) {
    const finding: CycleFinding = { kind: 'cycle', nodes: [...cycle.nodes] };
    if (throughLock(cycle, nodes)) finding.lockOrder = true;
    findings.push(finding);
  }

  const never = nodes.filter((n) => n.leaf?.kind === 'never');
  for (const leaf of never) {
    findings.push({ kind: 'never-settles', leaf: leaf.id, waiters: [...leaf.awaitedBy], nodes: [leaf.id, ...leaf.awaitedBy] });
  }
  if (options.lostAwaits && options.lostAwaits.count > 0) findings.push({ kind: 'never-settles', lost: options.lostAwaits, nodes: [] });
  findings.push(...orphanFindings(options.orphans ?? []));

  findings.push(...leakedLocks(nodes));

  // Every chain ends in a cycle or in a promise nothing can settle: nothing can wake anyone.
  const terminals = nodes.filter((n) => n.awaits.length === 0);
  const inCycle = new Set(cycles.flatMap((c) => c.nodes));
  // A leaf queued in a lock whose holders wait in a cycle is in that cycle: it ends there.
  const stuckForGood = terminals.every((n) => n.leaf?.kind === 'never' || inCycle.has(n.id));
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

/** Whether a cycle takes a `held-by` step: a leaf to a holder of the lock it is queued in. */
function throughLock(cycle: Cycle, nodes: readonly GraphNode[]): boolean {
  const byId = new Map(nodes.map((n) => [n.id, n] as const));
  return cycle.nodes.some((id, i) => {
    const next = cycle.nodes[(i + 1) % cycle.nodes.length]!;
    return byId.get(id)?.leaf?.lock?.holders.includes(next) === true && !byId.get(id)!.awaits.includes(next);
  });
}

/** One finding per leaked lock (by class), with every leaf queued in it and their waiters. */
function leakedLocks(nodes: readonly GraphNode[]): LockLeakedFinding[] {
  const byLock = new Map<string, LockLeakedFinding>();
  for (const node of nodes) {
    const lock = node.leaf?.lock;
    if (lock?.state !== 'leaked') continue;
    let finding = byLock.get(lock.object);
    if (!finding) byLock.set(lock.object, (finding = { kind: 'lock-leaked', lock: lock.object, leaves: [], waiters: [], nodes: [] }));
    finding.leaves.push(node.id);
    finding.waiters.push(...node.awaitedBy);
  }
  for (const finding of byLock.values()) finding.nodes = [...finding.leaves, ...finding.waiters];
  return [...byLock.values()];
}

/** Orphaned requests grouped: same kind, method, URL, handler and holder are one finding. */
function orphanFindings(orphans: readonly OrphanedRequest[]): OrphanedFinding[] {
  return groupOrphans(orphans).map((requests) => ({ kind: 'orphaned', requests, nodes: [] }));
}

/**
 * Orphaned requests, alike ones together (same kind, method, URL, handler and holder; held in
 * one list, `clients[0]`, `clients[1]`…, counts as one holder), each group the one open longest
 * first, groups in order of first appearance: the `orphaned` verdicts' grouping, which the DOT
 * view's notes follow.
 *
 * @param orphans - the dump's orphans
 */
export function groupOrphans(orphans: readonly OrphanedRequest[]): OrphanedRequest[][] {
  const groups = new Map<string, OrphanedRequest[]>();
  for (const request of orphans) {
    const held = request.heldBy && { ...request.heldBy, path: request.heldBy.path.map((n) => (/^\[\d+\]$/.test(n) ? '[…]' : n)) };
    const key = JSON.stringify([request.kind, request.method, request.url, request.handler, held]);
    const group = groups.get(key);
    if (group) group.push(request);
    else groups.set(key, [request]);
  }
  const open = (r: OrphanedRequest): number => r.ageMs ?? r.idleMs ?? -1;
  return [...groups.values()].map((requests) => [...requests].sort((a, b) => open(b) - open(a)));
}
