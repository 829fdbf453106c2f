/**
 * Hostile and damaged dumps: whatever the bytes, reading a dump either succeeds or fails with
 * one of the dump errors (one clear line in the CLI), never another exception; and whatever
 * parses can be rendered. Seeded, so a failure reproduces.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AwaitwhatError } from '../src/errors.js';
import { parseDump } from '../src/serialize/json.js';
import { toDot } from '../src/serialize/dot.js';
import { renderTree } from '../src/serialize/tree.js';
import { runNode } from './helpers/processes.js';
import { ROOT, SAMPLE_NAMES, sampleText } from './helpers/samples.js';

/** A small deterministic PRNG (mulberry32). */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const HOSTILE_VALUES: unknown[] = [null, true, -1, 1e308, 'x'.repeat(10_000), [], {}, { __proto__: { polluted: true } }, [[[[[]]]]], '\u0000', NaN];

/** One damaged variant of `text`: textual damage, or a structural change to the parsed JSON. */
function mutate(text: string, rnd: () => number): string {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  switch (Math.floor(rnd() * 4)) {
    case 0:
      return text.slice(0, Math.floor(rnd() * text.length)); // truncated
    case 1: {
      const i = Math.floor(rnd() * text.length);
      return text.slice(0, i) + pick(['"', '{', ']', ',', '0', 'é', '\\']) + text.slice(i + 1); // a byte flipped
    }
    default: {
      const doc = JSON.parse(text) as Record<string, unknown>;
      // Walk to a random object or array and replace, delete or deepen one of its entries.
      let target: any = doc;
      for (let depth = 0; depth < 4; depth++) {
        const keys = Object.keys(target);
        if (keys.length === 0) break;
        const next = target[pick(keys)];
        if (typeof next !== 'object' || next === null) break;
        target = next;
      }
      const keys = Object.keys(target);
      const key = keys.length ? pick(keys) : 'extra';
      const action = rnd();
      if (action < 0.4) target[key] = pick(HOSTILE_VALUES);
      else if (action < 0.7) delete target[key];
      else {
        let deep: unknown = target[key];
        for (let i = 0; i < 2000; i++) deep = [deep];
        target[key] = deep;
      }
      return JSON.stringify(doc);
    }
  }
}

describe('fuzzed dumps', () => {
  it('parseDump returns a dump or throws a dump error — 3000 damaged variants of the samples', () => {
    const rnd = random(20261125);
    const outcomes = { parsed: 0, rejected: 0 };
    for (let i = 0; i < 3000; i++) {
      const text = mutate(sampleText(SAMPLE_NAMES[i % SAMPLE_NAMES.length]!), rnd);
      let dump;
      try {
        dump = parseDump(text, 'fuzz.json');
      } catch (error) {
        expect(error, `variant ${i}: ${String(error)}`).toBeInstanceOf(AwaitwhatError);
        expect((error as AwaitwhatError).code).toMatch(/^AWAITWHAT_DUMP_(UNREADABLE|INVALID|VERSION)$/);
        expect((error as Error).message).not.toContain('\n');
        outcomes.rejected++;
        continue;
      }
      // Whatever parses renders.
      expect(() => renderTree(dump)).not.toThrow();
      expect(() => toDot(dump)).not.toThrow();
      outcomes.parsed++;
    }
    // Both paths were exercised.
    expect(outcomes.parsed).toBeGreaterThan(100);
    expect(outcomes.rejected).toBeGreaterThan(1000);
  });

  const dir = mkdtempSync(join(tmpdir(), 'awaitwhat-fuzz-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('awaitwhat view on damaged files: exit 1 and one line, never a stack trace', async () => {
    const rnd = random(7);
    let checked = 0;
    for (let i = 0; checked < 8 && i < 200; i++) {
      const text = mutate(sampleText(SAMPLE_NAMES[i % SAMPLE_NAMES.length]!), rnd);
      try {
        parseDump(text);
        continue; // only variants that must be rejected
      } catch {
        // rejected: run it through the CLI
      }
      const file = join(dir, `bad-${i}.json`);
      writeFileSync(file, text);
      const r = await runNode([join(ROOT, 'dist', 'cli', 'main.js'), 'view', file], { timeout: 30_000 });
      expect(r.status).toBe(1);
      const lines = r.stderr.split('\n').filter((l) => l !== '');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^awaitwhat: /);
      expect(r.stderr).not.toMatch(/\n\s+at /);
      checked++;
    }
    expect(checked).toBe(8);
  }, 60_000);
});
