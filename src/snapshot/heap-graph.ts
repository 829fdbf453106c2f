/**
 * V8's heap snapshot, parsed into flat arrays that can be walked in both directions.
 *
 * The format (`HeapProfiler.takeHeapSnapshot`) is a JSON object whose `nodes` and `edges` are
 * flat integer arrays described by `snapshot.meta`; each node's edges follow those of the
 * previous node. Only what the wait-graph analysis needs is kept: node type, name and id,
 * outgoing edges, and incoming edges (built on demand).
 */
import { SnapshotFailedError } from '../errors.js';

interface RawSnapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[], ...unknown[]]; edge_fields: string[]; edge_types: [string[], ...unknown[]] } };
  nodes: ArrayLike<number>;
  edges: ArrayLike<number>;
  strings: string[];
}

/** An edge as the analysis sees it. */
export interface HeapEdge {
  /** `context`, `element`, `property`, `internal`, `hidden`, `shortcut`, `weak`. */
  type: string;
  /** Property or internal field name; the index as a string for `element` / `hidden`. */
  name: string;
  /** Target node index. */
  to: number;
}

/** The parsed snapshot. Node "indexes" are positions (0…count-1), not V8's heap object ids. */
export class HeapGraph {
  readonly nodeCount: number;
  readonly #nodeTypes: Uint8Array;
  readonly #nodeNames: Uint32Array;
  readonly #nodeIds: Float64Array;
  readonly #firstEdge: Uint32Array;
  readonly #edgeTypes: Uint8Array;
  readonly #edgeNames: Uint32Array;
  readonly #edgeTo: Uint32Array;
  readonly #strings: string[];
  readonly #nodeTypeNames: string[];
  readonly #edgeTypeNames: string[];
  #reverseFirst: Uint32Array | undefined;
  #reverseFrom: Uint32Array | undefined;
  #reverseEdge: Uint32Array | undefined;

  /**
   * Parses the JSON text of a heap snapshot. The two big integer arrays (`nodes`, `edges`:
   * millions of numbers for a large heap) are read straight into typed arrays rather than
   * through `JSON.parse`, which would build a JS array of them first (seconds of parsing and
   * garbage collection on a 100 MB heap); the rest (metadata, strings) goes through `JSON.parse`.
   * Anything unexpected falls back to `JSON.parse` of the whole text.
   */
  static parse(text: string): HeapGraph {
    let raw: RawSnapshot | undefined;
    try {
      raw = parseSections(text);
    } catch {
      raw = undefined;
    }
    if (!raw) {
      try {
        raw = JSON.parse(text) as RawSnapshot;
      } catch (cause) {
        throw new SnapshotFailedError('the heap snapshot is not valid JSON', { cause });
      }
    }
    return new HeapGraph(raw);
  }

  private constructor(raw: RawSnapshot) {
    const meta = raw.snapshot.meta;
    const nf = meta.node_fields.length;
    const ef = meta.edge_fields.length;
    const nType = meta.node_fields.indexOf('type');
    const nName = meta.node_fields.indexOf('name');
    const nId = meta.node_fields.indexOf('id');
    const nEdges = meta.node_fields.indexOf('edge_count');
    const eType = meta.edge_fields.indexOf('type');
    const eName = meta.edge_fields.indexOf('name_or_index');
    const eTo = meta.edge_fields.indexOf('to_node');
    if ([nType, nName, nId, nEdges, eType, eName, eTo].includes(-1)) {
      throw new SnapshotFailedError('unexpected heap snapshot layout');
    }
    this.#strings = raw.strings;
    this.#nodeTypeNames = meta.node_types[0];
    this.#edgeTypeNames = meta.edge_types[0];
    const count = raw.nodes.length / nf;
    const edgeCount = raw.edges.length / ef;
    this.nodeCount = count;
    this.#nodeTypes = new Uint8Array(count);
    this.#nodeNames = new Uint32Array(count);
    this.#nodeIds = new Float64Array(count);
    this.#firstEdge = new Uint32Array(count + 1);
    let e = 0;
    for (let i = 0; i < count; i++) {
      const base = i * nf;
      this.#nodeTypes[i] = raw.nodes[base + nType]!;
      this.#nodeNames[i] = raw.nodes[base + nName]!;
      this.#nodeIds[i] = raw.nodes[base + nId]!;
      this.#firstEdge[i] = e;
      e += raw.nodes[base + nEdges]!;
    }
    this.#firstEdge[count] = e;
    this.#edgeTypes = new Uint8Array(edgeCount);
    this.#edgeNames = new Uint32Array(edgeCount);
    this.#edgeTo = new Uint32Array(edgeCount);
    for (let j = 0; j < edgeCount; j++) {
      const base = j * ef;
      this.#edgeTypes[j] = raw.edges[base + eType]!;
      this.#edgeNames[j] = raw.edges[base + eName]!;
      this.#edgeTo[j] = raw.edges[base + eTo]! / nf;
    }
  }

  /** Node type: `object`, `closure`, `hidden`, `code`, `string`, … */
  type(node: number): string {
    return this.#nodeTypeNames[this.#nodeTypes[node]!] ?? '';
  }

  /** Node name: the constructor name for objects, the function name for closures. */
  name(node: number): string {
    return this.#strings[this.#nodeNames[node]!] ?? '';
  }

  /** V8's heap object id, usable with `HeapProfiler.getObjectByHeapObjectId`. */
  heapId(node: number): number {
    return this.#nodeIds[node]!;
  }

