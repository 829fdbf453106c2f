/**
 * Never start a heap snapshot that cannot fit: real programs with a real heap, a configured
 * budget or a real cgroup v1 memory limit, and SIGUSR2 / exit / `snapshot()` dumps. A refused
 * dump is written whole, says why (on stderr, in the file, at the top of `awaitwhat view`),
 * and the program goes on and exits normally. `AWAITWHAT_DUMP_FORCE=1` takes the snapshot.
 */
import { execFile, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { attachSnapshot } from '../src/attach/index.js';
import { cgroupDirectories, parseCgroupFile, parseMountInfo, readTextFile } from '../src/internal/memory-headroom.js';
import type { Dump } from '../src/model.js';
import { parseDump } from '../src/serialize/json.js';
import { isAlive, killChildren } from './helpers/processes.js';
import { releasePorts, reservePort } from './helpers/ports.js';
import { ROOT } from './helpers/samples.js';

const run = promisify(execFile);
const REGISTER = join(ROOT, 'dist', 'src', 'register.js');
const MAIN = join(ROOT, 'dist', 'cli', 'main.js');
const BALLAST = join(ROOT, 'test', 'programs', 'heap-ballast.mjs');
const DUMP_LINE = /^awaitwhat: dump written to (.+)$/m;

const dirs: string[] = [];
const children: ChildProcessWithoutNullStreams[] = [];
const cgroups: string[] = [];
afterAll(() => releasePorts());

afterEach(async () => {
  await killChildren(children);
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  for (const cgroup of cgroups.splice(0)) await removeCgroup(cgroup);
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'awaitwhat-memory-'));
  dirs.push(dir);
  return dir;
}

/** Polls `check` every 25 ms until it returns something, or fails after `ms` with `what`. */
async function until<T>(check: () => T | undefined | null | false, what: () => string, ms = 60_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what()}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

interface Ballast {
  child: ChildProcessWithoutNullStreams;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Starts test/programs/heap-ballast.mjs under the register, in `cgroup` if given (the shell
 * moves itself into it, then becomes node), and resolves once it printed `ready`.
 */
async function startBallast(env: NodeJS.ProcessEnv, cgroup?: string, execArgv = ['--import', REGISTER]): Promise<Ballast> {
  const node = [process.execPath, ...execArgv, BALLAST];
  const child =
    cgroup === undefined ?
      spawn(node[0]!, node.slice(1), { cwd: ROOT, env: { ...process.env, ...env } })
    : spawn('sh', ['-c', 'echo $$ > "$0/cgroup.procs" && exec "$@"', cgroup, ...node], { cwd: ROOT, env: { ...process.env, ...env } });
  children.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  await until(
    () => /^ready$/m.test(stdout) || child.exitCode !== null || child.signalCode !== null,
    () => `"ready"; stderr: ${stderr}`,
  );
  if (!/^ready$/m.test(stdout)) throw new Error(`the program exited before "ready"; stderr: ${stderr}`);
  return { child, stdout: () => stdout, stderr: () => stderr, exited };
}

/** Sends SIGUSR2 and returns the dump the register names on stderr. */
async function signalDump(target: Ballast): Promise<{ path: string; dump: Dump }> {
  target.child.kill('SIGUSR2');
  const match = await until(() => DUMP_LINE.exec(target.stderr()), () => `the dump line; stderr: ${target.stderr()}`);
  const path = match[1]!;
  return { path, dump: parseDump(readFileSync(path, 'utf8'), path) };
}

/** Asks the program to finish and returns how it exited. */
async function finish(target: Ballast): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  target.child.stdin.write('done\n');
  return target.exited;
}

