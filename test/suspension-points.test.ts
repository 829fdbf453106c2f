/**
 * A function with a single suspension point is suspended there: the snapshotter reads that
 * from the source instead of asking V8 about every invocation. These cases pin the rule down.
 * Positions are 0-based, as V8 reports them; the function is found by the position V8 gives
 * as its [[FunctionLocation]] (the start of its parameter list).
 */
import { describe, expect, it } from 'vitest';
import { type AwaitedTask, SuspensionIndex } from '../src/snapshot/suspension-points.js';

/** Index over one script; `fn` marks the function by the first `(` after the given text. */
function singleAwait(source: string, fnHead: string) {
  const index = new SuspensionIndex(() => source);
  const offset = source.indexOf(fnHead) + fnHead.length;
  const before = source.slice(0, offset);
  const lineNumber = before.split('\n').length - 1;
  const columnNumber = offset - (before.lastIndexOf('\n') + 1);
  const at = index.singleAwait('1', { lineNumber, columnNumber });
  return at && source.split('\n')[at.lineNumber]!.slice(at.columnNumber, at.columnNumber + 7);
}

describe('single suspension points', () => {
  it('one await: that await', () => {
    expect(singleAwait('async function f(a) {\n  const x = 1;\n  return await a;\n}', 'async function f')).toBe('await a');
  });

  it('two awaits, or none: unknown (V8 is asked)', () => {
    expect(singleAwait('async function f(a) { await a; await a; }', 'async function f')).toBeUndefined();
    expect(singleAwait('async function f(a) { return a; }', 'async function f')).toBeUndefined();
  });

  it('awaits of nested functions do not count; the nested function has its own', () => {
    const src = 'async function outer(a) { const g = async (b) => { await b; await b; }; await a; }';
    expect(singleAwait(src, 'async function outer')).toBe('await a');
    expect(singleAwait(src, 'const g = async ')).toBeUndefined();
  });

  it('for await and yield are suspension points too', () => {
    expect(singleAwait('async function f(s) { for await (const x of s) {} }', 'async function f')).toBeUndefined();
    expect(singleAwait('async function* g(p) { yield 1; await p; }', 'async function* g')).toBeUndefined();
    expect(singleAwait('async function* g(p) { await p; }', 'async function* g')).toBe('await p');
  });

  it('arrows with expression bodies, methods, and CommonJS scripts that return at top level', () => {
    expect(singleAwait('const f = async (p) => await p;', 'const f = async ')).toBe('await p');
    expect(singleAwait('class A { async load(p) { await p; } }', 'async load')).toBe('await p');
    expect(singleAwait('if (x) return;\nasync function f(p) { await p; }', 'async function f')).toBe('await p');
  });

  it('a script that does not parse: unknown', () => {
    expect(singleAwait('async function f(p) { await p; } )))', 'async function f')).toBeUndefined();
  });

  it("a module's top level: its single top-level await, not the awaits inside its functions", () => {
    const index = new SuspensionIndex(() => 'async function f(p) { await p; await p; }\nconst x = await f(1);\n');
    expect(index.singleTopLevelAwait('1')).toEqual({ lineNumber: 1, columnNumber: 10 });
    const two = new SuspensionIndex(() => 'await a;\nawait b;\n');
    expect(two.singleTopLevelAwait('1')).toBeUndefined();
  });
});

/**
 * Several suspension points: the one whose expression can evaluate to what the task awaits.
 * `placed(src, fnHead, awaited)` returns the text at the await chosen, `undefined` if none is
 * certain. An awaited task's function is given by its head text, as `fnHead`.
 */
function placed(source: string, fnHead: string, awaited: { kind: AwaitedTask['kind']; combinator?: AwaitedTask['combinator']; fnHead?: string }) {
  const index = new SuspensionIndex(() => source);
  const position = (head: string) => {
    const offset = source.indexOf(head) + head.length;
    const before = source.slice(0, offset);
    return { lineNumber: before.split('\n').length - 1, columnNumber: offset - (before.lastIndexOf('\n') + 1) };
  };
  const task: AwaitedTask = { kind: awaited.kind };
  if (awaited.combinator) task.combinator = awaited.combinator;
  if (awaited.fnHead) task.fn = { scriptId: '1', ...position(awaited.fnHead) };
  const at = index.locate('1', position(fnHead), task);
  if (!at) return undefined;
  const line = source.split('\n')[at.position.lineNumber]!;
  return line.slice(at.position.columnNumber, line.indexOf(';', at.position.columnNumber));
}

const LIB = 'async function a() { await 1; return 1; }\nasync function b() { await 1; return 2; }\n';

