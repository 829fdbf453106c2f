/**
 * Lost awaits (issue 11, point 2): a handler awaits a promise whose resolve and reject were
 * dropped, so the promise and every async function awaiting it are garbage, and a dump's heap
 * snapshot holds none of them. Real programs, really stuck, dumped for real (SIGUSR2 and the
 * exit dump): the hook layer counts the waits it saw begin and found collected while pending,
 * with their lines when creation stacks are on.
 */
import { readFileSync, rmSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { captureStuckProgram, registerPath } from '../cli/capture.js';
import { renderTree } from '../src/serialize/tree.js';
import { parseDump } from '../src/serialize/json.js';
import { runNode } from './helpers/processes.js';
import { expectGolden, ROOT } from './helpers/samples.js';
import { normaliseTree } from './support/normalise.js';

const FIXTURE = 'fixtures/lost-await.mjs';
/** The fixture's lines: fetchConfig's await, handle's await, the server's `.then`. */
const AWAIT_LINES = (() => {
  const lines = readFileSync(`${ROOT}/${FIXTURE}`, 'utf8').split('\n');
  const find = (re: RegExp): number => lines.findIndex((l) => re.test(l)) + 1;
  return { fetchConfig: find(/await loadConfig\(name\)/), handle: find(/await fetchConfig\(name\)/), then: find(/\.then\(\(body\)/), topLevel: find(/^\s*await handle\('missing'\)/) };
})();

/** Whether the lost waits were found by the dump's own GC or an earlier one is up to V8. */
function stableTree(tree: string): string {
  return normaliseTree(tree).replace(/, collected <t> before the dump/g, ', found collected at the dump');
}

describe('lost awaits: a chain collected while pending', () => {
  it('SIGUSR2, AWAITWHAT_LOST_AWAITS=1: the dump counts the 3 abandoned waits and their wait time, under never-settles', async () => {
    const { dump } = await captureStuckProgram({ script: FIXTURE, cwd: ROOT, env: { AWAITWHAT_LOST_AWAITS: '1', AWAITWHAT_STACKS: undefined } });
    // The chain is gone from the heap: nothing of it is in the graph.
    expect(dump.nodes.filter((n) => n.name === 'handle' || n.name === 'fetchConfig')).toEqual([]);
    expect(dump.lostAwaits?.count).toBe(3);
    const entries = dump.lostAwaits!.longest;
    expect(entries.reduce((sum, e) => sum + e.count, 0)).toBe(3);
    for (const e of entries) {
      expect(e.waitedMs).toBeGreaterThan(50); // 'ready' is printed 100 ms after the request
      expect(e.awaitLocation).toBeUndefined();
    }
    const verdict = dump.verdicts!.find((v) => v.kind === 'never-settles')!;
    expect(verdict.summary).toMatch(/^3 waits \(awaits or \.then callbacks\) were abandoned while awaiting a promise nothing could settle \(collected\): longest waited \S+ \(AWAITWHAT_STACKS=1 shows where\)$/);
    const tree = renderTree(dump, { color: false });
    expect(tree).toContain('Lost awaits (3: collected while pending, so not in the graph below)');
    expect(tree).not.toContain('nothing is waiting: no pending task');
  }, 90_000);

  it('SIGUSR2, AWAITWHAT_STACKS=1: each lost wait has its await line (golden tree)', async () => {
    const { dump } = await captureStuckProgram({ script: FIXTURE, cwd: ROOT, env: { AWAITWHAT_STACKS: '1' } });
    expect(dump.lostAwaits?.count).toBe(3);
    const where = dump.lostAwaits!.longest.map((e) => [e.kind, e.awaitLocation?.url.endsWith(FIXTURE), e.awaitLocation?.line]);
    expect(where).toEqual([
      ['await', true, AWAIT_LINES.fetchConfig],
      ['await', true, AWAIT_LINES.handle],
      ['then', true, AWAIT_LINES.then],
    ]);
    expect(dump.lostAwaits!.longest[0]!.creationStack![0]!.functionName).toBe('fetchConfig');
    const verdict = dump.verdicts!.find((v) => v.kind === 'never-settles')!;
    expect(verdict.summary).toContain(`longest waited`);
    expect(verdict.summary).toContain(`at ${FIXTURE}:${AWAIT_LINES.fetchConfig}`);
    // The JSON reader keeps the section as written.
    expect(parseDump(JSON.stringify(dump)).lostAwaits).toEqual(dump.lostAwaits);
    expectGolden('fixtures/lost-await.stacks.tree.txt', stableTree(renderTree(dump, { color: false })));
  }, 90_000);

  it('exit dump (exit code 13): the stderr line and the dump count the lost awaits', async () => {
    const r = await runNode(['--import', registerPath(), FIXTURE, '--exit'], {
      cwd: ROOT,
      env: { ...process.env, AWAITWHAT_EXIT_DUMP: undefined, AWAITWHAT_STACKS: '1' },
      timeout: 60_000,
    });
    expect(r.status).toBe(13);
    expect(r.stdout).toBe('ready\n');
    const verdict = r.stderr.split('\n').find((l) => l.startsWith('awaitwhat: exited'))!;
    expect(verdict).toMatch(/; 3 abandoned waits were collected \(see the dump's lostAwaits\)$/);
    const path = /^awaitwhat: dump written to (.+)$/m.exec(r.stderr)![1]!;
    try {
      const dump = parseDump(readFileSync(path, 'utf8'));
      expect(dump.trigger).toBe('exit');
      expect(dump.lostAwaits?.count).toBe(3);
      expect(dump.lostAwaits!.longest.map((e) => e.awaitLocation?.line).sort((a, b) => a! - b!)).toEqual(
        [AWAIT_LINES.fetchConfig, AWAIT_LINES.handle, AWAIT_LINES.topLevel].sort((a, b) => a - b),
      );
    } finally {
      rmSync(path, { force: true });
    }
  }, 90_000);

  it('no false positive: waits that settle, or whose resolve is kept, are never counted', async () => {
    // forgotten-resolve keeps its resolve in a map: stuck, but not lost (it is in the graph).
    const { dump } = await captureStuckProgram({ script: 'fixtures/forgotten-resolve.mjs', cwd: ROOT, env: { AWAITWHAT_LOST_AWAITS: '1' } });
    const task = dump.nodes.find((n) => n.name === 'processOrder')!;
    // A pending wait's stamp is its cohort: the dump still reads its start from it.
    expect(task.waitingMs).toBeGreaterThan(0);
    expect(dump.lostAwaits).toBeUndefined();
  }, 90_000);

  it('counting calls none of the builtins a program patched (hostile-patched-builtins.mjs, same output as plain node)', async () => {
    const script = 'test/differential/programs/hostile-patched-builtins.mjs';
    const plain = await runNode([script], { cwd: ROOT, timeout: 60_000 });
    const counted = await runNode(['--import', registerPath(), script], { cwd: ROOT, env: { ...process.env, AWAITWHAT_LOST_AWAITS: '1' }, timeout: 60_000 });
    expect(plain.status).toBe(0);
    expect(counted.status).toBe(0);
    expect(counted.stdout).toBe(plain.stdout);
  }, 90_000);

  it('default register: no settled hook, nothing counted (the cost budget; docs/benchmarks.md)', async () => {
    const { dump } = await captureStuckProgram({ script: FIXTURE, cwd: ROOT, env: { AWAITWHAT_LOST_AWAITS: undefined, AWAITWHAT_STACKS: undefined } });
    expect(dump.lostAwaits).toBeUndefined();
    expect(renderTree(dump, { color: false })).toContain('nothing is waiting: no pending task or promise takes part in a wait');
  }, 90_000);
});
