/**
 * Where a function can be suspended, read from its source.
 *
 * Asking V8 where one suspended async function is suspended (`[[GeneratorLocation]]`) costs a
 * walk of the whole heap (`getObjectByHeapObjectId`), tens of milliseconds each. But an async
 * function can only be suspended at one of its `await`s: when its body has exactly one
 * suspension point, every suspended invocation of it is suspended *there*, and the answer
 * comes from the source text alone — for any number of invocations.
 *
 * The rule, exact by construction: parse the script (acorn), find the function V8 reports at
 * `[[FunctionLocation]]` (the start of its parameter list), count its suspension points —
 * `await` expressions, `for await` loops and, in async generators, `yield` — without
 * descending into nested functions. Exactly one, and it is an `await`: that is the location.
 * Anything else (several, none, a parse failure): unknown here, V8 is asked instead.
 */
import { createRequire } from 'node:module';
import type { Node, Options } from 'acorn';

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

interface FunctionInfo {
  start: number;
  bodyStart: number;
  /** Offset of its only suspension point when that is an `await`, else -1. */
  singleAwait: number;
}

interface ParsedScript {
  lineStarts: number[];
  functions: FunctionInfo[];
  /** The single suspension point of the top level (modules' top-level await), or -1. */
  topLevelAwait: number;
}

const FUNCTION_TYPES = new Set(['FunctionDeclaration', 'FunctionExpression', 'ArrowFunctionExpression']);

/** Finds single suspension points, parsing each script at most once. */
export class SuspensionIndex {
  readonly #source: (scriptId: string) => string | undefined;
  readonly #scripts = new Map<string, ParsedScript | undefined>();
  readonly #answers = new Map<string, V8Position | undefined>();

  /** @param source - the text of a script by V8 script id (`Debugger.getScriptSource`) */
  constructor(source: (scriptId: string) => string | undefined) {
    this.#source = source;
  }

  /**
   * The single `await` of the function whose `[[FunctionLocation]]` is `at`, as a 0-based V8
   * position, or `undefined` if the function has any other number of suspension points.
   */
  singleAwait(scriptId: string, at: V8Position): V8Position | undefined {
    const key = `${scriptId}:${at.lineNumber}:${at.columnNumber}`;
    if (this.#answers.has(key)) return this.#answers.get(key);
    const answer = this.#compute(scriptId, at);
    this.#answers.set(key, answer);
    return answer;
  }

  /** The single top-level `await` of a module (its body is the task), if it has exactly one. */
  singleTopLevelAwait(scriptId: string): V8Position | undefined {
    const key = `${scriptId}:top`;
    if (this.#answers.has(key)) return this.#answers.get(key);
    const script = this.#script(scriptId);
    const answer = script && script.topLevelAwait >= 0 ? toPosition(script.lineStarts, script.topLevelAwait) : undefined;
    this.#answers.set(key, answer);
    return answer;
  }

  #compute(scriptId: string, at: V8Position): V8Position | undefined {
    const script = this.#script(scriptId);
    if (!script) return undefined;
    const offset = (script.lineStarts[at.lineNumber] ?? NaN) + at.columnNumber;
    if (!Number.isFinite(offset)) return undefined;
    // The innermost function whose head (from its start to its body) contains the position.
    let fn: FunctionInfo | undefined;
    for (const f of script.functions) {
      if (f.start <= offset && offset < f.bodyStart && (!fn || f.start >= fn.start)) fn = f;
    }
    if (!fn || fn.singleAwait < 0) return undefined;
    return toPosition(script.lineStarts, fn.singleAwait);
  }

  #script(scriptId: string): ParsedScript | undefined {
    if (this.#scripts.has(scriptId)) return this.#scripts.get(scriptId);
    let parsed: ParsedScript | undefined;
    const text = this.#source(scriptId);
    if (text !== undefined) {
      const program = parseLoosely(text);
      if (program) {
        const top = suspensionPoints(program);
        const topLevelAwait = top.length === 1 && top[0]!.type === 'AwaitExpression' ? top[0]!.start : -1;
        parsed = { lineStarts: lineStarts(text), functions: functionsOf(program), topLevelAwait };
      }
    }
    this.#scripts.set(scriptId, parsed);
    return parsed;
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

/** Child nodes of an ESTree node, generically (every property holding nodes). */
function* children(node: Node): IterableIterator<Node> {
  for (const key of Object.keys(node)) {
    if (key === 'loc' || key === 'range') continue;
    const value = (node as unknown as Record<string, unknown>)[key];
    if (Array.isArray(value)) {
      for (const item of value) if (isNode(item)) yield item;
    } else if (isNode(value)) {
      yield value;
    }
  }
}

function isNode(value: unknown): value is Node {
  return typeof value === 'object' && value !== null && typeof (value as { type?: unknown }).type === 'string';
}

/**
 * Every async function of the program with the offset where its body starts and its single
 * await, if any. Only these numbers are kept, not the syntax tree: a dump's lookups walk the
 * whole heap, so what the dump itself keeps alive makes each of them slower.
 */
function functionsOf(program: Node): FunctionInfo[] {
  const found: FunctionInfo[] = [];
  const stack: Node[] = [program];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (FUNCTION_TYPES.has(node.type) && (node as unknown as { async?: boolean }).async) {
      const body = (node as unknown as { body: Node }).body;
      const points = suspensionPoints(node);
      const single = points.length === 1 && points[0]!.type === 'AwaitExpression' ? points[0]!.start : -1;
      found.push({ start: node.start, bodyStart: body.start, singleAwait: single });
    }
    for (const child of children(node)) stack.push(child);
  }
  return found;
}

/** The suspension points of a function's own body (nested functions excluded). */
function suspensionPoints(fn: Node): Node[] {
  const generator = (fn as unknown as { generator?: boolean }).generator === true;
  const points: Node[] = [];
  const stack: Node[] = [...children(fn)];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (FUNCTION_TYPES.has(node.type)) continue;
    if (node.type === 'AwaitExpression') points.push(node);
    else if (node.type === 'ForOfStatement' && (node as unknown as { await?: boolean }).await) points.push(node);
    else if (node.type === 'YieldExpression' && generator) points.push(node);
    for (const child of children(node)) stack.push(child);
  }
  return points;
}
