/**
 * Which nodes of the tree are library internals — placed in Node's own modules (`node:` URLs)
 * or under a `node_modules` directory — and what to call a run of them once folded
 * (`… 6 frames in node:internal/deps/undici`). The tree folds such runs unless asked for
 * `--internals`; the other formats show every node.
 *
 * @packageDocumentation
 */

import type { GraphNode } from '../model.js';
import { nodePlace } from '../text/node-labels.js';

/**
 * Whether a script URL is Node's own or a dependency's, not the program's.
 *
 * @param url - a V8 script URL
 */
export function isInternalUrl(url: string): boolean {
  return url.startsWith('node:') || /[/\\]node_modules[/\\]/.test(url);
}

/**
 * The library a script belongs to, as the fold line names it: `node:internal/deps/undici` (the
 * module's directory) for Node's own, `node_modules/undici` or `node_modules/@scope/name` (the
 * innermost package) for a dependency; `undefined` for the program's own files.
 *
 * @param url - a V8 script URL
 */
export function libraryOf(url: string): string | undefined {
  if (url.startsWith('node:')) {
    const slash = url.lastIndexOf('/');
    return slash > 0 ? url.slice(0, slash) : url;
  }
  const m = /[/\\]node_modules[/\\]((?:@[^/\\]+[/\\])?[^/\\]+)[/\\](?!.*[/\\]node_modules[/\\])/.exec(url);
  return m ? `node_modules/${decodeSafely(m[1] as string).replace(/\\/g, '/')}` : undefined;
}

/** Percent-decoding for a package name; controls stay encoded, as in paths (paths.ts). */
function decodeSafely(text: string): string {
  try {
    const decoded = decodeURIComponent(text);
    // eslint-disable-next-line no-control-regex
    return /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/.test(decoded) ? text : decoded;
  } catch {
    return text;
  }
}

/**
 * The library a node sits in, by the place the tree shows for it (its await, callback, creation
 * site or definition); `undefined` for the program's own code or an unknown place.
 *
 * @param node - a graph node
 */
export function nodeLibrary(node: GraphNode): string | undefined {
  const place = nodePlace(node);
  return place && isInternalUrl(place.location.url) ? libraryOf(place.location.url) : undefined;
}

/**
 * The words of a fold line: `6 frames in node:internal/deps/undici`, or with several
 * libraries `4 frames in node_modules/undici, node:internal/streams`.
 *
 * @param libraries - the library of each folded node, in chain order
 */
export function foldText(libraries: string[]): string {
  const distinct = [...new Set(libraries)];
  return `${libraries.length} frame${libraries.length === 1 ? '' : 's'} in ${distinct.join(', ')}`;
}

/**
 * The run of library nodes that starts with the group `first` (identical nodes drawn as one),
 * to be folded into one line: each awaits exactly one thing, is placed in a library, is no leaf
 * and passes `foldable` (the tree keeps nodes referred to elsewhere); the run ends before a
 * node already `seen`. Fewer than two: nothing worth folding, `[]`.
 *
 * @param first - the group the run starts with
 * @param children - the groups a group awaits, as the tree draws them
 * @param foldable - the tree's own conditions
 * @param seen - whether a node is already drawn or an ancestor
 */
export function internalRun(
  first: GraphNode[],
  children: (group: GraphNode[]) => GraphNode[][],
  foldable: (node: GraphNode) => boolean,
  seen: (id: string) => boolean,
): GraphNode[][] {
  const run: GraphNode[][] = [];
  let current = first;
  for (;;) {
    const rep = current[0];
    if (!rep || rep.awaits.length !== 1 || rep.leaf || !foldable(rep) || nodeLibrary(rep) === undefined) break;
    if (run.length > 0 && seen(rep.id)) break;
    run.push(current);
    const next = children(current);
    if (next.length !== 1) break;
    current = next[0] as GraphNode[];
  }
  return run.length < 2 ? [] : run;
}
