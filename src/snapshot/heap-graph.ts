/**
 * V8's heap snapshot, parsed into flat arrays that can be walked in both directions.
 *
 * The format (`HeapProfiler.takeHeapSnapshot`) is a JSON object whose `nodes` and `edges` are
 * flat integer arrays described by `snapshot.meta`; each node's edges follow those of the
 * previous node. Only what the wait-graph analysis needs is kept: node type, name and id,
 * outgoing edges, and incoming edges (built on demand).
 */
import { SnapshotFailedError } from '../errors.js';

interface SnapshotMeta {
  node_fields: string[];
  node_types: [string[], ...unknown[]];
  edge_fields: string[];
  edge_types: [string[], ...unknown[]];
  location_fields?: string[];
}

interface RawSnapshot {
  snapshot: { meta: SnapshotMeta; node_count?: number; edge_count?: number };
  nodes: ArrayLike<number>;
  edges: ArrayLike<number>;
  locations?: ArrayLike<number>;
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

/** Where V8 says a function is defined: 0-based, as `[[FunctionLocation]]` reports it. */
export interface HeapLocation {
  scriptId: string;
  lineNumber: number;
  columnNumber: number;
}

/** The columns the analysis keeps, whichever way they were read. */
interface Columns {
  strings: string[];
  nodeTypeNames: string[];
  edgeTypeNames: string[];
  nodeTypes: Uint8Array;
  nodeNames: Uint32Array;
  nodeIds: Float64Array;
  firstEdge: Uint32Array;
  edgeTypes: Uint8Array;
  edgeNames: Uint32Array;
  edgeTo: Uint32Array;
  /** Per node: its row in `locations`, or -1. */
  nodeLocation: Int32Array;
  /** Rows of (script id, line, column). */
  locations: Float64Array;
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
  readonly #nodeLocation: Int32Array;
  readonly #locations: Float64Array;
  #reverseFirst: Uint32Array | undefined;
  #reverseFrom: Uint32Array | undefined;
  #reverseEdge: Uint32Array | undefined;

  /**
   * Parses a heap snapshot: its JSON text, as one string, as the chunks V8 sent it in, or as
   * bytes (`v8.getHeapSnapshot()`).
   *
   * V8 writes the snapshot as pure ASCII (other characters as `\u` escapes), so text and bytes
   * are read alike. The big integer arrays (`nodes`, `edges`, `locations`: tens of millions of
   * numbers for a 100 MB heap) are scanned byte by byte straight into the typed columns the
   * analysis keeps, sized from the node and edge counts in the header: no intermediate array
   * of every field, which on a 100 MB heap meant seconds of parsing and garbage collection.
   * Only the header and the string table go through `JSON.parse`. Anything unexpected falls
   * back to `JSON.parse` of the whole text.
   */
  static parse(source: string | readonly string[] | Uint8Array): HeapGraph {
    const bytes = toBytes(source);
    let columns: Columns | undefined;
    try {
      columns = readColumns(bytes);
    } catch {
      columns = undefined;
    }
    if (!columns) {
      try {
        columns = columnsOf(JSON.parse(bytes.toString('latin1')) as RawSnapshot);
      } catch (cause) {
        if (cause instanceof SnapshotFailedError) throw cause;
        throw new SnapshotFailedError('the heap snapshot is not valid JSON', { cause });
      }
    }
    return new HeapGraph(columns);
  }

  private constructor(c: Columns) {
    this.nodeCount = c.nodeTypes.length;
    this.#strings = c.strings;
    this.#nodeTypeNames = c.nodeTypeNames;
    this.#edgeTypeNames = c.edgeTypeNames;
    this.#nodeTypes = c.nodeTypes;
    this.#nodeNames = c.nodeNames;
    this.#nodeIds = c.nodeIds;
    this.#firstEdge = c.firstEdge;
    this.#edgeTypes = c.edgeTypes;
    this.#edgeNames = c.edgeNames;
    this.#edgeTo = c.edgeTo;
    this.#nodeLocation = c.nodeLocation;
    this.#locations = c.locations;
  }

