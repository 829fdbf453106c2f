/**
 * The snapshotter: builds a {@link Dump} of the current process.
 *
 * Steps, all synchronous (the program is paused for the whole dump, so the graph is
 * consistent):
 * 1. open an in-process inspector session and enable the debugger (to learn script URLs);
 * 2. take a heap snapshot and derive the wait-for edges from V8's own objects
 *    (`wait-edges.ts`): exact, whatever the nesting, and free until a dump is asked;
 * 3. ask V8, for each suspended task, where it is suspended (`[[GeneratorLocation]]`) and
 *    where its function is defined (`[[FunctionLocation]]`);
 * 4. read the hook layer's stamps (when the awaits began; creation stacks if enabled);
 * 5. number the nodes, link both directions, find roots and cycles.
 */
import { createRequire } from 'node:module';
import type { Cycle, Dump, DumpTrigger, GraphNode, SourceLocation } from '../model.js';
import { DUMP_VERSION } from '../model.js';
import { SnapshotFailedError } from '../errors.js';
import { findCycles, findRoots } from '../graph/cycles.js';
import { hookState } from '../hooks/install.js';
import { STAMP_FIELD } from '../hooks/promise-stamps.js';
import { VERSION } from '../internal/version.js';
import { HeapGraph } from './heap-graph.js';
import { InspectorClient } from './inspector-client.js';
import { parseStack } from './stack-frames.js';
import { deriveWaitEdges, type RawNode } from './wait-edges.js';

/** Options of {@link takeSnapshot}. */
export interface SnapshotOptions {
  /** Recorded in the dump; `api` by default. */
  trigger?: DumpTrigger;
}

interface RemoteObject {
  objectId?: string;
  value?: unknown;
}
interface InternalProperty {
  name: string;
  value?: RemoteObject;
}
interface V8Location {
  scriptId: string;
  lineNumber: number;
  columnNumber: number;
}

const OBJECT_GROUP = 'awaitwhat-snapshot';
/**
 * Each location lookup makes V8 walk the whole heap (`getObjectByHeapObjectId`: ~20 ms on a
 * small heap, seconds on a large one), so a dump asks for at most this many. See
 * docs/limits.md.
 */
const LOCATION_LOOKUP_LIMIT = 400;

/** Loaded lazily: a Node built without the inspector must still be able to load awaitwhat. */
function loadInspector(): typeof import('node:inspector') | undefined {
  try {
    return createRequire(import.meta.url)('node:inspector') as typeof import('node:inspector');
  } catch {
    return undefined;
  }
}

/** Takes a dump of this process. Synchronous: the program does not run until it returns. */
export function takeSnapshot(options: SnapshotOptions = {}): Dump {
  const started = performance.now();
  const client = InspectorClient.connect(loadInspector());
  const warnings: string[] = [];
  try {
    const scripts = new Map<string, string>();
    client.on('Debugger.scriptParsed', (p: { scriptId: string; url: string }) => scripts.set(p.scriptId, p.url));
    client.call('Debugger.enable');
    const chunks: string[] = [];
    client.on('HeapProfiler.addHeapSnapshotChunk', (p: { chunk: string }) => chunks.push(p.chunk));
    client.call('HeapProfiler.takeHeapSnapshot', { reportProgress: false, captureNumericValue: true });
    let text: string;
    try {
      text = chunks.join('');
    } catch (cause) {
      // V8 strings stop at ~512 MiB; a heap that large needs an out-of-process dump.
      throw new SnapshotFailedError('the heap snapshot is too large to read in-process', { cause });
    }
    chunks.length = 0;
    const heap = HeapGraph.parse(text);
    const raw = deriveWaitEdges(heap);
    const enricher = new Enricher(client, heap, scripts, warnings, started);
    const nodes = enricher.toNodes(raw.nodes);
    const cycles: Cycle[] = findCycles(nodes);
    const state = hookState();
    if (!state) {
      warnings.push('the hook layer was not installed (load awaitwhat/register): waiting times are unknown');
    }
    const dump: Dump = {
      version: DUMP_VERSION,
      tool: { name: 'awaitwhat', version: VERSION },
      createdAt: new Date().toISOString(),
      trigger: options.trigger ?? 'api',
      durationMs: 0,
      process: {
        pid: process.pid,
        argv: [...process.argv],
        cwd: process.cwd(),
        nodeVersion: process.version,
        platform: process.platform,
        uptimeMs: Math.round(process.uptime() * 1000),
      },
      hooks: { installed: state !== undefined, creationStacks: state?.creationStacks ?? false },
      nodes,
      roots: findRoots(nodes),
      cycles,
      warnings,
    };
    dump.durationMs = Math.round((performance.now() - started) * 10) / 10;
    return dump;
  } finally {
    try {
      client.call('Runtime.releaseObjectGroup', { objectGroup: OBJECT_GROUP });
      client.call('Debugger.disable');
    } catch {
      // The session is closed below either way.
    }
    client.close();
  }
}

