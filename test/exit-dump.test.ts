/**
 * The exit trigger: a program that exits with an unsettled top-level await (code 13) under
 * the register writes a dump and names its stuck await lines on stderr, without changing its
 * exit code or anything else it prints. `AWAITWHAT_EXIT_DUMP` switches it.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { registerPath } from '../cli/capture.js';
import { parseDump } from '../src/serialize/json.js';
import { exitDumpMode, exitVerdict } from '../src/triggers/exit.js';
import { runNode, stuckLines } from './helpers/processes.js';
import { ROOT, sample } from './helpers/samples.js';

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'awaitwhat-exit-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** Runs `node --import <register> script` to completion (it exits by itself). */
async function runWithRegister(script: string, options: { cwd?: string; env?: NodeJS.ProcessEnv; register?: boolean } = {}) {
  const args = options.register === false ? [script] : ['--import', registerPath(), script];
  const r = await runNode(args, {
    cwd: options.cwd ?? ROOT,
    env: { ...process.env, AWAITWHAT_EXIT_DUMP: undefined, ...options.env },
    timeout: 60_000,
  });
  return { code: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

const DUMP_LINE = /^awaitwhat: dump written to (.+)$/m;

describe('exit dump (AWAITWHAT_EXIT_DUMP=auto, the default)', () => {
  it('unsettled top-level await: exit code 13 kept, stuck lines on stderr, a dump naming them', async () => {
    const dir = tempDir();
    const plain = await runWithRegister('fixtures/unsettled-tla.mjs', { register: false });
    const r = await runWithRegister('fixtures/unsettled-tla.mjs', { env: { AWAITWHAT_DIR: dir } });
    expect(r.code).toBe(13);
    expect(plain.code).toBe(13);
    expect(r.stdout).toBe(plain.stdout);
    const lines = r.stderr.split('\n').filter((l) => l !== '');
    expect(lines).toHaveLength(2 + plain.stderr.split('\n').filter((l) => l !== '').length);
    const verdict = lines.find((l) => l.startsWith('awaitwhat: exited'))!;
    expect(verdict).toMatch(/^awaitwhat: exited with an unsettled top-level await; stuck at fixtures\/unsettled-tla\.mjs:/);
    const stuck = stuckLines('unsettled-tla');
    expect(stuck.length).toBe(3);
    for (const line of stuck) expect(verdict).toContain(`fixtures/unsettled-tla.mjs:${line}:`);
    // Outermost first: the module's await, then main, then connect.
    expect(verdict.indexOf(`:${stuck[2]}:`)).toBeLessThan(verdict.indexOf(`:${stuck[1]}:`));
    expect(verdict.indexOf(`:${stuck[1]}:`)).toBeLessThan(verdict.indexOf(`:${stuck[0]}:`));

    const path = DUMP_LINE.exec(r.stderr)![1]!;
    expect(path.startsWith(dir)).toBe(true);
    expect(readdirSync(dir)).toHaveLength(1);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const dump = parseDump(readFileSync(path, 'utf8'), path);
    expect(dump.trigger).toBe('exit');
    const located = dump.nodes
      .filter((n) => n.awaitLocation?.url.endsWith('/fixtures/unsettled-tla.mjs'))
      .map((n) => n.awaitLocation!.line);
    for (const line of stuck) expect(located).toContain(line);
    expect(dump.nodes.some((n) => n.kind === 'module' && n.awaitLocation?.line === stuck[2])).toBe(true);
    // What it finally waited on, and the verdict: the event loop was empty.
    expect(dump.nodes.filter((n) => n.leaf).map((n) => n.leaf!.description)).toEqual(["event 'connected' on EventEmitter"]);
    expect(dump.verdicts?.map((v) => v.kind)).toEqual(['stall']);
  }, 60_000);

  it('a program that exits normally: no dump, no output of ours', async () => {
    const dir = tempDir();
    writeFileSync(
      join(dir, 'prog.mjs'),
      `const gate = new Promise(() => {}); globalThis.gate = gate;
async function waiter() { await gate; }
globalThis.w = waiter();
console.log('done');
setTimeout(() => process.exit(0), 10);
`,
    );
    const r = await runWithRegister(join(dir, 'prog.mjs'), { cwd: dir, env: { AWAITWHAT_DIR: dir } });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('done\n');
    expect(r.stderr).toBe('');
    expect(readdirSync(dir)).toEqual(['prog.mjs']);
  }, 60_000);

  it('AWAITWHAT_EXIT_DUMP=never: exit code 13, nothing printed, no file', async () => {
    const dir = tempDir();
    const r = await runWithRegister('fixtures/unsettled-tla.mjs', { env: { AWAITWHAT_DIR: dir, AWAITWHAT_EXIT_DUMP: 'never' } });
    expect(r.code).toBe(13);
    expect(r.stderr).toBe('');
    expect(readdirSync(dir)).toEqual([]);
  }, 60_000);

  it('a dump that cannot be written: exit code kept, the verdict and one failure line', async () => {
    const dir = join(tempDir(), 'missing', 'dir');
    const r = await runWithRegister('fixtures/unsettled-tla.mjs', { env: { AWAITWHAT_DIR: dir } });
    expect(r.code).toBe(13);
    const lines = r.stderr.split('\n').filter((l) => l !== '');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^awaitwhat: exited with an unsettled top-level await; stuck at /);
    expect(lines[1]).toMatch(/^awaitwhat: exit dump failed: cannot write /);
  }, 60_000);
});

describe('exit dump, AWAITWHAT_EXIT_DUMP=always', () => {
  const PROGRAM = `import { EventEmitter, once } from 'node:events';
const jobs = new EventEmitter();
async function waitForJob() { await once(jobs, 'done'); }
waitForJob();
console.log('bye');
setTimeout(() => process.exit(3), 20);
`;

  it('any exit while a task of the program waits: dump, verdict, exit code kept', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'prog.mjs'), PROGRAM);
    const r = await runWithRegister(join(dir, 'prog.mjs'), { cwd: dir, env: { AWAITWHAT_DIR: dir, AWAITWHAT_EXIT_DUMP: 'always' } });
    expect(r.code).toBe(3);
    expect(r.stdout).toBe('bye\n');
    const lines = r.stderr.split('\n').filter((l) => l !== '');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^awaitwhat: exited with code 3 while 1 task was still waiting; stuck at prog\.mjs:3:\d+ \(waitForJob\)/);
    const path = DUMP_LINE.exec(r.stderr)![1]!;
    expect(parseDump(readFileSync(path, 'utf8'), path).trigger).toBe('exit');
  }, 60_000);

  it('no task of the program waiting: nothing', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'prog.mjs'), `console.log('bye');\n`);
    const r = await runWithRegister(join(dir, 'prog.mjs'), { cwd: dir, env: { AWAITWHAT_DIR: dir, AWAITWHAT_EXIT_DUMP: 'always' } });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('bye\n');
    expect(r.stderr).toBe('');
    expect(readdirSync(dir)).toEqual(['prog.mjs']);
  }, 60_000);
});

