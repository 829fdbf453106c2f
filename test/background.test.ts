/**
 * Background dumps (SIGUSR2, `snapshotInBackground()`): the program is paused only while V8
 * writes the heap snapshot; a worker thread reads it and builds the graph while the event loop
 * goes on. The graph is the same as a synchronous dump's.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Dump, GraphNode } from '../src/model.js';
import { parseDump } from '../src/serialize/json.js';
import { runNode, type RunResult } from './helpers/processes.js';
import { ROOT } from './helpers/samples.js';

const REGISTER = pathToFileURL(join(ROOT, 'dist/src/register.js')).href;
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** What a reader sees of a node, ids aside. */
const shape = (n: GraphNode) => JSON.stringify([n.kind, n.name, n.state, n.awaitLocation?.line, n.functionLocation?.line, n.awaits.length, n.awaitedBy.length, n.leaf?.kind]);
/** The nodes' shapes as a sorted list: nodes at one line are ordered by heap position, which differs between two snapshots. */
const shapes = (d: Dump, ids?: string[]) => d.nodes.filter((n) => !ids || ids.includes(n.id)).map(shape).sort();

describe('a background dump', () => {
  let r: RunResult;
  let out: { sync: Dump; background: Dump; turns: number };
  let sync: Dump;
  let background: Dump;
  beforeAll(async () => {
    r = await runNode(['--import', REGISTER, join(ROOT, 'test/programs/background-dump.mjs')], { timeout: 60_000 });
    out = JSON.parse(r.stdout) as typeof out;
    sync = parseDump(JSON.stringify(out.sync));
    background = parseDump(JSON.stringify(out.background));
  }, 90_000);

  it('finds the same graph as a synchronous dump of the same state', () => {
    expect(r.stderr).toBe('');
    expect(shapes(background)).toEqual(shapes(sync));
    expect(shapes(background, background.roots)).toEqual(shapes(sync, sync.roots));
    expect(background.verdicts?.map((v) => [v.kind, v.summary])).toEqual(sync.verdicts?.map((v) => [v.kind, v.summary]));
    expect(background.nodes.filter((n) => n.kind === 'async-function' && n.awaitLocation).length).toBeGreaterThanOrEqual(5);
  });

  it('ran in a worker while the event loop went on turning', () => {
    expect(background.profile?.worker).toBe(true);
    expect(sync.profile?.worker).toBe(false);
    expect(out.turns).toBeGreaterThan(0);
  });

  it('counts as paused only the snapshot and the lookups', () => {
    const p = background.profile!;
    expect(background.durationMs).toBeCloseTo(p.captureMs + p.lookupMs, 0);
    expect(p.lookups).toBeGreaterThan(0); // multi() has two awaits: V8 is asked where it is
  });
});

describe('a program that runs `debugger;` statements during a background dump', () => {
  it('is not paused by the dump\'s inspector session', async () => {
    const r = await runNode(['--import', REGISTER, join(ROOT, 'test/programs/debugger-statement.mjs')], { timeout: 60_000 });
    expect(r.stderr).toBe('');
    const out = JSON.parse(r.stdout) as { ticksDuring: number; ticksAfter: number; stuck: boolean };
    expect(out.stuck).toBe(true);
    expect(out.ticksAfter).toBeGreaterThan(0);
  });
});

describe('SIGUSR2 while a dump is under way', () => {
  it('is ignored with one line: one dump at a time', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'awaitwhat-bg-'));
    dirs.push(dir);
    const child = spawn(process.execPath, ['--import', REGISTER, join(ROOT, 'test/programs/usr2-during-dump.mjs')], {
      env: { ...process.env, AWAITWHAT_DIR: dir },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    await new Promise<void>((resolve) => child.stdout.on('data', (d: Buffer) => String(d).includes('ready') && resolve()));
    // The program sends the second SIGUSR2 itself, from a listener that runs right after the
    // register's has started the first dump.
    child.kill('SIGUSR2');
    await new Promise<void>((resolve) => {
      const check = setInterval(() => {
        if (stderr.includes('dump written')) {
          clearInterval(check);
          resolve();
        }
      }, 20);
    });
    child.kill();
    const lines = stderr.trim().split('\n');
    expect(lines).toContain('awaitwhat: a dump is already being taken; this request is ignored');
    expect(lines.filter((l) => l.startsWith('awaitwhat: dump written to '))).toHaveLength(1);
    expect(readdirSync(dir)).toHaveLength(1);
  }, 60_000);
});
