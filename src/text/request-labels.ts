/**
 * How an orphaned request is named for people (`server request GET /export`) and how long it
 * has been open, as far as the dump knows: shared by the tree, the verdicts and the report.
 *
 * @packageDocumentation
 */

import type { OrphanedRequest, SourceLocation } from '../model.js';
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

/**
 * What of the program still refers to an orphan, for a sentence: `res, in the scope of the
 * function <anonymous> (app.js:5:14)`, `clients[0], in the module scope of app.js:1:1` (a
 * module's body is the function at its line 1, column 1), or `the function onTimeout
 * (app.js:9:3)`. `undefined` when nothing does.
 *
 * @param request - the orphan
 * @param where - how a location is written (relative path, colours)
 */
export function requestHolder(request: OrphanedRequest, where: (at: SourceLocation) => string): string | undefined {
  const held = request.heldBy;
  if (!held) return undefined;
  const [fn = '<anonymous>()', ...rest] = held.path;
  const at = held.location;
  const function_ = `the function ${fn.replace(/\(\)$/, '')}${at ? ` (${where(at)})` : ''}`;
  const through = rest.map((n, i) => (i === 0 || n.startsWith('[') ? n : `.${n}`)).join('');
  if (through === '') return function_;
  const moduleBody = at !== undefined && at.line === 1 && at.column === 1;
  return `${through}, in ${moduleBody ? `the module scope of ${where(at)}` : `the scope of ${function_}`}`;
}