describe('exit verdict line', () => {
  it('names each chain outermost first, relative to cwd', () => {
    const line = exitVerdict(sample('promise-all'), 1);
    expect(line).toBe(
      'awaitwhat: exited with code 1 while 2 tasks were still waiting; stuck at src/orders.js:31:30 (handleOrder) ← src/orders.js:17:16 (reserveStock)',
    );
  });

  it('marks where a cycle closes', () => {
    expect(exitVerdict(sample('cycle'), 1)).toMatch(/← ↺ \(cycle\)/);
  });

  it('reads AWAITWHAT_EXIT_DUMP', () => {
    expect(exitDumpMode({})).toBe('auto');
    expect(exitDumpMode({ AWAITWHAT_EXIT_DUMP: 'ALWAYS' })).toBe('always');
    expect(exitDumpMode({ AWAITWHAT_EXIT_DUMP: 'never' })).toBe('never');
    expect(exitDumpMode({ AWAITWHAT_EXIT_DUMP: '0' })).toBe('never');
    expect(exitDumpMode({ AWAITWHAT_EXIT_DUMP: 'bogus' })).toBe('auto');
  });
});

describe('exit verdict on deep and wide graphs', () => {
  it('shortens a long chain to its ends and survives deep recursion', () => {
    const base = sample('promise-all');
    const depth = 5000;
    const url = 'file:///srv/shop/src/deep.js';
    const nodes = Array.from({ length: depth }, (_, i) => ({
      id: `d${i}`,
      kind: 'async-function' as const,
      name: `level${i}`,
      state: 'suspended' as const,
      awaitLocation: { url, line: i + 1, column: 3 },
      awaits: i + 1 < depth ? [`d${i + 1}`] : [],
      awaitedBy: i > 0 ? [`d${i - 1}`] : [],
    }));
    const line = exitVerdict({ ...base, nodes, roots: ['d0'], cycles: [] }, 1);
    expect(line).toMatch(/^awaitwhat: exited with code 1 while 5000 tasks were still waiting; stuck at src\/deep\.js:1:3 \(level0\) ← src\/deep\.js:2:3 \(level1\) ← … \d+ more … ← /);
    expect(line.length).toBeLessThan(400);
  });
});
