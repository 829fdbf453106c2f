/**
 * Reading and writing dumps as JSON.
 *
 * `parseDump` is the only door through which a dump file enters the CLI, so it validates by
 * hand (no schema engine at runtime) and reports the first problem with its JSON path. It
 * must stay total: whatever bytes it is given, it either returns a well-formed {@link Dump}
 * or throws one of {@link DumpUnreadableError}, {@link DumpVersionError},
 * {@link DumpInvalidError} — never a `TypeError` from poking at a hostile value.
 *
 * @packageDocumentation
 */

import { DumpInvalidError, DumpUnreadableError, DumpVersionError } from '../errors.js';
import {
  CAPTURE_METHODS,
  COMBINATOR_KINDS,
  DUMP_SOURCES,
  DUMP_TRIGGERS,
  DUMP_VERSION,
  DUMP_WAYS,
  LEAF_KINDS,
  LOST_AWAIT_KINDS,
  LOCK_STATES,
  NODE_KINDS,
  NODE_STATES,
  VERDICT_KINDS,
  REQUEST_KINDS,
  isTaskKind,
  shapeNode,
  type Cycle,
  type Dump,
  type GraphNode,
  type HookInfo,
  type NodeFields,
  type ProcessInfo,
  type StackFrame,
  type DumpProfile,
  type LeafInfo,
  type Verdict,
  type BlockedLoop,
  type OrphanedRequest,
} from '../model.js';
import { checkIsDump, NotADumpProblem } from './dump-identity.js';
import { readThreadEdges, readThreads } from './json-threads.js';
import { array, bool, fail, join, location, num, object, oneOf, openKind, own, Problem, required, show, str, strings, VersionProblem, type Obj } from './json-checks.js';
import { dumpMetrics } from './json-metrics.js';

/**
 * Serializes a dump as JSON with a trailing newline: indented by 2 spaces (what
 * `awaitwhat view --format json` prints), or on one line with `compact` (how dump files are
 * written: about 40% smaller).
 *
 * @param dump - the dump to serialize
 * @param options - `compact: true` for one line
 * @returns the JSON text
 */
export function serializeDump(dump: Dump, options: { compact?: boolean } = {}): string {
  return `${JSON.stringify(dump, null, options.compact ? undefined : 2)}\n`;
}

/** A dump as {@link readDump} read it, with what it met that this version does not know. */
export interface ReadDump {
  /** The validated dump. */
  dump: Dump;
  /**
   * The kinds of a newer awaitwhat it holds (`verdict kind "x"`, `leaf kind "y"`, each once,
   * in the order met): read and shown as written (docs/dump-format.md#compatibility).
   */
  newerKinds: string[];
}

/**
 * Parses and validates the JSON text of a dump, and says which kinds in it this version does
 * not know. See {@link parseDump}, which it is, for what is checked and thrown.
 *
 * @param text - the file's contents
 * @param source - where the text came from (usually the file path); prefixes every message
 */
export function readDump(text: string, source?: string): ReadDump {
  const prefix = source === undefined ? '' : `${source}: `;
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (cause) {
    // V8 quotes the offending text, which may hold a line break: messages stay one line.
    const detail = (cause instanceof Error ? cause.message : String(cause)).replace(/\s+/g, ' ');
    const what = text.trim() === '' ? 'empty file, not a dump' : `not JSON (${detail})`;
    throw new DumpUnreadableError(`${prefix}${what}`, { cause });
  }
  const met = new Set<string>();
  newerKinds = met;
  try {
    return { dump: validateDump(raw), newerKinds: [...met] };
  } catch (error) {
    if (error instanceof NotADumpProblem) {
      throw new DumpInvalidError(`${source === undefined ? '' : `${source} is `}not an awaitwhat dump (${error.message})`);
    }
    if (error instanceof Problem) throw new DumpInvalidError(`${prefix}${error.message}`);
    if (error instanceof VersionProblem) throw new DumpVersionError(`${prefix}${error.message}`);
    // Belt and braces: a bug in the validator must still surface as a dump error, not a crash.
    throw new DumpInvalidError(`${prefix}cannot validate dump: ${String(error)}`, { cause: error });
  } finally {
    newerKinds = undefined;
  }
}

