/**
 * The terminal view of a dump: a header, a verdict (cycles, then the leaves everything ends
 * in), then every wait chain drawn as a tree from the task nobody waits for down to the
 * promise it is ultimately stuck on — in the spirit of Go's goroutine dump and
 * `python -m asyncio pstree`.
 *
 * The output is a pure function of the dump and the options (no clock, no environment), so it
 * can be compared against golden files.
 *
 * @packageDocumentation
 */

import { terminalSafe } from '../internal/terminal-text.js';
import type { Dump, GraphNode, LockInfo, SourceLocation } from '../model.js';
import { formatDurationRange } from '../text/durations.js';
import { nodePlace, nodeTitle as rawTitle } from '../text/node-labels.js';
import { formatLocation as rawLocation } from '../text/paths.js';
import { chainSignatures } from './chain-signatures.js';
import { filterChains, type ChainFilter, type FilteredChains } from './tree-filter.js';
import { orphanLines } from './tree-orphans.js';
import { foldText, internalRun, nodeLibrary } from './tree-fold.js';
import { makeStyle, terminalOutput, type Style } from './tree-style.js';
import { blockedLoopLines, leafParts, lostAwaitLines, metricsLines } from './tree-sections.js';
import { threadSections } from './tree-threads.js';
import { headerLines, plural, refusalLines, verdictLines } from './tree-verdict.js';
import { fitParts, wrapLines, type LinePart } from './tree-width.js';

// Every string of a dump is the program's (names, URLs, event names, argv, cwd, warnings):
// each is shown with terminal controls as visible escapes before it is styled, and the
// finished text goes through terminalOutput, which lets nothing but our own colours through.
const nodeTitle = (node: GraphNode): string => terminalSafe(rawTitle(node));
const formatLocation = (loc: SourceLocation, cwd: string): string => terminalSafe(rawLocation(loc, cwd));
const safe = terminalSafe;

/** Options of {@link renderTree}. */
export interface TreeOptions {
  /** Emit ANSI colours. Off by default; the CLI turns it on for terminals without `NO_COLOR`. */
  color?: boolean;
  /** Directory paths are shown relative to; defaults to the dumped process's `cwd`. */
  cwd?: string;
  /** Draw only these chains (see tree-filter.ts), with a line saying what was hidden. */
  chains?: FilteredChains;
  /**
   * Filter the chains of every thread alike: the main thread's (unless `chains` is given) and
   * each worker's, each section saying what it hid (see tree-filter.ts).
   */
  filter?: ChainFilter;
  /**
   * Draw the nodes placed in Node's own modules and in `node_modules` one by one. Off by
   * default: a run of two or more is folded into one line (tree-fold.ts).
   */
  internals?: boolean;
  /** Columns to fit every line in (paths shortened, then lines wrapped); no limit by default. */
  width?: number;
}

/**
 * How deep a chain is drawn before it is cut off. Deep chains do happen (an async function
 * that awaits its own recursive call), but two hundred levels of indentation help nobody and
 * would risk the renderer's own stack.
 */
const MAX_DEPTH = 64;

/**
 * Renders a dump as a human-readable tree.
 *
 * @param dump - a validated dump (see `parseDump`)
 * @param options - colour and path base
 * @returns the text, ending with a newline
 */
export function renderTree(dump: Dump, options: TreeOptions = {}): string {
  return new TreeRenderer(dump, options).render();
}

class TreeRenderer {
  /** The nodes drawn in the chains: the whole dump's, or those a filter kept. */
  private readonly byId = new Map<string, GraphNode>();
  /** Every node of the dump, for the header, the verdict and what a filter cut. */
  private readonly whole = new Map<string, GraphNode>();
  private readonly drawn: Dump;
  private readonly note: string | undefined;
  /** Nodes `--grep` matched: never folded away. */
  private readonly matched: Set<string> | undefined;
  private readonly inCycle = new Set<string>();
  private readonly cwd: string;
  private readonly color: boolean;
  private readonly style: Style;
  private readonly lines: string[] = [];
  /** Nodes already drawn; drawing one again prints a reference instead. */
  private readonly printed = new Set<string>();
  /** Interned structural signatures ({@link chainSignatures}). */
  private readonly signature = new Map<string, number>();
  private readonly internals: boolean;
  private readonly width: number | undefined;
  /** How many library frames were folded away, for the note under the chains. */
  private folded = 0;

