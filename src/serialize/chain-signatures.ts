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
