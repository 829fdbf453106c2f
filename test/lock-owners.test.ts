/**
 * Lock owners (issue 11, point 4): a waiter queued in a lock waits for whoever holds the lock.
 * Each fixture is a real program stuck on a lock — a hand-written mutex, async-mutex, p-limit,
 * generic-pool — run with the register and dumped on SIGUSR2. The dump must carry the
 * `held-by` edges (leaf → holder), find lock-order deadlocks as cycles and say so, and report
 * a lock nobody alive can release; the tree is compared with a golden copy.
 */
import { describe, expect, it } from 'vitest';
import { captureStuckProgram } from '../cli/capture.js';
import type { Dump, GraphNode } from '../src/model.js';
import { toDot } from '../src/serialize/dot.js';
import { parseDump, serializeDump } from '../src/serialize/json.js';
import { expectStuckLinesNamed } from './helpers/processes.js';
import { expectGolden, ROOT } from './helpers/samples.js';
import { normaliseTree } from './support/normalise.js';

async function dumpOf(name: string): Promise<{ dump: Dump; tree: string }> {
  const { dump } = await captureStuckProgram({ script: `fixtures/${name}.mjs`, cwd: ROOT });
  const tree = expectStuckLinesNamed(dump, name);
  expectGolden(`fixtures/${name}.tree.txt`, normaliseTree(tree));
  // The edges survive the dump's own reader, and the reader checks them.
  expect(parseDump(serializeDump(dump)).nodes).toEqual(dump.nodes);
  return { dump, tree };
}

const byId = (dump: Dump, id: string): GraphNode => dump.nodes.find((n) => n.id === id)!;
const named = (dump: Dump, id: string): string => byId(dump, id).name;
const lockLeaves = (dump: Dump): GraphNode[] => dump.nodes.filter((n) => n.leaf?.lock);
/** The task at a fixture's line. */
const taskAt = (dump: Dump, line: number): GraphNode => dump.nodes.find((n) => n.awaitLocation?.line === line)!;