  constructor(
    private readonly dump: Dump,
    private readonly options: TreeOptions,
  ) {
    const chains = options.chains ?? (options.filter ? filterChains(dump, options.filter) : undefined);
    this.drawn = chains?.dump ?? dump;
    this.note = chains?.note;
    this.matched = chains?.matched;
    for (const node of dump.nodes) this.whole.set(node.id, node);
    for (const node of this.drawn.nodes) this.byId.set(node.id, node);
    for (const cycle of dump.cycles) for (const id of cycle.nodes) this.inCycle.add(id);
    this.cwd = options.cwd ?? dump.process.cwd;
    this.color = options.color ?? false;
    this.style = makeStyle(this.color);
    this.internals = options.internals ?? false;
    this.width = options.width;
    this.computeSignatures();
  }

  render(): string {
    this.refusal();
    this.header();
    this.verdict();
    if (!this.dump.refused) this.lines.push(...orphanLines(this.dump, this.style, this.cwd));
    this.blockedLoop();
    this.lostAwaits();
    this.chains();
    this.threads();
    this.metrics();
    this.warnings();
    // Chain lines already fit (drawGroup); this wraps the prose: verdicts, warnings, argv.
    return terminalOutput(`${wrapLines(this.lines, this.width).join('\n')}\n`);
  }

  /** A worker thread's verdict, chains and warnings, as lines (see {@link threadSections}). */
  graphLines(): string[] {
    this.verdict();
    this.chains();
    this.warnings();
    return this.lines;
  }

  /**
   * Each worker thread's graph under a heading of its own, after the main thread's chains:
   * drawn as the main thread's are, filtered by the same filter, folded alike, fitted in the
   * width its section's indent leaves.
   */
  private threads(): void {
    const { filter, internals, width } = this.options;
    const options: TreeOptions = { color: this.color, cwd: this.cwd };
    if (filter) options.filter = { ...filter, workerThread: true };
    if (internals !== undefined) options.internals = internals;
    if (width !== undefined) options.width = Math.max(20, width - 2);
    const render = (sub: Dump): string[] => new TreeRenderer(sub, options).graphLines();
    this.lines.push(...threadSections(this.dump, this.style, this.cwd, render));
  }

  /* ------------------------------------------------------------------ header and verdict */

  /** The process, the trigger, the graph's size (tree-verdict.ts). */
  private header(): void {
    this.lines.push(...headerLines(this.dump, this.style));
  }

  /** A dump that took no heap snapshot says why before anything else (tree-verdict.ts). */
  private refusal(): void {
    this.lines.push(...refusalLines(this.dump, this.style));
  }

  /** Cycles, the dump's findings, what each chain is stuck on (tree-verdict.ts). */
  private verdict(): void {
    this.lines.push(...verdictLines(this.dump, this.style, (id) => this.nodeRef(id)));
  }

  /** Waits found collected while pending: listed on their own (tree-sections.ts). */
  private lostAwaits(): void {
    this.lines.push(...lostAwaitLines(this.dump, this.style, this.cwd));
  }

  /** The main thread's stack when it was busy running JavaScript (tree-sections.ts). */
  private blockedLoop(): void {
    this.lines.push(...blockedLoopLines(this.dump, this.style, this.cwd));
  }

  /** A short summary of the optional metrics section (tree-sections.ts). */
  private metrics(): void {
    this.lines.push(...metricsLines(this.dump, this.style, this.cwd));
  }

  /** `name (file:line:col)`, used wherever a node is mentioned inline. */
  private nodeRef(id: string): string {
    const node = this.whole.get(id);
    if (!node) return safe(id);
    const place = nodePlace(node);
    const title = this.style.bold(nodeTitle(node));
    return place ? `${title} (${this.style.cyan(formatLocation(place.location, this.cwd))})` : title;
  }

  /* ------------------------------------------------------------------------ wait chains */

  private chains(): void {
    const { drawn: dump, style } = this;
    if (this.note !== undefined) this.lines.push('', style.dim(safe(this.note)));
    if (dump.nodes.length === 0) return;
    if (dump.roots.length > 0) {
      this.lines.push('', style.bold('Wait chains') + style.dim(' (each node above what it awaits)'));
    }
    const roots = dump.roots.map((id) => this.byId.get(id)).filter((n): n is GraphNode => n !== undefined);
    for (const group of this.groupBySignature(roots)) {
      this.lines.push('');
      this.drawGroup(group, '', '', 0, new Set());
    }
    // Whatever no root reaches waits inside a cycle nobody outside waits for (or the dump's
    // root list is incomplete): start from each cycle, then from any node still undrawn.
    const starts = [...dump.cycles.map((c) => c.nodes[0] ?? ''), ...dump.nodes.map((n) => n.id)];
    let headed = false;
    for (const id of starts) {
      const node = this.byId.get(id);
      if (!node || this.printed.has(id)) continue;
      if (!headed) {
        this.lines.push('', style.bold('Waiting in cycles') + style.dim(' (no root reaches these)'));
        headed = true;
      }
      this.lines.push('');
      this.drawGroup([node], '', '', 0, new Set(), true);
    }
    if (this.folded > 0) {
      this.lines.push('', style.dim(`(… ${this.folded} frames of Node.js and node_modules folded; --internals shows them)`));
    }
  }

