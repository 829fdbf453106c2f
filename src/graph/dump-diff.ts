/**
 * Two dumps of one process taken a few seconds apart, compared: which tasks finished (in the
 * first, not in the second), which are new, and which still wait at the same await — the
 * answer to "stuck, or just slow?".
 *
 * Node ids are per dump (`n1`, `n2`… in heap order), so a task is recognised by what does not
 * change while it waits: its kind, name and await line, and the moment its wait began. A dump
 * gives that moment as `waitingMs` before the dump; with the process's `uptimeMs` it becomes a
 * time on the process's own clock (`uptimeMs - waitingMs`, see {@link dumpMoment}), the same in both dumps for a task
 * that has not moved (to within the rounding of both). A task that resumed and waits again,
 * even at the same line, began a new wait: it counts as finished there and new. A wait that
 * began after the first dump was taken is new whatever its line. Without waiting times (a dump
 * taken by attaching, or without the hooks) tasks can only be counted by await line.
 *
 * @packageDocumentation
 */

import { DumpsMismatchError } from '../errors.js';
import { isTask, type Dump, type GraphNode, type SourceLocation } from '../model.js';
import { formatDuration } from '../text/durations.js';
import { nodePlace, nodeTitle } from '../text/node-labels.js';

/** How far two readings of one wait's start may differ: each is rounded twice, taken at slightly different moments. */
const SAME_WAIT_MS = 25;

/**
 * How far the two dumps' estimates of the process's start (`createdAt - uptimeMs`) may differ
 * for one process, beyond the dumps' own durations: `createdAt` may be stamped when the dump
 * was finished rather than begun.
 */
const SAME_START_MS = 2000;

/** One await line (or place) and how its waiting tasks changed between the dumps. */
export interface PlaceDiff {
  /** Where the tasks wait: their await (or the best place the dump knows). */
  location?: SourceLocation;
  /** The tasks' title, `async handleOrder`. */
  title: string;
  /** Tasks waiting there in the first dump, and in the second. */
  before: number;
  after: number;
  /** Tasks of the first dump still in the same wait in the second. */
  still: number;
  /** Tasks of the first dump no longer in that wait (finished, or moved on). */
  finished: number;
  /** Tasks of the second dump whose wait began after the first was taken (or unmatched). */
  new: number;
  /** The longest wait there, in each dump (ms), when known. */
  longestBeforeMs?: number;
  longestAfterMs?: number;
}

/** What {@link diffDumps} found. */
export interface DumpDiff {
  pid: number;
  /** Time between the dumps, on the process's clock (ms). */
  elapsedMs: number;
  /** `wait-start`: tasks told apart by when their wait began; `place`: only counted by await line. */
  matchedBy: 'wait-start' | 'place';
  /** Totals over every task. */
  totals: { before: number; after: number; still: number; finished: number; new: number };
  /** One line of the verdict: `stuck: 38 of 40 tasks …`. */
  verdict: { kind: 'stuck' | 'partly-stuck' | 'moving' | 'idle'; summary: string };
  /** Each await line, most tasks still there first. */
  places: PlaceDiff[];
}

/** Where the program is the same process in both dumps, or a one-line reason it is not. */
function sameProcess(before: Dump, after: Dump, names: [string, string]): void {
  const [a, b] = names;
  if (before.process.pid !== after.process.pid) {
    throw new DumpsMismatchError(`${a} and ${b} are dumps of different processes (pid ${before.process.pid} and pid ${after.process.pid}): diff compares two dumps of one process`);
  }
  const start = (d: Dump): number => Date.parse(d.createdAt) - d.process.uptimeMs;
  const slack = SAME_START_MS + Math.max(before.durationMs, after.durationMs);
  const gap = Math.abs(start(before) - start(after));
  if (!Number.isFinite(gap) || gap > slack || before.process.nodeVersion !== after.process.nodeVersion) {
    throw new DumpsMismatchError(`${a} and ${b} are dumps of different processes (both pid ${before.process.pid}, started ${formatDuration(gap)} apart): diff compares two dumps of one process`);
  }
  if (after.process.uptimeMs < before.process.uptimeMs) {
    throw new DumpsMismatchError(`${b} was taken before ${a}: give the older dump first (awaitwhat diff ${b} ${a})`);
  }
  for (const [d, name] of [[before, a], [after, b]] as const) {
    if (d.refused) throw new DumpsMismatchError(`${name} holds no heap snapshot (the dump was refused): nothing to compare`);
  }
}

/** The key of a task's place: kind, name, where. */
function placeKey(node: GraphNode): string {
  const place = nodePlace(node)?.location;
  return JSON.stringify([node.kind, node.name, place ? [place.url, place.line, place.column] : null]);
}

/**
 * When the dump's waiting times were measured, on the process's clock (ms since it started).
 * Waiting times are measured when the dump begins; a dump analysed in a worker reads the
 * process's uptime only after the heap snapshot was captured, `captureMs` later.
 */
function dumpMoment(dump: Dump): number {
  const late = dump.profile?.worker === true ? dump.profile.captureMs : 0;
  return dump.process.uptimeMs - late;
}

/** A task's wait start on the process's clock, or `undefined` when the dump does not know it. */
function waitStart(node: GraphNode, dump: Dump): number | undefined {
  return node.waitingMs === undefined ? undefined : dumpMoment(dump) - node.waitingMs;
}

