/**
 * The ways to get a dump: `--import awaitwhat/register` (also through NODE_OPTIONS) and
 * SIGUSR2, and `import { snapshot } from 'awaitwhat'`. A dump file appears whole (temp file
 * and rename), with mode 0600, in AWAITWHAT_DIR, and its path is printed on stderr.
 */
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import type { Dump } from '../src/model.js';
import { ROOT } from './helpers/samples.js';

const run = promisify(execFile);
const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'awaitwhat-trigger-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const STUCK = `
const gate = new Promise(() => {}); globalThis.gate = gate;
async function handler() { await gate; }
globalThis.task = handler();
setInterval(() => {}, 60_000);
console.log('ready');
`;

/** Starts `node <args> -e STUCK`, sends SIGUSR2 once ready, returns the stderr line's path. */
async function signalDump(args: string[], env: NodeJS.ProcessEnv): Promise<{ path: string; stderr: string }> {
  const child = spawn(process.execPath, [...args, '--input-type=module', '-e', STUCK], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d));
  try {
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => d.toString().includes('ready') && resolve());
      child.once('exit', (code) => reject(new Error(`exited ${code}: ${stderr}`)));
    });
    child.kill('SIGUSR2');
    // Waits as long as the dump takes (the test's own time limit ends a hang).
    let match: RegExpExecArray | null = null;
    while (!(match = /^awaitwhat: dump written to (.+)$/m.exec(stderr))) {
      await new Promise((r) => setTimeout(r, 25));
    }
    return { path: match[1]!, stderr };
  } finally {
    child.kill('SIGKILL');
  }
}

describe('triggers', () => {
  it('--import awaitwhat/register + SIGUSR2 writes awaitwhat-<pid>-<time>.json into AWAITWHAT_DIR, 0600, whole', async () => {
    const dir = tempDir();
    const { path, stderr } = await signalDump(['--import', 'awaitwhat/register'], { AWAITWHAT_DIR: dir });
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(path.startsWith(dir)).toBe(true);
    expect(readdirSync(dir)).toEqual([path.slice(dir.length + 1)]); // no temp file left behind
    expect(path).toMatch(/awaitwhat-\d+-\d{8}-\d{6}-\d{3}\.json$/);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const dump = JSON.parse(readFileSync(path, 'utf8')) as Dump;
    expect(dump.trigger).toBe('signal');
    const handler = dump.nodes.find((n) => n.name === 'handler')!;
    expect(handler.awaitLocation).toMatchObject({ line: 3, column: 28 });
  }, 30_000);

  it('works through NODE_OPTIONS as well', async () => {
    const dir = tempDir();
    const { path } = await signalDump([], { AWAITWHAT_DIR: dir, NODE_OPTIONS: '--import awaitwhat/register' });
    expect(JSON.parse(readFileSync(path, 'utf8')).nodes.some((n: { name: string }) => n.name === 'handler')).toBe(true);
  }, 30_000);

  it("import { snapshot } from 'awaitwhat' returns the graph, marking the calling task as running", async () => {
    const program = `
      import { snapshot } from 'awaitwhat';
      const gate = new Promise(() => {}); globalThis.gate = gate;
      async function waiter() { await gate; }
      async function inspectNow() { await null; return snapshot(); }
      globalThis.w = waiter();
      async function caller() { return await inspectNow(); }
      const dump = await caller();
      console.log(JSON.stringify(dump));
      process.exit(0);
    `;
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', program], { cwd: ROOT, timeout: 20_000, maxBuffer: 1 << 26 });
    const dump = JSON.parse(stdout) as Dump;
    expect(dump.trigger).toBe('api');
    expect(dump.hooks.installed).toBe(false);
    expect(dump.warnings.join(' ')).toMatch(/hook layer was not installed/);
    const waiter = dump.nodes.find((n) => n.name === 'waiter')!;
    expect(waiter.awaitLocation).toMatchObject({ line: 4, column: 33 });
    expect(waiter.waitingMs).toBeUndefined();
    const inspectNow = dump.nodes.find((n) => n.name === 'inspectNow');
    expect(inspectNow?.state).toBe('running');
    const caller = dump.nodes.find((n) => n.name === 'caller')!;
    expect(caller.awaits).toEqual([inspectNow!.id]);
  }, 30_000);
});
