/**
 * The diagnosis fixtures: real programs stuck in the ways issue 3 is about (a hung fetch, a
 * child that never exits, a stalled stream writer, a forgotten reject, a leaking pool). Each
 * one is run with the register, signalled once stuck, and its dump must name every line
 * marked `// stuck`, as `file:line`, in the dump and in the `view` tree.
 *
 * (`unsettled-tla` exits instead: see exit-dump.test.ts; `busy-loop` never answers a
 * signal: see dump-pid.test.ts.)
 */
import { describe, expect, it } from 'vitest';
import { captureStuckProgram } from '../cli/capture.js';
import { expectStuckLinesNamed, waitGone } from './helpers/processes.js';
import { ROOT } from './helpers/samples.js';

/** Each fixture, and what its stuck chains finally wait on: leaf kinds present, and verdicts. */
const FIXTURES: Record<string, { leaves: string[]; verdicts: string[] }> = {
  'fetch-hung-upstream': { leaves: ['socket'], verdicts: [] },
  'child-never-exits': { leaves: ['child-process'], verdicts: [] },
  'stream-writer-stall': { leaves: ['stream'], verdicts: [] },
  'forgotten-reject': { leaves: ['queue'], verdicts: [] },
  'pool-leak': { leaves: ['queue'], verdicts: ['lock-leaked', 'fan-in'] },
};

describe('diagnosis fixtures, dumped on SIGUSR2', () => {
  for (const [name, expected] of Object.entries(FIXTURES)) {
    it(`${name}: the dump and the tree name every stuck line, the leaf and the verdict`, async () => {
      const { dump } = await captureStuckProgram({ script: `fixtures/${name}.mjs`, cwd: ROOT });
      expectStuckLinesNamed(dump, name);
      const kinds = new Set(dump.nodes.flatMap((n) => (n.leaf ? [n.leaf.kind] : [])));
      for (const kind of expected.leaves) expect([...kinds], `a leaf of kind ${kind}`).toContain(kind);
      expect(dump.verdicts?.map((v) => v.kind)).toEqual(expected.verdicts);
      expect(dump.trigger).toBe('signal');
      expect(dump.hooks.installed).toBe(true);
    }, 60_000);
  }

  it('stream-writer-stall: the writer is a stream waiting for drain; its state is read live', async () => {
    const { dump } = await captureStuckProgram({ script: 'fixtures/stream-writer-stall.mjs', cwd: ROOT });
    const sink = dump.nodes.find((n) => n.leaf?.details?.class === 'StalledSink')!;
    expect(sink.leaf).toMatchObject({ kind: 'stream', details: { event: 'drain', writableNeedDrain: true } });
    expect(sink.leaf!.description).toMatch(/waiting for drain/);
  }, 60_000);

  it('pool-leak: every waiting request waits on the same acquire promise (fan-in)', async () => {
    const { dump } = await captureStuckProgram({ script: 'fixtures/pool-leak.mjs', cwd: ROOT });
    const acquires = dump.nodes.filter((n) => n.name === 'acquire');
    expect(acquires.length).toBe(17); // 20 requests, 3 connections leaked by the failed ones
    const awaited = new Set(acquires.flatMap((n) => n.awaits));
    expect(awaited.size).toBe(1);
    const shared = dump.nodes.find((n) => awaited.has(n.id))!;
    expect(shared.awaitedBy).toHaveLength(17);
  }, 60_000);

  it('child-never-exits: the child dies with the fixture, no orphan is left', async () => {
    const { stdout } = await captureStuckProgram({ script: 'fixtures/child-never-exits.mjs', cwd: ROOT });
    const childPid = Number(/^child (\d+)$/m.exec(stdout)?.[1]);
    expect(childPid).toBeGreaterThan(0);
    // captureStuckProgram SIGKILLs the fixture; the child sees end-of-file on its stdin.
    const gone = await waitGone(childPid);
    if (!gone) process.kill(childPid, 'SIGKILL');
    expect(gone, `child ${childPid} outlived its parent`).toBe(true);
  }, 60_000);
});
