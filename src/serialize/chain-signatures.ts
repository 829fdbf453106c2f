/**
 * Structural signatures of wait chains: what lets the tree and the HTML report draw a thousand
 * tasks stuck the same way as one chain with a count.
 */
import type { GraphNode } from '../model.js';
import { nodePlace } from '../text/node-labels.js';

/**
 * Gives every node an integer standing for the shape of its subtree: kind, name, place, state,
 * leaf and the signatures of what it awaits — not ids or times, so that forty tasks stuck the
 * same way get the same number. Shared nodes (`isShared`: awaited by several, or in a cycle) are
 * identified by id instead, because "forty tasks awaiting the *same* promise" must not be
 * confused with "forty tasks each awaiting their own"; so is a loop the dump's `cycles` missed,
 * to stay finite. Iterative (post-order with an explicit stack): a very deep chain cannot
 * overflow the call stack.
 *
 * @param nodes - the nodes to sign (their awaited nodes are signed too, when `byId` knows them)
 * @param byId - the node of an id, `undefined` for one left out (its id stands for it)
 * @param isShared - whether a node is identified by its id rather than its shape
 * @returns the signature of each signed node, by id
 */
export function chainSignatures(
  nodes: Iterable<GraphNode>,
  byId: (id: string) => GraphNode | undefined,
  isShared: (node: GraphNode) => boolean,
): Map<string, number> {
  const signature = new Map<string, number>();
  const interned = new Map<string, number>();
  const intern = (key: string): number => {
    let n = interned.get(key);
    if (n === undefined) interned.set(key, (n = interned.size));
    return n;
  };
  const onStack = new Set<string>();
  for (const start of nodes) {
    if (signature.has(start.id)) continue;
    const stack: Array<{ node: GraphNode; expanded: boolean }> = [{ node: start, expanded: false }];
    while (stack.length > 0) {
      const top = stack[stack.length - 1] as { node: GraphNode; expanded: boolean };
      const { node } = top;
      if (signature.has(node.id)) {
        stack.pop();
        continue;
      }
      if (isShared(node)) {
        signature.set(node.id, intern(`#${node.id}`));
        stack.pop();
        continue;
      }
      if (!top.expanded) {
        top.expanded = true;
        onStack.add(node.id);
        for (const id of node.awaits) {
          const child = byId(id);
          if (child && onStack.has(child.id)) signature.set(child.id, intern(`#${child.id}`));
          else if (child && !signature.has(child.id)) stack.push({ node: child, expanded: false });
        }
        continue;
      }
      stack.pop();
      onStack.delete(node.id);
      const place = nodePlace(node);
      const key = JSON.stringify([
        node.kind,
        node.name,
        node.combinator ?? '',
        node.state,
        place ? `${place.role} ${place.location.url}:${place.location.line}:${place.location.column}` : '',
        node.leaf ? `${node.leaf.kind} ${node.leaf.description}` : '',
        node.awaits.map((id) => signature.get(id) ?? `#${id}`),
      ]);
      signature.set(node.id, intern(key));
    }
  }
  return signature;
}

/**
 * The tree's grouping as a partition of the nodes: the nodes the terminal tree draws as one
 * line with a count (`×40 async worker`) are one group here. Roots are grouped by
 * {@link chainSignatures}; below, the children of one group that share a signature are one
 * group (the tree draws them in parallel); a shared node (awaited by several, or in a cycle)
 * is a group of its own, as the tree draws it once and refers back to it. So two boxes drawn
 * from these groups are never merged because their subtrees merely look alike under
 * different parents: "forty tasks each awaiting their own promise" stays apart from "forty
 * tasks awaiting one". Iterative: chains may be deep.
 *
 * @param nodes - the dump's nodes
 * @param cycles - the dump's cycles (their members are shared)
 * @returns the groups, each a list of indexes into `nodes`, in order of first appearance
 */
export function chainGroups(nodes: readonly GraphNode[], cycles: ReadonlyArray<{ nodes: readonly string[] }>): number[][] {
  const index = new Map(nodes.map((n, i) => [n.id, i]));
  const inCycle = new Set(cycles.flatMap((c) => c.nodes));
  const isShared = (node: GraphNode): boolean => node.awaitedBy.length > 1 || inCycle.has(node.id);
  const signature = chainSignatures(nodes, (id) => nodes[index.get(id) ?? -1], isShared);
  const groupOf = new Array<number | undefined>(nodes.length);
  const keys = new Map<string, number>();
  const groups: number[][] = [];
  const assign = (i: number, key: string): number => {
    let g = keys.get(key);
    if (g === undefined) {
      keys.set(key, (g = groups.length));
      groups.push([]);
    }
    (groups[g] as number[]).push(i);
    groupOf[i] = g;
    return g;
  };
  for (let start = 0; start < nodes.length; start++) {
    if (groupOf[start] !== undefined) continue;
    // Climb to the first node whose group is known or that starts one (a root, a shared node),
    // then assign groups on the way back down: a child's group is its parent's, plus its shape.
    const path: number[] = [];
    const onPath = new Set<number>();
    let i: number | undefined = start;
    let parentGroup: number | undefined;
    while (i !== undefined) {
      const known = groupOf[i];
      if (known !== undefined) {
        parentGroup = known;
        break;
      }
      const node = nodes[i] as GraphNode;
      const parent = node.awaitedBy.length === 1 ? index.get(node.awaitedBy[0] as string) : undefined;
      if (isShared(node) || parent === undefined || onPath.has(parent)) {
        // A loop the dump's cycles missed is cut here, at a node of its own.
        parentGroup = assign(i, isShared(node) || (parent !== undefined && onPath.has(parent)) ? `#${node.id}` : `^${signature.get(node.id)}`);
        break;
      }
      path.push(i);
      onPath.add(i);
      i = parent;
    }
    for (let k = path.length - 1; k >= 0; k--) {
      const j = path[k] as number;
      parentGroup = assign(j, `${parentGroup}/${signature.get((nodes[j] as GraphNode).id)}`);
    }
  }
  return groups;
}
