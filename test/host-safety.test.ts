/**
 * Loading awaitwhat must not change what the program does: nothing kept alive, nothing
 * visible on the program's promises, no extra rejections, no extra handles, and Node's own
 * `--report-on-signal` still works next to the SIGUSR2 dump.
 */
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = new URL('../', import.meta.url);
const register = fileURLToPath(new URL('dist/src/register.js', root));
const program = (name: string) => fileURLToPath(new URL(`test/programs/${name}`, root));
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('never harm the host', () => {
  it('keeps no promise alive: every promise the program dropped is collected', async () => {
    for (const env of [{}, { AWAITWHAT_STACKS: '1' }]) {
      const { stdout } = await run(process.execPath, ['--expose-gc', '--import', register, program('gc-probe.mjs')], {
        env: { ...process.env, ...env },
        timeout: 30_000,
      });
      const { created, collected } = JSON.parse(stdout) as { created: number; collected: number };
      expect(created).toBe(10_000);
      expect(collected).toBe(created);
    }
  });

  it('changes nothing the program can observe about its promises', async () => {
    const plain = await run(process.execPath, [program('observable.mjs')], { timeout: 20_000 });
    const loaded = await run(process.execPath, ['--import', register, program('observable.mjs')], { timeout: 20_000 });
    expect(loaded.stdout).toBe(plain.stdout);
    expect(loaded.stderr).toBe(plain.stderr);
  });

  it('does not wake an idle program: the clock rests while no promise is made, and the first wait after that is timed exactly', async () => {
    const { stdout } = await run(process.execPath, ['--import', register, program('idle-then-wait.mjs')], { timeout: 30_000 });
    const r = JSON.parse(stdout) as { restedWhileIdle: boolean; armedAgain: boolean; waitingMs: number; atLeastMs: number; atMostMs: number };
    expect(r.restedWhileIdle).toBe(true);
    expect(r.armedAgain).toBe(true);
    // The wait's own age lies within bounds the program measured around it (see the program),
    // give or take the whole-millisecond rounding of stamps; a stale clock would add the idle
    // second (unless the dump itself took that long: then this passes without proving anything).
    expect(r.waitingMs).toBeGreaterThanOrEqual(r.atLeastMs - 2);
    expect(r.waitingMs).toBeLessThanOrEqual(r.atMostMs + 2);
  });

  it('does not keep a finished program alive', async () => {
    // No timeout: a program kept alive never exits and the test fails on its own time limit.
    const { stdout } = await run(process.execPath, ['--import', register, '-e', 'console.log("bye")']);
    expect(stdout).toBe('bye\n');
  });

  it("leaves Node's --report-on-signal working: SIGUSR2 writes both the report and the dump", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'awaitwhat-report-'));
    dirs.push(dir);
    const child = spawn(
      process.execPath,
      ['--report-on-signal', `--report-directory=${dir}`, '--import', register, '-e', 'setInterval(() => {}, 1000); console.log("ready")'],
      { env: { ...process.env, AWAITWHAT_DIR: dir }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
    child.kill('SIGUSR2');
    // Waits as long as the dump takes (the test's own time limit ends a hang).
    while (!stderr.includes('awaitwhat: dump written to')) await new Promise((r) => setTimeout(r, 50));
    child.kill('SIGKILL');
    const files = readdirSync(dir);
    expect(files.some((f) => /^report\..*\.json$/.test(f))).toBe(true);
    expect(files.some((f) => /^awaitwhat-\d+-[\d-]+\.json$/.test(f))).toBe(true);
  });
});