/**
 * Parses and validates the JSON text of a dump.
 *
 * Unknown properties are ignored and dropped (a newer producer may add optional fields without
 * bumping the version); the returned object is rebuilt from the known fields only, so keys such
 * as `__proto__` in the input never reach the caller. Verdict and leaf kinds this version does
 * not know are read, not rejected (docs/dump-format.md#compatibility; {@link readDump} lists them).
 *
 * @param text - the file's contents
 * @param source - where the text came from (usually the file path); prefixes every message
 * @returns the validated dump
 * @throws {@link DumpUnreadableError} if `text` is not JSON
 * @throws {@link DumpVersionError} if `version` is missing or not {@link DUMP_VERSION}
 * @throws {@link DumpInvalidError} if the JSON is not a dump at all (`<source> is not an awaitwhat dump (…)`), or
 *   on any structural or referential problem, naming its JSON path
 */
export function parseDump(text: string, source?: string): Dump {
  return readDump(text, source).dump;
}

/**
 * The one warning line for a dump holding kinds of a newer awaitwhat, or `undefined` when it
 * holds none. Kinds are quoted as JSON; the caller makes the line terminal-safe.
 *
 * @param read - what {@link readDump} returned
 * @param source - how the line names the file
 */
export function newerKindsWarning(read: ReadDump, source: string): string | undefined {
  const kinds = read.newerKinds;
  if (kinds.length === 0) return undefined;
  const listed = kinds.slice(0, MAX_LISTED).join(', ') + (kinds.length > MAX_LISTED ? ` and ${kinds.length - MAX_LISTED} more` : '');
  return `${source} was written by awaitwhat ${read.dump.tool.version}, which knows more than this version: ${listed} (shown as written)`;
}

/** Kinds named in the warning line; a hostile dump may hold thousands. */
const MAX_LISTED = 5;

/** What the reading in progress met of a newer awaitwhat (reading is synchronous: one at a time). */
let newerKinds: Set<string> | undefined;

/* Internals: the checks are in json-checks.ts; validation throws its Problem classes, which parseDump maps to public errors. */

function frame(value: unknown, path: string): StackFrame {
  const o = object(value, path);
  return { ...location(o, path), functionName: str(o, 'functionName', path) };
}

function checkVersion(top: Obj): void {
  const version = own(top, 'version');
  if (version === undefined) {
    throw new VersionProblem(`dump has no "version" field (this awaitwhat reads version ${DUMP_VERSION})`);
  }
  if (version !== DUMP_VERSION) {
    throw new VersionProblem(
      `dump version ${show(version)} is not supported (this awaitwhat reads version ${DUMP_VERSION})`,
    );
  }
}

function processInfo(value: unknown, path: string): ProcessInfo {
  const o = object(value, path);
  return {
    pid: num(required(o, 'pid', path), join(path, 'pid'), 0, true),
    argv: strings(required(o, 'argv', path), join(path, 'argv')),
    cwd: str(o, 'cwd', path),
    nodeVersion: str(o, 'nodeVersion', path),
    platform: str(o, 'platform', path),
    uptimeMs: num(required(o, 'uptimeMs', path), join(path, 'uptimeMs'), 0, false),
  };
}

function hookInfo(value: unknown, path: string): HookInfo {
  const o = object(value, path);
  return { installed: bool(o, 'installed', path), creationStacks: bool(o, 'creationStacks', path) };
}

