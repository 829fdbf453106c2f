/**
 * Which chains a timed-out test's failure calls its own (src/test-runners/stuck-report.ts): the
 * chains starting at an invocation of the test's function, through a runner's own async code
 * above it; other running tests' and leftovers apart; the text terminal-safe. Unit level, on
 * hand-made dumps; test/test-runners.test.ts runs the real runners.
 */
import { describe, expect, it } from 'vitest';
import type { Dump, GraphNode } from '../src/model.js';
import { attributeChains, programRoots, stuckTestReport } from '../src/test-runners/stuck-report.js';

const FILE = 'file:///app/test/user.test.mjs';
const at = (url: string, line: number, column = 3) => ({ url, line, column });

function task(id: string, name: string, fn: [string, number, number], awaitLine: number, awaits: string[], awaitedBy: string[]): GraphNode {
  return {
    id,
    kind: 'async-function',
    name,
    state: 'suspended',
    functionLocation: at(fn[0], fn[1], fn[2]),
    awaitLocation: at(fn[0], awaitLine),
    waitingMs: 1200,
    awaits,
    awaitedBy,
  };
}

/**
 * The runner's `run` (node:) awaits the body of the test at line 10 (→ fetchUser → a socket); a
 * leftover fetchUser from an earlier test; a second running test's body at line 20; a task of a
 * runner in node_modules.
 */
function dump(testName = 'loads the user'): Dump {
  const nodes: GraphNode[] = [
    task('n1', 'run', ['node:internal/test_runner/test', 700, 12], 735, ['n2'], []),
    task('n2', '<anonymous>', [FILE, 10, 40], 11, ['n3'], ['n1']),
    task('n3', 'fetchUser', ['file:///app/lib/client.mjs', 5, 8], 6, ['n9'], ['n2']),
    task('n4', 'fetchUser', ['file:///app/lib/client.mjs', 5, 8], 6, ['n8'], []),
    task('n5', '<anonymous>', [FILE, 20, 40], 21, ['n7'], ['n6']),
    task('n6', 'runTest', ['file:///app/node_modules/@vitest/runner/dist/chunk.js', 1500, 20], 1510, ['n5'], []),
    { id: 'n7', kind: 'promise', name: 'Promise', state: 'pending', awaits: [], awaitedBy: ['n5'], leaf: { kind: 'timer', description: 'timer: 60s delay' } },
    { id: 'n8', kind: 'promise', name: 'Promise', state: 'pending', awaits: [], awaitedBy: ['n4'], leaf: { kind: 'socket', description: "Socket, event 'data'" } },
    {
      id: 'n9',
      kind: 'promise',
      name: 'Promise',
      state: 'pending',
      awaits: [],
      awaitedBy: ['n3'],
      leaf: { kind: 'socket', description: `Socket, event 'data' \u001b[2J${testName}` },
    },
  ];
  return {
    version: 1,
    tool: { name: 'awaitwhat', version: '0.1.0' },
    createdAt: '2026-11-30T07:00:00.000Z',
    trigger: 'api',
    durationMs: 40,
    process: { pid: 1, argv: ['node'], cwd: '/app', nodeVersion: 'v20.20.2', platform: 'linux', uptimeMs: 3000 },
    hooks: { installed: true, creationStacks: false },
    nodes,
    roots: ['n1', 'n4', 'n6'],
    cycles: [],
    warnings: [],
  };
}

describe('programRoots', () => {
  it("starts at the program's outermost tasks, below Node's and node_modules' code", () => {
    expect(programRoots(dump()).map((n) => n.id)).toEqual(['n2', 'n4', 'n5']);
  });
});

describe('attributeChains', () => {
  it("the test's own chain is its body's; another running test's and leftovers apart", () => {
    const chains = attributeChains(dump(), { name: 'loads the user', body: { url: FILE, line: 10, column: 40 }, otherBodies: [{ line: 20, column: 40 }] });
    expect(chains).toEqual({ own: ['n2'], running: ['n5'], leftovers: ['n4'] });
  });

  it('a function known by line and column but another URL (a helper module) still matches', () => {
    const chains = attributeChains(dump(), { name: 'x', body: { url: 'file:///app/test/helpers.mjs', line: 10, column: 40 } });
    expect(chains.own).toEqual(['n2']);
  });

  it("a subtest's body, awaited by its parent's through the runner, is the subtest's own; the parent is no leftover", () => {
    const d = dump();
    // The body at line 10 awaits the runner's run (node:), which awaits a subtest body at line 30.
    const outer = d.nodes.find((n) => n.id === 'n2')!;
    outer.awaits = ['n10'];
    d.nodes.push(
      task('n10', 'run', ['node:internal/test_runner/test', 700, 12], 735, ['n11'], ['n2']),
      task('n11', '<anonymous>', [FILE, 30, 40], 31, ['n3'], ['n10']),
    );
    d.nodes.find((n) => n.id === 'n3')!.awaitedBy = ['n11'];
    const chains = attributeChains(d, { name: 'inner', body: { url: FILE, line: 30, column: 40 } });
    expect(chains.own).toEqual(['n11']);
    expect(chains.leftovers).toEqual(['n4', 'n5']);
  });

  it('an unknown function: nothing is the test’s', () => {
    expect(attributeChains(dump(), { name: 'x', body: { line: 99, column: 1 } }).own).toEqual([]);
  });
});

describe('stuckTestReport', () => {
  it('draws the chain from the body to the leaf in view’s words, leftovers after, terminal-safe', () => {
    const text = stuckTestReport(dump('\u001b]0;pwned\u0007'), { name: 'loads \u001b[31mthe user', body: { url: FILE, line: 10, column: 40 } }, '/app');
    expect(text).toContain('awaitwhat: "loads \\u001b[31mthe user" is waiting at (dump paused the test process 40ms):');
    expect(text).toContain(
      ['  async <anonymous>  at test/user.test.mjs:11:3  waiting 1.2s', '  └─ async fetchUser  at lib/client.mjs:6:3  waiting 1.2s'].join('\n'),
    );
    const own = text.slice(0, text.indexOf("other tests' leftovers"));
    expect(own).not.toContain('node:internal');
    expect(text.indexOf("other tests' leftovers")).toBeGreaterThan(text.indexOf('lib/client.mjs:6:3'));
    // eslint-disable-next-line no-control-regex
    expect(text).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f]/);
  });
});
