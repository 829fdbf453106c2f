/**
 * `awaitwhat diff <before> <after>`: two dumps of one process compared (src/graph/dump-diff.ts),
 * shown as text (src/serialize/diff-text.ts) or JSON.
 *
 * @packageDocumentation
 */

import { diffDumps } from '../src/graph/dump-diff.js';
import { writeOutputFile } from '../src/internal/atomic-write.js';
import { renderDiffJson, renderDiffText } from '../src/serialize/diff-text.js';
import { readDumpFile } from './read-dump.js';
import { autoColor, jsonForTerminal, treeWidth } from './render.js';

/** The options of `awaitwhat diff`, as yargs hands them over. */
export interface DiffArgs {
  before: string;
  after: string;
  json?: boolean | undefined;
  output?: string | undefined;
  color?: boolean | undefined;
  width?: number | undefined;
}

/**
 * Reads both dumps, compares them, prints or writes the result.
 *
 * @param args - the command line
 * @throws whatever reading a dump throws, and `DumpsMismatchError` for dumps that cannot be compared
 */
export function runDiff(args: DiffArgs): void {
  const width = treeWidth(args.output !== undefined ? undefined : process.stdout, args.width);
  const before = readDumpFile(args.before);
  const after = readDumpFile(args.after);
  const diff = diffDumps(before, after, [args.before, args.after]);
  const toFile = args.output !== undefined;
  const text =
    args.json === true ? jsonForTerminal(renderDiffJson(diff, before, after))
    : renderDiffText(diff, before, after, {
        color: args.color ?? (!toFile && autoColor(process.stdout)),
        ...(width !== undefined ? { width } : {}),
      });
  if (args.output !== undefined) writeOutputFile(args.output, text, 0o644);
  else process.stdout.write(text);
}