function graphNode(value: unknown, path: string): GraphNode {
  const o = object(value, path);
  const has = (key: string): boolean => own(o, key) !== undefined;
  // Built in the field order of model.ts, so that re-serializing a dump reproduces it.
  // Optional fields: absent and present-but-wrong are different things; only the latter fails.
  // Every field the format allows on a node is checked, whatever the kind; shapeNode then
  // keeps the kind's own (a `leaf` on a task is, for a task, an unknown field).
  const node: NodeFields = {
    id: str(o, 'id', path),
    kind: oneOf(o, 'kind', path, NODE_KINDS),
    name: str(o, 'name', path),
    ...(has('combinator') ? { combinator: oneOf(o, 'combinator', path, COMBINATOR_KINDS) } : {}),
    state: oneOf(o, 'state', path, NODE_STATES),
    ...(has('awaitLocation') ? { awaitLocation: location(own(o, 'awaitLocation'), join(path, 'awaitLocation')) } : {}),
    ...(has('functionLocation')
      ? { functionLocation: location(own(o, 'functionLocation'), join(path, 'functionLocation')) }
      : {}),
    ...(has('creationStack') ? { creationStack: stack(own(o, 'creationStack'), join(path, 'creationStack')) } : {}),
    ...(has('userFrame') ? { userFrame: num(own(o, 'userFrame'), join(path, 'userFrame'), 0, true) } : {}),
    ...(has('waitingMs') ? { waitingMs: num(own(o, 'waitingMs'), join(path, 'waitingMs'), 0, false) } : {}),
    ...(has('ageMs') ? { ageMs: num(own(o, 'ageMs'), join(path, 'ageMs'), 0, false) } : {}),
    awaits: strings(required(o, 'awaits', path), join(path, 'awaits')),
    awaitedBy: strings(required(o, 'awaitedBy', path), join(path, 'awaitedBy')),
    ...(has('leaf') ? { leaf: leafInfo(own(o, 'leaf'), join(path, 'leaf')) } : {}),
  };
  if (node.id === '') fail(join(path, 'id'), 'must not be empty');
  if (node.kind === 'combinator' && node.combinator === undefined) {
    fail(path, 'missing required field "combinator" (required when kind is "combinator")');
  }
  if (node.state !== 'pending' && !isTaskKind(node.kind)) {
    fail(join(path, 'state'), `expected "pending" (a ${node.kind} node is a promise, only tasks suspend or run), got ${show(node.state)}`);
  }
  return shapeNode(node);
}

/** Primitives by key (a leaf's or an orphan's `details`), rebuilt without prototype keys. */
function primitives(value: unknown, path: string): Record<string, string | number | boolean> {
  const d = object(value, path);
  const details: Record<string, string | number | boolean> = {};
  for (const key of Object.keys(d)) {
    const v = d[key];
    if (typeof v !== 'string' && typeof v !== 'boolean' && (typeof v !== 'number' || !Number.isFinite(v))) {
      fail(join(path, key), `expected a string, number or boolean, got ${show(v)}`);
    }
    Object.defineProperty(details, key, { value: v, enumerable: true, writable: true, configurable: true });
  }
  return details;
}

/** `dump.orphans[i]`: an open request no task waits for. */
function orphanedRequest(value: unknown, path: string): OrphanedRequest {
  const o = object(value, path);
  const has = (key: string): boolean => own(o, key) !== undefined;
  const request: OrphanedRequest = { kind: oneOf(o, 'kind', path, REQUEST_KINDS), url: str(o, 'url', path), description: str(o, 'description', path) };
  if (has('method')) request.method = str(o, 'method', path);
  if (has('ageMs')) request.ageMs = num(own(o, 'ageMs'), join(path, 'ageMs'), 0, false);
  if (has('idleMs')) request.idleMs = num(own(o, 'idleMs'), join(path, 'idleMs'), 0, false);
  if (has('details')) request.details = primitives(own(o, 'details'), join(path, 'details'));
  if (has('handler')) {
    const hp = join(path, 'handler');
    const h = object(own(o, 'handler'), hp);
    request.handler = { name: str(h, 'name', hp), async: bool(h, 'async', hp) };
    if (own(h, 'location') !== undefined) request.handler.location = location(own(h, 'location'), join(hp, 'location'));
  }
  if (has('heldBy')) {
    const hp = join(path, 'heldBy');
    const h = object(own(o, 'heldBy'), hp);
    request.heldBy = { path: strings(required(h, 'path', hp), join(hp, 'path')) };
    if (own(h, 'location') !== undefined) request.heldBy.location = location(own(h, 'location'), join(hp, 'location'));
  }
  return request;
}

