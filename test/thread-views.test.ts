/**
 * Worker threads in every view, not only the tree: the DOT (and so the SVG) draws each worker's
 * graph in a frame of its own, grouped as the main thread's, the main thread's leaf joined to
 * it; the HTML report lists the worker's nodes with their thread and leads from the main
 * thread's leaf to the worker's chains; `view`'s filters apply to every thread's chains alike.
 * Real programs, dumped on SIGUSR2: fixtures/worker-reply-stuck.mjs (the main thread awaits a
 * worker's reply; the worker's handler waits for an hour-long timer) and
 * test/programs/worker-alike.mjs (three requests stuck alike in the worker).
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { captureStuckProgram, type CaptureResult } from '../cli/capture.js';
import type { Dump, ThreadGraph } from '../src/model.js';
import { escapeDot, toDot } from '../src/serialize/dot.js';
import { CLIENT_SCRIPT } from '../src/serialize/html-client.js';
import { renderSvg } from '../src/serialize/svg.js';
import { nodeTitle } from '../src/text/node-labels.js';
import { buildReport, pageData } from './helpers/html-report.js';
import { runNode, stuckLines } from './helpers/processes.js';
import { expectGolden, ROOT } from './helpers/samples.js';
import { captureOnce } from './helpers/shared-capture.js';
import { normaliseDot } from './support/normalise.js';

const PROGRAMS: Record<string, string> = {
  'worker-reply-stuck': 'fixtures/worker-reply-stuck.mjs',
  'worker-alike': 'test/programs/worker-alike.mjs',
  'worker-blocked': 'fixtures/worker-blocked.mjs',
};
const MAIN = join(ROOT, 'dist', 'cli', 'main.js');
const base = mkdtempSync(join(tmpdir(), 'awaitwhat-thread-views-'));
afterAll(() => rmSync(base, { recursive: true, force: true }));

/** Each program dumped once, its dump file kept for the CLI (no long-wait verdict, however slow the machine). */
const capture = captureOnce(
  (name): Promise<CaptureResult> =>
    captureStuckProgram({
      script: PROGRAMS[name] as string,
      cwd: ROOT,
      dir: mkdtempSync(join(base, `${name}-`)),
      // A blocked worker is given up on after a second (the others answer: the default wait).
      env: { AWAITWHAT_LONG_WAIT_MS: '3600000', ...(name === 'worker-blocked' ? { AWAITWHAT_THREAD_TIMEOUT_MS: '1000' } : {}) },
    }),
);

/** The dump's one worker, answered. */
function theWorker(dump: Dump): ThreadGraph {
  expect(dump.threads).toHaveLength(1);
  const thread = dump.threads![0]!;
  expect(thread.status).toBe('answered');
  return thread;
}

/** The statements inside worker `threadId`'s frame. */
function frame(dot: string, threadId: number): string[] {
  const lines = dot.split('\n');
  const start = lines.indexOf(`  subgraph "cluster_t${threadId}" {`);
  expect(start, `no frame for thread ${threadId}`).toBeGreaterThan(-1);
  return lines.slice(start + 1, lines.indexOf('  }', start));
}

/** Box statements by name, at the given indent (2: the main thread's, 4: inside a frame). */
function boxes(lines: readonly string[], indent: number): Map<string, string> {
  const out = new Map<string, string>();
  const re = new RegExp(`^ {${indent}}"([^"]+)" \\[(label=.*)\\];$`);
  for (const line of lines) {
    const m = re.exec(line);
    if (m && !(m[2] as string).includes('shape=note')) out.set(m[1] as string, m[2] as string);
  }
  return out;
}

const HEADING = (id: number): string => `Worker thread ${id} (fixtures/worker-reply-stuck.mjs)`;

