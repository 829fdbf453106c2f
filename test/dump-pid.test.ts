/**
 * `awaitwhat dump <pid>` against real processes: a target that runs the register is dumped
 * through SIGUSR2; a target that does not is never sent SIGUSR2 (it would die) but attached
 * through its inspector; a target whose loop is blocked is attached too; bad pids get one
 * line. The binary is the built one (`dist/cli/main.js`).
 */
import { execFile, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import {
  dumpPid,
  looksLikeNode,
  maskHasSignal,
  namesRegister,
  parseSignalMask,
  readTargetFacts,
  runsRegister,
  targetDumpDir,
} from '../cli/dump-pid.js';
import { registerPath } from '../cli/capture.js';
import { isBusy } from '../cli/target-facts.js';
import type { Dump } from '../src/model.js';
import { isAlive, killTargets, runNode, startTarget, stuckLines, waitGone } from './helpers/processes.js';
import { releasePorts, reservePort } from './helpers/ports.js';
import { ROOT } from './helpers/samples.js';

const MAIN = join(ROOT, 'dist', 'cli', 'main.js');
const linux = process.platform === 'linux';

const tmp = mkdtempSync(join(tmpdir(), 'awaitwhat-dump-pid-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
afterEach(async () => {
  await killTargets();
  releasePorts();
});

function awaitwhat(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [MAIN, ...args],
      { cwd: ROOT, env: { ...process.env, NO_COLOR: '1' }, timeout: 90_000, maxBuffer: 1 << 26 },
      (error, stdout, stderr) => {
        const code = error ? ((error as { code?: unknown }).code as number | null) : 0;
        resolve({ code: typeof code === 'number' ? code : null, stdout, stderr });
      },
    );
  });
}

/** A dump's progress notes (docs/cli.md: a slow dump on a loaded machine prints some). */
const PROGRESS_NOTE = /^awaitwhat: pid \d+ (is taking|has taken|is collecting|is writing) .* so far…$/;

function stderrLines(stderr: string): string[] {
  return stderr.split('\n').filter((l) => l !== '' && !PROGRESS_NOTE.test(l));
}

/**
 * An inspector port for a target attached through SIGUSR1 (the CLI reads it from the target's
 * `--inspect-port`): reserved, so that suites running at once do not all use 9229.
 */
const inspectorPort = async (): Promise<number> => (await reservePort())!;

/** Polls `ok` every 20 ms until it holds. */
async function until(ok: () => boolean): Promise<void> {
  while (!ok()) await new Promise((r) => setTimeout(r, 20));
}

const withRegister = (script: string) => ['--import', registerPath(), script];
const STUCK = 'forgotten-reject';
const stuckLine = () => stuckLines(STUCK)[0]!;

