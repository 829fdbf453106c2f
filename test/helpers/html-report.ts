/**
 * Helpers for the HTML report's tests: a real program dumped into a file, the report built by
 * the CLI, the page's parts read back, and Debian's chromium driven by playwright-core.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { BrowserContext } from 'playwright-core';
import { captureStuckProgram, type CaptureOptions } from '../../cli/capture.js';
import type { PageData } from '../../src/serialize/html-model.js';
import { ROOT } from './samples.js';

const run = promisify(execFile);
const MAIN = join(ROOT, 'dist', 'cli', 'main.js');

/** Runs a stuck program with the register, dumps it by SIGUSR2, and returns the dump file's path (in `dir`). */
export async function dumpFile(options: Omit<CaptureOptions, 'dir'>, dir: string): Promise<string> {
  const { dumpPath } = await captureStuckProgram({ ...options, dir, dumpTimeoutMs: 120_000 });
  return dumpPath;
}

/** `awaitwhat view <dump> --format html -o <out>`: its stdout and stderr. */
export async function buildReport(dump: string, out: string): Promise<{ stdout: string; stderr: string }> {
  return run(process.execPath, [MAIN, 'view', dump, '--format', 'html', '-o', out], { cwd: ROOT, maxBuffer: 64 * 1024 * 1024 });
}

/** The text of the page's data block. */
export function dataText(html: string): string {
  const m = /<script type="application\/json" id="awaitwhat-data">([^<]*)<\/script>/.exec(html);
  if (!m) throw new Error('no data block in the page');
  return m[1] as string;
}

/** The page's data block, parsed. */
export function pageData(html: string): PageData {
  return JSON.parse(dataText(html)) as PageData;
}

/** Where Debian installs chromium (`apt-get install chromium`); `AWAITWHAT_CHROMIUM` names another. */
export const CHROMIUM = process.env.AWAITWHAT_CHROMIUM || '/usr/bin/chromium';

/** Whether the browser tests can run, and why not. */
export function browserAvailability(): { ok: true } | { ok: false; why: string } {
  if (existsSync(CHROMIUM)) return { ok: true };
  return { ok: false, why: `no chromium at ${CHROMIUM} (apt-get install chromium, or AWAITWHAT_CHROMIUM=<path>)` };
}

/** Whether a missing browser fails the tests (CI) rather than skipping them. */
export const BROWSER_REQUIRED = process.env.AWAITWHAT_REQUIRE_BROWSER === '1';

/**
 * Starts chromium headless with a fresh profile and no background networking; every request
 * that is not `file:` is aborted and recorded in `blocked`, so a test can prove the page made
 * none.
 */
export async function launchChromium(): Promise<{ context: BrowserContext; blocked: string[]; profile: string }> {
  const { chromium } = await import('playwright-core');
  const profile = mkdtempSync(join(tmpdir(), 'awaitwhat-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    viewport: { width: 1400, height: 1000 },
  });
  const blocked: string[] = [];
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith('file:')) return route.continue();
    blocked.push(url);
    return route.abort();
  });
  return { context, blocked, profile };
}