describe('worker threads in the DOT and SVG views', () => {
  it("worker-reply-stuck: the worker's graph in a frame headed as the tree's section, its boxes named apart, the main thread's leaf joined to it; golden test/golden/dot/worker-reply-stuck.dot", async () => {
    const { dump } = await capture('worker-reply-stuck');
    const thread = theWorker(dump);
    const id = thread.threadId;
    const [workerLine] = stuckLines('worker-reply-stuck');
    const dot = toDot(dump);
    expect(dot).toContain('\n  compound=true;\n');
    const inner = frame(dot, id);
    expect(inner[0]).toBe(`    label="${escapeDot(HEADING(id))}";`);
    // One box per node of the worker (its four nodes are unlike), none named as a main thread's box.
    const own = boxes(inner, 4);
    expect(own.size).toBe(thread.nodes.length);
    const main = boxes(dot.split('\n'), 2);
    expect(main.size).toBeGreaterThan(0);
    for (const name of own.keys()) {
      expect(name.startsWith(`t${id}/`)).toBe(true);
      expect(main.has(name)).toBe(false);
    }
    const labels = [...own.values()].join('\n');
    expect(labels).toContain(`label="async buildReport\\nat fixtures/worker-reply-stuck.mjs:${workerLine}:3`);
    expect(labels).toMatch(/\\n← timer: 3600s delay, about [\d.]+s left/);
    // The worker's own edges stay in its frame.
    const byId = new Map(thread.nodes.map((n) => [n.id, n]));
    for (const node of thread.nodes) {
      for (const target of node.awaits) expect(inner).toContain(`    "t${id}/${node.id}" -> "t${id}/${byId.get(target)!.id}";`);
    }
    // The main thread's leaf waits for the worker: an edge into its frame, at its first chain.
    const leaf = dump.nodes.find((n) => n.leaf?.kind === 'worker')!;
    expect(main.has(leaf.id)).toBe(true);
    expect(dot).toContain(
      `\n  "${leaf.id}" -> "t${id}/${thread.roots[0]!}" [lhead="cluster_t${id}", label="waits for thread ${id}", style=bold, penwidth=2, color="#1d4ed8", fontcolor="#1d4ed8"];\n`,
    );
    // The legend: the worker's verdict under its heading, and the key says what the frame is.
    const legend = dot.replace(/\\l {4}/g, ' ');
    expect(legend).toContain(escapeDot(`${HEADING(id)}: stuck on: Promise (timer: 3600s delay`));
    expect(legend).toContain("blue frame: a worker thread's graph; bold blue arrow: a wait for that thread");
    expectGolden('dot/worker-reply-stuck.dot', normaliseDot(dot));
  }, 120_000);

  it('worker-reply-stuck: Graphviz draws the frame with its heading, the worker\'s boxes and the edge into it', async () => {
    const { dump } = await capture('worker-reply-stuck');
    const thread = theWorker(dump);
    const svg = await renderSvg(toDot(dump));
    expect(svg).toContain(`<title>cluster_t${thread.threadId}</title>`);
    expect(svg).toMatch(new RegExp(`>Worker thread ${thread.threadId} \\(fixtures/worker(&#45;|-)reply(&#45;|-)stuck\\.mjs\\)</text>`));
    for (const node of thread.nodes) expect(svg).toContain(`<title>t${thread.threadId}/${node.id}</title>`);
    const leaf = dump.nodes.find((n) => n.leaf?.kind === 'worker')!;
    expect(svg).toContain(`<title>${leaf.id}&#45;&gt;t${thread.threadId}/${thread.roots[0]!}</title>`);
  }, 120_000);

  it("worker-alike: three chains alike in the worker are one box ×3, as the main thread's are grouped; one box per node without grouping", async () => {
    const { dump } = await capture('worker-alike');
    const thread = theWorker(dump);
    const grouped = [...boxes(frame(toDot(dump), thread.threadId), 4).values()];
    expect(grouped.filter((b) => b.includes('async lookUp'))).toEqual([expect.stringMatching(/^label="×3 async lookUp\\nat test\/programs\/worker-alike\.mjs:10:3/)]);
    // The promise all three await is one box, amber: it can never settle.
    expect(grouped.filter((b) => b.includes('← '))).toEqual([expect.stringMatching(/color="#b45309"/)]);
    expect(boxes(frame(toDot(dump, { grouping: 'none' }), thread.threadId), 4).size).toBe(thread.nodes.length);
  }, 120_000);

  it('worker-blocked: a worker that did not answer is one box in its frame saying so, the waiting leaf joined to it', async () => {
    const { dump } = await capture('worker-blocked');
    const thread = dump.threads![0]!;
    expect(thread.status).toBe('no-answer');
    const dot = toDot(dump);
    const inner = frame(dot, thread.threadId);
    expect(inner[0]).toBe(`    label="Worker thread ${thread.threadId} (fixtures/worker-blocked.mjs)";`);
    const own = [...boxes(inner, 4).entries()];
    expect(own).toHaveLength(1);
    const [name, box] = own[0]!;
    expect(name).toBe(`t${thread.threadId}/no-answer`);
    expect(box.replace(/\\n/g, ' ')).toContain('label="no answer within 1 s: its event loop is blocked');
    const leaf = dump.nodes.find((n) => n.leaf?.kind === 'worker')!;
    expect(dot).toContain(`\n  "${leaf.id}" -> "${name}" [lhead="cluster_t${thread.threadId}", label="waits for thread ${thread.threadId}"`);
    expect(dot.replace(/\\l {4}/g, ' ')).toContain(`Worker thread ${thread.threadId} (fixtures/worker-blocked.mjs): no answer within 1 s`);
  }, 120_000);
});

describe("view's filters apply to every thread's chains alike", () => {
  /** `awaitwhat view <dump> <args>`: the main thread's part and the worker's section. */
  async function view(args: string[]): Promise<{ main: string; worker: string }> {
    const { dumpPath } = await capture('worker-reply-stuck');
    const r = await runNode([MAIN, 'view', dumpPath, ...args], { cwd: ROOT });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const [main, worker, ...rest] = r.stdout.split(/^── Worker thread \d+ \(fixtures\/worker-reply-stuck\.mjs\) ──$/m);
    expect(rest).toEqual([]);
    return { main: main!, worker: worker! };
  }

  it('--grep requestReport keeps the main thread\'s chain and hides the worker\'s, each section saying so', async () => {
    const { main, worker } = await view(['--grep', 'requestReport']);
    expect(main).toContain('no chain hidden by --grep requestReport');
    expect(main).toMatch(/^async requestReport {2}at fixtures\/worker-reply-stuck\.mjs:\d+:\d+/m);
    expect(worker).toContain('1 chain hidden by --grep requestReport');
    expect(worker).not.toMatch(/async buildReport {2}at/);
  }, 120_000);

  it("--grep buildReport keeps the worker's chain to it", async () => {
    const { worker } = await view(['--grep', 'buildReport']);
    expect(worker).toContain('no chain hidden by --grep buildReport');
    expect(worker).toMatch(/└─ async buildReport {2}at fixtures\/worker-reply-stuck\.mjs:9:3/);
  }, 120_000);

  it('--only stuck and --min-wait hide what they hide in the worker too', async () => {
    // Neither thread ends in something that can never settle: a worker's reply, a timer.
    const stuck = await view(['--only', 'stuck']);
    expect(stuck.main).toContain('1 chain hidden by --only stuck');
    expect(stuck.worker).toContain('1 chain hidden by --only stuck');
    // Orphaned requests are found in the main thread's heap only: the worker's section says so.
    const orphans = await view(['--only', 'orphans']);
    expect(orphans.main).toContain('--only orphans: no orphaned request in this dump (1 chain hidden)');
    expect(orphans.worker).toContain("--only orphans: orphaned requests are the main thread's (1 chain hidden)");
    const long = await view(['--min-wait', '1h']);
    expect(long.worker).toContain('1 chain hidden by --min-wait 1h');
    expect(long.worker).not.toContain('.then  callback');
  }, 120_000);
});

describe('worker threads in the HTML report', () => {
  it("worker-reply-stuck: the worker's nodes listed with their thread, its frame in the SVG, the main thread's leaf joined to its chains; the page's policy unchanged", async () => {
    const { dump, dumpPath } = await capture('worker-reply-stuck');
    const thread = theWorker(dump);
    const id = thread.threadId;
    const out = join(base, 'worker-reply-stuck.html');
    const { stdout, stderr } = await buildReport(dumpPath, out);
    expect(stderr).toBe('');
    expect(stdout).toBe('');
    const html = readFileSync(out, 'utf8');
    const data = pageData(html);
    const first = dump.nodes.length;
    // The table: the main thread's nodes, then the worker's, each with its thread.
    expect(data.id).toEqual([...dump.nodes, ...thread.nodes].map((n) => n.id));
    expect(data.TL).toEqual(['main thread', HEADING(id)]);
    expect(data.T).toEqual([...dump.nodes.map(() => 0), ...thread.nodes.map(() => 1)]);
    const title = (i: number): string => data.S[(data.O[String(i)] ?? data.R[data.g[i] as number])!.t] as string;
    expect(thread.nodes.map((_, j) => title(first + j))).toEqual(thread.nodes.map(nodeTitle));
    // Its chains within its thread: what each worker node awaits, by index.
    const index = (n: string): number => first + thread.nodes.findIndex((m) => m.id === n);
    expect(data.a.slice(first)).toEqual(thread.nodes.map((n) => n.awaits.map(index)));
    // The main thread's worker leaf leads to where the worker's chains start.
    const leaf = dump.nodes.findIndex((n) => n.leaf?.kind === 'worker');
    expect(data.J).toEqual([{ f: leaf, t: 1, r: thread.roots.map(index) }]);
    // The list has a thread column; the SVG frames the worker's boxes, each named by its index.
    expect(html).toContain('<div class="list threads" role="grid">');
    expect(html).toContain('<button type="button" data-sort="h">Thread</button>');
    const svg = /<svg[\s\S]*<\/svg>/.exec(html)![0];
    expect(svg).toContain(`<title>cluster_t${id}</title>`);
    for (let i = first; i < data.id.length; i++) expect(svg).toContain(`<title>x${i}</title>`);
    // The findings: the wait on the worker, the worker's own under its heading.
    expect(html).toContain(`<span class="kind">waits for a thread:</span>Promise in the main thread waits for ${HEADING(id)}; its chains start at`);
    expect(html).toMatch(new RegExp(`<span class="kind">stuck on:</span>Worker thread ${id} \\(fixtures/worker-reply-stuck\\.mjs\\): Promise \\(timer: 3600s delay`));
    // Still exactly the page's own script and style, allowed by hash.
    expect(html.split(CLIENT_SCRIPT)).toHaveLength(2);
    const hash = `'sha256-${createHash('sha256').update(CLIENT_SCRIPT, 'utf8').digest('base64')}'`;
    expect(/<meta http-equiv="Content-Security-Policy" content="([^"]*)">/.exec(html)![1]).toContain(`script-src ${hash};`);
  }, 120_000);
});