describe('lock owners: a waiter queued in a lock waits for its holder', () => {
  it('hand-written mutex, two locks taken in opposite order: a cycle through both await lines, "deadlock (lock order)"', async () => {
    const { dump } = await dumpOf('lock-order-mutex');
    const [transfer, auditTrail] = [taskAt(dump, 34), taskAt(dump, 42)];
    expect([transfer.name, auditTrail.name]).toEqual(['transfer', 'auditTrail']);
    // Each task's leaf is held by the other task.
    const leafOf = (task: GraphNode) => byId(dump, task.awaits[0]!);
    expect(leafOf(transfer).leaf!.lock).toEqual({ object: 'Mutex', state: 'held', holders: [auditTrail.id] });
    expect(leafOf(auditTrail).leaf!.lock).toEqual({ object: 'Mutex', state: 'held', holders: [transfer.id] });
    expect(dump.cycles).toHaveLength(1);
    expect(new Set(dump.cycles[0]!.nodes)).toEqual(new Set([transfer.id, auditTrail.id, leafOf(transfer).id, leafOf(auditTrail).id]));
    const cycle = dump.verdicts!.find((v) => v.kind === 'cycle')!;
    expect(cycle.summary).toMatch(/^deadlock \(lock order\): async transfer \(fixtures\/lock-order-mutex\.mjs:34:\d+\) waits for Mutex held by async auditTrail \(fixtures\/lock-order-mutex\.mjs:42:\d+\), which waits for Mutex held by async transfer$/);
    // DOT draws the held-by edges, in the cycle's red.
    const dot = toDot(dump);
    expect(dot).toContain(`"${leafOf(transfer).id}" -> "${auditTrail.id}" [style=dashed, label="Mutex held by", color=red`);
    // The reader checks a holder names a node, like any edge.
    const broken = JSON.parse(serializeDump(dump)) as Dump;
    broken.nodes.find((n) => n.leaf?.lock)!.leaf!.lock!.holders = ['n999'];
    expect(() => parseDump(JSON.stringify(broken))).toThrow(/leaf\.lock\.holders\[0\].*unknown node id/);
  }, 60_000);

  it('async-mutex (acquire → release, and runExclusive): the cycle goes through TypeScript\'s __awaiter chains', async () => {
    const { dump } = await dumpOf('lock-order-async-mutex');
    const transfer = taskAt(dump, 12);
    const callback = taskAt(dump, 20);
    expect(transfer.name).toBe('transfer');
    expect(dump.cycles).toHaveLength(1);
    const members = dump.cycles[0]!.nodes;
    expect(members).toContain(transfer.id);
    expect(members).toContain(callback.id);
    // Each lock's leaf names the task or runExclusive step that holds it.
    const leaves = lockLeaves(dump);
    expect(leaves.map((n) => n.leaf!.lock!.object)).toEqual(['Semaphore', 'Semaphore']);
    expect(leaves.flatMap((n) => n.leaf!.lock!.holders)).toContain(transfer.id);
    expect(dump.verdicts!.find((v) => v.kind === 'cycle')!.summary).toMatch(
      /^deadlock \(lock order\): async transfer \(fixtures\/lock-order-async-mutex\.mjs:12:\d+\) waits for Semaphore held by async <anonymous> \(fixtures\/lock-order-async-mutex\.mjs:20:\d+\), which waits for Semaphore held by async transfer$/,
    );
    // The runExclusive caller waits, through __awaiter's .then, for its callback.
    expect(taskAt(dump, 18).awaits.length).toBe(1);
  }, 60_000);

  it('a leaked lock (acquired, never released, by a finished call) says nobody alive can release it', async () => {
    const { dump } = await dumpOf('lock-leaked');
    const leaves = lockLeaves(dump);
    expect(leaves).toHaveLength(2);
    for (const leaf of leaves) expect(leaf.leaf!.lock).toEqual({ object: 'Mutex', state: 'leaked', holders: [] });
    const leaked = dump.verdicts!.find((v) => v.kind === 'lock-leaked')!;
    expect(leaked.summary).toBe('2 waiters wait for a Mutex nobody alive can release: it was acquired by a task that finished or was collected without releasing it');
    expect(dump.cycles).toEqual([]);
  }, 60_000);

  it('generic-pool exhausted by suspended tasks: the waiter\'s leaf is held by both tasks holding a connection', async () => {
    const { dump } = await dumpOf('pool-exhausted');
    const health = taskAt(dump, 28);
    expect(health.name).toBe('healthCheck');
    const exports = dump.nodes.filter((n) => n.name === 'exportReport');
    expect(exports).toHaveLength(2);
    const leaf = byId(dump, health.awaits[0]!);
    expect(leaf.leaf!.lock).toEqual({ object: 'Pool', state: 'held', holders: exports.map((n) => n.id) });
    expect(dump.cycles).toEqual([]); // held, not deadlocked: the holders wait for their upstream
  }, 60_000);

  it('async-sema (tokens are strings, released by a method): holders found from the source, confirmed by the heap', async () => {
    const { dump } = await dumpOf('semaphore-held');
    const waiter = taskAt(dump, 10);
    const holders = dump.nodes.filter((n) => n.awaitLocation?.line === 12);
    expect(holders.map((n) => n.name)).toEqual(['upload', 'upload']);
    const queued = dump.nodes.filter((n) => n.leaf?.kind === 'queue');
    expect(queued).toHaveLength(1);
    expect(queued[0]!.leaf!.lock).toEqual({ object: 'Sema', state: 'held', holders: holders.map((n) => n.id) });
    // The waiter reaches that leaf; it is not one of the holders.
    expect(holders.map((n) => n.id)).not.toContain(waiter.id);
    expect(dump.verdicts!.map((v) => v.kind)).not.toContain('lock-leaked');
  }, 60_000);

  it('p-limit called again inside its own limit: both slots\' holders wait for the queue they hold up (a cycle)', async () => {
    // The two Promise.all inputs are alike: ids and the branch the cycle is drawn through follow
    // the graph's canonical order, not the heap's, so the tree is the same in every run.
    const { dump } = await dumpOf('limit-nested');
    const runs = dump.nodes.filter((n) => n.name === 'run');
    expect(runs).toHaveLength(2);
    const waits = dump.nodes.filter((n) => n.name === 'importPhoto').map((n) => byId(dump, n.awaits[0]!));
    expect(waits).toHaveLength(2);
    for (const leaf of waits) {
      expect(leaf.leaf!.lock!.state).toBe('held');
      expect(leaf.leaf!.lock!.holders.map((id) => named(dump, id))).toEqual(['run', 'run']);
    }
    expect(dump.cycles.length).toBeGreaterThan(0);
    expect(dump.verdicts!.find((v) => v.kind === 'cycle')!.summary).toMatch(/^deadlock \(lock order\): async importPhoto .* waits for Queue held by async run \(node_modules\/p-limit\/index\.js:\d+:\d+\) → async importPhoto$/);
  }, 60_000);
});
