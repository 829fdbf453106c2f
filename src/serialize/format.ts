/**
 * Small formatting helpers shared by the tree and DOT renderers, so that both show the same
 * paths, locations and durations for the same node.
 *
 * @packageDocumentation
 */

import type { GraphNode, SourceLocation } from '../model.js';

/**
 * Formats a duration for people: `850ms`, `12.3s`, `4m 05s`, `2h 03m`.
 * Precision drops as the value grows because nobody debugging a hang cares about the
 * milliseconds of a two-hour wait.
 *
 * @param ms - milliseconds (negative or non-finite values print as `?`)
 */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '?';
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)}s`;
  const totalSeconds = Math.floor(s);
  if (totalSeconds < 3600) {
    return `${Math.floor(totalSeconds / 60)}m ${String(totalSeconds % 60).padStart(2, '0')}s`;
  }
  const totalMinutes = Math.floor(totalSeconds / 60);
  return `${Math.floor(totalMinutes / 60)}h ${String(totalMinutes % 60).padStart(2, '0')}m`;
}

/**
 * Formats a range of durations: a single value when they round to the same text, else `a–b`.
 *
 * @param values - milliseconds; must not be empty
 */
export function formatDurationRange(values: readonly number[]): string {
  // A loop, not Math.min(...values): a group can hold 100 000+ nodes, and spreading that many
  // arguments overflows the call stack.
  let min = Infinity;
  let max = -Infinity;
  for (const v of values) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const lo = formatDuration(min);
  const hi = formatDuration(max);
  return lo === hi ? lo : `${lo}–${hi}`;
}

/**
 * Turns a script URL into what a person wants to read: a path relative to `cwd` for `file://`
 * URLs under it, the absolute path for other files, and anything else (`node:…`, `data:…`,
 * unparsable strings) unchanged.
 *
 * Done by hand on the URL's path rather than with `fileURLToPath`, so that a dump taken on one
 * platform reads the same on another (and golden tests do not depend on the host).
 *
 * @param url - a V8 script URL
 * @param cwd - the dumped process's working directory
 */
export function displayPath(url: string, cwd: string): string {
  if (!url.startsWith('file:')) return url;
  let path: string;
  try {
    path = decodeURIComponent(new URL(url).pathname);
  } catch {
    return url;
  }
  // file:///C:/x → /C:/x; the drive letter form is what Windows users recognise.
  if (/^\/[A-Za-z]:\//.test(path)) path = path.slice(1);
  const base = cwd.replace(/\\/g, '/').replace(/\/+$/, '');
  if (base !== '' && path.startsWith(`${base}/`)) path = path.slice(base.length + 1);
  // Decoding must not turn `%1B` back into a raw ESC (nor `%07`, `%C2%9B`, `%E2%80%AE`…): a
  // terminal would act on it. Such characters stay percent-encoded, as in the URL.
  return path.replace(CONTROLS, encodeURIComponent);
}

/** Characters a terminal acts on or that reorder text: C0 and C1 controls, DEL, bidi controls, line separators. */
// eslint-disable-next-line no-control-regex
const CONTROLS = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/**
 * Formats a location as `path:line:column`.
 *
 * @param loc - the location
 * @param cwd - see {@link displayPath}
 */
export function formatLocation(loc: SourceLocation, cwd: string): string {
  return `${displayPath(loc.url, cwd)}:${loc.line}:${loc.column}`;
}

/** The most telling location of a node and what it is the location of. */
export interface NodePlace {
  /** `at` (an await), `callback` (a `.then` handler), `created` (creation stack), `defined`. */
  role: 'at' | 'callback' | 'created' | 'defined';
  /** The location itself. */
  location: SourceLocation;
}

/**
 * Picks the location that best answers "where is this stuck?": the `await` for tasks, the
 * callback for derived promises, the creation site for leaves, the function as a fallback.
 *
 * @param node - a graph node
 * @returns the place, or `undefined` when the dump knows none
 */
export function nodePlace(node: GraphNode): NodePlace | undefined {
  if (node.awaitLocation) return { role: 'at', location: node.awaitLocation };
  const created = node.creationStack?.[0];
  if (node.kind === 'then' && node.functionLocation) return { role: 'callback', location: node.functionLocation };
  if (created) return { role: 'created', location: created };
  if (node.functionLocation) return { role: 'defined', location: node.functionLocation };
  return undefined;
}

/**
 * A short human label for a node: `async handleOrder`, `Promise.all`, `.then`, `Promise`.
 *
 * @param node - a graph node
 */
export function nodeTitle(node: GraphNode): string {
  switch (node.kind) {
    case 'async-function':
      return `async ${node.name}`;
    case 'async-generator':
      return `async* ${node.name}`;
    case 'module':
      return `module ${node.name}`;
    default:
      return node.name;
  }
}

/** Kinds that are tasks (code suspended somewhere) rather than plain promises. */
export function isTask(node: GraphNode): boolean {
  return node.kind === 'async-function' || node.kind === 'async-generator' || node.kind === 'module';
}
