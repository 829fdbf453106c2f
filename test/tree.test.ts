import { describe, expect, it } from 'vitest';
import type { Dump, GraphNode } from '../src/model.js';
import { renderTree } from '../src/serialize/tree.js';
import { expectGolden, SAMPLE_NAMES, sample } from './helpers/samples.js';

/** A minimal dump around the given nodes, for behaviours the samples do not cover. */
function dumpOf(nodes: GraphNode[], extra: Partial<Dump> = {}): Dump {
  return {
    ...sample('cycle'),
    nodes,
    roots: nodes.filter((n) => n.awaitedBy.length === 0).map((n) => n.id),
    cycles: [],
    ...extra,
  };
}

function task(id: string, name: string, line: number, awaits: string[], awaitedBy: string[]): GraphNode {
  const url = 'file:///srv/shop/src/app.js';
  return { id, kind: 'async-function', name, state: 'suspended', awaitLocation: { url, line, column: 3 }, awaits, awaitedBy };
}

describe('renderTree', () => {
  it.each(SAMPLE_NAMES)('renders %s as in test/golden/<name>.tree.txt', (name) => {
    expectGolden(`${name}.tree.txt`, renderTree(sample(name)));
  });

  it('starts with the pid, argv, time, task count and cycle count', () => {
    const text = renderTree(sample('promise-all'));
    expect(text).toContain('pid 4242');
    expect(text).toContain('/srv/shop/src/server.js --port 8080');
    expect(text).toContain('2025-11-25T10:02:44.007Z');
    expect(text).toMatch(/2 tasks, 2 pending promises/);
    expect(text).toMatch(/cycles {2}none/);
  });

  it('states a cycle in the verdict, before the chains, as "cycle: a (loc) → b (loc) → a"', () => {
    const text = renderTree(sample('cycle'));
    const verdict = text.indexOf('Verdict');
    const line = text.split('\n').find((l) => l.includes('cycle:'));
    expect(line).toBe(
      '  cycle: async startCache (src/startup.js:14:22) → async startDb (src/startup.js:22:18) → ' +
        '.then (src/startup.js:22:50) → async startCache',
    );
    expect(text.indexOf('cycle:')).toBeGreaterThan(verdict);
    expect(text.indexOf('cycle:')).toBeLessThan(text.indexOf('Waiting in cycles'));
  });

  it('prints each cycle member once and marks the way back instead of recursing', () => {
    const text = renderTree(sample('cycle'));
    expect(text.match(/async startCache {2}at/g)).toHaveLength(1);
    expect(text).toContain('↺ async startCache (cycle: back to n1 above)');
  });

  it('shows paths relative to the dumped cwd, and node: URLs as they are', () => {
    const text = renderTree(sample('then-chain'));
    expect(text).toContain('at scripts/migrate.mjs:40:16');
    expect(text).toContain('node:internal/deps/undici/undici:13484:13');
    expect(text).not.toContain('file://');
  });

  it('keeps absolute paths for files outside the cwd, and honours options.cwd', () => {
    expect(renderTree(sample('promise-all'), { cwd: '/elsewhere' })).toContain('at /srv/shop/src/orders.js:31:30');
    expect(renderTree(sample('promise-all'), { cwd: '/srv' })).toContain('at shop/src/orders.js:31:30');
  });

  it('shows how long each task has waited', () => {
    expect(renderTree(sample('promise-all'))).toContain('async handleOrder  at src/orders.js:31:30  waiting 12.3s');
  });

  it('shows a combinator with its pending branches as children', () => {
    const lines = renderTree(sample('promise-all')).split('\n');
    const all = lines.findIndex((l) => l.includes('Promise.all (1 pending input)'));
    expect(all).toBeGreaterThan(0);
    expect(lines[all + 1]).toMatch(/^ {3}└─ async reserveStock/);
  });

  it('groups 40 identical tasks into one "×40" line and draws the promise they share once', () => {
    const text = renderTree(sample('fan-in'));
    expect(text).toContain('×40 async worker  at src/workers.js:9:3');
    expect(text.match(/async warmUp {2}at/g)).toHaveLength(1);
  });

  it('refers back to a shared subtree instead of drawing it again', () => {
    const shared = { ...task('s', 'loadConfig', 9, [], ['a', 'b']) };
    const text = renderTree(
      dumpOf([task('a', 'serveA', 1, ['s'], []), task('b', 'serveB', 2, ['s'], []), shared]),
    );
    expect(text.match(/async loadConfig {2}at/g)).toHaveLength(1);
    expect(text).toContain('↑ async loadConfig (see above: s)');
  });

  it('does not group chains that differ in location', () => {
    const text = renderTree(
      dumpOf([task('a', 'job', 1, ['x'], []), task('x', 'step', 5, [], ['a']), task('b', 'job', 2, ['y'], []), task('y', 'step', 5, [], ['b'])]),
    );
    expect(text).not.toContain('×2');
    expect(text.match(/async job {2}at/g)).toHaveLength(2);
  });

  it('cuts very deep chains instead of overflowing', () => {
    const nodes: GraphNode[] = [];
    for (let i = 0; i < 5000; i++) {
      nodes.push(task(`n${i}`, 'retry', 7, i < 4999 ? [`n${i + 1}`] : [], i > 0 ? [`n${i - 1}`] : []));
    }
    const text = renderTree(dumpOf(nodes));
    expect(text).toContain('chain continues deeper');
  });

  it('survives a loop the dump forgot to list as a cycle', () => {
    const text = renderTree(dumpOf([task('a', 'ping', 1, ['b'], ['b']), task('b', 'pong', 2, ['a'], ['a'])], { roots: [] }));
    expect(text).toContain('async ping');
    expect(text).toContain('async pong');
  });

  it('says so when nothing is waiting', () => {
    expect(renderTree(dumpOf([]))).toContain('nothing is waiting');
  });

  it('colours only when asked', () => {
    expect(renderTree(sample('cycle'))).not.toContain('\u001b[');
    expect(renderTree(sample('cycle'), { color: true })).toContain('\u001b[31m');
  });

  it('is deterministic', () => {
    expect(renderTree(sample('fan-in'))).toBe(renderTree(sample('fan-in')));
  });
});
