/**
 * `awaitwhat dump <pid>` while a dump takes its time (issue 10, point 1), with real processes
 * (Linux): the target's register publishes a progress record during a SIGUSR2 dump, the CLI
 * shows it with the estimate, takes "busy in its own snapshot" for what it is (never attaching),
 * ignores a stale record, and, when it did send SIGUSR1, leaves no inspector open, even one
 * that opens after it gave up.
 *
 * The long snapshot is made deterministic with the test-only `AWAITWHAT_TEST_HOLD_SNAPSHOT`
 * (docs/reliability.md): the register spins on the CPU before its snapshot until a file exists.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { registerPath } from '../cli/capture.js';
import { describeProgress, ProgressNotes } from '../cli/progress-watch.js';
import { listTargets } from '../src/attach/inspector-endpoint.js';
import { parseDumpProgress, type DumpProgress } from '../src/internal/dump-progress.js';
import { progressFileName } from '../src/internal/protocol-strings.js';
import type { Dump } from '../src/model.js';
import { isAlive, killTargets, startTarget, type Target } from './helpers/processes.js';
import { releasePorts, reservePort } from './helpers/ports.js';
import { ROOT } from './helpers/samples.js';

const MAIN = join(ROOT, 'dist', 'cli', 'main.js');
const linux = process.platform === 'linux';
const TIMEOUT = 120_000;

const tmp = mkdtempSync(join(tmpdir(), 'awaitwhat-dump-progress-'));
afterAll(() => {
  rmSync(tmp, { recursive: true, force: true });
  releasePorts();
});
const clis: ChildProcess[] = [];
afterEach(async () => {
  for (const child of clis.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await killTargets();
});

/** Polls `check` every 20 ms until it holds (the test's own timeout bounds it). */
async function until(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((r) => setTimeout(r, 20));
}

/** A running `awaitwhat dump …`, its output so far, and its end. */
interface Cli {
  stdout: () => string;
  stderr: () => string;
  ended: () => boolean;
  exited: Promise<number | null>;
}