describe.runIf(linux)('awaitwhat dump <pid> (Linux)', () => {
  it('a target running the register: SIGUSR2, its dump file, the tree naming the stuck line', async () => {
    const target = await startTarget(withRegister(`fixtures/${STUCK}.mjs`), { AWAITWHAT_DIR: tmp });
    const r = await awaitwhat('dump', String(target.pid));
    expect(stderrLines(r.stderr)).toEqual([expect.stringMatching(new RegExp(`^awaitwhat: dump written to ${tmp}/awaitwhat-${target.pid}-\\d{8}-\\d{6}-\\d{3}\\.json$`))]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`awaitwhat dump of pid ${target.pid}`);
    expect(r.stdout).toContain(`fixtures/${STUCK}.mjs:${stuckLine()}:`);
    expect(target.stderr()).toMatch(/awaitwhat: dump written to /);
    expect(isAlive(target.pid)).toBe(true);
  }, 90_000);

  it('--format json prints the dump the target wrote; the register through NODE_OPTIONS is recognised', async () => {
    const target = await startTarget([`fixtures/${STUCK}.mjs`], {
      AWAITWHAT_DIR: tmp,
      NODE_OPTIONS: `--import ${registerPath()}`,
    });
    const r = await awaitwhat('dump', String(target.pid), '--format', 'json');
    expect(r.code).toBe(0);
    const dump = JSON.parse(r.stdout) as Dump;
    expect(dump.trigger).toBe('signal');
    expect(dump.process.pid).toBe(target.pid);
    expect(dump.nodes.some((n) => n.awaitLocation?.line === stuckLine())).toBe(true);
  }, 90_000);

  it('the register named in NODE_OPTIONS by a quoted path with spaces is recognised, as Node reads it', async () => {
    // A copy of the package reached through a directory whose name has spaces: NODE_OPTIONS
    // must quote it, and the CLI must split the variable as Node does (quotes group), not on
    // every space, or it takes the target for a program without the register and attaches.
    const spaced = join(tmp, 'a copy with spaces');
    symlinkSync(ROOT, spaced);
    const target = await startTarget([`fixtures/${STUCK}.mjs`], {
      AWAITWHAT_DIR: tmp,
      NODE_OPTIONS: `--no-deprecation --import "${join(spaced, 'dist', 'src', 'register.js')}"`,
    });
    expect(runsRegister(readTargetFacts(target.pid))).toBe(true);
    const r = await awaitwhat('dump', String(target.pid), '--format', 'json');
    expect(stderrLines(r.stderr)).toEqual([expect.stringMatching(/^awaitwhat: dump written to .*\/awaitwhat-\d+-\d{8}-\d{6}-\d{3}\.json$/)]);
    expect(r.code).toBe(0);
    const dump = JSON.parse(r.stdout) as Dump;
    expect(dump.trigger).toBe('signal');
    expect(dump.nodes.some((n) => n.awaitLocation?.line === stuckLine())).toBe(true);
  }, 90_000);

  it('"awaitwhat run" as the target: dumps the command it runs', async () => {
    const wrapper = await startTarget([MAIN, 'run', '--dir', tmp, '--', process.execPath, `fixtures/${STUCK}.mjs`]);
    const children = readFileSync(`/proc/${wrapper.pid}/task/${wrapper.pid}/children`, 'utf8').trim().split(/\s+/).map(Number);
    try {
      const r = await awaitwhat('dump', String(wrapper.pid));
      expect(r.code).toBe(0);
      expect(stderrLines(r.stderr)[0]).toBe(
        `awaitwhat: pid ${wrapper.pid} is "awaitwhat run"; dumping pid ${children[0]} (node fixtures/${STUCK}.mjs), the process of its command that runs the register`,
      );
      expect(r.stdout).toContain(`fixtures/${STUCK}.mjs:${stuckLine()}:`);
    } finally {
      for (const pid of children) if (isAlive(pid)) process.kill(pid, 'SIGKILL');
    }
  }, 90_000);

  it('a target WITHOUT awaitwhat is never sent SIGUSR2: still alive afterwards', async () => {
    const target = await startTarget([`--inspect-port=${await inspectorPort()}`, `fixtures/${STUCK}.mjs`]);
    const r = await awaitwhat('dump', String(target.pid), '--timeout', '20000');
    expect(isAlive(target.pid)).toBe(true);
    expect(target.child.exitCode).toBeNull();
    expect(target.child.signalCode).toBeNull();
    const lines = stderrLines(r.stderr);
    expect(lines[0]).toBe(`awaitwhat: pid ${target.pid} does not run awaitwhat; attaching through its inspector (SIGUSR1)`);
    expect(r.code, r.stderr).toBe(0);
    expect(lines).toHaveLength(1);
    expect(r.stdout).toContain(`fixtures/${STUCK}.mjs:${stuckLine()}:`);
  }, 90_000);

  it('a Node.js target with a SIGUSR2 handler of its own (not awaitwhat) is not signalled', async () => {
    // It answers each line on stdin with `pong`: two round trips after the dump, a SIGUSR2
    // sent during the dump would have been handled (the loop polls signals with stdin).
    const program = `process.on('SIGUSR2', () => console.log('got SIGUSR2')); process.stdin.setEncoding('utf8').on('data', () => console.log('pong')); console.log('ready');`;
    const target = await startTarget([`--inspect-port=${await inspectorPort()}`, '-e', program]);
    await awaitwhat('dump', String(target.pid), '--timeout', '20000');
    for (const round of [1, 2]) {
      target.child.stdin.write('ping\n');
      await until(() => target.stdout().split('pong').length > round);
    }
    expect(target.stdout()).not.toContain('got SIGUSR2');
    expect(isAlive(target.pid)).toBe(true);
  }, 90_000);

  it('a target whose event loop is blocked: reported, attached, its stack in blockedLoop', async () => {
    const target = await startTarget([`--inspect-port=${await inspectorPort()}`, ...withRegister('fixtures/busy-loop.mjs')], { AWAITWHAT_DIR: tmp });
    const r = await awaitwhat('dump', String(target.pid), '--timeout', '2000', '--format', 'json');
    const lines = stderrLines(r.stderr);
    expect(lines[0]).toBe(
      `awaitwhat: pid ${target.pid} wrote no dump within 2000 ms and is busy on the CPU: its event loop is blocked; attaching through its inspector (SIGUSR1)`,
    );
    expect(r.code, r.stderr).toBe(0);
    const dump = JSON.parse(r.stdout) as Dump;
    expect(dump.source).toBe('attached');
    expect(dump.blockedLoop).toBeDefined();
    const top = dump.blockedLoop!.stack.find((f) => f.url.endsWith('/fixtures/busy-loop.mjs'));
    expect(top, 'a frame in busy-loop.mjs').toBeDefined();
    expect(['rebuildIndex', 'score']).toContain(top!.functionName);
    expect(isAlive(target.pid)).toBe(true);
  }, 90_000);

  it('a process that is not Node.js: one line, exit 1, left alone', async () => {
    const sleeper = spawn('sleep', ['60'], { stdio: 'ignore' });
    try {
      // 'spawn' is emitted once the exec succeeded: /proc already shows `sleep`, not node.
      await new Promise((r) => sleeper.once('spawn', r));
      const r = await awaitwhat('dump', String(sleeper.pid));
      expect(r.code).toBe(1);
      expect(r.stdout).toBe('');
      expect(stderrLines(r.stderr)).toEqual([`awaitwhat: pid ${sleeper.pid} is not a Node.js process (sleep)`]);
      expect(isAlive(sleeper.pid!)).toBe(true);
    } finally {
      sleeper.kill('SIGKILL');
      await waitGone(sleeper.pid!);
    }
  }, 30_000);

  it('a process we may not signal: one line, exit 1', async () => {
    const root = process.getuid?.() === 0;
    let victim: number;
    let result: { code: number | null; stdout: string; stderr: string };
    if (root) {
      // Run awaitwhat as nobody against a process of root's.
      const target = await startTarget(['-e', "setInterval(() => {}, 60_000); console.log('ready');"]);
      victim = target.pid;
      const readable = (await runNode(['-e', `require('fs').accessSync(${JSON.stringify(MAIN)})`], { cwd: '/', uid: 65534, gid: 65534 })).status === 0;
      if (readable) {
        const r = await runNode([MAIN, 'dump', String(victim)], { cwd: '/', uid: 65534, gid: 65534, timeout: 30_000 });
        result = { code: r.status, stdout: r.stdout, stderr: r.stderr };
      } else {
        // The checkout is private to root (e.g. a clone under a 0700 temp dir): load the CLI's
        // check as root, then drop to nobody and run it, printing what the CLI would print.
        const program = `
          const { checkSignallable } = await import(${JSON.stringify(pathToFileURL(join(ROOT, 'dist', 'cli', 'dump-pid.js')).href)});
          process.setgid(65534); process.setuid(65534);
          try { checkSignallable(${victim}); } catch (e) { process.stderr.write('awaitwhat: ' + e.message + '\\n'); process.exit(1); }`;
        const r = await runNode(['--input-type=module', '-e', program], { cwd: '/', timeout: 30_000 });
        result = { code: r.status, stdout: r.stdout, stderr: r.stderr };
      }
    } else {
      victim = 1;
      result = await awaitwhat('dump', '1');
    }
    expect(result.code).toBe(1);
    expect(stderrLines(result.stderr)).toEqual([`awaitwhat: not allowed to signal pid ${victim}`]);
  }, 30_000);
});

