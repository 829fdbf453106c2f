/**
 * Values read straight out of a heap snapshot taken with `captureNumericValue`: numbers (a
 * number node has a `value` edge to a string of its digits), strings, and the hook layer's
 * stamps.
 */
import { STAMP_FIELD } from '../hooks/promise-stamps.js';
import type { HeapGraph } from './heap-graph.js';

/** The value of a number node, if the snapshot captured it. */
export function numberValue(heap: HeapGraph, node: number | undefined): number | undefined {
  const value = node === undefined ? undefined : heap.edgeTo(node, 'value');
  const n = value === undefined ? NaN : Number(heap.name(value));
  return Number.isFinite(n) ? n : undefined;
}

/**
 * The text of a string node. A string built by concatenation is a "concatenated string"
 * node whose text is the concatenation of its `first` and `second` parts.
 */
export function stringValue(heap: HeapGraph, node: number, depth = 0): string {
  if (heap.type(node) !== 'concatenated string' || depth > 64) return heap.name(node);
  const first = heap.edgeTo(node, 'first');
  const second = heap.edgeTo(node, 'second');
  return (first === undefined ? '' : stringValue(heap, first, depth + 1)) + (second === undefined ? '' : stringValue(heap, second, depth + 1));
}

/** The hook layer's stamp of a promise: a number, or `{ t, stack }` with creation stacks. */
export function readStampFromHeap(heap: HeapGraph, promise: number): { t: number; stack?: string } | undefined {
  const stamp = heap.edgeTo(promise, STAMP_FIELD);
  if (stamp === undefined) return undefined;
  if (heap.type(stamp) === 'number') {
    const t = numberValue(heap, stamp);
    return t === undefined ? undefined : { t };
  }
  const t = numberValue(heap, heap.edgeTo(stamp, 't'));
  if (t === undefined) return undefined;
  const stack = heap.edgeTo(stamp, 'stack');
  return stack === undefined ? { t } : { t, stack: stringValue(heap, stack) };
}

/**
 * The value of `true` or `false` as a heap snapshot shows it: an oddball (`system / Oddball`)
 * whose hidden `to_string` edge names it. `undefined` for anything else (`null`, `undefined`,
 * an object).
 */
export function booleanValue(heap: HeapGraph, node: number | undefined): boolean | undefined {
  if (node === undefined || heap.name(node) !== 'system / Oddball') return undefined;
  for (const edge of heap.edges(node)) {
    const text = heap.type(edge.to) === 'string' ? heap.name(edge.to) : '';
    if (text === 'true') return true;
    if (text === 'false') return false;
  }
  return undefined;
}
