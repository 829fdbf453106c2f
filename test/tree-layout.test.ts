/**
 * The tree's layout on real dumps (issue 12, point 3): library frames (`node:` and
 * `node_modules`) folded unless `--internals`, every line within 80 columns (or the terminal's
 * width) with paths shortened but never their `file:line:col`, colour only where asked for.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { captureStuckProgram } from '../cli/capture.js';
import type { Dump } from '../src/model.js';
import { serializeDump } from '../src/serialize/json.js';
import { renderTree } from '../src/serialize/tree.js';
import { shortenLocation } from '../src/text/paths.js';
import { run, runNode } from './helpers/processes.js';
import { expectGolden, ROOT } from './helpers/samples.js';
import { normaliseTree } from './support/normalise.js';

const MAIN = join(ROOT, 'dist', 'cli', 'main.js');
const tmp = mkdtempSync(join(tmpdir(), 'awaitwhat-layout-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Characters per line (the tree is uncoloured here). */
const widths = (text: string): number[] => text.replace(/\n$/, '').split('\n').map((l) => [...l].length);

/** normaliseTree, with the header lines that wrap (their continuation depends on times and paths) joined first. */
function normalise(tree: string): string {
  return normaliseTree(tree.replace(/\n {10}(?=\S)/g, ' '));
}

/**
 * The dump with every time set to one value: where a line wraps depends on its width, and a
 * golden must not depend on whether a wait took 9ms or 1.2s.
 */
function steady(dump: Dump): Dump {
  const nodes = dump.nodes.map((n) => ({ ...n, ...(n.waitingMs !== undefined ? { waitingMs: 1500 } : {}), ...(n.ageMs !== undefined ? { ageMs: 1500 } : {}) }));
  // The heap's order of the nodes (hence of the roots and leaves) varies from run to run.
  const key = (n: Dump['nodes'][number]): string => `${n.name} ${JSON.stringify(n.awaitLocation ?? n.functionLocation ?? null)} ${n.leaf?.kind ?? ''}`;
  nodes.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
  const order = new Map(nodes.map((n, i) => [n.id, i]));
  const roots = [...dump.roots].sort((a, b) => order.get(a)! - order.get(b)!);
  return { ...dump, durationMs: 100, process: { ...dump.process, uptimeMs: 3000 }, nodes: nodes as Dump['nodes'], roots };
}

/**
 * A program stuck inside a dependency installed the way pnpm lays it out (long paths): the
 * app awaits `query()`, which goes through four async functions of the library down to a
 * pool's waiter queue.
 */
function writeLibraryApp(dir: string): void {
  const lib = join(dir, 'node_modules', '.pnpm', 'slowdb@2.1.0', 'node_modules', 'slowdb', 'lib', 'internal', 'connection-pool');
  mkdirSync(lib, { recursive: true });
  writeFileSync(
    join(lib, 'acquire-connection.mjs'),
    [
      'const waiters = [];',
      'async function waitForSlot() { return await new Promise((resolve) => waiters.push(resolve)); }',
      'async function acquireConnection() { const slot = await waitForSlot(); return slot; }',
      'async function checkoutWithRetries() { const c = await acquireConnection(); return c; }',
      'export async function runQuery(sql) { const c = await checkoutWithRetries(); return [c, sql]; }',
      '',
    ].join('\n'),
  );
  writeFileSync(
    join(dir, 'app.mjs'),
    [
      "import { runQuery } from './node_modules/.pnpm/slowdb@2.1.0/node_modules/slowdb/lib/internal/connection-pool/acquire-connection.mjs';",
      'async function loadOrders() { return await runQuery("select * from orders"); } // stuck',
      'async function handleRequest() { const rows = await loadOrders(); return rows; } // stuck',
      'handleRequest();',
      "setTimeout(() => console.log('ready'), 50);",
      'setInterval(() => {}, 1000);',
      '',
    ].join('\n'),
  );
}

