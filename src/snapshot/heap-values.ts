/**
 * Values read straight out of a heap snapshot taken with `captureNumericValue`: numbers (a
 * number node has a `value` edge to a string of its digits), strings, and the hook layer's
 * stamps; and the properties of objects that hold them.
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

/** The value of `node`'s property `name` if it is `true` or `false` (see {@link booleanValue}). */
export function booleanProperty(heap: HeapGraph, node: number, name: string): boolean | undefined {
  return booleanValue(heap, heap.edgeTo(node, name));
}

/** The value of `node`'s property `name` if it is a number the snapshot captured. */
export function numberProperty(heap: HeapGraph, node: number, name: string): number | undefined {
  return numberValue(heap, heap.edgeTo(node, name));
}

/**
 * The text of `node`'s property `name` if it is a string. A sliced string's text is not in the
 * snapshot (only its parent's, the node is named `(sliced string)`): then `undefined`.
 */
export function stringProperty(heap: HeapGraph, node: number, name: string): string | undefined {
  const target = heap.edgeTo(node, name);
  if (target === undefined || !heap.type(target).includes('string')) return undefined;
  const text = stringValue(heap, target);
  return /^\(.* string\)$/.test(text) ? undefined : text;
}

/** The object `node`'s property `name` holds, if it is an object (of class `cls`, if given). */
export function objectProperty(heap: HeapGraph, node: number, name: string, cls?: string): number | undefined {
  const target = heap.edgeTo(node, name);
  if (target === undefined || heap.type(target) !== 'object') return undefined;
  return cls === undefined || heap.name(target) === cls ? target : undefined;
}
