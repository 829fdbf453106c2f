import { describe, expect, it } from 'vitest';
import type { Dump, GraphNode } from '../src/model.js';
import { chainGroups } from '../src/serialize/chain-signatures.js';
import { escapeDot, toDot } from '../src/serialize/dot.js';
import { labelMargin, underestimatePt } from '../src/serialize/dot-fonts.js';
import { LEGEND_MAX_FINDINGS } from '../src/serialize/dot-legend.js';
import { renderTree } from '../src/serialize/tree.js';
import { expectGolden, SAMPLE_NAMES, sample } from './helpers/samples.js';

/** Box statements (not the legend) of a DOT text. */
function boxes(dot: string): string[] {
  return dot.split('\n').filter((l) => /^ {2}"[^"]+" \[label=/.test(l));
}

describe('toDot', () => {
  it.each(SAMPLE_NAMES)('renders %s as in test/golden/<name>.dot', (name) => {
    expectGolden(`${name}.dot`, toDot(sample(name)));
  });

  it('draws an edge from each waiter to what it awaits', () => {
    const dot = toDot(sample('promise-all'));
    expect(dot).toContain('"n1" -> "n2";');
    expect(dot).toContain('"n3" -> "n4";');
  });

  it('draws cycle edges and nodes in red', () => {
    const dot = toDot(sample('cycle'));
    expect(dot).toContain('"n1" -> "n2" [color=red, penwidth=2];');
    expect(dot).toContain('"n3" -> "n1" [color=red, penwidth=2];');
    expect(dot).toMatch(/"n1" \[.*color=red/);
  });

  it('labels nodes with name, location and wait time, and gives kinds their own shape', () => {
    const dot = toDot(sample('promise-all'));
    expect(dot).toContain('"n1" [label="async handleOrder\\nat src/orders.js:31:30\\nwaiting 12.3s", shape=box');
    expect(dot).toMatch(/"n2" \[label="Promise\.all[^"]*", shape=diamond/);
    expect(dot).toMatch(/"n4" \[label="Promise[^"]*", shape=octagon/);
  });

  it('escapes quotes, backslashes and newlines in labels', () => {
    expect(escapeDot('say "hi"\\n\nC:\\x')).toBe('say \\"hi\\"\\\\n\\nC:\\\\x');
    // Terminal controls become visible escapes, whose backslash DOT then needs doubled.
    expect(escapeDot('a\u001b]0;t\u0007\u009b\rb')).toBe('a\\\\x1b]0;t\\\\x07\\\\x9b\\nb');
    const dump = sample('promise-all');
    const first = dump.nodes[0];
    if (!first) throw new Error('sample has no nodes');
    first.name = 'we"ird\\name\nwith newline';
    const dot = toDot(dump);
    expect(dot).toContain('async we\\"ird\\\\name\\nwith newline');
    expect(dot.split('\n').every((line) => !line.includes('\r'))).toBe(true);
  });

  it('groups identical chains as the tree does: 40 workers on one warm-up are one box ×40', () => {
    const dot = toDot(sample('fan-in'));
    expect(boxes(dot)).toHaveLength(3);
    expect(dot).toContain('"n1" [label="×40 async worker\\nat src/workers.js:9:3\\nwaiting 8.0s", shape=box');
    expect(dot).toContain('"n1" -> "n41";');
    // One box per line the tree draws a node on (its `×40` line included).
    for (const name of SAMPLE_NAMES) {
      const dump = sample(name);
      const tree = renderTree(dump, { color: false });
      const chains = tree.slice(tree.indexOf('\nWait') + 1).split(/\n(?:Metrics|Warnings)/)[0]!.split('\n');
      const drawn = chains.map((l) => l.replace(/^[\s│├└─]+/, '')).filter((l) => l !== '' && !/^(Wait|Metrics|Warnings|[↑↺])/.test(l));
      expect(chainGroups(dump.nodes, dump.cycles), name).toHaveLength(drawn.length);
    }
  });

  it('draws one box per node when asked (the HTML report maps its boxes to nodes)', () => {
    const dot = toDot(sample('fan-in'), { grouping: 'none', legend: false });
    expect(boxes(dot)).toHaveLength(42);
    expect(dot).not.toContain('verdicts');
    expect(dot).not.toContain('×40');
  });

  it('puts the verdicts at the top, marks long waits thick and leaves with what they wait on', () => {
    const dot = toDot(sample('diagnosed'));
    expect(dot).toMatch(/"verdicts" \[shape=box, [^\n]*label="awaitwhat: pid 5151, [^"]*\\lcycle: async startCache \(fixtures\/demo\.mjs:108:14\) → /);
    expect(dot).toContain('\\lblocked-loop: the event loop is blocked by synchronous JavaScript in crunch (src/report.js:40:7) for at least\\l    1.8s\\l');
    expect(dot).toContain('{ rank=source; "verdicts"; }');
    expect(dot).toMatch(/"n3" \[label="×2 async handleOrder[^\n]*penwidth=3/);
    expect(dot).toMatch(/"n12" \[label="×2 Promise\\n← resolve held in Pool\.waiters"/);
  });

  it('counts the findings past the twelfth instead of listing them', () => {
    const dump = sample('promise-all');
    dump.verdicts = Array.from({ length: 20 }, (_, i) => ({ kind: 'fan-in' as const, summary: `finding ${i}`, nodes: [] }));
    const dot = toDot(dump);
    expect(dot).toContain(`finding ${LEGEND_MAX_FINDINGS - 1}\\l`);
    expect(dot).not.toContain(`finding ${LEGEND_MAX_FINDINGS}\\l`);
    expect(dot).toContain(`… ${20 + 1 - LEGEND_MAX_FINDINGS} more (awaitwhat view lists them all)`);
  });

  it('draws node and leaf kinds it does not know as plain boxes with their description', () => {
    const dump = sample('promise-all');
    const leaf = dump.nodes.find((n) => n.kind === 'promise') as GraphNode;
    (leaf as { leaf?: unknown }).leaf = { kind: 'lock', description: 'mutex held by async writeBack' };
    (dump.nodes[0] as { kind: string }).kind = 'lock-owner';
    const dot = toDot(dump);
    expect(dot).toMatch(/"n1" \[label="[^"]*", shape=box[,\]]/);
    expect(dot).toContain('← mutex held by async writeBack');
  });

  it('widens the margin of labels Graphviz measures short (bytes beyond ASCII), never of ASCII ones', () => {
    expect(labelMargin(['async handleOrder', 'at src/orders.js:31:30'], 10)).toBeUndefined();
    expect(underestimatePt('ЖЩ', 10)).toBeCloseTo(2 * (1.1 - 2 * 0.3179) * 10, 5);
    // Left-justified text spills only to the right: it needs the whole extra width on that side.
    const centred = Number(labelMargin(['ЖЩ'], 10)?.split(',')[0]);
    const left = Number(labelMargin(['ЖЩ'], 10, true)?.split(',')[0]);
    expect(left - 0.11).toBeCloseTo(2 * (centred - 0.11), 2);
  });

  it('says why there is nothing to draw: no node, or a refused dump (its reason line by line)', () => {
    const empty = { ...sample('cycle'), nodes: [], cycles: [], roots: [], verdicts: [] };
    expect(toDot(empty)).toContain('0 nodes, 0 cycles\\lnothing is waiting: no pending task or promise takes part in a wait\\l"');
    const refusal = { reason: 'heap too big\nfor this machine' } as NonNullable<Dump['refused']>;
    const refused = toDot({ ...empty, refused: refusal });
    expect(refused).toContain('\\lno heap snapshot: the dump was refused to protect the process: heap too big\\lfor this machine\\l"');
    expect(boxes(refused)).toEqual([]);
  });
});