  /**
   * Draws a group of structurally identical subtrees once. `members` all have the same
   * signature; the first one stands for all, and times are shown as a range over them.
   */
  private drawGroup(
    members: GraphNode[],
    lead: string,
    indent: string,
    depth: number,
    ancestors: Set<string>,
    forceId = false,
    parentCount = 1,
  ): void {
    const { style } = this;
    const node = members[0];
    if (!node) return;
    if (ancestors.has(node.id)) {
      this.lines.push(`${lead}${style.red('↺')} ${nodeTitle(node)} ${style.red(`(cycle: back to ${safe(node.id)} above)`)}`);
      return;
    }
    if (this.printed.has(node.id)) {
      this.lines.push(`${lead}${style.dim('↑')} ${nodeTitle(node)} ${style.dim(`(see above: ${safe(node.id)})`)}`);
      return;
    }
    for (const m of members) this.printed.add(m.id);
    // "×2" under a "×2" parent only repeats that each parent has its own child: say it once.
    const showCount = members.length > 1 && members.length !== parentCount;
    const inner = new Set(ancestors).add(node.id);
    const run = this.internalRun(members, inner);
    const last = run[run.length - 1] ?? members;
    const below = last[0]?.awaits.length ?? 0;
    const cont = indent + (below > 0 ? style.dim('│') : ' ') + '  ';
    const count = showCount ? `${style.magenta(`×${members.length}`)} ` : '';
    const parts =
      run.length > 0 ? [count + style.dim(`… ${safe(foldText(run.map((g) => nodeLibrary(g[0] as GraphNode) as string)))}`), ...this.waitParts(members)]
      : this.describe(members, forceId, showCount);
    this.lines.push(...fitParts(lead, parts, cont, this.width));
    if (below === 0) return;
    if (depth >= MAX_DEPTH) {
      this.lines.push(`${indent}└─ ${style.dim(`… chain continues deeper (cut at ${MAX_DEPTH} levels; see --format json)`)}`);
      return;
    }
    const groups = this.groupChildren(last);
    groups.forEach((group, i) => {
      const last = i === groups.length - 1;
      const branch = style.dim(last ? '└─ ' : '├─ ');
      const next = indent + style.dim(last ? '   ' : '│  ');
      this.drawGroup(group, indent + branch, next, depth + 1, inner, false, members.length);
    });
  }

  /** Runs of library nodes (tree-fold.ts) folded into one line each, unless `internals`. */
  private internalRun(members: GraphNode[], inner: Set<string>): GraphNode[][] {
    if (this.internals) return [];
    const foldable = (n: GraphNode): boolean => !this.isShared(n) && !this.matched?.has(n.id);
    const run = internalRun(members, (g) => this.groupChildren(g), foldable, (id) => inner.has(id) || this.printed.has(id));
    for (const group of run.slice(1)) {
      for (const m of group) this.printed.add(m.id);
      inner.add((group[0] as GraphNode).id);
    }
    this.folded += run.length;
    return run;
  }

  /** `waiting 12.3s` (a range for a group), else `pending for …`; nothing when unknown. */
  private waitParts(members: GraphNode[]): string[] {
    const waiting = members.map((m) => m.waitingMs).filter((v): v is number => v !== undefined);
    const ages = members.map((m) => m.ageMs).filter((v): v is number => v !== undefined);
    if (waiting.length > 0) return [this.style.yellow(`waiting ${formatDurationRange(waiting)}`)];
    return ages.length > 0 ? [this.style.yellow(`pending for ${formatDurationRange(ages)}`)] : [];
  }

