/**
 * The differential run: each program of `programs/` runs plainly and with the register
 * (`--import <dist register>`, and through NODE_OPTIONS), and what it did — exit code, signal,
 * stdout, stderr — must be the same. Loading awaitwhat must not change what a program does.
 *
 * A program says in its first comment lines what Node flags it needs (`// flags: …`), what it
 * ends with (`// exit: N` or `// signal: NAME`, checked on the plain run so a program that
 * stopped doing what it is for is noticed), and `// awaitwhat-speaks: why` when the register
 * is meant to add its own lines (the exit dump of an unsettled top-level await).
 *
 * Normalisation, the only things that may legitimately differ (docs/reliability.md):
 * - the checkout's absolute path (`<root>`), in paths and file URLs: runs are in one checkout,
 *   but stacks and warnings quote it and the golden text should not depend on it;
 * - `(node:<pid>)` in Node's warning lines: a process id;
 * - stderr lines starting with `awaitwhat: `, only in programs that declare
 *   `awaitwhat-speaks` (and the test checks they appear nowhere else).
 * Nothing else: no timing is printed by any program, and no line is dropped.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root. */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** The directory of the programs; they run with it as their working directory. */
export const PROGRAMS = join(ROOT, 'test', 'differential', 'programs');
/** The built register. */
export const REGISTER = join(ROOT, 'dist', 'src', 'register.js');

/** A program of the corpus, with what its header says. */
export interface Program {
  name: string;
  flags: string[];
  exit?: number;
  signal?: string;
  awaitwhatSpeaks: boolean;
}

/**
 * How a program is run: plainly, with the register through `--import` or NODE_OPTIONS, or
 * (the control, for programs listed in expected-differences.json) with an empty preload
 * through `--import`, to tell what `--import` itself changes from what awaitwhat changes.
 */
export type Mode = 'plain' | 'import' | 'node-options' | 'empty-import';
/** The modes every program runs in; `plain` is the reference. */
export const MODES: Mode[] = ['plain', 'import', 'node-options'];
/** The empty preload of the control mode. */
export const EMPTY_PRELOAD = join(PROGRAMS, 'support', 'empty-preload.mjs');

/** What one run did, normalised. */
export interface Outcome {
  code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  /** stderr lines of awaitwhat's own (removed from `stderr`). */
  awaitwhatLines: string[];
}

/** Reads the corpus: every `.mjs` / `.cjs` file directly in `programs/`. */
export function corpus(): Program[] {
  return readdirSync(PROGRAMS)
    .filter((f) => /\.(mjs|cjs)$/.test(f))
    .sort()
    .map((name) => {
      const header = readFileSync(join(PROGRAMS, name), 'utf8').split('\n').filter((l) => l.startsWith('//'));
      const field = (key: string) => header.map((l) => new RegExp(`^// ${key}: (.*)$`).exec(l)?.[1]).find((v) => v !== undefined);
      const exit = field('exit');
      return {
        name,
        flags: field('flags')?.split(' ').filter(Boolean) ?? [],
        ...(exit !== undefined ? { exit: Number(exit) } : {}),
        ...(field('signal') !== undefined ? { signal: field('signal')! } : {}),
        awaitwhatSpeaks: field('awaitwhat-speaks') !== undefined,
      };
    });
}

/** Replaces what legitimately differs between runs; see the module comment. */
export function normalise(text: string): string {
  const root = ROOT.replace(/\/$/, '');
  return text
    .split(`file://${root}`)
    .join('file://<root>')
    .split(root)
    .join('<root>')
    .replace(/\(node:\d+\)/g, '(node:<pid>)');
}

/** Runs one program in one mode; `dumpDir` receives any dump the register writes. */
export function runProgram(program: Program, mode: Mode, dumpDir: string): Promise<Outcome> {
  const register = mode === 'import' ? ['--import', REGISTER] : mode === 'empty-import' ? ['--import', EMPTY_PRELOAD] : [];
  const env: NodeJS.ProcessEnv = { ...process.env, AWAITWHAT_DIR: dumpDir, NO_COLOR: '1', FORCE_COLOR: '0' };
  delete env.NODE_OPTIONS;
  // vitest's own variables would be the same in every mode; drop the ones that change Node.
  delete env.NODE_V8_COVERAGE;
  if (mode === 'node-options') env.NODE_OPTIONS = `--import ${REGISTER}`;
  const child = spawn(process.execPath, [...register, ...program.flags, program.name], { cwd: PROGRAMS, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => {
      const lines = normalise(stderr).split('\n');
      resolve({
        code,
        signal,
        stdout: normalise(stdout),
        stderr: lines.filter((l) => !l.startsWith('awaitwhat: ')).join('\n'),
        awaitwhatLines: lines.filter((l) => l.startsWith('awaitwhat: ')),
      });
    });
  });
}

/** One program's outcome in every mode. */
export interface Comparison {
  program: Program;
  outcomes: Partial<Record<Mode, Outcome>> & Record<'plain' | 'import' | 'node-options', Outcome>;
}

/** Runs `items` through `work`, at most `limit` at a time, keeping their order. */
export async function inBatches<T, R>(items: T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await work(items[i]!);
    }
  });
  await Promise.all(lanes);
  return results;
}

/**
 * Runs every program in every mode, and those named in `withControl` in the control mode
 * too (`limit` processes at a time).
 */
export async function runCorpus(programs: Program[], limit: number, withControl: Set<string> = new Set()): Promise<Comparison[]> {
  const dumpDir = mkdtempSync(join(tmpdir(), 'awaitwhat-differential-'));
  try {
    const jobs = programs.flatMap((program) =>
      [...MODES, ...(withControl.has(program.name) ? (['empty-import'] as const) : [])].map((mode) => ({ program, mode })),
    );
    const outcomes = await inBatches(jobs, limit, async (job) => ({ ...job, outcome: await runProgram(job.program, job.mode, dumpDir) }));
    return programs.map((program) => ({
      program,
      outcomes: Object.fromEntries(outcomes.filter((o) => o.program === program).map((o) => [o.mode, o.outcome])) as Comparison['outcomes'],
    }));
  } finally {
    rmSync(dumpDir, { recursive: true, force: true });
  }
}