/** Turns raw heap nodes into model nodes, asking V8 for locations and the hooks for stamps. */
class Enricher {
  readonly #client: InspectorClient;
  readonly #heap: HeapGraph;
  readonly #scripts: Map<string, string>;
  readonly #warnings: string[];
  readonly #functionLocations = new Map<number, SourceLocation | undefined>();
  /** `performance.now()` when the dump began: waits are measured up to the pause. */
  readonly #now: number;

  constructor(client: InspectorClient, heap: HeapGraph, scripts: Map<string, string>, warnings: string[], now: number) {
    this.#now = now;
    this.#client = client;
    this.#heap = heap;
    this.#scripts = scripts;
    this.#warnings = warnings;
  }

  toNodes(raw: Map<number, RawNode>): GraphNode[] {
    const entries = [...raw.values()].map((rawNode) => {
      const node: GraphNode = { id: '', kind: rawNode.kind, name: '', state: 'pending', awaits: [], awaitedBy: [] };
      this.#describe(rawNode, node);
      return { raw: rawNode, node };
    });
    this.#applyStamps(entries);
    // Heap order changes from run to run; source order does not. Ids and every list in the
    // dump follow it, so two dumps of the same stuck program read the same.
    entries.sort((a, b) => compareNodes(a.node, b.node) || a.raw.key - b.raw.key);
    const ids = new Map<number, string>();
    entries.forEach((entry, i) => {
      entry.node.id = `n${i + 1}`;
      ids.set(entry.raw.key, entry.node.id);
    });
    for (const { raw: rawNode, node } of entries) node.awaits = rawNode.awaits.map((k) => ids.get(k)!);
    const byId = new Map(entries.map((e) => [e.node.id, e.node] as const));
    for (const { node } of entries) for (const to of node.awaits) byId.get(to)?.awaitedBy.push(node.id);
    return entries.map((e) => e.node);
  }

