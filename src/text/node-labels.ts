/**
 * How a node is named and placed for people: its title (`async handleOrder`, `Promise.all`)
 * and the one location that best answers "where is this stuck?". Shared by the views and the
 * verdicts, so that all of them name a node alike.
 *
 * @packageDocumentation
 */

import type { GraphNode, LeafInfo, SourceLocation, StackFrame } from '../model.js';

/** The most telling location of a node and what it is the location of. */
export interface NodePlace {
  /** `at` (an await), `callback` (a `.then` handler), `created` (creation stack), `defined`. */
  role: 'at' | 'callback' | 'created' | 'defined';
  /** The location itself. */
  location: SourceLocation;
  /**
   * For `created`: the innermost frame of the creation stack, when it is not `location`
   * (a promise made inside Node or a library on behalf of the program's line).
   */
  innermost?: SourceLocation;
}

/**
 * Whether a frame is the program's own code: not Node's (`node:…`, `internal/…`) and not a
 * dependency's (a path through `node_modules`).
 */
export function isUserFrame(frame: SourceLocation): boolean {
  const url = frame.url;
  if (url === '' || url.startsWith('node:') || url.startsWith('internal/')) return false;
  return !/[\\/]node_modules[\\/]/.test(url);
}

/**
 * Index of {@link userFrame} in `stack`: the program's first frame, or `undefined` when every
 * frame is Node's or a dependency's.
 */
export function userFrameIndex(stack: readonly StackFrame[]): number | undefined {
  const i = stack.findIndex(isUserFrame);
  return i < 0 ? undefined : i;
}

/**
 * The frame of a creation stack that answers "which line of the program made this?": the
 * first (innermost) frame of the program's own code, else the innermost frame. Computed when
 * a dump is viewed, from the full stack the dump keeps, so that older dumps read alike.
 *
 * @param stack - a creation stack, innermost frame first
 * @returns the frame, or `undefined` for an empty stack
 */
export function userFrame(stack: readonly StackFrame[] | undefined): StackFrame | undefined {
  if (!stack || stack.length === 0) return undefined;
  return stack.find(isUserFrame) ?? stack[0];
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
  const created = (node.userFrame !== undefined ? node.creationStack?.[node.userFrame] : undefined) ?? userFrame(node.creationStack);
  if (node.kind === 'then' && node.functionLocation) return { role: 'callback', location: node.functionLocation };
  if (created) {
    const innermost = node.creationStack![0]!;
    return innermost === created ? { role: 'created', location: created } : { role: 'created', location: created, innermost };
  }
  if (node.functionLocation) return { role: 'defined', location: node.functionLocation };
  return undefined;
}

/**
 * Where the program made a leaf's resource (its timer, socket, child process), from the
 * resource's creation stack (creation stacks mode): the program's own line, and the innermost
 * frame when it differs.
 *
 * @param leaf - a leaf's description
 * @returns the place, or `undefined` when the dump has no resource stack
 */
export function resourcePlace(leaf: LeafInfo): { location: SourceLocation; innermost?: SourceLocation } | undefined {
  const made = userFrame(leaf.resourceStack);
  if (!made) return undefined;
  const innermost = leaf.resourceStack![0]!;
  return innermost === made ? { location: made } : { location: made, innermost };
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
