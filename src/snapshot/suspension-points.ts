/**
 * Where a function can be suspended, read from its source.
 *
 * Asking V8 where one suspended async function is suspended (`[[GeneratorLocation]]`) costs a
 * walk of the whole heap (`getObjectByHeapObjectId`), tens of milliseconds each. But an async
 * function can only be suspended at one of its `await`s, and the wait-for graph says what it
 * awaits: so the answer often comes from the source text alone — for any number of invocations.
 *
 * Two rules, exact by construction. Parse the script (acorn), find the function V8 reports at
 * `[[FunctionLocation]]` (the start of its parameter list), list its suspension points —
 * `await` expressions, `for await` loops and, in async generators, `yield` — without
 * descending into nested functions.
 * 1. Exactly one, and it is an `await`: that is the location, whatever it awaits.
 * 2. Several: keep those whose expression can evaluate to what the task awaits
 *    (`await-shapes.ts`: a task of this script's async function `g` comes only from
 *    `await g(…)` among calls known to be this script's async functions, a `Promise.all`
 *    from `await Promise.all(…)`, …; an `await x` can be anything). Exactly one left, and it is
 *    an `await`: that is the location.
 * Anything else (still ambiguous, a parse failure): unknown here, V8 is asked instead.
 */
import { createRequire } from 'node:module';
import type { Node, Options } from 'acorn';
import type { CombinatorKind, NodeKind } from '../model.js';
import { type AwaitedNode, type AwaitShape, childrenOf, compatible, ShapeReader } from './await-shapes.js';

/**
 * acorn, loaded on the first dump that needs it (synchronously: a dump never yields), so that
 * loading the register does not grow every program's heap by a parser it may never use.
 */
let acornParse: ((text: string, options: Options) => Node) | undefined;
function parse(text: string, options: Options): Node {
  acornParse ??= (createRequire(import.meta.url)('acorn') as typeof import('acorn')).parse;
  return acornParse(text, options);
}

/** A 0-based position as V8 reports it. */
export interface V8Position {
  lineNumber: number;
  columnNumber: number;
}

/** What a suspended task awaits, as the wait-for graph tells it. */
export interface AwaitedTask {
  kind: NodeKind;
  combinator?: CombinatorKind;
  /** For a task: where its function is defined (`[[FunctionLocation]]`), if known. */
  fn?: V8Position & { scriptId: string };
}

/** How a task was placed from the source. */
export type PlacedBy = 'single' | 'shape';

/** A task's await position, read from the source, and the rule that read it. */
export interface Placement {
  position: V8Position;
  by: PlacedBy;
}

interface SuspensionPoint {
  offset: number;
  /** An `await` (a place V8 can report), not a `for await` or a `yield`. */
  isAwait: boolean;
  shape: AwaitShape;
  /** Inside a loop of its function (`while`, `do`, `for`, `for…in/of`): may be reached again and again. */
  inLoop?: boolean;
}

interface FunctionInfo {
  start: number;
  bodyStart: number;
  points: SuspensionPoint[];
  /** The lock the function holds from its first suspension point on (see {@link lockGuardOf}). */
  guard?: string;
}

interface ParsedScript {
  lineStarts: number[];
  functions: FunctionInfo[];
  /** The suspension points of the top level (modules' top-level await). */
  topLevel: SuspensionPoint[];
}

const FUNCTION_TYPES = new Set(['FunctionDeclaration', 'FunctionExpression', 'ArrowFunctionExpression']);

/** Places suspended tasks at their await from the source, parsing each script at most once. */
export class SuspensionIndex {
  readonly #source: (scriptId: string) => string | undefined;
  readonly #scripts = new Map<string, ParsedScript | undefined>();
  readonly #answers = new Map<string, Placement | undefined>();

  /** @param source - the text of a script by V8 script id (`Debugger.getScriptSource`) */
  constructor(source: (scriptId: string) => string | undefined) {
    this.#source = source;
  }

  /**
   * The single `await` of the function whose `[[FunctionLocation]]` is `at`, as a 0-based V8
   * position, or `undefined` if the function has any other number of suspension points.
   */
  singleAwait(scriptId: string, at: V8Position): V8Position | undefined {
    const placed = this.locate(scriptId, at);
    return placed?.by === 'single' ? placed.position : undefined;
  }

  /**
   * The name of the lock that an invocation of this function holds wherever it is suspended,
   * but at its first suspension point: the function begins with `await X.acquire(…)` and calls
   * `X.release(…)` after its every other suspension point (typically in a `finally`).
   */
  heldLock(scriptId: string, at: V8Position): string | undefined {
    const script = this.#script(scriptId);
    return script ? functionAt(script, at)?.guard : undefined;
  }

