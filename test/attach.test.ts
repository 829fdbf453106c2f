/**
 * Attach mode: real programs started WITHOUT awaitwhat, in child processes, dumped from outside
 * through their inspector (`attachSnapshot(pid)`). Each child gets its own inspector port
 * (`--inspect-port=<reserved port>` only sets the port; the inspector stays closed until SIGUSR1;
 * see helpers/ports.ts for why the port is reserved rather than picked and released), except
 * one test of the default port 9229 when it is free. Every child is killed afterwards.
 * No speed assertions: only what the dump says and whether the target keeps running.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { attachSnapshot } from '../src/attach/index.js';
import { listTargets } from '../src/attach/inspector-endpoint.js';
import { parseInspectorFlags } from '../src/attach/target-process.js';
import { splitNodeOptions } from '../src/internal/node-options.js';
import { registerPath } from '../cli/capture.js';
import { AttachFailedError } from '../src/errors.js';
import { renderTree } from '../src/serialize/tree.js';
import { expectStuckLinesNamed, killChildren } from './helpers/processes.js';
import { inspectorPortOf, releasePorts, reservePort } from './helpers/ports.js';
import { ROOT } from './helpers/samples.js';

const TIMEOUT = 90_000;

interface Program {
  child: ChildProcess;
  pid: number;
  stdout: () => string;
  stderr: () => string;
  /** Resolves once stdout (from `from` on) matches `pattern`. */
  waitFor: (pattern: RegExp, from?: number, timeoutMs?: number) => Promise<void>;
}

const children: ChildProcess[] = [];

afterEach(async () => {
  await killChildren(children);
  // Only once the children are gone: their inspectors no longer hold the ports.
  releasePorts();
});

