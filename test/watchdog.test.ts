/**
 * The blocked-loop watchdog: a program that spins in synchronous JavaScript never runs its
 * SIGUSR2 handler, but with AWAITWHAT_WATCHDOG_MS the watchdog thread notices the loop has not
 * turned, pauses the main thread through the inspector, and writes a dump with its stack.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseDump } from '../src/serialize/json.js';
import { ROOT } from './helpers/samples.js';

const REGISTER = join(ROOT, 'dist', 'src', 'register.js');
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function runUntil(script: string, env: NodeJS.ProcessEnv, until: RegExp, timeoutMs: number) {
  const child = spawn(process.execPath, ['--import', REGISTER, script], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  let stdout = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d));
  child.stderr.on('data', (d: Buffer) => (stderr += d));
  return new Promise<{ stdout: string; stderr: string }>((resolve) => {
    const timer = setTimeout(done, timeoutMs);
    const poll = setInterval(() => until.test(stderr) && done(), 25);
    function done() {
      clearTimeout(timer);
      clearInterval(poll);
      child.kill('SIGKILL');
      resolve({ stdout, stderr });
    }
  });
}

describe('blocked-loop watchdog', () => {
  it('dumps the stack of a main thread spinning in synchronous code, with how long it was blocked', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'awaitwhat-watchdog-'));
    dirs.push(dir);
    const { stderr } = await runUntil('fixtures/busy-loop.mjs', { AWAITWHAT_WATCHDOG_MS: '300', AWAITWHAT_DIR: dir }, /dump written to/, 100_000);
    expect(stderr).toMatch(/^awaitwhat: event loop blocked for \d+ms in rebuildIndex \(file:\/\/.*fixtures\/busy-loop\.mjs:\d+:\d+\)$/m);
    const path = /dump written to (.+)$/m.exec(stderr)![1]!;
    const dump = parseDump(readFileSync(path, 'utf8'));
    expect(dump.trigger).toBe('watchdog');
    expect(dump.blockedLoop!.blockedMs).toBeGreaterThanOrEqual(300);
    expect(dump.blockedLoop!.stack[0]).toMatchObject({ functionName: 'rebuildIndex', url: expect.stringMatching(/fixtures\/busy-loop\.mjs$/) });
    expect(dump.verdicts?.map((v) => v.kind)).toEqual(['blocked-loop']);
    expect(dump.hooks.installed).toBe(true);
  }, 120_000);

  it('says the hook layer was not installed when the register runs with AWAITWHAT_HOOKS=off', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'awaitwhat-watchdog-'));
    dirs.push(dir);
    const { stderr } = await runUntil('fixtures/busy-loop.mjs', { AWAITWHAT_WATCHDOG_MS: '300', AWAITWHAT_DIR: dir, AWAITWHAT_HOOKS: 'off' }, /dump written to/, 100_000);
    const path = /dump written to (.+)$/m.exec(stderr)![1]!;
    const dump = parseDump(readFileSync(path, 'utf8'));
    expect(dump.trigger).toBe('watchdog');
    expect(dump.hooks).toEqual({ installed: false, creationStacks: false });
  }, 120_000);

  it('stays silent while the loop keeps turning, and does not keep the process alive', async () => {
    // The loop turns every 10 ms for 2 s, four times the threshold; the threshold is far above
    // what a loaded machine stalls a process for (a lower one would report the machine's load).
    const turning = 'let n = 0; const t = setInterval(() => { if (++n === 200) { clearInterval(t); console.log("done"); } }, 10);';
    const silent = await new Promise<{ code: number | null; stderr: string; stdout: string }>((resolve) => {
      const child = spawn(process.execPath, ['--import', REGISTER, '-e', turning], { env: { ...process.env, AWAITWHAT_WATCHDOG_MS: '500' } });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d));
      child.stderr.on('data', (d: Buffer) => (stderr += d));
      child.on('close', (code) => resolve({ code, stdout, stderr }));
    });
    // It exits by itself once its interval is cleared: the watchdog keeps nothing alive (a
    // hang ends on the test's time limit).
    expect(silent.stdout).toBe('done\n');
    expect(silent.stderr).not.toMatch(/awaitwhat/);
    expect(silent.code).toBe(0);
  }, 30_000);
});
