/**
 * `awaitwhat dump <pid>` against the situations of issue 9, with real processes (Linux): the
 * CLI interrupted while attached (the target's inspector must be closed again), another
 * process holding the inspector port (it must not be talked to), a target in its own pid
 * namespace (its dump file carries its own pid), a dump directory the target cannot write
 * (said up front, no signal), and terminal escapes in what the target shows. Every target
 * gets its own inspector port (`--inspect-port`): nothing here uses 9229.
 */
import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { registerPath } from '../cli/capture.js';
import { listTargets } from '../src/attach/inspector-endpoint.js';
import { isAlive, killTargets, startTarget, stuckLines, waitGone } from './helpers/processes.js';
import { releasePorts, reservePort } from './helpers/ports.js';
import { ROOT } from './helpers/samples.js';

const MAIN = join(ROOT, 'dist', 'cli', 'main.js');
const linux = process.platform === 'linux';
const root = process.getuid?.() === 0;
const TIMEOUT = 120_000;

const tmp = mkdtempSync(join(tmpdir(), 'awaitwhat-dump-safety-'));
chmodSync(tmp, 0o755);
afterAll(() => {
  rmSync(tmp, { recursive: true, force: true });
  releasePorts();
});
const others: ChildProcess[] = [];
afterEach(async () => {
  for (const child of others.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await killTargets();
});

function awaitwhat(...args: string[]): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [MAIN, ...args], { cwd: ROOT, env: { ...process.env, NO_COLOR: '1' }, timeout: 110_000, maxBuffer: 1 << 26 }, (error, stdout, stderr) => {
      const code = error ? ((error as { code?: unknown }).code as number | null) : 0;
      resolve({ code: typeof code === 'number' ? code : null, signal: (error as { signal?: NodeJS.Signals } | null)?.signal ?? null, stdout, stderr });
    });
  });
}

/** An inspector port reserved for this test file (test/helpers/ports.ts: no pick-then-release race). */
async function freePort(): Promise<number> {
  return (await reservePort())!;
}

