// How long the HTML report of a large dump takes to show in a browser (issue 12: "a 10k-task
// dump renders in under 2 s"). Not a test: a measurement, recorded in docs/benchmarks.md.
//
// For each program: run it with the register until it prints "ready", dump it by SIGUSR2,
// build the report (`awaitwhat view dump.json --format html -o …`), then open it 3 times in
// Debian's chromium (headless, through playwright-core; every non-file: request refused) and
// take the median of each figure:
// - parsed: navigation start → the document parsed (`domInteractive`; the page's script is at
//   its end, so this includes the script);
// - script: the page's own script (JSON.parse of the data, the list, the graph's wiring);
// - rendered: navigation start → the frame after the first one drawn with the list (the page
//   sets data-painted two requestAnimationFrame callbacks after its script ran): what the
//   reader waits for.
//
// Run: npm run build && node bench/html-report.mjs [requests]   (default 10000)
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { captureStuckProgram } from '../dist/cli/capture.js';
import { median } from './lib/stats.mjs';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const MAIN = join(ROOT, 'dist/cli/main.js');
const CHROMIUM = process.env.AWAITWHAT_CHROMIUM || '/usr/bin/chromium';
const N = Number(process.argv[2] ?? 10_000);
const RUNS = 3;

const PROGRAMS = [
  { name: `${N} identical tasks`, script: 'test/programs/many-identical-roots.mjs' },
  { name: `${N} requests, 4 shapes`, script: 'test/programs/stuck-shapes.mjs' },
];

const tmp = mkdtempSync(join(os.tmpdir(), 'awaitwhat-bench-html-'));
const profile = mkdtempSync(join(os.tmpdir(), 'awaitwhat-bench-chromium-'));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: CHROMIUM,
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  viewport: { width: 1400, height: 1000 },
});
await context.route('**/*', (route) => (route.request().url().startsWith('file:') ? route.continue() : route.abort()));

const rows = [];
try {
  for (const program of PROGRAMS) {
    const dir = mkdtempSync(join(tmp, 'dump-'));
    const { dump, dumpPath } = await captureStuckProgram({ script: program.script, args: [String(N)], cwd: ROOT, dir, dumpTimeoutMs: 300_000 });
    const tasks = dump.nodes.filter((n) => n.kind === 'async-function' || n.kind === 'async-generator' || n.kind === 'module').length;
    const report = join(dir, 'report.html');
    const started = performance.now();
    execFileSync(process.execPath, [MAIN, 'view', dumpPath, '--format', 'html', '-o', report], { stdio: 'inherit' });
    const buildMs = performance.now() - started;
    const runs = [];
    for (let i = 0; i < RUNS; i++) {
      const page = await context.newPage();
      // No polling from the test driver while the page loads: it would take the page's main
      // thread. The page marks itself (data-painted) two frames after its script ran.
      await page.goto(pathToFileURL(report).href, { waitUntil: 'load' });
      const figures = await page.evaluate(
        () =>
          new Promise((resolve) => {
            const root = document.documentElement;
            const done = () => {
              const nav = performance.getEntriesByType('navigation')[0];
              resolve({
                parsed: nav.domInteractive,
                script: Number(root.getAttribute('data-script-ms')),
                rendered: Number(root.getAttribute('data-painted')),
                mode: document.querySelector('#svgbox')?.getAttribute('data-mode') ?? 'none',
              });
            };
            if (root.hasAttribute('data-painted')) return done();
            new MutationObserver((_, observer) => {
              if (!root.hasAttribute('data-painted')) return;
              observer.disconnect();
              done();
            }).observe(root, { attributes: true });
          }),
      );
      runs.push(figures);
      await page.close();
    }
    const row = {
      program: program.name,
      nodes: dump.nodes.length,
      tasks,
      htmlMB: statSync(report).size / 1e6,
      buildS: buildMs / 1000,
      graph: runs[0].mode,
      parsedMs: median(runs.map((r) => r.parsed)),
      scriptMs: median(runs.map((r) => r.script)),
      renderedMs: median(runs.map((r) => r.rendered)),
      renderedAll: runs.map((r) => Math.round(r.rendered)),
    };
    rows.push(row);
    console.error(JSON.stringify(row));
  }
} finally {
  await context.close();
  rmSync(profile, { recursive: true, force: true });
  rmSync(tmp, { recursive: true, force: true });
}

const version = execFileSync(CHROMIUM, ['--version'], { encoding: 'utf8' }).trim();
console.log(`\n${version}; node ${process.version}; load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}; ${os.cpus().length} CPUs\n`);
console.log('| dump | nodes | tasks | report | build | graph | parsed | script | rendered (median of 3) | the 3 runs |');
console.log('|---|---:|---:|---:|---:|---|---:|---:|---:|---|');
for (const r of rows) {
  console.log(
    `| ${r.program} | ${r.nodes} | ${r.tasks} | ${r.htmlMB.toFixed(1)} MB | ${r.buildS.toFixed(1)} s | ${r.graph} | ` +
      `${Math.round(r.parsedMs)} ms | ${Math.round(r.scriptMs)} ms | **${Math.round(r.renderedMs)} ms** | ${r.renderedAll.join(', ')} ms |`,
  );
}
