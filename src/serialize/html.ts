/**
 * `awaitwhat view dump.json --format html`: the dump as one self-contained, offline HTML page —
 * the verdicts first, the graph (SVG laid out by Graphviz when the report is built), a
 * searchable, sortable list of every task and promise, and a task's details on click (its
 * await line with the source around it, creation site, the chain down to what it ends in,
 * who else waits on the same thing). A dump's worker threads are in all of it: their nodes in
 * the list (with a thread column), their graphs framed in the picture, their findings under
 * their headings, and a leaf that waits for a worker leads to the worker's chains
 * (html-threads.ts).
 *
 * The page loads nothing: style and script are inline, and its Content-Security-Policy allows
 * exactly those two blocks (by hash) and nothing from any network. Every string of the dump is
 * escaped for HTML where the page is built, and handed to the script as JSON in a
 * `<script type="application/json">` block with `<` written `\u003c`, so no text of the
 * program can close a tag or start one.
 *
 * @packageDocumentation
 */

import { createHash } from 'node:crypto';
import { terminalSafe } from '../internal/terminal-text.js';
import type { Dump } from '../model.js';
import { formatDuration } from '../text/durations.js';
import { nodePlace, nodeTitle } from '../text/node-labels.js';
import { formatLocation } from '../text/paths.js';
import { isTask } from '../model.js';
import { CLIENT_SCRIPT } from './html-client.js';
import { pageGraph, type PageGraph } from './html-graph.js';
import { pageNodes, pageVerdicts, type PageData, type PageVerdict } from './html-model.js';
import { SourceReader } from './html-sources.js';
import { PAGE_STYLE } from './html-style.js';
import { mergedGraph, threadClasses, threadData, threadParts, threadsFact, threadVerdicts, withSafeIds } from './html-threads.js';
import { threadHeading } from './thread-graphs.js';

/** Options of {@link renderHtml}. */
export interface HtmlOptions {
  /**
   * Read the source files named by await lines, for excerpts (bounded, see html-sources.ts).
   * On by default; off, the page shows locations only.
   */
  sources?: boolean;
}

/**
 * Builds the HTML report of a dump.
 *
 * @param dump - a validated dump
 * @param options - see {@link HtmlOptions}
 * @returns the page, a complete HTML document
 */
export async function renderHtml(dump: Dump, options: HtmlOptions = {}): Promise<string> {
  const cwd = dump.process.cwd;
  // One table of every thread's nodes, each named by its index in it (html-threads.ts).
  const safe = withSafeIds(dump);
  const parts = threadParts(safe, cwd);
  const all = mergedGraph(parts);
  const classes = threadClasses(parts);
  const graph = await pageGraph(safe, parts, classes);
  const nodes = pageNodes(all, classes, options.sources === false ? undefined : new SourceReader());
  // The list shows each node's id as the dump has it (ids repeat across threads).
  nodes.id = [dump.nodes, ...(dump.threads ?? []).map((t) => t.nodes)].flatMap((list) => list.map((n) => terminalSafe(n.id)));
  const data: PageData = { ...nodes, M: graph.mode, ...threadData(safe, parts) };
  return page(dump, all, [...pageVerdicts(dump), ...threadVerdicts(safe, parts, cwd)], graph, data);
}

/**
 * Escapes text for HTML content and double-quoted attribute values; controls and bidi
 * overrides are shown as visible escapes first (`\u202e`), as in the terminal formats.
 *
 * @param text - any text, typically from the dump
 */
