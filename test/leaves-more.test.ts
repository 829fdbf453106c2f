/**
 * Leaves awaitwhat used to misname or leave bare (issue 11, points 5 and 6), each a real stuck
 * program run with the register in a child process, signalled once stuck, its dump checked and
 * its tree compared with a golden copy:
 * - an `AbortSignal`'s 'abort' (`events.once` and `addEventListener`);
 * - readline on an input that never ends (`rl.question`, `once(rl, 'line')`, `for await`);
 * - `finished(child.stdout)` with the child's stdin left open: the child and the open end;
 * - `stream.finished` waiting for the right event ('end' for a readable, 'finish' for a writable);
 * - a loop polling a timer for a condition nothing changes;
 * - in creation stacks mode, a library's promises and resources named at the program's line.
 */
import { describe, expect, it } from 'vitest';
import { captureStuckProgram } from '../cli/capture.js';
import type { Dump, GraphNode } from '../src/model.js';
import { toDot } from '../src/serialize/dot.js';
import { expectStuckLinesNamed, waitGone } from './helpers/processes.js';
import { expectGolden, ROOT } from './helpers/samples.js';
import { normaliseTree } from './support/normalise.js';

const STACKS = { AWAITWHAT_STACKS: '1' };

function leaves(dump: Dump): GraphNode[] {
  return dump.nodes.filter((n) => n.leaf);
}

/** The tree, comparable across runs (child pids too). */
function golden(tree: string): string {
  return normaliseTree(tree).replace(/child process \d+/g, 'child process <pid>');
}

/** Waits for the child the fixture printed (`child <pid>`) to go, so that none outlives a test. */
async function expectChildGone(stdout: string): Promise<void> {
  const pid = Number(/^child (\d+)$/m.exec(stdout)?.[1]);
  if (!(pid > 0)) return;
  const gone = await waitGone(pid);
  if (!gone) process.kill(pid, 'SIGKILL');
  expect(gone, `child ${pid} outlived its parent`).toBe(true);
}

describe('more leaves, dumped on SIGUSR2', () => {
  it("abort-wait: an AbortSignal's 'abort' is named as such, with its state", async () => {
    const { dump } = await captureStuckProgram({ script: 'fixtures/abort-wait.mjs', cwd: ROOT });
    const tree = expectStuckLinesNamed(dump, 'abort-wait');
    const found = leaves(dump).map((n) => n.leaf!);
    expect(found).toHaveLength(2);
    for (const leaf of found) {
      expect(leaf).toMatchObject({ kind: 'event', description: "AbortSignal, event 'abort' (not aborted)", details: { emitter: 'AbortSignal', event: 'abort', aborted: false } });
    }
    expectGolden('fixtures/abort-wait.tree.txt', golden(tree));
  }, 90_000);

  it('readline-never-ends: question, once and for await name the interface and its input', async () => {
    const { dump } = await captureStuckProgram({ script: 'fixtures/readline-never-ends.mjs', cwd: ROOT });
    const tree = expectStuckLinesNamed(dump, 'readline-never-ends');
    const descriptions = leaves(dump).map((n) => n.leaf!.description).sort();
    expect(descriptions).toEqual([
      "readline Interface on PassThrough: event 'line' (events.on / for await) — input not ended",
      "readline Interface on PassThrough: event 'line' — input not ended",
      "readline Interface on PassThrough: question 'name?' unanswered — input not ended",
    ]);
    for (const n of leaves(dump)) expect(n.leaf).toMatchObject({ kind: 'stream', details: { class: 'Interface', input: 'PassThrough', readableEnded: false } });
    expectGolden('fixtures/readline-never-ends.tree.txt', golden(tree));
  }, 90_000);

  it("child-stdin-open: finished(child.stdout) names the child and its stdin left open", async () => {
    const { dump, stdout } = await captureStuckProgram({ script: 'fixtures/child-stdin-open.mjs', cwd: ROOT });
    const tree = expectStuckLinesNamed(dump, 'child-stdin-open');
    const pid = Number(/^child (\d+)$/m.exec(stdout)?.[1]);
    const [leaf] = leaves(dump).map((n) => n.leaf!);
    expect(leaf).toMatchObject({ kind: 'child-process', details: { pid, command: 'cat', stdio: 'stdout', event: 'end', running: true, stdinEnded: false } });
    expect(leaf!.description).toBe(`child process ${pid} (cat) still running: its stdin was never ended; waiting for 'end' on its stdout`);
    // Read from stream.finished's own scope, not from whichever of its listeners the heap lists first.
    expect(leaf!.heldBy?.slice(0, 3)).toEqual(['ChildProcess', 'stdout', 'finished()']);
    expectGolden('fixtures/child-stdin-open.tree.txt', golden(tree));
    await expectChildGone(stdout);
  }, 90_000);

  it("finished-streams: stream.finished waits for 'end' on a readable, 'finish' on a writable", async () => {
    const { dump } = await captureStuckProgram({ script: 'fixtures/finished-streams.mjs', cwd: ROOT });
    const tree = expectStuckLinesNamed(dump, 'finished-streams');
    const byClass = Object.fromEntries(leaves(dump).map((n) => [n.leaf!.details?.class, n.leaf!.details?.event]));
    expect(byClass).toEqual({ Readable: 'end', Writable: 'finish' });
    expectGolden('fixtures/finished-streams.tree.txt', golden(tree));
  }, 90_000);

  it('pipeline-sink-stall: the leaf is the stream that holds the pipeline up, not one already done', async () => {
    const { dump } = await captureStuckProgram({ script: 'fixtures/pipeline-sink-stall.mjs', cwd: ROOT });
    const tree = expectStuckLinesNamed(dump, 'pipeline-sink-stall');
    const [leaf, ...others] = leaves(dump).map((n) => n.leaf!);
    expect(others).toEqual([]);
    // pipeline listens on the Readable, the PassThrough and the sink alike; the first two are closed.
    expect(leaf).toMatchObject({ kind: 'stream', details: { class: 'UploadSink', destroyed: false } });
    expect(leaf!.description).toMatch(/^UploadSink — waiting for a write callback/);
    expectGolden('fixtures/pipeline-sink-stall.tree.txt', golden(tree));
  }, 90_000);

  it('polling-loop: a loop awaiting a short timer for many intervals gets the polling hint', async () => {
    const { dump } = await captureStuckProgram({ script: 'fixtures/polling-loop.mjs', cwd: ROOT });
    const tree = expectStuckLinesNamed(dump, 'polling-loop');
    const [leaf] = leaves(dump).map((n) => n.leaf!);
    expect(leaf).toMatchObject({ kind: 'timer', details: { delayMs: 50, pollEveryMs: 50 } });
    expect(leaf!.details!.pollingForMs as number).toBeGreaterThanOrEqual(1000);
    expect(leaf!.description).toMatch(/; polls every 50ms for [\d.]+s: waiting for a condition nothing changes\?$/);
    expectGolden('fixtures/polling-loop.tree.txt', golden(tree));
  }, 90_000);
});

