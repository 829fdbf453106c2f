/**
 * The graph of the HTML report: laid out by Graphviz (WebAssembly) when the report is built,
 * inlined as SVG. A small dump is drawn node for node (the boxes of `--format svg`, one per node); a large one
 * as its *grouped* graph, where structurally identical chains are one node with a count
 * (10 000 handlers stuck on one pool: two nodes, not 10 001); a graph still too large to lay
 * out is not drawn, and the page says why.
 *
 * @packageDocumentation
 */

import type { Dump, GraphNode } from '../model.js';
import { chainSignatures } from './chain-signatures.js';
import { boxesDot, toDot } from './dot.js';
import { renderSvg } from './svg.js';

/** Most nodes drawn one by one; above, the grouped graph. */
export const FULL_GRAPH_MAX_NODES = 300;
/** Most groups drawn; above, no graph (a layout of thousands of boxes helps nobody). */
export const GROUPED_GRAPH_MAX_NODES = 300;

/** The graph as the page shows it. */
export interface PageGraph {
  /** `full`: one SVG node per dump node; `grouped`: per group; `none`: no SVG. */
  mode: 'full' | 'grouped' | 'none';
  /** The `<svg>` element, safe to inline; absent in mode `none`. */
  svg?: string;
  /** A sentence for the page: what is drawn and why. */
  note: string;
  /**
   * How many boxes are drawn. In mode `full` the SVG node `x<i>` stands for node `i`; in mode
   * `grouped` the box `g<k>` for every node of shape `k` (see {@link shapeClasses}).
   */
  boxes: number;
}

/**
 * Gives every node the number of its *shape*: kind, name, place, state, leaf, and the shapes
 * of what it awaits — not ids or times, so that a thousand tasks stuck the same way share a
 * number. Nodes awaited by several others or in a cycle are their own shape (by id): "forty
 * tasks awaiting the *same* promise" is not "forty tasks each awaiting their own". The same
 * rule as the terminal tree's grouping. Iterative: chains may be deep.
 *
 * @param dump - a validated dump
 * @returns the shape number of each node, by index into `dump.nodes`
 */
export function shapeClasses(dump: Dump): number[] {
  const byId = new Map(dump.nodes.map((n) => [n.id, n]));
  const inCycle = new Set(dump.cycles.flatMap((c) => c.nodes));
  const signed = chainSignatures(dump.nodes, (id) => byId.get(id), (node) => node.awaitedBy.length > 1 || inCycle.has(node.id));
  return dump.nodes.map((n) => signed.get(n.id) as number);
}

/**
 * Lays out the graph of a dump for the page.
 *
 * @param dump - a validated dump
 * @param classes - {@link shapeClasses} of the dump
 * @returns the graph; mode `none`, with the reason in its note, when Graphviz cannot be
 *   loaded or fails (the rest of the report does not need it)
 */
export async function pageGraph(dump: Dump, classes: number[]): Promise<PageGraph> {
  try {
    return await layOut(dump, classes);
  } catch (cause) {
    // The report is worth having without its picture: it says why the picture is missing.
    const why = cause instanceof Error ? cause.message : String(cause);
    return { mode: 'none', note: `Not drawn: ${why.split('\n', 1)[0] ?? why}.`, boxes: 0 };
  }
}

async function layOut(dump: Dump, classes: number[]): Promise<PageGraph> {
  const n = dump.nodes.length;
  if (n === 0) return { mode: 'none', note: 'Nothing to draw: no pending task or promise takes part in a wait.', boxes: 0 };
  if (n <= FULL_GRAPH_MAX_NODES) {
    // Boxes are the nodes the page's list and details know; orphans are in the verdicts.
    const svg = inlineSvg(await renderSvg(toDot(withSafeIds(dump), { grouping: 'none', legend: false, orphans: false })));
    return { mode: 'full', svg, note: `Every node drawn (${plural(n, 'node')}). Click one for its details.`, boxes: n };
  }
  const groups = groupMembers(classes);
  if (groups.length > GROUPED_GRAPH_MAX_NODES) {
    return {
      mode: 'none',
      note:
        `Not drawn: ${plural(n, 'node')} in ${plural(groups.length, 'distinct shape')}, too many to lay out ` +
        `(at most ${GROUPED_GRAPH_MAX_NODES}). Use the task list below.`,
      boxes: 0,
    };
  }
  const svg = inlineSvg(await renderSvg(groupedDot(dump, classes, groups)));
  return {
    mode: 'grouped',
    svg,
    note:
      `Grouped graph: ${plural(n, 'node')} are too many to draw one by one (more than ${FULL_GRAPH_MAX_NODES}), so ` +
      `identical chains are merged into one box with a count (×N): ${plural(groups.length, 'box', 'boxes')} drawn.`,
    boxes: groups.length,
  };
}

