/**
 * `awaitwhat view --format html` (issue 12, point 1): the page built from real dumps. A
 * program whose event name, path, argv and source hold `</script>`, `<img onerror>` and a
 * right-to-left override cannot add a tag to the page; the policy allows only the page's own
 * style and script; a large dump gets the grouped graph; source excerpts are read within bounds.
 * The page in a browser: html-browser.test.ts.
 */
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { renderHtml } from '../src/serialize/html.js';
import { CLIENT_SCRIPT } from '../src/serialize/html-client.js';
import { inlineSvg } from '../src/serialize/html-graph.js';
import { LIMITS, SourceReader } from '../src/serialize/html-sources.js';
import { parseDump } from '../src/serialize/json.js';
import { buildReport, dataText, dumpFile, pageData } from './helpers/html-report.js';
import { runNode } from './helpers/processes.js';
import { rawSample, ROOT } from './helpers/samples.js';

const base = mkdtempSync(join(tmpdir(), 'awaitwhat-html-'));
afterAll(() => rmSync(base, { recursive: true, force: true }));

const HOSTILE_EVENT = '</script><script>alert(1)</script><img src=x onerror=alert(2)>\u202egnp.js\u001b]0;owned\u0007';

/** Every opening tag of the page, by name, with how many times it occurs. */
function tagCounts(html: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const m of html.matchAll(/<([A-Za-z][\w-]*)/g)) counts.set((m[1] as string).toLowerCase(), (counts.get((m[1] as string).toLowerCase()) ?? 0) + 1);
  return counts;
}

/** Names of every attribute of every tag (quoted values skipped, as a browser reads them). */
function attributeNames(html: string): string[] {
  const names: string[] = [];
  for (const tag of html.matchAll(/<[A-Za-z][\w-]*((?:\s+[^\s=>/]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>]+))?)*)\s*\/?>/g)) {
    for (const attr of (tag[1] as string).matchAll(/\s+([^\s=>/]+)(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>]+))?/g)) names.push(attr[1] as string);
  }
  return names;
}

/** The page's structure must not depend on the dump: what a page with a harmless dump has, and nothing more. */
function expectOnlyOwnMarkup(html: string): void {
  // The page's own style and script are code, not markup: their contents are left out.
  expect(html.split(CLIENT_SCRIPT)).toHaveLength(2);
  const markup = html.replace(CLIENT_SCRIPT, '').replace(/<style>[^<]*<\/style>/, '<style></style>');
  const tags = tagCounts(markup);
  expect(tags.get('script'), 'the data block and the page script, nothing else').toBe(2);
  expect(html.match(/<\/script>/g)?.length).toBe(2);
  expect(tags.get('img')).toBeUndefined();
  expect(tags.get('iframe')).toBeUndefined();
  expect(attributeNames(markup).filter((name) => /^on/i.test(name))).toEqual([]); // no event handler
  expect(html).not.toContain('\u202e');
  // Nor a terminal control, raw or as a JSON escape: the page may be printed on a terminal too.
  expect(html).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]|\\u00(?:1b|07|9b)/);
  // The data block is JSON with every `<` escaped.
  expect(dataText(html)).not.toContain('<');
}

