/**
 * `AWAITWHAT_HOOKS=off`: the register preloaded with no promise hook at all. The program runs
 * at plain-node speed (V8's promise-hook switch is never thrown); a SIGUSR2 dump and the exit
 * dump still name every stuck await line, without waiting times (as in attach mode).
 *
 * No promise hook is observed directly: `test/programs/promise-hook-spy.mjs`, preloaded first,
 * wraps the `v8.promiseHooks` setters and reports every call on stderr. With the default
 * register the spy sees `onInit` (the control); with hooks off, it sees nothing, before or
 * after a dump.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { registerPath } from '../cli/capture.js';
import { parseDump } from '../src/serialize/json.js';
import { expectStuckLinesNamed, killTargets, runNode, startTarget, stuckLines } from './helpers/processes.js';
import { dumpBySignal } from './helpers/signal-dump.js';
import { ROOT } from './helpers/samples.js';

const SPY = join(ROOT, 'test', 'programs', 'promise-hook-spy.mjs');
const SPY_LINE = /^spy: promiseHooks\.\w+ called$/m;

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'awaitwhat-hooks-off-'));
  dirs.push(dir);
  return dir;
}
afterEach(async () => {
  await killTargets();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
afterAll(killTargets);

/** Asserts that no node of the dump has a waiting time and that the tree prints none. */
function expectNoWaitingTimes(tree: string, dump: ReturnType<typeof parseDump>): void {
  expect(dump.hooks.installed).toBe(false);
  expect(dump.nodes.filter((n) => n.waitingMs !== undefined)).toEqual([]);
  expect(tree).not.toMatch(/waiting \d|NaN/);
  expect(tree).toContain('not installed: no waiting times');
}

describe('AWAITWHAT_HOOKS=off', () => {
  it('control: the default register sets a promise hook, and the spy sees it', async () => {
    const dir = tempDir();
    const target = await startTarget(['--import', SPY, '--import', registerPath(), 'fixtures/pool-leak.mjs'], { AWAITWHAT_DIR: dir });
    expect(target.stderr()).toMatch(/^spy: promiseHooks\.onInit called$/m);
    const dump = parseDump(readFileSync(await dumpBySignal(target, dir), 'utf8'));
    expect(dump.hooks.installed).toBe(true);
  }, 120_000);

  it('SIGUSR2: a dump naming the stuck await lines, no waiting times, no promise hook ever set', async () => {
    const dir = tempDir();
    const target = await startTarget(['--import', SPY, '--import', registerPath(), 'fixtures/pool-leak.mjs'], { AWAITWHAT_DIR: dir, AWAITWHAT_HOOKS: 'off' });
    const dump = parseDump(readFileSync(await dumpBySignal(target, dir), 'utf8'));
    expect(dump.trigger).toBe('signal');
    const tree = expectStuckLinesNamed(dump, 'pool-leak');
    expectNoWaitingTimes(tree, dump);
    expect(dump.warnings.join(' ')).toMatch(/hook layer was not installed/);
    // A second dump works as well, and neither dump set a hook (the program still runs hook-free).
    rmSync(join(dir, readdirSync(dir)[0]!));
    const again = parseDump(readFileSync(await dumpBySignal(target, dir), 'utf8'));
    expectStuckLinesNamed(again, 'pool-leak');
    expect(target.stderr()).not.toMatch(SPY_LINE);
    expect(target.child.exitCode).toBeNull();
  }, 180_000);

  it.each(['off', '0', 'false', 'NO'])('exit dump of an unsettled top-level await (AWAITWHAT_HOOKS=%s): code 13, stuck lines named', async (value) => {
    const dir = tempDir();
    const r = await runNode(['--import', SPY, '--import', registerPath(), 'fixtures/unsettled-tla.mjs'], {
      cwd: ROOT,
      env: { ...process.env, AWAITWHAT_EXIT_DUMP: undefined, AWAITWHAT_DIR: dir, AWAITWHAT_HOOKS: value },
      timeout: 60_000,
    });
    expect(r.status).toBe(13);
    expect(r.stderr).not.toMatch(SPY_LINE);
    const verdict = r.stderr.split('\n').find((l) => l.startsWith('awaitwhat: exited'))!;
    for (const line of stuckLines('unsettled-tla')) expect(verdict).toContain(`fixtures/unsettled-tla.mjs:${line}:`);
    expect(verdict).not.toMatch(/waiting|NaN/);
    const path = /^awaitwhat: dump written to (.+)$/m.exec(r.stderr)![1]!;
    const dump = parseDump(readFileSync(path, 'utf8'));
    expect(dump.trigger).toBe('exit');
    const tree = expectStuckLinesNamed(dump, 'unsettled-tla');
    expectNoWaitingTimes(tree, dump);
  }, 120_000);

  it('any other value keeps the hooks on', async () => {
    const r = await runNode(['--import', SPY, '--import', registerPath(), '-e', 'setTimeout(() => {}, 1)'], {
      cwd: ROOT,
      env: { ...process.env, AWAITWHAT_HOOKS: 'on' },
      timeout: 60_000,
    });
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/^spy: promiseHooks\.onInit called$/m);
  }, 60_000);
});