/** Members of each shape class, in order of first appearance. */
function groupMembers(classes: number[]): number[][] {
  const byClass = new Map<number, number[]>();
  classes.forEach((c, i) => {
    const list = byClass.get(c);
    if (list) list.push(i);
    else byClass.set(c, [i]);
  });
  return [...byClass.values()];
}

/**
 * The dump with every id replaced by `x<index>`: DOT names, SVG titles and the page's lookup
 * then never carry the dump's own ids (free text in a hand-made dump).
 */
function withSafeIds(dump: Dump): Dump {
  const safe = new Map(dump.nodes.map((node, i) => [node.id, `x${i}`]));
  const map = (id: string): string => safe.get(id) ?? 'x-unknown';
  return {
    ...dump,
    nodes: dump.nodes.map((node) => {
      const mapped = { ...node, id: map(node.id), awaits: node.awaits.map(map), awaitedBy: node.awaitedBy.map(map) };
      const lock = node.leaf?.lock;
      if (lock && mapped.leaf) mapped.leaf = { ...mapped.leaf, lock: { ...lock, holders: lock.holders.map(map) } };
      return mapped as GraphNode;
    }),
    roots: dump.roots.map(map),
    cycles: dump.cycles.map((c) => ({ nodes: c.nodes.map(map) })),
  };
}

/**
 * DOT of the grouped graph: one box per shape class, `×N` when it stands for several nodes,
 * drawn as `--format svg` draws its boxes (dot.ts). Named by shape number: the page finds a
 * box's members by their shape.
 */
function groupedDot(dump: Dump, classes: number[], groups: number[][]): string {
  const boxes = groups.map((members) => ({ name: `g${classes[members[0] as number] as number}`, members }));
  return boxesDot(dump, boxes, { legend: false, orphans: false });
}

/** Elements Graphviz' SVG output is made of; anything else is refused. */
const SVG_TAGS = new Set(['svg', 'g', 'title', 'path', 'polygon', 'polyline', 'ellipse', 'text', 'defs', 'desc']);
/** Attribute names allowed on them: presentation and geometry only (no `on…`, no links). */
const SVG_ATTRIBUTE = /^(?:id|class|width|height|viewBox|xmlns(?::xlink)?|transform|fill|stroke|stroke-width|stroke-dasharray|points|d|cx|cy|rx|ry|x|y|text-anchor|font-family|font-size|font-weight|font-style|xml:space|fill-opacity|stroke-opacity)$/;

/**
 * Graphviz' SVG document as an element to inline in HTML: the XML prolog, doctype and
 * comments dropped; every tag and attribute checked against what Graphviz writes (it escapes
 * label text, but the page must not depend on that alone: the labels are the program's).
 *
 * @param svg - the SVG document
 * @throws {@link Error} naming the first unexpected tag or attribute
 */
export function inlineSvg(svg: string): string {
  const start = svg.indexOf('<svg');
  if (start < 0) throw new Error('Graphviz output has no <svg> element');
  const body = svg.slice(start).replace(/<!--[\s\S]*?-->/g, '');
  // Text content has `<` escaped, so every `<` opens a tag.
  for (const tag of body.matchAll(/<\/?([A-Za-z][\w:-]*)([^>]*)>/g)) {
    const name = tag[1] as string;
    if (!SVG_TAGS.has(name)) throw new Error(`unexpected SVG element <${name}>`);
    for (const attr of (tag[2] as string).matchAll(/([^\s=/]+)\s*=\s*("[^"]*"|'[^']*')/g)) {
      if (!SVG_ATTRIBUTE.test(attr[1] as string)) throw new Error(`unexpected SVG attribute ${attr[1] as string}`);
    }
  }
  if (/<[^A-Za-z/]/.test(body)) throw new Error('unexpected markup in SVG');
  return body.trim();
}

function plural(n: number, word: string, many = `${word}s`): string {
  return `${n} ${n === 1 ? word : many}`;
}
