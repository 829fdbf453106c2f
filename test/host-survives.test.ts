/**
 * A dump may fail; the host never does (issue 9). Each test runs a real program under the
 * register in a child process and checks that it goes on and ends with its own exit code,
 * that stderr gets at most one awaitwhat line naming the real cause, and that a dump file is
 * complete or absent.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { parseDump } from '../src/serialize/json.js';
import { killTargets, runNode, startTarget, type Target } from './helpers/processes.js';
import { ROOT } from './helpers/samples.js';

const REGISTER = join(ROOT, 'dist/src/register.js');
const program = (name: string) => join(ROOT, 'test/programs', name);
const dirs: string[] = [];
const tempDir = (prefix: string) => {
  const d = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(d);
  return d;
};
afterEach(killTargets);
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** Polls until `ready()` holds; fails the test with `what` after a generous deadline. */
async function until(ready: () => boolean, what: string, ms = 120_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!ready()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The awaitwhat lines of a stderr text. */
const awaitwhatLines = (stderr: string) => stderr.split('\n').filter((l) => l.startsWith('awaitwhat:'));

/** Tells a host-target program to exit and resolves with its exit code and signal. */
function finish(target: Target): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  return new Promise((resolve) => {
    if (target.child.exitCode !== null || target.child.signalCode !== null) {
      resolve({ code: target.child.exitCode, signal: target.child.signalCode });
      return;
    }
    target.child.once('exit', (code, signal) => resolve({ code, signal }));
    target.child.stdin.write('exit\n');
  });
}

/** Sends SIGUSR2 and waits for the register's one line. */
async function dumpBySignal(target: Target): Promise<string> {
  target.child.kill('SIGUSR2');
  await until(() => awaitwhatLines(target.stderr()).length > 0, 'the awaitwhat line');
  return awaitwhatLines(target.stderr())[0]!;
}

/** The files in `dir` (dumps, and any temporary file a failed write would have left). */
const filesIn = (dir: string) => readdirSync(dir);

describe('stderr is a pipe its reader closed', () => {
  it('the dump line is lost, the host keeps running and exits 0 normally later', async () => {
    const dir = tempDir('awaitwhat-epipe-');
    const target = await startTarget(['--import', REGISTER, program('host-target.mjs')], { AWAITWHAT_DIR: dir, HOST_EXIT_CODE: '0' });
    target.child.stderr.destroy(); // the log forwarder went away
    target.child.kill('SIGUSR2');
    await until(() => filesIn(dir).some((f) => f.endsWith('.json') && !f.startsWith('.')), 'the dump file');
    // Let the program run on after the failed write: an EPIPE 'error' would surface here.
    await new Promise((r) => setTimeout(r, 500));
    expect(target.child.exitCode).toBeNull();
    const { code, signal } = await finish(target);
    expect({ code, signal }).toEqual({ code: 0, signal: null });
    expect(target.stdout()).toBe('ready\nbye\n');
  }, 180_000);
});

describe('a program that broke its own globals', () => {
  for (const mutation of ['delete-promise', 'replace-promise', 'throwing-then', 'throwing-push']) {
    it(`${mutation}: SIGUSR2 writes a whole dump, the host keeps running and exits with its own code`, async () => {
      const dir = tempDir('awaitwhat-globals-');
      const target = await startTarget(['--import', REGISTER, program('host-target.mjs')], { AWAITWHAT_DIR: dir, HOST_MUTATION: mutation });
      const line = await dumpBySignal(target);
      expect(line).toMatch(/^awaitwhat: dump written to /);
      const { code, signal } = await finish(target);
      expect({ code, signal }).toEqual({ code: 7, signal: null });
      expect(awaitwhatLines(target.stderr())).toHaveLength(1);
      const dump = parseDump(readFileSync(line.slice('awaitwhat: dump written to '.length), 'utf8'));
      expect(dump.nodes.filter((n) => n.kind === 'async-function' && n.awaitLocation?.url.endsWith('host-target.mjs'))).toHaveLength(4);
    }, 180_000);
  }
});

