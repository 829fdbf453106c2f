/**
 * `view -f dot|svg` says as much as the tree (issue 12, point 2), on real stuck programs: the
 * demo (a deadlock, two requests alike stuck on a pool), pool-leak (17 requests on one
 * acquire), hung-socket (an HTTP GET that never answers) and a program with three requests
 * alike, a promise that can never settle and non-ASCII names. Each is run with the register and
 * dumped on SIGUSR2; its DOT must carry the tree's verdict lines, every leaf with what it waits
 * on, one box per line the tree draws (the same grouping), and match a golden copy. Its SVG is
 * then drawn by chromium in DejaVu Sans (and other faces): every label must stay inside its
 * shape. Without chromium the drawing test is skipped with the reason (failed when
 * AWAITWHAT_REQUIRE_BROWSER=1, as in .ci/run).
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { captureStuckProgram } from '../cli/capture.js';
import type { Dump } from '../src/model.js';
import { escapeDot, toDot } from '../src/serialize/dot.js';
import { legendLines } from '../src/serialize/dot-legend.js';
import { renderSvg } from '../src/serialize/svg.js';
import { renderTree } from '../src/serialize/tree.js';
import { requestTitle } from '../src/text/request-labels.js';
import { BROWSER_REQUIRED, browserAvailability, launchChromium } from './helpers/html-report.js';
import { expectGolden, ROOT } from './helpers/samples.js';
import { svgOverflows } from './helpers/svg-fit.js';
import { normaliseDot } from './support/normalise.js';

const PROGRAMS: Record<string, string> = {
  demo: 'fixtures/demo.mjs',
  'pool-leak': 'fixtures/pool-leak.mjs',
  'hung-socket': 'fixtures/hung-socket.mjs',
  'dot-view': 'test/programs/dot-view.mjs',
};
const NAMES = Object.keys(PROGRAMS);
const dumps = new Map<string, Dump>();

beforeAll(async () => {
  for (const [name, script] of Object.entries(PROGRAMS)) {
    dumps.set(name, (await captureStuckProgram({ script, cwd: ROOT })).dump);
  }
}, 300_000);

function dumpOf(name: string): Dump {
  const dump = dumps.get(name);
  if (!dump) throw new Error(`no dump of ${name}`);
  return dump;
}

/** The tree's verdict lines, without their indent. */
function treeVerdicts(tree: string): string[] {
  const lines = tree.split('\n');
  const start = lines.indexOf('Verdict');
  const end = lines.indexOf('', start);
  return lines.slice(start + 1, end).map((l) => l.trim());
}

/** The lines the tree draws a node (or a group of alike ones) on: not headers, not `↑`/`↺` references. */
function treeNodeLines(tree: string): string[] {
  const lines = tree.split('\n');
  const start = lines.findIndex((l) => l.startsWith('Wait chains') || l.startsWith('Waiting in cycles'));
  const rest = lines.slice(start);
  const end = rest.findIndex((l) => l.startsWith('Metrics') || l.startsWith('Warnings'));
  return rest
    .slice(0, end < 0 ? undefined : end)
    .map((l) => l.replace(/^[\s│├└─]+/, ''))
    .filter((l) => l !== '' && !l.startsWith('Wait chains') && !l.startsWith('Waiting in cycles') && !/^[↑↺]/.test(l));
}

/** The box statements of a DOT text (not the legend, not the orphans' notes), by name. */
function boxes(dot: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of dot.matchAll(/^ {2}"([^"]+)" \[(label=.*)\];$/gm)) {
    if (!(m[2] as string).includes('shape=note')) out.set(m[1] as string, m[2] as string);
  }
  return out;
}