  #describe(raw: RawNode, node: GraphNode): void {
    if (raw.combinator) node.combinator = raw.combinator;
    switch (raw.kind) {
      case 'async-function':
      case 'async-generator':
      case 'module':
        this.#describeTask(raw, node);
        break;
      case 'combinator':
        node.name = `Promise.${raw.combinator ?? 'race'}`;
        break;
      case 'then':
        node.name = raw.thenName ?? '.then';
        if (raw.callback !== undefined) {
          const location = this.#functionLocation(raw.callback);
          if (location) node.functionLocation = location;
        }
        break;
      case 'resolve':
        node.name = 'resolve(promise)';
        break;
      case 'promise':
        node.name = 'Promise';
        break;
    }
  }

  #describeTask(raw: RawNode, node: GraphNode): void {
    const heap = this.#heap;
    const gen = raw.generator ?? raw.key;
    const fn = heap.edgeTo(gen, 'function');
    node.name = (fn !== undefined ? heap.name(fn) : '') || '<anonymous>';
    node.state = 'suspended';
    const props = this.#internalProperties(gen);
    if (!props) return;
    const state = props.get('[[GeneratorState]]')?.value;
    if (state === 'running' || state === 'executing') node.state = 'running';
    else if (state === 'closed') node.state = 'pending';
    const at = this.#location(props.get('[[GeneratorLocation]]')?.value as V8Location | undefined);
    if (at && state === 'suspended') node.awaitLocation = at;
    if (fn !== undefined) {
      const defined = this.#functionLocation(fn);
      if (defined) node.functionLocation = defined;
    }
    if (raw.kind === 'module') {
      const url = node.awaitLocation?.url ?? '';
      node.name = url.slice(url.lastIndexOf('/') + 1) || '<module>';
    }
  }

  #lookups = 0;

  #objectId(heapIndex: number): string | undefined {
    if (this.#lookups++ === LOCATION_LOOKUP_LIMIT) {
      this.#warnings.push(`more than ${LOCATION_LOOKUP_LIMIT} tasks: locations were resolved for the first ${LOCATION_LOOKUP_LIMIT} lookups only`);
    }
    if (this.#lookups > LOCATION_LOOKUP_LIMIT) return undefined;
    try {
      const r = this.#client.call<{ result: RemoteObject }>('HeapProfiler.getObjectByHeapObjectId', {
        objectId: String(this.#heap.heapId(heapIndex)),
        objectGroup: OBJECT_GROUP,
      });
      return r.result.objectId;
    } catch {
      return undefined; // collected since the snapshot, or not an object
    }
  }

  #internalProperties(heapIndex: number): Map<string, RemoteObject> | undefined {
    const objectId = this.#objectId(heapIndex);
    if (objectId === undefined) return undefined;
    try {
      const r = this.#client.call<{ internalProperties?: InternalProperty[] }>('Runtime.getProperties', {
        objectId,
        ownProperties: true,
        generatePreview: false,
      });
      return new Map((r.internalProperties ?? []).map((p) => [p.name, p.value ?? {}] as const));
    } catch {
      return undefined;
    }
  }

  #functionLocation(closure: number): SourceLocation | undefined {
    if (this.#functionLocations.has(closure)) return this.#functionLocations.get(closure);
    const props = this.#internalProperties(closure);
    const location = this.#location(props?.get('[[FunctionLocation]]')?.value as V8Location | undefined);
    this.#functionLocations.set(closure, location);
    return location;
  }

  #location(v8: V8Location | undefined): SourceLocation | undefined {
    if (!v8 || typeof v8.lineNumber !== 'number') return undefined;
    const url = this.#scripts.get(v8.scriptId);
    if (url === undefined || url === '') return undefined;
    return { url, line: v8.lineNumber + 1, column: v8.columnNumber + 1 };
  }

  /**
   * Reads the hook layer's stamps straight out of the heap snapshot (taken with
   * `captureNumericValue`, so a number shows its value): no call into the program per promise.
   */
  #applyStamps(entries: Array<{ raw: RawNode; node: GraphNode }>): void {
    const state = hookState();
    if (!state) return;
    entries.forEach(({ raw, node }) => {
      const wait = raw.waitPromise === undefined ? undefined : readHeapStamp(this.#heap, raw.waitPromise);
      if (wait) node.waitingMs = Math.max(0, Math.round(this.#now - wait.t));
      if (!state.creationStacks || raw.promise === undefined) return;
      const created = readHeapStamp(this.#heap, raw.promise);
      if (!created) return;
      node.ageMs = Math.max(0, Math.round(this.#now - created.t));
      if (created.stack) node.creationStack = parseStack(created.stack);
    });
  }
}

/** Source order: by await (else definition) location, then kind and name. */
function compareNodes(a: GraphNode, b: GraphNode): number {
  const key = (n: GraphNode): string => {
    const at = n.awaitLocation ?? n.functionLocation;
    return at ? `${at.url}\u0000${String(at.line).padStart(8, '0')}:${String(at.column).padStart(8, '0')}` : '\uffff';
  };
  const ka = key(a);
  const kb = key(b);
  if (ka !== kb) return ka < kb ? -1 : 1;
  if (a.kind !== b.kind) return a.kind < b.kind ? -1 : 1;
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/** The stamp of a promise as the heap snapshot shows it: a number, or `{ t, stack }`. */
function readHeapStamp(heap: HeapGraph, promise: number): { t: number; stack?: string } | undefined {
  const stamp = heap.edgeTo(promise, STAMP_FIELD);
  if (stamp === undefined) return undefined;
  const numberValue = (node: number | undefined): number | undefined => {
    const value = node === undefined ? undefined : heap.edgeTo(node, 'value');
    const n = value === undefined ? NaN : Number(heap.name(value));
    return Number.isFinite(n) ? n : undefined;
  };
  if (heap.type(stamp) === 'number') {
    const t = numberValue(stamp);
    return t === undefined ? undefined : { t };
  }
  const t = numberValue(heap.edgeTo(stamp, 't'));
  if (t === undefined) return undefined;
  const stack = heap.edgeTo(stamp, 'stack');
  return stack === undefined ? { t } : { t, stack: stringValue(heap, stack) };
}

/**
 * The text of a string node. A string built by concatenation is a "concatenated string"
 * node whose text is the concatenation of its `first` and `second` parts.
 */
function stringValue(heap: HeapGraph, node: number, depth = 0): string {
  if (heap.type(node) !== 'concatenated string' || depth > 64) return heap.name(node);
  const first = heap.edgeTo(node, 'first');
  const second = heap.edgeTo(node, 'second');
  return (first === undefined ? '' : stringValue(heap, first, depth + 1)) + (second === undefined ? '' : stringValue(heap, second, depth + 1));
}
