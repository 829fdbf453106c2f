/**
 * Attach mode's worker threads (issue 11, point 3): a program started without awaitwhat, whose
 * main thread awaits a worker's reply while the worker's handler is stuck. `attachSnapshot`
 * reaches the worker through the inspector's `NodeWorker` domain and runs the dump pipeline
 * over its session: the dump holds the worker's graph and the edge to it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { attachSnapshot } from '../src/attach/index.js';
import { renderTree } from '../src/serialize/tree.js';
import { killChildren, stuckLines } from './helpers/processes.js';
import { releasePorts, reservePort } from './helpers/ports.js';
import { ROOT } from './helpers/samples.js';

const children: ChildProcess[] = [];

afterEach(async () => {
  await killChildren(children);
  releasePorts();
});

/** Starts `node --inspect-port=<port> script` without awaitwhat; resolves with its pid once it says `ready`. */
function start(script: string, port: number): Promise<number> {
  const child = spawn(process.execPath, [`--inspect-port=${port}`, script], { cwd: ROOT, env: { ...process.env, NODE_OPTIONS: '' }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let out = '';
  let err = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
  return new Promise((resolve, reject) => {
    child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      if (/^ready$/m.test(out)) resolve(child.pid!);
    });
    child.once('exit', (code) => reject(new Error(`${script} exited (${code}): ${err}`)));
  });
}

describe('attachSnapshot: worker threads, through the NodeWorker domain', () => {
  it('worker-reply-stuck: the worker\'s own graph, its await line, and the edge from the main thread', async () => {
    const port = (await reservePort())!;
    const pid = await start('fixtures/worker-reply-stuck.mjs', port);
    const dump = await attachSnapshot(pid);
    const [workerLine, mainLine] = stuckLines('worker-reply-stuck');
    expect(dump.source).toBe('attached');
    expect(dump.nodes.filter((n) => n.awaitLocation?.url.endsWith('/fixtures/worker-reply-stuck.mjs')).map((n) => n.awaitLocation!.line)).toEqual([mainLine]);
    expect(dump.threads).toHaveLength(1);
    const thread = dump.threads![0]!;
    expect(thread.status).toBe('answered');
    const buildReport = thread.nodes.find((n) => n.name === 'buildReport')!;
    expect(buildReport.awaitLocation).toMatchObject({ line: workerLine });
    const leaf = dump.nodes.find((n) => n.leaf?.kind === 'worker')!;
    expect(leaf.leaf!.details!.threadId).toBe(thread.threadId);
    expect(dump.threadEdges).toEqual([{ fromThread: 0, fromNode: leaf.id, toThread: thread.threadId }]);
    expect(renderTree(dump, { color: false })).toContain(`thread ${thread.threadId} waits at fixtures/worker-reply-stuck.mjs:${workerLine}:3 (buildReport)`);
    // The program goes on: attaching left it running.
    expect(() => process.kill(pid, 0)).not.toThrow();
  }, 120_000);
});
