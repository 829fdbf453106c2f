import { describe, expect, it } from 'vitest';
import { escapeDot, toDot } from '../src/serialize/dot.js';
import { expectGolden, SAMPLE_NAMES, sample } from './helpers/samples.js';

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
});
