/**
 * A dump explains its own cost: `profile` says how the heap snapshot was taken and where the
 * pause went. And it stays cheap in the ways the design promises: V8's heap snapshot arrives
 * as bytes (no inspector messages), and functions are located from the snapshot itself, so a
 * program whose tasks each have one `await` costs no per-object heap walk at all.
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Dump } from '../src/model.js';
import { parseDump } from '../src/serialize/json.js';
import { runNode } from './helpers/processes.js';
import { ROOT } from './helpers/samples.js';

const REGISTER = pathToFileURL(join(ROOT, 'dist/src/register.js')).href;

async function dumpOf(requests: number, env: Record<string, string> = {}): Promise<Dump> {
  const r = await runNode(['--import', REGISTER, join(ROOT, 'test/programs/many-stuck.cjs'), String(requests)], {
    env: { ...process.env, AWAITWHAT_INDEX: join(ROOT, 'dist/src/index.js'), ...env },
    timeout: 120_000,
  });
  expect(r.stderr).toBe('');
  return parseDump(r.stdout);
}

describe('a dump profile', () => {
  let dump: Dump;
  beforeAll(async () => {
    dump = await dumpOf(500);
  }, 180_000);

  it('says the snapshot came from v8.getHeapSnapshot, with its size', () => {
    expect(dump.profile?.capture).toBe('v8.getHeapSnapshot');
    expect(dump.profile!.snapshotBytes).toBeGreaterThan(1_000_000);
    expect(dump.profile!.heapNodes).toBeGreaterThan(1000);
  });

  it('accounts for the pause: its phases add up to no more than durationMs', () => {
    const p = dump.profile!;
    const sum = p.captureMs + p.parseMs + p.graphMs + p.lookupMs + p.buildMs;
    expect(sum).toBeLessThanOrEqual(dump.durationMs + 1);
    expect(sum).toBeGreaterThan(dump.durationMs * 0.5);
  });

  it('1000 single-await tasks, every one located, with no per-object heap walk', () => {
    const tasks = dump.nodes.filter((n) => n.kind === 'async-function');
    expect(tasks).toHaveLength(1000);
    expect(tasks.every((n) => n.awaitLocation && n.functionLocation)).toBe(true);
    expect(new Set(tasks.map((n) => `${n.name}:${n.awaitLocation!.line}`))).toEqual(new Set(['helper:7', 'handler:10']));
    expect(dump.profile!.lookups).toBe(0);
  });
});

describe('the fallback: the heap snapshot through the inspector (AWAITWHAT_HEAP_CAPTURE=inspector)', () => {
  it('gives the same graph, and says how it was taken', async () => {
    const fast = await dumpOf(50);
    const slow = await dumpOf(50, { AWAITWHAT_HEAP_CAPTURE: 'inspector' });
    expect(slow.profile?.capture).toBe('inspector');
    const shape = (d: Dump) => d.nodes.map((n) => [n.kind, n.name, n.awaitLocation?.line, n.functionLocation?.line, n.awaits.length, n.awaitedBy.length, n.waitingMs !== undefined]);
    expect(shape(slow)).toEqual(shape(fast));
  });
});