describe('the memory guard refuses a snapshot that exceeds AWAITWHAT_MEMORY_BUDGET_MB', () => {
  it('SIGUSR2: a refused dump with its reason, one line on stderr, the program runs on and exits 0', async () => {
    const dir = tempDir();
    const target = await startBallast({ AWAITWHAT_DIR: dir, AWAITWHAT_MEMORY_BUDGET_MB: '64', BALLAST_MB: '20' });
    const { path, dump } = await signalDump(target);
    expect(dump.refused).toBeDefined();
    expect(dump.refused!.way).toBe('background');
    expect(dump.refused!.limit.source).toBe('AWAITWHAT_MEMORY_BUDGET_MB=64');
    expect(dump.refused!.limit.headroomBytes).toBe(64 * 1024 * 1024);
    expect(dump.refused!.heapUsedBytes).toBeGreaterThan(20 * 1024 * 1024);
    expect(dump.refused!.estimatedPeakBytes).toBeGreaterThan(dump.refused!.limit.headroomBytes);
    expect(dump.refused!.reason).toMatch(/^heap snapshot refused: it would need about .* the budget AWAITWHAT_MEMORY_BUDGET_MB=64 allows 64 MiB; AWAITWHAT_DUMP_FORCE=1/);
    // What is known without a snapshot.
    expect(dump.nodes).toEqual([]);
    expect(dump.process.pid).toBe(target.child.pid);
    expect(dump.hooks.installed).toBe(true);
    expect(dump.trigger).toBe('signal');
    const refusedLines = target.stderr().split('\n').filter((l) => l.includes('heap snapshot refused'));
    expect(refusedLines).toEqual([`awaitwhat: ${dump.refused!.reason}`]);
    // `view` says it first.
    const { stdout } = await run(process.execPath, [MAIN, 'view', path, '--no-color', '--width', '0'], { cwd: ROOT });
    const lines = stdout.split('\n');
    expect(lines[0]).toBe('No heap snapshot: the dump was refused to protect the process');
    expect(lines[1]).toBe(`  ${dump.refused!.reason}`);
    expect(stdout).not.toContain('nothing is waiting');
    // The program was not harmed.
    expect(isAlive(target.child.pid!)).toBe(true);
    expect(await finish(target)).toEqual({ code: 0, signal: null });
    expect(target.stdout()).toContain('bye');
  }, 120_000);

  it('AWAITWHAT_DUMP_FORCE=1 takes the snapshot anyway: the stuck task and its await line', async () => {
    const dir = tempDir();
    const target = await startBallast({ AWAITWHAT_DIR: dir, AWAITWHAT_MEMORY_BUDGET_MB: '64', BALLAST_MB: '20', AWAITWHAT_DUMP_FORCE: '1' });
    const { dump } = await signalDump(target);
    expect(dump.refused).toBeUndefined();
    expect(target.stderr()).not.toContain('refused');
    const stuck = dump.nodes.find((n) => n.name === 'waitForever');
    expect(stuck?.awaitLocation?.url).toMatch(/heap-ballast\.mjs$/);
    const stuckLine = readFileSync(BALLAST, 'utf8').split('\n').findIndex((l) => l.includes('// stuck')) + 1;
    expect(stuck?.awaitLocation?.line).toBe(stuckLine);
    expect(await finish(target)).toEqual({ code: 0, signal: null });
  }, 120_000);

  it('snapshot({ memoryBudgetMB }) returns a refused dump, silently; { force: true } takes it', async () => {
    const index = new URL('../dist/src/index.js', import.meta.url).href;
    const program = `
      const { snapshot } = await import(${JSON.stringify(index)});
      globalThis.gate = new Promise(() => {});
      async function waitForever() { await globalThis.gate; }
      globalThis.task = waitForever();
      const refused = snapshot({ memoryBudgetMB: 1 });
      const forced = snapshot({ memoryBudgetMB: 1, force: true });
      console.log(JSON.stringify({ refused: refused.refused, nodes: refused.nodes.length, forced: forced.nodes.some((n) => n.name === 'waitForever') }));
    `;
    const { stdout, stderr } = await run(process.execPath, ['--input-type=module', '-e', program], { cwd: ROOT });
    const out = JSON.parse(stdout) as { refused?: Dump['refused']; nodes: number; forced: boolean };
    expect(out.refused?.way).toBe('in-process');
    expect(out.refused?.limit.source).toBe('option memoryBudgetMB=1');
    expect(out.nodes).toBe(0);
    expect(out.forced).toBe(true);
    expect(stderr).toBe('');
  }, 60_000);

  it('the exit dump is refused too, and the exit code stays 13', async () => {
    const dir = tempDir();
    const result = await run(process.execPath, ['--import', REGISTER, join(ROOT, 'fixtures', 'unsettled-tla.mjs')], {
      cwd: ROOT,
      env: { ...process.env, AWAITWHAT_DIR: dir, AWAITWHAT_MEMORY_BUDGET_MB: '1' },
    }).then(
      () => ({ code: 0, stderr: '' }),
      (error: { code: number; stderr: string }) => ({ code: error.code, stderr: error.stderr }),
    );
    expect(result.code).toBe(13);
    const path = DUMP_LINE.exec(result.stderr)?.[1];
    expect(path, result.stderr).toBeDefined();
    const dump = parseDump(readFileSync(path!, 'utf8'), path);
    expect(dump.trigger).toBe('exit');
    expect(dump.refused?.way).toBe('in-process');
    expect(result.stderr).toContain(`awaitwhat: ${dump.refused!.reason}\n`);
  }, 60_000);
});