function leafInfo(value: unknown, path: string): LeafInfo {
  const o = object(value, path);
  const has = (key: string): boolean => own(o, key) !== undefined;
  const leaf: LeafInfo = readLeafKind(openKind(o, 'kind', path, LEAF_KINDS), str(o, 'description', path));
  if (has('heldBy')) leaf.heldBy = strings(own(o, 'heldBy'), join(path, 'heldBy'));
  if (has('details')) {
    const d = object(own(o, 'details'), join(path, 'details'));
    const details: Record<string, string | number | boolean> = {};
    for (const key of Object.keys(d)) {
      const v = d[key];
      if (typeof v !== 'string' && typeof v !== 'boolean' && (typeof v !== 'number' || !Number.isFinite(v))) {
        fail(join(join(path, 'details'), key), `expected a string, number or boolean, got ${show(v)}`);
      }
      Object.defineProperty(details, key, { value: v, enumerable: true, writable: true, configurable: true });
    }
    leaf.details = details;
  }
  if (has('location')) leaf.location = location(own(o, 'location'), join(path, 'location'));
  if (has('resourceStack')) leaf.resourceStack = stack(own(o, 'resourceStack'), join(path, 'resourceStack'));
  if (has('lock')) {
    const l = object(own(o, 'lock'), join(path, 'lock'));
    const lockPath = join(path, 'lock');
    leaf.lock = { object: str(l, 'object', lockPath), state: oneOf(l, 'state', lockPath, LOCK_STATES), holders: strings(required(l, 'holders', lockPath), join(lockPath, 'holders')) };
  }
  return leaf;
}

/**
 * A leaf kind of a newer awaitwhat drives nothing here (colours, chain ends, `--only stuck`
 * know only this version's kinds), so it is read as `unknown` — what this version calls a
 * leaf it cannot name — and its description keeps the kind as written.
 */
function readLeafKind(kind: string, description: string): LeafInfo {
  if ((LEAF_KINDS as readonly string[]).includes(kind)) return { kind: kind as LeafInfo['kind'], description };
  newerKinds?.add(`leaf kind ${show(kind)}`);
  const named = description.startsWith(`${kind}:`) || description.startsWith(`${kind} `);
  return { kind: 'unknown', description: named ? description : `${kind}: ${description}` };
}

function verdict(value: unknown, path: string): Verdict {
  const o = object(value, path);
  const kind = openKind(o, 'kind', path, VERDICT_KINDS);
  if (!(VERDICT_KINDS as readonly string[]).includes(kind)) newerKinds?.add(`verdict kind ${show(kind)}`);
  return {
    kind,
    summary: str(o, 'summary', path),
    nodes: strings(required(o, 'nodes', path), join(path, 'nodes')),
  };
}

function blockedLoop(value: unknown, path: string): BlockedLoop {
  const o = object(value, path);
  return {
    blockedMs: num(required(o, 'blockedMs', path), join(path, 'blockedMs'), 0, false),
    stack: stack(required(o, 'stack', path), join(path, 'stack')),
  };
}

function stack(value: unknown, path: string): StackFrame[] {
  return array(value, path).map((f, i) => frame(f, join(path, i)));
}