describe('view --format html', () => {
  it('a program with </script>, <img onerror> and U+202E in its event name, path, argv and source: escaped everywhere, the page keeps its own markup only', async () => {
    // cwd and script directory named to break out of HTML; the script one level down.
    const cwd = join(base, '<img src=x onerror=alert(6)>');
    const dir = join(cwd, 'app<', 'script><img src=x onerror=alert(4)>\u202e');
    mkdirSync(dir, { recursive: true });
    copyFileSync(join(ROOT, 'test/programs/hostile-html.mjs'), join(dir, 'prog.mjs'));
    const dumps = mkdtempSync(join(base, 'dumps-'));
    const dump = await dumpFile({ script: join(dir, 'prog.mjs'), cwd, args: ['<b>arg</b></script>'] }, dumps);
    const out = join(base, 'hostile.html');
    const { stdout, stderr } = await buildReport(dump, out);
    expect(stderr).toBe('');
    expect(stdout).toBe('');
    const html = readFileSync(out, 'utf8');
    expectOnlyOwnMarkup(html);

    // The hostile strings are all there, as text: in the HTML (header, verdicts) escaped…
    expect(html).toContain('&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt;\\u202egnp.js');
    expect(html).toContain('&lt;b&gt;arg&lt;/b&gt;&lt;/script&gt;'); // argv
    // …and in the data, which parses back to exactly what the program wrote (bidi override shown as \u202e).
    const data = pageData(html);
    expect(data.S).toContain(`event '${HOSTILE_EVENT.replace('\u202e', '\\u202e').replace('\u001b', '\\x1b').replace('\u0007', '\\x07')}' on EventEmitter`);
    // In paths the override stays percent-encoded, as in its URL (as the tree shows it).
    expect(data.S).toContain('app</script><img src=x onerror=alert(4)>%E2%80%AE/prog.mjs:17:3');
    // The source excerpt: read at build time, its `</script>` comment line included.
    const excerpt = data.X.find((x) => x.s.some((line) => line.includes('// stuck: </script><img src=x onerror=alert(5)>')));
    expect(excerpt).toBeDefined();
    // The SVG: labels escaped by Graphviz, checked again when inlined.
    expect(html).toContain('at app&lt;/script&gt;&lt;img src=x onerror=alert(4)&gt;%E2%80%AE/prog.mjs:17:3</text>');
  }, 180_000);

  it('a hand-made dump with hostile ids, names and URLs: the SVG uses its own names, never the ids', async () => {
    const raw = rawSample('promise-all');
    const evil = '--><script>alert(7)</script><img src=x onerror=alert(8)>\u202e';
    const ids = new Map<string, string>();
    for (const node of raw.nodes) ids.set(node.id, `${node.id}${evil}`);
    for (const node of raw.nodes) {
      node.id = ids.get(node.id);
      node.awaits = node.awaits.map((id: string) => ids.get(id));
      node.awaitedBy = node.awaitedBy.map((id: string) => ids.get(id));
      node.name = `${node.name}</script>${evil}`;
      if (node.awaitLocation) node.awaitLocation.url = `file:///srv/${encodeURIComponent('</script><svg onload=alert(9)>')}/x.js`;
    }
    raw.roots = raw.roots.map((id: string) => ids.get(id));
    raw.warnings = ['</script><script>alert(10)</script>'];
    const dump = parseDump(JSON.stringify(raw), 'evil.json');
    const html = await renderHtml(dump, { sources: false });
    expectOnlyOwnMarkup(html);
    const svg = /<svg[\s\S]*<\/svg>/.exec(html)?.[0] ?? '';
    expect(svg).toContain('<title>x0</title>');
    expect(svg).not.toContain('<script');
    expect(svg).not.toContain('<!--');
    expect(pageData(html).id[0]).toBe(`${raw.nodes[0].id.replace('\u202e', '\\u202e')}`);
    expect(html).toContain('&lt;/script&gt;&lt;script&gt;alert(10)&lt;/script&gt;'); // a warning
  });

  it("a hand-made dump whose worker thread's script, names and warnings try to break out: escaped in the list, the graph's frame and the findings", async () => {
    const raw = rawSample('promise-all');
    const evil = '</script><script>alert(11)</script><img src=x onerror=alert(12)>\u202e\u001b]0;t\u0007';
    const worker = structuredClone(raw.nodes) as Array<Record<string, any>>;
    for (const node of worker) node.name = `${node.name}${evil}`;
    raw.threads = [{ threadId: 2, filename: `file:///srv/${evil}.mjs`, status: 'answered', nodes: worker, roots: raw.roots, cycles: [], warnings: [evil] }];
    const leaf = (raw.nodes as Array<{ id: string; awaits: string[] }>).find((n) => n.awaits.length === 0)!;
    raw.threadEdges = [{ fromThread: 0, fromNode: leaf.id, toThread: 2 }];
    const dump = parseDump(JSON.stringify(raw), 'evil-thread.json');
    const html = await renderHtml(dump, { sources: false });
    expectOnlyOwnMarkup(html);
    const data = pageData(html);
    expect(data.id).toHaveLength(2 * raw.nodes.length);
    // In a path the override and the controls stay percent-encoded, as in its URL (as the tree shows it).
    expect(data.TL![1]).toBe('Worker thread 2 (/srv/</script><script>alert(11)</script><img src=x onerror=alert(12)>%E2%80%AE%1B]0;t%07.mjs)');
    expect(data.S.some((text) => text.startsWith('async') && text.includes('</script><script>alert(11)</script>') && text.includes('\\u202e'))).toBe(true);
    const svg = /<svg[\s\S]*<\/svg>/.exec(html)?.[0] ?? '';
    expect(svg).toContain('<title>cluster_t2</title>');
    expect(svg).toContain('&lt;/script&gt;&lt;script&gt;alert(11)');
  });

  it("the full graph marks what the dump's verdicts name, as --format svg does: a long wait's thick border", async () => {
    const dump = parseDump(JSON.stringify(rawSample('diagnosed')), 'diagnosed.json');
    const long = (dump.verdicts ?? []).filter((v) => v.kind === 'long-wait').flatMap((v) => v.nodes);
    expect(long.length).toBeGreaterThan(0);
    const html = await renderHtml(dump, { sources: false });
    expect(html).toContain('Every node drawn');
    const boxes = /<svg[\s\S]*<\/svg>/.exec(html)![0].split('<g id="node').slice(1);
    for (const id of long) {
      const box = boxes.find((b) => b.includes(`<title>x${dump.nodes.findIndex((n) => n.id === id)}</title>`));
      expect(box, id).toMatch(/stroke-width="3"/);
    }
  });

  it('inlineSvg refuses what Graphviz never writes: scripts, event handlers, links', () => {
    expect(() => inlineSvg('<svg><script>alert(1)</script></svg>')).toThrow(/<script>/);
    expect(() => inlineSvg('<svg><g onclick="alert(1)"></g></svg>')).toThrow(/onclick/);
    expect(() => inlineSvg('<svg><a xlink:href="javascript:alert(1)"></a></svg>')).toThrow(/<a>/);
    expect(inlineSvg('<?xml version="1.0"?>\n<!-- x --><svg width="1pt"><g id="a" class="node"><title>x0</title></g></svg>')).toBe(
      '<svg width="1pt"><g id="a" class="node"><title>x0</title></g></svg>',
    );
  });

  it('the Content-Security-Policy allows nothing from any network, and exactly the page\'s own style and script', async () => {
    const html = await renderHtml(parseDump(JSON.stringify(rawSample('cycle')), 'cycle.json'), { sources: false });
    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]*)">/.exec(html)?.[1] ?? '';
    const hash = (text: string): string => `'sha256-${createHash('sha256').update(text).digest('base64')}'`;
    const style = /<style>([\s\S]*?)<\/style>/.exec(html)?.[1] ?? '';
    const script = /<script>([\s\S]*?)<\/script>/.exec(html)?.[1] ?? '';
    expect(script).toBe(CLIENT_SCRIPT);
    expect(csp.split('; ')).toEqual([
      "default-src 'none'",
      `script-src ${hash(script)}`,
      `style-src ${hash(style)}`,
      'img-src data:',
      "base-uri 'none'",
      "form-action 'none'",
    ]);
    // No reference to anything outside the page.
    expect(html).not.toMatch(/\b(?:src|href)\s*=/i);
    expect(html).not.toMatch(/https?:\/\/(?!www\.w3\.org\/)/); // SVG namespaces only
    // The page script never parses markup.
    expect(CLIENT_SCRIPT).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write|eval\(|new Function/);
    expect(() => new Function(CLIENT_SCRIPT)).not.toThrow();
  });

  it('400 identical stuck tasks: the grouped graph, one box ×400, and the page says so', async () => {
    const dumps = mkdtempSync(join(base, 'dumps-'));
    const dump = await dumpFile({ script: 'test/programs/many-identical-roots.mjs', args: ['400'], cwd: ROOT }, dumps);
    const out = join(base, 'many.html');
    await buildReport(dump, out);
    const html = readFileSync(out, 'utf8');
    const data = pageData(html);
    expect(data.M).toBe('grouped');
    expect(data.id.length).toBe(401);
    expect(html).toContain('identical chains are merged into one box with a count (×N): 2 boxes drawn.');
    const svg = /<svg[\s\S]*<\/svg>/.exec(html)?.[0] ?? '';
    expect(svg.match(/<g id="[^"]*" class="node">/g)?.length).toBe(2);
    expect(svg).toContain('×400 async handler');
    // 400 handlers share one shape, so one record, not 400.
    expect(new Set(data.g).size).toBe(2);
    expect(data.R.length).toBe(2);
    expect(Object.keys(data.O)).toEqual([]);
    expect(statSync(out).mode & 0o777).toBe(0o644);
    expect(html.endsWith('</html>\n')).toBe(true);
  }, 180_000);

  it('filters are for the tree: with --format html they are a usage error', async () => {
    const r = await runNode([join(ROOT, 'dist/cli/main.js'), 'view', join(ROOT, 'test/data/cycle.json'), '-f', 'html', '--grep', 'x']);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe('awaitwhat: --grep x filters the tree: it cannot be used with --format html (see awaitwhat --help)\n');
  });
});

