/**
 * The fast dump (AWAITWHAT_DUMP_MODE=fast, issue 10 point 3): no heap snapshot, tasks and their
 * await lines from V8's async stack walk. Real stuck programs, dumped on SIGUSR2 in both modes:
 * the fast dump names the same await lines (name, line, column, count) as the full dump, and
 * the same waits (who awaits whom, cycles). Its bookkeeping keeps no promise alive. Counts, never
 * times.
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { captureStuckProgram } from '../cli/capture.js';
import type { Dump } from '../src/model.js';
import { runNode } from './helpers/processes.js';
import { ROOT } from './helpers/samples.js';

const TIMEOUT = 120_000;

/** The program's own tasks (in `dir`) as `name@line:column ← awaiter names`, with counts. */
function awaitLines(dump: Dump, dir: string, skip: readonly string[] = []): Record<string, number> {
  const url = pathToFileURL(join(ROOT, dir)).href;
  const byId = new Map(dump.nodes.map((n) => [n.id, n]));
  const lines: Record<string, number> = {};
  for (const n of dump.nodes) {
    if (n.kind !== 'async-function' || !n.awaitLocation?.url.startsWith(url) || skip.includes(n.name)) continue;
    const awaiters = n.awaitedBy.map((id) => byId.get(id)!.name).sort().join(',');
    const key = `${n.name}@${n.awaitLocation.line}:${n.awaitLocation.column} <- ${awaiters}`;
    lines[key] = (lines[key] ?? 0) + 1;
  }
  return lines;
}

async function bothModes(script: string, args: string[] = []): Promise<{ full: Dump; fast: Dump }> {
  const full = (await captureStuckProgram({ script, args, cwd: ROOT, env: { AWAITWHAT_DUMP_MODE: 'full' } })).dump;
  const fast = (await captureStuckProgram({ script, args, cwd: ROOT, env: { AWAITWHAT_DUMP_MODE: 'fast' } })).dump;
  return { full, fast };
}

describe('fast dump: the same await lines as the full dump, with no heap snapshot', () => {
  // Fixtures whose tasks each await a promise nothing else awaits, with no `resolve(p)` link
  // between them (docs/limits.md says what the fast dump shows otherwise).
  const fixtures = ['all-one-hung.mjs', 'fetch-hung-upstream.mjs', 'forgotten-reject.mjs', 'forgotten-resolve.mjs', 'hung-socket.mjs', 'promise-cycle.mjs'];
  for (const fixture of fixtures) {
    it(fixture, { timeout: TIMEOUT }, async () => {
      const { full, fast } = await bothModes(`fixtures/${fixture}`);
      expect(fast.profile?.capture).toBe('async-walk');
      expect(fast.profile?.snapshotBytes).toBe(0);
      expect(full.profile?.capture).not.toBe('async-walk');
      const lines = awaitLines(full, 'fixtures');
      expect(Object.keys(lines).length).toBeGreaterThan(0);
      expect(awaitLines(fast, 'fixtures')).toEqual(lines);
      expect(fast.cycles.length).toBe(full.cycles.length);
    });
  }

  it('multi-await handlers: every await line of every invocation, combinators included', { timeout: TIMEOUT }, async () => {
    // waitsForEvent awaits events.once, an async function of Node that returned a pending
    // promise: the fast dump counts such a task once per promise of that link (docs/limits.md).
    const { full, fast } = await bothModes('test/programs/multi-await.mjs', ['5']);
    const lines = awaitLines(full, 'test/programs', ['waitsForEvent']);
    expect(Object.values(lines).reduce((a, b) => a + b, 0)).toBe(5 * 19);
    expect(awaitLines(fast, 'test/programs', ['waitsForEvent'])).toEqual(lines);
    const combinators = (d: Dump) => d.nodes.filter((n) => n.kind === 'combinator' && n.awaitedBy.length === 1 && n.awaits.length === 2).length;
    expect(combinators(fast)).toBe(5);
    expect(combinators(fast)).toBe(combinators(full));
    expect(fast.warnings.some((w) => w.startsWith('fast dump (AWAITWHAT_DUMP_MODE=fast)'))).toBe(true);
  });
});

describe('AWAITWHAT_DUMP_MODE=auto', () => {
  it('a snapshot that would not fit in the budget becomes a fast dump, which says why', { timeout: TIMEOUT }, async () => {
    // A few MB of heap: the guard estimates ~200 MB for a snapshot, ~40 MB for a fast dump.
    const env = { AWAITWHAT_DUMP_MODE: 'auto', AWAITWHAT_MEMORY_BUDGET_MB: '120' };
    const { dump } = await captureStuckProgram({ script: 'fixtures/all-one-hung.mjs', cwd: ROOT, env });
    expect(dump.refused).toBeUndefined();
    expect(dump.profile?.capture).toBe('async-walk');
    expect(dump.warnings.some((w) => /^AWAITWHAT_DUMP_MODE=auto: heap snapshot refused: .* the budget AWAITWHAT_MEMORY_BUDGET_MB=120 allows 120 MiB; a fast dump was taken instead$/.test(w))).toBe(true);
    expect(Object.keys(awaitLines(dump, 'fixtures'))).toEqual(expect.arrayContaining([expect.stringMatching(/^fetchOrders@18:3 /)]));
    // With room for the snapshot, auto takes the full dump.
    const roomy = (await captureStuckProgram({ script: 'fixtures/all-one-hung.mjs', cwd: ROOT, env: { AWAITWHAT_DUMP_MODE: 'auto' } })).dump;
    expect(roomy.profile?.capture).not.toBe('async-walk');
  });
});

describe('fast dump: nothing kept alive', () => {
  it('a promise walked by a fast dump, then dropped, is collected; so are settled ones', { timeout: TIMEOUT }, async () => {
    const program = `
      const { snapshot } = await import(${JSON.stringify(pathToFileURL(join(ROOT, 'dist/src/index.js')).href)});
      const registry = new FinalizationRegistry((name) => collected.push(name));
      const collected = [];
      let release;
      let holder = { gate: new Promise((r) => (release = r)) };
      async function stuck(h) { await h.gate; }
      let task = stuck(holder);
      let settled = Promise.resolve(1).then((x) => x + 1);
      await settled;
      registry.register(holder.gate, 'gate');
      registry.register(task, 'task');
      registry.register(settled, 'settled');
      const dump = snapshot();
      const seen = dump.nodes.filter((n) => n.name === 'stuck').length;
      holder = undefined; task = undefined; settled = undefined; release = undefined;
      for (let i = 0; i < 10 && collected.length < 3; i++) {
        globalThis.gc();
        await new Promise((r) => setTimeout(r, 20));
      }
      console.log(JSON.stringify({ capture: dump.profile.capture, seen, collected: collected.sort() }));
    `;
    const result = await runNode(['--expose-gc', '--import', join(ROOT, 'dist/src/register.js'), '--input-type=module', '-e', program], {
      env: { ...process.env, AWAITWHAT_DUMP_MODE: 'fast' },
    });
    expect(result.stderr).toBe('');
    const out = JSON.parse(result.stdout.trim().split('\n').pop()!) as { capture: string; seen: number; collected: string[] };
    expect(out.capture).toBe('async-walk');
    expect(out.seen).toBe(1);
    expect(out.collected).toEqual(['gate', 'settled', 'task']);
  });
});
