/**
 * The verdict's "stuck on" lines group identical leaves, and only identical ones (issue 9):
 * two `once()` waits made by one helper, or a queue and a timer raced by one task, share a
 * place and a waiter but are different waits; each gets its own line.
 */
import { describe, expect, it } from 'vitest';
import { captureStuckProgram } from '../cli/capture.js';
import { pageVerdicts } from '../src/serialize/html-model.js';
import { renderTree } from '../src/serialize/tree.js';
import { expectStuckLinesNamed } from './helpers/processes.js';
import { ROOT } from './helpers/samples.js';

function stuckOnLines(tree: string): string[] {
  return tree.split('\n').filter((line) => line.startsWith('  stuck on: '));
}

describe('verdict: different leaves are never merged', () => {
  it("once(db, 'connected') and once(cache, 'warmed') through one helper: two lines, one per event", async () => {
    const { dump } = await captureStuckProgram({ script: 'fixtures/once-two-emitters.mjs', cwd: ROOT });
    expectStuckLinesNamed(dump, 'once-two-emitters');
    const lines = stuckOnLines(renderTree(dump, { color: false }));
    expect(lines).toHaveLength(2);
    expect(lines.filter((l) => l.includes("event 'connected' on EventEmitter"))).toHaveLength(1);
    expect(lines.filter((l) => l.includes("event 'warmed' on EventEmitter"))).toHaveLength(1);
    for (const line of lines) expect(line).not.toMatch(/stuck on: \d+×/);
  }, 60_000);

  it('Promise.race([queue wait, one-hour timer]): the timer has its own line', async () => {
    const { dump } = await captureStuckProgram({ script: 'fixtures/race-queue-timer.mjs', cwd: ROOT });
    expectStuckLinesNamed(dump, 'race-queue-timer');
    const lines = stuckOnLines(renderTree(dump, { color: false }));
    expect(lines).toHaveLength(2);
    expect(lines.filter((l) => l.includes('resolve held in JobQueue.waiters'))).toHaveLength(1);
    expect(lines.filter((l) => /timer: 3600s delay/.test(l))).toHaveLength(1);
    for (const line of lines) expect(line).toContain('awaited by Promise.race');
  }, 60_000);
});

describe('one grouping for every view (stuck-on.ts)', () => {
  it('the HTML report lists the same "stuck on" lines as the tree, in the same order', async () => {
    const { dump } = await captureStuckProgram({ script: 'fixtures/race-queue-timer.mjs', cwd: ROOT });
    const tree = stuckOnLines(renderTree(dump, { color: false })).map((line) => line.slice('  stuck on: '.length));
    const html = pageVerdicts(dump).filter((v) => v.kind === 'stuck on').map((v) => v.text);
    expect(tree.length).toBeGreaterThan(1);
    expect(html).toEqual(tree);
  }, 60_000);
});