describe.runIf(linux)('dumpPid() off Linux (simulated)', () => {
  it('--force-signal sends SIGUSR2 without reading /proc and waits in --dir', async () => {
    const target = await startTarget(withRegister(`fixtures/${STUCK}.mjs`), { AWAITWHAT_DIR: tmp });
    const notes: string[] = [];
    const result = await dumpPid(target.pid, { platform: 'darwin', forceSignal: true, dir: tmp, note: (l) => notes.push(l) });
    expect(result.mode).toBe('signal');
    expect(result.path!.startsWith(tmp)).toBe(true);
    expect(result.dump.process.pid).toBe(target.pid);
    expect(notes.filter((l) => !PROGRESS_NOTE.test(`awaitwhat: ${l}`))).toEqual([]);
  }, 90_000);
});

describe('awaitwhat dump <pid>: bad pids', () => {
  it('no such process: one line, exit 1', async () => {
    const r = await awaitwhat('dump', '2147483646');
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(stderrLines(r.stderr)).toEqual(['awaitwhat: no process with pid 2147483646']);
  });

  it('not a pid: usage error, exit 2', async () => {
    const r = await awaitwhat('dump', 'abc');
    expect(r.code).toBe(2);
    expect(stderrLines(r.stderr)).toEqual(['awaitwhat: pid must be a positive integer, got "abc" (see awaitwhat --help)']);
  });

  it('a bad --timeout: usage error, exit 2', async () => {
    const r = await awaitwhat('dump', '1', '--timeout', '-5');
    expect(r.code).toBe(2);
    expect(stderrLines(r.stderr)).toHaveLength(1);
  });
});