describe("creation stacks mode: the program's own line", () => {
  it("lib-leaf: promises and a timer made inside node_modules are named at the program's line, the library's as 'via'", async () => {
    const { dump } = await captureStuckProgram({ script: 'fixtures/lib-leaf/main.mjs', cwd: ROOT, env: STACKS });
    const tree = expectStuckLinesNamed(dump, 'fixtures/lib-leaf/main.mjs');
    expect(dump.hooks.creationStacks).toBe(true);
    const main = (line: number) => expect.objectContaining({ url: expect.stringMatching(/\/fixtures\/lib-leaf\/main\.mjs$/), line });
    const site = (n: GraphNode) => n.creationStack![n.userFrame!];
    const byDescription = (pattern: RegExp) => leaves(dump).find((n) => pattern.test(n.leaf!.description))!;
    const gate = byDescription(/Gate\.waiters/);
    const timer = byDescription(/^timer/);
    const event = byDescription(/event 'message'/);
    // The innermost frame is the library's (or Node's), the user frame the program's.
    expect(gate.creationStack![0]!.url).toMatch(/\/node_modules\/tiny-gate\/index\.js$/);
    expect(site(gate)).toEqual(main(13));
    expect(site(timer)).toEqual(main(17));
    expect(event.creationStack![0]!.url).toBe('node:events');
    expect(site(event)).toEqual(main(21));
    // The timer itself was made in the library too: its own stack names the program's line.
    const made = timer.leaf!.resourceStack!;
    expect(made.find((f) => !f.url.startsWith('node:') && !f.url.includes('/node_modules/'))).toEqual(main(17));
    expect(tree).toMatch(/created fixtures\/lib-leaf\/main\.mjs:13:\d+ \(via fixtures\/lib-leaf\/node_modules\/tiny-gate\/index\.js:11:\d+\)/);
    expect(tree).toMatch(/; made at fixtures\/lib-leaf\/main\.mjs:17:\d+/);
    const dot = toDot(dump, { cwd: ROOT });
    expect(dot).toMatch(/created fixtures\/lib-leaf\/main\.mjs:13:\d+\\nvia fixtures\/lib-leaf\/node_modules\/tiny-gate\/index\.js:11:\d+/);
    expect(dot).toMatch(/resource made at fixtures\/lib-leaf\/main\.mjs:17:\d+/);
    expectGolden('fixtures/lib-leaf.stacks.tree.txt', golden(tree));
  }, 90_000);

  it("child-stdin-open: the child's stdio is named where the program spawned it", async () => {
    const { dump, stdout } = await captureStuckProgram({ script: 'fixtures/child-stdin-open.mjs', cwd: ROOT, env: STACKS });
    const [leaf] = leaves(dump).map((n) => n.leaf!);
    expect(leaf).toMatchObject({ kind: 'child-process', details: { stdio: 'stdout', event: 'end' } });
    expect(leaf!.heldBy?.slice(0, 3)).toEqual(['ChildProcess', 'stdout', 'finished()']);
    const made = leaf!.resourceStack!.find((f) => !f.url.startsWith('node:'));
    expect(made).toMatchObject({ url: expect.stringMatching(/\/fixtures\/child-stdin-open\.mjs$/), line: 8 });
    expect(leaf!.resourceStack![0]!.url).toMatch(/^node:/);
    await expectChildGone(stdout);
  }, 90_000);
});
