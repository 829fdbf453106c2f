/**
 * Every fixture is a real stuck program. Each one is run in a child process with the register,
 * signalled once it is stuck, and its dump must name every line marked `// stuck` in its
 * source, as `file:line`, in the dump and in the `view` tree. The tree is also compared with a
 * golden copy (times, pids, dates and Node-internal positions normalised).
 */
import { describe, expect, it } from 'vitest';
import { captureStuckProgram } from '../cli/capture.js';
import { renderTree } from '../src/serialize/tree.js';
import { expectStuckLinesNamed } from './helpers/processes.js';
import { captureOnce } from './helpers/shared-capture.js';
import { expectGolden, ROOT } from './helpers/samples.js';
import { normaliseTree } from './support/normalise.js';

/** Each fixture and the kind of leaf its chains end in (`null`: a cycle, no leaf). */
const FIXTURES: Record<string, string | null> = {
  'promise-cycle': null,
  'forgotten-resolve': 'queue',
  'hung-socket': 'socket',
  'all-one-hung': 'queue',
  'once-never-fires': 'event',
  'async-iterator-stall': 'stream',
};

/** Each fixture's dump, taken once: two tests below read hung-socket's and promise-cycle's again. */
const dumpOf = captureOnce(async (name) => (await captureStuckProgram({ script: `fixtures/${name}.mjs`, cwd: ROOT })).dump);

describe('stuck fixtures, dumped on SIGUSR2', () => {
  for (const [name, leafKind] of Object.entries(FIXTURES)) {
    it(`${name}: the dump and the tree name every stuck line, and what it finally waits on`, async () => {
      const dump = await dumpOf(name);
      const tree = expectStuckLinesNamed(dump, name);
      const leaves = dump.nodes.filter((n) => n.kind === 'promise');
      if (leafKind === null) expect(leaves).toEqual([]);
      else expect(leaves.map((n) => n.leaf?.kind)).toEqual([leafKind]);
      expect(dump.trigger).toBe('signal');
      expect(dump.hooks.installed).toBe(true);
      expectGolden(`fixtures/${name}.tree.txt`, normaliseTree(tree));
    }, 60_000);
  }

  it('hung-socket: the leaf is the HTTP request, with its socket addresses and state', async () => {
    const dump = await dumpOf('hung-socket');
    const leaf = dump.nodes.find((n) => n.leaf)!.leaf!;
    expect(leaf).toMatchObject({ kind: 'socket', details: { class: 'ClientRequest', method: 'GET', path: '/profile', remoteAddress: '127.0.0.1', connecting: false } });
    expect(leaf.description).toMatch(/^HTTP GET 127\.0\.0\.1\/profile \(ClientRequest\), event 'response' — 127\.0\.0\.1:\d+ → 127\.0\.0\.1:\d+, reading$/);
  }, 60_000);

  it('promise-cycle is reported as a cycle', async () => {
    const dump = await dumpOf('promise-cycle');
    expect(dump.cycles).toHaveLength(1);
    const names = dump.cycles[0]!.nodes.map((id) => dump.nodes.find((n) => n.id === id)!.name);
    expect(names.sort()).toEqual(['initCache', 'initDb']);
    expect(renderTree(dump, { color: false })).toMatch(/cycle: async initCache \(fixtures\/promise-cycle\.mjs:8:\d+\)/);
    expect(dump.verdicts?.map((v) => v.kind)).toEqual(['cycle', 'stall']);
  }, 60_000);
});