function dumpProfile(value: unknown, path: string): DumpProfile {
  const o = object(value, path);
  const ms = (key: string): number => num(required(o, key, path), join(path, key), 0, false);
  const whole = (key: string): number => num(required(o, key, path), join(path, key), 0, true);
  const profile = {
    capture: oneOf(o, 'capture', path, CAPTURE_METHODS),
    snapshotBytes: whole('snapshotBytes'),
    heapNodes: whole('heapNodes'),
    captureMs: ms('captureMs'),
    parseMs: ms('parseMs'),
    graphMs: ms('graphMs'),
    lookups: whole('lookups'),
    lookupMs: ms('lookupMs'),
    buildMs: ms('buildMs'),
    worker: bool(o, 'worker', path),
  } as DumpProfile;
  if (own(o, 'located') !== undefined) {
    const lp = join(path, 'located');
    const l = object(own(o, 'located'), lp);
    const n = (key: string): number => num(required(l, key, lp), join(lp, key), 0, true);
    profile.located = { fromSource: n('fromSource'), byLookup: n('byLookup'), unlocated: n('unlocated') };
  }
  return profile;
}

/** `dump.refused`: why no heap snapshot was taken (sizes in whole bytes). */
function snapshotRefusal(value: unknown, path: string): NonNullable<Dump['refused']> {
  const [o, lp] = [object(value, path), join(path, 'limit')];
  const l = object(required(o, 'limit', path), lp);
  const bytes = (from: Obj, key: string, at: string): number => num(required(from, key, at), join(at, key), 0, true);
  const way = oneOf(o, 'way', path, DUMP_WAYS);
  const limit = { source: str(l, 'source', lp), limitBytes: bytes(l, 'limitBytes', lp), usageBytes: bytes(l, 'usageBytes', lp), headroomBytes: bytes(l, 'headroomBytes', lp) };
  return { reason: str(o, 'reason', path), way, heapUsedBytes: bytes(o, 'heapUsedBytes', path), estimatedPeakBytes: bytes(o, 'estimatedPeakBytes', path), limit };
}

function cycle(value: unknown, path: string): Cycle {
  const o = object(value, path);
  const nodes = strings(required(o, 'nodes', path), join(path, 'nodes'));
  if (nodes.length === 0) fail(join(path, 'nodes'), 'a cycle needs at least one node');
  return { nodes };
}

/** Every id mentioned anywhere must name a node; ids must be unique. */
function checkReferences(dump: Dump): void {
  const ids = new Set<string>();
  dump.nodes.forEach((node, i) => {
    if (ids.has(node.id)) fail(`nodes[${i}].id`, `duplicate node id ${show(node.id)}`);
    ids.add(node.id);
  });
  const known = (id: string, path: string): void => {
    if (!ids.has(id)) fail(path, `unknown node id ${show(id)}`);
  };
  dump.nodes.forEach((node, i) => {
    node.awaits.forEach((id, j) => known(id, `nodes[${i}].awaits[${j}]`));
    node.awaitedBy.forEach((id, j) => known(id, `nodes[${i}].awaitedBy[${j}]`));
    node.leaf?.lock?.holders.forEach((id, j) => known(id, `nodes[${i}].leaf.lock.holders[${j}]`));
  });
  dump.roots.forEach((id, i) => known(id, `roots[${i}]`));
  dump.cycles.forEach((c, i) => c.nodes.forEach((id, j) => known(id, `cycles[${i}].nodes[${j}]`)));
  dump.verdicts?.forEach((v, i) => v.nodes.forEach((id, j) => known(id, `verdicts[${i}].nodes[${j}]`)));
}