  /** One line for a node (or a group of identical ones), in parts that fitParts can lay out. */
  private describe(members: GraphNode[], forceId: boolean, showCount: boolean): LinePart[] {
    const { style } = this;
    const node = members[0] as GraphNode;
    // A filter may have cut some of what the node awaits: counts and leaves are the dump's.
    const awaits = (this.whole.get(node.id) ?? node).awaits.length;
    const parts: LinePart[] = [];
    const count = showCount ? `${style.magenta(`×${members.length}`)} ` : '';
    let title = style.bold(nodeTitle(node));
    if (node.kind === 'combinator') {
      title += ` (${plural(awaits, 'pending input')})`;
    }
    parts.push(count + title);
    const place = nodePlace(node);
    if (place) {
      const via = place.innermost ? { after: style.dim(` (via ${formatLocation(place.innermost, this.cwd)})`) } : {};
      parts.push({ before: `${place.role} `, location: formatLocation(place.location, this.cwd), paint: style.cyan, ...via });
    }
    parts.push(...this.waitParts(members));
    if (node.state === 'running') parts.push('running (took the dump)');
    if (node.leaf) parts.push(...leafParts(node.leaf, style, this.cwd));
    else if (awaits === 0) parts.push(style.dim('(leaf: nothing in the graph settles it)'));
    if (node.leaf?.lock) parts.push(this.lockText(node.leaf.lock));
    if (awaits > node.awaits.length) parts.push(style.dim(`(${awaits - node.awaits.length} filtered out)`));
    if (this.inCycle.has(node.id)) parts.push(style.red('⟲ in cycle'));
    if (forceId || this.isShared(node)) parts.push(style.dim(`#${safe(node.id)}`));
    return parts;
  }

  /** The `held-by` edges of a leaf queued in a lock: who holds it, or that nobody can. */
  private lockText(lock: LockInfo): string {
    const { style } = this;
    if (lock.state === 'leaked') return style.red(`⇢ ${safe(lock.object)} leaked: nobody alive can release it`);
    const holders = lock.holders.map((id) => {
      const holder = this.whole.get(id);
      return `${holder ? nodeTitle(holder) : safe(id)} #${safe(id)}`;
    });
    return style.magenta(`⇢ ${safe(lock.object)} held by ${holders.join(', ')}`);
  }

  /* ------------------------------------------------------------------------- grouping */

  /** Nodes that may be reached more than once: they are drawn once and referenced after. */
  private isShared(node: GraphNode): boolean {
    return node.awaitedBy.length > 1 || this.inCycle.has(node.id);
  }

  /** Signs every drawn node's chain ({@link chainSignatures}): equal signatures are grouped. */
  private computeSignatures(): void {
    const signed = chainSignatures(this.drawn.nodes, (id) => this.byId.get(id), (node) => this.isShared(node));
    for (const [id, n] of signed) this.signature.set(id, n);
  }

  /** Groups nodes with equal signatures, keeping the order of first appearance. */
  private groupBySignature(nodes: GraphNode[]): GraphNode[][] {
    const groups = new Map<number | string, Set<GraphNode>>();
    for (const node of nodes) {
      const key = this.signature.get(node.id) ?? `#${node.id}`;
      const group = groups.get(key);
      if (group) group.add(node);
      else groups.set(key, new Set([node]));
    }
    return [...groups.values()].map((g) => [...g]);
  }

  /**
   * The children of a group, themselves grouped. Members share a signature, so position `i`
   * of every member's `awaits` has the same shape: collecting by position across members
   * keeps the "drawn in parallel" invariant one level down.
   */
  private groupChildren(members: GraphNode[]): GraphNode[][] {
    const rep = members[0] as GraphNode;
    const positions = new Map<number | string, number[]>();
    rep.awaits.forEach((id, i) => {
      const key = this.signature.get(id) ?? `#${id}`;
      const list = positions.get(key);
      if (list) list.push(i);
      else positions.set(key, [i]);
    });
    const groups: GraphNode[][] = [];
    for (const indices of positions.values()) {
      // A Set: forty members awaiting one shared promise contribute it once.
      const group = new Set<GraphNode>();
      for (const m of members) {
        for (const i of indices) {
          const child = this.byId.get(m.awaits[i] ?? '');
          if (child) group.add(child);
        }
      }
      if (group.size > 0) groups.push([...group]);
    }
    return groups;
  }

  /* ------------------------------------------------------------------------- warnings */

  private warnings(): void {
    if (this.dump.warnings.length === 0) return;
    this.lines.push('', this.style.bold('Warnings'));
    for (const w of this.dump.warnings) this.lines.push(`  ${this.style.yellow('!')} ${safe(w)}`);
  }
}