/** The labels of the orphaned requests' notes, lines joined by spaces. */
function notes(dot: string): string[] {
  return [...dot.matchAll(/^ {2}"[^"]+" \[label="(.*)", shape=note, .*\];$/gm)].map((m) => (m[1] as string).replace(/\\n/g, ' '));
}

describe('view -f dot on real stuck programs', () => {
  it.each(NAMES)('%s: the tree\'s verdict lines, every leaf and what it waits on, one box per tree line; golden test/golden/dot/<name>.dot', (name) => {
    const dump = dumpOf(name);
    const dot = toDot(dump);
    const tree = renderTree(dump, { color: false });
    // The legend box: the tree's verdict lines, in its order, between the title and the key.
    const legend = legendLines(dump, dump.process.cwd, { cycles: false, neverSettles: false, longWaits: false, grouped: false });
    expect(legend.slice(1)).toEqual(treeVerdicts(tree));
    for (const line of legend) expect(dot.replace(/\\l {4}/g, ' ')).toContain(escapeDot(line));
    // Every leaf with its full description, as the tree shows it (long lines wrap at spaces).
    const drawn = [...boxes(dot).values()].map((box) => box.replace(/\\n/g, ' '));
    for (const leaf of dump.nodes.filter((n) => n.leaf)) {
      expect(drawn.some((box) => box.includes(escapeDot(`← ${leaf.leaf!.description}`))), leaf.leaf!.description).toBe(true);
    }
    // Grouped as the tree groups: one box per line the tree draws a node on.
    expect(boxes(dot).size).toBe(treeNodeLines(tree).length);
    // Orphaned requests: one note per orphaned verdict (alike ones together), named as the tree names them.
    const orphaned = (dump.verdicts ?? []).filter((v) => v.kind === 'orphaned');
    expect(notes(dot)).toHaveLength(orphaned.length);
    for (const orphan of dump.orphans ?? []) expect(notes(dot).some((n) => n.includes(escapeDot(requestTitle(orphan))))).toBe(true);
    if (orphaned.length > 0) expect(dot.replace(/\\l {4}/g, ' ')).toContain('red dashed note: an open HTTP request no task waits for (orphaned above)');
    expectGolden(`dot/${name}.dot`, normaliseDot(dot));
  });

  it('pool-leak: 17 requests alike are one box ×17 waiting on one shared acquire', () => {
    const dot = toDot(dumpOf('pool-leak'));
    const handlers = [...boxes(dot).values()].filter((b) => b.includes('async handleRequest'));
    expect(handlers).toHaveLength(1);
    expect(handlers[0]).toMatch(/^label="×17 async handleRequest\\nat fixtures\/pool-leak\.mjs:37:\d+/);
    expect(dot).toMatch(/fan-in: 17 waiters on /);
  });

  it('demo: the deadlock in red, the two requests alike drawn once ×2, their pool leaf described', () => {
    const dump = dumpOf('demo');
    const dot = toDot(dump);
    const all = [...boxes(dot).values()];
    expect(all.filter((b) => b.includes('color=red'))).toHaveLength(3);
    expect(all.filter((b) => b.includes('async handleOrder'))).toEqual([expect.stringMatching(/^label="×2 async handleOrder/)]);
    expect(dot).toMatch(/label="×2 Promise\\n← resolve held in [\w.]+"/);
    expect(dot.match(/\[color=red, penwidth=2\];$/gm)).toHaveLength(3);
  });

  it('three requests alike are one box ×3; what can never settle is amber, with its leaf', () => {
    const dot = toDot(dumpOf('dot-view'));
    const all = [...boxes(dot).entries()];
    expect(all.filter(([, b]) => b.includes('async handleRequest')).map(([, b]) => b)).toEqual([
      expect.stringMatching(/^label="×3 async handleRequest\\nat test\/programs\/dot-view\.mjs:18:3/),
    ]);
    const forever = all.find(([, b]) => b.includes('async waitForever'))!;
    expect(forever[1]).toContain('color="#b45309"');
    const never = all.find(([, b]) => b.includes('← can never settle'))!;
    expect(never[1]).toMatch(/fillcolor="#fde2dd"/);
    expect(dot).toContain(`"${forever[0]}" -> "${never[0]}" [color="#b45309", penwidth=2];`);
    expect(dot).toMatch(/key: amber: can never settle; ×N: N identical chains drawn once/);
  });
});

const availability = browserAvailability();
if (!availability.ok) {
  if (BROWSER_REQUIRED) {
    it('chromium is installed (AWAITWHAT_REQUIRE_BROWSER=1)', () => {
      throw new Error(`the SVG drawing test cannot run: ${availability.why}`);
    });
  } else {
    process.stderr.write(`dot-view.test.ts: the SVG drawing test is skipped: ${availability.why}\n`);
    it.skip(`SVG labels in chromium: skipped, ${availability.why}`, () => {});
  }
} else {
  describe('view -f svg drawn by chromium: every label inside its shape', () => {
    let context: BrowserContext;
    let profile = '';
    beforeAll(async () => {
      ({ context, profile } = await launchChromium());
    }, 120_000);
    afterAll(async () => {
      await context?.close();
      if (profile) rmSync(profile, { recursive: true, force: true });
    });

    // The faces a renderer may draw the text in: DejaVu Sans forced (rsvg-convert's and most
    // Linux desktops' sans-serif, the widest here), DejaVu Serif, Liberation Sans (Arial's and
    // Helvetica's metrics), and last what the SVG asks for (the screenshot shows that).
    const FONTS = ["'DejaVu Sans'", "'DejaVu Serif'", "'Liberation Sans'", null];

    it.each(NAMES)('%s: no text spills out of its box or the picture, in DejaVu Sans and other faces', async (name) => {
      const svg = await renderSvg(toDot(dumpOf(name)));
      const page = await context.newPage();
      try {
        for (const font of FONTS) {
          const { checked, overflows, fonts } = await svgOverflows(page, svg, font);
          expect(checked, `texts checked in ${font ?? 'the declared font'}`).toBeGreaterThan(5);
          if (font !== null) expect(fonts).toEqual([font.replace(/'/g, '"')]);
          expect(overflows, `drawn in ${font ?? fonts.join(' | ')}`).toEqual([]);
        }
        if (name === 'demo') {
          // A picture to look at (gitignored), as the HTML report's test keeps one.
          const dir = join(ROOT, 'test-artifacts');
          mkdirSync(dir, { recursive: true });
          writeFileSync(join(dir, 'dot-view-demo.svg'), svg);
          await page.locator('svg').screenshot({ path: join(dir, 'dot-view-demo.png') });
          process.stderr.write(`dot-view.test.ts: the demo's SVG drawn by chromium: ${join(dir, 'dot-view-demo.png')}\n`);
        }
      } finally {
        await page.close();
      }
    });
  });
}
