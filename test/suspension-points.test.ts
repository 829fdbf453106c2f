/**
 * A function with a single suspension point is suspended there: the snapshotter reads that
 * from the source instead of asking V8 about every invocation. These cases pin the rule down.
 * Positions are 0-based, as V8 reports them; the function is found by the position V8 gives
 * as its [[FunctionLocation]] (the start of its parameter list).
 */
import { describe, expect, it } from 'vitest';
import { SuspensionIndex } from '../src/snapshot/suspension-points.js';

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
