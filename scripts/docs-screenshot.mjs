// Takes docs/img/html-report.png, the screenshot in docs/viewing.md, from a real dump: the
// bundled demo program (fixtures/demo.mjs) run with the register and dumped by SIGUSR2, its
// report built by the CLI, opened in Debian's chromium (headless, playwright-core, every
// non-file: request refused), a task clicked.
//
// Run: npm run build && node scripts/docs-screenshot.mjs
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { captureStuckProgram } from '../dist/cli/capture.js';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const OUT = join(ROOT, 'docs/img/html-report.png');
const tmp = mkdtempSync(join(os.tmpdir(), 'awaitwhat-docs-shot-'));
const profile = mkdtempSync(join(os.tmpdir(), 'awaitwhat-docs-chromium-'));
try {
  const { dumpPath } = await captureStuckProgram({ script: 'fixtures/demo.mjs', cwd: ROOT, dir: tmp });
  const report = join(tmp, 'report.html');
  execFileSync(process.execPath, [join(ROOT, 'dist/cli/main.js'), 'view', dumpPath, '--format', 'html', '-o', report], { stdio: 'inherit' });
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.AWAITWHAT_CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1280, height: 1180 },
  });
  try {
    await context.route('**/*', (route) => (route.request().url().startsWith('file:') ? route.continue() : route.abort()));
    const page = context.pages()[0] ?? (await context.newPage());
    await page.goto(pathToFileURL(report).href);
    await page.waitForSelector('html[data-ready]');
    await page.locator('#rows .row.item', { hasText: 'async handleOrder' }).first().click();
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: OUT });
  } finally {
    await context.close();
  }
  console.log(`written ${OUT}`);
} finally {
  rmSync(profile, { recursive: true, force: true });
  rmSync(tmp, { recursive: true, force: true });
}
