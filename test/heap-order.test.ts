/**
 * Dumps must not depend on the order V8 lays the heap out in, which changes from run to run:
 * a leaf's holder path, and how a leaf of several alike listeners is described, are chosen by
 * structural rules. Each fixture is a real stuck program, dumped several times in a row; every
 * dump must read the same (the tree is compared with one golden copy). And since a few runs
 * may all happen to lay the heap out alike, one real heap snapshot of a stuck program is also
 * read in other orders (its nodes renumbered): every leaf must read the same in each.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { captureStuckProgram } from '../cli/capture.js';
import type { Dump } from '../src/model.js';
import { HeapGraph } from '../src/snapshot/heap-graph.js';
import { describeLeaves } from '../src/snapshot/leaves.js';
import { deriveWaitEdges } from '../src/snapshot/wait-edges.js';
import { expectStuckLinesNamed, runNode } from './helpers/processes.js';
import { expectGolden, ROOT } from './helpers/samples.js';
import { normaliseTree } from './support/normalise.js';

/** Dumps a fixture `runs` times, one process each; every tree against the same golden. */
async function dumpsOf(name: string, runs: number): Promise<Dump[]> {
  const dumps: Dump[] = [];
  for (let i = 0; i < runs; i++) {
    const { dump } = await captureStuckProgram({ script: `fixtures/${name}.mjs`, cwd: ROOT });
    expectGolden(`fixtures/${name}.tree.txt`, normaliseTree(expectStuckLinesNamed(dump, name)));
    dumps.push(dump);
  }
  return dumps;
}

describe('a dump does not follow the heap\'s order', () => {
  it('a waiter queue reachable two ways (a module variable, an exported object): the shortest path names it, in every run', async () => {
    for (const dump of await dumpsOf('queue-exported-twice', 4)) {
      const leaves = dump.nodes.filter((n) => n.leaf);
      expect(leaves.map((n) => [n.leaf!.kind, n.leaf!.heldBy])).toEqual([['queue', ['waiters']]]);
    }
  }, 120_000);

  it("two events.once waits for one event of one emitter: both leaves are that event, in every run", async () => {
    for (const dump of await dumpsOf('once-same-event', 3)) {
      const leaves = dump.nodes.filter((n) => n.leaf);
      expect(leaves.map((n) => n.leaf!.description)).toEqual(["event 'config-loaded' on EventEmitter", "event 'config-loaded' on EventEmitter"]);
      expect(leaves.map((n) => n.leaf!.details)).toEqual([{ emitter: 'EventEmitter', event: 'config-loaded' }, { emitter: 'EventEmitter', event: 'config-loaded' }]);
    }
  }, 120_000);
});

