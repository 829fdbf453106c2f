/**
 * No byte from the program reaches a terminal unescaped (issue 9): a real program whose event
 * name, script URL (`%1B`), cwd and argv hold OSC / BEL / CSI / C1 sequences, dumped
 * on SIGUSR2 and viewed in every format, and left to exit with an unsettled top-level await
 * (the exit dump's lines). Controls show as visible escapes; our own colours (`--color`) are
 * the only ESC sequences printed; JSON stays exact.
 */
import { execFile, spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { registerPath } from '../cli/capture.js';
import type { Dump } from '../src/model.js';
import { ROOT } from './helpers/samples.js';
import { dumpBySignal } from './helpers/signal-dump.js';

const run = promisify(execFile);
const MAIN = join(ROOT, 'dist', 'cli', 'main.js');
const EVENT = 'ready\u001b]0;owned-title\u0007\u001b[2J\u009b31mX';
const ARG = 'arg\u001b]52;c;cGF3bmVk\u0007';
const base = mkdtempSync(join(tmpdir(), 'awaitwhat-escapes-'));
// cwd: an OSC title with BEL and a C1 CSI; the script one directory down, behind a clear-screen.
const app = join(base, 'app\u001b]0;cwd-title\u0007\u009b1m');
const script = join(app, 'src\u001b[2J', 'prog.mjs');
mkdirSync(join(app, 'src\u001b[2J'), { recursive: true });
copyFileSync(join(ROOT, 'test/programs/hostile-text.mjs'), script);

afterAll(() => rmSync(base, { recursive: true, force: true }));

/** Program controls: ESC, BEL, C1 CSI. */
const RAW = /[\u001b\u0007\u009b]/;
/** Our own colour codes (src/serialize/tree.ts makeStyle). */
const OWN_SGR = /\u001b\[(?:1|2|22|31|33|35|36|39)m/g;

function expectNoRawControls(text: string, label: string): void {
  const at = RAW.exec(text)?.index ?? -1;
  expect(at, `${label}: raw control near ${JSON.stringify(text.slice(Math.max(0, at - 40), at + 40))}`).toBe(-1);
}

async function view(file: string, ...args: string[]): Promise<string> {
  const { stdout, stderr } = await run(process.execPath, [MAIN, 'view', file, ...args], { cwd: ROOT, maxBuffer: 16 * 1024 * 1024 });
  expect(stderr).toBe('');
  return stdout;
}

describe('terminal controls from the program are shown, never sent', () => {
  it('SIGUSR2 dump: view (with and without --no-color / --color), json, dot and dump <pid> print no raw control', async () => {
    const dumps = mkdtempSync(join(tmpdir(), 'awaitwhat-escapes-dumps-'));
    try {
      // Started in the directory with controls in its name (startTarget runs in the repository).
      const child = spawn(process.execPath, ['--import', registerPath(), script, 'signal', ARG], {
        cwd: app,
        env: { ...process.env, AWAITWHAT_DIR: dumps },
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
      child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
      try {
        await new Promise<void>((resolve, reject) => {
          child.stdout.on('data', () => /^ready$/m.test(stdout) && resolve());
          child.once('exit', (code) => reject(new Error(`exited ${code}: ${stderr}`)));
        });
        const file = await dumpBySignal({ child, pid: child.pid!, stdout: () => stdout, stderr: () => stderr }, dumps);
        expectNoRawControls(stderr, 'the target\'s own stderr');

        const plain = await view(file, '--no-color');
        expectNoRawControls(plain, 'view --no-color');
        expect(plain).toContain('\\x1b]0;owned-title\\x07\\x1b[2J\\x9b31mX'); // the event name, visible
        expect(plain).toContain('async waitFor  at src%1B[2J/prog.mjs:12:');
        expect(plain).toContain('src%1B[2J/prog.mjs:12:'); // the script URL: %1B stays encoded
        expect(plain).toContain('cwd     ' + app.replace(/\u001b/g, '\\x1b').replace(/\u0007/g, '\\x07').replace(/\u009b/g, '\\x9b'));
        expect(plain).toContain('"arg\\u001b]52;c;cGF3bmVk\\u0007"'); // argv, quoted

        const auto = await view(file); // not a terminal: no colour
        expect(auto).toBe(plain);

        const coloured = await view(file, '--color');
        expect(coloured).toMatch(OWN_SGR);
        expectNoRawControls(coloured.replace(OWN_SGR, ''), 'view --color without its own colours');
        expect(coloured.replace(OWN_SGR, '')).toBe(plain);

        const json = await view(file, '--format', 'json');
        expectNoRawControls(json, 'view --format json');
        expect(json).toContain('\\u001b]0;owned-title\\u0007\\u001b[2J\\u009b31mX');
        const dump = JSON.parse(json) as Dump;
        expect(dump.process.cwd).toBe(app); // exact, not escaped
        expect(dump.process.argv).toContain(ARG);
        expect(dump.nodes.some((n) => n.leaf?.details?.event === EVENT)).toBe(true);

        const dot = await view(file, '--format', 'dot');
        expectNoRawControls(dot, 'view --format dot');
        expect(dot).toContain('label="async waitFor\\nat src%1B[2J/prog.mjs:12:3');

        const live = await run(process.execPath, [MAIN, 'dump', String(child.pid), '--no-color'], { cwd: ROOT, maxBuffer: 16 * 1024 * 1024 });
        expectNoRawControls(live.stdout, 'dump <pid>');
        expectNoRawControls(live.stderr, 'dump <pid> stderr');
        expect(live.stdout).toContain('\\x1b]0;owned-title\\x07');
      } finally {
        child.kill('SIGKILL');
      }
    } finally {
      rmSync(dumps, { recursive: true, force: true });
    }
  }, 180_000);

  it('exit dump of an unsettled top-level await: its lines on stderr show the controls as escapes', async () => {
    const dumps = mkdtempSync(join(tmpdir(), 'awaitwhat-escapes-exit-'));
    try {
      const result = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
        const child = spawn(process.execPath, ['--import', registerPath(), script, 'exit', ARG], {
          cwd: app,
          env: { ...process.env, AWAITWHAT_DIR: dumps },
          stdio: ['ignore', 'ignore', 'pipe'],
        });
        let stderr = '';
        child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
        child.once('close', (code) => resolve({ code, stderr }));
      });
      expect(result.code).toBe(13);
      expectNoRawControls(result.stderr, 'exit dump lines');
      expect(result.stderr).toContain('awaitwhat: exited with an unsettled top-level await; stuck at ');
      expect(result.stderr).toContain('src%1B[2J/prog.mjs:12:');
      expect(result.stderr).toContain('src%1B[2J/prog.mjs:16:3 (top level) ← src%1B[2J/prog.mjs:12:3 (waitFor)');
      expect(result.stderr).toContain("event 'ready\\x1b]0;owned-title\\x07\\x1b[2J\\x9b31mX'");
      expect(result.stderr).toMatch(/awaitwhat: dump written to .*\.json\n/);
    } finally {
      rmSync(dumps, { recursive: true, force: true });
    }
  }, 120_000);
});
