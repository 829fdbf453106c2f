/**
 * Reading the worker threads of a dump (`threads`, `threadEdges`; docs/dump-format.md#threads):
 * each thread's graph is checked with the same node, cycle and verdict readers as the main
 * thread's (handed in by `json.ts`), its ids against its own nodes, and every cross-thread
 * edge against the graphs it joins.
 */
import { THREAD_STATUSES, type Cycle, type Dump, type GraphNode, type ThreadEdge, type ThreadGraph, type Verdict } from '../model.js';
import { array, fail, join, num, object, oneOf, own, required, show, str, strings } from './json-checks.js';

/** The readers of one graph's parts, as `json.ts` has them. */
export interface GraphReaders {
  node(value: unknown, path: string): GraphNode;
  cycle(value: unknown, path: string): Cycle;
  verdict(value: unknown, path: string): Verdict;
}

/** `dump.threads`. */
export function readThreads(value: unknown, path: string, read: GraphReaders): ThreadGraph[] {
  const seen = new Set<number>();
  return array(value, path).map((item, i) => {
    const at = join(path, i);
    const graph = readThread(item, at, read);
    if (graph.threadId === 0) fail(join(at, 'threadId'), 'thread 0 is the main thread, whose graph is the dump itself');
    if (seen.has(graph.threadId)) fail(join(at, 'threadId'), `duplicate thread id ${graph.threadId}`);
    seen.add(graph.threadId);
    checkGraphReferences(graph, at);
    return graph;
  });
}

function readThread(value: unknown, path: string, read: GraphReaders): ThreadGraph {
  const o = object(value, path);
  const has = (key: string): boolean => own(o, key) !== undefined;
  const graph: ThreadGraph = {
    threadId: num(required(o, 'threadId', path), join(path, 'threadId'), 0, true),
    ...(has('filename') ? { filename: str(o, 'filename', path) } : {}),
    status: oneOf(o, 'status', path, THREAD_STATUSES),
    ...(has('reason') ? { reason: str(o, 'reason', path) } : {}),
    ...(has('durationMs') ? { durationMs: num(own(o, 'durationMs'), join(path, 'durationMs'), 0, false) } : {}),
    nodes: array(required(o, 'nodes', path), join(path, 'nodes')).map((n, i) => read.node(n, join(join(path, 'nodes'), i))),
    roots: strings(required(o, 'roots', path), join(path, 'roots')),
    cycles: array(required(o, 'cycles', path), join(path, 'cycles')).map((c, i) => read.cycle(c, join(join(path, 'cycles'), i))),
    warnings: strings(required(o, 'warnings', path), join(path, 'warnings')),
  };
  if (has('verdicts')) graph.verdicts = array(own(o, 'verdicts'), join(path, 'verdicts')).map((v, i) => read.verdict(v, join(join(path, 'verdicts'), i)));
  return graph;
}

/** Within one thread: ids unique, every id mentioned names one of its nodes. */
function checkGraphReferences(graph: ThreadGraph, path: string): void {
  const ids = new Set<string>();
  graph.nodes.forEach((node, i) => {
    if (ids.has(node.id)) fail(join(join(join(path, 'nodes'), i), 'id'), `duplicate node id ${show(node.id)}`);
    ids.add(node.id);
  });
  const known = (id: string, at: string): void => {
    if (!ids.has(id)) fail(at, `unknown node id ${show(id)}`);
  };
  graph.nodes.forEach((node, i) => {
    const at = join(join(path, 'nodes'), i);
    node.awaits.forEach((id, j) => known(id, join(join(at, 'awaits'), j)));
    node.awaitedBy.forEach((id, j) => known(id, join(join(at, 'awaitedBy'), j)));
  });
  graph.roots.forEach((id, i) => known(id, join(join(path, 'roots'), i)));
  graph.cycles.forEach((c, i) => c.nodes.forEach((id, j) => known(id, join(join(join(join(path, 'cycles'), i), 'nodes'), j))));
  graph.verdicts?.forEach((v, i) => v.nodes.forEach((id, j) => known(id, join(join(join(join(path, 'verdicts'), i), 'nodes'), j))));
}

/** `dump.threadEdges`, checked against the main graph and `dump.threads`. */
export function readThreadEdges(value: unknown, path: string, dump: Dump): ThreadEdge[] {
  const graphs = new Map<number, readonly GraphNode[]>([[0, dump.nodes]]);
  for (const thread of dump.threads ?? []) graphs.set(thread.threadId, thread.nodes);
  return array(value, path).map((item, i) => {
    const at = join(path, i);
    const o = object(item, at);
    const edge: ThreadEdge = {
      fromThread: num(required(o, 'fromThread', at), join(at, 'fromThread'), 0, true),
      fromNode: str(o, 'fromNode', at),
      toThread: num(required(o, 'toThread', at), join(at, 'toThread'), 0, true),
    };
    const from = graphs.get(edge.fromThread);
    if (from === undefined) fail(join(at, 'fromThread'), `no thread ${edge.fromThread} in the dump`);
    if (!from.some((n) => n.id === edge.fromNode)) fail(join(at, 'fromNode'), `unknown node id ${show(edge.fromNode)} in thread ${edge.fromThread}`);
    if (!graphs.has(edge.toThread)) fail(join(at, 'toThread'), `no thread ${edge.toThread} in the dump`);
    return edge;
  });
}
