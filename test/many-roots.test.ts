/**
 * 130 000 identical stuck roots (issue 9): `view` grouped them and then died with "Maximum
 * call stack size exceeded" (a group's waiting times spread into Math.min). Dumped the way a
 * user does it: SIGUSR2 to a process running the register, then `awaitwhat view`.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { registerPath } from '../cli/capture.js';
import { killTargets, startTarget } from './helpers/processes.js';
import { ROOT } from './helpers/samples.js';
import { dumpBySignal } from './helpers/signal-dump.js';

const run = promisify(execFile);
const MAIN = join(ROOT, 'dist', 'cli', 'main.js');
const tmp = mkdtempSync(join(tmpdir(), 'awaitwhat-many-roots-'));
const N = 130_000;

afterEach(killTargets);
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('130 000 identical stuck roots', () => {
  it('view prints one grouped chain ×130000 and the verdict, without overflowing the stack', async () => {
    const target = await startTarget(['--import', registerPath(), 'test/programs/many-identical-roots.mjs', String(N)], { AWAITWHAT_DIR: tmp });
    const file = await dumpBySignal(target, tmp);
    await killTargets();
    const { stdout, stderr } = await run(process.execPath, [MAIN, 'view', file, '--no-color', '--width', '0'], { cwd: ROOT, maxBuffer: 64 * 1024 * 1024 });
    expect(stderr).toBe('');
    expect(stdout).toContain(`${N} roots`);
    expect(stdout).toMatch(new RegExp(`^×${N} async handler .*test/programs/many-identical-roots\\.mjs:5:`, 'm'));
    expect(stdout).toMatch(new RegExp(`stuck on: Promise .* awaited by async handler \\(test/programs/many-identical-roots\\.mjs:5:\\d+\\) ×${N}`));
    // One line per group, not per task.
    expect(stdout.split('\n').length).toBeLessThan(100);
  }, 300_000);
});
