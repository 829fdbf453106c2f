/**
 * One dump, four output formats: the switch shared by `awaitwhat view` and `awaitwhat demo`.
 *
 * @packageDocumentation
 */

import type { Dump } from '../src/model.js';
import { toDot } from '../src/serialize/dot.js';
import { serializeDump } from '../src/serialize/json.js';
import { renderSvg } from '../src/serialize/svg.js';
import { renderTree } from '../src/serialize/tree.js';

/** Output formats of the CLI. */
export const FORMATS = ['tree', 'json', 'dot', 'svg'] as const;

/** One of {@link FORMATS}. */
export type Format = (typeof FORMATS)[number];

/**
 * Renders a dump in the requested format.
 *
 * @param dump - a validated dump
 * @param format - output format
 * @param color - ANSI colour for the tree (ignored by the other formats, which are files)
 * @returns the text to print or write
 */
export async function renderDump(dump: Dump, format: Format, color: boolean): Promise<string> {
  switch (format) {
    case 'tree':
      return renderTree(dump, { color });
    case 'json':
      return serializeDump(dump);
    case 'dot':
      return toDot(dump);
    case 'svg':
      return renderSvg(toDot(dump));
  }
}

/**
 * Whether to colour terminal output when the user did not say: only for a TTY, and never when
 * `NO_COLOR` is set to a non-empty value (https://no-color.org).
 *
 * @param stream - the stream the output goes to
 * @param env - the environment to consult
 */
export function autoColor(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  return stream.isTTY === true;
}
