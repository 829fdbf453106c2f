/**
 * `awaitwhat diff before.json after.json` (issue 12, point 4) on a real program dumped on
 * SIGUSR2 three times: some of its work finishes between the dumps, some starts, some stays
 * stuck at one await. Golden output with times, pids and dates normalised.
 */
import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readDumpFile } from '../cli/read-dump.js';
import { diffDumps } from '../src/graph/dump-diff.js';
import { renderDiffText } from '../src/serialize/diff-text.js';
import { registerPath } from '../cli/capture.js';
import { killTargets, runNode, startTarget, type Target } from './helpers/processes.js';
import { expectGolden, ROOT } from './helpers/samples.js';
import { dumpBySignal } from './helpers/signal-dump.js';

const MAIN = join(ROOT, 'dist', 'cli', 'main.js');
const PROGRAM = 'test/programs/diff-progress.mjs';
const tmp = mkdtempSync(join(tmpdir(), 'awaitwhat-diff-'));

/** Dumps `target` (which writes into `dir`) and moves the file to `name`.json in tmp. */
async function dumpAs(target: Target, dir: string, name: string): Promise<string> {
  const file = await dumpBySignal(target, dir);
  const kept = join(tmp, `${name}.json`);
  renameSync(file, kept);
  return kept;
}

