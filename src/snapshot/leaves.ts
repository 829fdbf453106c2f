/**
 * What a leaf promise finally waits on, read from the heap snapshot.
 *
 * A promise made by `new Promise(executor)` is settled through its two resolving functions
 * (V8 builtin closures running `PromiseCapabilityDefaultResolve/Reject`, whose context holds
 * the promise). Whoever holds those functions can settle it, so the answer is found by walking
 * *up* the heap from them, through retainers, to the first thing a person recognises:
 *
 * - a Node resource: `Timeout`, `Socket`, `ClientRequest`, `Server`, `ChildProcess`, `Worker`,
 *   an fs or DNS request, a stream;
 * - an `EventEmitter` whose `_events` table holds a listener that holds the resolver
 *   (`events.once`, `emitter.on('x', () => resolve())`);
 * - the program's own data structure: an array, a `Map`, an object property (a pool's waiter
 *   queue, a map of pending requests);
 * - nothing at all: no resolving function survives, so **nothing can settle the promise**.
 *
 * Promises created by Node's C++ side (`fs/promises`) have no resolving functions; their native
 * request object holds the promise itself.
 *
 * Only strong edges are followed, breadth first, nearest holder first, with a depth bound;
 * holders at one depth are told apart by structure, never by the heap's order.
 */
import type { LeafInfo, LeafKind } from '../model.js';
import type { HeapEdge, HeapGraph } from './heap-graph.js';
import { numberProperty, stringProperty } from './heap-values.js';
import { comparePaths, joinPath, namedHolder, pathNames, type Step } from './holder-path.js';
import { eventsOnScope, finishedScope, isAbortSignal, isReadline, isTargetListener, listenerArrayTable, oddball, stdioOwner, streamDone, targetOfListener } from './leaf-holders.js';
import type { RawLeaf } from './raw-leaf.js';
import type { RawNode } from './wait-edges.js';

export type { RawLeaf, RawLock } from './raw-leaf.js';

