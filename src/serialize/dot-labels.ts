/**
 * The text of a box in the DOT and SVG views: what the terminal tree says of a node, on
 * separate lines — title (with `×N` for identical chains), place, wait, and for a leaf its full
 * description (`← resolve held in Pool.waiters`, the HTTP request…); and how any text is
 * escaped for DOT.
 *
 * @packageDocumentation
 */

import { terminalSafe } from '../internal/terminal-text.js';
import type { Dump, GraphNode } from '../model.js';
import { formatDurationRange } from '../text/durations.js';
import { nodePlace, nodeTitle, resourcePlace } from '../text/node-labels.js';
import { formatLocation } from '../text/paths.js';

/** Leaf descriptions longer than this are wrapped at spaces. */
export const LABEL_WIDTH = 64;

/**
 * The lines of a box standing for `members` (nodes of one shape; the first stands for all),
 * not yet escaped.
 *
 * @param dump - a validated dump
 * @param members - indexes into `dump.nodes`
 * @param cwd - paths are shown relative to it
 * @param inCycle - whether the box is part of a cycle
 */
export function boxLines(dump: Dump, members: readonly number[], cwd: string, inCycle: boolean): string[] {
  const node = dump.nodes[members[0] as number] as GraphNode;
  const nodes = members.map((i) => dump.nodes[i] as GraphNode);
  let title = `${members.length > 1 ? `×${members.length} ` : ''}${nodeTitle(node)}`;
  if (node.kind === 'combinator') title += ` (${node.awaits.length} pending input${node.awaits.length === 1 ? '' : 's'})`;
  const lines = [title];
  const place = nodePlace(node);
  if (place) lines.push(`${place.role} ${formatLocation(place.location, cwd)}`);
  if (place?.innermost) lines.push(`via ${formatLocation(place.innermost, cwd)}`);
  const made = node.leaf ? resourcePlace(node.leaf) : undefined;
  if (made) lines.push(`resource made at ${formatLocation(made.location, cwd)}`);
  const waiting = nodes.map((m) => m.waitingMs).filter((v): v is number => v !== undefined);
  const ages = nodes.map((m) => m.ageMs).filter((v): v is number => v !== undefined);
  if (waiting.length > 0) lines.push(`waiting ${formatDurationRange(waiting)}`);
  else if (ages.length > 0) lines.push(`pending for ${formatDurationRange(ages)}`);
  if (node.state === 'running') lines.push('running (took the dump)');
  if (node.leaf) {
    // A description can be long (an HTTP request with both ends of its socket): wrapped. Names
    // and places are not, so that a path with spaces stays on one line, as in the tree.
    lines.push(...wrap(`← ${node.leaf.description}`, LABEL_WIDTH));
    const at = node.leaf.location;
    if (at && !at.url.startsWith('node:')) lines.push(`(${formatLocation(at, cwd)})`);
  } else if (node.awaits.length === 0) {
    lines.push('(leaf: nothing in the graph settles it)');
  }
  if (inCycle) lines.push('⟲ in cycle');
  return lines;
}

/**
 * Splits a line longer than `width` at spaces; a word longer than `width` (a path, a URL)
 * stays whole on its own line.
 *
 * @param line - one line of text
 * @param width - the longest line wanted, in characters
 */
export function wrap(line: string, width: number): string[] {
  if (line.length <= width) return [line];
  const out: string[] = [];
  let current = '';
  for (const word of line.split(' ')) {
    if (current !== '' && current.length + 1 + word.length > width) {
      out.push(current);
      current = word;
    } else {
      current = current === '' ? word : `${current} ${word}`;
    }
  }
  out.push(current);
  return out;
}

/**
 * Escapes text for a double-quoted DOT string. Each line is made terminal-safe first (a
 * control from the program becomes a visible `\x1b`: DOT is printed to terminals and Graphviz
 * chokes on some controls); then backslashes are doubled (DOT gives `\n`, `\l`, `\N`…
 * meaning inside labels, so a literal backslash — from a Windows path or from a visible escape —
 * must be doubled), then quotes are escaped (the only escape of DOT's quoted strings); real
 * line breaks become DOT's centred line break `\n`.
 *
 * @param text - arbitrary text
 * @returns the text, safe between double quotes
 */
export function escapeDot(text: string): string {
  return text
    .split(/\r\n|\r|\n/)
    .map((line) => terminalSafe(line).replace(/\\/g, '\\\\').replace(/"/g, '\\"'))
    .join('\\n');
}
