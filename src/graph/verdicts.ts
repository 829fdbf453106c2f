/**
 * Verdicts: what a person should read first in a dump. Derived from the finished graph only,
 * so that an in-process dump and an attached one reach the same findings.
 */
import { terminalSafe } from '../internal/terminal-text.js';
import type { BlockedLoop, Cycle, GraphNode, Verdict } from '../model.js';
import { displayPath, formatDuration, isTask, nodePlace, nodeTitle } from '../serialize/format.js';

/** Thresholds of {@link findVerdicts}. */
export interface VerdictOptions {
  /** A task waiting at least this long is a long wait (ms). Default 10 000. */
  longWaitMs?: number;
  /** At least this many waiters on one node is a fan-in. Default 3. */
  fanIn?: number;
  /** The dumped process's cwd, for relative paths in summaries. */
  cwd?: string;
  /**
   * Whether any timer, I/O request, socket, child process or other event source that keeps
   * the event loop alive is pending (`process.getActiveResourcesInfo()`); unknown if absent.
   */
  eventSourcesPending?: boolean;
}

/** Default long-wait threshold, ms. */
export const LONG_WAIT_MS = 10_000;
/** Default fan-in threshold: waiters on one node. */
export const FAN_IN = 3;

/**
 * Findings, most severe first: cycles (deadlocks), waits on promises nothing can settle, a
 * whole-process stall, a blocked loop, long waits, fan-in. Summaries are terminal-safe.
 */
export function findVerdicts(
  nodes: readonly GraphNode[],
  cycles: readonly Cycle[],
  blockedLoop: BlockedLoop | undefined,
  options: VerdictOptions = {},
): Verdict[] {
  const cwd = options.cwd ?? '';
  const byId = new Map(nodes.map((n) => [n.id, n] as const));
  const label = (n: GraphNode): string => {
    const place = nodePlace(n);
    return place ? `${nodeTitle(n)} (${displayPath(place.location.url, cwd)}:${place.location.line}:${place.location.column})` : nodeTitle(n);
  };
  const verdicts: Verdict[] = [];

  for (const cycle of cycles) {
    const members = cycle.nodes.map((id) => byId.get(id)!).filter(Boolean);
    const loop = [...members.map(label), nodeTitle(members[0]!)].join(' → ');
    verdicts.push({ kind: 'cycle', summary: `deadlock: ${loop}`, nodes: [...cycle.nodes] });
  }

  const never = nodes.filter((n) => n.leaf?.kind === 'never');
  for (const leaf of never) {
    const waiters = leaf.awaitedBy.map((id) => byId.get(id)!).filter(Boolean);
    const who = waiters.length === 1 ? label(waiters[0]!) : `${waiters.length} waiters`;
    verdicts.push({
      kind: 'never-settles',
      summary: `${who} waits on a promise that can never settle (its resolve and reject are unreachable)`,
      nodes: [leaf.id, ...leaf.awaitedBy],
    });
  }

  // Every chain ends in a cycle or in a promise nothing can settle: nothing can wake anyone.
  const terminals = nodes.filter((n) => n.awaits.length === 0);
  const inCycle = new Set(cycles.flatMap((c) => c.nodes));
  const stuckForGood = terminals.every((n) => n.leaf?.kind === 'never');
  if (nodes.length > 0 && options.eventSourcesPending === false) {
    verdicts.push({
      kind: 'stall',
      summary: 'nothing will ever run again: no timer, I/O, child process or other event source is pending',
      nodes: [],
    });
  } else if (nodes.length > 0 && stuckForGood && (never.length > 0 || inCycle.size > 0)) {
    verdicts.push({
      kind: 'stall',
      summary: 'nothing can wake any waiting task: every wait ends in a cycle or in a promise that can never settle',
      nodes: [],
    });
  }

  if (blockedLoop) {
    const top = blockedLoop.stack[0];
    const where = top ? ` in ${top.functionName || '<anonymous>'} (${displayPath(top.url, cwd)}:${top.line}:${top.column})` : '';
    verdicts.push({
      kind: 'blocked-loop',
      summary: `the event loop is blocked by synchronous JavaScript${where}${blockedLoop.blockedMs > 0 ? ` for at least ${formatDuration(blockedLoop.blockedMs)}` : ''}`,
      nodes: [],
    });
  }

  const longWaitMs = options.longWaitMs ?? LONG_WAIT_MS;
  const long = nodes
    .filter((n) => isTask(n) && n.waitingMs !== undefined && n.waitingMs >= longWaitMs)
    .sort((a, b) => b.waitingMs! - a.waitingMs!);
  if (long.length > 0) {
    const longest = long[0]!;
    const more = long.length > 1 ? `${long.length} tasks have waited over ${formatDuration(longWaitMs)}; longest: ` : '';
    verdicts.push({
      kind: 'long-wait',
      summary: `${more}${label(longest)} waiting ${formatDuration(longest.waitingMs!)}`,
      nodes: long.map((n) => n.id),
    });
  }

  const fanIn = options.fanIn ?? FAN_IN;
  for (const node of nodes) {
    if (node.awaitedBy.length < fanIn) continue;
    const what = node.leaf ? `${label(node)}: ${node.leaf.description}` : label(node);
    verdicts.push({ kind: 'fan-in', summary: `${node.awaitedBy.length} waiters on ${what}`, nodes: [node.id, ...node.awaitedBy] });
  }
  // A summary is a sentence for a person, made of the program's names, paths and event names:
  // it is printed as it is (tree view, exit line, any consumer of the JSON), so terminal
  // controls in it are shown as visible escapes. The graph keeps the exact strings.
  for (const verdict of verdicts) verdict.summary = terminalSafe(verdict.summary);
  return verdicts;
}