const RESOLVING = /^\(PromiseCapabilityDefault(Resolve|Reject) /;
const MAX_DEPTH = 14;
const MAX_VISITS = 5000;

/** A holder found on the walk, with the path it was found by. */
interface Candidate {
  leaf: RawLeaf;
  at: Step;
}

/** What a retainer is on the walk (at most one field set; none: nothing to do with it). */
interface Outcome {
  holder?: RawLeaf;
  errorListener?: RawLeaf;
  climb?: Step;
}

/** Resource classes by constructor name, as the heap snapshot names objects. */
const RESOURCES: ReadonlyArray<[RegExp, LeafKind]> = [
  [/^Timeout$/, 'timer'],
  [/^(ClientRequest|Socket|TLSSocket|TCP|TCPWrap|Pipe|PipeWrap|Http2Session|ClientHttp2Stream)$/, 'socket'],
  [/^(Server|TCPServerWrap|ServerResponse|IncomingMessage)$/, 'server'],
  [/^(FSReqPromise|FSReqCallback|FileHandle|FSEvent|StatWatcher)$/, 'fs'],
  [/^(GetAddrInfoReqWrap|QueryReqWrap|Resolver)$/, 'dns'],
  [/^(ChildProcess|Process)$/, 'child-process'],
  [/^(Worker|MessagePort)$/, 'worker'],
  [/^(Readable|Writable|Duplex|Transform|PassThrough|ReadStream|WriteStream|ReadableStream|WritableStream)$/, 'stream'],
];

/** Describes every `promise` leaf of the raw graph (sets `node.leaf`). */
export function describeLeaves(heap: HeapGraph, nodes: Iterable<RawNode>, now: number): void {
  const finder = new LeafFinder(heap, now);
  for (const node of nodes) {
    if (node.kind !== 'promise') continue;
    const leaf = finder.describe(node.key);
    if (leaf) node.leaf = leaf;
  }
}

class LeafFinder {
  readonly #heap: HeapGraph;
  readonly #now: number;

  constructor(heap: HeapGraph, now: number) {
    this.#heap = heap;
    this.#now = now;
  }

  describe(promise: number): RawLeaf | undefined {
    const heap = this.#heap;
    // Native promises: the request object holds the promise itself.
    for (const { from, edge } of heap.retainers(promise)) {
      if (edge.type === 'weak') continue;
      const kind = resourceKind(heap.name(from));
      if (kind && heap.type(from) !== 'closure') return { info: this.#resource(kind, from, [heap.name(from)]), origin: from, holder: from };
    }
    const resolvers = this.#resolvingFunctions(promise);
    if (resolvers.length === 0) {
      return { info: { kind: 'never', description: 'can never settle: its resolve and reject are unreachable' } };
    }
    let best: RawLeaf | undefined;
    let reachable = false;
    // The resolve function first: what fulfils the promise is the expected way out.
    for (const resolver of resolvers) {
      const found = this.#walkUp(resolver);
      if (found === 'unreachable') continue;
      reachable = true;
      if (!best || rank(found.info.kind) < rank(best.info.kind)) best = found;
      if (best.info.kind !== 'unknown') break;
    }
    if (!reachable) {
      return { info: { kind: 'never', description: 'can never settle: nothing holds its resolve or reject' } };
    }
    return best;
  }

  /** The resolving functions of `promise`: builtin closures whose context holds it. */
  #resolvingFunctions(promise: number): number[] {
    const heap = this.#heap;
    const found: number[] = [];
    for (const { from: context, edge } of heap.retainers(promise)) {
      if (edge.type === 'weak' || heap.name(context) !== 'system / Context') continue;
      for (const { from: closure, edge: e } of heap.retainers(context)) {
        if (e.name !== 'context' || heap.type(closure) !== 'closure') continue;
        const code = heap.edgeTo(closure, 'code');
        if (code !== undefined && RESOLVING.test(heap.name(code))) found.push(closure);
      }
    }
    const isResolve = (closure: number) => /Resolve /.test(heap.name(heap.edgeTo(closure, 'code')!));
    return found.sort((a, b) => Number(isResolve(b)) - Number(isResolve(a)));
  }

  /**
   * Breadth-first walk from a resolving function up its retainers; the nearest recognised
   * holder wins: a Node resource, an emitter's listener table, or the program's own data (an
   * element or property of an object, e.g. a pool's waiter queue). Closures and scopes on the
   * way are passed through: a callback that captured `resolve` is held by whoever will call it.
   *
   * The heap lists retainers in an order that changes from run to run, so the walk goes level
   * by level and never lets that order choose: every retainer of a level is looked at, and of
   * the holders found at the nearest level the first by structure wins ({@link comparePaths}:
   * edge and object names from the holder down to the resolver, then what the leaf says). A
   * node reached several ways at one level is climbed through by the first such path, and a
   * level is climbed in that order too, so the visit budget is spent alike in every run.
   */
  #walkUp(resolver: number): RawLeaf | 'unreachable' {
    const heap = this.#heap;
    const seen = new Set<number>([resolver]);
    let level: Step[] = [{ node: resolver, depth: 0 }];
    let anyRetainer = false;
    const reactions: number[] = [];
    // `events.once` registers an 'error' listener in the same scope as the real one: both hold
    // the resolvers. The 'error' listener is the fallback, not the answer.
    let errorListener: Candidate | undefined;
    while (level.length > 0) {
      let found: Candidate | undefined;
      const next = new Map<number, Step>();
      const looked = new Set<number>();
      for (const step of level) {
        if (seen.size + looked.size >= MAX_VISITS) break;
        for (const { from, edge } of heap.retainers(step.node)) {
          if (edge.type === 'weak' || seen.has(from)) continue;
          const name = heap.name(from);
          if (heap.type(from) === 'synthetic' || name.startsWith('(')) continue; // GC roots, handles
          if (name === 'system / PromiseReaction') {
            reactions.push(from); // a handler, not a holder: kept in case nothing else is found
            continue;
          }
          anyRetainer = true;
          const at: Step = { node: from, from: step, edge: edge.name, depth: step.depth + 1 };
          const outcome = this.#atRetainer(at, edge, seen);
          if (outcome.holder) {
            found = this.#first(found, { leaf: outcome.holder, at });
          } else if (outcome.errorListener) {
            errorListener = this.#first(errorListener, { leaf: outcome.errorListener, at });
            continue; // the table is shared: let the other listener's path reach it too
          } else if (outcome.climb && outcome.climb.depth < MAX_DEPTH) {
            const climb = outcome.climb;
            const before = next.get(climb.node);
            if (!before || comparePaths(heap, climb, before) < 0) next.set(climb.node, climb);
          }
          looked.add(from);
        }
      }
      if (found) return found.leaf;
      for (const node of looked) seen.add(node);
      for (const node of next.keys()) seen.add(node);
      level = [...next.values()].sort((a, b) => comparePaths(heap, a, b));
    }
    if (errorListener) return errorListener.leaf;
    if (!anyRetainer) return 'unreachable';
    const unknown: RawLeaf = { info: { kind: 'unknown', description: 'something holds its resolve, but awaitwhat does not recognise what' } };
    if (reactions.length > 0) unknown.reactions = reactions;
    return unknown;
  }

  /**
   * Of two holders found at one level: one whose stream is not done first (a `pipeline` listens
   * on each of its streams; the ones already closed do not hold it up), then by structure.
   */
  #first(a: Candidate | undefined, b: Candidate): Candidate {
    if (!a) return b;
    const done = (c: Candidate): number => Number(c.leaf.resource !== undefined && streamDone(this.#heap, c.leaf.resource));
    const order = done(a) - done(b) || comparePaths(this.#heap, a.at, b.at) || compareLeaves(a.leaf, b.leaf);
    return order <= 0 ? a : b;
  }

  /**
   * What the retainer `at.node` (reached through `edge`) is on the walk: a holder, `events.once`'s
   * 'error' listener, or something to climb through (`climb`, which may be above it: a queue's owner).
   */
  #atRetainer(at: Step, edge: HeapEdge, seen: ReadonlySet<number>): Outcome {
    const heap = this.#heap;
    const from = at.node;
    const type = heap.type(from);
    const name = heap.name(from);
    // An EventTarget's listener record (`addEventListener`, `events.once` on a target).
    if (isTargetListener(heap, from)) {
      const found = this.#targetListener(from, at);
      if (found) return { holder: found };
    }
    // `stream.finished`'s scope: whichever of its listeners the heap lists first, it waits on
    // this stream for this event. Answered here, before its listener tables are reached.
    const finished = edge.type === 'context' ? finishedScope(heap, from) : undefined;
    if (finished) return { holder: this.#finishedStream(finished.stream, finished.event, at) };
    // Node's own queue classes are not the program's data: climbed through (to `events.on`'s scope).
    if (name === 'FixedCircularBuffer' || name === 'FixedQueue') return { climb: at };
    // An emitter's listener table: `emitter._events[event]` holds the listener, alone or
    // in an array of the event's listeners.
    const listeners = edge.type === 'element' ? listenerArrayTable(heap, at) : undefined;
    const table = listeners ?? at;
    const emitter = edge.name === '_events' ? undefined : listeners ? this.#emitterOf(listeners.node) : this.#emitterOf(from);
    if (emitter !== undefined) {
      const event = listeners ? listeners.edge! : edge.type === 'property' ? edge.name : '?';
      const cls = heap.name(emitter);
      if (isReadline(heap, emitter) && event !== 'error') return { holder: this.#readline(emitter, table, `event '${event}'`) };
      const child = event === 'error' ? undefined : this.#childStdio(emitter, event, table);
      if (child) return { holder: child };
      const kind = resourceKind(cls) ?? this.#streamLike(emitter);
      const path = [cls || 'EventEmitter', '_events', ...pathNames(heap, table, false)];
      const found = kind
        ? this.#found(this.#resource(kind, emitter, path, event), table, emitter)
        : this.#found({ kind: 'event', description: `event '${event}' on ${cls || 'EventEmitter'}`, heldBy: path, details: { emitter: cls, event } }, table);
      return event === 'error' ? { errorListener: found } : { holder: found };
    }
    const kind = type === 'object' || type === 'native' ? resourceKind(name) ?? this.#httpClientRequest(from) : undefined;
    if (kind) return { holder: this.#found(this.#resource(kind, from, pathNames(heap, at)), at, from) };
    // The program's own data: a collection slot (array, Map, Set), a property of an
    // instance of a named class (`this.#signal = resolve`), or a variable of a scope many
    // functions share (a module's top level). Properties of plain objects are climbed
    // through instead (`{ resolve, reject }` entries, listener wrappers), and so are small
    // scopes whose few closures are callbacks that will call `resolve`.
    const on = edge.type === 'context' ? eventsOnScope(heap, from) : undefined;
    if (on) {
      if (isReadline(heap, on.emitter)) return { holder: this.#readline(on.emitter, at, `event '${on.event}' (events.on / for await)`) };
      const cls = heap.name(on.emitter) || 'EventEmitter';
      return { holder: this.#found({ kind: 'event', description: `event '${on.event}' on ${cls} (events.on / for await)`, heldBy: [cls, ...pathNames(heap, at, false)], details: { emitter: cls, event: on.event } }, at) };
    }
    if (edge.name === '<symbol _questionCallback>' && isReadline(heap, from)) {
      const prompt = stringProperty(heap, from, '<symbol _prompt>');
      return { holder: this.#readline(from, at, `question${prompt ? ` '${prompt.trim()}'` : ''} unanswered`) };
    }
    if (this.#isCollectionSlot(from, edge.type) || this.#isInstanceField(from, edge.type) || this.#isSharedScope(from, edge.type)) {
      const holder = namedHolder(heap, at);
      // Node's own queues (`events.on`'s unconsumed promises): climbed through to their owner.
      if (/^Fixed(CircularBuffer|Queue)$/.test(heap.name(holder.node))) return seen.has(holder.node) ? {} : { climb: holder };
      const path = pathNames(heap, holder);
      const streamKind = this.#streamLike(holder.node);
      if (streamKind) return { holder: this.#found(this.#resource(streamKind, holder.node, path), at, holder.node) };
      const queued = this.#found({ kind: 'queue', description: `resolve held in ${joinPath(path)}`, heldBy: path }, at);
      queued.owner = holder.node;
      return { holder: queued };
    }
    return { climb: at };
  }

  /** A wait on `stream.finished(stream)`: the stream (a child's stdio is named as the child) and its event. */
  #finishedStream(stream: number, event: string, step: Step): RawLeaf {
    const heap = this.#heap;
    const child = this.#childStdio(stream, event, step, 'finished()');
    if (child) return child;
    const cls = heap.name(stream);
    const kind = resourceKind(cls) ?? this.#streamLike(stream) ?? 'stream';
    return this.#found(this.#resource(kind, stream, [cls || 'stream', 'finished()', ...pathNames(heap, step, false)], event), step, stream);
  }

  /** A listener of an `EventTarget`: the target (an `AbortSignal` named as such) and the event. */
  #targetListener(listener: number, step: Step): RawLeaf | undefined {
    const heap = this.#heap;
    const found = targetOfListener(heap, listener);
    if (!found) return undefined;
    const path = [heap.name(found.target) || 'EventTarget', ...pathNames(heap, step, false)];
    if (isAbortSignal(heap, found.target)) {
      const aborted = oddball(heap, heap.edgeTo(found.target, '<symbol kAborted>')) === true;
      const state = aborted ? 'aborted' : 'not aborted';
      return this.#found({ kind: 'event', description: `AbortSignal, event '${found.event}' (${state})`, heldBy: ['AbortSignal', ...path.slice(1)], details: { emitter: 'AbortSignal', event: found.event, aborted } }, step);
    }
    const cls = heap.name(found.target) || 'EventTarget';
    return this.#found({ kind: 'event', description: `event '${found.event}' on ${cls}`, heldBy: path, details: { emitter: cls, event: found.event } }, step);
  }

  /**
   * A wait on a child process's stdio stream: names the child, and which end is open. `via`:
   * how the stream holds the path (its listener table, or `stream.finished`'s scope).
   */
  #childStdio(stream: number, event: string, step: Step, via = '_events'): RawLeaf | undefined {
    const heap = this.#heap;
    const owner = stdioOwner(heap, stream);
    if (!owner) return undefined;
    const details: Record<string, string | number | boolean> = { class: 'ChildProcess', stdio: owner.stream, event, running: owner.running };
    if (owner.pid !== undefined) details.pid = owner.pid;
    if (owner.command !== undefined) details.command = owner.command;
    const who = `child process${owner.pid !== undefined ? ` ${owner.pid}` : ''}${owner.command ? ` (${owner.command})` : ''}`;
    const description = `${who} ${owner.running ? 'still running' : 'exited'}; waiting for '${event}' on its ${owner.stream}`;
    const leaf = this.#found({ kind: 'child-process', description, heldBy: ['ChildProcess', owner.stream, via, ...pathNames(heap, step, false)], details }, step, owner.child);
    // The stdin's live state says whether it was ever ended (the usual reason the child waits).
    if (owner.stdin !== undefined && owner.stream !== 'stdin') leaf.resource = owner.stdin;
    return leaf;
  }

  /** A wait on a readline interface: names it and its input stream, whose state is read live. */
  #readline(iface: number, step: Step, what: string): RawLeaf {
    const heap = this.#heap;
    const input = heap.edgeTo(iface, 'input')!;
    const inputClass = heap.name(input) || 'stream';
    const leaf = this.#found(
      { kind: 'stream', description: `readline Interface on ${inputClass}: ${what}`, heldBy: ['Interface', ...pathNames(heap, step, false)], details: { class: 'Interface', input: inputClass } },
      step,
    );
    leaf.resource = input;
    leaf.origin = input;
    return leaf;
  }

  /** undici's (global `fetch`'s) `Request`: an HTTP request in flight, with origin and method. */
  #httpClientRequest(node: number): LeafKind | undefined {
    const heap = this.#heap;
    return heap.name(node) === 'Request' && heap.edgeTo(node, 'origin') !== undefined && heap.edgeTo(node, 'method') !== undefined
      ? 'socket'
      : undefined;
  }

  /** A stream of any class: an object with Node's readable or writable stream state. */
  #streamLike(node: number): LeafKind | undefined {
    const heap = this.#heap;
    return heap.type(node) === 'object' && (heap.edgeTo(node, '_readableState') !== undefined || heap.edgeTo(node, '_writableState') !== undefined)
      ? 'stream'
      : undefined;
  }

  /** A property of an instance of a named class (not a plain object, not V8's internals). */
  #isInstanceField(node: number, edgeType: string): boolean {
    if (edgeType !== 'property' || this.#heap.type(node) !== 'object') return false;
    const name = this.#heap.name(node);
    return name !== '' && name !== 'Object' && name !== 'Array' && !name.startsWith('system /') && !name.startsWith('(');
  }

  /**
   * A variable of a scope that is not just a callback's: a scope is climbed through to its
   * closures only when nothing but a few closures (at most 8) and nested scopes refer to it.
   */
  #isSharedScope(node: number, edgeType: string): boolean {
    const heap = this.#heap;
    if (edgeType !== 'context' || heap.name(node) !== 'system / Context') return false;
    let closures = 0;
    for (const { from, edge } of heap.retainers(node)) {
      if (edge.type === 'weak') continue;
      if (heap.type(from) === 'closure' && edge.name === 'context') closures++;
      else if (heap.name(from) === 'system / Context' && edge.name === 'previous') continue;
      // A suspended function's own scope: its callbacks are what will settle the promise.
      else if (edge.name === 'context' && heap.edgeTo(from, 'parameters_and_registers') !== undefined) continue;
      // ...and its register file (V8 keeps the current scope in a suspended generator's registers).
      else if (heap.type(from) === 'array') continue;
      else return true;
      if (closures > 8) return true;
    }
    return false;
  }

  /** A slot of a JS array or of a Map / Set's table. */
  #isCollectionSlot(node: number, edgeType: string): boolean {
    const heap = this.#heap;
    if (edgeType === 'element' && heap.type(node) !== 'closure') return true;
    if (heap.type(node) !== 'array') return false;
    for (const { from, edge } of heap.retainers(node)) {
      if (edge.type === 'weak') continue;
      const name = heap.name(from);
      if (name === 'Map' || name === 'Set' || name === 'Array') return true;
    }
    return false;
  }

  /** The leaf, located at the program's closure nearest to the resolver on the path. */
  #found(info: LeafInfo, holder: Step, resource?: number): RawLeaf {
    let closure: number | undefined;
    for (let s: Step | undefined = holder; s; s = s.from) {
      if (this.#heap.type(s.node) === 'closure' && !isBuiltin(this.#heap, s.node)) closure = s.node;
    }
    const leaf: RawLeaf = { info };
    if (closure !== undefined) leaf.closure = closure;
    if (resource !== undefined) leaf.holder = resource;
    if (resource !== undefined && (info.kind === 'socket' || info.kind === 'stream')) leaf.resource = resource;
    if (resource !== undefined) leaf.origin = resource;
    return leaf;
  }

  /** If `node` is an emitter's `_events` table, the emitter. */
  #emitterOf(node: number): number | undefined {
    const heap = this.#heap;
    if (heap.type(node) !== 'object') return undefined;
    for (const { from, edge } of heap.retainers(node)) {
      if (edge.name === '_events' && edge.type === 'property') return from;
    }
    return undefined;
  }

  #resource(kind: LeafKind, node: number, heldBy: string[], event?: string): LeafInfo {
    const heap = this.#heap;
    const cls = heap.name(node);
    const details: Record<string, string | number | boolean> = { class: cls };
    if (event) details.event = event;
    const num = (prop: string) => numberProperty(heap, node, prop);
    const str = (prop: string) => stringProperty(heap, node, prop);
    let description = cls;
    switch (kind) {
      case 'timer': {
        const delay = num('_idleTimeout');
        const start = num('_idleStart');
        const repeat = heap.edgeTo(node, '_repeat');
        if (delay !== undefined) details.delayMs = delay;
        // `_idleStart` is libuv's loop time, which starts within milliseconds of
        // `performance.now()`'s origin: the remaining time is approximate.
        if (delay !== undefined && start !== undefined) details.remainingMs = Math.max(0, Math.round(start + delay - this.#now));
        if (repeat !== undefined && heap.type(repeat) === 'number') details.repeat = true;
        description = delay === undefined ? 'timer' : `timer: ${formatMs(delay)} delay${details.remainingMs !== undefined ? `, about ${formatMs(details.remainingMs as number)} left` : ''}`;
        break;
      }
      case 'socket': {
        const host = str('host') ?? str('_host') ?? str('servername') ?? str('origin');
        const method = str('method');
        const path = str('path');
        if (host) details.host = host;
        if (method) details.method = method;
        if (path) details.path = path;
        description = method && path ? `HTTP ${method} ${host ?? ''}${path} (${cls})` : `${cls}${host ? ` to ${host}` : ''}`;
        break;
      }
      case 'child-process': {
        const pid = num('pid');
        const file = str('spawnfile');
        if (pid !== undefined) details.pid = pid;
        if (file) details.command = file;
        description = `child process${pid !== undefined ? ` ${pid}` : ''}${file ? ` (${file})` : ''}`;
        break;
      }
      case 'dns': {
        const hostname = str('hostname');
        if (hostname) details.hostname = hostname;
        description = `DNS lookup${hostname ? ` of ${hostname}` : ''}`;
        break;
      }
      case 'fs':
        description = `file system request (${cls})`;
        break;
      case 'worker': {
        // The public `Worker` keeps its thread id on its native handle; the handle itself has it.
        const handle = heap.edgeTo(node, '<symbol kHandle>');
        const threadId = num('threadId') ?? (handle === undefined ? undefined : numberProperty(heap, handle, 'threadId'));
        if (cls === 'Worker' && threadId !== undefined && threadId >= 0) details.threadId = threadId;
        description = details.threadId === undefined ? cls : `worker thread ${threadId}`;
        break;
      }
      default:
        description = cls;
    }
    if (event) description += `, event '${event}'`;
    return { kind, description, heldBy, details };
  }
}

function resourceKind(name: string): LeafKind | undefined {
  for (const [pattern, kind] of RESOURCES) if (pattern.test(name)) return kind;
  return undefined;
}

/** Two leaves found by alike paths, in the order of what they say (the last tie-break). */
function compareLeaves(a: RawLeaf, b: RawLeaf): number {
  const key = (leaf: RawLeaf): string => `${leaf.info.kind}\u0000${leaf.info.description}\u0000${(leaf.info.heldBy ?? []).join('\u0000')}`;
  const [x, y] = [key(a), key(b)];
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Prefer what tells most: a resource over an event, over a queue, over unknown. */
function rank(kind: LeafKind): number {
  return kind === 'unknown' ? 3 : kind === 'queue' ? 2 : kind === 'event' ? 1 : 0;
}

function isBuiltin(heap: HeapGraph, closure: number): boolean {
  const code = heap.edgeTo(closure, 'code');
  return code !== undefined && /^\((Promise|AsyncFunction|AsyncGenerator)\w* builtin/.test(heap.name(code));
}

function formatMs(ms: number): string {
  return ms >= 1000 ? `${Math.round(ms / 100) / 10}s` : `${Math.round(ms)}ms`;
}