describe("a dump runs none of the program's code", () => {
  it('a socket and a stream whose getters call process.exit(42): the dump is written without them, the host survives', async () => {
    for (const capture of [{}, { AWAITWHAT_HEAP_CAPTURE: 'inspector' }]) {
      const dir = tempDir('awaitwhat-getters-');
      const target = await startTarget(['--import', REGISTER, program('evil-getters.mjs')], { AWAITWHAT_DIR: dir, ...capture });
      const line = await dumpBySignal(target);
      expect(line).toMatch(/^awaitwhat: dump written to /);
      const { code } = await finish(target);
      expect(code).toBe(7);
      const dump = parseDump(readFileSync(line.slice('awaitwhat: dump written to '.length), 'utf8'));
      const leaves = dump.nodes.filter((n) => n.leaf?.kind === 'stream').map((n) => n.leaf!);
      expect(leaves).toHaveLength(2);
      // Read from Node's own state, not from the program's getters.
      const socket = leaves.find((l) => l.details?.class === 'EvilSocket')!;
      expect(socket.details).toMatchObject({ remoteAddress: '127.0.0.1', connecting: false });
      expect(dump.warnings).toEqual([]);
    }
  }, 240_000);

  it('Error.prepareStackTrace calling process.exit(42) with creation stacks on: the dump is written, the host survives', async () => {
    const dir = tempDir('awaitwhat-prepare-');
    const target = await startTarget(['--import', REGISTER, program('evil-getters.mjs')], { AWAITWHAT_DIR: dir, AWAITWHAT_STACKS: '1', HOST_PREPARE_STACK: '1' });
    const line = await dumpBySignal(target);
    expect(line).toMatch(/^awaitwhat: dump written to /);
    expect((await finish(target)).code).toBe(7);
    const dump = parseDump(readFileSync(line.slice('awaitwhat: dump written to '.length), 'utf8'));
    const stack = dump.nodes.find((n) => n.name === 'readSocket')?.creationStack;
    expect(stack?.some((f) => f.url.endsWith('evil-getters.mjs'))).toBe(true);
  }, 180_000);

  it('process.exit from code run inside a dump section is refused and counted; the program goes on', async () => {
    const guard = join(ROOT, 'dist/src/internal/exit-guard.js');
    const script = `
      import { withExitGuard } from ${JSON.stringify(guard)};
      const kept = process.exit;
      const { value, exitCalls } = withExitGuard(() => {
        let refused = 0;
        for (const exit of [() => process.exit(42), () => kept(43), () => process.reallyExit(44)]) {
          try { exit(); } catch (error) { if (error.code === 'AWAITWHAT_SNAPSHOT_FAILED') refused++; }
        }
        return refused;
      });
      console.log(JSON.stringify({ value, exitCalls, restored: process.exit === kept }));
      process.exitCode = 3;`;
    const r = await runNode(['--input-type=module', '-e', script], { timeout: 60_000 });
    expect(r.status).toBe(3);
    // The kept original process.exit(43) gets as far as process.reallyExit, which refuses too.
    expect(JSON.parse(r.stdout)).toEqual({ value: 3, exitCalls: [42, 43, 44], restored: true });
  });
});

