/**
 * The filters of `awaitwhat view` (`--grep`, `--min-wait`, `--only`): which wait chains of a
 * dump the tree draws. The header and the verdict always describe the whole dump; only the
 * "Wait chains" section is filtered, and it says how many chains the filter hid.
 *
 * A wait chain is what the tree draws as one block: a root (a task nobody awaits) with
 * everything it awaits, transitively; a cycle that no root reaches is a chain of its own,
 * started at its first node. Within a kept chain, `--grep` and `--only` also drop the
 * branches that do not take part in the match, so what is left are the root-to-leaf paths
 * that match.
 *
 * @packageDocumentation
 */

import { UsageError } from '../errors.js';
import type { Dump, GraphNode } from '../model.js';
import { nodePlace, nodeTitle } from '../text/node-labels.js';
import { formatLocation } from '../text/paths.js';

/**
 * What `--only` can ask for. `orphans` hides every chain (an orphaned request is awaited by no
 * chain) and leaves the "Orphaned requests" section, drawn from `dump.orphans`.
 */
export const ONLY_CHOICES = ['stuck', 'cycles', 'orphans'] as const;

/** The filters, as given on the command line (parsed by {@link parseChainFilter}). */
export interface ChainFilter {
  /** Text, or `/regexp/flags`, to look for in titles, locations and leaf descriptions. */
  grep?: string;
  /** Least time the chain's first node has waited, in ms. */
  minWaitMs?: number;
  /** Keep only the chains that end stuck, or reach a cycle; `orphans`: see {@link ONLY_CHOICES}. */
  only?: (typeof ONLY_CHOICES)[number];
  /** The options as the user wrote them, for the "hidden by" line. */
  label: string;
  /** A worker thread's graph: orphaned requests are the main thread's (`--only orphans` says so). */
  workerThread?: boolean;
}

/** The chains left to draw, and the line saying what the filter hid. */
export interface FilteredChains {
  /** The dump with only the kept chains' nodes and edges (header fields unchanged). */
  dump: Dump;
  /** The line to print above the chains, e.g. `3 chains hidden by --min-wait 5s`. */
  note: string;
  /** The nodes `--grep` matched: the tree does not fold them away with library internals. */
  matched?: Set<string>;
}

/**
 * Parses a duration for `--min-wait`: a number of ms, or a number with `ms`, `s`, `m` or `h`.
 *
 * @param text - e.g. `500`, `1.5s`, `2m`
 * @throws {@link UsageError} for anything else
 */
export function parseWait(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$/.exec(text);
  if (!m) throw new UsageError(`--min-wait takes a duration such as 500, 500ms, 5s or 2m, got ${JSON.stringify(text)} (see awaitwhat --help)`);
  const unit = { ms: 1, s: 1e3, m: 60e3, h: 3600e3 }[(m[2] ?? 'ms') as 'ms' | 's' | 'm' | 'h'];
  return Number(m[1]) * unit;
}

/**
 * Builds the matcher of `--grep`: `/re/flags` is a regular expression, anything else a
 * case-sensitive substring.
 *
 * @param pattern - the option's value
 * @throws {@link UsageError} for an empty pattern or a regular expression that does not compile
 */
export function grepMatcher(pattern: string): (text: string) => boolean {
  if (pattern === '') throw new UsageError('--grep needs some text or a /regular expression/ (see awaitwhat --help)');
  const re = /^\/(.+)\/([a-z]*)$/s.exec(pattern);
  if (!re) return (text) => text.includes(pattern);
  let regexp: RegExp;
  try {
    regexp = new RegExp(re[1] as string, (re[2] as string).replace(/[gy]/g, ''));
  } catch (cause) {
    throw new UsageError(`--grep ${pattern}: ${(cause as Error).message} (see awaitwhat --help)`, { cause });
  }
  return (text) => regexp.test(text);
}

/**
 * Keeps the chains the filter asks for.
 *
 * @param dump - a validated dump
 * @param filter - the filters; an empty one keeps everything
 */
