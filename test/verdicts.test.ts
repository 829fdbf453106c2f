/**
 * Verdicts are derived from the finished graph: these specify each one on small graphs.
 */
import { describe, expect, it } from 'vitest';
import { findCycles } from '../src/graph/cycles.js';
import { detectFindings } from '../src/graph/findings.js';
import { wordFinding } from '../src/graph/verdict-wording.js';
import { findVerdicts } from '../src/graph/verdicts.js';
import { shapeNode, type GraphNode, type NodeFields } from '../src/model.js';
import { parseDump } from '../src/serialize/json.js';
import { sampleText } from './helpers/samples.js';

const at = (line: number) => ({ url: 'file:///app/server.js', line, column: 5 });

function graph(spec: Array<Partial<NodeFields> & Pick<NodeFields, 'id'>>): GraphNode[] {
  const nodes: GraphNode[] = spec.map((s) => shapeNode({ kind: 'async-function', name: s.id, state: 'suspended', awaits: [], awaitedBy: [], ...s }));
  for (const n of nodes) for (const to of n.awaits) nodes.find((m) => m.id === to)!.awaitedBy.push(n.id);
  return nodes;
}

describe('verdicts', () => {
  it('a cycle is a deadlock, listed in wait order with locations', () => {
    const nodes = graph([
      { id: 'a', awaits: ['b'], awaitLocation: at(3) },
      { id: 'b', awaits: ['a'], awaitLocation: at(9) },
    ]);
    const verdicts = findVerdicts(nodes, findCycles(nodes), undefined, { cwd: '/app' });
    expect(verdicts[0]).toEqual({
      kind: 'cycle',
      summary: 'deadlock: async a (server.js:3:5) → async b (server.js:9:5) → async a',
      nodes: ['a', 'b'],
    });
    expect(verdicts.map((v) => v.kind)).toEqual(['cycle', 'stall']);
  });

  it('a leaf that can never settle, and the stall it causes when every chain ends like that', () => {
    const nodes = graph([
      { id: 't', awaits: ['p'], awaitLocation: at(12) },
      { id: 'p', kind: 'promise', name: 'Promise', state: 'pending', leaf: { kind: 'never', description: 'can never settle' } },
    ]);
    expect(findVerdicts(nodes, [], undefined).map((v) => v.kind)).toEqual(['never-settles', 'stall']);
  });

  it('no stall while some chain ends in something that can still settle it', () => {
    const nodes = graph([
      { id: 't', awaits: ['p'] },
      { id: 'p', kind: 'promise', name: 'Promise', state: 'pending', leaf: { kind: 'timer', description: 'timer' } },
      { id: 'u', awaits: ['q'] },
      { id: 'q', kind: 'promise', name: 'Promise', state: 'pending', leaf: { kind: 'never', description: 'can never settle' } },
    ]);
    expect(findVerdicts(nodes, [], undefined).map((v) => v.kind)).toEqual(['never-settles']);
  });

  it('long waits over the threshold, longest first', () => {
    const nodes = graph([
      { id: 'fast', waitingMs: 50 },
      { id: 'slow', waitingMs: 12_000, awaitLocation: at(7) },
      { id: 'slower', waitingMs: 95_000, awaitLocation: at(8) },
    ]);
    const [verdict] = findVerdicts(nodes, [], undefined, { longWaitMs: 10_000, cwd: '/app' });
    expect(verdict).toEqual({
      kind: 'long-wait',
      summary: '2 tasks have waited over 10.0s; longest: async slower (server.js:8:5) waiting 1m 35s',
      nodes: ['slower', 'slow'],
    });
  });

  it('fan-in: many waiters on one node (a pool, a lock)', () => {
    const nodes = graph([
      { id: 'pool', kind: 'promise', name: 'Promise', state: 'pending', leaf: { kind: 'queue', description: 'resolve held in Pool.waiters' } },
      ...['r1', 'r2', 'r3', 'r4'].map((id) => ({ id, awaits: ['pool'] })),
    ]);
    const verdicts = findVerdicts(nodes, [], undefined, { fanIn: 3 });
    expect(verdicts).toEqual([
      { kind: 'fan-in', summary: '4 waiters on Promise: resolve held in Pool.waiters', nodes: ['pool', 'r1', 'r2', 'r3', 'r4'] },
    ]);
  });

  it('a blocked loop names the function the main thread is running', () => {
    const verdicts = findVerdicts([], [], { blockedMs: 2500, stack: [{ functionName: 'crunch', url: 'file:///app/report.js', line: 40, column: 7 }] }, { cwd: '/app' });
    expect(verdicts).toEqual([
      { kind: 'blocked-loop', summary: 'the event loop is blocked by synchronous JavaScript in crunch (report.js:40:7) for at least 2.5s', nodes: [] },
    ]);
  });

  it('dumps carry leaves, verdicts and the blocked loop through the parser', () => {
    const dump = parseDump(sampleText('diagnosed'));
    expect(dump.verdicts?.map((v) => v.kind)).toContain('blocked-loop');
    expect(dump.blockedLoop?.stack[0]?.functionName).toBe('crunch');
    expect(dump.nodes.find((n) => n.leaf)?.leaf?.kind).toBe('queue');
    const bad = JSON.parse(sampleText('diagnosed'));
    // A leaf kind of a newer awaitwhat is read as `unknown`, the kind kept in its description.
    bad.nodes.find((n: GraphNode) => n.leaf).leaf.kind = 'teapot';
    const newer = parseDump(JSON.stringify(bad)).nodes.find((n) => n.leaf)?.leaf;
    expect(newer?.kind).toBe('unknown');
    expect(newer?.description).toMatch(/^teapot: /);
    const described = JSON.parse(sampleText('diagnosed'));
    described.nodes.find((n: GraphNode) => n.leaf).leaf = { kind: 'pool', description: 'pooled connection wait' };
    expect(parseDump(JSON.stringify(described)).nodes.find((n) => n.leaf)?.leaf?.description).toBe('pool: pooled connection wait');
    described.nodes.find((n: GraphNode) => n.leaf).leaf = { kind: 'pool', description: 'pool: 3 ahead' };
    expect(parseDump(JSON.stringify(described)).nodes.find((n) => n.leaf)?.leaf?.description).toBe('pool: 3 ahead');
    bad.nodes.find((n: GraphNode) => n.leaf).leaf.kind = '';
    expect(() => parseDump(JSON.stringify(bad))).toThrow(/leaf\.kind: expected one of "timer"/);
    const badVerdict = JSON.parse(sampleText('diagnosed'));
    badVerdict.verdicts[0].nodes = ['n999'];
    expect(() => parseDump(JSON.stringify(badVerdict))).toThrow(/verdicts\[0\]\.nodes\[0\]: unknown node id "n999"/);
  });
});

