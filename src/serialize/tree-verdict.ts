/**
 * The top of the terminal tree, split from `tree.ts`: the header (which process, when, how
 * big the graph is), the refusal of a dump that took no heap snapshot, and the verdict (cycles,
 * the dump's findings, then the leaves everything ends in). Each returns its lines.
 *
 * @packageDocumentation
 */

import { terminalSafe } from '../internal/terminal-text.js';
import { isTask, type Dump } from '../model.js';
import { formatDuration } from '../text/durations.js';
import { nodeTitle } from '../text/node-labels.js';
import { awaitedByText, stuckOn } from './stuck-on.js';
import type { Style } from './tree-style.js';
import { threadsHeaderLine } from './tree-threads.js';

const safe = terminalSafe;

/** Findings drawn red: nothing will settle what they name. */
const SEVERE: ReadonlySet<string> = new Set(['never-settles', 'stall', 'blocked-loop', 'lock-leaked', 'orphaned']);

/**
 * The header: pid, Node version, argv, cwd, when and how the dump was taken, the graph's size.
 *
 * @param dump - the dump
 * @param style - the tree's colours
 */
export function headerLines(dump: Dump, style: Style): string[] {
  const p = dump.process;
  const tasks = dump.nodes.filter(isTask).length;
  const promises = dump.nodes.length - tasks;
  const cycles = dump.cycles.length;
  const lines = [
    style.bold(`awaitwhat dump of pid ${p.pid}`) + ` (node ${safe(p.nodeVersion)}, ${safe(p.platform)})`,
    `  argv    ${p.argv.map((arg) => safe(shellWord(arg))).join(' ')}`,
    `  cwd     ${safe(p.cwd)}`,
    `  taken   ${safe(dump.createdAt)} by ${safe(dump.trigger)}, process up ${formatDuration(p.uptimeMs)}, ` +
      `snapshot paused it ${formatDuration(dump.durationMs)}`,
    `  graph   ${plural(tasks, 'task')}, ${plural(promises, 'pending promise')}, ${plural(dump.roots.length, 'root')}`,
    `  cycles  ${cycles === 0 ? 'none' : style.red(`${cycles} (deadlock)`)}`,
  ];
  if (dump.source === 'attached') {
    lines.push(`  source  ${style.yellow('attached through the inspector: graph and await lines from V8')}`);
  }
  if (!dump.hooks.installed) lines.push(`  hooks   ${style.yellow('not installed: no waiting times')}`);
  if (dump.threads) lines.push(threadsHeaderLine(dump.threads, style));
  return lines;
}

/**
 * Why a dump took no heap snapshot, before anything else; nothing for a dump that took one.
 *
 * @param dump - the dump
 * @param style - the tree's colours
 */
export function refusalLines(dump: Dump, style: Style): string[] {
  if (!dump.refused) return [];
  return [style.red(style.bold('No heap snapshot: the dump was refused to protect the process')), `  ${safe(dump.refused.reason)}`, ''];
}

/**
 * The verdict: each cycle as a path, the dump's other findings, and what each chain is stuck
 * on (identical leaves counted, stuck-on.ts).
 *
 * @param dump - the dump (a worker thread's graph, for its own section)
 * @param style - the tree's colours
 * @param ref - how a node is named inline: `title (place)`, styled
 */
export function verdictLines(dump: Dump, style: Style, ref: (id: string) => string): string[] {
  if (dump.refused) return [];
  const lines = ['', style.bold('Verdict')];
  if (dump.nodes.length === 0) return [...lines, ...nothingWaiting(dump, style)];
  const byId = new Map(dump.nodes.map((n) => [n.id, n]));
  for (const cycle of dump.cycles) {
    // A lock-order deadlock reads better as its verdict says it: who holds which lock.
    const lockOrder = dump.verdicts?.find((v) => v.kind === 'cycle' && v.nodes.join() === cycle.nodes.join() && v.summary.startsWith('deadlock (lock order)'));
    if (lockOrder) {
      lines.push(`  ${style.red('cycle:')} ${safe(lockOrder.summary)}`);
      continue;
    }
    const first = byId.get(cycle.nodes[0] ?? '');
    const back = first ? safe(nodeTitle(first)) : safe(cycle.nodes[0] ?? '?');
    lines.push(`  ${style.red('cycle:')} ${[...cycle.nodes.map(ref), back].join(' → ')}`);
  }
  // Findings other than cycles (already listed above, with colours).
  for (const verdict of dump.verdicts ?? []) {
    if (verdict.kind === 'cycle') continue;
    const tag = `${safe(verdict.kind)}:`;
    lines.push(`  ${SEVERE.has(verdict.kind) ? style.red(tag) : style.yellow(tag)} ${safe(verdict.summary)}`);
  }
  // Leaves are where every non-cyclic chain ends: the promises someone must settle.
  const ends = stuckOn(dump, ref);
  for (const { leaf, count, waiters } of ends) {
    const what = leaf.leaf ? ` (${safe(leaf.leaf.description)})` : '';
    lines.push(`  ${style.yellow('stuck on:')} ${count > 1 ? `${count}× ` : ''}${ref(leaf.id)}${what}, ${awaitedByText(waiters)}`);
  }
  if (dump.cycles.length === 0 && ends.length === 0) {
    lines.push('  no cycle and no leaf found (the dump may be incomplete; see warnings)');
  }
  return lines;
}

/** The verdict of a dump without nodes: its findings, and whether open requests or lost waits remain. */
function nothingWaiting(dump: Dump, style: Style): string[] {
  const lines = (dump.verdicts ?? []).map((verdict) => `  ${style.red(`${safe(verdict.kind)}:`)} ${safe(verdict.summary)}`);
  const open = dump.orphans?.length ?? 0;
  // An open request is work someone waits for, even when no task does.
  if (open > 0) {
    lines.push(`  no task is waiting, but ${plural(open, 'HTTP request')} ${open === 1 ? 'is' : 'are'} open: see Orphaned requests`);
    if (dump.lostAwaits) lines.push('  and the abandoned waits were collected (see Lost awaits)');
  } else {
    lines.push(
      dump.lostAwaits
        ? '  nothing left in the heap is waiting: the abandoned waits were collected (see Lost awaits)'
        : '  nothing is waiting: no pending task or promise takes part in a wait',
    );
  }
  return lines;
}

/** Quotes an argv element only when a shell would need it, so plain commands read plainly. */
function shellWord(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : JSON.stringify(arg);
}

/** `1 task`, `2 tasks`. */
export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
