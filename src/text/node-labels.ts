/**
 * How a node is named and placed for people: its title (`async handleOrder`, `Promise.all`)
 * and the one location that best answers "where is this stuck?". Shared by the views and the
 * verdicts, so that all of them name a node alike.
 *
 * @packageDocumentation
 */

import type { GraphNode, SourceLocation } from '../model.js';

/** The most telling location of a node and what it is the location of. */
export interface NodePlace {
  /** `at` (an await), `callback` (a `.then` handler), `created` (creation stack), `defined`. */
  role: 'at' | 'callback' | 'created' | 'defined';
  /** The location itself. */
  location: SourceLocation;
}

/**
 * Picks the location that best answers "where is this stuck?": the `await` for tasks, the
 * callback for derived promises, the creation site for leaves, the function as a fallback.
 *
 * @param node - a graph node
 * @returns the place, or `undefined` when the dump knows none
 */
export function nodePlace(node: GraphNode): NodePlace | undefined {
  if (node.awaitLocation) return { role: 'at', location: node.awaitLocation };
  const created = node.creationStack?.[0];
  if (node.kind === 'then' && node.functionLocation) return { role: 'callback', location: node.functionLocation };
  if (created) return { role: 'created', location: created };
  if (node.functionLocation) return { role: 'defined', location: node.functionLocation };
  return undefined;
}

/**
 * A short human label for a node: `async handleOrder`, `Promise.all`, `.then`, `Promise`.
 *
 * @param node - a graph node
 */
export function nodeTitle(node: GraphNode): string {
  switch (node.kind) {
    case 'async-function':
      return `async ${node.name}`;
    case 'async-generator':
      return `async* ${node.name}`;
    case 'module':
      return `module ${node.name}`;
    default:
      return node.name;
  }
}
