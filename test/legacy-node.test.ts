/**
 * Node 20.11–20.18 cannot `require()` an ES module; `--no-experimental-require-module` gives a
 * newer Node.js the same limit (checked: `process.features.require_module` is then false and
 * `require()` of an ES module throws ERR_REQUIRE_ESM, as on 20.18). Under it, and without it:
 * the SIGUSR2 dump, the exit dump of an unsettled top-level await (code 13), and
 * `node -r awaitwhat/register` (the `require` condition: `register.cjs`). awaitwhat is
 * resolved by name, as an application would: a temporary directory's
 * `node_modules/awaitwhat` links to this repository.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseDump } from '../src/serialize/json.js';
import { runNode } from './helpers/processes.js';
import { ROOT } from './helpers/samples.js';

const NO_REQUIRE_ESM = '--no-experimental-require-module';
const DUMP_LINE = /^awaitwhat: dump written to (.+)$/m;

let app: string;
const children: ChildProcess[] = [];

beforeAll(() => {
  app = mkdtempSync(join(tmpdir(), 'awaitwhat-legacy-'));
  mkdirSync(join(app, 'node_modules'));
  symlinkSync(ROOT, join(app, 'node_modules', 'awaitwhat'), 'dir');
  copyFileSync(join(ROOT, 'fixtures/unsettled-tla.mjs'), join(app, 'unsettled-tla.mjs'));
  copyFileSync(join(ROOT, 'test/programs/stuck-app.cjs'), join(app, 'app.cjs'));
});
afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
});
afterAll(() => {
  if (app) rmSync(app, { recursive: true, force: true });
});

/** Runs `node <args>` in the app directory to its end. */
async function runToEnd(args: string[]) {
  const r = await runNode(args, { cwd: app, timeout: 60_000, env: { ...process.env, AWAITWHAT_DIR: app, AWAITWHAT_EXIT_DUMP: undefined } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Starts `node <args> app.cjs`, sends SIGUSR2 once it is ready, and returns the dump written. */
async function signalDump(args: string[], env: NodeJS.ProcessEnv = {}) {
  const child = spawn(process.execPath, [...args, 'app.cjs'], { cwd: app, env: { ...process.env, AWAITWHAT_DIR: app, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let stdout = '';
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  await new Promise<void>((resolve, reject) => {
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
      if (/^ready$/m.test(stdout)) resolve();
    });
    child.once('exit', (code, signal) => reject(new Error(`exited (${code ?? signal}) before ready; stderr: ${stderr}`)));
  });
  child.kill('SIGUSR2');
  const written = await new Promise<string>((resolve, reject) => {
    const check = () => {
      const match = DUMP_LINE.exec(stderr);
      if (match) resolve(match[1]!);
      else if (/awaitwhat: .*failed/.test(stderr)) reject(new Error(stderr));
    };
    child.stderr.on('data', check);
    child.once('exit', (code, signal) => reject(new Error(`exited (${code ?? signal}); stderr: ${stderr}`)));
    check();
  });
  return { dump: parseDump(readFileSync(written, 'utf8')), stderr };
}

it('the flag turns require(esm) off, as on Node 20.11–20.18', async () => {
  const probe = `try { require(${JSON.stringify(join(ROOT, 'dist/src/model.js'))}); console.log('loaded') } catch (e) { console.log(e.code) }`;
  expect((await runToEnd(['-e', probe])).stdout.trim()).toBe('loaded');
  expect((await runToEnd([NO_REQUIRE_ESM, '-e', probe])).stdout.trim()).toBe('ERR_REQUIRE_ESM');
  expect((await runToEnd([NO_REQUIRE_ESM, '-p', 'process.features.require_module'])).stdout.trim()).toBe('false');
});

describe.each([
  ['require(esm) available', []],
  ['require(esm) unavailable', [NO_REQUIRE_ESM]],
])('%s', (_name, flags) => {
  it.each([
    ['--import', '--import'],
    ['-r', '-r'],
  ])('%s awaitwhat/register: SIGUSR2 writes a dump with the stuck task', async (_label, loader) => {
    const { dump, stderr } = await signalDump([...flags, loader, 'awaitwhat/register']);
    expect(stderr.split('\n').filter((l) => l !== '')).toHaveLength(1);
    expect(dump.trigger).toBe('signal');
    const stuck = dump.nodes.find((n) => n.awaitLocation?.url.endsWith('/app.cjs'));
    expect(stuck?.name).toBe('waitForStart');
    expect(stuck?.awaitLocation?.line).toBe(9);
  }, 60_000);

  it.each([
    ['--import', '--import'],
    ['-r', '-r'],
  ])('%s awaitwhat/register: an unsettled top-level await exits 13 with its stuck lines and a dump', async (_label, loader) => {
    const plain = await runToEnd([...flags, 'unsettled-tla.mjs']);
    const r = await runToEnd([...flags, loader, 'awaitwhat/register', 'unsettled-tla.mjs']);
    expect(plain.code).toBe(13);
    expect(r.code).toBe(13);
    expect(r.stdout).toBe(plain.stdout);
    expect(r.stderr).not.toMatch(/failed|Error/);
    expect(r.stderr).toMatch(/^awaitwhat: exited with an unsettled top-level await; stuck at unsettled-tla\.mjs:20:\d+ \(top level\) ← unsettled-tla\.mjs:16:\d+ \(main\) ← unsettled-tla\.mjs:11:\d+ \(connect\)/m);
    const dump = parseDump(readFileSync(DUMP_LINE.exec(r.stderr)![1]!, 'utf8'));
    expect(dump.trigger).toBe('exit');
  }, 60_000);

  it('-r awaitwhat/register leaves a program that ends by itself as it was', async () => {
    const program = ['-e', 'Promise.resolve(1).then((v) => console.log("ok", v))'];
    const plain = await runToEnd([...flags, ...program]);
    const r = await runToEnd([...flags, '-r', 'awaitwhat/register', ...program]);
    expect(r).toEqual(plain);
    expect(r.stdout).toBe('ok 1\n');
  });
});

it('require(esm) unavailable, AWAITWHAT_EXIT_DUMP=never (nothing loaded ahead of time): SIGUSR2 loads the dump modules then', async () => {
  const { dump, stderr } = await signalDump([NO_REQUIRE_ESM, '--import', 'awaitwhat/register'], { AWAITWHAT_EXIT_DUMP: 'never' });
  expect(stderr.split('\n').filter((l) => l !== '')).toHaveLength(1);
  expect(dump.nodes.some((n) => n.name === 'waitForStart' && n.awaitLocation?.url.endsWith('/app.cjs'))).toBe(true);
}, 60_000);

it("require(esm) unavailable: installSignalTrigger() from 'awaitwhat' dumps without the register", async () => {
  writeFileSync(
    join(app, 'api.mjs'),
    "import { installSignalTrigger } from 'awaitwhat';\ninstallSignalTrigger();\nawait import('./app.cjs');\n",
  );
  const child = spawn(process.execPath, [NO_REQUIRE_ESM, 'api.mjs'], { cwd: app, env: { ...process.env, AWAITWHAT_DIR: app }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let stdout = '';
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  child.stdout.setEncoding('utf8').on('data', (d: string) => {
    stdout += d;
    if (/^ready$/m.test(stdout)) child.kill('SIGUSR2');
  });
  await new Promise<void>((resolve, reject) => {
    const check = () => (DUMP_LINE.test(stderr) ? resolve() : /failed/.test(stderr) ? reject(new Error(stderr)) : undefined);
    child.stderr.on('data', check);
    child.once('exit', (code, signal) => reject(new Error(`exited (${code ?? signal}); stderr: ${stderr}`)));
  });
  expect(stderr.split('\n').filter((l) => l !== '')).toHaveLength(1);
}, 60_000);
