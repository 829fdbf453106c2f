/**
 * A dump from a newer awaitwhat read by this one (docs/dump-format.md#compatibility): verdict
 * and leaf kinds this version does not know are shown as written, with one warning line on
 * stderr and exit 0; a dump of another format version still fails in one line. The dump is a
 * real one (a stuck program, SIGUSR2 through the register), edited as a newer producer would
 * write it.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { captureStuckProgram } from '../cli/capture.js';
import { newerKindsWarning, readDump } from '../src/serialize/json.js';
import { runNode } from './helpers/processes.js';
import { ROOT } from './helpers/samples.js';

const MAIN = join(ROOT, 'dist', 'cli', 'main.js');
const tmp = mkdtempSync(join(tmpdir(), 'awaitwhat-newer-dump-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function awaitwhat(...args: string[]) {
  const result = await runNode([MAIN, ...args], { cwd: ROOT, env: { ...process.env, NO_COLOR: '1' }, timeout: 60_000 });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** The real dump's JSON, as the register wrote it. */
let written: Record<string, any>;

beforeAll(async () => {
  const dir = join(tmp, 'capture');
  mkdirSync(dir);
  const { dumpPath } = await captureStuckProgram({ script: 'fixtures/race-queue-timer.mjs', cwd: ROOT, dir });
  written = JSON.parse(readFileSync(dumpPath, 'utf8'));
}, 60_000);

/** The real dump as a newer awaitwhat would write it: a new verdict kind, a new leaf kind. */
function newerDump(verdictKind = 'pool-starved', leafKind = 'pool-slot'): Record<string, any> {
  const dump = structuredClone(written);
  dump.tool.version = '9.1.0';
  const queueLeaf = dump.nodes.find((n: any) => n.leaf?.kind === 'queue');
  expect(queueLeaf, 'the fixture has a queue leaf').toBeDefined();
  queueLeaf.leaf.kind = leafKind;
  queueLeaf.leaf.description = 'waiting for a free slot in JobQueue';
  dump.verdicts = [...(dump.verdicts ?? []), { kind: verdictKind, summary: 'JobQueue has no free slot and nobody frees one', nodes: [queueLeaf.id] }];
  return dump;
}

function write(name: string, dump: Record<string, any>): string {
  const file = join(tmp, name);
  writeFileSync(file, JSON.stringify(dump));
  return file;
}

describe('a dump of a newer awaitwhat', () => {
  it('without edits, the real dump reads with no warning (the control)', async () => {
    const r = await awaitwhat('view', write('as-written.json', written));
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
  });

  it('view shows the unknown verdict and leaf as written, warns once on stderr, exits 0', async () => {
    const file = write('newer.json', newerDump());
    const r = await awaitwhat('view', file);
    expect(r.stderr.split('\n').filter((l) => l !== '')).toEqual([
      `awaitwhat: warning: ${file} was written by awaitwhat 9.1.0, which knows more than this version: leaf kind "pool-slot", verdict kind "pool-starved" (shown as written)`,
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('  pool-starved: JobQueue has no free slot and nobody frees one\n');
    expect(r.stdout).toMatch(/stuck on: .*\(pool-slot: waiting for a free slot in JobQueue\), awaited by\s+Promise\.race/);
    expect(r.stdout).toContain('← pool-slot: waiting for a free slot in JobQueue');
    // The rest of the dump is there as before: the timer leaf of the race.
    expect(r.stdout).toMatch(/stuck on: .*timer: 3600s delay/);
  }, 60_000);

  it.each(['html', 'dot', 'json'])('view --format %s shows it too, exit 0, the same warning', async (format) => {
    const r = await awaitwhat('view', write(`newer-${format}.json`, newerDump()), '--format', format);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^awaitwhat: warning: .*verdict kind "pool-starved"/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stdout).toContain('pool-starved');
    expect(r.stdout).toContain('JobQueue has no free slot and nobody frees one');
  }, 60_000);

  it('kinds and summaries with terminal controls reach neither stdout nor stderr raw', async () => {
    const r = await awaitwhat('view', write('hostile.json', newerDump('x\u001b[2J\u202egone', 'y\u0007\u009b31m')));
    expect(r.code).toBe(0);
    expect(r.stdout + r.stderr).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
    expect(r.stderr).toContain('verdict kind "x\\u001b[2J\\u202egone"');
    expect(r.stdout).toContain('x\\x1b[2J\\u202egone: JobQueue has no free slot');
  }, 60_000);

  it('a dump of another format version still fails in one line, exit non-zero', async () => {
    const file = write('v2.json', { ...newerDump(), version: 2 });
    const r = await awaitwhat('view', file);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr.split('\n').filter((l) => l !== '')).toEqual([`awaitwhat: ${file}: dump version 2 is not supported (this awaitwhat reads version 1)`]);
  }, 60_000);

  it('a node kind stays closed: a new one is an invalid dump, in one line', async () => {
    const dump = newerDump();
    dump.nodes[0].kind = 'coroutine';
    const r = await awaitwhat('view', write('node-kind.json', dump));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^awaitwhat: .*nodes\[0\]\.kind: expected one of "async-function"/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  }, 60_000);

  it('an open kind must still be a non-empty string', () => {
    expect(() => readDump(JSON.stringify(newerDump('')))).toThrow(/verdicts\[\d+\]\.kind: expected one of "cycle".* or another kind as a non-empty string, got ""/);
    const leaf = newerDump();
    leaf.nodes.find((n: any) => n.leaf?.kind === 'pool-slot').leaf.kind = 7;
    expect(() => readDump(JSON.stringify(leaf))).toThrow(/leaf\.kind: expected one of "timer".* got 7/);
  });

  it('the warning names five kinds at most, then how many more; each kind once', () => {
    const dump = newerDump();
    const id = dump.verdicts[0].nodes[0];
    for (let i = 0; i < 8; i++) dump.verdicts.push({ kind: `new-${i}`, summary: 's', nodes: [id] }, { kind: `new-${i}`, summary: 't', nodes: [] });
    const read = readDump(JSON.stringify(dump));
    expect(read.newerKinds).toHaveLength(10);
    expect(newerKindsWarning(read, 'x.json')).toMatch(/: leaf kind "pool-slot", verdict kind "pool-starved", verdict kind "new-0", verdict kind "new-1", verdict kind "new-2" and 5 more \(shown as written\)$/);
    expect(read.dump.verdicts?.filter((v) => v.kind === 'new-3')).toHaveLength(2);
  });
});
