/**
 * The differential run (docs/reliability.md, "Differential runs"): every program of
 * test/differential/programs behaves the same — exit code, signal, stdout, stderr — run
 * plainly, with `--import <register>`, and with the register in NODE_OPTIONS. See compare.ts
 * for what is normalised (paths, pids, awaitwhat's own lines where a program expects them).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { corpus, MODES, runCorpus, type Comparison } from './compare.js';

/**
 * Programs that behave differently with the register, and why. `"cause": "node --import"`:
 * any preload through `--import` makes the same difference (an empty one, the control mode),
 * so the register's runs are compared with the control's instead of the plain run's.
 */
const expected = (JSON.parse(readFileSync(fileURLToPath(new URL('expected-differences.json', import.meta.url)), 'utf8')) as {
  programs: Record<string, { cause: 'node --import' | 'awaitwhat'; reason: string }>;
}).programs;

describe('differential run: programs behave the same with and without the register', () => {
  const programs = corpus();
  let results: Promise<Comparison[]> | undefined;
  // Three processes at a time: the machine has 2 cores, and each run is mostly start-up.
  const all = () => (results ??= runCorpus(programs, 3, new Set(Object.keys(expected))));

  it('has a corpus of real programs', () => {
    expect(programs.length).toBeGreaterThanOrEqual(30);
  });

  it.each(programs.map((p) => [p.name, p] as const))('%s', async (name, program) => {
    const comparison = (await all()).find((c) => c.program.name === name)!;
    const plain = comparison.outcomes.plain;
    // The program still does what it is for.
    if (program.signal !== undefined) expect(plain.signal, plain.stderr).toBe(program.signal);
    else expect(plain.code, plain.stderr).toBe(program.exit ?? 0);
    expect(plain.awaitwhatLines).toEqual([]);
    const known = expected[name];
    // The reference: the plain run, or for a difference `--import` itself makes, the control.
    const reference = known?.cause === 'node --import' ? comparison.outcomes['empty-import']! : plain;
    for (const mode of MODES.filter((m) => m !== 'plain')) {
      const other = comparison.outcomes[mode]!;
      const same = other.code === plain.code && other.signal === plain.signal && other.stdout === plain.stdout && other.stderr === plain.stderr;
      // A known difference stays visible: the test notices when it is gone.
      if (known !== undefined) expect(same, `${name} (${mode}) is listed in expected-differences.json but behaves the same now`).toBe(false);
      if (known?.cause === 'awaitwhat') continue;
      expect({ mode, code: other.code, signal: other.signal, stdout: other.stdout, stderr: other.stderr }).toEqual({
        mode,
        code: reference.code,
        signal: reference.signal,
        stdout: reference.stdout,
        stderr: reference.stderr,
      });
      if (program.awaitwhatSpeaks) expect(other.awaitwhatLines.length, `${name} (${mode}): the exit dump's lines`).toBeGreaterThan(0);
      else expect(other.awaitwhatLines, `${name} (${mode})`).toEqual([]);
    }
  }, 300_000);
});