export function filterChains(dump: Dump, filter: ChainFilter): FilteredChains {
  const byId = new Map(dump.nodes.map((n) => [n.id, n]));
  const inCycle = new Set(dump.cycles.flatMap((c) => c.nodes));
  const starts = chainStarts(dump, byId);
  if (filter.only === 'orphans') {
    const orphans = dump.orphans?.length ?? 0;
    const what = filter.workerThread ? "orphaned requests are the main thread's" : orphans === 0 ? 'no orphaned request in this dump' : `${plural(orphans, 'orphaned request')} above`;
    return { dump: pruned(dump, new Set(), () => false), note: `--only orphans: ${what} (${plural(starts.length, 'chain')} hidden)` };
  }
  // Pruning rules: an edge p → c stays when every active rule keeps it.
  const rules: Array<(p: string, c: string) => boolean> = [];
  let matched: Set<string> | undefined;
  const tests: Array<(reach: Set<string>, start: GraphNode) => boolean> = [];
  if (filter.grep !== undefined) {
    const matches = grepMatcher(filter.grep);
    const cwd = dump.process.cwd;
    const hit = new Set(dump.nodes.filter((n) => nodeTexts(n, cwd).some(matches)).map((n) => n.id));
    matched = hit;
    // On a matching path: a match above p (it flows down to everything p awaits), or one below c.
    const below = closure(hit, byId, 'awaits');
    const above = closure(hit, byId, 'awaitedBy');
    rules.push((p, c) => below.has(p) || above.has(c));
    tests.push((reach) => [...reach].some((id) => hit.has(id)));
  }
  if (filter.only === 'stuck' || filter.only === 'cycles') {
    const never = new Set(dump.verdicts?.filter((v) => v.kind === 'never-settles').flatMap((v) => v.nodes) ?? []);
    const ends = new Set(
      dump.nodes
        .filter((n) => inCycle.has(n.id) || (filter.only === 'stuck' && n.awaits.length === 0 && (n.leaf?.kind === 'never' || never.has(n.id))))
        .map((n) => n.id),
    );
    const leadsThere = closure(ends, byId, 'awaitedBy');
    rules.push((_p, c) => leadsThere.has(c));
    tests.push((reach) => [...reach].some((id) => ends.has(id)));
  }
  if (filter.minWaitMs !== undefined) {
    const least = filter.minWaitMs;
    tests.push((_reach, start) => (start.waitingMs ?? start.ageMs ?? -1) >= least);
  }
  const edge = (p: string, c: string): boolean => rules.every((rule) => rule(p, c));
  const kept = starts.filter((start) => {
    const reach = closure(new Set([start.id]), byId, 'awaits', edge);
    return tests.every((test) => test(reach, start));
  });
  const hidden = starts.length - kept.length;
  const note = hidden === 0 ? `no chain hidden by ${filter.label}` : `${plural(hidden, 'chain')} hidden by ${filter.label}`;
  return { dump: pruned(dump, new Set(kept.map((n) => n.id)), edge), note, ...(matched ? { matched } : {}) };
}

/** Roots, then the first node of each cycle no root reaches, then the rest: the blocks the tree draws. */
function chainStarts(dump: Dump, byId: Map<string, GraphNode>): GraphNode[] {
  const roots = dump.roots.map((id) => byId.get(id)).filter((n): n is GraphNode => n !== undefined);
  const reached = closure(new Set(roots.map((n) => n.id)), byId, 'awaits');
  const starts = [...roots];
  // As the tree does: each cycle no root reaches, then any node still unreached (a root list
  // the dump left incomplete), starts a chain of its own.
  const firsts = [...dump.cycles.map((c) => byId.get(c.nodes[0] ?? '')), ...dump.nodes];
  for (const first of firsts) {
    if (!first || reached.has(first.id)) continue;
    starts.push(first);
    for (const id of closure(new Set([first.id]), byId, 'awaits')) reached.add(id);
  }
  return starts;
}

/** The texts `--grep` looks in: title, function name, await and function places, leaf. */
function nodeTexts(node: GraphNode, cwd: string): string[] {
  const texts = [nodeTitle(node), node.name];
  const place = nodePlace(node);
  if (place) texts.push(formatLocation(place.location, cwd), place.location.url);
  if (node.leaf) {
    texts.push(node.leaf.description);
    if (node.leaf.location) texts.push(formatLocation(node.leaf.location, cwd));
  }
  return texts;
}

/** Everything reachable from `from` along `direction` (iterative: chains may be deep). */
function closure(
  from: Set<string>,
  byId: Map<string, GraphNode>,
  direction: 'awaits' | 'awaitedBy',
  edge: (p: string, c: string) => boolean = () => true,
): Set<string> {
  const seen = new Set(from);
  const stack = [...from];
  while (stack.length > 0) {
    const id = stack.pop() as string;
    for (const next of byId.get(id)?.[direction] ?? []) {
      const ok = direction === 'awaits' ? edge(id, next) : edge(next, id);
      if (ok && !seen.has(next)) {
        seen.add(next);
        stack.push(next);
      }
    }
  }
  return seen;
}

/** The dump restricted to what the kept starts reach along kept edges. */
function pruned(dump: Dump, starts: Set<string>, edge: (p: string, c: string) => boolean): Dump {
  const byId = new Map(dump.nodes.map((n) => [n.id, n]));
  const keep = closure(starts, byId, 'awaits', edge);
  const nodes = dump.nodes
    .filter((n) => keep.has(n.id))
    .map((n) => ({
      ...n,
      awaits: n.awaits.filter((c) => keep.has(c) && edge(n.id, c)),
      awaitedBy: n.awaitedBy.filter((p) => keep.has(p) && edge(p, n.id)),
    }));
  return {
    ...dump,
    nodes,
    roots: dump.roots.filter((id) => starts.has(id)),
    cycles: dump.cycles.filter((c) => c.nodes.every((id) => keep.has(id))),
  };
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
