/**
 * The verdict sentence for orphaned requests (`findings.ts` groups them): what is open, for
 * how long, and why no task waits for it — its handler's chain was collected, its handler
 * returned without answering, or only a callback of the program still refers to it.
 */
import type { OrphanedRequest, SourceLocation } from '../model.js';
import { displayPath } from '../text/paths.js';
import { requestHolder, requestOpenFor, requestTitle } from '../text/request-labels.js';

/**
 * The sentence for alike orphaned requests, the one open longest first (not yet made
 * terminal-safe).
 *
 * @param requests - at least one request
 * @param cwd - the dumped process's cwd, for relative paths
 */
export function wordOrphans(requests: readonly OrphanedRequest[], cwd: string): string {
  const first = requests[0]!;
  const many = requests.length > 1;
  const it = many ? 'them' : 'it';
  const where = (at: SourceLocation): string => `${displayPath(at.url, cwd)}:${at.line}:${at.column}`;
  const head = `${many ? `${requests.length}× ` : ''}${requestTitle(first)} ${requestOpenFor(first)}${many && (first.ageMs ?? first.idleMs) !== undefined ? ' (the longest)' : ''}`;
  const h = first.handler;
  const handler = h ? `${h.async ? 'async ' : ''}${h.name}${h.location ? ` (${where(h.location)})` : ''}` : undefined;
  let why: string;
  if (first.heldBy) {
    // Several held in one list: `clients[…]`, not the first one's index.
    const shown = many ? { ...first, heldBy: { ...first.heldBy, path: first.heldBy.path.map((n) => (/^\[\d+\]$/.test(n) ? '[…]' : n)) } } : first;
    why = `no task waits for ${it}; only ${requestHolder(shown, where)}${first.heldBy.path.length > 1 ? ',' : ''} still refers to ${it}`;
  } else if (first.kind === 'server' && h?.async) {
    why = `no task waits for ${it}: ${many ? "their handler's chains were" : "its handler's chain was"} collected — ${handler} awaited a promise nothing could settle, or returned without ending the response`;
  } else if (first.kind === 'server' && handler) {
    why = `no task waits for ${it}: ${many ? 'their' : 'its'} handler ${handler} returned without ending the response, and nothing of the program refers to ${it}`;
  } else if (first.kind === 'client') {
    why = `no task waits for ${many ? 'their responses' : 'its response'}${handler ? `; only ${many ? 'their' : 'its'} 'response' callback ${handler} will see ${many ? 'them' : 'it'}` : ''}`;
  } else {
    why = `no task waits for ${it}, and nothing of the program refers to ${it}`;
  }
  return `${head}; ${why}`;
}