/** Starts `node [execArgv] script` and waits for its `ready` line. */
async function start(script: string, execArgv: string[] = [], env: Record<string, string> = {}): Promise<Program> {
  const child = spawn(process.execPath, [...execArgv, script], {
    cwd: ROOT,
    env: { ...process.env, NODE_OPTIONS: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let out = '';
  let err = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
  const waitFor = (pattern: RegExp, from = 0, timeoutMs = 30_000): Promise<void> =>
    new Promise((resolve, reject) => {
      const started = Date.now();
      const check = (): void => {
        if (pattern.test(out.slice(from))) return resolve();
        if (child.exitCode !== null || child.signalCode !== null) return reject(new Error(`${script} exited: ${err}`));
        if (Date.now() - started > timeoutMs) return reject(new Error(`${script}: no ${pattern} in ${JSON.stringify(out.slice(from, from + 200))}`));
        setTimeout(check, 20);
      };
      check();
    });
  await waitFor(/^ready$/m);
  return { child, pid: child.pid!, stdout: () => out, stderr: () => err, waitFor };
}

/** Polls `read` (every 20 ms) until it returns a value. */
async function until<T>(read: () => T | undefined): Promise<T> {
  for (;;) {
    const value = read();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** A port reserved for this test process (see helpers/ports.ts: picked, then released, it would race). */
async function freePort(): Promise<number> {
  return (await reservePort())!;
}

function expectAlive(program: Program): void {
  expect(program.child.exitCode).toBeNull();
  expect(program.child.signalCode).toBeNull();
  expect(() => process.kill(program.pid, 0)).not.toThrow();
}

describe('attachSnapshot: stuck programs started without awaitwhat', () => {
  it('all-one-hung: names the stuck await lines; the target keeps running, its inspector is closed again', async () => {
    const port = await freePort();
    const program = await start('fixtures/all-one-hung.mjs', [`--inspect-port=${port}`]);
    const dump = await attachSnapshot(program.pid);
    expect(dump.source).toBe('attached');
    expect(dump.trigger).toBe('cli');
    expect(dump.process.pid).toBe(program.pid);
    expect(dump.process.argv.at(-1)).toMatch(/fixtures\/all-one-hung\.mjs$/);
    expect(dump.hooks).toEqual({ installed: false, creationStacks: false });
    expect(dump.blockedLoop).toBeUndefined();
    expect(dump.nodes.every((n) => n.waitingMs === undefined)).toBe(true);
    expectStuckLinesNamed(dump, 'all-one-hung');
    expect(dump.warnings.join('\n')).toMatch(/garbage-collected/);
    expect(dump.warnings.join('\n')).toMatch(/closed again/);
    // SIGUSR1's visible side effect, and the inspector is gone again.
    expect(program.stderr()).toContain(`Debugger listening on ws://127.0.0.1:${port}/`);
    expect(await listTargets(port, 30_000)).toBeUndefined();
    expectAlive(program);
  }, TIMEOUT);

  it('promise-cycle: the cycle is found', async () => {
    const port = await freePort();
    const program = await start('fixtures/promise-cycle.mjs', [`--inspect-port=${port}`]);
    const dump = await attachSnapshot(program.pid);
    expect(dump.source).toBe('attached');
    expect(dump.cycles).toHaveLength(1);
    const names = dump.cycles[0]!.nodes.map((id) => dump.nodes.find((n) => n.id === id)!.name);
    expect(names.sort()).toEqual(['initCache', 'initDb']);
    expectStuckLinesNamed(dump, 'promise-cycle');
    expect(renderTree(dump, { color: false })).toMatch(/cycle: async initCache \(fixtures\/promise-cycle\.mjs:8:\d+\)/);
    expectAlive(program);
  }, TIMEOUT);

  it("hung-socket: the leaf is the HTTP request, with its socket's live state read remotely", async () => {
    const port = await freePort();
    const program = await start('fixtures/hung-socket.mjs', [`--inspect-port=${port}`]);
    const dump = await attachSnapshot(program.pid);
    expectStuckLinesNamed(dump, 'hung-socket');
    const leaf = dump.nodes.find((n) => n.leaf)!.leaf!;
    expect(leaf).toMatchObject({ kind: 'socket', details: { class: 'ClientRequest', remoteAddress: '127.0.0.1', connecting: false } });
    expect(leaf.description).toMatch(/127\.0\.0\.1:\d+ → 127\.0\.0\.1:\d+, reading$/);
    expectAlive(program);
  }, TIMEOUT);

  it('an idle program keeps working after the dump (not left paused), and can be attached twice', async () => {
    const port = await freePort();
    const program = await start('test/programs/idle-ticker.mjs', [`--inspect-port=${port}`]);
    for (let round = 0; round < 2; round++) {
      const dump = await attachSnapshot(program.pid);
      expect(dump.blockedLoop).toBeUndefined();
      expectStuckLinesNamed(dump, 'test/programs/idle-ticker.mjs');
      const mark = program.stdout().length;
      await program.waitFor(/tick \d+\n[^]*tick \d+\n/, mark); // two more ticks: its timers still run
      expect(await listTargets(port, 30_000)).toBeUndefined();
    }
    expectAlive(program);
  }, TIMEOUT);

  it('a busy main thread: blockedLoop names the spinning function; the graph is read while paused; it is resumed', async () => {
    const port = await freePort();
    const program = await start('test/programs/busy-spin.mjs', [`--inspect-port=${port}`]);
    const dump = await attachSnapshot(program.pid);
    expect(dump.source).toBe('attached');
    expect(dump.blockedLoop).toBeDefined();
    const top = dump.blockedLoop!.stack[0]!;
    expect(top.functionName).toBe('spinForever');
    expect(top.url).toMatch(/test\/programs\/busy-spin\.mjs$/);
    expect(top.line).toBeGreaterThan(0);
    expect(dump.blockedLoop!.blockedMs).toBeGreaterThanOrEqual(0);
    expect(dump.warnings.join('\n')).toMatch(/lower bound/);
    expect(dump.verdicts?.some((v) => v.kind === 'blocked-loop')).toBe(true);
    // The heap snapshot, taken while paused, still has the suspended tasks with their lines.
    expectStuckLinesNamed(dump, 'test/programs/busy-spin.mjs');
    // Not left paused: it goes on spinning and printing.
    const mark = program.stdout().length;
    await program.waitFor(/progress \d+\n[^]*progress \d+\n/, mark);
    expectAlive(program);
    expect(await listTargets(port, 30_000)).toBeUndefined();
  }, TIMEOUT);

  it('a target that happens to load awaitwhat\'s hook layer: waiting times come from its stamps', async () => {
    const port = await freePort();
    const program = await start('fixtures/promise-cycle.mjs', ['--import', registerPath(), `--inspect-port=${port}`]);
    const dump = await attachSnapshot(program.pid);
    expect(dump.source).toBe('attached');
    expect(dump.hooks.installed).toBe(true);
    const cycle = dump.cycles[0]!.nodes.map((id) => dump.nodes.find((n) => n.id === id)!);
    for (const node of cycle) expect(node.waitingMs).toBeGreaterThanOrEqual(0);
    expectAlive(program);
  }, TIMEOUT);

  it("reads its thresholds from the target's environment, not from the attaching process's", async () => {
    const port = await freePort();
    // The target says: every wait is long, and no per-object lookup at all.
    const program = await start('fixtures/promise-cycle.mjs', ['--import', registerPath(), `--inspect-port=${port}`], {
      AWAITWHAT_LONG_WAIT_MS: '0',
      AWAITWHAT_LOOKUP_BUDGET_MS: '0',
    });
    // This process says the opposite; it must not count.
    const own = { long: process.env.AWAITWHAT_LONG_WAIT_MS, budget: process.env.AWAITWHAT_LOOKUP_BUDGET_MS };
    process.env.AWAITWHAT_LONG_WAIT_MS = String(24 * 3600_000);
    process.env.AWAITWHAT_LOOKUP_BUDGET_MS = '600000';
    let dump;
    try {
      dump = await attachSnapshot(program.pid);
    } finally {
      for (const [name, value] of [['AWAITWHAT_LONG_WAIT_MS', own.long], ['AWAITWHAT_LOOKUP_BUDGET_MS', own.budget]] as const) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    }
    const tasks = dump.nodes.filter((n) => n.name === 'initCache' || n.name === 'initDb');
    expect(tasks).toHaveLength(2);
    // initCache and initDb have two awaits each: only a lookup would place them, and the
    // target's budget of 0 ms allows none.
    for (const task of tasks) expect(task.awaitLocation).toBeUndefined();
    expect(dump.warnings).toContain('2 objects were not located: per-object lookups walk the whole heap and stopped after 0 ms (AWAITWHAT_LOOKUP_BUDGET_MS)');
    const longWait = dump.verdicts?.find((v) => v.kind === 'long-wait');
    expect(longWait?.nodes.sort()).toEqual(tasks.map((t) => t.id).sort());
    expect(dump.profile).toMatchObject({ capture: 'inspector', worker: false, lookups: 0 });
    expectAlive(program);
  }, TIMEOUT);

  it('finds the port in NODE_OPTIONS', async () => {
    const port = await freePort();
    const program = await start('test/programs/idle-ticker.mjs', [], { NODE_OPTIONS: `--inspect-port=${port}` });
    const dump = await attachSnapshot(program.pid);
    expect(dump.process.pid).toBe(program.pid);
    expect(program.stderr()).toContain(`127.0.0.1:${port}/`);
    expectAlive(program);
  }, TIMEOUT);

  it('uses the default port 9229 when nothing says otherwise (if 9229 is free)', async (ctx) => {
    // Other test processes may want 9229 too (those of this suite reserve it first; anything
    // else on the machine may hold it): skip rather than collide.
    if ((await reservePort(9229)) === undefined) ctx.skip();
    const program = await start('test/programs/idle-ticker.mjs');
    const dump = await attachSnapshot(program.pid).catch((error: unknown) => {
      if (error instanceof AttachFailedError && /127\.0\.0\.1:9229 is (held by|the inspector of) pid/.test(error.message)) ctx.skip();
      throw error;
    });
    expect(dump.process.pid).toBe(program.pid);
    expect(program.stderr()).toContain('Debugger listening on ws://127.0.0.1:9229/');
    expect(await listTargets(9229, 30_000)).toBeUndefined();
    expectAlive(program);
  }, TIMEOUT);

  it('an inspector the program opened itself (--inspect) is left open', async () => {
    const port = await freePort();
    const program = await start('test/programs/idle-ticker.mjs', [`--inspect=127.0.0.1:${port}`]);
    const dump = await attachSnapshot(program.pid);
    expectStuckLinesNamed(dump, 'test/programs/idle-ticker.mjs');
    expect(dump.warnings.join('\n')).toMatch(/already open .* stays open/);
    expect(await listTargets(port, 30_000)).toBeDefined();
    const mark = program.stdout().length;
    await program.waitFor(/tick \d+\n/, mark);
    expectAlive(program);
  }, TIMEOUT);
});

describe('attachSnapshot: refusals', () => {
  it('a port owned by another Node process: a clear error, the target is not signalled', async () => {
    // The owner binds a port of its own choosing and names it in its banner.
    const owner = await start('test/programs/idle-ticker.mjs', ['--inspect=127.0.0.1:0']);
    const port = await until(() => inspectorPortOf(owner.stderr()));
    const target = await start('test/programs/idle-ticker.mjs', [`--inspect-port=${port}`]);
    const error = await attachSnapshot(target.pid).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AttachFailedError);
    expect((error as AttachFailedError).code).toBe('AWAITWHAT_ATTACH_FAILED');
    expect((error as Error).message).toContain(`is held by pid ${owner.pid} (`);
    expect((error as Error).message).not.toContain('\n');
    // Nothing was evaluated in the owner: no session was ever opened on it.
    expect(owner.stderr()).not.toContain('Debugger attached.');
    expect(target.stderr()).not.toContain('Debugger listening');
    expectAlive(target);
    expectAlive(owner);
  }, TIMEOUT);

  it('no such process', async () => {
    const error = await attachSnapshot(2 ** 22 + 12345).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AttachFailedError);
    expect((error as Error).message).toMatch(/no process with pid/);
  });

  it('a process that does not handle SIGUSR1 is not signalled (it would die)', async () => {
    const port = await freePort();
    const sleeper = spawn('sleep', ['60'], { stdio: 'ignore' });
    children.push(sleeper);
    // 'spawn' is emitted once the exec succeeded: /proc already shows `sleep`, not node.
    await new Promise((resolve) => sleeper.once('spawn', resolve));
    const error = await attachSnapshot(sleeper.pid!, { port, timeoutMs: 2000 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AttachFailedError);
    expect((error as Error).message).toMatch(/does not handle SIGUSR1/);
    expect(sleeper.exitCode).toBeNull();
    expect(sleeper.signalCode).toBeNull();
  });
});

describe('inspector flags of a target', () => {
  it('reads --inspect-port, --inspect[=host:port], later flags winning, and stops at the script', () => {
    expect(parseInspectorFlags(['--inspect-port=9333', 'app.js', '--inspect=1'])).toEqual({ port: 9333, openAtStart: false });
    expect(parseInspectorFlags(['--inspect-port', '9334', 'app.js'])).toEqual({ port: 9334, openAtStart: false });
    expect(parseInspectorFlags(['--inspect=0.0.0.0:9335'])).toEqual({ port: 9335, host: '0.0.0.0', openAtStart: true });
    expect(parseInspectorFlags(['--inspect', '--inspect-port=1', '--debug-port=2'])).toEqual({ port: 2, openAtStart: true });
    expect(parseInspectorFlags(['--require', '--inspect-port=5', 'x.js'])).toEqual({ openAtStart: false });
    expect(parseInspectorFlags(['app.js', '--inspect-port=9'])).toEqual({ openAtStart: false });
  });

  it('splits NODE_OPTIONS like Node', () => {
    expect(splitNodeOptions('--inspect-port=9 --require "a b.js"  --x')).toEqual(['--inspect-port=9', '--require', 'a b.js', '--x']);
    const flags = parseInspectorFlags(splitNodeOptions('--max-old-space-size=100 --inspect-port=9440'));
    expect(flags.port).toBe(9440);
  });
});
