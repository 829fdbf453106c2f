/**
 * The wording of `awaitwhat diff`: the verdict first ("stuck: 38 of 40 tasks still waiting at
 * the same await…"), then each await line with how its waiting tasks changed between the two
 * dumps (`12 → 40 waiting (+28); 12 still there, 28 new; longest 3.1s → 9.4s`), and the JSON
 * form of the same facts. Fits the width like the tree (tree-width.ts).
 *
 * @packageDocumentation
 */

import type { DumpDiff, PlaceDiff } from '../graph/dump-diff.js';
import { terminalSafe } from '../internal/terminal-text.js';
import type { Dump } from '../model.js';
import { formatDuration } from '../text/durations.js';
import { formatLocation } from '../text/paths.js';
import { makeStyle, terminalOutput, type Style } from './tree-style.js';
import { fitParts, wrapLines } from './tree-width.js';

/** Options of {@link renderDiffText}. */
export interface DiffTextOptions {
  /** ANSI colour; off by default. */
  color?: boolean;
  /** Columns to fit in; no limit by default. */
  width?: number;
}

/**
 * The diff as text for a terminal.
 *
 * @param diff - what {@link diffDumps} found
 * @param before - the earlier dump (for its time and paths' base)
 * @param after - the later dump
 * @param options - colour and width
 * @returns the text, ending with a newline
 */
export function renderDiffText(diff: DumpDiff, before: Dump, after: Dump, options: DiffTextOptions = {}): string {
  const style = makeStyle(options.color ?? false);
  const cwd = after.process.cwd;
  const lines: string[] = [];
  lines.push(style.bold(`awaitwhat diff of pid ${diff.pid}`) + `: two dumps ${formatDuration(diff.elapsedMs)} apart`);
  lines.push(`  first   ${terminalSafe(before.createdAt)}, process up ${formatDuration(before.process.uptimeMs)}`);
  lines.push(`  second  ${terminalSafe(after.createdAt)}, process up ${formatDuration(after.process.uptimeMs)}`);
  const t = diff.totals;
  lines.push(`  tasks   ${t.before} → ${t.after} waiting (${signed(t.after - t.before)}): ${t.still} still waiting where they were, ${t.finished} finished, ${t.new} new`);
  if (diff.matchedBy === 'place') {
    lines.push(`  ${style.yellow('note')}    these dumps carry no waiting times: tasks are counted by await line, not followed one by one`);
  }
  lines.push('', verdictColor(diff, style)(terminalSafe(diff.verdict.summary)));
  if (diff.places.length > 0) lines.push('', style.bold('By await line') + style.dim(' (first dump → second)'));
  for (const place of diff.places) {
    lines.push('');
    const where = place.location ? terminalSafe(formatLocation(place.location, cwd)) : '(no place known)';
    lines.push(...fitParts('  ', [{ before: '', location: where, paint: style.cyan }, style.bold(terminalSafe(place.title))], '      ', options.width));
    lines.push(`    ${placeLine(place, style)}`);
  }
  return terminalOutput(`${wrapLines(lines, options.width).join('\n')}\n`);
}

/** `12 → 40 waiting (+28); 12 still there, 28 new; longest 3.1s → 9.4s`. */
function placeLine(p: PlaceDiff, style: Style): string {
  const parts = [`${p.before} → ${p.after} waiting (${signed(p.after - p.before)})`];
  const what = [p.still > 0 ? style.yellow(`${p.still} still there`) : '', p.finished > 0 ? `${p.finished} finished` : '', p.new > 0 ? `${p.new} new` : ''];
  const said = what.filter(Boolean).join(', ');
  if (said !== '') parts.push(said);
  if (p.longestBeforeMs !== undefined || p.longestAfterMs !== undefined) {
    const show = (ms: number | undefined): string => (ms === undefined ? '–' : formatDuration(ms));
    parts.push(`longest ${show(p.longestBeforeMs)} → ${show(p.longestAfterMs)}`);
  }
  return parts.join('; ');
}

function signed(n: number): string {
  return n > 0 ? `+${n}` : n < 0 ? `−${-n}` : '±0';
}

function verdictColor(diff: DumpDiff, style: Style): (s: string) => string {
  const kind = diff.verdict.kind;
  return kind === 'stuck' ? (s) => style.red(style.bold(s)) : kind === 'partly-stuck' ? (s) => style.yellow(style.bold(s)) : style.bold;
}

/**
 * The diff as JSON (2-space, ending with a newline): the same facts as the text, locations as
 * in dumps, for scripts.
 *
 * @param diff - what {@link diffDumps} found
 * @param before - the earlier dump
 * @param after - the later dump
 */
export function renderDiffJson(diff: DumpDiff, before: Dump, after: Dump): string {
  const taken = (d: Dump) => ({ createdAt: d.createdAt, uptimeMs: d.process.uptimeMs });
  return `${JSON.stringify({ tool: 'awaitwhat diff', before: taken(before), after: taken(after), ...diff }, null, 2)}\n`;
}
