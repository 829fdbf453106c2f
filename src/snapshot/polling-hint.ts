/**
 * A hint for a task that polls: it sits in a loop, awaiting a short timer, and has lived for
 * many of those timers. Such a task looks healthy (it wakes up on time, its wait is short)
 * while it waits, forever, for a condition nothing changes.
 *
 * What the dump can tell without a hot-path cost, and so what the hint needs (docs/diagnosis.md):
 * - the `await` the task is suspended at lies inside a loop of its function (from the source);
 * - what it awaits is a timer leaf (directly, or through `resolve(promise)` / `.then` links):
 *   its delay is the polling interval;
 * - the task's lifetime: its own age (creation stacks mode), else how long its awaiter has
 *   waited for it (the awaiter began waiting when the task first suspended). A task nobody
 *   awaits, without creation stacks, has no known lifetime: no hint.
 * The hint is given when the lifetime is at least {@link MIN_ROUNDS} intervals and at least
 * {@link MIN_LIFETIME_MS}: the task has been round its loop several times, or has spent that
 * long in it.
 */
import type { GraphNode } from '../model.js';
import { formatDuration } from '../text/durations.js';

/** Lifetime, in timer intervals, from which a looping timer wait is called polling. */
export const MIN_ROUNDS = 3;
/** Lifetime from which a looping timer wait is called polling, whatever the interval. */
export const MIN_LIFETIME_MS = 1000;

/**
 * Adds the polling hint to the timer leaves of looping tasks (description and details
 * `pollEveryMs`, `pollingForMs`).
 *
 * @param nodes - the built nodes, edges linked
 * @param looping - the tasks whose current await lies inside a loop of their function
 */
export function addPollingHints(nodes: readonly GraphNode[], looping: ReadonlySet<GraphNode>): void {
  if (looping.size === 0) return;
  const byId = new Map(nodes.map((n) => [n.id, n] as const));
  for (const task of looping) {
    const leaf = timerLeaf(task, byId);
    const delay = leaf?.leaf?.details?.delayMs;
    if (!leaf?.leaf || typeof delay !== 'number' || delay <= 0 || leaf.leaf.details?.pollEveryMs !== undefined) continue;
    const lifetime = Math.max(task.ageMs ?? 0, ...task.awaitedBy.map((id) => byId.get(id)?.waitingMs ?? 0));
    if (lifetime < MIN_ROUNDS * delay || lifetime < MIN_LIFETIME_MS) continue;
    leaf.leaf.details = { ...leaf.leaf.details, pollEveryMs: delay, pollingForMs: lifetime };
    leaf.leaf.description += `; polls every ${formatDuration(delay)} for ${formatDuration(lifetime)}: waiting for a condition nothing changes?`;
  }
}

/** The timer leaf a task awaits, through single `resolve(promise)` / `.then` links. */
function timerLeaf(task: GraphNode, byId: ReadonlyMap<string, GraphNode>): GraphNode | undefined {
  let node: GraphNode | undefined = task;
  for (let hops = 0; hops < 4 && node; hops++) {
    if (node.awaits.length !== 1) return undefined;
    node = byId.get(node.awaits[0]!);
    if (!node) return undefined;
    if (node.kind === 'promise') return node.leaf?.kind === 'timer' ? node : undefined;
    if (node.kind !== 'resolve' && node.kind !== 'then') return undefined;
  }
  return undefined;
}
