/**
 * Tests never block vitest's worker (docs/reliability.md, "The worker's event loop is never
 * blocked"): a worker that sits in `spawnSync` cannot read its runner's replies, and one blocked
 * past 60 s ends a run where every test passed with `Timeout calling "onTaskUpdate"`. Here: the
 * test files run no Node program synchronously, and `runNode` itself behaves as the call sites
 * need (output, exit code, signal, input, env, cwd, kill timeout) while the test process runs on.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { run, runNode } from './helpers/processes.js';
import { ROOT } from './helpers/samples.js';

/** Commands a test may still run synchronously: probes and set-ups that take milliseconds. */
const QUICK_COMMANDS = new Set(['mkfifo', 'mount', 'umount', 'unshare', 'taskset']);
const SYNC_CALL = /\b(spawnSync|execFileSync|execSync)\(\s*([^,)]*)(?:,\s*\[\s*([^,\]]*))?/g;

/** `file:line: call` for every synchronous child process a test file starts other than a quick probe. */
function blockingCalls(): string[] {
  const found: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(join(ROOT, dir), { withFileTypes: true })) {
      const path = `${dir}/${entry.name}`;
      if (entry.isDirectory()) walk(path);
      // The global setup runs in vitest's main process, before any worker exists.
      else if (entry.name.endsWith('.ts') && path !== 'test/global-setup.ts') {
        const text = readFileSync(join(ROOT, path), 'utf8');
        for (const match of text.matchAll(SYNC_CALL)) {
          const command = /^'([^']*)'$/.exec(match[2]!.trim())?.[1];
          const firstArg = match[3]?.trim();
          if (command !== undefined && QUICK_COMMANDS.has(command)) continue;
          if (command === 'script' && firstArg === "'--version'") continue;
          found.push(`${path}:${text.slice(0, match.index).split('\n').length}: ${match[0]}`);
        }
      }
    }
  };
  walk('test');
  return found;
}

const dir = mkdtempSync(join(tmpdir(), 'awaitwhat-run-node-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('tests do not block the worker', () => {
  it('no test file runs a Node program (or anything but a quick probe) with spawnSync/execFileSync/execSync', () => {
    expect(blockingCalls()).toEqual([]);
  });
});

describe('runNode', () => {
  it('returns while the child runs: the test process goes on and the child sees what it does', async () => {
    const go = join(dir, 'go');
    // The child waits for a file that the test writes only after runNode() has returned:
    // with a synchronous spawn this would wait for the kill timeout instead.
    const result = runNode(['-e', `const fs = require('fs'); const t = setInterval(() => { if (fs.existsSync(${JSON.stringify(go)})) { clearInterval(t); console.log('went'); } }, 20);`]);
    writeFileSync(go, '');
    const r = await result;
    expect(r).toEqual({ status: 0, signal: null, stdout: 'went\n', stderr: '' });
  });

  it('gives stdout, stderr and the exit code; passes input, env and cwd', async () => {
    const r = await runNode(
      ['-e', "let s = ''; process.stdin.setEncoding('utf8').on('data', (d) => (s += d)).on('end', () => { console.log(s.toUpperCase(), process.env.RUN_NODE_TEST, process.cwd()); console.error('é'.repeat(3)); process.exit(4); });"],
      { input: 'héllo', env: { ...process.env, RUN_NODE_TEST: 'yes' }, cwd: dir },
    );
    expect(r).toEqual({ status: 4, signal: null, stdout: `HÉLLO yes ${dir}\n`, stderr: 'ééé\n' });
  });

  it('closes stdin when no input is given, as spawnSync does', async () => {
    const r = await runNode(['-e', "process.stdin.resume().on('end', () => console.log('eof'))"]);
    expect(r.stdout).toBe('eof\n');
  });

  it('kills a child that outlives its timeout, and says so', async () => {
    const r = await runNode(['-e', "setInterval(() => {}, 1000)"], { timeout: 500, killSignal: 'SIGKILL' });
    expect(r.status).toBeNull();
    expect(r.signal).toBe('SIGKILL');
    expect(r.error?.message).toMatch(/killed with SIGKILL after 500 ms/);
  });

  it('resolves with the error for a command that does not exist', async () => {
    const r = await run(join(dir, 'no-such-command'), []);
    expect(r.status).toBeNull();
    expect((r.error as NodeJS.ErrnoException | undefined)?.code).toBe('ENOENT');
  });
});
