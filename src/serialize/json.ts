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
  NODE_KINDS,
  NODE_STATES,
  VERDICT_KINDS,
  isTaskKind,
  shapeNode,
  type Cycle,
  type Dump,
  type GraphNode,
  type HookInfo,
  type NodeFields,
  type ProcessInfo,
  type SourceLocation,
  type StackFrame,
  type DumpMetrics,
  type DumpProfile,
  type HistogramSummary,
  type SlowStep,
  type TaskMetrics,
  type LeafInfo,
  type Verdict,
  type BlockedLoop,
} from '../model.js';
import { checkIsDump, NotADumpProblem } from './dump-identity.js';
import { array, bool, fail, join, num, object, oneOf, own, Problem, required, show, str, strings, VersionProblem, type Obj } from './json-checks.js';

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

/**
 * Parses and validates the JSON text of a dump.
 *
 * Unknown properties are ignored and dropped (a newer producer may add optional fields without
 * bumping the version); the returned object is rebuilt from the known fields only, so keys such
 * as `__proto__` in the input never reach the caller.
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
  try {
    return validateDump(raw);
  } catch (error) {
    if (error instanceof NotADumpProblem) {
      throw new DumpInvalidError(`${source === undefined ? '' : `${source} is `}not an awaitwhat dump (${error.message})`);
    }
    if (error instanceof Problem) throw new DumpInvalidError(`${prefix}${error.message}`);
    if (error instanceof VersionProblem) throw new DumpVersionError(`${prefix}${error.message}`);
    // Belt and braces: a bug in the validator must still surface as a dump error, not a crash.
    throw new DumpInvalidError(`${prefix}cannot validate dump: ${String(error)}`, { cause: error });
  }
}

/* Internals: the checks are in json-checks.ts; validation throws its Problem classes, which parseDump maps to public errors. */

function location(value: unknown, path: string): SourceLocation {
  const o = object(value, path);
  return {
    url: str(o, 'url', path),
    line: num(required(o, 'line', path), join(path, 'line'), 1, true),
    column: num(required(o, 'column', path), join(path, 'column'), 1, true),
  };
}

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

function leafInfo(value: unknown, path: string): LeafInfo {
  const o = object(value, path);
  const has = (key: string): boolean => own(o, key) !== undefined;
  const leaf: LeafInfo = { kind: oneOf(o, 'kind', path, LEAF_KINDS), description: str(o, 'description', path) };
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
  return leaf;
}

function verdict(value: unknown, path: string): Verdict {
  const o = object(value, path);
  return {
    kind: oneOf(o, 'kind', path, VERDICT_KINDS),
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
  if (own(top, 'lostAwaits') !== undefined) dump.lostAwaits = lostAwaits(own(top, 'lostAwaits'), 'lostAwaits');
  checkReferences(dump);
  return dump;
}

/* ------------------------------------------------------------------------------------------ */
/* The optional metrics section (docs/metrics.md).                                            */
/* ------------------------------------------------------------------------------------------ */

function count(o: Obj, key: string, path: string): number {
  return num(required(o, key, path), join(path, key), 0, true);
}

function histogramSummary(value: unknown, path: string): HistogramSummary {
  const o = object(value, path);
  const f = (key: string): number => num(required(o, key, path), join(path, key), 0, false);
  return { count: count(o, 'count', path), min: f('min'), mean: f('mean'), p50: f('p50'), p95: f('p95'), p99: f('p99'), max: f('max') };
}

/** A JSON value rebuilt without prototype keys (a slow step's `context`). */
function jsonValue(value: unknown, path: string, depth = 0): unknown {
  if (depth > 16) fail(path, 'nested too deeply');
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') return num(value, path, -Infinity, false);
  if (Array.isArray(value)) return value.map((v, i) => jsonValue(v, join(path, i), depth + 1));
  const o = object(value, path);
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(o)) {
    Object.defineProperty(out, key, { value: jsonValue(o[key], join(path, key), depth + 1), enumerable: true, writable: true, configurable: true });
  }
  return out;
}

function slowStep(value: unknown, path: string): SlowStep {
  const o = object(value, path);
  const has = (key: string): boolean => own(o, key) !== undefined;
  return {
    taskId: count(o, 'taskId', path),
    ...(has('parentTaskId') ? { parentTaskId: count(o, 'parentTaskId', path) } : {}),
    ...(has('taskName') ? { taskName: str(o, 'taskName', path) } : {}),
    ...(has('taskLocation') ? { taskLocation: location(own(o, 'taskLocation'), join(path, 'taskLocation')) } : {}),
    durationNs: num(required(o, 'durationNs', path), join(path, 'durationNs'), 0, false),
    startedAt: num(required(o, 'startedAt', path), join(path, 'startedAt'), 0, false),
    ...(has('awaitLocation') ? { awaitLocation: location(own(o, 'awaitLocation'), join(path, 'awaitLocation')) } : {}),
    ...(has('stack') ? { stack: str(o, 'stack', path) } : {}),
    ...(has('context') ? { context: jsonValue(own(o, 'context'), join(path, 'context')) } : {}),
  };
}

function taskMetrics(value: unknown, path: string): TaskMetrics {
  const o = object(value, path);
  const has = (key: string): boolean => own(o, key) !== undefined;
  return {
    id: count(o, 'id', path),
    ...(has('parentId') ? { parentId: count(o, 'parentId', path) } : {}),
    ...(has('name') ? { name: str(o, 'name', path) } : {}),
    ...(has('location') ? { location: location(own(o, 'location'), join(path, 'location')) } : {}),
    resumptions: count(o, 'resumptions', path),
    busyNs: num(required(o, 'busyNs', path), join(path, 'busyNs'), 0, false),
    waitingNs: num(required(o, 'waitingNs', path), join(path, 'waitingNs'), 0, false),
    ageMs: num(required(o, 'ageMs', path), join(path, 'ageMs'), 0, false),
  };
}

function dumpMetrics(value: unknown, path: string): DumpMetrics {
  const o = object(value, path);
  const n = (key: string): number => num(required(o, key, path), join(path, key), 0, false);
  const tasksCreated = count(o, 'tasksCreated', path);
  const tasksSettled = count(o, 'tasksSettled', path);
  const tasksLive = count(o, 'tasksLive', path);
  if (tasksLive !== tasksCreated - tasksSettled) fail(join(path, 'tasksLive'), 'must equal tasksCreated − tasksSettled');
  return {
    sinceMs: n('sinceMs'),
    tasksCreated,
    tasksSettled,
    tasksLive,
    resumptions: count(o, 'resumptions', path),
    busyNs: n('busyNs'),
    waitingNs: n('waitingNs'),
    stepDurationNs: histogramSummary(required(o, 'stepDurationNs', path), join(path, 'stepDurationNs')),
    waitDurationNs: histogramSummary(required(o, 'waitDurationNs', path), join(path, 'waitDurationNs')),
    eventLoopDelayNs: histogramSummary(required(o, 'eventLoopDelayNs', path), join(path, 'eventLoopDelayNs')),
    eventLoopUtilization: n('eventLoopUtilization'),
    slowStepThresholdMs: n('slowStepThresholdMs'),
    slowStepsTotal: count(o, 'slowStepsTotal', path),
    slowSteps: array(required(o, 'slowSteps', path), join(path, 'slowSteps')).map((s, i) => slowStep(s, join(join(path, 'slowSteps'), i))),
    tasks: array(required(o, 'tasks', path), join(path, 'tasks')).map((t, i) => taskMetrics(t, join(join(path, 'tasks'), i))),
    tasksOmitted: count(o, 'tasksOmitted', path),
  };
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