interface Bucket {
  title: string;
  location?: SourceLocation;
  before: GraphNode[];
  after: GraphNode[];
}

/**
 * Compares two dumps of one process.
 *
 * @param before - the earlier dump
 * @param after - the later dump
 * @param names - how error messages name the two (their file names)
 * @throws {@link DumpsMismatchError} for dumps of different processes, in the wrong order, or refused
 */
export function diffDumps(before: Dump, after: Dump, names: [string, string] = ['the first dump', 'the second dump']): DumpDiff {
  sameProcess(before, after, names);
  const buckets = new Map<string, Bucket>();
  const bucket = (node: GraphNode): Bucket => {
    const key = placeKey(node);
    let found = buckets.get(key);
    if (!found) {
      const location = nodePlace(node)?.location;
      found = { title: nodeTitle(node), before: [], after: [], ...(location ? { location } : {}) };
      buckets.set(key, found);
    }
    return found;
  };
  for (const node of before.nodes) if (isTask(node)) bucket(node).before.push(node);
  for (const node of after.nodes) if (isTask(node)) bucket(node).after.push(node);
  const timed = [...before.nodes, ...after.nodes].some((n) => isTask(n) && n.waitingMs !== undefined);
  const places = [...buckets.values()].map((b) => comparePlace(b, before, after, timed));
  places.sort((x, y) => y.still - x.still || y.after - x.after || y.before - x.before || x.title.localeCompare(y.title));
  const sum = (f: (p: PlaceDiff) => number): number => places.reduce((n, p) => n + f(p), 0);
  const totals = { before: sum((p) => p.before), after: sum((p) => p.after), still: sum((p) => p.still), finished: sum((p) => p.finished), new: sum((p) => p.new) };
  const elapsedMs = Math.max(0, Math.round(dumpMoment(after) - dumpMoment(before)));
  return { pid: before.process.pid, elapsedMs, matchedBy: timed ? 'wait-start' : 'place', totals, verdict: verdictOf(totals, places, elapsedMs), places };
}

/** Matches one place's tasks across the dumps by the start of their wait. */
function comparePlace(b: Bucket, before: Dump, after: Dump, timed: boolean): PlaceDiff {
  let still = 0;
  if (!timed) {
    still = Math.min(b.before.length, b.after.length);
  } else {
    // Both sides sorted by wait start; a wait that began after the first dump is new.
    const starts = (nodes: GraphNode[], d: Dump): number[] =>
      nodes.map((n) => waitStart(n, d)).filter((t): t is number => t !== undefined).sort((x, y) => x - y);
    const earlier = starts(b.before, before);
    const later = starts(b.after, after).filter((t) => t <= dumpMoment(before) + SAME_WAIT_MS);
    let i = 0;
    let j = 0;
    while (i < earlier.length && j < later.length) {
      const d = (later[j] as number) - (earlier[i] as number);
      if (Math.abs(d) <= SAME_WAIT_MS) {
        still++;
        i++;
        j++;
      } else if (d < 0) j++;
      else i++;
    }
  }
  const longest = (nodes: GraphNode[]): number | undefined => {
    let max: number | undefined;
    for (const n of nodes) if (n.waitingMs !== undefined && (max === undefined || n.waitingMs > max)) max = n.waitingMs;
    return max;
  };
  const longestBeforeMs = longest(b.before);
  const longestAfterMs = longest(b.after);
  return {
    ...(b.location ? { location: b.location } : {}),
    title: b.title,
    before: b.before.length,
    after: b.after.length,
    still,
    finished: b.before.length - still,
    new: b.after.length - still,
    ...(longestBeforeMs !== undefined ? { longestBeforeMs } : {}),
    ...(longestAfterMs !== undefined ? { longestAfterMs } : {}),
  };
}

/** The verdict: stuck when every task of the first dump still waits where it was. */
function verdictOf(totals: DumpDiff['totals'], places: PlaceDiff[], elapsedMs: number): DumpDiff['verdict'] {
  const later = formatDuration(elapsedMs);
  const tail = [totals.finished > 0 ? `${totals.finished} finished` : '', totals.new > 0 ? `${totals.new} new` : ''].filter(Boolean).join('; ');
  const rest = tail === '' ? '' : `; ${tail}`;
  if (totals.before === 0) {
    return { kind: 'idle', summary: `idle: no task was waiting in the first dump${rest}` };
  }
  if (totals.still === 0) {
    return { kind: 'moving', summary: `moving: none of the ${plural(totals.before, 'task')} of the first dump still waits where it was, ${later} later${rest}` };
  }
  const top = places[0] as PlaceDiff;
  const where = places.filter((p) => p.still > 0).length === 1 ? `at the same await (${top.title})` : 'at the same awaits';
  const kind = totals.still === totals.before ? 'stuck' : 'partly-stuck';
  const label = kind === 'stuck' ? 'stuck' : 'partly stuck';
  const count =
    totals.still !== totals.before ? `${totals.still} of ${plural(totals.before, 'task')}`
    : totals.before === 1 ? 'its one task'
    : `all ${plural(totals.before, 'task')}`;
  return { kind, summary: `${label}: ${count} still waiting ${where}, ${later} later${rest}` };
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
