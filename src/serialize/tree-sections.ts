/**
 * Parts of the terminal tree split from `tree.ts`: the sections that stand apart from the wait
 * chains (lost awaits, the blocked main thread's stack, the metrics summary; each returns its
 * lines, empty when the dump has no such section) and a leaf's part of its node's line.
 *
 * @packageDocumentation
 */
import { terminalSafe } from '../internal/terminal-text.js';
import type { Dump, LeafInfo, SourceLocation } from '../model.js';
import { formatDuration } from '../text/durations.js';
import { resourcePlace } from '../text/node-labels.js';
import { formatLocation as rawLocation } from '../text/paths.js';
import type { Style } from './tree-style.js';
import type { LinePart } from './tree-width.js';

const formatLocation = (loc: SourceLocation, cwd: string): string => terminalSafe(rawLocation(loc, cwd));
const safe = terminalSafe;

/**
 * Waits found collected while pending (`dump.lostAwaits`): not in the graph, so listed on
 * their own, longest wait first, with their await line when creation stacks were on.
 *
 * @param dump - the dump
 * @param style - the tree's colours
 * @param cwd - the directory paths are shown relative to
 */
export function lostAwaitLines(dump: Dump, style: Style, cwd: string): string[] {
  const lines: string[] = [];
  const lost = dump.lostAwaits;
  if (!lost || lost.count === 0) return lines;
  lines.push('', style.bold(`Lost awaits (${lost.count}: collected while pending, so not in the graph below)`));
  for (const entry of lost.longest) {
    const times = entry.count > 1 ? `${entry.count}× ` : '';
    const what = entry.kind === 'then' ? '.then' : entry.kind === 'await' ? 'await' : 'wait';
    const at = entry.awaitLocation ? ` at ${style.cyan(formatLocation(entry.awaitLocation, cwd))}` : '';
    const when = entry.lostAgoMs > 0 ? `, collected ${formatDuration(entry.lostAgoMs)} before the dump` : ', found collected at the dump';
    lines.push(`  ${style.red('lost:')} ${times}${what}${at}  waited ${formatDuration(entry.waitedMs)}${when}`);
  }
  const shown = lost.longest.reduce((sum, e) => sum + e.count, 0);
  if (shown < lost.count) lines.push(`  … and ${lost.count - shown} more (shorter waits)`);
  return lines;
}

/**
 * The main thread's stack when it was busy running JavaScript (`dump.blockedLoop`).
 *
 * @param dump - the dump
 * @param style - the tree's colours
 * @param cwd - the directory paths are shown relative to
 */
export function blockedLoopLines(dump: Dump, style: Style, cwd: string): string[] {
  const lines: string[] = [];
  const blocked = dump.blockedLoop;
  if (!blocked) return lines;
  const how = blocked.blockedMs > 0 ? ` for at least ${formatDuration(blocked.blockedMs)}` : '';
  lines.push('', style.bold('Main thread busy') + style.dim(` (running JavaScript${how}; the event loop cannot turn)`));
  for (const frame of blocked.stack.slice(0, 20)) {
    lines.push(`  at ${safe(frame.functionName) || '<anonymous>'} (${style.cyan(formatLocation(frame, cwd))})`);
  }
  if (blocked.stack.length > 20) lines.push(style.dim(`  … ${blocked.stack.length - 20} more frames`));
  return lines;
}

/**
 * A short summary of the optional metrics section (docs/metrics.md).
 *
 * @param dump - the dump
 * @param style - the tree's colours
 * @param cwd - the directory paths are shown relative to
 */
export function metricsLines(dump: Dump, style: Style, cwd: string): string[] {
  const lines: string[] = [];
  const m = dump.metrics;
  if (!m) return lines;
  // Steps are often microseconds: formatDuration alone would print them all as 0ms.
  const ns = (v: number): string =>
    v < 1e3 ? `${Math.round(v)}ns` : v < 1e6 ? `${(v / 1e3).toFixed(1)}µs` : v < 1e7 ? `${(v / 1e6).toFixed(2)}ms` : formatDuration(v / 1e6);
  const h = m.stepDurationNs;
  lines.push('', style.bold('Metrics') + style.dim(` (over ${formatDuration(m.sinceMs)})`));
  lines.push(
    `  tasks   ${m.tasksCreated} created, ${m.tasksSettled} settled, ${m.tasksLive} live; ${m.resumptions} steps`,
  );
  lines.push(
    `  steps   p50 ${ns(h.p50)}  p95 ${ns(h.p95)}  p99 ${ns(h.p99)}  max ${ns(h.max)}; busy ${ns(m.busyNs)}, waiting ${ns(m.waitingNs)}`,
  );
  lines.push(
    `  loop    delay p99 ${ns(m.eventLoopDelayNs.p99)}, max ${ns(m.eventLoopDelayNs.max)}; utilisation ${(m.eventLoopUtilization * 100).toFixed(1)}%`,
  );
  if (m.slowStepsTotal > 0) {
    lines.push(`  ${style.yellow('slow steps')} ${m.slowStepsTotal} over ${formatDuration(m.slowStepThresholdMs)}, last ones:`);
    for (const step of m.slowSteps.slice(-5)) {
      const where = step.awaitLocation ? ` at ${style.cyan(formatLocation(step.awaitLocation, cwd))}` : '';
      const name = step.taskName ? ` ${safe(step.taskName)}` : '';
      lines.push(`    task #${step.taskId}${name} blocked ${ns(step.durationNs)}${where}`);
    }
  }
  return lines;
}

/**
 * What a leaf waits on, for its node's line: the wait, where its holder is defined and, with
 * creation stacks, where its resource was made — as parts the width fitting can shorten.
 *
 * @param leaf - the leaf
 * @param style - the tree's colours
 * @param cwd - the directory paths are shown relative to
 */
export function leafParts(leaf: LeafInfo, style: Style, cwd: string): LinePart[] {
  const text = `← ${safe(leaf.description)}`;
  const wait = leaf.kind === 'never' ? style.red(text) : style.dim(text);
  const made = resourcePlace(leaf);
  const via = made?.innermost ? style.dim(` (via ${formatLocation(made.innermost, cwd)})`) : '';
  if (leaf.location && !leaf.location.url.startsWith('node:')) {
    const madeText = made ? `${style.dim('; made at')} ${style.cyan(formatLocation(made.location, cwd))}${via}` : '';
    return [{ before: `${wait} ${style.dim('(')}`, location: formatLocation(leaf.location, cwd), paint: style.dim, after: style.dim(')') + madeText }];
  }
  if (!made) return [wait];
  return [{ before: `${wait}${style.dim('; made at')} `, location: formatLocation(made.location, cwd), paint: style.cyan, after: via }];
}
