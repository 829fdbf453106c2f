/**
 * Which path up the heap names a leaf's holder: from the data slot that holds a resolver
 * (an array, a Map's table) up through containers to the first object with a name of its own;
 * and how paths up from a resolver are ordered and named.
 *
 * A queue is often reachable more than one way (the module's variable `waiters`, and the
 * exported `pool.waiters`, through the module's export cells): the path must not depend on the
 * order the heap lists an object's retainers in, which changes from run to run. The rule is
 * structural: a path that ends at a named holder over one that runs out, then the shortest,
 * then the first by its edge names. The walk up from a resolver (`leaves.ts`) orders what it
 * finds at one depth by the same rule ({@link comparePaths}).
 */
import type { HeapGraph } from './heap-graph.js';
import { compareText } from '../internal/text-order.js';

/** A step of a walk up the heap from a resolving function towards what holds it. */
export interface Step {
  node: number;
  /** The step we came from (nearer to the resolver). */
  from?: Step;
  /** Name of the edge from `node` to `from.node`. */
  edge?: string;
  depth: number;
}

/** Containers climbed through at most (levels above the slot). */
const MAX_CLIMB = 4;
/** Containers looked at at most, all paths together: a shared array may have many retainers. */
const MAX_LOOKED_AT = 256;

/** Climbs from a data holder through containers (arrays, Map tables) to a named object. */
export function namedHolder(heap: HeapGraph, step: Step): Step {
  let level: Step[] = [step];
  const seen = new Set<number>([step.node]);
  let best: { step: Step; named: boolean; path: string[] } | undefined;
  const consider = (candidate: Step, named: boolean): void => {
    const path = edgeNames(candidate, step);
    if (!best || better({ named, path }, best)) best = { step: candidate, named, path };
  };
  for (let climb = 0; climb <= MAX_CLIMB && level.length > 0; climb++) {
    const next: Step[] = [];
    for (const current of level) {
      if (!isContainer(heap, current.node)) {
        consider(current, true);
        continue;
      }
      let parents = 0;
      if (climb < MAX_CLIMB) {
        for (const { from, edge } of heap.retainers(current.node)) {
          if (edge.type === 'weak' || heap.type(from) === 'synthetic' || heap.name(from).startsWith('(')) continue;
          if (edge.type !== 'property' && edge.type !== 'internal' && edge.type !== 'element' && edge.type !== 'context') continue;
          parents++;
          if (seen.has(from) || seen.size >= MAX_LOOKED_AT) continue;
          seen.add(from);
          next.push({ node: from, from: current, edge: edge.name, depth: current.depth + 1 });
        }
      }
      if (parents === 0 || climb === MAX_CLIMB) consider(current, false);
    }
    // The shortest named path wins: nothing longer can beat it.
    if (best?.named) return best.step;
    level = next;
  }
  return best?.step ?? step;
}

/** Whether `node` is a container passed through on the way to a holder with a name. */
function isContainer(heap: HeapGraph, node: number): boolean {
  const name = heap.name(node);
  if (name === 'system / Context') return false; // the edge below is a variable name
  return name === 'Array' || name === 'Object' || name === '' || heap.type(node) === 'array' || name.startsWith('system /') || name === 'Map' || name === 'Set';
}

/** Edge names from `top` down to `bottom`. */
function edgeNames(top: Step, bottom: Step): string[] {
  const names: string[] = [];
  for (let s: Step | undefined = top; s && s !== bottom; s = s.from) names.push(s.edge ?? '');
  return names;
}

function better(a: { named: boolean; path: string[] }, b: { named: boolean; path: string[] }): boolean {
  if (a.named !== b.named) return a.named;
  if (a.path.length !== b.path.length) return a.path.length < b.path.length;
  for (let i = 0; i < a.path.length; i++) if (a.path[i] !== b.path[i]) return a.path[i]! < b.path[i]!;
  return false;
}

/**
 * The structural order of two walks up from one resolver: the shorter first, then by their
 * edge names read from the top down, then by the names of the objects on them (the rule of
 * {@link namedHolder}, for paths that both end at a holder). The heap's order never enters it:
 * two paths it calls equal are alike all the way down.
 */
export function comparePaths(heap: HeapGraph, a: Step, b: Step): number {
  if (a.depth !== b.depth) return a.depth - b.depth;
  for (let x: Step | undefined = a, y: Step | undefined = b; x && y; x = x.from, y = y.from) {
    const order = compareText(x.edge ?? '', y.edge ?? '') || compareText(heap.type(x.node), heap.type(y.node)) || compareText(heap.name(x.node), heap.name(y.node));
    if (order !== 0) return order;
  }
  return 0;
}

/**
 * Readable names along a path, holder first: the holder's class (or the variable holding it),
 * then property names, `[i]` for elements, `fn()` for closures, down to the resolver.
 */
export function pathNames(heap: HeapGraph, holder: Step, includeHolder = true): string[] {
  const names: string[] = [];
  const top = heap.name(holder.node);
  if (includeHolder) {
    if (heap.type(holder.node) === 'closure') names.push(`${top || '<anonymous>'}()`);
    else if (top && !top.startsWith('system /') && top !== 'Object' && top !== 'Array') names.push(top);
  }
  let parentName = '';
  for (let s: Step | undefined = holder; s?.from; s = s.from) {
    const edge = s.edge ?? '';
    const type = heap.type(s.node);
    const name = heap.name(s.node);
    if (s !== holder && type === 'closure') names.push(`${name || '<anonymous>'}()`);
    const inHashTable = type === 'array' && (parentName === 'Map' || parentName === 'Set');
    parentName = name;
    if (name === 'Array' || ['elements', 'table', 'context', 'properties', 'extension', 'previous'].includes(edge)) continue;
    names.push(inHashTable ? '[…]' : /^\d+$/.test(edge) ? `[${edge}]` : edge);
  }
  return names;
}

/** `Pool.waiters[0]` from `['Pool', 'waiters', '[0]']`. */
export function joinPath(names: readonly string[]): string {
  return names.map((n, i) => (i === 0 || n.startsWith('[') ? n : `.${n}`)).join('');
}
