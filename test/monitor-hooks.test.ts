/**
 * createHook() and the task / step definitions of docs/hooks.md, checked on real programs of
 * known shapes run in child processes (promise hooks and ALS are process-wide state).
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import type { HistogramSummary } from '../src/model.js';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../', import.meta.url));
const program = (name: string) => fileURLToPath(new URL(`programs/${name}`, import.meta.url));

type Summary = HistogramSummary;
interface ShapeResult {
  seen: {
    created: { id: number; parentId: number | null }[];
    entered: number;
    left: number;
    settled: number;
    enteredStore: number;
    leftStore: number;
    errors: { code: string; callback: string; message: string }[];
  };
  window: {
    tasksCreated: number;
    tasksSettled: number;
    tasksLive: number;
    resumptions: number;
    busyNs: number;
    stepDurationNs: Summary;
    slowSteps: number;
  };
  slowSteps: { taskId: number; durationNs: number; awaitLocation?: { url: string; line: number }; stack?: string; context?: unknown }[];
  hookEnabled: boolean;
}

async function shape(name: string, n = 20, m = 7): Promise<ShapeResult & { stderr: string }> {
  const { stdout, stderr } = await run(process.execPath, [program('monitor-shapes.mjs'), name, String(n), String(m)], {
    cwd: root,
    timeout: 30_000,
  });
  return { ...(JSON.parse(stdout) as ShapeResult), stderr };
}

describe('tasks and steps (docs/hooks.md definitions)', () => {
  it('N tasks × M awaits: N created, N settled, N×M resumptions, each step entered and left once', async () => {
    const r = await shape('flat', 20, 7);
    expect(r.seen.created).toHaveLength(20);
    expect(r.seen.settled).toBe(20);
    expect(r.seen.entered).toBe(140);
    expect(r.seen.left).toBe(140);
    expect(r.window).toMatchObject({ tasksCreated: 20, tasksSettled: 20, tasksLive: 0, resumptions: 140 });
    expect(r.window.stepDurationNs.count).toBe(140);
    // Spawned from a timer callback: no task step created them.
    expect(r.seen.created.every((t) => t.parentId === null)).toBe(true);
    // Ids are distinct and increasing.
    const ids = r.seen.created.map((t) => t.id);
    expect([...ids].sort((a, b) => a - b)).toEqual(ids);
    expect(new Set(ids).size).toBe(20);
  });

  it('a different M changes only the resumptions', async () => {
    const r = await shape('flat', 5, 3);
    expect(r.window).toMatchObject({ tasksCreated: 5, tasksSettled: 5, resumptions: 15 });
  });

  it('an async function awaiting another is two tasks; the caller resumes once', async () => {
    // parent(): await child(); child(): M awaits of Promise.resolve(j).
    const r = await shape('parent-child', 10, 4);
    expect(r.window).toMatchObject({ tasksCreated: 20, tasksSettled: 20, resumptions: 10 * (4 + 1) });
  });

  it('tasks started inside a task step have that task as parent', async () => {
    // root(): await null; starts N work() tasks; await null.
    const r = await shape('nested', 20, 7);
    expect(r.window).toMatchObject({ tasksCreated: 21, tasksSettled: 21, resumptions: 20 * 7 + 2 });
    const [rootTask, ...children] = r.seen.created;
    expect(rootTask?.parentId).toBeNull();
    expect(children).toHaveLength(20);
    for (const c of children) expect(c.parentId).toBe(rootTask?.id);
  });

  it('each .then callback is a one-step task', async () => {
    const r = await shape('then', 20);
    expect(r.window).toMatchObject({ tasksCreated: 60, tasksSettled: 60, resumptions: 60 });
  });
});

describe('AsyncLocalStorage inside taskEntered / taskLeft', () => {
  it.each(['als-first', 'hook-first'])('sees the task’s store in every step (%s)', async (order) => {
    const r = await shape(order, 20, 7);
    expect(r.seen.entered).toBe(140);
    expect(r.seen.enteredStore).toBe(140);
    expect(r.seen.leftStore).toBe(140);
    expect(r.window.resumptions).toBe(140);
  });

  it('without ALS the counts are the same and no store is seen', async () => {
    const r = await shape('flat', 20, 7);
    expect(r.seen.enteredStore).toBe(0);
  });
});

describe('a callback that throws', () => {
  it('is disabled, reported once to onError, never thrown into the program; the others go on', async () => {
    const r = await shape('throw', 20, 7);
    expect(r.seen.entered).toBe(3); // threw on its 3rd call, never called again
    expect(r.seen.left).toBe(140);
    expect(r.seen.settled).toBe(20);
    expect(r.seen.errors).toHaveLength(1);
    expect(r.seen.errors[0]).toMatchObject({ code: 'AWAITWHAT_HOOK_CALLBACK_FAILED', callback: 'taskEntered' });
    expect(r.seen.errors[0]?.message).toContain('boom in taskEntered');
    expect(r.window).toMatchObject({ tasksCreated: 20, tasksSettled: 20, resumptions: 140 });
  });

  it('without onError, emits one process warning and the program exits normally', async () => {
    const r = await shape('throw-warning', 20, 7);
    expect(r.stderr.match(/AWAITWHAT_HOOK_CALLBACK_FAILED/g)).toHaveLength(1);
    expect(r.seen.entered).toBe(3);
    expect(r.seen.left).toBe(140);
  });
});

describe('enable / disable', () => {
  it('a hook never enabled is never called (metrics still count)', async () => {
    const r = await shape('disabled', 20, 7);
    expect(r.hookEnabled).toBe(false);
    expect(r.seen).toMatchObject({ created: [], entered: 0, left: 0, settled: 0 });
    expect(r.window).toMatchObject({ tasksCreated: 20, resumptions: 140 });
  });

  it('disable() (twice) stops the callbacks at once', async () => {
    const r = await shape('enable-disable', 20, 7);
    expect(r.hookEnabled).toBe(false);
    expect(r.seen.created).toHaveLength(20); // the second batch ran after disable()
    expect(r.seen.entered).toBe(140);
    expect(r.window).toMatchObject({ tasksCreated: 40, tasksSettled: 40, resumptions: 280 });
  });

  it('rejects callbacks that are not functions', async () => {
    const { createHook } = await import('../src/monitor/hooks.js');
    expect(() => createHook({ taskEntered: 42 } as never)).toThrow(expect.objectContaining({ code: 'AWAITWHAT_USAGE' }));
  });
});

describe('never harm the host, with hooks and metrics on', () => {
  const preload = program('monitor-preload.mjs');

  it('keeps no promise alive', async () => {
    for (const env of [{}, { MONITOR_LOCATIONS: '1' }]) {
      const { stdout } = await run(process.execPath, ['--expose-gc', '--import', preload, program('gc-probe.mjs')], {
        cwd: root,
        env: { ...process.env, ...env },
        timeout: 60_000,
      });
      const { created, collected } = JSON.parse(stdout) as { created: number; collected: number };
      expect(created).toBe(10_000);
      expect(collected).toBe(created);
    }
  });

  it('changes nothing the program can observe about its promises', async () => {
    const plain = await run(process.execPath, [program('observable.mjs')], { cwd: root, timeout: 20_000 });
    const loaded = await run(process.execPath, ['--import', preload, program('observable.mjs')], { cwd: root, timeout: 20_000 });
    expect(loaded.stdout).toBe(plain.stdout);
    expect(loaded.stderr).toBe(plain.stderr);
  });

  it('does not keep a finished program alive', async () => {
    const { stdout } = await run(process.execPath, ['--import', preload, '-e', 'console.log("bye")'], { cwd: root, timeout: 20_000 });
    expect(stdout).toBe('bye\n');
  });
});
