/**
 * V8's own async stack walk, started from any promise: the fast dump's way to find who awaits
 * what, and at which `await`, with no heap snapshot (`src/snapshot/fast-dump.ts`).
 *
 * When an `Error` is captured inside a promise reaction job, V8 appends "async" frames: from the
 * job's derived promise, it follows each pending promise's single reaction to the async function
 * that awaits it (through the await closure's context, to its suspended generator), appends that
 * function at the exact position it is suspended at, and goes on from the promise that function
 * will settle — through `Promise.all` / `allSettled` / `any` elements and plain `.then` links
 * too. It stops at a settled promise, or one with several reactions.
 *
 * To start that walk at a promise `p` of the program without touching it: a `.then` on a fresh
 * promise `d` whose derived promise's capability holds `p` (the species constructor of `d` says
 * "the derived promise is `p`"). V8 then walks `d` → our reaction → `p` → the program's
 * awaiters. `p` itself gets no reaction and no resolution: the capability's resolving functions
 * are ours and do nothing.
 *
 * The jobs run in a `vm` context with its own microtask queue (`afterEvaluate`): the queue is
 * drained before `runInContext` returns, so a walk is synchronous (the in-process dump must not
 * let the program run) and no job of the program runs in between.
 *
 * Installed lazily on `globalThis` under a registry symbol, like the hook state, so that a dump
 * from another thread or process (`Runtime.callFunctionOn`) can call it by name.
 *
 * @internal
 */
import { createContext, runInContext, type Context } from 'node:vm';
import { ASYNC_WALK_KEY } from '../internal/protocol-strings.js';

/** One async frame: function name, script URL, line, column (1-based), combinator or ''. */
export type WalkFrame = [name: string, url: string, line: number, column: number, combinator: '' | 'all' | 'allSettled' | 'any', index: number];

/** What a walk over many promises answers. */
export interface WalkResult {
  /** Promises looked at. */
  promises: number;
  /** Promises left out because the hook layer stamped them (`.then`-derived: see fast-dump.ts). */
  derived: number;
  /** Non-empty walks, one per promise that a task or combinator awaits alone. */
  walks: WalkFrame[][];
}

/** Frames a walk follows at most (a cycle of awaits would otherwise go round forever). */
export const WALK_DEPTH = 200;

/** The walker, as source run inside its own context (its `Promise`, `Error`, microtask queue). */
const WALKER_SOURCE = `(function walkAll(promises, stamped, depth) {
  'use strict';
  const walks = [];
  let derived = 0;
  const frames = (_error, sites) => sites;
  const COMBINATORS = ['all', 'allSettled', 'any'];
  const keep = (sites) => {
    const out = [];
    for (const s of sites) {
      if (!s.isAsync()) continue;
      const url = s.getScriptNameOrSourceURL() || s.getFileName() || '';
      const name = s.getFunctionName() || '';
      if (url === '' && COMBINATORS.includes(name)) out.push(['', '', 0, 0, name, s.getPromiseIndex() ?? -1]);
      else if (url !== '') out.push([name, url, s.getLineNumber() ?? 0, s.getColumnNumber() ?? 0, '', -1]);
    }
    return out;
  };
  const noop = () => {};
  for (let i = 0; i < promises.length; i++) {
    const p = promises[i];
    if (stamped(p)) { derived++; continue; }
    const d = Promise.resolve().then(() => {
      const saved = Error.prepareStackTrace, limit = Error.stackTraceLimit;
      Error.prepareStackTrace = frames;
      Error.stackTraceLimit = depth + 2;
      try {
        const site = {};
        Error.captureStackTrace(site);
        const f = keep(site.stack);
        if (f.length > 0) walks.push(f);
      } finally {
        Error.prepareStackTrace = saved;
        Error.stackTraceLimit = limit;
      }
    });
    function Species(executor) { executor(noop, noop); return p; }
    Object.defineProperty(d, 'constructor', { value: { [Symbol.species]: Species } });
    d.then(noop);
  }
  return { promises: promises.length, derived, walks };
})`;

type Walker = (promises: ArrayLike<unknown>, stamped: (p: unknown) => boolean, depth: number) => WalkResult;

let context: Context | undefined;
let walker: Walker | undefined;

/**
 * Walks from each of `promises` (an array, e.g. `Runtime.queryObjects`' answer) and answers the
 * non-empty walks. `stamped` tells promises to leave out. Synchronous; never runs the program's
 * code (its own `Promise`, `Error` and microtask queue; the species getter is ours).
 */
export function walkFromPromises(promises: ArrayLike<unknown>, stamped: (p: unknown) => boolean): WalkResult {
  if (context === undefined || walker === undefined) {
    context = createContext({}, { microtaskMode: 'afterEvaluate' });
    walker = runInContext(WALKER_SOURCE, context) as Walker;
  }
  const box = context as { args?: unknown[] | undefined; result?: { value: WalkResult } | undefined; walker?: Walker };
  box.walker = walker;
  box.args = [promises, stamped, WALK_DEPTH];
  try {
    // The jobs queued by the walker run when this evaluation returns, before runInContext does.
    runInContext('result = { value: walker(...args) }', context);
    const result = box.result?.value;
    if (result === undefined) throw new Error('the async walk answered nothing');
    return result;
  } finally {
    box.args = undefined;
    box.result = undefined;
  }
}

/** Makes the walker reachable by name (`globalThis[Symbol.for(ASYNC_WALK_KEY)]`); idempotent. */
export function installAsyncWalk(): void {
  const key = Symbol.for(ASYNC_WALK_KEY);
  if (Object.prototype.hasOwnProperty.call(globalThis, key)) return;
  Object.defineProperty(globalThis, key, { value: walkFromPromises, configurable: true, enumerable: false });
}