  #edgeName(j: number): string {
    const type = this.#edgeTypeNames[this.#edgeTypes[j]!];
    return type === 'element' || type === 'hidden' ? String(this.#edgeNames[j]) : this.#strings[this.#edgeNames[j]!] ?? '';
  }

  /** Outgoing edges of `node`. */
  *edges(node: number): IterableIterator<HeapEdge> {
    for (let j = this.#firstEdge[node]!; j < this.#firstEdge[node + 1]!; j++) {
      yield { type: this.#edgeTypeNames[this.#edgeTypes[j]!] ?? '', name: this.#edgeName(j), to: this.#edgeTo[j]! };
    }
  }

  /** Target of the first outgoing edge named `name`, if any. */
  edgeTo(node: number, name: string): number | undefined {
    // Hot during analysis (called for every node of the heap): no iterator, no allocation.
    const index = this.#stringIndex(name);
    for (let j = this.#firstEdge[node]!; j < this.#firstEdge[node + 1]!; j++) {
      const type = this.#edgeTypeNames[this.#edgeTypes[j]!];
      if (type === 'element' || type === 'hidden') {
        if (index === undefined && String(this.#edgeNames[j]) === name) return this.#edgeTo[j]!;
      } else if (this.#edgeNames[j] === index) {
        return this.#edgeTo[j]!;
      }
    }
    return undefined;
  }

  readonly #stringIndexes = new Map<string, number | undefined>();

  /** Index of `name` in the snapshot's string table (names of named edges point there). */
  #stringIndex(name: string): number | undefined {
    if (!this.#stringIndexes.has(name)) {
      if (this.#stringIndexes.size === 0) this.#strings.forEach((text, i) => this.#stringIndexes.has(text) || this.#stringIndexes.set(text, i));
      if (!this.#stringIndexes.has(name)) this.#stringIndexes.set(name, undefined);
    }
    return this.#stringIndexes.get(name);
  }

  /** Nodes with an edge to `node`, with that edge (strong and weak edges alike). */
  *retainers(node: number): IterableIterator<{ from: number; edge: HeapEdge }> {
    this.#buildReverse();
    const first = this.#reverseFirst!;
    for (let k = first[node]!; k < first[node + 1]!; k++) {
      const from = this.#reverseFrom![k]!;
      const j = this.#reverseEdge![k]!;
      yield { from, edge: { type: this.#edgeTypeNames[this.#edgeTypes[j]!] ?? '', name: this.#edgeName(j), to: node } };
    }
  }

  #buildReverse(): void {
    if (this.#reverseFirst) return;
    const count = this.nodeCount;
    const edgeCount = this.#edgeTo.length;
    const first = new Uint32Array(count + 1);
    for (let j = 0; j < edgeCount; j++) first[this.#edgeTo[j]! + 1]!++;
    for (let i = 0; i < count; i++) first[i + 1]! += first[i]!;
    const fill = first.slice(0, count);
    const from = new Uint32Array(edgeCount);
    const edge = new Uint32Array(edgeCount);
    for (let i = 0; i < count; i++) {
      for (let j = this.#firstEdge[i]!; j < this.#firstEdge[i + 1]!; j++) {
        const k = fill[this.#edgeTo[j]!]!++;
        from[k] = i;
        edge[k] = j;
      }
    }
    this.#reverseFirst = first;
    this.#reverseFrom = from;
    this.#reverseEdge = edge;
  }
}

/**
 * Splits V8's snapshot JSON (`{"snapshot":{…},"nodes":[…],"edges":[…],…,"strings":[…]}`) into
 * its sections; `undefined` if the text is not laid out that way.
 */
function parseSections(text: string): RawSnapshot | undefined {
  const nodesAt = text.indexOf('"nodes":[');
  const edgesAt = text.indexOf('"edges":[', nodesAt);
  const stringsAt = text.lastIndexOf('"strings":[');
  if (nodesAt < 0 || edgesAt < 0 || stringsAt < edgesAt) return undefined;
  const head = text.slice(0, nodesAt).replace(/,\s*$/, '');
  const meta = JSON.parse(`${head}}`) as Pick<RawSnapshot, 'snapshot'>;
  const nodes = parseIntegers(text, nodesAt + '"nodes":['.length);
  const edges = parseIntegers(text, edgesAt + '"edges":['.length);
  const end = text.lastIndexOf(']');
  const strings = JSON.parse(text.slice(stringsAt + '"strings":'.length, end + 1)) as string[];
  if (!nodes || !edges || !Array.isArray(strings)) return undefined;
  return { snapshot: meta.snapshot, nodes, edges, strings };
}

/** Non-negative integers separated by commas and white space, up to the closing `]`. */
function parseIntegers(text: string, from: number): Float64Array | undefined {
  let values = new Float64Array(1 << 16);
  let count = 0;
  let current = 0;
  let inNumber = false;
  for (let i = from; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      current = current * 10 + (c - 48);
      inNumber = true;
      continue;
    }
    if (inNumber) {
      if (count === values.length) {
        const bigger = new Float64Array(values.length * 2);
        bigger.set(values);
        values = bigger;
      }
      values[count++] = current;
      current = 0;
      inNumber = false;
    }
    if (c === 93) return values.subarray(0, count); // ]
    if (c !== 44 && c !== 10 && c !== 13 && c !== 32 && c !== 9) return undefined; // not , or white space
  }
  return undefined;
}
