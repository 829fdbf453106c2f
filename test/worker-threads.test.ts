/**
 * Every thread (issue 11, point 3): the main thread awaits a worker's reply while the worker's
 * message handler is stuck on its own await. Dumped for real (SIGUSR2, the exit dump), the
 * dump holds the worker's own graph, taken in the worker, and the edge from the main thread's
 * leaf to it; the tree draws the worker under a heading of its own; a blocked worker is
 * reported as not answering instead of stalling the dump.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { captureStuckProgram, registerPath } from '../cli/capture.js';
import type { Dump, GraphNode } from '../src/model.js';
import { parseDump, serializeDump } from '../src/serialize/json.js';
import { renderTree } from '../src/serialize/tree.js';
import { runNode, stuckLines } from './helpers/processes.js';
import { expectGolden, ROOT } from './helpers/samples.js';
import { normaliseTree } from './support/normalise.js';

const FIXTURE = 'worker-reply-stuck';

/** Lines of `fixtures/<name>.mjs` at which `nodes` has a task suspended. */
function awaitLines(nodes: readonly GraphNode[], name: string): number[] {
  return nodes.filter((n) => n.awaitLocation?.url.endsWith(`/fixtures/${name}.mjs`)).map((n) => n.awaitLocation!.line);
}

/** The main thread's worker leaf, and the one thread it waits for. */
function expectJoined(dump: Dump): { leaf: GraphNode; threadId: number } {
  expect(dump.threads).toHaveLength(1);
  const thread = dump.threads![0]!;
  expect(thread.status).toBe('answered');
  expect(thread.threadId).toBeGreaterThan(0);
  const leaves = dump.nodes.filter((n) => n.leaf?.kind === 'worker');
  expect(leaves).toHaveLength(1);
  const leaf = leaves[0]!;
  expect(leaf.leaf!.details).toMatchObject({ class: 'Worker', event: 'message', threadId: thread.threadId });
  expect(dump.threadEdges).toEqual([{ fromThread: 0, fromNode: leaf.id, toThread: thread.threadId }]);
  return { leaf, threadId: thread.threadId };
}

describe('worker threads, dumped on SIGUSR2', () => {
  it(`${FIXTURE}: the dump joins the main thread's wait to the worker's own stuck await`, async () => {
    // No long-wait verdict in the golden tree, however slow the machine (the worker is dumped after the main thread).
    const { dump } = await captureStuckProgram({ script: `fixtures/${FIXTURE}.mjs`, cwd: ROOT, env: { AWAITWHAT_LONG_WAIT_MS: '3600000' } });
    const [workerLine, mainLine] = stuckLines(FIXTURE);
    // The main thread: requestReport waits for the worker's message.
    expect(awaitLines(dump.nodes, FIXTURE)).toEqual([mainLine]);
    const { leaf, threadId } = expectJoined(dump);
    // The worker: its handler awaits buildReport, which awaits an hour-long timer.
    const thread = dump.threads![0]!;
    expect(thread.filename).toMatch(new RegExp(`^file://.*/fixtures/${FIXTURE}\\.mjs$`));
    expect(awaitLines(thread.nodes, FIXTURE)).toContain(workerLine);
    expect(thread.nodes.find((n) => n.awaitLocation?.line === workerLine)!.name).toBe('buildReport');
    expect(thread.nodes.filter((n) => n.leaf).map((n) => n.leaf!.kind)).toEqual(['timer']);
    // The verdict names the worker's await line where the main thread is stuck.
    expect(leaf.leaf!.description).toBe(`worker thread ${threadId}, event 'message' — thread ${threadId} waits at fixtures/${FIXTURE}.mjs:${workerLine}:3 (buildReport)`);
    const tree = renderTree(dump, { color: false });
    expect(tree).toContain(`── Worker thread ${threadId} (fixtures/${FIXTURE}.mjs) ──`);
    expectGolden(`fixtures/${FIXTURE}.tree.txt`, normaliseTree(tree));
    // The file reads back as it was written: the reader keeps threads and their edges.
    expect(parseDump(serializeDump(dump))).toEqual(dump);
  }, 120_000);

  it('worker-blocked: a worker whose event loop is blocked is reported as not answering, and the dump is written', async () => {
    const { dump } = await captureStuckProgram({ script: 'fixtures/worker-blocked.mjs', cwd: ROOT, env: { AWAITWHAT_THREAD_TIMEOUT_MS: '1000' } });
    expect(dump.threads).toHaveLength(1);
    const thread = dump.threads![0]!;
    expect(thread).toMatchObject({ status: 'no-answer', nodes: [], roots: [] });
    expect(thread.reason).toMatch(/^no answer within 1 s: its event loop is blocked/);
    const leaf = dump.nodes.find((n) => n.leaf?.kind === 'worker')!;
    expect(leaf.leaf!.description).toContain(`thread ${thread.threadId}: no answer within 1 s`);
    expect(dump.threadEdges).toEqual([{ fromThread: 0, fromNode: leaf.id, toThread: thread.threadId }]);
    expect(renderTree(dump, { color: false })).toMatch(/── Worker thread \d+ \(fixtures\/worker-blocked\.mjs\) ──\n {2}no answer within 1 s/);
  }, 120_000);

  it('AWAITWHAT_THREADS=off: the dump covers the main thread only, as before', async () => {
    const { dump } = await captureStuckProgram({ script: `fixtures/${FIXTURE}.mjs`, cwd: ROOT, env: { AWAITWHAT_THREADS: 'off' } });
    expect(dump.threads).toBeUndefined();
    expect(dump.threadEdges).toBeUndefined();
    expect(dump.nodes.find((n) => n.leaf?.kind === 'worker')!.leaf!.description).toMatch(/^worker thread \d+, event 'message'$/);
  }, 120_000);
});

