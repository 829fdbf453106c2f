/**
 * Turns the raw wait graph (heap terms) into the dump's nodes: names, states, await and
 * function locations, waiting times, ids in source order, edges in both directions.
 */
import { shapeNode, type GraphNode, type LeafInfo, type NodeFields, type SourceLocation } from '../model.js';
import type { HeapGraph } from './heap-graph.js';
import { readStampFromHeap } from './heap-values.js';
import type { ObjectFacts } from './object-facts.js';
import { parseStack, withoutHookFrames } from '../internal/stack-frames.js';
import { compareText } from '../internal/text-order.js';
import { userFrameIndex } from '../text/node-labels.js';
import { addPollingHints } from './polling-hint.js';
import { canonicalOrder } from './canonical-order.js';
import type { AwaitedTask, SuspensionIndex } from './suspension-points.js';
import type { RawNode } from './wait-edges.js';

/** What the builder needs besides the raw graph. */
export interface BuildContext {
  heap: HeapGraph;
  facts: ObjectFacts;
  /** Script id → URL, from `Debugger.scriptParsed`. */
  scripts: Map<string, string>;
  /** `performance.now()` of the dumped process when the dump began. */
  now: number;
  /** Whether stamps exist, and whether they carry creation stacks. */
  hooks: { installed: boolean; creationStacks: boolean };
  /** Locates tasks from their source and what they await, saving V8 a heap walk per task. */
  suspensions?: SuspensionIndex;
  /** Filled with how the program's suspended tasks were located (reset by each build). */
  located?: LocatedTally;
  /**
   * Every node of the raw graph, when `raw` is only part of it (the tasks described alone):
   * what a task awaits is looked up here, for the source to place it.
   */
  graph?: readonly RawNode[];
}

/**
 * How the program's suspended tasks (Node's own excepted) were placed at their await: from the
 * source (one await, or the only await that fits what they await), by a per-object lookup, or
 * not at all (ambiguous, and the lookup budget ran out or the object was gone).
 */
export interface LocatedTally {
  fromSource: number;
  byLookup: number;
  unlocated: number;
}

interface V8Location {
  scriptId: string;
  lineNumber: number;
  columnNumber: number;
}

interface Entry {
  raw: RawNode;
  node: GraphNode;
  /** {@link sourceOrder} of the node. */
  order: string;
  /** {@link selfLabel} of the node, computed once: the sort compares it O(n log n) times. */
  label: string;
}

/**
 * Describes nodes and nothing more (no order, no ids, no edges): for what describing asks of
 * the facts, e.g. which tasks the sources could not place (`facts.missing`, lookups.ts). The
 * order is the costly part of a build (canonical-order.ts), and such a build's ids are never read.
 */
export function describeNodes(raw: Iterable<RawNode>, context: BuildContext): void {
  const all = [...raw];
  const builder = new NodeBuilder(context, new Map((context.graph ?? all).map((n) => [n.key, n] as const)));
  for (const rawNode of all) builder.describe(rawNode);
}

