/**
 * Every await located with no per-task heap walk (issue 10, point 2): a real program with
 * multi-await handlers, N invocations of each stuck (test/programs/multi-await.mjs), dumped on
 * SIGUSR2 (the background path), with `snapshot()` in process, and by attaching from outside.
 * With a lookup budget of 0 (`AWAITWHAT_LOOKUP_BUDGET_MS=0`: no per-object lookup at all),
 * every task whose line the source and its wait edge decide is at the line marked in the
 * program, and the profile says so; only the genuinely ambiguous ones (marked `(lookup)`) are
 * left, and a budget locates them by lookup.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { captureStuckProgram } from '../cli/capture.js';
import type { Dump } from '../src/model.js';
import { dumpByAttaching, dumpInProcess, stopAttachedPrograms } from './helpers/dump-ways.js';
import { ROOT } from './helpers/samples.js';

const PROGRAM = 'test/programs/multi-await.mjs';
const TIMEOUT = 120_000;

/** Function name → its marked line, and whether the source alone cannot tell it. */
const MARKS = new Map(
  readFileSync(join(ROOT, PROGRAM), 'utf8')
    .split('\n')
    .flatMap((line, i) => {
      const m = /\/\/ at: (\w+)( \(lookup\))?$/.exec(line);
      return m ? [[m[1]!, { line: i + 1, ambiguous: m[2] !== undefined }] as const] : [];
    }),
);

/** Tasks of the program's marked functions, by name. */
function tasksByName(dump: Dump): Map<string, Dump['nodes']> {
  const by = new Map<string, Dump['nodes']>();
  for (const n of dump.nodes) {
    if (n.kind !== 'async-function' || !MARKS.has(n.name)) continue;
    by.set(n.name, [...(by.get(n.name) ?? []), n]);
  }
  return by;
}

/**
 * Asserts every task of an unambiguous function is at its marked line, with no lookup; returns
 * how many tasks there are of each sort.
 */
function expectPlacedFromSource(dump: Dump, n: number): { clear: number; ambiguous: number } {
  const by = tasksByName(dump);
  expect([...by.keys()].sort()).toEqual([...MARKS.keys()].sort());
  let clear = 0;
  let ambiguous = 0;
  for (const [name, tasks] of by) {
    const mark = MARKS.get(name)!;
    expect(tasks.length, name).toBeGreaterThanOrEqual(n);
    if (mark.ambiguous) {
      ambiguous += tasks.length;
      continue;
    }
    clear += tasks.length;
    const lines = tasks.map((t) => (t.awaitLocation?.url.endsWith(`/${PROGRAM}`) ? t.awaitLocation.line : undefined));
    expect(new Set(lines), `${name} at line ${mark.line}`).toEqual(new Set([mark.line]));
  }
  return { clear, ambiguous };
}

afterEach(stopAttachedPrograms);

describe('multi-await handlers, with a lookup budget of 0', () => {
  it('SIGUSR2 (background): every unambiguous task at its marked line, no lookup, the profile counts them', async () => {
    const N = 20;
    const { dump } = await captureStuckProgram({ script: PROGRAM, args: [String(N)], cwd: ROOT, env: { AWAITWHAT_LOOKUP_BUDGET_MS: '0' } });
    const { clear, ambiguous } = expectPlacedFromSource(dump, N);
    expect(clear).toBe(18 * N);
    expect(ambiguous).toBe(2 * N);
    expect(dump.profile?.lookups).toBe(0);
    expect(dump.profile?.located).toEqual({ fromSource: clear, byLookup: 0, unlocated: ambiguous });
    for (const name of ['twice', 'serve']) expect(tasksByName(dump).get(name)!.every((t) => t.awaitLocation === undefined)).toBe(true);
    expect(dump.warnings.join('\n')).toContain(`${ambiguous} objects were not located`);
  }, TIMEOUT);

  it('snapshot() in process: the same', async () => {
    const N = 20;
    const { dump, stderr } = await dumpInProcess(PROGRAM, { args: [String(N)], env: { AWAITWHAT_LOOKUP_BUDGET_MS: '0' }, register: true, timeoutMs: TIMEOUT });
    expect(stderr).toBe('');
    const { clear, ambiguous } = expectPlacedFromSource(dump, N);
    expect(dump.profile?.worker).toBe(false);
    expect(dump.profile?.lookups).toBe(0);
    expect(dump.profile?.located).toEqual({ fromSource: clear, byLookup: 0, unlocated: ambiguous });
  }, TIMEOUT);

  it('attached from outside (no register): the same lines', async () => {
    // An attached dump reads the lookup budget from the target's environment.
    const dump = await dumpByAttaching(PROGRAM, { args: ['5'], env: { AWAITWHAT_LOOKUP_BUDGET_MS: '0' } });
    expect(dump.source).toBe('attached');
    const { clear, ambiguous } = expectPlacedFromSource(dump, 5);
    expect(dump.profile?.lookups).toBe(0);
    expect(dump.profile?.located).toEqual({ fromSource: clear, byLookup: 0, unlocated: ambiguous });
  }, TIMEOUT);
});

describe('the ambiguous rest, with a lookup budget', () => {
  it('is located by one lookup each, and only those are looked up', async () => {
    const N = 3;
    const { dump } = await captureStuckProgram({ script: PROGRAM, args: [String(N)], cwd: ROOT, env: { AWAITWHAT_LOOKUP_BUDGET_MS: '600000' } });
    const { clear, ambiguous } = expectPlacedFromSource(dump, N);
    for (const name of ['twice', 'serve']) {
      const lines = tasksByName(dump).get(name)!.map((t) => t.awaitLocation?.line);
      expect(new Set(lines), name).toEqual(new Set([MARKS.get(name)!.line]));
    }
    expect(dump.profile?.located).toEqual({ fromSource: clear, byLookup: ambiguous, unlocated: 0 });
    expect(dump.profile?.lookups).toBe(ambiguous);
  }, TIMEOUT);
});