describe('source excerpts (read when the report is built)', () => {
  const dir = mkdtempSync(join(base, 'src-'));
  const at = (file: string, line: number) => ({ url: pathToFileURL(join(dir, file)).href, line, column: 1 });

  it('a few lines around the line, tabs as spaces, long lines cut', () => {
    writeFileSync(join(dir, 'a.js'), ['one', 'two', '\tthree', 'four', `five ${'x'.repeat(500)}`, 'six', 'seven', 'eight'].join('\n'));
    const excerpt = new SourceReader().excerpt(at('a.js', 4));
    expect(excerpt?.first).toBe(1);
    expect(excerpt?.line).toBe(4);
    expect(excerpt?.lines.slice(0, 4)).toEqual(['one', 'two', '  three', 'four']);
    expect(excerpt?.lines[4]?.length).toBe(LIMITS.lineChars + 1);
    expect(excerpt?.lines).toHaveLength(7);
  });

  it('only local source files: not other extensions, not node: URLs, not a line past the end, not a FIFO (no hang)', () => {
    writeFileSync(join(dir, 'secret.txt'), 'password\n');
    execFileSync('mkfifo', [join(dir, 'pipe.js')]);
    const reader = new SourceReader();
    expect(reader.excerpt(at('secret.txt', 1))).toBeUndefined();
    expect(reader.excerpt({ url: 'node:internal/events', line: 1, column: 1 })).toBeUndefined();
    expect(reader.excerpt(at('missing.js', 1))).toBeUndefined();
    expect(reader.excerpt(at('a.js', 99))).toBeUndefined();
    expect(reader.excerpt(at('pipe.js', 1))).toBeUndefined();
  });

  it('a file over the size limit is not read', () => {
    writeFileSync(join(dir, 'big.js'), Buffer.alloc(LIMITS.fileBytes + 1, 0x20));
    expect(new SourceReader().excerpt(at('big.js', 1))).toBeUndefined();
  });
});
