/**
 * Opt-in CPU accounting of the suite, one line per test file (docs/testing.md, "Where the
 * suite's time goes"). The stress run puts two suites on two cores, so what it waits for is
 * CPU, and wall-clock durations on a shared machine say more about the neighbours than about
 * a test: CPU seconds, the file's vitest worker and every process it started and reaped,
 * do not. Loaded by vitest.config.ts as a setup file only when AWAITWHAT_TEST_CPU_LOG names
 * the file to append to; each file runs in a fresh worker (vitest's default `isolate`), so
 * the worker's totals at the end are the file's.
 *
 * A line: path, worker CPU s, reaped children's CPU s, wall s from the file's first hook.
 */
import { appendFileSync } from 'node:fs';
import { relative } from 'node:path';
import { afterAll, beforeAll, expect } from 'vitest';
import { readProcFile } from '../../src/internal/proc.js';
import { ROOT } from '../helpers/samples.js';

/** Clock ticks per second of /proc's CPU times (USER_HZ, 100 on Linux). */
const USER_HZ = 100;

/** utime + stime, and cutime + cstime, of this process, in seconds; undefined where unreadable. */
function cpu(): { self: number; children: number } | undefined {
  const text = readProcFile('self', 'stat')?.toString('utf8');
  if (text === undefined) return undefined;
  // The command name may hold spaces and parentheses: count fields after the last ")".
  const f = text.slice(text.lastIndexOf(')') + 2).split(' ').map(Number);
  return { self: (f[11]! + f[12]!) / USER_HZ, children: (f[13]! + f[14]!) / USER_HZ };
}

const log = process.env.AWAITWHAT_TEST_CPU_LOG;
let started = 0;
beforeAll(() => {
  started = Date.now();
});
afterAll(() => {
  const used = cpu();
  const file = expect.getState().testPath;
  if (!log || !used || !file) return;
  const wall = (Date.now() - started) / 1000;
  appendFileSync(log, `${relative(ROOT, file)}\t${used.self.toFixed(2)}\t${used.children.toFixed(2)}\t${wall.toFixed(1)}\n`);
});
