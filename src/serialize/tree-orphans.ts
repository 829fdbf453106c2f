/**
 * The tree's "Orphaned requests" section: the HTTP requests open at the dump that no task
 * waits for (`dump.orphans`), each with how long it has been open, its socket's state, its
 * handler and what of the program still refers to it. Drawn after the verdict, whatever
 * filter the chains have: orphans are no chain.
 */
import { terminalSafe } from '../internal/terminal-text.js';
import type { Dump, OrphanedRequest, SourceLocation } from '../model.js';
import { formatLocation } from '../text/paths.js';
import { requestHolder, requestOpenFor } from '../text/request-labels.js';
import type { Style } from './tree-style.js';

/** Most orphans listed one by one; the rest are counted. */
const LISTED = 20;

/** The section's lines (none when the dump has no orphan), starting with a blank line. */
export function orphanLines(dump: Dump, style: Style, cwd: string): string[] {
  const orphans = dump.orphans ?? [];
  if (orphans.length === 0) return [];
  const lines = ['', style.bold('Orphaned requests') + style.dim(' (open; no task waits for them)')];
  for (const orphan of orphans.slice(0, LISTED)) lines.push(...orphanEntry(orphan, style, cwd));
  if (orphans.length > LISTED) lines.push(style.dim(`  … ${orphans.length - LISTED} more (see --format json)`));
  return lines;
}

function orphanEntry(orphan: OrphanedRequest, style: Style, cwd: string): string[] {
  const lines = [`  ${style.bold(terminalSafe(orphan.description))}  ${style.yellow(requestOpenFor(orphan))}`];
  const at = (location: SourceLocation | undefined): string => (location ? ` ${style.cyan(terminalSafe(formatLocation(location, cwd)))}` : '');
  const h = orphan.handler;
  if (h) {
    const role = orphan.kind === 'client' ? "'response' callback" : 'handler';
    const gone = orphan.kind === 'server' && !orphan.heldBy ? style.red(h.async ? '  (its chain was collected)' : '  (returned without ending the response)') : '';
    lines.push(`    ${role}  ${h.async ? 'async ' : ''}${terminalSafe(h.name)}${at(h.location)}${gone}`);
  }
  const holder = requestHolder(orphan, (location) => style.cyan(terminalSafe(formatLocation(location, cwd))));
  if (holder) {
    lines.push(`    held by  ${holder}`);
  } else {
    lines.push(style.dim('    held by  nothing of the program: only Node\'s own HTTP machinery'));
  }
  return lines;
}