export function escapeHtml(text: string): string {
  return terminalSafe(text).replace(/[&<>"']/g, (ch) => HTML_ENTITIES[ch] as string);
}

const HTML_ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/**
 * JSON for a `<script type="application/json">` block: `<`, `>` and `&` as `\u` escapes (so
 * `</script>` or `<!--` inside a string cannot end or change the block), and U+2028/U+2029 too.
 * The escapes occur inside JSON strings only and parse back to the same characters.
 *
 * @param value - any JSON value
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** `'sha256-…'` of a script or style block, for the Content-Security-Policy. */
function cspHash(text: string): string {
  return `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
}

/**
 * The policy: nothing from anywhere but the page's own style and script (by hash); images only
 * as `data:` (none are used); no `<base>`, no form posts. `default-src 'none'` also forbids
 * fetch, XHR, WebSocket, fonts, frames and workers.
 */
function contentSecurityPolicy(): string {
  return [
    "default-src 'none'",
    `script-src ${cspHash(CLIENT_SCRIPT)}`,
    `style-src ${cspHash(PAGE_STYLE)}`,
    'img-src data:',
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
}

/** `all`: every thread's nodes, in the table's order (the verdicts' buttons name them). */
function page(dump: Dump, all: Dump, verdicts: PageVerdict[], graph: PageGraph, data: PageData): string {
  const p = dump.process;
  const tasks = dump.nodes.filter(isTask).length;
  const title = `awaitwhat: pid ${p.pid}, ${plural(tasks, 'task')} waiting${dump.cycles.length > 0 ? `, ${plural(dump.cycles.length, 'cycle')}` : ''}`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${contentSecurityPolicy()}">
<meta name="referrer" content="no-referrer">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="awaitwhat ${escapeHtml(dump.tool.version)}">
<title>${escapeHtml(title)}</title>
<style>${PAGE_STYLE}</style>
</head>
<body>
${header(dump, tasks)}
<div class="layout">
<main>
${verdictSection(all, verdicts)}
${graphSection(graph)}
${listSection(data.T !== undefined)}
</main>
<aside id="details" aria-live="polite"><p class="note">Click a task in the list, a box of the graph or a node under a verdict for its details: its await line and source, how it was created, its chain down to what it waits on, who else waits there.</p></aside>
</div>
${warnings(dump)}
<noscript><p class="note">The task list and details need JavaScript; the verdicts and the graph above do not.</p></noscript>
<script type="application/json" id="awaitwhat-data">${jsonForScript(data)}</script>
<script>${CLIENT_SCRIPT}</script>
</body>
</html>
`;
}

function header(dump: Dump, tasks: number): string {
  const p = dump.process;
  const facts: Array<[string, string]> = [
    // Quoted only where a shell would need it, as the tree shows it.
    ['argv', p.argv.map((arg) => (/^[\w@%+=:,./-]+$/.test(arg) ? arg : JSON.stringify(arg))).join(' ')],
    ['cwd', p.cwd],
    ['taken', `${dump.createdAt} by ${dump.trigger}, process up ${formatDuration(p.uptimeMs)}, snapshot paused it ${formatDuration(dump.durationMs)}`],
    ['graph', `${plural(tasks, 'task')}, ${plural(dump.nodes.length - tasks, 'pending promise')}, ${plural(dump.roots.length, 'root')}`],
    ['cycles', dump.cycles.length === 0 ? 'none' : `${dump.cycles.length} (deadlock)`],
  ];
  const threads = threadsFact(dump);
  if (threads !== undefined) facts.push(['threads', threads]);
  if (dump.source === 'attached') facts.push(['source', 'attached through the inspector: graph and await lines from V8']);
  if (!dump.hooks.installed) facts.push(['hooks', 'not installed: no waiting times']);
  const rows = facts.map(([k, v]) => `<dt>${k}</dt><dd>${escapeHtml(v)}</dd>`).join('');
  return `<header>
<h1>awaitwhat report <small>pid ${p.pid} (node ${escapeHtml(p.nodeVersion)}, ${escapeHtml(p.platform)})</small></h1>
<dl class="facts">${rows}</dl>
</header>`;
}

/** Most buttons under one verdict (distinct title and place; the rest are counted). */
const MAX_BUTTONS = 12;

function verdictSection(dump: Dump, verdicts: PageVerdict[]): string {
  const items: string[] = [];
  if (dump.refused) {
    items.push(`<li class="severe"><span class="kind">no heap snapshot:</span>${escapeHtml(dump.refused.reason)}</li>`);
  }
  const stack = blockedStack(dump);
  let stackShown = false;
  const perKind = new Map<string, number>();
  const folded: string[] = [];
  for (const v of verdicts) {
    // A cycle's steps in order; otherwise identical buttons (same title and place) once, counted.
    const counted = v.cycle ? [] : countedLabels(dump, v.nodes);
    const refs = v.cycle
      ? [...v.nodes, v.nodes[0] as number].map((i) => nodeButton(dump, i, 1)).join(' → ')
      : counted
          .slice(0, MAX_BUTTONS)
          .map(([i, n]) => nodeButton(dump, i, n))
          .join(' ');
    const more = counted.length > MAX_BUTTONS ? ` <span class="more">and ${counted.length - MAX_BUTTONS} more</span>` : '';
    const extra = v.kind === 'blocked-loop' && !stackShown ? stack : '';
    if (extra !== '') stackShown = true;
    const item =
      `<li${v.severe ? ' class="severe"' : ''}><span class="kind">${escapeHtml(v.kind)}:</span>${escapeHtml(v.text)}` +
      (refs === '' ? '' : `<span class="refs">${refs}${more}</span>`) +
      `${extra}</li>`;
    // Thirty "stuck on" lines would push everything else off the screen: the first few show.
    const seen = (perKind.get(v.kind) ?? 0) + 1;
    perKind.set(v.kind, seen);
    if (seen > MAX_PER_KIND && !v.severe) folded.push(item);
    else items.push(item);
  }
  if (stack !== '' && !stackShown) {
    items.push(`<li class="severe"><span class="kind">main thread busy:</span>the event loop cannot turn${stack}</li>`);
  }
  if (folded.length > 0) {
    items.push(`<li class="folded"><details><summary>${folded.length} more findings</summary><ul class="verdicts">${folded.join('\n')}</ul></details></li>`);
  }
  if (items.length === 0) {
    items.push(`<li><span class="kind">nothing is waiting:</span>no pending task or promise takes part in a wait</li>`);
  }
  return `<section id="verdicts">
<h2>Verdicts</h2>
<ul class="verdicts">
${items.join('\n')}
</ul>
</section>`;
}

/** Findings of one kind shown before the rest are folded away. */
const MAX_PER_KIND = 5;

/** The main thread's stack when the loop was blocked, as a list; empty when it was not. */
function blockedStack(dump: Dump): string {
  const b = dump.blockedLoop;
  if (!b) return '';
  const frames = b.stack
    .slice(0, 20)
    .map((f) => `<li><code>${escapeHtml(`${f.functionName || '<anonymous>'} (${formatLocation(f, dump.process.cwd)})`)}</code></li>`)
    .join('');
  const how = b.blockedMs > 0 ? `blocked for at least ${formatDuration(b.blockedMs)}; ` : '';
  return `<div class="muted">${how}running JavaScript:</div><ol class="chain">${frames}</ol>`;
}

/** `title (place)` of node `i`, as the buttons under a verdict show it. */
function verdictLabel(dump: Dump, i: number): string {
  const node = dump.nodes[i];
  if (!node) return '?';
  const place = nodePlace(node);
  return place ? `${nodeTitle(node)} (${formatLocation(place.location, dump.process.cwd)})` : nodeTitle(node);
}

function nodeButton(dump: Dump, i: number, count: number): string {
  const text = escapeHtml(verdictLabel(dump, i));
  const times = count > 1 ? ` ×${count}` : '';
  return `<button type="button" class="ref" data-node="${i}" title="${text}">${text}${times}</button>`;
}

/** Nodes with the same label once, as `[first node, how many]`, in order of first appearance. */
function countedLabels(dump: Dump, nodes: number[]): Array<[number, number]> {
  const byLabel = new Map<string, [number, number]>();
  for (const i of nodes) {
    const label = verdictLabel(dump, i);
    const entry = byLabel.get(label);
    if (entry) entry[1] += 1;
    else byLabel.set(label, [i, 1]);
  }
  return [...byLabel.values()];
}

function graphSection(graph: PageGraph): string {
  const tools =
    graph.svg === undefined
      ? ''
      : `<div class="tools"><button type="button" data-zoom="fit">Fit</button> <button type="button" data-zoom="natural">Actual size</button> <button type="button" data-zoom="in">Zoom in</button> <button type="button" data-zoom="out">Zoom out</button></div>
<div id="svgbox" data-mode="${graph.mode}">${graph.svg}</div>`;
  return `<section id="graph">
<h2>Graph</h2>
<p class="note" id="graph-note">${escapeHtml(graph.note)}</p>
${tools}
</section>`;
}

/** The list; with a thread column when the dump has worker threads (`threads`). */
function listSection(threads: boolean): string {
  const column = threads ? '<button type="button" data-sort="h">Thread</button>' : '';
  return `<section id="tasks">
<h2>Tasks and promises</h2>
<div class="controls">
<input type="search" id="search" placeholder="Search: name, file, leaf, id…" aria-label="Search the list" autocomplete="off">
<select id="show" aria-label="Which nodes"><option value="all">all nodes</option><option value="tasks">tasks only</option><option value="stuck">never settling</option></select>
<span id="count"></span>
<button type="button" id="shape-filter" class="ref" hidden>only one shape ✕</button>
</div>
<div class="list${threads ? ' threads' : ''}" role="grid">
<div class="row head" role="row"><button type="button" data-sort="t">Task</button><button type="button" data-sort="p">Where</button><button type="button" data-sort="w" class="wait">Waiting</button><button type="button" data-sort="l">Ends in</button>${column}</div>
<div id="viewport" tabindex="0"><div id="spacer"><div id="rows"></div></div></div>
</div>
</section>`;
}

function warnings(dump: Dump): string {
  const all = [...dump.warnings, ...(dump.threads ?? []).flatMap((t) => t.warnings.map((w) => `${threadHeading(t, dump.process.cwd)}: ${w}`))];
  if (all.length === 0) return '';
  const items = all.map((w) => `<li>${escapeHtml(w)}</li>`).join('');
  return `<footer><section><h2>Warnings</h2><ul class="plain">${items}</ul></section></footer>`;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
