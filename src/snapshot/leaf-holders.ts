/**
 * Holders of a leaf's resolver that need more than a class name to be told apart, read from
 * the heap snapshot: an `EventTarget`'s listener (an `AbortSignal`'s 'abort'), the scope of
 * `stream.finished` (which event it really waits for), a child process's stdio streams, a
 * readline interface and its input.
 *
 * These read Node's own objects, whose layout is Node's (checked on Node 20 and 22 by the
 * fixtures of test/leaves-more.test.ts): where a field is missing, each answers `undefined` and
 * the leaf is described as before.
 */
import type { HeapGraph } from './heap-graph.js';
import { numberProperty, stringProperty, stringValue } from './heap-values.js';
import type { Step } from './holder-path.js';

/** `true`, `false`, `null` or `undefined` for V8's oddballs; `undefined` for anything else. */
export function oddball(heap: HeapGraph, node: number | undefined): boolean | null | undefined {
  if (node === undefined || heap.name(node) !== 'system / Oddball') return undefined;
  // Its first hidden edge is its text.
  const text = heap.edgeTo(node, '0');
  const value = text === undefined ? '' : heap.name(text);
  return value === 'true' ? true : value === 'false' ? false : value === 'null' ? null : undefined;
}

/** Whether `node` is one of Node's `EventTarget` listener records (`internal/event_target`). */
export function isTargetListener(heap: HeapGraph, node: number): boolean {
  return heap.name(node) === 'Listener' && heap.edgeTo(node, 'flags') !== undefined && heap.edgeTo(node, 'callback') !== undefined;
}

/** The `EventTarget` a listener record is registered on, and for which event. */
export interface TargetListener {
  target: number;
  event: string;
}

/**
 * Climbs from a listener record to its target: listeners form a list (`next`) starting at a
 * root record, which is the value of the event's entry in the target's `kEvents` map; the
 * entry's key, just before it in the map's table, is the event's name.
 */
export function targetOfListener(heap: HeapGraph, listener: number): TargetListener | undefined {
  let current = listener;
  for (let hops = 0; hops < 10_000; hops++) {
    let previous: number | undefined;
    for (const { from, edge } of heap.retainers(current)) {
      if (edge.type === 'property' && edge.name === 'next') {
        previous = from;
        break;
      }
    }
    if (previous === undefined) return undefined;
    if (isTargetListener(heap, previous)) {
      current = previous;
      continue;
    }
    // The root record: the value of a map entry.
    for (const { from: table, edge } of heap.retainers(previous)) {
      if (heap.type(table) !== 'array' || !/^\d+$/.test(edge.name)) continue;
      const keyIndex = String(Number(edge.name) - 1);
      const key = heap.edgeTo(table, keyIndex);
      for (const { from: map, edge: e } of heap.retainers(table)) {
        if (e.name !== 'table' || heap.name(map) !== 'Map') continue;
        for (const { from: target, edge: t } of heap.retainers(map)) {
          if (t.name === '<symbol kEvents>') return { target, event: key === undefined ? '?' : stringValue(heap, key) };
        }
      }
    }
    return undefined;
  }
  return undefined;
}

/** Whether an `EventTarget` is an `AbortSignal` (Node makes them as `EventTarget`s with its prototype). */
export function isAbortSignal(heap: HeapGraph, target: number): boolean {
  return heap.edgeTo(target, '<symbol kAborted>') !== undefined;
}

/**
 * The event `stream.finished` (end-of-stream) really waits for, read from its scope: it
 * listens for 'end', 'finish', 'error' and 'close' alike, but completes on 'end' for a
 * readable stream whose end has not come, on 'finish' for a writable one not finished.
 * `undefined` when `context` is not end-of-stream's scope.
 */
function finishedEvent(heap: HeapGraph, context: number): string | undefined {
  if (heap.edgeTo(context, 'onfinish') === undefined || heap.edgeTo(context, 'onend') === undefined) return undefined;
  const flag = (name: string) => oddball(heap, heap.edgeTo(context, name));
  const readable = flag('readable');
  const writable = flag('writable');
  if (readable === true && flag('readableFinished') !== true) return 'end';
  if (writable === true && flag('writableFinished') !== true) return 'finish';
  return 'close';
}

/**
 * End-of-stream's scope (`stream.finished`, `finished` from `stream/promises`): the stream it
 * watches and the event it completes on. `undefined` when `context` is not such a scope.
 */
export function finishedScope(heap: HeapGraph, context: number): { stream: number; event: string } | undefined {
  const event = finishedEvent(heap, context);
  const stream = event === undefined ? undefined : heap.edgeTo(context, 'stream');
  return stream === undefined || event === undefined ? undefined : { stream, event };
}

/**
 * Whether `stream` is done, as an end-of-stream scope watching it saw: it closed, or every side
 * the scope watches finished. Read from those scopes' own variables (the streams' states are
 * bit fields a snapshot does not show); `false` when no such scope watches it.
 */
export function streamDone(heap: HeapGraph, stream: number): boolean {
  for (const { from, edge } of heap.retainers(stream)) {
    if (edge.name !== 'stream' || finishedEvent(heap, from) === undefined) continue;
    const flag = (name: string) => oddball(heap, heap.edgeTo(from, name));
    if (flag('closed') === true) return true;
    const readable = flag('readable') === true;
    const writable = flag('writable') === true;
    if ((readable || writable) && (!readable || flag('readableFinished') === true) && (!writable || flag('writableFinished') === true)) return true;
  }
  return false;
}

