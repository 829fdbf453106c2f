/**
 * Metrics after a lazy `await import()` (issue 9): the ESM loader reads files through
 * fs/promises, whose `handleFdClose` makes one promise start two steps, so a task ended twice
 * and `tasksLive` went negative — and every later dump failed its own validation.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import type { DumpMetrics } from '../src/model.js';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../', import.meta.url));
const program = fileURLToPath(new URL('programs/metrics-lazy-import.mjs', import.meta.url));

interface Output {
  loaded: string[];
  metrics: DumpMetrics;
  valid: boolean;
  problem: string;
  prometheus: string;
}

describe('metrics after a lazy import of ESM packages', () => {
  it('counts each task settled once: tasksLive = created - settled, never negative; the dump validates; Prometheus has no negative value', async () => {
    const { stdout } = await run(process.execPath, [program], { cwd: root, timeout: 60_000 });
    const out = JSON.parse(stdout) as Output;
    expect(out.loaded).toEqual(['alpha', 'beta', 'gamma']);
    const m = out.metrics;
    expect(m.tasksCreated).toBeGreaterThan(0);
    expect(m.tasksLive).toBe(m.tasksCreated - m.tasksSettled);
    expect(m.tasksLive).toBeGreaterThanOrEqual(0);
    // The main module's task is running the dump: it was created and has not ended.
    expect(m.tasksLive).toBeGreaterThanOrEqual(1);
    expect(out.problem).toBe('');
    expect(out.valid).toBe(true);
    const samples = out.prometheus.split('\n').filter((line) => line !== '' && !line.startsWith('#'));
    expect(samples.length).toBeGreaterThan(0);
    for (const line of samples) {
      const value = Number(line.slice(line.lastIndexOf(' ') + 1));
      expect(value, line).toBeGreaterThanOrEqual(0);
    }
    expect(out.prometheus).toMatch(/_live(\{[^}]*\})? \d+\n/);
  });
});