/** An inspector port reserved for this test file (test/helpers/ports.ts: no pick-then-release race). */
async function freePort(): Promise<number> {
  return (await reservePort())!;
}

/** `attachSnapshot` with this process's environment changed for the call (the guard reads it). */
async function attachWith(env: Record<string, string>, pid: number, port: number): Promise<Dump> {
  const saved = Object.fromEntries(Object.keys(env).map((key) => [key, process.env[key]]));
  Object.assign(process.env, env);
  try {
    return await attachSnapshot(pid, { port });
  } finally {
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  }
}

describe('attach mode weighs the target\'s heap before asking it for a snapshot', () => {
  it('a budget refuses it: the target is left running and exits 0', async () => {
    const port = await freePort();
    const target = await startBallast({ BALLAST_MB: '20' }, undefined, [`--inspect-port=${port}`]);
    const dump = await attachWith({ AWAITWHAT_MEMORY_BUDGET_MB: '64' }, target.child.pid!, port);
    expect(dump.source).toBe('attached');
    expect(dump.refused?.way).toBe('attached');
    expect(dump.refused?.limit.source).toBe('AWAITWHAT_MEMORY_BUDGET_MB=64');
    expect(dump.refused?.reason).toContain(`in the target (pid ${target.child.pid})`);
    expect(dump.refused!.heapUsedBytes).toBeGreaterThan(20 * 1024 * 1024);
    expect(dump.nodes).toEqual([]);
    expect(dump.process.pid).toBe(target.child.pid);
    expect(await finish(target)).toEqual({ code: 0, signal: null });
  }, 120_000);
});

/* ------------------------------------------------------------------------------------------ */
/* A real cgroup v1 memory limit.                                                              */
/* ------------------------------------------------------------------------------------------ */

/** This process's own cgroup v1 memory directory, where a child cgroup may be made. */
function ownMemoryCgroup(): string | undefined {
  const mount = parseMountInfo(readTextFile('/proc/self/mountinfo')).v1Memory;
  const path = parseCgroupFile(readTextFile('/proc/self/cgroup')).v1Memory;
  if (!mount || path === undefined) return undefined;
  return cgroupDirectories(mount, path, (dir) => readTextFile(`${dir}/cgroup.procs`) !== undefined)[0];
}

/**
 * Makes a child memory cgroup of our own (so it stays inside whatever limits and accounting
 * ours has) limited to `limitBytes`; returns its directory, or why it cannot be made.
 */
function makeMemoryCgroup(limitBytes: number): { dir: string } | { skip: string } {
  if (process.platform !== 'linux') return { skip: 'cgroups are Linux only' };
  const parent = ownMemoryCgroup();
  if (!parent) return { skip: 'no cgroup v1 memory hierarchy is mounted for this process' };
  const dir = join(parent, `awaitwhat-test-${process.pid}-${cgroups.length}-${Date.now()}`);
  try {
    mkdirSync(dir);
  } catch (error) {
    return { skip: `cannot create a memory cgroup under ${parent}: ${(error as Error).message}` };
  }
  cgroups.push(dir);
  try {
    writeFileSync(join(dir, 'memory.limit_in_bytes'), String(limitBytes));
    if (Number(readFileSync(join(dir, 'memory.limit_in_bytes'), 'utf8')) !== limitBytes) throw new Error('the limit did not hold');
  } catch (error) {
    return { skip: `cannot set memory.limit_in_bytes in ${dir}: ${(error as Error).message}` };
  }
  return { dir };
}