describe('several suspension points: the only one that fits what the task awaits', () => {
  it("a task of this script's async function: the await calling it, not the others", () => {
    const src = `${LIB}async function h() { await a(); await b(); await a(); }`;
    expect(placed(src, 'async function h', { kind: 'async-function', fnHead: 'async function b' })).toBe('await b()');
    // Two awaits of the same callee: ambiguous.
    expect(placed(src, 'async function h', { kind: 'async-function', fnHead: 'async function a' })).toBeUndefined();
  });

  it('const/let arrows and function expressions count as the script\'s async functions', () => {
    const src = `${LIB}const c = async () => { await 1; return 3; };\nasync function h() { await a(); await c(); }`;
    expect(placed(src, 'async function h', { kind: 'async-function', fnHead: 'const c = async ' })).toBe('await c()');
  });

  it('an identifier, a member call, .then: can be anything, so they keep it ambiguous', () => {
    for (const other of ['await p', 'await this.a()', 'await obj.a()', 'await a().then(f)', 'await Promise.resolve(a())', 'await x?.()']) {
      const src = `${LIB}async function h(p, obj, f, x) { await b(); ${other}; }`;
      expect(placed(src, 'async function h', { kind: 'async-function', fnHead: 'async function b' }), other).toBeUndefined();
    }
    // …but an await of anything is the only one left when the rest are certainly something else.
    const src = `${LIB}async function h(p) { await b(); await p; }`;
    expect(placed(src, 'async function h', { kind: 'async-function', fnHead: 'async function a' })).toBe('await p');
  });

  it('a name is resolved only when certain: shadowed, reassigned, imported, out of scope, with/eval → anything', () => {
    const cases = [
      `${LIB}function outer(a) { return async function h() { await a(); await b(); }; }`, // a is a parameter here
      `${LIB}a = async () => { await 1; };\nasync function h() { await a(); await b(); }`,
      `import { a as z } from './lib.js';\n${LIB}async function h() { await z(); await b(); }`,
      `${LIB}{ const d = async () => { await 1; }; }\nasync function h() { await d(); await b(); }`,
      `${LIB}async function h() { with ({}) {} await a(); await b(); }`,
      `${LIB}async function h() { eval(''); await a(); await b(); }`,
    ];
    // The call not resolved fits anything, b's task included: no answer.
    for (const src of cases) expect(placed(src, 'async function h', { kind: 'async-function', fnHead: 'async function b' }), src).toBeUndefined();
    // Resolved, it would not have fitted.
    expect(placed(`${LIB}async function h() { await a(); await b(); }`, 'async function h', { kind: 'async-function', fnHead: 'async function b' })).toBe('await b()');
  });

  it('a task of a function defined in another script is never one of this script\'s calls', () => {
    const index = new SuspensionIndex(() => `${LIB}async function h(p) { await a(); await p; }`);
    const at = index.locate('1', { lineNumber: 2, columnNumber: 16 }, { kind: 'async-function', fn: { scriptId: '2', lineNumber: 0, columnNumber: 16 } });
    expect(at?.position).toEqual({ lineNumber: 2, columnNumber: 33 });
  });

  it('combinators: Promise.all/allSettled/any by kind; race also as a single adoption', () => {
    const src = `${LIB}async function h(p) { await a(); await Promise.all(p); await Promise.race(p); await Promise.any(p); }`;
    expect(placed(src, 'async function h', { kind: 'combinator', combinator: 'all' })).toBe('await Promise.all(p)');
    expect(placed(src, 'async function h', { kind: 'combinator', combinator: 'any' })).toBe('await Promise.any(p)');
    expect(placed(src, 'async function h', { kind: 'resolve' })).toBe('await Promise.race(p)');
    // A replaced global Promise (bluebird) returns a thenable: the task awaits a plain promise.
    expect(placed(`${LIB}async function h(p) { await a(); await Promise.all(p); }`, 'async function h', { kind: 'promise' })).toBe('await Promise.all(p)');
    expect(placed(`${LIB}async function h(p) { await new Promise(p); await Promise.all(p); }`, 'async function h', { kind: 'promise' })).toBeUndefined();
    // A script that declares its own Promise: nothing is certain about it.
    expect(placed(`class Promise {}\n${src}`, 'async function h', { kind: 'combinator', combinator: 'all' })).toBeUndefined();
  });

  it('fresh promises: new Promise, timers/promises, events.once (ESM and CommonJS), not calls of functions that return non-thenables', () => {
    const tail = 'async function h(e) { await a(); await b(); await X; }';
    for (const [head, call] of [
      ['', 'new Promise(() => {})'],
      ["import { setTimeout as sleep } from 'node:timers/promises';\n", 'sleep(10)'],
      ["import * as timers from 'timers/promises';\n", 'timers.setImmediate()'],
      ["import { once } from 'node:events';\n", "once(e, 'x')"],
      ["import events from 'events';\n", "events.once(e, 'x')"],
      ["const { once: when } = require('events');\n", "when(e, 'x')"],
      ["const tp = require('node:timers/promises');\n", 'tp.setTimeout(5)'],
    ]) {
      const src = `${head}${LIB}${tail.replace('X', call!)}`;
      expect(placed(src, 'async function h', { kind: 'promise' }), call).toBe(`await ${call}`);
    }
    // With its own `require`, the script's `once` is not certainly Node's: it may be b's task.
    const cjs = `const { once } = require('events');\n${LIB}${tail.replace('X', "once(e, 'x')")}`;
    expect(placed(cjs, 'async function h', { kind: 'async-function', fnHead: 'async function b' })).toBe('await b()');
    expect(placed(`const require = (m) => m;\n${cjs}`, 'async function h', { kind: 'async-function', fnHead: 'async function b' })).toBeUndefined();
  });

  it('an async function that may return a thenable may be adopting it: then it fits a plain promise too', () => {
    const src = 'async function q(db) { await 1; return db.query(); }\nasync function h(db) { await q(db); await new Promise(() => {}); }';
    expect(placed(src, 'async function h', { kind: 'promise' })).toBeUndefined();
    expect(placed(src, 'async function h', { kind: 'async-function', fnHead: 'async function q' })).toBe('await q(db)');
  });

  it('the only fitting point must be an await: a for-await or yield left alone fits anything but is not reported', () => {
    const src = `${LIB}async function h(s) { await a(); for await (const x of s) {} }`;
    expect(placed(src, 'async function h', { kind: 'async-generator' })).toBeUndefined();
  });
});