  /**
   * Where the function of a closure (or of a generator) is defined, from the snapshot's
   * `locations` section: the same position as the inspector's `[[FunctionLocation]]`, without
   * the whole-heap walk a per-object lookup costs.
   */
  location(node: number): HeapLocation | undefined {
    const row = this.#nodeLocation[node] ?? -1;
    if (row < 0) return undefined;
    return { scriptId: String(this.#locations[row * 3]), lineNumber: this.#locations[row * 3 + 1]!, columnNumber: this.#locations[row * 3 + 2]! };
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

  /**
   * Target of the first outgoing edge named `name`, if any: a property or internal field by
   * its name, an element or hidden edge by its index (`'0'`, `'12'`).
   */
  edgeTo(node: number, name: string): number | undefined {
    // Hot during analysis (called for every node of the heap): no iterator, no allocation.
    const index = this.#stringIndex(name);
    // An element edge stores its index where a named edge stores a string's: compared as the
    // index the name spells, never as a string-table slot (a string "0" may exist as well).
    const element = ELEMENT_NAME.test(name) ? Number(name) : -1;
    for (let j = this.#firstEdge[node]!; j < this.#firstEdge[node + 1]!; j++) {
      const type = this.#edgeTypeNames[this.#edgeTypes[j]!];
      if (type === 'element' || type === 'hidden') {
        if (this.#edgeNames[j] === element) return this.#edgeTo[j]!;
      } else if (index !== undefined && this.#edgeNames[j] === index) {
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

/** An element index as `edgeTo` is asked for it: digits, no leading zero (what `String(i)` gives). */
const ELEMENT_NAME = /^(0|[1-9]\d{0,9})$/;

/** The snapshot as bytes; string chunks are copied in (ASCII: one byte a character). */
function toBytes(source: string | readonly string[] | Uint8Array): Buffer {
  if (typeof source === 'string') return Buffer.from(source, 'latin1');
  if (!Array.isArray(source)) {
    const view = source as Uint8Array;
    return Buffer.isBuffer(view) ? view : Buffer.from(view.buffer, view.byteOffset, view.byteLength);
  }
  const chunks = source as readonly string[];
  let length = 0;
  for (const chunk of chunks) length += chunk.length;
  const bytes = Buffer.allocUnsafe(length);
  let at = 0;
  for (const chunk of chunks) at += bytes.write(chunk, at, 'latin1');
  return bytes;
}

/** Indexes of the fields the analysis reads; throws if the layout lacks one. */
function fieldIndexes(meta: SnapshotMeta) {
  const f = {
    nodeFields: meta.node_fields.length,
    edgeFields: meta.edge_fields.length,
    nType: meta.node_fields.indexOf('type'),
    nName: meta.node_fields.indexOf('name'),
    nId: meta.node_fields.indexOf('id'),
    nEdges: meta.node_fields.indexOf('edge_count'),
    eType: meta.edge_fields.indexOf('type'),
    eName: meta.edge_fields.indexOf('name_or_index'),
    eTo: meta.edge_fields.indexOf('to_node'),
  };
  if ([f.nType, f.nName, f.nId, f.nEdges, f.eType, f.eName, f.eTo].includes(-1)) {
    throw new SnapshotFailedError('unexpected heap snapshot layout');
  }
  return f;
}

/** Per-node location rows from `locations` (object_index, script_id, line, column). */
function locationColumns(meta: SnapshotMeta, nodeCount: number, nodeFields: number, rows: ArrayLike<number> | undefined) {
  const nodeLocation = new Int32Array(nodeCount).fill(-1);
  const lf = meta.location_fields ?? [];
  const [lObj, lScript, lLine, lCol] = ['object_index', 'script_id', 'line', 'column'].map((name) => lf.indexOf(name));
  if (!rows || [lObj, lScript, lLine, lCol].includes(-1)) return { nodeLocation, locations: new Float64Array(0) };
  const count = Math.floor(rows.length / lf.length);
  const locations = new Float64Array(count * 3);
  for (let r = 0; r < count; r++) {
    const base = r * lf.length;
    const node = rows[base + lObj!]! / nodeFields;
    if (!Number.isInteger(node) || node >= nodeCount) continue;
    nodeLocation[node] = r;
    locations[r * 3] = rows[base + lScript!]!;
    locations[r * 3 + 1] = rows[base + lLine!]!;
    locations[r * 3 + 2] = rows[base + lCol!]!;
  }
  return { nodeLocation, locations };
}

/** The node fields the analysis keeps, one array each, in node order. */
interface NodeFields {
  types: Uint8Array;
  names: Uint32Array;
  ids: Float64Array;
  edgeCounts: Uint32Array;
}

/** The edge fields the analysis keeps; `to` still as V8 writes it (an offset into `nodes`). */
interface EdgeFields {
  types: Uint8Array;
  names: Uint32Array;
  to: Uint32Array;
}

function nodeFields(count: number): NodeFields {
  return { types: new Uint8Array(count), names: new Uint32Array(count), ids: new Float64Array(count), edgeCounts: new Uint32Array(count) };
}

function edgeFields(count: number): EdgeFields {
  return { types: new Uint8Array(count), names: new Uint32Array(count), to: new Uint32Array(count) };
}

/**
 * The columns, whichever way the fields were read: each node's first edge, edge targets as
 * node indexes, locations per node. `undefined` if the edge counts do not add up.
 */
function assemble(meta: SnapshotMeta, strings: string[], nodes: NodeFields, edges: EdgeFields, locationRows: ArrayLike<number> | undefined): Columns | undefined {
  const width = meta.node_fields.length;
  const count = nodes.types.length;
  const firstEdge = new Uint32Array(count + 1);
  let e = 0;
  for (let i = 0; i < count; i++) {
    firstEdge[i] = e;
    e += nodes.edgeCounts[i]!;
  }
  firstEdge[count] = e;
  if (e !== edges.to.length) return undefined;
  for (let j = 0; j < e; j++) edges.to[j] = edges.to[j]! / width;
  return {
    strings,
    nodeTypeNames: meta.node_types[0],
    edgeTypeNames: meta.edge_types[0],
    nodeTypes: nodes.types,
    nodeNames: nodes.names,
    nodeIds: nodes.ids,
    firstEdge,
    edgeTypes: edges.types,
    edgeNames: edges.names,
    edgeTo: edges.to,
    ...locationColumns(meta, count, width, locationRows),
  };
}

/** Columns from a snapshot already parsed by `JSON.parse` (the slow path). */
function columnsOf(raw: RawSnapshot): Columns {
  const meta = raw.snapshot.meta;
  const f = fieldIndexes(meta);
  const nodes = nodeFields(raw.nodes.length / f.nodeFields);
  for (let i = 0; i < nodes.types.length; i++) {
    const base = i * f.nodeFields;
    nodes.types[i] = raw.nodes[base + f.nType]!;
    nodes.names[i] = raw.nodes[base + f.nName]!;
    nodes.ids[i] = raw.nodes[base + f.nId]!;
    nodes.edgeCounts[i] = raw.nodes[base + f.nEdges]!;
  }
  const edges = edgeFields(raw.edges.length / f.edgeFields);
  for (let j = 0; j < edges.to.length; j++) {
    const base = j * f.edgeFields;
    edges.types[j] = raw.edges[base + f.eType]!;
    edges.names[j] = raw.edges[base + f.eName]!;
    edges.to[j] = raw.edges[base + f.eTo]!;
  }
  const columns = assemble(meta, raw.strings, nodes, edges, raw.locations);
  if (!columns) throw new SnapshotFailedError('the heap snapshot is inconsistent: its nodes count more edges than it has');
  return columns;
}

const NODES = Buffer.from('"nodes":[');
const EDGES = Buffer.from('"edges":[');
const LOCATIONS = Buffer.from('"locations":[');
const STRINGS = Buffer.from('"strings":[');

/**
 * Columns read section by section from V8's layout
 * (`{"snapshot":{…},"nodes":[…],"edges":[…],…,"locations":[…],"strings":[…]}`);
 * `undefined` if the bytes are not laid out that way.
 */
function readColumns(bytes: Buffer): Columns | undefined {
  const nodesAt = bytes.indexOf(NODES);
  const edgesAt = nodesAt < 0 ? -1 : bytes.indexOf(EDGES, nodesAt);
  const stringsAt = bytes.lastIndexOf(STRINGS);
  if (nodesAt < 0 || edgesAt < 0 || stringsAt < edgesAt) return undefined;
  const head = bytes.toString('latin1', 0, nodesAt).replace(/,\s*$/, '');
  const { snapshot } = JSON.parse(`${head}}`) as Pick<RawSnapshot, 'snapshot'>;
  const meta = snapshot.meta;
  const f = fieldIndexes(meta);
  const count = snapshot.node_count;
  const edgeCount = snapshot.edge_count;
  if (!Number.isInteger(count) || !Number.isInteger(edgeCount)) return undefined;

  const nodes = nodeFields(count!);
  const nodeSinks: Array<Uint8Array | Uint32Array | Float64Array | undefined> = new Array(f.nodeFields).fill(undefined);
  nodeSinks[f.nType] = nodes.types;
  nodeSinks[f.nName] = nodes.names;
  nodeSinks[f.nId] = nodes.ids;
  nodeSinks[f.nEdges] = nodes.edgeCounts;
  if (readRows(bytes, nodesAt + NODES.length, count!, nodeSinks) < 0) return undefined;

  const edges = edgeFields(edgeCount!);
  const edgeSinks: Array<Uint8Array | Uint32Array | undefined> = new Array(f.edgeFields).fill(undefined);
  edgeSinks[f.eType] = edges.types;
  edgeSinks[f.eName] = edges.names;
  edgeSinks[f.eTo] = edges.to;
  const edgesEnd = readRows(bytes, edgesAt + EDGES.length, edgeCount!, edgeSinks);
  if (edgesEnd < 0) return undefined;

  let locationRows: Float64Array | undefined;
  const locationsAt = bytes.indexOf(LOCATIONS, edgesEnd);
  if (locationsAt >= 0 && locationsAt < stringsAt && (meta.location_fields?.length ?? 0) > 0) {
    locationRows = readIntegers(bytes, locationsAt + LOCATIONS.length);
  }
  const end = bytes.lastIndexOf(']'.charCodeAt(0));
  const strings = JSON.parse(bytes.toString('latin1', stringsAt + STRINGS.length - 1, end + 1)) as unknown;
  if (!Array.isArray(strings)) return undefined;
  return assemble(meta, strings as string[], nodes, edges, locationRows);
}

/**
 * Reads `rows` rows of `sinks.length` non-negative integers (separated by commas and white
 * space, closed by `]`) into the column of each field that has a sink. Returns the position
 * after the `]`, or -1 if the text does not hold exactly that many numbers.
 */
function readRows(bytes: Uint8Array, from: number, rows: number, sinks: ArrayLike<{ [i: number]: number } | undefined>): number {
  const width = sinks.length;
  const total = rows * width;
  let count = 0;
  let field = 0;
  let row = 0;
  let current = 0;
  let inNumber = false;
  const length = bytes.length;
  for (let i = from; i < length; i++) {
    const c = bytes[i]!;
    if (c >= 48 && c <= 57) {
      current = current * 10 + (c - 48);
      inNumber = true;
      continue;
    }
    if (inNumber) {
      if (count === total) return -1;
      const sink = sinks[field];
      if (sink !== undefined) sink[row] = current;
      count++;
      if (++field === width) {
        field = 0;
        row++;
      }
      current = 0;
      inNumber = false;
    }
    if (c === 93) return count === total ? i + 1 : -1; // ]
    if (c !== 44 && c !== 10 && c !== 13 && c !== 32 && c !== 9) return -1; // not , or white space
  }
  return -1;
}

/** Non-negative integers up to the closing `]`, as one array; `undefined` if malformed. */
function readIntegers(bytes: Uint8Array, from: number): Float64Array | undefined {
  let values = new Float64Array(1 << 12);
  let count = 0;
  let current = 0;
  let inNumber = false;
  for (let i = from; i < bytes.length; i++) {
    const c = bytes[i]!;
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
    if (c !== 44 && c !== 10 && c !== 13 && c !== 32 && c !== 9) return undefined;
  }
  return undefined;
}