describe('a full disk (a real 64 KiB tmpfs)', () => {
  /** Mounts a 64 KiB tmpfs; `undefined` (with the reason) where that is not allowed. */
  function mountTmpfs(): { dir: string; unmount: () => void } | { skip: string } {
    const dir = tempDir('awaitwhat-tmpfs-');
    const r = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', dir], { encoding: 'utf8' });
    if (r.status !== 0) return { skip: `cannot mount a tmpfs (${(r.stderr || r.error?.message || '').trim()}): needs root` };
    return { dir, unmount: () => void spawnSync('umount', [dir]) };
  }

  it('SIGUSR2: one line naming ENOSPC, no file at all, the host goes on; view -o: exit 1, one line, no file', async (context) => {
    const tmpfs = mountTmpfs();
    if ('skip' in tmpfs) {
      context.skip(tmpfs.skip);
      return;
    }
    try {
      // 300 tasks: the dump is well over 64 KiB.
      const target = await startTarget(['--import', REGISTER, program('host-target.mjs')], { AWAITWHAT_DIR: tmpfs.dir, HOST_TASKS: '300' });
      const line = await dumpBySignal(target);
      expect(line).toMatch(/^awaitwhat: dump failed: cannot write .*awaitwhat-\d+-[\d-]+\.json: ENOSPC: no space left on device/);
      expect(filesIn(tmpfs.dir)).toEqual([]);
      expect((await finish(target)).code).toBe(7);
      expect(awaitwhatLines(target.stderr())).toHaveLength(1);

      // The same dump, written where there is room, then rendered into the full tmpfs.
      const roomy = tempDir('awaitwhat-roomy-');
      const again = await startTarget(['--import', REGISTER, program('host-target.mjs')], { AWAITWHAT_DIR: roomy, HOST_TASKS: '300' });
      const written = (await dumpBySignal(again)).slice('awaitwhat: dump written to '.length);
      await finish(again);
      // 48 KiB taken first: the dump as JSON (over 64 KiB for 300 tasks) cannot fit in what is
      // left. (Not DOT: it draws the 300 tasks alike as one box ×300, a few hundred bytes.)
      writeFileSync(join(tmpfs.dir, 'filler'), Buffer.alloc(48 * 1024));
      const out = join(tmpfs.dir, 'x.json');
      const view = await runNode([join(ROOT, 'dist/cli/main.js'), 'view', written, '-f', 'json', '-o', out], { timeout: 60_000 });
      expect(view.status).toBe(1);
      expect(view.stderr).toMatch(/^awaitwhat: cannot write .*x\.json: ENOSPC: no space left on device[^\n]*\n$/);
      expect(filesIn(tmpfs.dir)).toEqual(['filler']);
    } finally {
      tmpfs.unmount();
    }
  }, 240_000);
});

describe('the program exits while a background dump is being analysed', () => {
  it('20 runs: never "Waiting for the debugger to disconnect...", always its own exit code, never an abort', async () => {
    const delays = [0, 300, 1000, 2000];
    const outcomes: string[] = [];
    for (let run = 0; run < 20; run++) {
      const dir = tempDir('awaitwhat-exit-analysis-');
      const target = await startTarget(['--import', REGISTER, program('exit-during-analysis.mjs')], { AWAITWHAT_DIR: dir, EXIT_AFTER_MS: String(delays[run % delays.length]) });
      const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => target.child.once('exit', (code, signal) => resolve({ code, signal })));
      target.child.kill('SIGUSR2');
      const { code, signal } = await exited;
      const stderr = target.stderr();
      expect(stderr).not.toContain('Waiting for the debugger');
      expect({ code, signal }).toEqual({ code: 5, signal: null });
      // Whatever stage the dump reached: at most one line, and a file only if it is whole.
      const lines = awaitwhatLines(stderr);
      expect(lines.length).toBeLessThanOrEqual(1);
      for (const f of filesIn(dir)) {
        expect(f).toMatch(/^awaitwhat-\d+-[\d-]+\.json$/);
        parseDump(readFileSync(join(dir, f), 'utf8'));
      }
      outcomes.push(lines[0]?.replace(/ to \/.*/, '') ?? '(no line)');
    }
    expect(outcomes).toHaveLength(20);
  }, 900_000);
});

