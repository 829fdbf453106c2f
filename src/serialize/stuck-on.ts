/**
 * "Stuck on": what each wait chain finally ends in, counted once for every view (the
 * terminal tree's verdict, the HTML report's findings, the DOT legend) — leaves with the same
 * name and place, the same wait (kind and description) and the same waiters are one line,
 * `2× Promise (resolve held in Pool.waiters)`.
 *
 * @packageDocumentation
 */

import type { Dump, GraphNode } from '../model.js';

/** Leaves that read alike, and who awaits them. */
export interface StuckOn {
  /** The first of the leaves: it stands for all of them. */
  leaf: GraphNode;
  /** How many leaves read alike. */
  count: number;
  /** The ids of all of them, in the dump's order (the first is {@link StuckOn.leaf}'s). */
  ids: string[];
  /** The waiters of one leaf, as `ref` names them, with how many of that name. */
  waiters: Array<[string, number]>;
}

/**
 * Groups the dump's leaves (nodes that await nothing). The wait itself is part of the key:
 * two `once()` promises made by one helper share a place but wait for different events, and a
 * queue and a timer in one race share their waiter.
 *
 * @param dump - a validated dump
 * @param ref - how a node is named in the line (`title (place)`), styled or plain
 * @returns the groups, in the order of each group's first leaf in the dump
 */
export function stuckOn(dump: Dump, ref: (id: string) => string): StuckOn[] {
  const groups = new Map<string, StuckOn>();
  for (const leaf of dump.nodes) {
    if (leaf.awaits.length > 0) continue;
    const waiters = new Map<string, number>();
    for (const id of leaf.awaitedBy) {
      const name = ref(id);
      waiters.set(name, (waiters.get(name) ?? 0) + 1);
    }
    const key = JSON.stringify([ref(leaf.id), leaf.leaf ? [leaf.leaf.kind, leaf.leaf.description] : null, [...waiters]]);
    const group = groups.get(key);
    if (group) {
      group.count += 1;
      group.ids.push(leaf.id);
    } else groups.set(key, { leaf, count: 1, ids: [leaf.id], waiters: [...waiters] });
  }
  return [...groups.values()];
}

/**
 * The end of a "stuck on" line: `awaited by a (x.js:1:2) ×2, b`, or `nobody awaits it`.
 *
 * @param waiters - {@link StuckOn.waiters}, names as the view's `ref` made them
 */
export function awaitedByText(waiters: ReadonlyArray<[string, number]>): string {
  const by = waiters.map(([name, n]) => (n > 1 ? `${name} ×${n}` : name)).join(', ');
  return by === '' ? 'nobody awaits it' : `awaited by ${by}`;
}
