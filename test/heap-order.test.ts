/**
 * Dumps must not depend on the order V8 lays the heap out in, which changes from run to run:
 * a leaf's holder path, and how a leaf of several alike listeners is described, are chosen by
 * structural rules. Each fixture is a real stuck program, dumped several times in a row; every
 * dump must read the same (the tree is compared with one golden copy).
 */
import { describe, expect, it } from 'vitest';
import { captureStuckProgram } from '../cli/capture.js';
import type { Dump } from '../src/model.js';
import { expectStuckLinesNamed } from './helpers/processes.js';
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
