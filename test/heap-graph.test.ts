/**
 * Reading V8's heap snapshot format: nodes and edges are flat integer arrays described by
 * the snapshot's metadata; each node's edges follow those of the previous node.
 */
import { describe, expect, it } from 'vitest';
import { SnapshotFailedError } from '../src/errors.js';
import { HeapGraph } from '../src/snapshot/heap-graph.js';

const meta = {
  node_fields: ['type', 'name', 'id', 'self_size', 'edge_count', 'trace_node_id', 'detachedness'],
  node_types: [['hidden', 'array', 'string', 'object', 'code', 'closure']],
  edge_fields: ['type', 'name_or_index', 'to_node'],
  edge_types: [['context', 'element', 'property', 'internal', 'hidden', 'shortcut', 'weak']],
  location_fields: ['object_index', 'script_id', 'line', 'column'],
};
// Node 0: object "Promise" (id 7) with one internal edge "reactions_or_result" to node 1;
// node 1: closure "resolve" (id 4294967297, larger than 32 bits), no edges.
const text =
  `{"snapshot":{"meta":${JSON.stringify(meta)},"node_count":2,"edge_count":1},\n` +
  `"nodes":[3,0,7,32,1,0,0\n,5,1,4294967297,16,0,0,0],\n` +
  `"edges":[3,2,7],\n"trace_function_infos":[],"trace_tree":[],"samples":[],"locations":[7,3,12,4],\n` +
  `"strings":["Promise","resolve","reactions_or_result"]}`;

describe('HeapGraph', () => {
  it('reads nodes, names, ids and edges (7 fields a node, 3 an edge)', () => {
    const heap = HeapGraph.parse(text);
    expect(heap.nodeCount).toBe(2);
    expect([heap.type(0), heap.name(0), heap.heapId(0)]).toEqual(['object', 'Promise', 7]);
    expect([heap.type(1), heap.name(1), heap.heapId(1)]).toEqual(['closure', 'resolve', 4294967297]);
    expect([...heap.edges(0)]).toEqual([{ type: 'internal', name: 'reactions_or_result', to: 1 }]);
    expect(heap.edgeTo(0, 'reactions_or_result')).toBe(1);
    expect([...heap.retainers(1)].map((r) => r.from)).toEqual([0]);
  });

  it('reads where closures are defined from the locations section (node offset, script, line, column)', () => {
    const heap = HeapGraph.parse(text);
    expect(heap.location(1)).toEqual({ scriptId: '3', lineNumber: 12, columnNumber: 4 });
    expect(heap.location(0)).toBeUndefined();
  });

  it('reads the same graph from one string, from the chunks V8 sent, and from bytes', () => {
    const describe = (heap: HeapGraph) => [heap.nodeCount, heap.name(1), heap.heapId(1), [...heap.edges(0)], heap.location(1)];
    const expected = describe(HeapGraph.parse(text));
    expect(describe(HeapGraph.parse([text.slice(0, 100), text.slice(100, 101), text.slice(101)]))).toEqual(expected);
    expect(describe(HeapGraph.parse(new TextEncoder().encode(text)))).toEqual(expected);
  });

  it('a layout it does not expect (no node count) still parses, through JSON.parse', () => {
    const heap = HeapGraph.parse(text.replace('"node_count":2,', ''));
    expect([heap.nodeCount, heap.name(0), heap.edgeTo(0, 'reactions_or_result'), heap.location(1)?.lineNumber]).toEqual([2, 'Promise', 1, 12]);
  });

  it('a node count that does not match the nodes: parsed through JSON.parse, by the arrays themselves', () => {
    const heap = HeapGraph.parse(text.replace('"node_count":2,', '"node_count":3,'));
    expect(heap.nodeCount).toBe(2);
  });

  it('edgeTo finds an element edge by its index even when a string of the same text exists', () => {
    // Node 0: array with element edges 0 → node 1 and 1 → node 2, and a property edge named
    // "1" (a string in the table, as "0" is) → node 3. Element edges store the index itself
    // where named edges store a string-table slot: "0" is string 3, "1" string 4.
    const withStrings =
      `{"snapshot":{"meta":${JSON.stringify(meta)},"node_count":4,"edge_count":3},\n` +
      `"nodes":[1,0,1,16,3,0,0,3,1,3,16,0,0,0,3,2,5,16,0,0,0,2,3,9,16,0,0,0],\n` +
      `"edges":[1,0,7,1,1,14,2,4,21],\n"strings":["Array","first","second","0","1"]}`;
    const heap = HeapGraph.parse(withStrings);
    expect([...heap.edges(0)].map((e) => `${e.type}:${e.name}`)).toEqual(['element:0', 'element:1', 'property:1']);
    expect(heap.edgeTo(0, '0')).toBe(1);
    expect(heap.edgeTo(0, '1')).toBe(2);
    expect(heap.edgeTo(0, '2')).toBeUndefined();
    expect(heap.edgeTo(0, '01')).toBe(undefined);
    expect(heap.name(heap.edgeTo(0, '1')!)).toBe('second');
  });

  it('not JSON: a SnapshotFailedError', () => {
    expect(() => HeapGraph.parse('{"snapshot": {"meta"')).toThrow(SnapshotFailedError);
  });
});