async function until(target: Target, text: string): Promise<void> {
  while (!target.stdout().includes(text)) {
    if (target.child.exitCode !== null) throw new Error(`exited; stderr: ${target.stderr()}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** What varies from run to run: pids, dates, durations. */
function normalise(text: string): string {
  return text
    .replace(/pid \d+/g, 'pid <pid>')
    .replace(/\d{4}-\d\d-\d\dT[\d:.]+Z/g, '<date>')
    .replace(/\b\d+(\.\d+)?(ms|s)\b/g, '<t>')
    .replace(/\b\d+m \d+s\b/g, '<t>');
}

let first: string;
let second: string;
let third: string;
let other: string;
let otherLater: string;

beforeAll(async () => {
  const dirs = [join(tmp, 'one'), join(tmp, 'two')];
  for (const dir of dirs) mkdirSync(dir);
  const target = await startTarget(['--import', registerPath(), PROGRAM], { AWAITWHAT_DIR: dirs[0] });
  first = await dumpAs(target, dirs[0]!, 'first');
  target.child.stdin.write('next\n');
  await until(target, 'moved on');
  second = await dumpAs(target, dirs[0]!, 'second');
  third = await dumpAs(target, dirs[0]!, 'third');
  // The same program again, without the hooks (no waiting times): another process.
  const again = await startTarget(['--import', registerPath(), PROGRAM], { AWAITWHAT_DIR: dirs[1], AWAITWHAT_HOOKS: 'off' });
  other = await dumpAs(again, dirs[1]!, 'other');
  again.child.stdin.write('next\n');
  await until(again, 'moved on');
  otherLater = await dumpAs(again, dirs[1]!, 'other-later');
  await killTargets();
}, 120_000);
afterAll(async () => {
  await killTargets();
  rmSync(tmp, { recursive: true, force: true });
});

describe('awaitwhat diff', () => {
  it('tells the tasks still waiting at the same await from those that finished and those that are new', () => {
    const diff = diffDumps(readDumpFile(first), readDumpFile(second));
    expect(diff.matchedBy).toBe('wait-start');
    const at = (title: string) => diff.places.find((p) => p.title === title);
    expect(at('async handleOrder')).toMatchObject({ before: 3, after: 5, still: 3, finished: 0, new: 2 });
    expect(at('async sendEmail')).toMatchObject({ before: 2, after: 0, still: 0, finished: 2, new: 0 });
    expect(at('async resizeImage')).toMatchObject({ before: 0, after: 2, still: 0, finished: 0, new: 2 });
    expect(at('async handleOrder')!.location!.line).toBe(9);
    expect(diff.verdict.kind).toBe('partly-stuck');
    expect(diff.verdict.summary).toMatch(/^partly stuck: 3 of 5 tasks still waiting at the same await \(async handleOrder\), .+ later; 2 finished; 4 new$/);
    expect(diff.totals).toEqual({ before: 5, after: 7, still: 3, finished: 2, new: 4 });
  });

  it('shows terminal controls in names as visible escapes', () => {
    const later = readDumpFile(second);
    const earlier = readDumpFile(first);
    for (const d of [earlier, later]) for (const n of d.nodes) if (n.name === 'handleOrder') n.name = 'handle\u001b]0;owned\u0007Order';
    const text = renderDiffText(diffDumps(earlier, later), earlier, later, { color: true, width: 80 });
    expect(text).toContain('async handle\\x1b]0;owned\\x07Order');
    expect(text.replace(/\u001b\[(?:1|2|22|31|33|35|36|39)m/g, '')).not.toMatch(/[\u001b\u0007]/);
  });

  it('says stuck when every task still waits where it was', () => {
    const diff = diffDumps(readDumpFile(second), readDumpFile(third));
    expect(diff.totals).toEqual({ before: 7, after: 7, still: 7, finished: 0, new: 0 });
    expect(diff.verdict.summary).toMatch(/^stuck: all 7 tasks still waiting at the same awaits, .+ later$/);
    expectGolden('diff.stuck.txt', normalise(renderDiffText(diff, readDumpFile(second), readDumpFile(third))));
  });

  it('without waiting times, counts tasks by await line and says so', () => {
    const diff = diffDumps(readDumpFile(other), readDumpFile(otherLater));
    expect(diff.matchedBy).toBe('place');
    const at = (title: string) => diff.places.find((p) => p.title === title);
    expect(at('async handleOrder')).toMatchObject({ before: 3, after: 5, still: 3, new: 2 });
    expect(at('async sendEmail')).toMatchObject({ before: 2, after: 0, finished: 2 });
    const text = renderDiffText(diff, readDumpFile(other), readDumpFile(otherLater));
    expect(text).toContain('these dumps carry no waiting times: tasks are counted by await line');
  });

  it('prints the golden text, within 80 columns, and JSON with the same facts', async () => {
    const r = await runNode([MAIN, 'diff', first, second], { cwd: ROOT, env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: undefined } });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[5]).toMatch(/^partly stuck: 3 of 5 tasks/);
    for (const line of lines) expect([...line].length).toBeLessThanOrEqual(80);
    expectGolden('diff.partly-stuck.txt', normalise(renderDiffText(diffDumps(readDumpFile(first), readDumpFile(second)), readDumpFile(first), readDumpFile(second))));
    const json = await runNode([MAIN, 'diff', first, second, '--json'], { cwd: ROOT });
    expect(json.status).toBe(0);
    const parsed = JSON.parse(json.stdout) as { totals: unknown; verdict: { kind: string }; places: Array<{ title: string; still: number }> };
    expect(parsed.totals).toEqual({ before: 5, after: 7, still: 3, finished: 2, new: 4 });
    expect(parsed.verdict.kind).toBe('partly-stuck');
    expect(parsed.places[0]).toMatchObject({ title: 'async handleOrder', still: 3 });
  });

  it('refuses dumps of different processes, or in the wrong order, with one line', async () => {
    const mismatch = await runNode([MAIN, 'diff', first, other], { cwd: ROOT });
    expect(mismatch.status).toBe(1);
    expect(mismatch.stdout).toBe('');
    expect(mismatch.stderr).toMatch(/^awaitwhat: .*first\.json and .*other\.json are dumps of different processes \(pid \d+ and pid \d+\): diff compares two dumps of one process\n$/);
    const reversed = await runNode([MAIN, 'diff', second, first], { cwd: ROOT });
    expect(reversed.status).toBe(1);
    expect(reversed.stderr).toMatch(/^awaitwhat: .*first\.json was taken before .*second\.json: give the older dump first \(awaitwhat diff .*first\.json .*second\.json\)\n$/);
    expect(readFileSync(first, 'utf8').length).toBeGreaterThan(0);
    // Same pid, another start (a pid reused, or a container's pid 1): the other run's dump given this one's pid.
    const reused = JSON.parse(readFileSync(other, 'utf8')) as { process: { pid: number; uptimeMs: number }; createdAt: string };
    reused.process.pid = readDumpFile(first).process.pid;
    reused.createdAt = new Date(Date.parse(readDumpFile(second).createdAt) + 60_000).toISOString();
    const reusedFile = join(tmp, 'reused.json');
    writeFileSync(reusedFile, JSON.stringify(reused));
    const restarted = await runNode([MAIN, 'diff', first, reusedFile], { cwd: ROOT });
    expect(restarted.status).toBe(1);
    expect(restarted.stderr).toMatch(/^awaitwhat: .*first\.json and .*reused\.json are dumps of different processes \(both pid \d+, started .+ apart\): diff compares two dumps of one process\n$/);
    const missing = await runNode([MAIN, 'diff', first], { cwd: ROOT });
    expect(missing.status).toBe(2);
    expect(missing.stderr.split('\n').filter(Boolean)).toHaveLength(1);
  });
});