/** Builds the dump's nodes from the raw graph. */
export function buildNodes(raw: Iterable<RawNode>, context: BuildContext): GraphNode[] {
  const all = [...raw];
  const builder = new NodeBuilder(context, new Map((context.graph ?? all).map((n) => [n.key, n] as const)));
  if (context.located) Object.assign(context.located, { fromSource: 0, byLookup: 0, unlocated: 0 });
  const entries: Entry[] = all.map((rawNode) => {
    const node = builder.describe(rawNode);
    return { raw: rawNode, node, order: sourceOrder(node), label: selfLabel(node) };
  });
  // Heap order changes from run to run; source order does not. Ids and every list in the
  // dump follow it, so two dumps of the same stuck program read the same.
  // Nodes with no place of their own (most leaves) are ordered by their first waiter's place
  // before the heap's order: two leaves of one program then come out the same in every run.
  const firstWaiter = new Map<number, string>();
  for (const { raw: waiter, order } of entries) {
    for (const key of waiter.awaits) if (!(firstWaiter.get(key)! <= order)) firstWaiter.set(key, order);
  }
  const byWaiter = (a: number, b: number): number => compareText(firstWaiter.get(a) ?? '\uffff', firstWaiter.get(b) ?? '\uffff');
  // Leaves whose waiters have no place either (`resolve(promise)` steps): by what they wait on.
  const byLeaf = (a: GraphNode, b: GraphNode): number => compareText(a.leaf?.description ?? '', b.leaf?.description ?? '');
  const byItself = (a: Entry, b: Entry): number =>
    compareText(a.order, b.order) || compareKindAndName(a.node, b.node) || byWaiter(a.raw.key, b.raw.key) || byLeaf(a.node, b.node) || compareText(a.label, b.label);
  // Alike nodes (two inputs of one Promise.all, two holders of one lock) are told apart by
  // what they are connected to, never by where they sit in the heap (canonical-order.ts).
  const index = new Map(entries.map((e, i) => [e.raw.key, i] as const));
  // A node's rank is its place in that order; nodes alike by themselves share the first one's.
  const rank = new Int32Array(entries.length);
  const sorted = entries.map((_, i) => i).sort((a, b) => byItself(entries[a]!, entries[b]!));
  for (let position = 0; position < sorted.length; position++) {
    const i = sorted[position]!;
    const before = position > 0 ? sorted[position - 1]! : -1;
    rank[i] = before >= 0 && byItself(entries[before]!, entries[i]!) === 0 ? rank[before]! : position;
  }
  const canonical = canonicalOrder({
    rank,
    awaits: entries.map((e) => e.raw.awaits.flatMap((k) => index.get(k) ?? [])),
    holders: entries.map((e) => e.raw.leaf?.lock?.holders.flatMap((k) => index.get(k) ?? []) ?? []),
    lastResort: (a, b) => waitedLonger(entries[a]!.node, entries[b]!.node) || entries[a]!.raw.key - entries[b]!.raw.key,
  }).map((i) => entries[i]!);
  entries.splice(0, entries.length, ...canonical);
  const ids = new Map<number, string>();
  entries.forEach((entry, i) => {
    entry.node.id = `n${i + 1}`;
    ids.set(entry.raw.key, entry.node.id);
  });
  // What a node awaits, in id order too: the heap discovered it in its own order.
  const byIdNumber = (a: string, b: string): number => Number(a.slice(1)) - Number(b.slice(1));
  for (const { raw: rawNode, node } of entries) node.awaits = rawNode.awaits.map((k) => ids.get(k)!).sort(byIdNumber);
  // The lock a leaf is queued in names its holders (the `held-by` edges) by id.
  for (const { raw: rawNode, node } of entries) {
    const lock = rawNode.leaf?.lock;
    if (!lock || !node.leaf) continue;
    const holders = lock.holders.flatMap((k) => ids.get(k) ?? []).sort(byIdNumber);
    node.leaf.lock = { object: lock.object, state: lock.state, holders };
  }
  const byId = new Map(entries.map((e) => [e.node.id, e.node] as const));
  for (const { node } of entries) for (const to of node.awaits) byId.get(to)?.awaitedBy.push(node.id);
  const nodes = entries.map((e) => e.node);
  addPollingHints(nodes, builder.looping);
  return nodes;
}

class NodeBuilder {
  /** Tasks suspended at an await inside a loop of their function (for the polling hint). */
  readonly looping = new Set<GraphNode>();
  readonly #c: BuildContext;
  readonly #raw: ReadonlyMap<number, RawNode>;

  constructor(context: BuildContext, raw: ReadonlyMap<number, RawNode>) {
    this.#c = context;
    this.#raw = raw;
  }