/** Removes a test cgroup once its processes are gone (the kernel needs a moment after exit). */
async function removeCgroup(dir: string): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt++) {
    try {
      rmdirSync(dir);
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  throw new Error(`could not remove the test cgroup ${dir}`);
}

function oomKills(dir: string): number {
  return Number(/^oom_kill (\d+)$/m.exec(readFileSync(join(dir, 'memory.oom_control'), 'utf8'))?.[1] ?? 0);
}

const LIMIT = 256 * 1024 * 1024;

describe('the memory guard under a real cgroup v1 memory limit (256 MiB, a 40 MiB heap)', () => {
  it('SIGUSR2 is refused, naming memory.limit_in_bytes, and the program lives on', async (ctx) => {
    const cgroup = makeMemoryCgroup(LIMIT);
    if ('skip' in cgroup) return ctx.skip(cgroup.skip);
    const dir = tempDir();
    const target = await startBallast({ AWAITWHAT_DIR: dir, BALLAST_MB: '40' }, cgroup.dir);
    expect(readFileSync(`/proc/${target.child.pid}/cgroup`, 'utf8')).toContain(cgroup.dir.split('/').pop());
    const { dump } = await signalDump(target);
    expect(dump.refused?.limit.source).toBe('cgroup v1 memory.limit_in_bytes');
    expect(dump.refused!.limit.limitBytes).toBe(LIMIT);
    expect(dump.refused!.reason).toContain('cgroup v1 memory.limit_in_bytes is 256 MiB');
    expect(dump.refused!.estimatedPeakBytes).toBeGreaterThan(dump.refused!.limit.headroomBytes);
    expect(target.stderr()).toContain(`awaitwhat: ${dump.refused!.reason}\n`);
    expect(isAlive(target.child.pid!)).toBe(true);
    expect(await finish(target)).toEqual({ code: 0, signal: null });
    expect(oomKills(cgroup.dir)).toBe(0);
  }, 120_000);

  it("attach mode reads the target's cgroup: refused, naming it, and the target lives on", async (ctx) => {
    const cgroup = makeMemoryCgroup(LIMIT);
    if ('skip' in cgroup) return ctx.skip(cgroup.skip);
    const port = await freePort();
    const target = await startBallast({ BALLAST_MB: '40' }, cgroup.dir, [`--inspect-port=${port}`]);
    const dump = await attachWith({}, target.child.pid!, port);
    expect(dump.refused?.limit.source).toBe('cgroup v1 memory.limit_in_bytes');
    expect(dump.refused!.limit.limitBytes).toBe(LIMIT);
    expect(dump.refused!.reason).toContain(`in the target (pid ${target.child.pid})`);
    expect(await finish(target)).toEqual({ code: 0, signal: null });
    expect(oomKills(cgroup.dir)).toBe(0);
  }, 120_000);

  it('without the guard (AWAITWHAT_DUMP_FORCE=1) the same dump gets the program OOM-killed', async (ctx) => {
    const cgroup = makeMemoryCgroup(LIMIT);
    if ('skip' in cgroup) return ctx.skip(cgroup.skip);
    const dir = tempDir();
    const target = await startBallast({ AWAITWHAT_DIR: dir, BALLAST_MB: '40', AWAITWHAT_DUMP_FORCE: '1' }, cgroup.dir);
    target.child.kill('SIGUSR2');
    expect(await target.exited).toEqual({ code: null, signal: 'SIGKILL' });
    expect(oomKills(cgroup.dir)).toBeGreaterThan(0);
    expect(target.stderr()).not.toMatch(DUMP_LINE);
  }, 120_000);
});
