/**
 * vitest globalSetup: process tests run the built `dist/`, unit tests import `src/` directly,
 * so after an edit `npx vitest run` would test a stale build. Before any test file runs, this
 * builds `dist/` with `tsc -p tsconfig.json` if any source is newer than the oldest output (or
 * an output is missing); `npm test`, which builds first, finds it fresh and builds nothing.
 * Two suites started at once build one after the other under a lock, the second finding the
 * first's build fresh.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { processExists } from '../src/internal/proc.js';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const LOCK = join(ROOT, 'dist', '.build-lock');

/** Every `.ts` file (not `.d.ts`) under `dir`, recursively. */
function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

/** Why `dist/` is out of date, or `undefined` if every output is newer than every input. */
export function staleness(): string | undefined {
  const inputs = [...sources(join(ROOT, 'src')), ...sources(join(ROOT, 'cli'))];
  let newestInput = statSync(join(ROOT, 'tsconfig.json')).mtimeMs;
  let oldestOutput = Infinity;
  for (const input of inputs) {
    const output = join(ROOT, 'dist', relative(ROOT, input)).replace(/\.ts$/, '.js');
    if (!existsSync(output)) return `${relative(ROOT, output)} is missing`;
    newestInput = Math.max(newestInput, statSync(input).mtimeMs);
    oldestOutput = Math.min(oldestOutput, statSync(output).mtimeMs);
  }
  return newestInput > oldestOutput ? 'a source is newer than the build' : undefined;
}


/** Takes the build lock (a directory holding the builder's pid), waiting for a live holder. */
async function lock(): Promise<void> {
  mkdirSync(join(ROOT, 'dist'), { recursive: true });
  for (;;) {
    try {
      mkdirSync(LOCK);
      writeFileSync(join(LOCK, 'pid'), String(process.pid));
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      let holder = NaN;
      try {
        holder = Number(readFileSync(join(LOCK, 'pid'), 'utf8'));
      } catch {
        // being written: wait
      }
      if (Number.isInteger(holder) && !processExists(holder)) rmSync(LOCK, { recursive: true, force: true });
      else await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}

/** Builds `dist/` if it is stale. */
export default async function setup(): Promise<void> {
  if (staleness() === undefined) return;
  await lock();
  try {
    const why = staleness();
    if (why === undefined) return;
    process.stderr.write(`globalSetup: building dist/ (${why})\n`);
    execFileSync(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json'], { cwd: ROOT, stdio: 'inherit' });
  } finally {
    rmSync(LOCK, { recursive: true, force: true });
  }
}