  describe(raw: RawNode): GraphNode {
    const node: NodeFields = { id: '', kind: raw.kind, name: '', state: 'pending', awaits: [], awaitedBy: [] };
    let looping = false;
    // A combinator always names its combinator (its name below falls back to race likewise).
    if (raw.combinator || raw.kind === 'combinator') node.combinator = raw.combinator ?? 'race';
    switch (raw.kind) {
      case 'async-function':
      case 'async-generator':
      case 'module':
        looping = this.#describeTask(raw, node);
        break;
      case 'combinator':
        node.name = `Promise.${raw.combinator ?? 'race'}`;
        break;
      case 'then': {
        node.name = raw.thenName ?? '.then';
        const location = raw.callback === undefined ? undefined : this.#functionLocation(raw.callback);
        if (location) node.functionLocation = location;
        break;
      }
      case 'resolve':
        node.name = 'resolve(promise)';
        break;
      case 'promise':
        node.name = 'Promise';
        if (raw.leaf) {
          node.leaf = { ...raw.leaf.info };
          const holder = raw.leaf.closure === undefined ? undefined : this.#functionLocation(raw.leaf.closure);
          if (holder) node.leaf.location = holder;
          const state = raw.leaf.resource === undefined ? undefined : this.#c.facts.resourceState?.(raw.leaf.resource);
          if (state) describeResourceState(node.leaf, state);
          const made = this.#c.hooks.creationStacks && raw.leaf.origin !== undefined ? resourceStamp(this.#c.heap, raw.leaf.origin) : undefined;
          const frames = made?.stack ? withoutHookFrames(parseStack(made.stack)) : [];
          if (frames.length > 0) node.leaf.resourceStack = frames;
        }
        break;
    }
    this.#applyStamps(raw, node);
    const shaped = shapeNode(node);
    if (looping) this.looping.add(shaped);
    return shaped;
  }

  /** Names and places a task; returns whether its await lies inside a loop of its function. */
  #describeTask(raw: RawNode, node: NodeFields): boolean {
    const { heap, facts, suspensions } = this.#c;
    const gen = raw.generator ?? raw.key;
    const fn = heap.edgeTo(gen, 'function');
    node.name = (fn !== undefined ? heap.name(fn) : '') || '<anonymous>';
    node.state = 'suspended';
    const definedAt = fn === undefined ? undefined : this.#functionPosition(fn);
    const defined = this.#location(definedAt);
    if (defined) node.functionLocation = defined;
    // The wait edge was seen, so the task is suspended at an await. Its function's source and
    // what it awaits often say which one: then no need to ask V8 about this invocation.
    const placed =
      raw.awaits.length === 0 || !definedAt || !suspensions
        ? undefined
        : raw.kind === 'module'
          ? suspensions.locateTopLevel(definedAt.scriptId, this.#awaited(raw))
          : suspensions.locate(definedAt.scriptId, definedAt, this.#awaited(raw));
    // Asking V8 walks the whole heap (about a second per object on a 100 MB heap): worth it
    // for the program's own functions, not for Node's (the ESM loader's `run`, a stream's
    // async iterator…, in many dumps), which show where they are defined instead.
    const internal = this.#c.scripts.get(definedAt?.scriptId ?? '')?.startsWith('node:') ?? false;
    let awaitAt: V8Location | undefined;
    if (placed && definedAt) {
      awaitAt = { scriptId: definedAt.scriptId, ...placed.position };
      node.awaitLocation = this.#location(awaitAt)!;
    } else {
      const props = internal ? undefined : facts.internalProperties(gen);
      if (props) {
        const state = props.get('[[GeneratorState]]')?.value;
        if (state === 'running' || state === 'executing') node.state = 'running';
        else if (state === 'closed') node.state = 'pending';
        const at = this.#location(props.get('[[GeneratorLocation]]')?.value as V8Location | undefined);
        if (at && state === 'suspended') {
          node.awaitLocation = at;
          awaitAt = props.get('[[GeneratorLocation]]')?.value as V8Location;
        }
      }
    }
    const looping = awaitAt !== undefined && definedAt !== undefined && suspensions?.awaitInLoop(definedAt.scriptId, definedAt, awaitAt) === true;
    const tally = this.#c.located;
    if (tally && raw.awaits.length > 0 && !internal) {
      if (placed && node.awaitLocation) tally.fromSource++;
      else if (node.awaitLocation) tally.byLookup++;
      else tally.unlocated++;
    }
    if (raw.kind === 'module') {
      const url = node.awaitLocation?.url ?? '';
      node.name = url.slice(url.lastIndexOf('/') + 1) || '<module>';
    }
    return looping;
  }

  /** What a task awaits, for the source to tell which of its awaits that can be. */
  #awaited(raw: RawNode): AwaitedTask | undefined {
    if (raw.awaits.length !== 1) return undefined;
    const target = this.#raw.get(raw.awaits[0]!);
    if (!target) return undefined;
    const awaited: AwaitedTask = { kind: target.kind };
    if (target.combinator) awaited.combinator = target.combinator;
    if (target.kind === 'async-function') {
      const fn = this.#c.heap.edgeTo(target.generator ?? target.key, 'function');
      const at = fn === undefined ? undefined : this.#functionPosition(fn);
      if (at) awaited.fn = at;
    }
    return awaited;
  }