describe.runIf(linux && spawnSync('taskset', ['-V']).status === 0)('a blocked loop on a loaded machine', () => {
  it('a spinning target that gets little CPU (six spinners share one core) is busy; an idle one is not', async () => {
    // A loop blocked in JavaScript never sleeps: on a loaded machine it waits for a core most of
    // the time (under a third of one here), but is runnable in every sample, unlike an idle one.
    const spin = "console.log('ready'); for (;;);";
    const spinners = await Promise.all(Array.from({ length: 6 }, () => startTarget(['-e', spin])));
    for (const s of spinners) expect(spawnSync('taskset', ['-a', '-p', '-c', '0', String(s.pid)]).status).toBe(0);
    const idle = await startTarget(['-e', "setInterval(() => {}, 60_000); console.log('ready');"]);
    expect(await isBusy(spinners[0]!.pid)).toBe(true);
    expect(await isBusy(idle.pid)).toBe(false);
  }, 60_000);
});

describe('target detection', () => {
  it('reads SIGUSR2 = signal 12 as bit 11 of SigCgt', () => {
    // A Node.js process with a SIGUSR2 listener, as read on Node 20 / Linux.
    const withListener = parseSignalMask('0000000100004e02');
    const plainNode = parseSignalMask('0000000100004602');
    expect(maskHasSignal(withListener, 12)).toBe(true);
    expect(maskHasSignal(plainNode, 12)).toBe(false);
    expect(maskHasSignal(plainNode, 10)).toBe(true); // SIGUSR1: Node's inspector
  });

  it.runIf(linux)('sees the register and the SIGUSR2 handler of a live target, without signalling it', async () => {
    const target = await startTarget(withRegister(`fixtures/${STUCK}.mjs`), { AWAITWHAT_DIR: tmp });
    const plain = await startTarget([`fixtures/${STUCK}.mjs`]);
    const facts = readTargetFacts(target.pid);
    expect(runsRegister(facts)).toBe(true);
    expect(looksLikeNode(facts)).toBe(true);
    expect(maskHasSignal(facts.caught!, 12)).toBe(true);
    expect(targetDumpDir(facts)).toEqual({ shown: tmp, access: tmp });
    const plainFacts = readTargetFacts(plain.pid);
    expect(runsRegister(plainFacts)).toBe(false);
    expect(maskHasSignal(plainFacts.caught!, 12)).toBe(false);
    const cwd = ROOT.replace(/\/$/, '');
    expect(targetDumpDir(plainFacts)).toEqual({ shown: cwd, access: cwd });
  }, 30_000);

  it('recognises the register in a command line', () => {
    expect(namesRegister('awaitwhat/register', '/srv')).toBe(true);
    expect(namesRegister('--import=awaitwhat/register', '/srv')).toBe(true);
    expect(namesRegister(registerPath(), '/')).toBe(true);
    expect(namesRegister('./dist/src/register.js', ROOT)).toBe(true);
    expect(namesRegister('./register.js', '/srv')).toBe(false);
    expect(namesRegister('app.js', '/srv')).toBe(false);
  });
});
