/**
 * How an orphaned request is named for people (`server request GET /export`) and how long it
 * has been open, as far as the dump knows: shared by the tree, the verdicts and the report.
 *
 * @packageDocumentation
 */

import type { OrphanedRequest } from '../model.js';
import { formatDuration } from './durations.js';

/** `server request GET /export`, `client request PUT 127.0.0.1/upload`, `fetch GET http://…`. */
export function requestTitle(request: OrphanedRequest): string {
  const what = request.kind === 'fetch' ? 'fetch' : `${request.kind} request`;
  return `${what} ${request.method ? `${request.method} ` : ''}${request.url}`;
}

/**
 * How long it has been open: `open for 12s`, `open, idle for 12s` (the socket's idle time, a
 * lower bound), or `open, age unknown` when Node wrote no time down.
 */
export function requestOpenFor(request: OrphanedRequest): string {
  if (request.ageMs !== undefined) return `open for ${formatDuration(request.ageMs)}`;
  if (request.idleMs !== undefined) return `open, idle for ${formatDuration(request.idleMs)}`;
  return 'open, age unknown';
}
