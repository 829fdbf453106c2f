/**
 * One dump, five output formats: the switch shared by `awaitwhat view` and `awaitwhat demo`.
 *
 * @packageDocumentation
 */

import { UsageError } from '../src/errors.js';
import { terminalSafeLines } from '../src/internal/terminal-text.js';
import type { Dump } from '../src/model.js';
import { toDot } from '../src/serialize/dot.js';
import { serializeDump } from '../src/serialize/json.js';
import { renderSvg } from '../src/serialize/svg.js';
import { renderTree } from '../src/serialize/tree.js';
import { grepMatcher, parseWait, type ChainFilter, type ONLY_CHOICES } from '../src/serialize/tree-filter.js';

/** Output formats of the CLI. */
export const FORMATS = ['tree', 'json', 'dot', 'svg', 'html'] as const;

/** One of {@link FORMATS}. */
export type Format = (typeof FORMATS)[number];

/**
 * The format asked for by `--format` and its alias `--json`; the tree when neither is given.
 *
 * @param format - the value of `--format`, if given
 * @param json - whether `--json` was given
 * @throws {@link UsageError} for `--json` with another `--format`
 */
export function chooseFormat(format: Format | undefined, json: boolean | undefined): Format {
  if (json === true && format !== undefined && format !== 'json') {
    throw new UsageError(`--json contradicts --format ${format} (see awaitwhat --help)`);
  }
  return json === true ? 'json' : (format ?? 'tree');
}

/** The filter options of `awaitwhat view`, as yargs hands them over. */
export interface FilterArgs {
  grep?: string | undefined;
  'min-wait'?: string | undefined;
  only?: (typeof ONLY_CHOICES)[number] | undefined;
}

/**
 * Checks the filter options and turns them into a {@link ChainFilter}; `undefined` when none
 * is given. Filters choose what the tree draws, so they need `--format tree`.
 *
 * @param args - the options
 * @param format - the chosen format
 * @throws {@link UsageError} for a bad value, or a filter with another format
 */
export function chainFilter(args: FilterArgs, format: Format): ChainFilter | undefined {
  const given: string[] = [];
  const filter: ChainFilter = { label: '' };
  if (args.grep !== undefined) {
    grepMatcher(args.grep);
    filter.grep = args.grep;
    given.push(`--grep ${args.grep}`);
  }
  if (args['min-wait'] !== undefined) {
    filter.minWaitMs = parseWait(args['min-wait']);
    given.push(`--min-wait ${args['min-wait'].trim()}`);
  }
  if (args.only !== undefined) {
    filter.only = args.only;
    given.push(`--only ${args.only}`);
  }
  if (given.length === 0) return undefined;
  if (format !== 'tree') {
    throw new UsageError(`${given.join(' ')} filters the tree: it cannot be used with --format ${format} (see awaitwhat --help)`);
  }
  filter.label = given.join(' ');
  return filter;
}

/** How the tree is laid out: see {@link treeWidth}, and `--internals`. */
export interface TreeLayout {
  /** Columns to fit in; no limit when absent. */
  width?: number;
  /** Draw library frames one by one instead of folding them. */
  internals?: boolean;
}

/** The width the tree fits when no terminal says otherwise. */
export const DEFAULT_TREE_WIDTH = 80;

/**
 * The columns the tree fits in: `--width` when given (0: no limit), else the terminal's when
 * the output is one (and says its width), else 80 (a file, a pipe, a terminal that does not say).
 *
 * @param stream - where the tree goes; `undefined` for a file
 * @param asked - the value of `--width`, if given
 * @returns the width, or `undefined` for no limit
 * @throws {@link UsageError} for a `--width` that is not a whole number of columns
 */
export function treeWidth(stream: { isTTY?: boolean; columns?: number } | undefined, asked?: number): number | undefined {
  if (asked !== undefined) {
    if (!Number.isInteger(asked) || asked < 0 || (asked > 0 && asked < 20)) {
      throw new UsageError(`--width must be 0 (no limit) or a number of columns from 20 up, got ${String(asked)} (see awaitwhat --help)`);
    }
    return asked === 0 ? undefined : asked;
  }
  const columns = stream?.isTTY === true ? stream.columns : undefined;
  return columns !== undefined && Number.isInteger(columns) && columns >= 20 ? columns : DEFAULT_TREE_WIDTH;
}

/**
 * Renders a dump in the requested format.
 *
 * @param dump - a validated dump
 * @param format - output format
 * @param color - ANSI colour for the tree (ignored by the other formats, which are files)
 * @param filter - which chains the tree draws, in every thread (see {@link chainFilter}); all when absent
 * @param layout - the tree's width and folding (ignored by the other formats)
 * @returns the text to print or write
 */
export async function renderDump(dump: Dump, format: Format, color: boolean, filter?: ChainFilter, layout: TreeLayout = {}): Promise<string> {
  // Every format leaves here for a terminal or a file: each is made terminal-safe as a whole,
  // so that no string of the program (or of a crafted dump) reaches a terminal unescaped.
  switch (format) {
    case 'tree':
      // Already safe as a whole (see renderTree): a blanket pass would escape our colours.
      // The filter applies to every thread's chains alike (the main thread's, each worker's).
      return renderTree(dump, { color, ...layout, ...(filter ? { filter } : {}) });
    case 'json':
      return jsonForTerminal(serializeDump(dump));
    case 'dot':
      return terminalSafeLines(toDot(dump));
    case 'svg':
      return terminalSafeLines(await renderSvg(toDot(dump)));
    case 'html': {
      // Loaded when asked for, as Graphviz is: the page's script and style are large strings.
      // Escaped for HTML, controls shown as visible escapes (see html.ts): safe on a terminal too.
      const { renderHtml } = await import('../src/serialize/html.js');
      return renderHtml(dump);
    }
  }
}

/**
 * Characters JSON.stringify leaves raw that a terminal may act on or that reorder text: DEL,
 * the C1 controls (U+009B is CSI on some terminals), bidi controls, line separators. (It already
 * writes C0 controls, ESC and BEL included, as `\u001b`-style escapes.)
 */
// eslint-disable-next-line no-control-regex
const JSON_RAW_UNSAFE = /[\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/**
 * JSON text with the characters above written as `\uXXXX` escapes. They can only occur inside
 * strings (JSON's structure is ASCII), where the escape means the same character: the parsed
 * dump is exactly the same.
 *
 * @param json - JSON text
 */
export function jsonForTerminal(json: string): string {
  return json.replace(JSON_RAW_UNSAFE, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * Whether to colour terminal output when the user did not say (`--color` / `--no-color`): as
 * Node.js itself decides, `FORCE_COLOR` set to anything but `0` or `false` forces it on (and
 * wins over `NO_COLOR`); else never when `NO_COLOR` is set to a non-empty value
 * (https://no-color.org); else only for a TTY.
 *
 * @param stream - the stream the output goes to
 * @param env - the environment to consult
 */
export function autoColor(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): boolean {
  const force = env.FORCE_COLOR;
  if (force !== undefined) return force !== '0' && force.toLowerCase() !== 'false';
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  return stream.isTTY === true;
}
