/**
 * The dump's `orphans` section: each open request no task waits for (`request-holders.ts`),
 * with its handler, what of the program still holds it, and its socket's live state (read
 * with the leaves' sockets, within the same lookup budget).
 */
import { REQUEST_KINDS, type OrphanedRequest, type RequestHandler, type SourceLocation } from '../model.js';
import { requestTitle } from '../text/request-labels.js';
import type { HeapGraph } from './heap-graph.js';
import type { ObjectFacts } from './object-facts.js';
import type { RawOrphan } from './request-holders.js';

/** What {@link describeOrphans} reads besides the orphans. */
export interface OrphanContext {
  heap: HeapGraph;
  /** Script id → URL. */
  scripts: ReadonlyMap<string, string>;
  facts: ObjectFacts;
}

/** At most this many orphans get their socket's live state read (a lookup each). */
export const SOCKET_STATES = 20;

/** The sockets whose live state the orphans' descriptions want, first ones first. */
export function orphanSockets(orphans: readonly RawOrphan[]): number[] {
  return orphans.flatMap((o) => (o.request.socket === undefined ? [] : [o.request.socket])).slice(0, SOCKET_STATES);
}

/**
 * The `orphans` section of a dump: server requests, then client ones, then fetch; by URL and
 * method within a kind (heap order changes from run to run).
 */
export function describeOrphans(orphans: readonly RawOrphan[], context: OrphanContext): OrphanedRequest[] {
  const key = (o: OrphanedRequest): string => `${REQUEST_KINDS.indexOf(o.kind)}\u0000${o.url}\u0000${o.method ?? ''}`;
  return orphans
    .map((orphan) => describeOrphan(orphan, context))
    .sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

function describeOrphan({ request, heldBy }: RawOrphan, context: OrphanContext): OrphanedRequest {
  const { heap } = context;
  const out: OrphanedRequest = { kind: request.kind, url: request.url, description: '' };
  if (request.method !== undefined) out.method = request.method;
  if (request.ageMs !== undefined) out.ageMs = request.ageMs;
  if (request.idleMs !== undefined) out.idleMs = request.idleMs;
  const state = request.socket === undefined ? undefined : context.facts.resourceState?.(request.socket);
  const details: Record<string, string | number | boolean> = { ...request.progress, ...state };
  if (Object.keys(details).length > 0) out.details = details;
  if (request.handler !== undefined) {
    const handler: RequestHandler = { name: heap.name(request.handler) || '<anonymous>', async: isAsync(heap, request.handler) };
    const location = locate(heap, request.handler, context.scripts);
    if (location) handler.location = location;
    out.handler = handler;
  }
  if (heldBy) {
    const location = locate(heap, heldBy.closure, context.scripts);
    out.heldBy = location ? { path: heldBy.path, location } : { path: heldBy.path };
  }
  const parts = [...socketText(state), ...progressText(request.kind, request.progress)];
  out.description = `${requestTitle(out)}${parts.length > 0 ? ` — ${parts.join(', ')}` : ''}`;
  return out;
}

/** An `async` function's closure has `AsyncFunction.prototype` as its prototype. */
function isAsync(heap: HeapGraph, closure: number): boolean {
  const proto = heap.edgeTo(closure, '__proto__') ?? heap.edgeTo(heap.edgeTo(closure, 'map') ?? closure, 'prototype');
  return proto !== undefined && heap.name(proto) === 'AsyncFunction';
}

function locate(heap: HeapGraph, closure: number, scripts: ReadonlyMap<string, string>): SourceLocation | undefined {
  const at = heap.location(closure);
  const url = at === undefined ? undefined : scripts.get(at.scriptId);
  return at === undefined || !url ? undefined : { url, line: at.lineNumber + 1, column: at.columnNumber + 1 };
}

/** `local → remote` and whether the socket is gone, as a leaf's socket is described. */
function socketText(state: Record<string, string | number | boolean> | undefined): string[] {
  if (!state) return [];
  const parts: string[] = [];
  if (typeof state.remoteAddress === 'string') {
    parts.push(`${state.localAddress ?? '?'}:${state.localPort ?? '?'} → ${state.remoteAddress}:${state.remotePort ?? '?'}`);
  }
  if (state.connecting === true) parts.push('connecting');
  if (state.destroyed === true) parts.push('socket destroyed');
  return parts;
}

/** How far the request got, in words. */
function progressText(kind: OrphanedRequest['kind'], progress: Record<string, boolean>): string[] {
  const parts: string[] = [];
  if (kind === 'server') {
    if (progress.requestComplete === true) parts.push('request received');
    else if (progress.requestComplete === false) parts.push('request body still arriving');
    parts.push(progress.headersSent ? 'response headers sent, body not ended' : 'no response started');
    if (progress.destroyed) parts.push('response destroyed');
  } else if (kind === 'client') {
    if (progress.requestSent === false) parts.push('request body not ended');
    parts.push(progress.responseStarted ? 'response body still arriving' : 'no response yet');
  } else {
    parts.push('in flight');
  }
  return parts;
}