  /** The single top-level `await` of a module (its body is the task), if it has exactly one. */
  singleTopLevelAwait(scriptId: string): V8Position | undefined {
    const placed = this.locateTopLevel(scriptId);
    return placed?.by === 'single' ? placed.position : undefined;
  }

  /**
   * Where an invocation of the function whose `[[FunctionLocation]]` is `at` is suspended,
   * given what it awaits: its only `await`, else its only `await` that can evaluate to
   * `awaited`; `undefined` when the source does not decide.
   */
  locate(scriptId: string, at: V8Position, awaited?: AwaitedTask): Placement | undefined {
    const script = this.#script(scriptId);
    if (!script) return undefined;
    const fn = functionAt(script, at);
    return fn && this.#place(script, scriptId, `${fn.start}`, fn.points, awaited);
  }

  /**
   * Whether the `await` at `awaitAt` of the function whose `[[FunctionLocation]]` is `at` sits
   * inside a loop of that function; `undefined` when the source does not say.
   */
  awaitInLoop(scriptId: string, at: V8Position, awaitAt: V8Position): boolean | undefined {
    const script = this.#script(scriptId);
    const fn = script && functionAt(script, at);
    if (!script || !fn) return undefined;
    const offset = (script.lineStarts[awaitAt.lineNumber] ?? NaN) + awaitAt.columnNumber;
    const point = fn.points.find((p) => p.offset === offset);
    return point === undefined ? undefined : point.inLoop === true;
  }

  /** Where a module's body (a task: its top-level await) is suspended, as {@link locate}. */
  locateTopLevel(scriptId: string, awaited?: AwaitedTask): Placement | undefined {
    const script = this.#script(scriptId);
    return script && this.#place(script, scriptId, 'top', script.topLevel, awaited);
  }

  #place(script: ParsedScript, scriptId: string, where: string, points: SuspensionPoint[], awaited: AwaitedTask | undefined): Placement | undefined {
    if (points.length === 1) return points[0]!.isAwait ? { position: toPosition(script.lineStarts, points[0]!.offset), by: 'single' } : undefined;
    if (!awaited || points.length === 0) return undefined;
    const node: AwaitedNode = { kind: awaited.kind };
    if (awaited.combinator) node.combinator = awaited.combinator;
    if (awaited.fn) {
      // Another script's function is none of this script's; one not found here stays unknown.
      const fn = awaited.fn.scriptId === scriptId ? functionAt(script, awaited.fn)?.start : null;
      if (fn !== undefined) node.fn = fn;
    }
    const key = `${scriptId}:${where}|${node.kind}|${node.combinator ?? ''}|${String(node.fn)}`;
    if (this.#answers.has(key)) return this.#answers.get(key);
    const fits = points.filter((p) => compatible(p.shape, node));
    const answer = fits.length === 1 && fits[0]!.isAwait ? { position: toPosition(script.lineStarts, fits[0]!.offset), by: 'shape' as const } : undefined;
    this.#answers.set(key, answer);
    return answer;
  }

  #script(scriptId: string): ParsedScript | undefined {
    if (this.#scripts.has(scriptId)) return this.#scripts.get(scriptId);
    let parsed: ParsedScript | undefined;
    const text = this.#source(scriptId);
    if (text !== undefined) {
      const program = parseLoosely(text);
      if (program) {
        const reader = shapeReader(program);
        parsed = { lineStarts: lineStarts(text), functions: functionsOf(program, reader), topLevel: suspensionPoints(program, reader) };
      }
    }
    this.#scripts.set(scriptId, parsed);
    return parsed;
  }
}

/** The innermost function whose head (from its start to its body) contains the position. */
function functionAt(script: ParsedScript, at: V8Position): FunctionInfo | undefined {
  const offset = (script.lineStarts[at.lineNumber] ?? NaN) + at.columnNumber;
  if (!Number.isFinite(offset)) return undefined;
  let fn: FunctionInfo | undefined;
  for (const f of script.functions) {
    if (f.start <= offset && offset < f.bodyStart && (!fn || f.start >= fn.start)) fn = f;
  }
  return fn;
}

/**
 * The shapes of a program's awaits; `undefined` (every await can be anything) if reading them
 * fails, e.g. a nesting too deep for the recursive walk: rule 1 still applies.
 */
function shapeReader(program: Node): ShapeReader | undefined {
  try {
    return new ShapeReader(program);
  } catch {
    return undefined;
  }
}

/** Parses as a module, else as a script (CommonJS bodies may `return` at top level). */
function parseLoosely(text: string): Node | undefined {
  for (const sourceType of ['module', 'script'] as const) {
    try {
      return parse(text, {
        ecmaVersion: 'latest',
        sourceType,
        allowHashBang: true,
        allowReturnOutsideFunction: sourceType === 'script',
        allowAwaitOutsideFunction: true,
        allowImportExportEverywhere: true,
      });
    } catch {
      // try the next form
    }
  }
  return undefined;
}