function validateDump(raw: unknown): Dump {
  // Another document altogether (package.json, an array…) is said to be one, in those words.
  checkIsDump(raw);
  const top = object(raw, '');
  // Version first: a future format may differ in every other field, and "wrong version" is the
  // message that tells the user what to do about it.
  checkVersion(top);
  const tool = object(required(top, 'tool', ''), 'tool');
  const toolName = str(tool, 'name', 'tool');
  if (toolName !== 'awaitwhat') fail('tool.name', `expected "awaitwhat", got ${show(toolName)}`);
  const nodesPath = 'nodes';
  const cyclesPath = 'cycles';
  const dump: Dump = {
    version: DUMP_VERSION,
    tool: { name: 'awaitwhat', version: str(tool, 'version', 'tool') },
    createdAt: str(top, 'createdAt', ''),
    trigger: oneOf(top, 'trigger', '', DUMP_TRIGGERS),
    durationMs: num(required(top, 'durationMs', ''), 'durationMs', 0, false),
    process: processInfo(required(top, 'process', ''), 'process'),
    hooks: hookInfo(required(top, 'hooks', ''), 'hooks'),
    nodes: array(required(top, 'nodes', ''), nodesPath).map((n, i) => graphNode(n, join(nodesPath, i))),
    roots: strings(required(top, 'roots', ''), 'roots'),
    cycles: array(required(top, 'cycles', ''), cyclesPath).map((c, i) => cycle(c, join(cyclesPath, i))),
    warnings: strings(required(top, 'warnings', ''), 'warnings'),
  };
  if (own(top, 'verdicts') !== undefined) {
    dump.verdicts = array(own(top, 'verdicts'), 'verdicts').map((v, i) => verdict(v, join('verdicts', i)));
  }
  if (own(top, 'blockedLoop') !== undefined) dump.blockedLoop = blockedLoop(own(top, 'blockedLoop'), 'blockedLoop');
  if (own(top, 'source') !== undefined) dump.source = oneOf(top, 'source', '', DUMP_SOURCES);
  if (own(top, 'metrics') !== undefined) dump.metrics = dumpMetrics(own(top, 'metrics'), 'metrics');
  if (own(top, 'profile') !== undefined) dump.profile = dumpProfile(own(top, 'profile'), 'profile');
  if (own(top, 'refused') !== undefined) dump.refused = snapshotRefusal(own(top, 'refused'), 'refused');
  if (own(top, 'orphans') !== undefined) dump.orphans = array(own(top, 'orphans'), 'orphans').map((o, i) => orphanedRequest(o, join('orphans', i)));
  if (own(top, 'lostAwaits') !== undefined) dump.lostAwaits = lostAwaits(own(top, 'lostAwaits'), 'lostAwaits');
  if (own(top, 'threads') !== undefined) dump.threads = readThreads(own(top, 'threads'), 'threads', { node: graphNode, cycle, verdict });
  if (own(top, 'threadEdges') !== undefined) dump.threadEdges = readThreadEdges(own(top, 'threadEdges'), 'threadEdges', dump);
  checkReferences(dump);
  return dump;
}

/* ------------------------------------------------------------------------------------------ */
/* The optional lost awaits section (docs/dump-format.md).                                    */
/* ------------------------------------------------------------------------------------------ */

function lostAwaits(value: unknown, path: string): NonNullable<Dump['lostAwaits']> {
  const o = object(value, path);
  const longestPath = join(path, 'longest');
  return {
    count: num(required(o, 'count', path), join(path, 'count'), 0, true),
    longest: array(required(o, 'longest', path), longestPath).map((e, i) => lostAwait(e, join(longestPath, i))),
  };
}

function lostAwait(value: unknown, path: string): NonNullable<Dump['lostAwaits']>['longest'][number] {
  const o = object(value, path);
  const entry: NonNullable<Dump['lostAwaits']>['longest'][number] = {
    count: num(required(o, 'count', path), join(path, 'count'), 1, true),
    waitedMs: num(required(o, 'waitedMs', path), join(path, 'waitedMs'), 0, false),
    lostAgoMs: num(required(o, 'lostAgoMs', path), join(path, 'lostAgoMs'), 0, false),
  };
  if (own(o, 'kind') !== undefined) entry.kind = oneOf(o, 'kind', path, LOST_AWAIT_KINDS);
  if (own(o, 'awaitLocation') !== undefined) entry.awaitLocation = location(own(o, 'awaitLocation'), join(path, 'awaitLocation'));
  if (own(o, 'creationStack') !== undefined) entry.creationStack = stack(own(o, 'creationStack'), join(path, 'creationStack'));
  return entry;
}
