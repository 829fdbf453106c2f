/**
 * End to end: `awaitwhat demo` runs fixtures/demo.mjs with the register, dumps it on SIGUSR2
 * and prints the tree. Needs the compiled register (dist/src/register.js).
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { captureStuckProgram } from '../cli/capture.js';
import { runNode } from './helpers/processes.js';
import { ROOT } from './helpers/samples.js';

const MAIN = join(ROOT, 'dist', 'cli', 'main.js');

describe('awaitwhat demo', () => {
  it('prints a tree naming the await lines in fixtures/demo.mjs and the startup cycle', async () => {
    const r = await runNode([MAIN, 'demo'], {
      cwd: ROOT,
      env: { ...process.env, NO_COLOR: '1' },
      timeout: 90_000,
    });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/fixtures\/demo\.mjs:\d+:\d+/);
    expect(r.stdout).toContain('cycle');
    expect(r.stdout).toContain('async reserveStock');
    expect(r.stdout).toContain('Promise.all');
  }, 100_000);
});

describe('captureStuckProgram', () => {
  it('returns the dump of the demo with the pool wait and the cycle', async () => {
    const { dump, stdout } = await captureStuckProgram({ script: 'fixtures/demo.mjs', cwd: ROOT });
    expect(stdout).toContain('ready');
    expect(dump.cycles.length).toBeGreaterThanOrEqual(1);
    expect(dump.nodes.some((n) => n.name === 'reserveStock')).toBe(true);
  }, 100_000);

  it('fails with the stderr tail when the program dies before "ready"', async () => {
    await expect(
      captureStuckProgram({ script: join(ROOT, 'test', 'fixtures-cli', 'crash.mjs'), cwd: ROOT }),
    ).rejects.toThrow(/exited with code 1 before printing "ready"; its stderr ended with: config file not found/);
  }, 30_000);

  it('times out with a clear message when "ready" never comes', async () => {
    await expect(
      captureStuckProgram({
        script: join(ROOT, 'test', 'fixtures-cli', 'silent.mjs'),
        cwd: ROOT,
        // Long enough for the program to start and print its stderr line on a loaded machine
        // (the message quotes that line); the test waits this long whatever the load.
        readyTimeoutMs: 5000,
      }),
    ).rejects.toThrow(/did not print "ready" within 5000 ms; its stderr ended with: still starting/);
  }, 30_000);
});