  /**
   * Where a closure's function is defined, as V8 reports it: from the heap snapshot's
   * `locations` section, else (an older snapshot format) asked once per function, all closures
   * of one function literal sharing its SharedFunctionInfo.
   */
  #functionPosition(closure: number): V8Location | undefined {
    const inSnapshot = this.#c.heap.location(closure);
    if (inSnapshot) return inSnapshot;
    const shared = this.#c.heap.edgeTo(closure, 'shared') ?? closure;
    if (this.#positions.has(shared)) return this.#positions.get(shared);
    const props = this.#c.facts.internalProperties(closure);
    const position = props?.get('[[FunctionLocation]]')?.value as V8Location | undefined;
    this.#positions.set(shared, position);
    return position;
  }

  readonly #positions = new Map<number, V8Location | undefined>();

  #functionLocation(closure: number): SourceLocation | undefined {
    return this.#location(this.#functionPosition(closure));
  }

  /**
   * One object per distinct location, shared by every node there (read-only): a dump of 100k
   * tasks stuck at a handful of lines would otherwise allocate 100k copies of each, and on a
   * large heap the garbage collector's time, not the analysis, dominates the dump's pause.
   */
  #location(v8: V8Location | undefined): SourceLocation | undefined {
    if (!v8 || typeof v8.lineNumber !== 'number') return undefined;
    const key = `${v8.scriptId}:${v8.lineNumber}:${v8.columnNumber}`;
    const known = this.#locations.get(key);
    if (known) return known;
    const url = this.#c.scripts.get(v8.scriptId);
    if (url === undefined || url === '') return undefined;
    const location = { url, line: v8.lineNumber + 1, column: v8.columnNumber + 1 };
    this.#locations.set(key, location);
    return location;
  }

  readonly #locations = new Map<string, SourceLocation>();

  /** Waiting time and, with creation stacks, age and stack, from the hook layer's stamps. */
  #applyStamps(raw: RawNode, node: NodeFields): void {
    const { heap, now, hooks } = this.#c;
    if (!hooks.installed) return;
    const wait = raw.waitPromise === undefined ? undefined : readStampFromHeap(heap, raw.waitPromise);
    if (wait) node.waitingMs = Math.max(0, Math.round(now - wait.t));
    if (!hooks.creationStacks || raw.promise === undefined) return;
    const created = readStampFromHeap(heap, raw.promise);
    if (!created) return;
    node.ageMs = Math.max(0, Math.round(now - created.t));
    if (created.stack) {
      node.creationStack = withoutHookFrames(parseStack(created.stack));
      const user = userFrameIndex(node.creationStack);
      if (user !== undefined) node.userFrame = user;
    }
  }
}

/**
 * Adds a socket's or stream's live state to its leaf: addresses, and what it is doing
 * (connecting, reading, writing with bytes queued, paused, ended, waiting for drain).
 */