/** Polls `check` every 20 ms until it returns true. */
async function until(check: () => boolean, what: string, ms = 90_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A dump's progress notes (docs/cli.md: a slow dump on a loaded machine prints some). */
const PROGRESS_NOTE = /^awaitwhat: pid \d+ (is taking|has taken|is collecting|is writing) .* so far…$/;
const lines = (text: string): string[] => text.split('\n').filter((l) => l !== '' && !PROGRESS_NOTE.test(l));

describe.runIf(linux)('dump <pid>: whatever it opens it closes, on signals too', () => {
  it.each([
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const)('%s while attached: the target\'s inspector is closed again, the target lives, the CLI dies of that signal', async (signalName, status) => {
    const port = await freePort();
    // A heap large enough that the snapshot is still streaming when the CLI is interrupted.
    const target = await startTarget([`--inspect-port=${port}`, 'test/programs/big-heap.mjs'], { BIG_HEAP_OBJECTS: '150000' }, 90_000);
    const cli = spawn(process.execPath, [MAIN, 'dump', String(target.pid), '--attach', '--timeout', '90000'], {
      cwd: ROOT,
      env: { ...process.env, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    others.push(cli);
    let stderr = '';
    cli.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    cli.stdout!.resume();
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => cli.once('exit', (code, signal) => resolve({ code, signal })));
    // Node prints this on the target's stderr when a session connects: the CLI is attached.
    await until(() => target.stderr().includes('Debugger attached.'), 'the CLI to attach');
    expect(await listTargets(port, 2000)).toBeDefined();
    cli.kill(signalName);
    const { code, signal } = await exited;
    expect(signal === signalName || code === status, `exit ${code} ${signal}; ${stderr}`).toBe(true);
    expect(lines(stderr).at(-1)).toMatch(new RegExp(`^awaitwhat: interrupted \\(${signalName}\\) while attached to pid ${target.pid}; .*it was closed again`));
    expect(await listTargets(port, 2000)).toBeUndefined();
    expect(isAlive(target.pid)).toBe(true);
    expect(target.child.exitCode).toBeNull();
  }, TIMEOUT);
});

describe.runIf(linux)('dump <pid>: the inspector port held by another process', () => {
  it('another Node inspector on the port: refused in one line naming it, nothing evaluated there, the target not signalled', async () => {
    const port = await freePort();
    const owner = await startTarget([`--inspect=127.0.0.1:${port}`, 'test/programs/idle-ticker.mjs']);
    const target = await startTarget([`--inspect-port=${port}`, `fixtures/forgotten-reject.mjs`]);
    const r = await awaitwhat('dump', String(target.pid), '--timeout', '20000');
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    const last = lines(r.stderr).at(-1)!;
    expect(last).toMatch(new RegExp(`^awaitwhat: 127\\.0\\.0\\.1:${port} is held by pid ${owner.pid} \\(node --inspect=127\\.0\\.0\\.1:${port} test/programs/idle-ticker\\.mjs\\), not by pid ${target.pid}: not connecting to it; `));
    expect(last).toContain(`pid ${target.pid} was started with inspector port ${port}`);
    // No session was opened on the other process (Node prints this for every session).
    expect(owner.stderr()).not.toContain('Debugger attached.');
    expect(target.stderr()).not.toContain('Debugger listening');
    expect(isAlive(owner.pid) && isAlive(target.pid)).toBe(true);
  }, TIMEOUT);

  it('a plain server on the port: refused before any request; --port is a real option pointing elsewhere', async () => {
    const port = await freePort();
    const script = `require('net').createServer((s) => { console.log('connection'); s.destroy(); }).listen(${port}, '127.0.0.1', () => console.log('ready'))`;
    const server = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    others.push(server);
    let out = '';
    server.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
    await until(() => out.includes('ready'), 'the server');
    const target = await startTarget(['test/programs/idle-ticker.mjs']);
    const r = await awaitwhat('dump', String(target.pid), '--port', String(port), '--timeout', '20000');
    expect(r.code).toBe(1);
    const command = `node -e ${script}`.slice(0, 79);
    expect(lines(r.stderr).at(-1)).toBe(
      `awaitwhat: 127.0.0.1:${port} is held by pid ${server.pid} (${command}…), not by pid ${target.pid}: not connecting to it; pass the port pid ${target.pid}'s inspector listens on`,
    );
    expect(out).not.toContain('connection');
    expect(target.stderr()).not.toContain('Debugger listening');
    expect(isAlive(target.pid)).toBe(true);
  }, TIMEOUT);
});

describe.runIf(linux)('dump <pid>: containers and dump directories', () => {
  it('a target in its own pid namespace: its dump file carries its own pid (1), and is found', async (ctx) => {
    if (!root || spawnSync('unshare', ['--fork', '--pid', '--mount-proc', 'true']).status !== 0) {
      ctx.skip(); // needs root (CAP_SYS_ADMIN) and unshare(1): a pid namespace cannot be made here
    }
    const dir = join(tmp, 'namespace');
    mkdirSync(dir);
    const unshare = spawn('unshare', ['--fork', '--kill-child', '--pid', '--mount-proc', process.execPath, '--import', registerPath(), 'fixtures/forgotten-reject.mjs'], {
      cwd: ROOT,
      env: { ...process.env, AWAITWHAT_DIR: dir },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    others.push(unshare);
    let out = '';
    unshare.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
    unshare.stderr!.resume();
    await until(() => /^ready$/m.test(out), 'the namespaced target');
    const inner = Number(readFileSync(`/proc/${unshare.pid}/task/${unshare.pid}/children`, 'utf8').trim());
    try {
      expect(readFileSync(`/proc/${inner}/status`, 'utf8')).toMatch(/^NSpid:\s+\d+\s+1$/m);
      const r = await awaitwhat('dump', String(inner), '--timeout', '60000');
      expect(r.code, r.stderr).toBe(0);
      expect(lines(r.stderr)).toEqual([expect.stringMatching(/^awaitwhat: dump written to \S*\/awaitwhat-1-\d{8}-\d{6}-\d{3}\.json$/)]);
      expect(r.stdout).toContain('awaitwhat dump of pid 1 ');
      expect(r.stdout).toContain(`fixtures/forgotten-reject.mjs:${stuckLines('forgotten-reject')[0]}:`);
      expect(readdirSync(dir)).toEqual([expect.stringMatching(/^awaitwhat-1-/)]);
    } finally {
      process.kill(inner, 'SIGKILL'); // pid 1 of its namespace: only SIGKILL is sure to reach it
      await waitGone(inner);
    }
  }, TIMEOUT);

  it('a dump directory the target cannot write (another uid): said up front, no SIGUSR2 sent', async (ctx) => {
    if (!root) ctx.skip(); // the target must run as another uid than the directory's owner
    const dir = join(tmp, 'not-theirs');
    mkdirSync(dir, { mode: 0o755 });
    const target = await startNobody(dir);
    const r = await awaitwhat('dump', String(target.pid), '--timeout', '20000');
    expect(r.code).toBe(1);
    expect(lines(r.stderr)).toEqual([
      `awaitwhat: pid ${target.pid}'s dump directory ${dir} is not writable by its uid 65534 (mode 755, owner uid 0 gid 0): its dump would fail, so SIGUSR2 is not sent; start it with AWAITWHAT_DIR set to a directory it can write, or use --attach`,
    ]);
    await new Promise((r) => setTimeout(r, 200));
    expect(target.stderr()).not.toContain('dump failed');
    expect(isAlive(target.pid)).toBe(true);
  }, TIMEOUT);

  it('a dump directory on a read-only mount: said up front, no SIGUSR2 sent', async (ctx) => {
    const dir = join(tmp, 'read-only');
    mkdirSync(dir);
    if (!root || spawnSync('mount', ['-t', 'tmpfs', '-o', 'ro,size=1m', 'tmpfs', dir]).status !== 0) ctx.skip(); // mounting needs root
    try {
      const target = await startTarget(['--import', registerPath(), 'fixtures/forgotten-reject.mjs'], { AWAITWHAT_DIR: dir });
      const r = await awaitwhat('dump', String(target.pid), '--timeout', '20000');
      expect(r.code).toBe(1);
      expect(lines(r.stderr)).toEqual([
        `awaitwhat: pid ${target.pid}'s dump directory ${dir} is on a read-only mount (${dir}): its dump would fail, so SIGUSR2 is not sent; start it with AWAITWHAT_DIR set to a directory it can write, or use --attach`,
      ]);
      expect(target.stderr()).not.toContain('dump failed');
      await killTargets();
    } finally {
      spawnSync('umount', [dir]);
    }
  }, TIMEOUT);

  it('terminal escapes in what the target shows (its dump directory) are printed as visible escapes', async () => {
    const dir = join(tmp, 'evil\u001b]0;pwned\u0007dir');
    mkdirSync(dir);
    const target = await startTarget(['--import', registerPath(), 'fixtures/forgotten-reject.mjs'], { AWAITWHAT_DIR: dir });
    const r = await awaitwhat('dump', String(target.pid), '--timeout', '60000');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toMatch(/[\u0007\u001b]/);
    expect(lines(r.stderr)).toEqual([expect.stringMatching(/^awaitwhat: dump written to .*\/evil\\x1b\]0;pwned\\x07dir\/awaitwhat-\d+-[\d-]+\.json$/)]);
    const missing = await startTarget(['--import', registerPath(), 'fixtures/forgotten-reject.mjs'], { AWAITWHAT_DIR: join(tmp, 'gone\u001b[2J') });
    const m = await awaitwhat('dump', String(missing.pid), '--timeout', '20000');
    expect(m.code).toBe(1);
    expect(lines(m.stderr)).toEqual([
      `awaitwhat: pid ${missing.pid}'s dump directory ${tmp}/gone\\x1b[2J does not exist: its dump would fail, so SIGUSR2 is not sent; start it with AWAITWHAT_DIR set to a directory it can write, or use --attach`,
    ]);
  }, TIMEOUT);
});

/**
 * A copy of the built package and the fixture that nobody can read: the checkout may sit in a
 * directory only its owner can enter (a clone in `mktemp -d`, mode 0700).
 */
function readableCopy(): { register: string; fixture: string } {
  const copy = join(tmp, 'package');
  cpSync(join(ROOT, 'dist'), join(copy, 'dist'), { recursive: true });
  cpSync(join(ROOT, 'package.json'), join(copy, 'package.json'));
  cpSync(join(ROOT, 'fixtures', 'forgotten-reject.mjs'), join(copy, 'fixtures', 'forgotten-reject.mjs'));
  return { register: join(copy, 'dist', 'src', 'register.js'), fixture: join(copy, 'fixtures', 'forgotten-reject.mjs') };
}

/** Starts the register's target as uid/gid 65534 (nobody), its dumps going to `dir`. */
async function startNobody(dir: string): Promise<{ pid: number; stderr: () => string }> {
  const { register, fixture } = readableCopy();
  const child = spawn(process.execPath, ['--import', register, fixture], {
    cwd: '/',
    uid: 65534,
    gid: 65534,
    env: { ...process.env, AWAITWHAT_DIR: dir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  others.push(child);
  let out = '';
  let err = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
  await until(() => /^ready$/m.test(out) || child.exitCode !== null, 'the target as nobody');
  if (child.exitCode !== null) throw new Error(`target as nobody exited: ${err}`);
  return { pid: child.pid!, stderr: () => err };
}
