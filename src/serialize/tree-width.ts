/**
 * Fitting the tree to a width (80 columns, or the terminal's): a node's line is made of parts
 * (title, place, wait, leaf…); its locations are shortened first (directories elided, never the
 * `file:line:col`, see `shortenLocation`), then what still does not fit goes on continuation
 * lines under the node. Any other line too wide (a verdict, a warning) is wrapped at spaces with
 * a hanging indent. Widths are counted in characters, our colour codes excluded.
 *
 * @packageDocumentation
 */

import { shortenLocation } from '../text/paths.js';

/** One part of a node's line: plain text, or a location that may be shortened. */
export type LinePart = string | LocationPart;

/** A location in a line: `before` + the location painted (`at ` + cyan `src/db.js:12:5`). */
export interface LocationPart {
  before: string;
  location: string;
  paint: (s: string) => string;
  after?: string;
}

/** The gap between the parts of a line. */
const GAP = '  ';

// eslint-disable-next-line no-control-regex
const SGR = /\u001b\[[0-9;]*m/g;

/**
 * How many columns `text` takes: characters, our colour codes excluded. (Wide East Asian
 * characters count as one: the dump's names are rarely such, and the error is only a column.)
 *
 * @param text - a line, possibly coloured
 */
export function visibleWidth(text: string): number {
  let n = 0;
  for (const _ of text.replace(SGR, '')) n++;
  return n;
}

function render(part: LinePart): string {
  return typeof part === 'string' ? part : `${part.before}${part.paint(part.location)}${part.after ?? ''}`;
}

/**
 * Lays out one node's line within `width`: as it is when it fits; else with its locations
 * shortened; else its parts spread over continuation lines starting with `cont` (a part
 * still too wide is wrapped at spaces).
 *
 * @param lead - what precedes the parts (the tree's branches)
 * @param parts - the line's parts, joined by two spaces
 * @param cont - the start of each continuation line (the tree's indent for what follows)
 * @param width - the columns to fit in; `undefined`: no limit
 * @returns the lines
 */
export function fitParts(lead: string, parts: LinePart[], cont: string, width: number | undefined): string[] {
  const line = (): string => lead + parts.map(render).join(GAP);
  if (width === undefined || visibleWidth(line()) <= width) return [line()];
  // Shorten the longest locations first, each by no more than the line is too wide.
  const order = parts
    .map((part, i) => ({ part, i }))
    .filter((e): e is { part: LocationPart; i: number } => typeof e.part !== 'string')
    .sort((a, b) => b.part.location.length - a.part.location.length);
  for (const { part, i } of order) {
    const excess = visibleWidth(line()) - width;
    if (excess <= 0) break;
    parts[i] = { ...part, location: shortenLocation(part.location, Math.max(1, visibleWidth(part.location) - excess)) };
  }
  if (visibleWidth(line()) <= width) return [line()];
  const lines = pack(parts.map(render), { first: lead, next: cont, separator: GAP, width });
  return lines.flatMap((l) => wrapLine(l, width, visibleWidth(cont)));
}

/**
 * Wraps a line wider than `width` at spaces; continuation lines are indented by the line's own
 * indent plus `hang` columns (at least). A word wider than the width stays whole: a path or a
 * URL is not cut.
 *
 * @param text - one line
 * @param width - the columns to fit in; `undefined`: no limit
 * @param hang - the least indent of continuation lines
 */
export function wrapLine(text: string, width: number | undefined, hang = 4): string[] {
  if (width === undefined || visibleWidth(text) <= width) return [text];
  const indent = /^ */.exec(text)?.[0].length ?? 0;
  // A header line (`  taken   2025-…`) continues under its value, anything else 4 columns in.
  const column = /^ +[a-z]+ {2,}/.exec(text)?.[0].length ?? indent + 4;
  const pad = ' '.repeat(Math.max(hang, column));
  const words = text.slice(indent).split(' ').map((word) => shortenWord(word, width - pad.length));
  return pack(words, { first: ' '.repeat(indent), next: pad, separator: ' ', width });
}

/**
 * Fills lines greedily with `items`, `separator` between two on a line: the first line starts
 * with `first`, each further one with `next`. A line takes at least one item, however wide.
 */
function pack(items: readonly string[], layout: { first: string; next: string; separator: string; width: number }): string[] {
  const lines: string[] = [];
  let current = layout.first;
  let empty = true;
  for (const item of items) {
    const candidate = empty ? current + item : current + layout.separator + item;
    if (empty || visibleWidth(candidate) <= layout.width) {
      current = candidate;
      empty = false;
      continue;
    }
    lines.push(current);
    current = layout.next + item;
  }
  lines.push(current);
  return lines;
}

/** A location in a word of prose, e.g. `(src/db.js:12:5),` with our colour around the path. */
// eslint-disable-next-line no-control-regex
const LOCATION_WORD = /^(\(?(?:\u001b\[[0-9;]*m)?)([^\u001b]+?:\d+:\d+)((?:\u001b\[[0-9;]*m)?\)?[,.;]?)$/;

/** A word wider than `room` that is a location or a path, with directories elided to fit (never its `:line:col`). */
function shortenWord(word: string, room: number): string {
  if (visibleWidth(word) <= room) return word;
  const m = LOCATION_WORD.exec(word);
  // A bare path (argv, cwd: longer in a deep checkout) loses directories the same way.
  // eslint-disable-next-line no-control-regex
  if (!m) return word.includes('/') && !/\u001b/.test(word) ? shortenLocation(word, room) : word;
  const [, open = '', location = '', close = ''] = m;
  return open + shortenLocation(location, room - visibleWidth(open + close)) + close;
}

/**
 * Wraps every line of a text that is wider than `width` (see {@link wrapLine}).
 *
 * @param lines - the lines
 * @param width - the columns to fit in; `undefined`: no limit
 */
export function wrapLines(lines: string[], width: number | undefined): string[] {
  if (width === undefined) return lines;
  return lines.flatMap((line) => wrapLine(line, width));
}