function describeResourceState(leaf: LeafInfo, state: Record<string, string | number | boolean>): void {
  if (leaf.kind === 'child-process') return describeChildStdin(leaf, state);
  leaf.details = { ...leaf.details, ...state };
  const parts: string[] = [];
  if (typeof state.remoteAddress === 'string') {
    parts.push(`${state.localAddress ?? '?'}:${state.localPort ?? '?'} → ${state.remoteAddress}:${state.remotePort ?? '?'}`);
  }
  if (state.connecting === true) parts.push('connecting');
  else if (leaf.kind === 'socket' && typeof state.writableLength === 'number' && state.writableLength > 0) parts.push(`writing (${state.writableLength} bytes queued)`);
  else if (leaf.kind === 'socket' && state.destroyed !== true) parts.push('reading');
  if (leaf.kind === 'stream') {
    // A readline interface waits on its input: whether that input can still deliver a line.
    if (leaf.details?.class === 'Interface' && state.readableEnded === false && state.destroyed !== true) parts.push('input not ended');
    if (state.paused === true) parts.push('paused');
    if (state.readableEnded === true) parts.push('ended');
    if (state.writableNeedDrain === true) parts.push('waiting for drain');
    else if (typeof state.writableLength === 'number' && state.writableLength > 0) parts.push(`waiting for a write callback (${state.writableLength} bytes buffered)`);
  }
  if (state.destroyed === true) parts.push('destroyed');
  if (parts.length > 0) leaf.description += ` — ${parts.join(', ')}`;
}

/**
 * The creation stamp of a leaf's resource (creation stacks mode): on the object itself (a
 * `Timeout`), else on its native handle (a socket's, a child process's), where Node's
 * `async_hooks` announced it.
 */
function resourceStamp(heap: HeapGraph, resource: number): { t: number; stack?: string } | undefined {
  const own = readStampFromHeap(heap, resource);
  if (own) return own;
  for (const name of ['_handle', '<symbol kHandle>']) {
    const handle = heap.edgeTo(resource, name);
    const stamp = handle === undefined ? undefined : readStampFromHeap(heap, handle);
    if (stamp) return stamp;
  }
  // An HTTP request: its socket's handle.
  const socket = heap.edgeTo(resource, 'socket');
  return socket === undefined || socket === resource ? undefined : resourceStamp(heap, socket);
}

/**
 * A wait on a child's stdout or stderr, with the state of its stdin: a child that reads its
 * stdin to the end (`cat`, `sort`, `gzip`…) never ends its output while its stdin is open.
 */
function describeChildStdin(leaf: LeafInfo, state: Record<string, string | number | boolean>): void {
  if (typeof state.writableEnded !== 'boolean') return;
  const open = !state.writableEnded && state.destroyed !== true;
  leaf.details = { ...leaf.details, stdinEnded: !open };
  if (open && leaf.details.running === true) leaf.description = leaf.description.replace(/ still running;/, ' still running: its stdin was never ended;');
}

/** Sort key of source order: by await (else definition) location; computed once a node. */
function sourceOrder(n: GraphNode): string {
  const at = n.awaitLocation ?? n.functionLocation;
  return at ? `${at.url}\u0000${String(at.line).padStart(8, '0')}:${String(at.column).padStart(8, '0')}` : '\uffff';
}

/** Ties in source order: by kind, then name. */
function compareKindAndName(a: GraphNode, b: GraphNode): number {
  return compareText(a.kind, b.kind) || compareText(a.name, b.name);
}

/** What else tells a node apart by itself, after its place, kind and name (nothing timed). */
function selfLabel(n: GraphNode): string {
  const at = n.functionLocation;
  const leaf = n.leaf;
  return [n.combinator ?? '', n.state, at ? `${at.url}:${at.line}:${at.column}` : '', leaf?.kind ?? '', leaf?.heldBy?.join('.') ?? '', leaf?.lock?.object ?? '', leaf?.lock?.state ?? ''].join('\u0000');
}

/** The node whose wait began first, first; nodes without a known start after. */
function waitedLonger(a: GraphNode, b: GraphNode): number {
  return (b.waitingMs ?? -1) - (a.waitingMs ?? -1);
}
