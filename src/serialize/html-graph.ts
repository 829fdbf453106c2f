/**
 * The graph of the HTML report: laid out by Graphviz (WebAssembly) when the report is built,
 * inlined as SVG. A small dump is drawn node for node (the boxes of `--format svg`, one per node); a large one
 * as its *grouped* graph, where structurally identical chains are one node with a count
 * (10 000 handlers stuck on one pool: two nodes, not 10 001); a graph still too large to lay
 * out is not drawn, and the page says why. Each worker thread's graph is drawn in a frame of its
 * own, as `--format svg` draws it.
 *
 * @packageDocumentation
 */

import type { Dump } from '../model.js';
import { chainSignatures } from './chain-signatures.js';
import { boxesDot, type DotBox } from './dot.js';
import type { ThreadPart } from './html-threads.js';
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
 * @param dump - a validated dump, its ids replaced by table indexes (`withSafeIds`, html-threads.ts)
 * @param parts - its threads' parts of the table (`threadParts`, html-threads.ts)
 * @param classes - the shape class of each node of the table (`threadClasses`)
 * @returns the graph; mode `none`, with the reason in its note, when Graphviz cannot be
 *   loaded or fails (the rest of the report does not need it)
 */
export async function pageGraph(dump: Dump, parts: readonly ThreadPart[], classes: number[]): Promise<PageGraph> {
  try {
    return await layOut(dump, parts, classes);
  } catch (cause) {
    // The report is worth having without its picture: it says why the picture is missing.
    const why = cause instanceof Error ? cause.message : String(cause);
    return { mode: 'none', note: `Not drawn: ${why.split('\n', 1)[0] ?? why}.`, boxes: 0 };
  }
}

async function layOut(dump: Dump, parts: readonly ThreadPart[], classes: number[]): Promise<PageGraph> {
  const n = classes.length;
  if (n === 0) return { mode: 'none', note: 'Nothing to draw: no pending task or promise takes part in a wait.', boxes: 0 };
  const framed = parts.length > 1 ? '; each worker thread in a frame of its own' : '';
  // Boxes are the nodes the page's list and details know; orphans are in the verdicts.
  const options = { legend: false, orphans: false } as const;
  if (n <= FULL_GRAPH_MAX_NODES) {
    // One box per node, named by its id: `x<index>` (withSafeIds).
    const boxes = parts.map((part) => part.graph.nodes.map((node, i) => ({ name: node.id, members: [i] })));
    const svg = inlineSvg(await renderSvg(boxesDot(dump, boxes[0] as DotBox[], { ...options, grouping: 'none' }, threadBoxes(parts, boxes))));
    return { mode: 'full', svg, note: `Every node drawn (${plural(n, 'node')}${framed}). Click one for its details.`, boxes: n };
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
  // One box per shape class, `×N` when it stands for several nodes, named by shape number (the
  // page finds a box's members by their shape); a class's nodes are all of one thread.
  const boxes = parts.map((): DotBox[] => []);
  for (const members of groups) {
    const first = members[0] as number;
    const t = partOf(parts, first);
    const offset = (parts[t] as ThreadPart).offset;
    (boxes[t] as DotBox[]).push({ name: `g${classes[first] as number}`, members: members.map((i) => i - offset) });
  }
  const svg = inlineSvg(await renderSvg(boxesDot(dump, boxes[0] as DotBox[], options, threadBoxes(parts, boxes))));
  return {
    mode: 'grouped',
    svg,
    note:
      `Grouped graph: ${plural(n, 'node')} are too many to draw one by one (more than ${FULL_GRAPH_MAX_NODES}), so ` +
      `identical chains are merged into one box with a count (×N): ${plural(groups.length, 'box', 'boxes')} drawn${framed}.`,
    boxes: groups.length,
  };
}

/** The workers' boxes by thread id, as boxesDot takes them. */
function threadBoxes(parts: readonly ThreadPart[], boxes: DotBox[][]): Map<number, DotBox[]> {
  return new Map(parts.slice(1).map((part, k) => [part.threadId, boxes[k + 1] as DotBox[]]));
}

/** The part node `i` of the table is in. */
function partOf(parts: readonly ThreadPart[], i: number): number {
  let t = 0;
  while (t + 1 < parts.length && (parts[t + 1] as ThreadPart).offset <= i) t++;
  return t;
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