describe('findings: detection apart from wording', () => {
  it('are structured (kind, node ids, durations, counts), and each verdict is its finding worded', () => {
    const nodes = graph([
      { id: 'a', awaits: ['b'], waitingMs: 20_000, awaitLocation: at(3) },
      { id: 'b', awaits: ['a'], waitingMs: 15_000, awaitLocation: at(9) },
      { id: 'p', kind: 'promise', name: 'Promise', state: 'pending', leaf: { kind: 'never', description: 'can never settle' } },
      ...['w1', 'w2', 'w3'].map((id) => ({ id, awaits: ['p'] })),
    ]);
    const cycles = findCycles(nodes);
    const findings = detectFindings(nodes, cycles, { blockedMs: 0, stack: [] }, { longWaitMs: 10_000, fanIn: 3 });
    expect(findings).toEqual([
      { kind: 'cycle', nodes: ['a', 'b'] },
      { kind: 'never-settles', leaf: 'p', waiters: ['w1', 'w2', 'w3'], nodes: ['p', 'w1', 'w2', 'w3'] },
      { kind: 'stall', cause: 'dead-ends', nodes: [] },
      { kind: 'blocked-loop', blockedMs: 0, top: undefined, nodes: [] },
      { kind: 'long-wait', thresholdMs: 10_000, longestMs: 20_000, nodes: ['a', 'b'] },
      { kind: 'fan-in', node: 'p', waiters: 3, nodes: ['p', 'w1', 'w2', 'w3'] },
    ]);
    const verdicts = findVerdicts(nodes, cycles, { blockedMs: 0, stack: [] }, { longWaitMs: 10_000, fanIn: 3, cwd: '/app' });
    const byId = new Map(nodes.map((n) => [n.id, n] as const));
    expect(verdicts).toEqual(findings.map((f) => ({ kind: f.kind, summary: wordFinding(f, byId, '/app'), nodes: f.nodes })));
    expect(verdicts[4]!.summary).toBe('2 tasks have waited over 10.0s; longest: async a (server.js:3:5) waiting 20.0s');
  });
});
