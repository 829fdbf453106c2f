/**
 * Shared helpers for the test suite: the checked-in sample dumps and golden-file comparison.
 *
 * Goldens: `UPDATE_GOLDEN=1 npx vitest run` rewrites every golden file from the current output
 * instead of comparing; review the diff with `git diff test/golden` before committing.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import type { Dump } from '../../src/model.js';
import { parseDump } from '../../src/serialize/json.js';

/** Repository root. */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** Directory of the sample dumps. */
export const DATA = join(ROOT, 'test', 'data');
/** Directory of the golden outputs. */
export const GOLDEN = join(ROOT, 'test', 'golden');

/** Names (without `.json`) of every sample dump in test/data. */
export const SAMPLE_NAMES: string[] = readdirSync(DATA)
  .filter((f) => f.endsWith('.json'))
  .map((f) => f.slice(0, -'.json'.length))
  .sort();

/** Raw text of a sample dump. */
export function sampleText(name: string): string {
  return readFileSync(join(DATA, `${name}.json`), 'utf8');
}

/** A sample dump, parsed. */
export function sample(name: string): Dump {
  return parseDump(sampleText(name), `${name}.json`);
}

/** A deep copy of a sample as plain JSON, for tests that break it on purpose. */
export function rawSample(name: string): Record<string, any> {
  return JSON.parse(sampleText(name)) as Record<string, any>;
}

/** Compares `actual` with test/golden/`file`, or rewrites the file when UPDATE_GOLDEN=1. */
export function expectGolden(file: string, actual: string): void {
  const path = join(GOLDEN, file);
  if (process.env.UPDATE_GOLDEN === '1' || !existsSync(path)) {
    if (process.env.UPDATE_GOLDEN !== '1' && process.env.CI) {
      throw new Error(`golden file ${file} is missing; run UPDATE_GOLDEN=1 npx vitest run`);
    }
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, actual);
    return;
  }
  expect(actual, `output differs from test/golden/${file} (UPDATE_GOLDEN=1 to accept)`).toBe(
    readFileSync(path, 'utf8'),
  );
}