/** A child process one of whose stdio streams a leaf waits on. */
export interface StdioOwner {
  child: number;
  /** Which of the child's streams: `stdin`, `stdout` or `stderr`. */
  stream: 'stdin' | 'stdout' | 'stderr';
  pid?: number;
  command?: string;
  /** The child has not exited (its process handle is still there). */
  running: boolean;
  /** The child's stdin stream, when it has one (a pipe). */
  stdin?: number;
}

/** The child process whose stdio stream `stream` is, if any. */
export function stdioOwner(heap: HeapGraph, stream: number): StdioOwner | undefined {
  for (const { from, edge } of heap.retainers(stream)) {
    if (edge.type !== 'property' || (edge.name !== 'stdin' && edge.name !== 'stdout' && edge.name !== 'stderr')) continue;
    if (heap.name(from) !== 'ChildProcess') continue;
    const owner: StdioOwner = { child: from, stream: edge.name, running: false };
    const pid = numberProperty(heap, from, 'pid');
    if (pid !== undefined) owner.pid = pid;
    const command = stringProperty(heap, from, 'spawnfile');
    if (command !== undefined) owner.command = command;
    const handle = heap.edgeTo(from, '_handle');
    owner.running = handle !== undefined && oddball(heap, handle) === undefined && oddball(heap, heap.edgeTo(from, 'exitCode')) === null;
    const stdin = heap.edgeTo(from, 'stdin');
    if (stdin !== undefined && oddball(heap, stdin) === undefined) owner.stdin = stdin;
    return owner;
  }
  return undefined;
}

/** Whether `node` is a `readline` interface (`readline.createInterface`, `readline/promises`). */
export function isReadline(heap: HeapGraph, node: number): boolean {
  return heap.name(node) === 'Interface' && heap.edgeTo(node, 'input') !== undefined && heap.edgeTo(node, 'history') !== undefined;
}

/**
 * `events.on(emitter, event)`'s scope (what `for await` over an emitter, or over a readline
 * interface, waits in): its emitter, and the event its handler is registered for in the
 * emitter's listener table. `undefined` when `context` is not such a scope.
 */
export function eventsOnScope(heap: HeapGraph, context: number): { emitter: number; event: string } | undefined {
  if (heap.edgeTo(context, 'unconsumedPromises') === undefined) return undefined;
  // The parameters live in the scope around the body's (`on` has a default parameter).
  const outer = heap.edgeTo(context, 'previous');
  const emitter = heap.edgeTo(context, 'emitter') ?? (outer === undefined ? undefined : heap.edgeTo(outer, 'emitter'));
  if (emitter === undefined || oddball(heap, emitter) !== undefined) return undefined;
  const table = heap.edgeTo(emitter, '_events');
  let event = '?';
  // `on(emitter, event, { close })` also registers a close handler in the same scope: the event
  // is the one `eventHandler` listens for; the closures' heap order must not decide.
  for (const { from: closure, edge } of heap.retainers(context)) {
    if (edge.name !== 'context' || heap.type(closure) !== 'closure') continue;
    let found = '?';
    for (const { from, edge: e } of heap.retainers(closure)) {
      if (from === table && e.type === 'property' && e.name !== 'error') found = e.name;
      else if (heap.type(from) === 'array' || heap.name(from) === 'Array') {
        for (const { from: holder, edge: h } of heap.retainers(from)) {
          if (holder === table && h.type === 'property' && h.name !== 'error') found = h.name;
        }
      }
    }
    if (found === '?') continue;
    if (heap.name(closure) === 'eventHandler') return { emitter, event: found };
    if (event === '?') event = found;
  }
  return { emitter, event };
}

/** Whether `node` is an emitter's `_events` table (the object its `_events` property holds). */
export function isListenerTable(heap: HeapGraph, node: number): boolean {
  if (heap.type(node) !== 'object') return false;
  for (const { edge } of heap.retainers(node)) if (edge.name === '_events' && edge.type === 'property') return true;
  return false;
}

/**
 * An event with more than one listener keeps them in an array, `_events[event]` (two
 * `events.once` waits for one event, each with its 'error' listener too). From a step at that
 * array's element store (or the array itself), reached from a `once` listener, the step at
 * the `_events` table, whose edge is the event's name: the array is the emitter's, not the
 * program's own queue. `undefined` when the step is not at such an array. (Only `once`
 * listeners: a stream's own `on` listeners keep being climbed through to the stream.)
 */
export function listenerArrayTable(heap: HeapGraph, step: Step): Step | undefined {
  if (step.from === undefined || !isOnceWrapper(heap, step.from.node)) return undefined;
  let array: Step | undefined = step;
  if (heap.type(step.node) === 'array') {
    array = undefined;
    for (const { from, edge } of heap.retainers(step.node)) {
      if (edge.name === 'elements' && heap.name(from) === 'Array') {
        array = { node: from, from: step, edge: edge.name, depth: step.depth + 1 };
        break;
      }
    }
    if (!array) return undefined;
  } else if (heap.name(step.node) !== 'Array') {
    return undefined;
  }
  for (const { from, edge } of heap.retainers(array.node)) {
    if (edge.type === 'property' && isListenerTable(heap, from)) return { node: from, from: array, edge: edge.name, depth: array.depth + 1 };
  }
  return undefined;
}

/** Whether `node` is the wrapper `emitter.once` registers (a bound function over its state). */
function isOnceWrapper(heap: HeapGraph, node: number): boolean {
  const state = heap.type(node) === 'closure' ? heap.edgeTo(node, 'bound_this') : undefined;
  return state !== undefined && heap.edgeTo(state, 'fired') !== undefined && heap.edgeTo(state, 'listener') !== undefined;
}