describe('the tree of a real fetch() stuck on its upstream (node:internal/deps/undici)', () => {
  let dump: Dump;
  beforeAll(async () => {
    ({ dump } = await captureStuckProgram({ script: 'fixtures/fetch-hung-upstream.mjs', cwd: ROOT }));
  }, 60_000);

  it('folds the run of undici frames into one line and fits 80 columns', () => {
    const tree = renderTree(dump, { width: 80 });
    expect(Math.max(...widths(tree))).toBeLessThanOrEqual(80);
    expect(tree).toMatch(/^… \d+ frames in node:internal\/deps\/undici {2}waiting /m);
    expect(tree).toContain('--internals shows them');
    expect(tree).not.toContain('httpNetworkFetch  at');
    // The program's own lines are all there, whole.
    expect(tree).toMatch(/fixtures\/fetch-hung-upstream\.mjs:16:\d+/);
    expect(tree).toMatch(/fixtures\/fetch-hung-upstream\.mjs:11:\d+/);
    expectGolden('fixtures/fetch-hung-upstream.tree.txt', normalise(renderTree(steady(dump), { width: 80 })));
  });

  it('--internals draws every frame, still within 80 columns, each with its line and column', () => {
    const unlimited = renderTree(dump, { internals: true });
    expect(Math.max(...widths(unlimited))).toBeGreaterThan(80);
    const tree = renderTree(dump, { internals: true, width: 80 });
    expect(Math.max(...widths(tree))).toBeLessThanOrEqual(80);
    for (const name of ['async mainFetch', 'async httpFetch', 'async httpNetworkOrCacheFetch', 'async httpNetworkFetch']) {
      expect(tree).toContain(name);
    }
    // Every undici location of the unlimited tree is in the fitted one, perhaps with fewer directories.
    const suffixes = [...unlimited.matchAll(/undici\/undici(:\d+:\d+)/g)].map((m) => m[1]);
    expect(suffixes.length).toBeGreaterThan(4);
    for (const suffix of suffixes) expect(tree).toContain(`undici${suffix}`);
  });

  it('a library name with terminal controls (a crafted dump) is shown escaped on the fold line', () => {
    const hostile = JSON.parse(JSON.stringify(dump)) as Dump;
    for (const n of hostile.nodes) {
      for (const loc of [n.awaitLocation, n.functionLocation]) if (loc) loc.url = loc.url.replace('node:internal/', 'node:inter\u001b]0;owned\u0007nal/');
    }
    const tree = renderTree(hostile, { width: 80, color: true });
    expect(tree).toContain('frames in node:inter\\x1b]0;owned\\x07nal/deps/undici');
    expect(tree.replace(/\u001b\[(?:1|2|22|31|33|35|36|39)m/g, '')).not.toMatch(/[\u001b\u0007]/);
  });

  it('a long argv or cwd path (a deep checkout) loses directories to fit, as locations do', () => {
    const deep = '/tmp/tmp.UYpk3cwQmJ/checkouts/p';
    const moved = { ...dump, process: { ...dump.process, cwd: deep, argv: [process.execPath, `${deep}/fixtures/fetch-hung-upstream.mjs`] } };
    const tree = renderTree(moved, { width: 60, internals: true });
    expect(Math.max(...widths(tree))).toBeLessThanOrEqual(60);
    expect(tree).toMatch(/…\/p\/fixtures\/fetch-hung-upstream\.mjs/);
  });

  it('the CLI fits a pipe to 80 columns, and a terminal to its own width', async () => {
    const file = join(tmp, 'fetch.json');
    writeFileSync(file, serializeDump(dump));
    const piped = await runNode([MAIN, 'view', file, '--internals'], { cwd: ROOT, env: { ...process.env, NO_COLOR: '1' } });
    expect(piped.status).toBe(0);
    expect(Math.max(...widths(piped.stdout))).toBeLessThanOrEqual(80);
    // --width: another width, or 0 for none (lines as long as they come); a bad value is a usage error.
    const unlimited = await runNode([MAIN, 'view', file, '--internals', '--width', '0'], { cwd: ROOT, env: { ...process.env, NO_COLOR: '1' } });
    expect(Math.max(...widths(unlimited.stdout))).toBeGreaterThan(80);
    const wide = await runNode([MAIN, 'view', file, '--internals', '--width', '100'], { cwd: ROOT, env: { ...process.env, NO_COLOR: '1' } });
    expect(Math.max(...widths(wide.stdout))).toBeLessThanOrEqual(100);
    expect(Math.max(...widths(wide.stdout))).toBeGreaterThan(80);
    const bad = await runNode([MAIN, 'view', file, '--width', '5'], { cwd: ROOT });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toBe('awaitwhat: --width must be 0 (no limit) or a number of columns from 20 up, got 5 (see awaitwhat --help)\n');
    if (spawnSync('script', ['--version']).status !== 0) return;
    // A pseudo-terminal 60 columns wide (script(1) gives the CLI a real TTY).
    const cmd = `stty cols 60 rows 50; '${process.execPath}' '${MAIN}' view '${file}' --internals --no-color`;
    const onTty = await run('script', ['-qec', cmd, '/dev/null'], { cwd: ROOT, env: { ...process.env }, timeout: 60_000 });
    const lines = onTty.stdout.replace(/\r/g, '');
    expect(lines).toContain('async httpNetworkFetch');
    expect(Math.max(...widths(lines))).toBeLessThanOrEqual(60);
  });
});

describe('a program stuck in a node_modules dependency', () => {
  it('folds the library, names the package, keeps every line within 80 columns', async () => {
    const dir = join(tmp, 'app');
    writeLibraryApp(dir);
    const { dump } = await captureStuckProgram({ script: 'app.mjs', cwd: dir });
    const tree = renderTree(dump, { width: 80 });
    expect(Math.max(...widths(tree))).toBeLessThanOrEqual(80);
    expect(tree).toMatch(/app\.mjs:2:\d+/);
    expect(tree).toMatch(/app\.mjs:3:\d+/);
    expect(tree).toContain('… 4 frames in node_modules/slowdb');
    expectGolden('node-modules-folded.tree.txt', normalise(renderTree(steady(dump), { width: 80 })));
    const all = renderTree(dump, { width: 80, internals: true });
    expect(Math.max(...widths(all))).toBeLessThanOrEqual(80);
    expect(all).toMatch(/async waitForSlot {2}at …\/[\w/-]*acquire-connection\.mjs:2:\d+/);
    expectGolden('node-modules-internals.tree.txt', normalise(renderTree(steady(dump), { width: 80, internals: true })));
  }, 60_000);
});

describe('shortenLocation', () => {
  it('elides directories in the middle, then at the start, never the file:line:col', () => {
    const loc = 'node_modules/.pnpm/undici@6.19.2/node_modules/undici/lib/fetch/index.js:1234:5';
    expect(shortenLocation(loc, 200)).toBe(loc);
    expect(shortenLocation(loc, 50)).toBe('node_modules/…/undici/lib/fetch/index.js:1234:5');
    expect(shortenLocation(loc, 36)).toBe('node_modules/…/fetch/index.js:1234:5');
    expect(shortenLocation(loc, 25)).toBe('…/fetch/index.js:1234:5');
    expect(shortenLocation(loc, 5)).toBe('…/index.js:1234:5');
    expect(shortenLocation('/srv/shop/lib/db/pool.js:3:9', 22)).toBe('/srv/…/db/pool.js:3:9');
    expect(shortenLocation('/srv/shop/lib/db/pool.js:3:9', 19)).toBe('/srv/…/pool.js:3:9');
  });
});

describe('colour', () => {
  it('FORCE_COLOR colours a pipe (and wins over NO_COLOR); FORCE_COLOR=0 and --no-color do not', async () => {
    const file = join(ROOT, 'test', 'data', 'promise-all.json');
    const view = (env: Record<string, string | undefined>, ...flags: string[]) =>
      runNode([MAIN, 'view', file, ...flags], { cwd: ROOT, env: { ...process.env, NO_COLOR: undefined, FORCE_COLOR: undefined, ...env } });
    expect((await view({})).stdout).not.toContain('\u001b[');
    expect((await view({ FORCE_COLOR: '1' })).stdout).toContain('\u001b[');
    expect((await view({ FORCE_COLOR: '1', NO_COLOR: '1' })).stdout).toContain('\u001b[');
    expect((await view({ FORCE_COLOR: '0' })).stdout).not.toContain('\u001b[');
    expect((await view({ FORCE_COLOR: '1' }, '--no-color')).stdout).not.toContain('\u001b[');
  });
});
