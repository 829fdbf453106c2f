/**
 * The package as a user gets it: `npm pack` of this repository (dist/ as built by `npm test`),
 * installed into a fresh project with the TypeScript and @types/node versions of our
 * devDependencies, and NOT @opentelemetry/api (an optional peer). Then, as a user would:
 * `npx awaitwhat demo` shows the demo's graph; a file importing every public entry point
 * type-checks with `strict` and without `skipLibCheck`; `--import awaitwhat/register` and
 * `-r awaitwhat/register` dump an unsettled top-level await.
 *
 * `npm install --prefer-offline` takes its packages from npm's cache where it has them (after
 * `npm ci` it has all but the few packuments it asks the registry about). Measured on the
 * 2-core machine under load: pack 4 s, install 10 s, demo 6 s, tsc 14 s.
 */
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDump } from '../src/serialize/json.js';
import { ROOT } from './helpers/samples.js';

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const npx = process.platform === 'win32' ? 'npx.cmd' : 'npx';
const installedVersion = (name: string): string =>
  (JSON.parse(readFileSync(join(ROOT, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;

/**
 * Runs a command to its end without blocking this worker (a synchronous child of a minute
 * would starve vitest's own messages to the worker).
 */
function run(command: string, args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs?: number }) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 120_000);
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** {@link run} that throws unless the command succeeded. */
async function runOk(command: string, args: string[], options: { cwd: string; timeoutMs?: number }): Promise<string> {
  const r = await run(command, args, options);
  if (r.code !== 0) throw new Error(`${command} ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
  return r.stdout;
}

let work: string;
let project: string;
let tarball: string;
let files: string[];

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'awaitwhat-package-'));
  project = join(work, 'project');
  // --ignore-scripts: dist/ is built already, and a rebuild (`prepare`) would rewrite it under
  // the other test files' running programs.
  const packed = JSON.parse(await runOk(npm, ['pack', '--ignore-scripts', '--json', '--pack-destination', work], { cwd: ROOT })) as { filename: string; files: { path: string }[] }[];
  tarball = join(work, packed[0]!.filename);
  files = packed[0]!.files.map((f) => f.path);
  mkdirSync(project);
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
  await runOk(
    npm,
    [
      'install',
      '--prefer-offline',
      '--no-audit',
      '--no-fund',
      tarball,
      `typescript@${installedVersion('typescript')}`,
      `@types/node@${installedVersion('@types/node')}`,
    ],
    { cwd: project, timeoutMs: 180_000 },
  );
}, 240_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

function node(args: string[], env: NodeJS.ProcessEnv = {}) {
  return run(process.execPath, args, { cwd: project, env: { ...process.env, AWAITWHAT_EXIT_DUMP: undefined, ...env } });
}

describe('the packed tarball', () => {
  it('ships the LICENSE, the demo (and no other fixture), the files `exports` names, and no source maps', () => {
    expect(files).toContain('LICENSE');
    expect(readFileSync(join(project, 'node_modules/awaitwhat/LICENSE'), 'utf8')).toMatch(/^MIT License\n\nCopyright \(c\) 2026 awaitwhat contributors/);
    expect(files.filter((f) => f.startsWith('fixtures/'))).toEqual(['fixtures/demo.mjs']);
    expect(files.filter((f) => f.endsWith('.map'))).toEqual([]);
    const pkg = JSON.parse(readFileSync(join(project, 'node_modules/awaitwhat/package.json'), 'utf8')) as { exports: Record<string, unknown>; bin: Record<string, string> };
    const targets: string[] = [];
    const collect = (value: unknown): void => {
      if (typeof value === 'string') targets.push(value);
      else if (value && typeof value === 'object') Object.values(value).forEach(collect);
    };
    collect(pkg.exports);
    expect(targets).toContain('./dist/src/register.cjs');
    for (const target of [...targets, ...Object.values(pkg.bin)]) expect(files, target).toContain(target.replace(/^\.\//, ''));
    for (const file of files.filter((f) => f.endsWith('.js') || f.endsWith('.cjs'))) {
      expect(readFileSync(join(project, 'node_modules/awaitwhat', file), 'utf8'), file).not.toContain('sourceMappingURL');
    }
  });

  it('`npx awaitwhat demo` prints the demo graph: the pool wait and the startup cycle', async () => {
    const r = await run(npx, ['awaitwhat', 'demo'], { cwd: project, env: { ...process.env, NO_COLOR: '1' } });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const demo = readFileSync(join(ROOT, 'fixtures/demo.mjs'), 'utf8').split('\n');
    const poolLine = demo.findIndex((l) => l.includes('every order is stuck here')) + 1;
    expect(poolLine).toBeGreaterThan(0);
    expect(r.stdout).toContain(`async reserveStock  at fixtures/demo.mjs:${poolLine}:`);
    expect(r.stdout).toMatch(/^ {2}cycle: async startCache \(fixtures\/demo\.mjs:\d+:\d+\) → async startDb/m);
    // The header wraps at 80 columns (docs/cli.md, Width): its continuation lines rejoined.
    // The tree fits 80 columns: a long temporary path loses directories, never its file name.
    expect(r.stdout).toContain('argv    ' + process.execPath + ' ');
    expect(r.stdout).toContain('/project/node_modules/awaitwhat/fixtures/demo.mjs');
  }, 120_000);

  it('every public entry point type-checks with strict and no skipLibCheck, without @opentelemetry/api', async () => {
    expect(existsSync(join(project, 'node_modules/@opentelemetry/api'))).toBe(false);
    writeFileSync(
      join(project, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: { strict: true, module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022', noEmit: true, types: ['node'] },
        include: ['check.ts'],
      }),
    );
    writeFileSync(
      join(project, 'check.ts'),
      `import 'awaitwhat/register';
import * as awaitwhat from 'awaitwhat';
import { attachSnapshot, DEFAULT_ATTACH_TIMEOUT_MS, type AttachOptions } from 'awaitwhat/attach';
import type { Dump, OpenTelemetryApi, OpenTelemetryMeter, TaskHook } from 'awaitwhat';

const dump: Dump = awaitwhat.snapshot();
const tree: string = awaitwhat.renderTree(dump, { color: false });
const attachOptions: AttachOptions = { timeoutMs: DEFAULT_ATTACH_TIMEOUT_MS };
const attached: Promise<Dump> = attachSnapshot(process.pid, attachOptions);
const meter: OpenTelemetryMeter | undefined = undefined;
const api: OpenTelemetryApi | undefined = undefined;
const stop: Promise<() => void> = awaitwhat.registerOpenTelemetryMetrics({ meter, api, eventLoop: false });
const hook: Promise<TaskHook> = awaitwhat.recordSlowStepsOnSpans({ thresholdMs: 10 });
console.log(tree, attached, stop, hook);
`,
    );
    const r = await run(process.execPath, [join(project, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json'], { cwd: project });
    expect(r.stdout + r.stderr).toBe('');
    expect(r.code).toBe(0);
  }, 150_000);

  it.each([['--import'], ['-r']])('node %s awaitwhat/register: the exit dump of an unsettled top-level await', async (loader) => {
    copyFileSync(join(ROOT, 'fixtures/unsettled-tla.mjs'), join(project, 'app.mjs'));
    const dir = mkdtempSync(join(work, 'dumps-'));
    const r = await node([loader!, 'awaitwhat/register', 'app.mjs'], { AWAITWHAT_DIR: dir });
    expect(r.code).toBe(13);
    const lines = r.stderr.split('\n').filter((l) => l !== '');
    expect(lines).toHaveLength(2); // the verdict and the dump line: no warning, no stack trace
    expect(lines[0]).toMatch(/^awaitwhat: exited with an unsettled top-level await; stuck at app\.mjs:20:\d+ \(top level\) ← app\.mjs:16:\d+ \(main\) ← app\.mjs:11:\d+ \(connect\)/);
    expect(lines[1]).toMatch(/^awaitwhat: dump written to /);
    const [file] = readdirSync(dir);
    expect(parseDump(readFileSync(join(dir, file!), 'utf8')).trigger).toBe('exit');
  }, 90_000);
});