describe('worker threads, in the exit dump', () => {
  it('worker-reply-exit: exit code 13 kept; the stderr verdict and the dump name the worker\'s await line', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'awaitwhat-threads-'));
    try {
      const r = await runNode(['--import', registerPath(), 'fixtures/worker-reply-exit.mjs'], { cwd: ROOT, env: { ...process.env, AWAITWHAT_DIR: dir }, timeout: 120_000 });
      expect(r.status).toBe(13);
      const [workerLine, mainLine] = stuckLines('worker-reply-exit');
      const verdict = r.stderr.split('\n').find((l) => l.startsWith('awaitwhat: exited'))!;
      expect(verdict).toMatch(new RegExp(`stuck at fixtures/worker-reply-exit\\.mjs:${mainLine}:3 \\(top level\\) ← worker thread \\d+, event 'message' — thread \\d+ waits at fixtures/worker-reply-exit\\.mjs:${workerLine}:3 \\(render\\)$`));
      const path = /^awaitwhat: dump written to (.+)$/m.exec(r.stderr)![1]!;
      const dump = parseDump(readFileSync(path, 'utf8'), path);
      expect(dump.trigger).toBe('exit');
      expectJoined(dump);
      expect(awaitLines(dump.threads![0]!.nodes, 'worker-reply-exit')).toContain(workerLine);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});

describe('reading threads back', () => {
  const text = readFileSync(join(ROOT, 'test/data/cycle.json'), 'utf8');
  const withThreads = (threads: unknown, threadEdges?: unknown): string => {
    const raw = JSON.parse(text) as Record<string, unknown>;
    raw.threads = threads;
    if (threadEdges !== undefined) raw.threadEdges = threadEdges;
    return JSON.stringify(raw);
  };
  const node = { id: 'w1', kind: 'promise', name: 'Promise', state: 'pending', awaits: [], awaitedBy: [] };
  const thread = { threadId: 3, status: 'answered', nodes: [node], roots: ['w1'], cycles: [], warnings: [] };
  const mainNode = (JSON.parse(text) as Dump).nodes[0]!.id;

  it('keeps a thread and an edge that name what exists', () => {
    const dump = parseDump(withThreads([thread], [{ fromThread: 0, fromNode: mainNode, toThread: 3 }]));
    expect(dump.threads).toEqual([thread]);
    expect(dump.threadEdges).toEqual([{ fromThread: 0, fromNode: mainNode, toThread: 3 }]);
  });

  it.each([
    ['an edge to a thread the dump lacks', withThreads([thread], [{ fromThread: 0, fromNode: mainNode, toThread: 4 }]), /threadEdges\[0\]\.toThread: no thread 4/],
    ['an edge from a node the thread lacks', withThreads([thread], [{ fromThread: 3, fromNode: 'n404', toThread: 0 }]), /threadEdges\[0\]\.fromNode: unknown node id "n404" in thread 3/],
    ['a thread id twice', withThreads([thread, thread]), /threads\[1\]\.threadId: duplicate thread id 3/],
    ['thread 0 among the workers', withThreads([{ ...thread, threadId: 0 }]), /threads\[0\]\.threadId: thread 0 is the main thread/],
    ['a root the thread lacks', withThreads([{ ...thread, roots: ['n1'] }]), /threads\[0\]\.roots\[0\]: unknown node id "n1"/],
    ['an unknown status', withThreads([{ ...thread, status: 'asleep' }]), /threads\[0\]\.status/],
  ])('rejects %s', (_label, input, message) => {
    expect(() => parseDump(input)).toThrow(message);
  });
});
