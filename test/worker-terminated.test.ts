/**
 * A worker ended by `worker.terminate()` runs no JavaScript on the way out, so its register
 * never says `bye`. The main thread learns that its thread has ended from `/proc` (Linux) and
 * leaves it out: a later dump neither asks it nor waits for it. Each test sets
 * `AWAITWHAT_THREAD_TIMEOUT_MS` to an hour where a dump that asked the ended worker would hang
 * past the test's own limits; a worker whose loop is really blocked is still `no-answer`.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { captureStuckProgram, registerPath } from '../cli/capture.js';
import { parseDump } from '../src/serialize/json.js';
import { runNode } from './helpers/processes.js';
import { ROOT } from './helpers/samples.js';

const PROGRAM = 'test/programs/worker-terminated.mjs';
const AN_HOUR = { AWAITWHAT_THREAD_TIMEOUT_MS: '3600000' };

/** The thread id a line `<label> <id>` of the program's output names. */
function threadIdOf(stdout: string, label: 'terminated' | 'blocked'): number {
  const id = new RegExp(`^${label} (\\d+)$`, 'm').exec(stdout)?.[1];
  expect(id, `no "${label}" line in: ${stdout}`).toBeDefined();
  return Number(id);
}

describe.runIf(process.platform === 'linux')('a worker ended by worker.terminate()', () => {
  it('SIGUSR2: the dump is written without asking the ended worker, and does not list it', async () => {
    const { dump, stdout } = await captureStuckProgram({ script: PROGRAM, cwd: ROOT, env: AN_HOUR });
    const ended = threadIdOf(stdout, 'terminated');
    expect(ended).toBeGreaterThan(0);
    // No worker runs the register any more: the dump covers the main thread alone.
    expect(dump.threads).toBeUndefined();
    expect(dump.threadEdges).toBeUndefined();
  }, 120_000);

  it('SIGUSR2: a blocked worker beside it is still reported as not answering, alone', async () => {
    const { dump, stdout } = await captureStuckProgram({ script: PROGRAM, args: ['blocked'], cwd: ROOT, env: { AWAITWHAT_THREAD_TIMEOUT_MS: '1000' } });
    const ended = threadIdOf(stdout, 'terminated');
    const blocked = threadIdOf(stdout, 'blocked');
    expect(blocked).not.toBe(ended);
    expect(dump.threads?.map((t) => t.threadId)).toEqual([blocked]);
    const thread = dump.threads![0]!;
    expect(thread).toMatchObject({ status: 'no-answer', nodes: [], roots: [] });
    // /proc says its thread runs: worker.terminate() is ruled out of the reason.
    expect(thread.reason).toBe('no answer within 1 s: its event loop is blocked');
  }, 120_000);

  it('SIGUSR2: a worker terminated while the dump waits for its answer is left out, and the dump is written', async () => {
    const { dump, stdout } = await captureStuckProgram({ script: PROGRAM, args: ['blocked', 'terminate-when-asked'], cwd: ROOT, env: AN_HOUR });
    threadIdOf(stdout, 'blocked');
    // The program terminates it only once asked, and the dump would have waited an hour for its
    // answer: written without it, the dump saw it end while waiting.
    expect(dump.threads).toBeUndefined();
  }, 120_000);

  it('snapshot(): returns without waiting for the ended worker, and does not list it', async () => {
    const r = await runNode(['--import', registerPath(), PROGRAM, 'snapshot'], { cwd: ROOT, env: { ...process.env, ...AN_HOUR }, timeout: 90_000 });
    expect(r.error, r.stderr).toBeUndefined();
    expect(r.status, r.stderr).toBe(0);
    threadIdOf(r.stdout, 'terminated');
    expect(r.stdout).toMatch(/^threads \[\]$/m);
  }, 120_000);

  it('the exit dump: written without waiting for the ended worker; exit code 13 kept', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'awaitwhat-terminated-'));
    try {
      const r = await runNode(['--import', registerPath(), PROGRAM, 'exit'], { cwd: ROOT, env: { ...process.env, ...AN_HOUR, AWAITWHAT_DIR: dir }, timeout: 90_000 });
      expect(r.error, r.stderr).toBeUndefined();
      expect(r.status, r.stderr).toBe(13);
      threadIdOf(r.stdout, 'terminated');
      const path = /^awaitwhat: dump written to (.+)$/m.exec(r.stderr)?.[1];
      expect(path, r.stderr).toBeDefined();
      const dump = parseDump(readFileSync(path!, 'utf8'), path);
      expect(dump.trigger).toBe('exit');
      expect(dump.threads).toBeUndefined();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
