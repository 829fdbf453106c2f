/**
 * The OpenTelemetry exporter beside an application whose `@opentelemetry/api` (1.9) is older
 * than awaitwhat's own (1.10, this repository's devDependency), as in a monorepo where
 * awaitwhat is hoisted next to another version: the MeterProvider the application registers
 * is visible only through its own copy, so the exporter must use that one; with no provider it
 * says so in one line instead of exporting nothing silently.
 *
 * The application directory is made here: `npm install --prefer-offline` of
 * `@opentelemetry/api@1.9.0` and `@opentelemetry/sdk-metrics@2.12.1` (whose peer range stops
 * below 1.10, so they cannot be devDependencies beside 1.10), and awaitwhat linked in as
 * `node_modules/awaitwhat` (resolved by name, as an application would; its realpath is this
 * repository, where it finds its own 1.10).
 */
import { execFile } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type * as OtelApi from '@opentelemetry/api';
import type { OpenTelemetryApi, OpenTelemetryMeter } from '../src/index.js';
import { ROOT } from './helpers/samples.js';

// The structural types accept the real module and the real Meter (a compile-time check).
export type RealApiFits = typeof OtelApi extends OpenTelemetryApi ? true : never;
export type RealMeterFits = OtelApi.Meter extends OpenTelemetryMeter ? true : never;
const fits: [RealApiFits, RealMeterFits] = [true, true];

// Asynchronous children: a synchronous one of many seconds starves vitest's messages to the worker.
const execFileAsync = promisify(execFile);
let app: string;

beforeAll(async () => {
  app = mkdtempSync(join(tmpdir(), 'awaitwhat-otel-app-'));
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'otel-app', private: true, type: 'module' }));
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  await execFileAsync(
    npm,
    ['install', '--prefer-offline', '--no-audit', '--no-fund', '--no-package-lock', '@opentelemetry/api@1.9.0', '@opentelemetry/sdk-metrics@2.12.1'],
    { cwd: app, timeout: 120_000 },
  );
  symlinkSync(ROOT, join(app, 'node_modules', 'awaitwhat'), 'dir');
  copyFileSync(join(ROOT, 'test/programs/otel-app.mjs'), join(app, 'app.mjs'));
}, 150_000);

afterAll(() => {
  if (app) rmSync(app, { recursive: true, force: true });
});

async function run(...args: string[]) {
  try {
    const r = await execFileAsync(process.execPath, ['app.mjs', ...args], { cwd: app, encoding: 'utf8', timeout: 60_000 });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? null, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

describe("OpenTelemetry exporter uses the application's @opentelemetry/api", () => {
  it('the copies differ: the application has 1.9.0, awaitwhat resolves 1.10', () => {
    expect(fits).toEqual([true, true]);
    const version = (dir: string) => (JSON.parse(readFileSync(join(dir, 'node_modules/@opentelemetry/api/package.json'), 'utf8')) as { version: string }).version;
    expect(version(app)).toBe('1.9.0');
    expect(version(ROOT)).toMatch(/^1\.(1\d|[1-9]\d)\./);
  });

  it('metrics reach the MeterProvider the application registered', async () => {
    const r = await run();
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines.at(-1)).toBe('done');
    const values = new Map(lines.slice(0, -1).map((l) => [l.split(' ')[1]!, Number(l.split(' ')[2])]));
    expect(lines.slice(0, -1).every((l) => l.startsWith('awaitwhat '))).toBe(true);
    expect(values.get('nodejs.async_task.created')).toBeGreaterThanOrEqual(3);
    expect(values.has('nodejs.async_task.step.duration.p99')).toBe(true);
    expect(values.has('nodejs.eventloop.utilization')).toBe(true);
  });

  it('no MeterProvider registered: one line says nothing will be exported', async () => {
    const r = await run('--no-provider');
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe('done');
    const lines = r.stderr.split('\n').filter((l) => l !== '');
    expect(lines).toEqual([expect.stringMatching(/^awaitwhat: registerOpenTelemetryMetrics exports nothing: no OpenTelemetry MeterProvider is registered/)]);
  });
});

