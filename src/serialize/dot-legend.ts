/**
 * The box at the top of the DOT and SVG views: what the dump is, then the verdict lines the
 * terminal tree prints (cycles, the dump's findings as `verdict-wording.ts` words them, what
 * each chain is stuck on), each worker thread's under its heading, then a key to the
 * picture's colours.
 *
 * @packageDocumentation
 */

import { findVerdicts } from '../graph/verdicts.js';
import { nodeLabel } from '../graph/verdict-wording.js';
import type { Dump, GraphNode, Verdict } from '../model.js';
import { nodeTitle } from '../text/node-labels.js';
import { awaitedByText, stuckOn } from './stuck-on.js';
import { threadDump, threadHeading, threadMissing } from './thread-graphs.js';

/** Most finding lines in the box; the rest are counted (the tree lists them all). */
export const LEGEND_MAX_FINDINGS = 12;

/**
 * The dump's verdicts: those it carries, or, for a dump written before verdicts existed, those
 * found now from its graph (no process facts: a stall for want of event sources is not told).
 *
 * @param dump - a validated dump
 */
export function dumpVerdicts(dump: Dump): Verdict[] {
  return (
    dump.verdicts ??
    findVerdicts(dump.nodes, dump.cycles, dump.blockedLoop, {
      cwd: dump.process.cwd,
      ...(dump.orphans ? { orphans: dump.orphans } : {}),
      ...(dump.lostAwaits ? { lostAwaits: dump.lostAwaits } : {}),
    })
  );
}

/** What the picture marks, for its key. */
export interface LegendMarks {
  cycles: boolean;
  neverSettles: boolean;
  /** Some box is marked as a long wait (a `long-wait` verdict names it). */
  longWaits: boolean;
  grouped: boolean;
  /** Orphaned requests are drawn as notes. */
  orphans?: boolean;
  /** Worker threads are drawn in frames of their own. */
  threads?: boolean;
}

/**
 * The lines of the box, not yet escaped: a title, the verdict lines (at most
 * {@link LEGEND_MAX_FINDINGS}), and a key to what the picture marks.
 *
 * @param dump - a validated dump
 * @param cwd - paths are shown relative to it
 * @param marks - what the picture marks
 */
export function legendLines(dump: Dump, cwd: string, marks: LegendMarks): string[] {
  const cycles = dump.cycles.length;
  const workers = dump.threads?.length ?? 0;
  const title =
    `awaitwhat: pid ${dump.process.pid}, ${dump.createdAt}, ` +
    `${dump.nodes.length} node${dump.nodes.length === 1 ? '' : 's'}, ${cycles} cycle${cycles === 1 ? '' : 's'}` +
    (workers > 0 ? `, ${workers} worker thread${workers === 1 ? '' : 's'}` : '');
  const findings = [...verdictLines(dump, cwd, marks), ...threadLines(dump, cwd)];
  const shown = findings.slice(0, LEGEND_MAX_FINDINGS);
  if (findings.length > shown.length) {
    shown.push(`… ${findings.length - shown.length} more (awaitwhat view lists them all)`);
  }
  const key: string[] = [];
  if (marks.cycles) key.push('red: a cycle (deadlock)');
  if (marks.neverSettles) key.push('amber: can never settle');
  if (marks.longWaits) key.push('thick border: a long wait (long-wait above)');
  if (marks.grouped) key.push('×N: N identical chains drawn once');
  if (marks.orphans) key.push('red dashed note: an open HTTP request no task waits for (orphaned above)');
  if (marks.threads) key.push("blue frame: a worker thread's graph; bold blue arrow: a wait for that thread");
  return [title, ...shown, ...(key.length > 0 ? [`key: ${key.join('; ')}`] : [])];
}

/** The verdict lines of the terminal tree, without its colours. */
function verdictLines(dump: Dump, cwd: string, marks: LegendMarks): string[] {
  if (dump.refused) return [`no heap snapshot: the dump was refused to protect the process: ${dump.refused.reason}`];
  const verdicts = dumpVerdicts(dump);
  if (dump.nodes.length === 0) {
    return [...verdicts.map((v) => `${v.kind}: ${v.summary}`), ...nothingWaiting(dump, marks.orphans === true)];
  }
  const byId = new Map(dump.nodes.map((n) => [n.id, n]));
  const ref = (id: string): string => {
    const node = byId.get(id);
    return node ? nodeLabel(node, cwd) : id;
  };
  const lines: string[] = [];
  for (const cycle of dump.cycles) {
    const first: GraphNode | undefined = byId.get(cycle.nodes[0] ?? '');
    const back = first ? nodeTitle(first) : (cycle.nodes[0] ?? '?');
    lines.push(`cycle: ${[...cycle.nodes.map(ref), back].join(' → ')}`);
  }
  for (const verdict of verdicts) if (verdict.kind !== 'cycle') lines.push(`${verdict.kind}: ${verdict.summary}`);
  const ends = stuckOn(dump, ref);
  for (const { leaf, count, waiters } of ends) {
    const what = leaf.leaf ? ` (${leaf.leaf.description})` : '';
    lines.push(`stuck on: ${count > 1 ? `${count}× ` : ''}${ref(leaf.id)}${what}, ${awaitedByText(waiters)}`);
  }
  if (dump.cycles.length === 0 && ends.length === 0) lines.push('no cycle and no leaf found (the dump may be incomplete; see warnings)');
  return lines;
}

/** Each worker's verdict lines, after its heading, as the tree's section for it says them. */
function threadLines(dump: Dump, cwd: string): string[] {
  const noMarks: LegendMarks = { cycles: false, neverSettles: false, longWaits: false, grouped: false };
  return (dump.threads ?? []).flatMap((thread) => {
    const heading = threadHeading(thread, cwd);
    const missing = threadMissing(thread);
    if (missing !== undefined) return [`${heading}: ${missing}`];
    return verdictLines(threadDump(dump, thread), cwd, noMarks).map((line) => `${heading}: ${line}`);
  });
}

/** What the tree says when no task waits: open requests and collected waits are still work. */
function nothingWaiting(dump: Dump, notes: boolean): string[] {
  const open = dump.orphans?.length ?? 0;
  if (open > 0) {
    const lines = [`no task is waiting, but ${open} HTTP request${open === 1 ? ' is' : 's are'} open${notes ? ' (the red notes)' : ''}`];
    if (dump.lostAwaits) lines.push('and the abandoned waits were collected (awaitwhat view lists the lost awaits)');
    return lines;
  }
  if (dump.lostAwaits) return ['nothing left in the heap is waiting: the abandoned waits were collected (awaitwhat view lists the lost awaits)'];
  return ['nothing is waiting: no pending task or promise takes part in a wait'];
}