function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 || (c === 13 && text.charCodeAt(i + 1) !== 10) || c === 0x2028 || c === 0x2029) starts.push(i + 1);
  }
  return starts;
}

function toPosition(starts: number[], offset: number): V8Position {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid]! <= offset) lo = mid;
    else hi = mid - 1;
  }
  return { lineNumber: lo, columnNumber: offset - starts[lo]! };
}

/**
 * Every async function of the program with the offset where its body starts and its
 * suspension points. Only these numbers and shapes are kept, not the syntax tree: a dump's
 * lookups walk the whole heap, so what the dump itself keeps alive makes each of them slower.
 */
function functionsOf(program: Node, reader: ShapeReader | undefined): FunctionInfo[] {
  const found: FunctionInfo[] = [];
  const stack: Node[] = [program];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (FUNCTION_TYPES.has(node.type) && (node as unknown as { async?: boolean }).async) {
      const body = (node as unknown as { body: Node }).body;
      const info: FunctionInfo = { start: node.start, bodyStart: body.start, points: suspensionPoints(node, reader) };
      const guard = lockGuardOf(node, info.points);
      if (guard) info.guard = guard;
      found.push(info);
    }
    for (const child of childrenOf(node)) stack.push(child);
  }
  return found;
}

const ANY: AwaitShape = { kind: 'any' };
const LOOP_TYPES = new Set(['WhileStatement', 'DoWhileStatement', 'ForStatement', 'ForInStatement', 'ForOfStatement']);

/** The suspension points of a function's own body (nested functions excluded), in source order. */
function suspensionPoints(fn: Node, reader: ShapeReader | undefined): SuspensionPoint[] {
  const generator = (fn as unknown as { generator?: boolean }).generator === true;
  const points: SuspensionPoint[] = [];
  const stack: Node[] = [...childrenOf(fn)];
  const looped = new Set<Node>();
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (FUNCTION_TYPES.has(node.type)) continue;
    const isAwait = node.type === 'AwaitExpression';
    const inLoop = looped.has(node);
    if (isAwait || (node.type === 'ForOfStatement' && (node as unknown as { await?: boolean }).await) || (node.type === 'YieldExpression' && generator)) {
      const point: SuspensionPoint = { offset: node.start, isAwait, shape: isAwait && reader ? reader.shapeOf(node) : ANY };
      if (inLoop) point.inLoop = true;
      points.push(point);
    }
    const loop = inLoop || LOOP_TYPES.has(node.type);
    for (const child of childrenOf(node)) {
      if (loop) looped.add(child);
      stack.push(child);
    }
  }
  return points.sort((a, b) => a.offset - b.offset);
}

/**
 * `X` when a function's first suspension point is `await X.acquire(…)` (`X` a plain name) and
 * its own body calls `X.release(…)` only after every later suspension point: an invocation
 * suspended anywhere else holds `X`. Locks released by a method (async-sema) hand nothing
 * out that the heap could show; this is how their holders are found.
 */
function lockGuardOf(fn: Node, points: SuspensionPoint[]): string | undefined {
  const first = points[0];
  if (!first?.isAwait || points.length < 2) return undefined;
  let acquired: string | undefined;
  const releases: number[] = [];
  const released: Array<{ offset: number; object: string }> = [];
  const stack: Node[] = [...childrenOf(fn)];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (FUNCTION_TYPES.has(node.type)) continue;
    if (node.type === 'AwaitExpression' && node.start === first.offset) {
      acquired = methodCall((node as unknown as { argument: Node }).argument, 'acquire');
    }
    const object = methodCall(node, 'release');
    if (object !== undefined) released.push({ offset: node.start, object });
    for (const child of childrenOf(node)) stack.push(child);
  }
  if (acquired === undefined) return undefined;
  for (const r of released) if (r.object === acquired) releases.push(r.offset);
  if (releases.length === 0) return undefined;
  return Math.min(...releases) > points[points.length - 1]!.offset ? acquired : undefined;
}

/** `X` when `node` is the call `X.method(…)`, `X` a plain name. */
function methodCall(node: Node | undefined, method: string): string | undefined {
  const call = node as unknown as { type?: string; callee?: { type: string; computed?: boolean; object?: { type: string; name?: string }; property?: { type: string; name?: string } } } | undefined;
  const callee = call?.callee;
  if (call?.type !== 'CallExpression' || callee?.type !== 'MemberExpression' || callee.computed) return undefined;
  if (callee.object?.type !== 'Identifier' || callee.property?.type !== 'Identifier' || callee.property.name !== method) return undefined;
  return callee.object.name;
}