function startCli(...args: string[]): Cli {
  const child = spawn(process.execPath, [MAIN, ...args], { cwd: ROOT, env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
  clis.push(child);
  let stdout = '';
  let stderr = '';
  let ended = false;
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const exited = new Promise<number | null>((resolve) =>
    child.once('close', (code) => {
      ended = true;
      resolve(code);
    }),
  );
  return { stdout: () => stdout, stderr: () => stderr, ended: () => ended, exited };
}

const lines = (text: string): string[] => text.split('\n').filter((l) => l !== '');

/** A dump directory of its own for one test. */
const dirFor = (name: string): string => mkdtempSync(join(tmp, `${name}-`));

describe.runIf(linux)('dump <pid> while the target takes its dump', () => {
  it('shows the progress with the estimate, waits past --timeout without attaching, and gets the dump', async () => {
    const dir = dirFor('held');
    const release = join(dir, 'release');
    const port = (await reservePort())!;
    const target: Target = await startTarget([`--inspect-port=${port}`, '--import', registerPath(), 'fixtures/forgotten-reject.mjs'], {
      AWAITWHAT_DIR: dir,
      AWAITWHAT_TEST_HOLD_SNAPSHOT: release,
    });
    const cli = startCli('dump', String(target.pid), '--timeout', '1500', '--format', 'json');
    // The timeout passed while the target spins in its dump: the CLI says why it keeps waiting.
    await until(() => cli.stderr().includes('busy with its dump, not blocked') || cli.ended());
    const record = join(dir, progressFileName(target.pid));
    expect(existsSync(record), 'the progress record while the dump is held').toBe(true);
    writeFileSync(release, '');
    const code = await cli.exited;
    const stderr = lines(cli.stderr());
    expect(code, cli.stderr()).toBe(0);
    const progress = stderr.find((l) => l.startsWith(`awaitwhat: pid ${target.pid} is taking a heap snapshot`));
    expect(progress, cli.stderr()).toMatch(
      new RegExp(`^awaitwhat: pid ${target.pid} is taking a heap snapshot \\(estimated peak \\+\\d+ MiB, ~\\d+ s paused, used heap \\d+ MiB\\), \\d+ s so far…$`),
    );
    expect(stderr.some((l) => l.startsWith(`awaitwhat: pid ${target.pid} wrote no dump within 1500 ms, but it is taking a heap snapshot`))).toBe(true);
    expect(cli.stderr()).not.toMatch(/attaching through|event loop is blocked/);
    const dump = JSON.parse(cli.stdout()) as Dump;
    expect(dump.source).not.toBe('attached');
    expect(dump.trigger).toBe('signal');
    // Never signalled with SIGUSR1: its inspector never opened.
    expect(target.stderr()).not.toContain('Debugger listening');
    expect(await listTargets(port, 2000)).toBeUndefined();
    // The record is gone with the dump.
    expect(existsSync(record)).toBe(false);
    expect(readdirSync(dir).filter((f) => f.endsWith('.progress') || f.endsWith('.tmp'))).toEqual([]);
    expect(isAlive(target.pid)).toBe(true);
  }, TIMEOUT);

  it('a stale record (a killed process of the same pid) is ignored: a blocked loop is attached to, its inspector closed again', async () => {
    const dir = dirFor('stale');
    const port = (await reservePort())!;
    const target = await startTarget([`--inspect-port=${port}`, '--import', registerPath(), 'fixtures/busy-loop.mjs'], { AWAITWHAT_DIR: dir });
    // As a process killed mid-dump leaves it: started an hour before this process did.
    const stale: DumpProgress = {
      pid: target.pid,
      phase: 'snapshot',
      startedAt: Date.now() - 3_600_000,
      phaseAt: Date.now() - 3_600_000,
      mode: 'full',
      heapUsedBytes: 500 * 2 ** 20,
      estimatedPeakBytes: 6000 * 2 ** 20,
      estimatedPauseMs: 60_000,
    };
    writeFileSync(join(dir, progressFileName(target.pid)), JSON.stringify(stale));
    const cli = startCli('dump', String(target.pid), '--timeout', '2000', '--format', 'json');
    const code = await cli.exited;
    expect(code, cli.stderr()).toBe(0);
    expect(lines(cli.stderr())[0]).toBe(
      `awaitwhat: pid ${target.pid} wrote no dump within 2000 ms and is busy on the CPU: its event loop is blocked; attaching through its inspector (SIGUSR1)`,
    );
    expect(cli.stderr()).not.toContain('heap snapshot (');
    const dump = JSON.parse(cli.stdout()) as Dump;
    expect(dump.source).toBe('attached');
    expect(dump.blockedLoop).toBeDefined();
    expect(target.stderr()).toContain('Debugger listening');
    expect(await listTargets(port, 2000), 'the inspector SIGUSR1 opened is closed again').toBeUndefined();
    expect(isAlive(target.pid)).toBe(true);
  }, TIMEOUT);

  it('an inspector that opens after the attach gave up (main thread blocked outside JavaScript) is still closed', async () => {
    const dir = dirFor('late');
    const release = join(dir, 'release');
    const port = (await reservePort())!;
    const target = await startTarget([`--inspect-port=${port}`, 'test/programs/native-block.mjs'], { RELEASE_FILE: release });
    const cli = startCli('dump', String(target.pid), '--timeout', '1000');
    // SIGUSR1 is pending in a thread that runs no JavaScript: the inspector cannot open yet.
    await until(() => cli.stderr().includes('has not opened yet') || cli.ended());
    writeFileSync(release, '');
    const code = await cli.exited;
    expect(code, cli.stderr()).toBe(1);
    // Whenever it opened (before or after the CLI ended), it must not be open now.
    await until(() => target.stderr().includes('Debugger listening'));
    await until(() => target.stdout().includes('released'));
    expect(await listTargets(port, 2000), 'the late inspector is closed').toBeUndefined();
    expect(lines(cli.stderr()).at(-1)).toMatch(
      new RegExp(`^awaitwhat: the inspector of pid ${target.pid} did not open on 127\\.0\\.0\\.1:${port} within 1000 ms after SIGUSR1 .*; SIGUSR1 opened pid ${target.pid}'s inspector on 127\\.0\\.0\\.1:${port}; it was closed again$`),
    );
    expect(isAlive(target.pid)).toBe(true);
  }, TIMEOUT);
});

describe.runIf(linux)('the progress record is removed however the dump ends', () => {
  /** Sends SIGUSR2 to a target holding its dump, and waits until its record is there. */
  async function heldDump(env: NodeJS.ProcessEnv, script = 'fixtures/forgotten-reject.mjs'): Promise<{ target: Target; record: string; release: string }> {
    const dir = dirFor('ends');
    const release = join(dir, 'release');
    const target = await startTarget(['--import', registerPath(), script], { AWAITWHAT_DIR: dir, AWAITWHAT_TEST_HOLD_SNAPSHOT: release, ...env });
    const record = join(dir, progressFileName(target.pid));
    process.kill(target.pid, 'SIGUSR2');
    await until(() => existsSync(record));
    return { target, record, release };
  }

  it('a failed dump: one line on its stderr, no record left', async () => {
    const { target, record, release } = await heldDump({ AWAITWHAT_FAULT: 'capture' });
    writeFileSync(release, '');
    await until(() => target.stderr().includes('awaitwhat: dump failed:'));
    expect(existsSync(record)).toBe(false);
    expect(isAlive(target.pid)).toBe(true);
  }, TIMEOUT);

  it('the program exits while its dump is analysed: no record left', async () => {
    const { target, record, release } = await heldDump({ EXIT_AFTER_MS: '0' }, 'test/programs/exit-during-analysis.mjs');
    const exited = new Promise<number | null>((resolve) => target.child.once('exit', (code) => resolve(code)));
    writeFileSync(release, '');
    expect(await exited).toBe(5);
    expect(existsSync(record)).toBe(false);
  }, TIMEOUT);

  it('a refused dump (over its memory budget) leaves no record', async () => {
    const dir = dirFor('refused');
    const target = await startTarget(['--import', registerPath(), 'fixtures/forgotten-reject.mjs'], { AWAITWHAT_DIR: dir, AWAITWHAT_MEMORY_BUDGET_MB: '1' });
    process.kill(target.pid, 'SIGUSR2');
    await until(() => target.stderr().includes('awaitwhat: dump written to'));
    expect(target.stderr()).toContain('heap snapshot refused');
    expect(readdirSync(dir).filter((f) => f.startsWith('.'))).toEqual([]);
  }, TIMEOUT);
});

describe('the progress record and its notes', () => {
  const record: DumpProgress = {
    pid: 42,
    phase: 'snapshot',
    startedAt: 1_000_000,
    phaseAt: 1_000_000,
    mode: 'full',
    heapUsedBytes: 526 * 2 ** 20,
    estimatedPeakBytes: 7890 * 2 ** 20,
    estimatedPauseMs: 68_580,
  };

  it('reads back what is written; anything else is no record', () => {
    expect(parseDumpProgress(JSON.stringify(record))).toEqual(record);
    expect(parseDumpProgress('{"pid":42,"phase":"sleeping"}')).toBeUndefined();
    expect(parseDumpProgress(JSON.stringify({ ...record, startedAt: 'soon' }))).toBeUndefined();
    expect(parseDumpProgress('{"pid":4')).toBeUndefined();
  });

  it('says the phase and the estimate; quiet for the first second, then a note at most once a second, repeated every few seconds', () => {
    expect(describeProgress(record)).toBe('is taking a heap snapshot (estimated peak +7.7 GiB, ~69 s paused, used heap 526 MiB)');
    const seen: string[] = [];
    const notes = new ProgressNotes(42, (line) => seen.push(line), 999_000);
    notes.show(record, 999_900); // within the first second of the wait: quiet
    notes.show(record, 1_000_500);
    notes.show(record, 1_001_000); // same phase, too soon
    notes.show({ ...record, phase: 'analysis' }, 1_001_200); // new, but within a second
    notes.show({ ...record, phase: 'analysis' }, 1_001_600);
    notes.show({ ...record, phase: 'analysis' }, 1_004_000); // same phase, < 5 s since the last
    notes.show({ ...record, phase: 'analysis' }, 1_006_700);
    expect(seen).toEqual([
      'pid 42 is taking a heap snapshot (estimated peak +7.7 GiB, ~69 s paused, used heap 526 MiB), 1 s so far…',
      'pid 42 has taken its heap snapshot and is analysing it in a worker thread (the program runs again), 2 s so far…',
      'pid 42 has taken its heap snapshot and is analysing it in a worker thread (the program runs again), 7 s so far…',
    ]);
  });
});