/** A heap snapshot of `script` (run with the register) once it printed "ready", as JSON text. */
async function heapSnapshotOf(script: string, env: NodeJS.ProcessEnv = {}): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'awaitwhat-heap-order-'));
  try {
    const file = join(dir, 'heap.heapsnapshot');
    const args = ['--import', pathToFileURL(join(ROOT, 'dist/src/register.js')).href, '--import', pathToFileURL(join(ROOT, 'test/support/heap-snapshot-on-ready.mjs')).href, script];
    const r = await runNode(args, { cwd: ROOT, env: { ...process.env, ...env, AWAITWHAT_TEST_HEAP_SNAPSHOT: file }, timeout: 60_000 });
    expect(r.status, r.stderr).toBe(0);
    return readFileSync(file, 'latin1');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

interface SnapshotJson {
  snapshot: { meta: { node_fields: string[]; edge_fields: string[]; location_fields?: string[] } };
  nodes: number[];
  edges: number[];
  locations?: number[];
}

/**
 * The same heap with its nodes in another order (the root stays first; each node keeps its own
 * edges, in their order), as V8 might have laid it out in another run: `order[i]` is the old
 * index of new node `i`.
 */
function renumbered(text: string, order: readonly number[]): string {
  const json = JSON.parse(text) as SnapshotJson;
  const { node_fields: nodeFields, edge_fields: edgeFields, location_fields: locationFields = [] } = json.snapshot.meta;
  const [nf, ef, lf] = [nodeFields.length, edgeFields.length, locationFields.length];
  const edgeCountAt = nodeFields.indexOf('edge_count');
  const toAt = edgeFields.indexOf('to_node');
  const objectAt = locationFields.indexOf('object_index');
  const count = json.nodes.length / nf;
  const firstEdge = new Array<number>(count + 1).fill(0);
  for (let i = 0; i < count; i++) firstEdge[i + 1] = firstEdge[i]! + json.nodes[i * nf + edgeCountAt]! * ef;
  const newIndex = new Array<number>(count);
  order.forEach((old, i) => (newIndex[old] = i));
  const nodes: number[] = [];
  const edges: number[] = [];
  for (const old of order) {
    nodes.push(...json.nodes.slice(old * nf, (old + 1) * nf));
    for (let e = firstEdge[old]!; e < firstEdge[old + 1]!; e += ef) {
      const edge = json.edges.slice(e, e + ef);
      edge[toAt] = newIndex[edge[toAt]! / nf]! * nf;
      edges.push(...edge);
    }
  }
  const locations = json.locations?.slice() ?? [];
  for (let l = 0; l < locations.length; l += lf) locations[l + objectAt] = newIndex[locations[l + objectAt]! / nf]! * nf;
  // V8 writes the snapshot in ASCII, other characters as `\u` escapes: so does this copy.
  return JSON.stringify({ ...json, nodes, edges, locations }).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Node orders to read a heap of `count` nodes in: reversed, and shuffled (a fixed seed). */
function orders(count: number): number[][] {
  let seed = 11;
  const random = (): number => (seed = (seed * 48271) % 2147483647) / 2147483647;
  const shuffled = (): number[] => {
    const p = Array.from({ length: count - 1 }, (_, i) => i + 1);
    for (let i = p.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [p[i], p[j]] = [p[j]!, p[i]!];
    }
    return [0, ...p];
  };
  return [[0, ...Array.from({ length: count - 1 }, (_, i) => count - 1 - i)], shuffled(), shuffled()];
}

/** Every leaf of a heap as the walk up from its resolvers describes it, holder path included. */
function leavesOf(text: string): string[] {
  const heap = HeapGraph.parse(text);
  const raw = [...deriveWaitEdges(heap).nodes.values()];
  describeLeaves(heap, raw, 0);
  return raw.flatMap((n) => (n.leaf ? [`${n.leaf.info.kind}: ${n.leaf.info.description} ← ${(n.leaf.info.heldBy ?? []).join(' ')}`] : [])).sort();
}

describe('one heap read in other orders', () => {
  it.each([
    ['test/programs/two-holders.mjs', {}, 'queue: resolve held in backup ← backup'],
    ['fixtures/child-stdin-open.mjs', {}, "child-process: child process (cat) still running; waiting for 'end' on its stdout ← ChildProcess stdout finished()"],
    ['fixtures/child-stdin-open.mjs', { AWAITWHAT_STACKS: '1' }, "child-process: child process (cat) still running; waiting for 'end' on its stdout ← ChildProcess stdout finished()"],
    ['fixtures/finished-streams.mjs', {}, "stream: Readable, event 'end' ← Readable finished()"],
    ['fixtures/pipeline-sink-stall.mjs', {}, 'stream: UploadSink ← UploadSink'],
  ] as const)('%s %j: every leaf and its holder path read the same in every order', async (script, env, expected) => {
    const text = await heapSnapshotOf(script, env);
    const leaves = leavesOf(text);
    expect(leaves.some((l) => l.startsWith(expected)), leaves.join('\n')).toBe(true);
    const json = JSON.parse(text) as SnapshotJson;
    for (const order of orders(json.nodes.length / json.snapshot.meta.node_fields.length)) expect(leavesOf(renumbered(text, order))).toEqual(leaves);
  }, 120_000);
});
