/**
 * `awaitwhat run` between a launcher and the program (Linux, real processes): SIGUSR2 sent to
 * `run` reaches the Node program that loaded the register — not `npm` (which loads it too,
 * through NODE_OPTIONS) nor `sh` (which SIGUSR2 would kill, orphaning the program) — and a
 * SIGINT to the process group, as a terminal's Ctrl-C sends it, reaches the program once.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { Dump } from '../src/model.js';
import { descendantPids } from '../src/internal/proc.js';
import { isAlive, stuckLines, waitGone } from './helpers/processes.js';
import { ROOT } from './helpers/samples.js';

const MAIN = join(ROOT, 'dist', 'cli', 'main.js');
const linux = process.platform === 'linux';
const TIMEOUT = 120_000;
const FIXTURE = join(ROOT, 'fixtures', 'forgotten-reject.mjs');

const tmp = mkdtempSync(join(tmpdir(), 'awaitwhat-run-wrapper-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

interface Run {
  child: ChildProcess;
  pid: number;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}
const runs: Run[] = [];
afterEach(async () => {
  for (const run of runs.splice(0)) {
    const tree = descendantPids(run.pid);
    try {
      process.kill(-run.pid, 'SIGKILL');
    } catch {
      // already gone
    }
    for (const pid of tree) if (isAlive(pid)) process.kill(pid, 'SIGKILL');
    await Promise.all([run.pid, ...tree].map((pid) => waitGone(pid)));
  }
});

/**
 * Starts `awaitwhat run …` in a session of its own (no terminal, its own process group, as a
 * service or a CI step runs it) and waits for the program's `ready`.
 */
async function startRun(args: string[], cwd = ROOT): Promise<Run> {
  const child = spawn(process.execPath, [MAIN, 'run', ...args], { cwd, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const run: Run = { child, pid: child.pid!, stdout: () => out, stderr: () => err, exited };
  runs.push(run);
  await until(() => /^ready$/m.test(out), `ready from ${args.join(' ')}`, () => err);
  return run;
}

async function until(check: () => boolean, what: string, detail: () => string = () => '', ms = 90_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${detail()}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The command line of a process, as one string. */
function commandOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
  } catch {
    return '';
  }
}

/** Sends SIGUSR2 to `run` and reads the one dump that appears in `dir`. */
async function dumpThroughRun(run: Run, dir: string): Promise<Dump> {
  process.kill(run.pid, 'SIGUSR2');
  await until(() => readdirSync(dir).some((f) => /^awaitwhat-\d+-.*\.json$/.test(f)), 'a dump file', run.stderr);
  const files = readdirSync(dir).filter((f) => /^awaitwhat-\d+-.*\.json$/.test(f));
  expect(files).toHaveLength(1);
  return JSON.parse(readFileSync(join(dir, files[0]!), 'utf8')) as Dump;
}

describe.runIf(linux)('awaitwhat run: SIGUSR2 reaches the program, not the launcher', () => {
  it("run -- sh -c 'node app; …': the dump is the app's, and sh lives on", async () => {
    const dir = join(tmp, 'sh');
    mkdirSync(dir);
    // `; echo` keeps sh from exec'ing node: sh stays the program's parent.
    const run = await startRun(['--dir', dir, '--', 'sh', '-c', `"${process.execPath}" "${FIXTURE}"; echo after`]);
    const tree = descendantPids(run.pid);
    const sh = tree.find((pid) => commandOf(pid).startsWith('sh -c'))!;
    const app = tree.find((pid) => commandOf(pid).includes('forgotten-reject.mjs') && pid !== sh)!;
    expect(sh && app).toBeTruthy();
    const dump = await dumpThroughRun(run, dir);
    expect(dump.process.pid).toBe(app);
    expect(dump.process.argv.at(-1)).toBe(FIXTURE);
    expect(dump.nodes.some((n) => n.awaitLocation?.line === stuckLines('forgotten-reject')[0])).toBe(true);
    expect(isAlive(sh)).toBe(true);
    expect(isAlive(app)).toBe(true);
    expect(run.child.exitCode).toBeNull();
  }, TIMEOUT);

  it('run -- npm run start: the dump is the app\'s, not npm\'s', async () => {
    const project = join(tmp, 'npm-project');
    const dir = join(tmp, 'npm-dumps');
    mkdirSync(project);
    mkdirSync(dir);
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'tiny', version: '1.0.0', private: true, scripts: { start: `"${process.execPath}" "${FIXTURE}"` } }));
    const run = await startRun(['--dir', dir, '--', 'npm', 'run', '--silent', 'start'], project);
    const tree = descendantPids(run.pid);
    const npm = tree[0]!;
    expect(commandOf(npm)).toMatch(/npm/);
    const app = tree.find((pid) => commandOf(pid).startsWith(`${process.execPath} ${FIXTURE}`))!;
    expect(app).toBeDefined();
    const dump = await dumpThroughRun(run, dir);
    expect(dump.process.pid).toBe(app);
    expect(dump.process.argv.at(-1)).toBe(FIXTURE);
    expect(isAlive(npm) && isAlive(app)).toBe(true);
  }, TIMEOUT);

  it('awaitwhat dump <run pid> picks the same process', async () => {
    const dir = join(tmp, 'dump-run');
    mkdirSync(dir);
    const run = await startRun(['--dir', dir, '--', 'sh', '-c', `"${process.execPath}" "${FIXTURE}"; echo after`]);
    const app = descendantPids(run.pid).find((pid) => commandOf(pid).startsWith(process.execPath))!;
    const dump = spawn(process.execPath, [MAIN, 'dump', String(run.pid), '--format', 'json'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    dump.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
    dump.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
    const code = await new Promise<number | null>((resolve) => dump.once('exit', resolve));
    expect(code, err).toBe(0);
    expect(err.split('\n')[0]).toBe(`awaitwhat: pid ${run.pid} is "awaitwhat run"; dumping pid ${app} (node ${FIXTURE}), the process of its command that runs the register`);
    expect((JSON.parse(out) as Dump).process.pid).toBe(app);
  }, TIMEOUT);
});

describe.runIf(linux)('awaitwhat run: SIGINT to the process group', () => {
  it('a graceful-then-force program gets exactly one SIGINT and exits gracefully', async () => {
    const run = await startRun(['--', process.execPath, join(ROOT, 'test/programs/graceful-then-force.mjs')]);
    process.kill(-run.pid, 'SIGINT'); // what a terminal's Ctrl-C does: the whole group
    const { code } = await run.exited;
    expect(run.stdout().match(/^sigint \d+$/gm)).toEqual(['sigint 1']);
    expect(run.stdout()).toContain('graceful exit after 1 SIGINT');
    expect(run.stdout()).not.toContain('force quit');
    expect(code).toBe(0);
  }, TIMEOUT);

  it('a SIGINT sent to run alone reaches the program too (once)', async () => {
    const run = await startRun(['--', process.execPath, join(ROOT, 'test/programs/graceful-then-force.mjs')]);
    process.kill(run.pid, 'SIGINT');
    const { code } = await run.exited;
    expect(run.stdout().match(/^sigint \d+$/gm)).toEqual(['sigint 1']);
    expect(code).toBe(0);
  }, TIMEOUT);
});
