/**
 * The chain filters of `awaitwhat view` (src/serialize/tree-filter.ts): which chains the tree
 * draws, what it says it hid, and that the header and verdict never change.
 */
import { describe, expect, it } from 'vitest';
import { UsageError } from '../src/errors.js';
import type { Dump, GraphNode } from '../src/model.js';
import { filterChains, grepMatcher, parseWait, type ChainFilter } from '../src/serialize/tree-filter.js';
import { renderTree } from '../src/serialize/tree.js';
import { expectGolden, sample } from './helpers/samples.js';

function filtered(dump: Dump, filter: Omit<ChainFilter, 'label'>, label: string): string {
  return renderTree(dump, { chains: filterChains(dump, { ...filter, label }) });
}

/** Everything above the chains: header and verdict. */
function head(text: string): string {
  return text.slice(0, text.indexOf('\nMain thread busy'));
}

const goldens: Array<[string, Omit<ChainFilter, 'label'>, string]> = [
  ['diagnosed.grep-reserveStock.tree.txt', { grep: 'reserveStock' }, '--grep reserveStock'],
  ['diagnosed.grep-regexp.tree.txt', { grep: '/startdb/i' }, '--grep /startdb/i'],
  ['diagnosed.min-wait-50s.tree.txt', { minWaitMs: 50_000 }, '--min-wait 50s'],
  ['diagnosed.only-stuck.tree.txt', { only: 'stuck' }, '--only stuck'],
  ['diagnosed.only-cycles.tree.txt', { only: 'cycles' }, '--only cycles'],
  ['diagnosed.only-orphans.tree.txt', { only: 'orphans' }, '--only orphans'],
  ['fan-in.min-wait-5s.tree.txt', { minWaitMs: 5_000 }, '--min-wait 5s'],
];

describe('filterChains', () => {
  it.each(goldens)('renders test/golden/%s', (file, filter, label) => {
    const name = file.slice(0, file.indexOf('.'));
    expectGolden(file, filtered(sample(name), filter, label));
  });

  it('keeps the header and the verdict of the whole dump', () => {
    const whole = renderTree(sample('diagnosed'));
    for (const [, filter, label] of goldens.filter(([f]) => f.startsWith('diagnosed'))) {
      expect(head(filtered(sample('diagnosed'), filter, label))).toBe(head(whole));
    }
  });

  it('says how many chains it hid, counting each of ×N roots', () => {
    expect(filtered(sample('diagnosed'), { grep: 'reserveStock' }, '--grep reserveStock')).toContain('\n1 chain hidden by --grep reserveStock\n');
    expect(filtered(sample('diagnosed'), { minWaitMs: 50_000 }, '--min-wait 50s')).toContain('\n3 chains hidden by --min-wait 50s\n');
    expect(filtered(sample('fan-in'), { minWaitMs: 5_000 }, '--min-wait 5s')).toContain('\nno chain hidden by --min-wait 5s\n');
  });

  it('keeps a chain whose root waited exactly --min-wait, hides one just under', () => {
    const dump = sample('promise-all');
    const root = dump.nodes.find((n) => n.id === dump.roots[0]) as GraphNode;
    const at = root.waitingMs as number;
    expect(filterChains(dump, { minWaitMs: at, label: 'x' }).dump.roots).toEqual(dump.roots);
    expect(filterChains(dump, { minWaitMs: at + 1, label: 'x' }).dump.roots).toEqual([]);
  });

  it('--grep keeps only the root-to-leaf paths through a match, and marks what it cut', () => {
    const url = 'file:///srv/app/src/app.js';
    const node = (id: string, name: string, line: number, awaits: string[], awaitedBy: string[]): GraphNode => ({
      id, kind: 'async-function', name, state: 'suspended', awaitLocation: { url, line, column: 3 }, awaits, awaitedBy,
    });
    const nodes = [
      node('r', 'main', 1, ['a', 'b'], []),
      node('a', 'loadUsers', 2, ['la'], ['r']),
      node('b', 'loadOrders', 3, ['lb'], ['r']),
      node('la', 'usersQuery', 4, [], ['a']),
      node('lb', 'ordersQuery', 5, [], ['b']),
      node('q', 'other', 6, [], []),
    ];
    const dump: Dump = { ...sample('cycle'), nodes, roots: ['r', 'q'], cycles: [], verdicts: [] };
    const text = filtered(dump, { grep: 'Orders' }, '--grep Orders');
    expect(text).toContain('1 chain hidden by --grep Orders');
    expect(text).toContain('async loadOrders');
    expect(text).toContain('async ordersQuery');
    expect(text).toMatch(/async main .*\(1 filtered out\)/);
    const chains = text.slice(text.indexOf('Wait chains'));
    expect(chains).not.toContain('loadUsers');
    expect(chains).not.toContain('async other');
    // A match above keeps everything below it; a location matches too.
    const below = filtered(dump, { grep: 'app.js:1:' }, '--grep app.js:1:');
    expect(below).toContain('async loadUsers');
    expect(below).toContain('async ordersQuery');
    expect(below).not.toContain('filtered out');
  });
});

describe('parseWait', () => {
  it.each([['500', 500], ['500ms', 500], ['5s', 5000], ['1.5s', 1500], ['2m', 120_000], ['1h', 3_600_000]] as const)('%s is %d ms', (text, ms) => {
    expect(parseWait(text)).toBe(ms);
  });
  it.each(['', 'soon', '-1s', '5 days', '1e3'])('refuses %j with a UsageError', (text) => {
    expect(() => parseWait(text)).toThrow(UsageError);
  });
});

describe('grepMatcher', () => {
  it('matches text as a case-sensitive substring and /re/flags as a regular expression', () => {
    expect(grepMatcher('Stock')('reserveStock')).toBe(true);
    expect(grepMatcher('stock')('reserveStock')).toBe(false);
    expect(grepMatcher('/stock$/i')('reserveStock')).toBe(true);
    expect(grepMatcher('/^a.c$/')('abc')).toBe(true);
  });
  it('refuses an empty pattern and a broken regular expression with a UsageError', () => {
    expect(() => grepMatcher('')).toThrow(UsageError);
    expect(() => grepMatcher('/(/')).toThrow(/--grep \/\(\/: /);
  });
});