describe('fault injection in every phase of a dump (AWAITWHAT_FAULT)', () => {
  const background: Array<[string, RegExp]> = [
    ['capture', /^awaitwhat: dump failed: cannot take the heap snapshot: injected fault \(AWAITWHAT_FAULT=capture\)$/],
    ['parse', /^awaitwhat: dump failed: the background analysis failed: cannot read the heap snapshot: injected fault \(AWAITWHAT_FAULT=parse\)$/],
    ['worker-crash', /^awaitwhat: dump failed: the analysis worker failed: the analysis crashed: injected fault \(AWAITWHAT_FAULT=worker-crash\)$/],
    ['lookup', /^awaitwhat: dump failed: the background analysis failed: .*the main thread stopped answering lookups: injected fault \(AWAITWHAT_FAULT=lookup\)$/],
    ['write', /^awaitwhat: dump failed: cannot write .*awaitwhat-\d+-[\d-]+\.json: ENOSPC: no space left on device, write \(injected by AWAITWHAT_FAULT=write\)$/],
    ['inspector', /^awaitwhat: dump failed: cannot open an inspector session on the main thread: injected fault \(AWAITWHAT_FAULT=inspector\)$/],
  ];
  for (const [phase, cause] of background) {
    it(`SIGUSR2, ${phase}: the host goes on to its own exit code, one line names the cause, no file is left`, async () => {
      const dir = tempDir(`awaitwhat-fault-${phase}-`);
      const target = await startTarget(['--import', REGISTER, program('host-target.mjs')], { AWAITWHAT_DIR: dir, AWAITWHAT_FAULT: phase });
      expect(await dumpBySignal(target)).toMatch(cause);
      const { code, signal } = await finish(target);
      expect({ code, signal }).toEqual({ code: 7, signal: null });
      expect(target.stdout()).toBe('ready\nbye\n');
      expect(awaitwhatLines(target.stderr())).toHaveLength(1);
      expect(filesIn(dir)).toEqual([]);
    }, 180_000);
  }

  const atExit: Array<[string, RegExp]> = [
    ['capture', /^awaitwhat: exit dump failed: cannot take the heap snapshot: injected fault \(AWAITWHAT_FAULT=capture\)$/],
    ['parse', /^awaitwhat: exit dump failed: cannot read the heap snapshot: injected fault \(AWAITWHAT_FAULT=parse\)$/],
    ['write', /^awaitwhat: exit dump failed: cannot write .*: ENOSPC: no space left on device, write \(injected by AWAITWHAT_FAULT=write\)$/],
    ['inspector', /^awaitwhat: exit dump failed: cannot open an inspector session: injected fault \(AWAITWHAT_FAULT=inspector\)$/],
  ];
  for (const [phase, cause] of atExit) {
    it(`exit dump (synchronous), ${phase}: exit code 13 kept, one failure line names the cause, no file is left`, async () => {
      const dir = tempDir(`awaitwhat-exit-fault-${phase}-`);
      const r = await runNode(['--import', REGISTER, join(ROOT, 'fixtures/unsettled-tla.mjs')], {
        cwd: ROOT,
        timeout: 120_000,
        env: { ...process.env, AWAITWHAT_DIR: dir, AWAITWHAT_FAULT: phase },
      });
      expect(r.status).toBe(13);
      const failures = awaitwhatLines(r.stderr).filter((l) => /failed/.test(l));
      expect(failures).toHaveLength(1);
      expect(failures[0]).toMatch(cause);
      expect(filesIn(dir)).toEqual([]);
    }, 180_000);
  }

  it('signal during exit: the program exits right after SIGUSR2; its exit code, at most one line, no partial file', async () => {
    for (let run = 0; run < 4; run++) {
      const dir = tempDir('awaitwhat-signal-exit-');
      const r = await runNode(
        ['--import', REGISTER, '-e', `globalThis.p = new Promise(() => {}); process.kill(process.pid, 'SIGUSR2'); setTimeout(() => process.exit(6), ${run * 5});`],
        { timeout: 120_000, env: { ...process.env, AWAITWHAT_DIR: dir } },
      );
      expect({ status: r.status, signal: r.signal }).toEqual({ status: 6, signal: null });
      expect(r.stderr).not.toContain('Waiting for the debugger');
      const lines = awaitwhatLines(r.stderr);
      expect(lines.length).toBeLessThanOrEqual(1);
      if (lines[0] && !lines[0].startsWith('awaitwhat: dump written to ')) expect(lines[0]).toMatch(/^awaitwhat: dump abandoned: the program exited while the dump was being analysed$/);
      for (const f of filesIn(dir)) parseDump(readFileSync(join(dir, f), 'utf8'));
    }
  }, 300_000);
});
