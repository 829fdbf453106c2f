/**
 * Joins the worker threads' graphs to the main thread's dump: `dump.threads`, the cross-thread
 * edges (`dump.threadEdges`: a leaf awaiting a `Worker`'s message → that worker's graph), and
 * on each such leaf a description that says where the awaited thread is itself stuck, so the
 * tree's "stuck on" line and the exit line read "the main thread waits for worker thread 1;
 * thread 1 waits at worker.mjs:9:3 (buildReport)".
 */
import { terminalSafe } from '../internal/terminal-text.js';
import { isTask, type Dump, type GraphNode, type ThreadEdge, type ThreadGraph } from '../model.js';
import { displayPath } from '../text/paths.js';

/** At most this many await lines of a thread are named in a leaf's description. */
const MAX_NAMED = 2;

/** Adds `graphs` to `dump` (nothing when there are none) and returns `dump`. */
export function joinThreads(dump: Dump, graphs: readonly ThreadGraph[] | undefined): Dump {
  if (graphs === undefined || graphs.length === 0) return dump;
  dump.threads = [...graphs];
  const byThread = new Map(graphs.map((g) => [g.threadId, g] as const));
  const edges: ThreadEdge[] = [];
  const scan = (thread: number, nodes: readonly GraphNode[]): void => {
    for (const node of nodes) {
      const target = node.leaf?.kind === 'worker' ? node.leaf.details?.threadId : undefined;
      const awaited = typeof target === 'number' && target !== thread ? byThread.get(target) : undefined;
      if (awaited === undefined || node.leaf === undefined) continue;
      edges.push({ fromThread: thread, fromNode: node.id, toThread: awaited.threadId });
      node.leaf.description += ` — ${terminalSafe(threadState(awaited, dump.process.cwd))}`;
    }
  };
  scan(0, dump.nodes);
  for (const graph of graphs) scan(graph.threadId, graph.nodes);
  if (edges.length > 0) dump.threadEdges = edges;
  return dump;
}

/** Where a thread's own tasks wait, in a few words: `thread 1 waits at w.mjs:9:3 (buildReport)`. */
export function threadState(graph: ThreadGraph, cwd: string): string {
  if (graph.status !== 'answered') return `thread ${graph.threadId}: ${graph.reason ?? (graph.status === 'no-answer' ? 'no answer' : 'no graph')}`;
  const innermost = innermostProgramTasks(graph.nodes);
  if (innermost.length === 0) return `thread ${graph.threadId} has no task of the program waiting`;
  const named = innermost.slice(0, MAX_NAMED).map((t) => `${displayPath(t.awaitLocation!.url, cwd)}:${t.awaitLocation!.line}:${t.awaitLocation!.column} (${t.name})`);
  const more = innermost.length > MAX_NAMED ? ` and ${innermost.length - MAX_NAMED} more` : '';
  return `thread ${graph.threadId} waits at ${named.join(', ')}${more}`;
}

/** The program's suspended tasks (located, not Node's own) that await no other such task. */
function innermostProgramTasks(nodes: readonly GraphNode[]): GraphNode[] {
  const byId = new Map(nodes.map((n) => [n.id, n] as const));
  const isProgram = (n: GraphNode | undefined): boolean =>
    n !== undefined && isTask(n) && n.state === 'suspended' && n.awaitLocation !== undefined && !n.awaitLocation.url.startsWith('node:');
  // Follows the wait edges through promises (then, resolve, combinators) to the next task.
  const awaitsProgramTask = (node: GraphNode): boolean => {
    const seen = new Set<string>();
    const stack = [...node.awaits];
    while (stack.length > 0) {
      const id = stack.pop()!;
      if (seen.has(id)) continue;
      seen.add(id);
      const next = byId.get(id);
      if (isProgram(next)) return true;
      if (next && !isTask(next)) stack.push(...next.awaits);
    }
    return false;
  };
  return nodes.filter((n) => isProgram(n) && !awaitsProgramTask(n));
}
