/**
 * Orphaned requests (issue 11, point 1): real HTTP servers and clients in child processes,
 * stuck for real, dumped for real. A handler awaits a callback wrapper that forgets to reject,
 * or a `stream.pipeline` into a sink that never acknowledges: the handler's chain is
 * collected, and before orphan detection the dump said "nothing is waiting" while both the
 * server's and the client's request were open. Requests that tasks do wait for are never
 * reported (no false positives). Every way of dumping runs the one pipeline: SIGUSR2 (the
 * background worker), `snapshot()` in process, attached from outside.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { captureStuckProgram } from '../cli/capture.js';
import type { Dump, OrphanedRequest } from '../src/model.js';
import { toDot } from '../src/serialize/dot.js';
import { pageVerdicts } from '../src/serialize/html-model.js';
import { parseDump, serializeDump } from '../src/serialize/json.js';
import { filterChains } from '../src/serialize/tree-filter.js';
import { renderTree } from '../src/serialize/tree.js';
import { dumpByAttaching, dumpInProcess, stopAttachedPrograms } from './helpers/dump-ways.js';
import { expectStuckLinesNamed } from './helpers/processes.js';
import { captureOnce } from './helpers/shared-capture.js';
import { expectGolden, ROOT } from './helpers/samples.js';
import { normaliseTree } from './support/normalise.js';

const TIMEOUT = 90_000;

/** The 1-based line of the first line of `fixtures/<name>.mjs` containing `text`. */
function lineOf(name: string, text: string): number {
  const lines = readFileSync(join(ROOT, 'fixtures', `${name}.mjs`), 'utf8').split('\n');
  const index = lines.findIndex((line) => line.includes(text));
  expect(index, `${text} in ${name}`).toBeGreaterThanOrEqual(0);
  return index + 1;
}

/** The server and the client request of an orphan fixture, as every dump of it must report them. */
function expectOrphans(dump: Dump, name: string, method: string, path: string): { server: OrphanedRequest; client: OrphanedRequest } {
  expect(dump.orphans?.map((o) => o.kind)).toEqual(['server', 'client']);
  const [server, client] = dump.orphans as [OrphanedRequest, OrphanedRequest];
  expect(server).toMatchObject({ kind: 'server', method, url: path, details: { requestComplete: true, headersSent: false } });
  expect(server.handler).toMatchObject({ async: true, location: { line: lineOf(name, 'http.createServer(async') } });
  expect(server.handler!.location!.url).toMatch(new RegExp(`/fixtures/${name}\\.mjs$`));
  expect(server.heldBy).toBeUndefined();
  expect(client).toMatchObject({ kind: 'client', method, url: `127.0.0.1${path}`, details: { requestSent: true, responseStarted: false } });
  expect(client.handler).toMatchObject({ async: false, location: { line: lineOf(name, '(res) => res.resume()') } });
  const verdicts = dump.verdicts!.filter((v) => v.kind === 'orphaned').map((v) => v.summary);
  expect(verdicts).toHaveLength(2);
  expect(verdicts[0]).toMatch(new RegExp(`^server request ${method} ${path} open.*; no task waits for it: its handler's chain was collected — async <anonymous> \\(fixtures/${name}\\.mjs:\\d+:\\d+\\) awaited a promise nothing could settle`));
  expect(verdicts[1]).toMatch(new RegExp(`^client request ${method} 127\\.0\\.0\\.1${path} open.*; no task waits for its response; only its 'response' callback`));
  const tree = renderTree(dump, { color: false });
  expect(tree).not.toContain('nothing is waiting');
  expect(tree).toContain('no task is waiting, but 2 HTTP requests are open: see Orphaned requests');
  return { server, client };
}

/** A SIGUSR2 dump of a program, taken once: orphaned-request's is read by two tests. */
const signalDump = captureOnce(async (script) => (await captureStuckProgram({ script, cwd: ROOT })).dump);

afterEach(stopAttachedPrograms);

describe('orphaned requests, dumped on SIGUSR2', () => {
  it('orphaned-request: the handler awaited a wrapper that forgot to reject; both requests are reported, with their sockets', async () => {
    const dump = await signalDump('fixtures/orphaned-request.mjs');
    expect(dump.nodes).toEqual([]);
    const { server, client } = expectOrphans(dump, 'orphaned-request', 'GET', '/export');
    // The two ends of one connection: the server's remote port is the client's local one.
    expect(server.details).toMatchObject({ remoteAddress: '127.0.0.1', remotePort: client.details!.localPort });
    expect(server.description).toMatch(/^server request GET \/export — 127\.0\.0\.1:\d+ → 127\.0\.0\.1:\d+, request received, no response started$/);
    // Read back from its JSON as `view` reads it, the dump is the same.
    expect(parseDump(serializeDump(dump))).toEqual(dump);
    expectGolden('fixtures/orphaned-request.tree.txt', normaliseTree(renderTree(dump, { color: false })));
  }, TIMEOUT);

  it('orphaned-pipeline: the sink of `await pipeline(...)` never calls back; the PUT is reported, the client idle since its last byte', async () => {
    const { dump } = await captureStuckProgram({ script: 'fixtures/orphaned-pipeline.mjs', cwd: ROOT });
    expect(dump.nodes).toEqual([]);
    const { client } = expectOrphans(dump, 'orphaned-pipeline', 'PUT', '/upload');
    // The client asked for a 60 s socket timeout: its timer says since when the socket is idle.
    expect(client.idleMs).toBeGreaterThanOrEqual(0);
    expect(renderTree(dump, { color: false })).toMatch(/client request PUT 127\.0\.0\.1\/upload — .* {2}open, idle for \d/);
    expectGolden('fixtures/orphaned-pipeline.tree.txt', normaliseTree(renderTree(dump, { color: false })));
  }, TIMEOUT);

  it('request-awaited: requests that tasks wait for (a handler on a pool, fetch, a promise around http.get) are not orphans', async () => {
    const { dump } = await captureStuckProgram({ script: 'fixtures/request-awaited.mjs', cwd: ROOT });
    expectStuckLinesNamed(dump, 'request-awaited');
    expect(dump.orphans).toBeUndefined();
    expect(dump.verdicts?.map((v) => v.kind)).not.toContain('orphaned');
    // Two handler invocations wait on the pool, each with its request in its frame.
    expect(dump.nodes.filter((n) => n.awaitLocation?.line === lineOf('request-awaited', 'await query('))).toHaveLength(2);
    expect(renderTree(dump, { color: false })).not.toContain('Orphaned requests');
  }, TIMEOUT);

  it('hung-socket: the upstream handler returned without answering: its request is orphaned, the awaited client request is not', async () => {
    const { dump } = await captureStuckProgram({ script: 'fixtures/hung-socket.mjs', cwd: ROOT });
    expect(dump.orphans?.map((o) => [o.kind, o.method, o.url, o.handler?.async])).toEqual([['server', 'GET', '/profile', false]]);
    expect(dump.verdicts?.find((v) => v.kind === 'orphaned')?.summary).toMatch(/its handler <anonymous> \(fixtures\/hung-socket\.mjs:5:\d+\) returned without ending the response/);
  }, TIMEOUT);
  it('orphans-held: an event stream in a module-level list and a response a timer will end are orphans, with what holds them', async () => {
    const { dump } = await captureStuckProgram({ script: 'test/programs/orphans-held.mjs', cwd: ROOT });
    const servers = (dump.orphans ?? []).filter((o) => o.kind === 'server');
    // The module's body is a generator that still holds its scope: it is no task waiting.
    expect(servers.map((o) => o.url)).toEqual(['/events', '/events', '/events', '/slow']);
    const [events, slow] = [servers[0]!, servers[3]!];
    expect(events.details).toMatchObject({ headersSent: true });
    expect(servers.slice(0, 3).map((o) => o.heldBy?.path.slice(-2)).sort()).toEqual([['clients', '[0]'], ['clients', '[1]'], ['clients', '[2]']]);
    // Three streams in one list: one verdict.
    const streams = dump.verdicts!.filter((v) => v.summary.includes('GET /events') && v.summary.includes('server request'));
    expect(streams.map((v) => v.summary)).toEqual([expect.stringMatching(/^3× server request GET \/events open, age unknown; no task waits for them; only clients\[…\], in /)]);
    expect(slow.heldBy).toMatchObject({ path: ['<anonymous>()', 'res'], location: { line: 13, column: 14 } });
    // DOT groups the notes as the verdicts do: the three event streams are one note ×3, unless every node is drawn alone.
    const notes = (dot: string): string[] => [...dot.matchAll(/label="([^"]*)", shape=note/g)].map((m) => (m[1] as string).split('\\n')[0] as string);
    expect(notes(toDot(dump)).filter((n) => n.includes('server request GET /events'))).toEqual(['×3 server request GET /events']);
    expect(notes(toDot(dump, { grouping: 'none' })).filter((n) => n.includes('server request GET /events'))).toHaveLength(3);
    expect(dump.verdicts?.find((v) => v.summary.startsWith('server request GET /slow'))?.summary).toMatch(
      /no task waits for it; only res, in the scope of the function <anonymous> \(test\/programs\/orphans-held\.mjs:13:14\), still refers to it$/,
    );
  }, TIMEOUT);
});

describe('the age of an orphaned request', () => {
  it('orphan-timed: with an http PerformanceObserver, Node records when each request began: the dump gives its age', async () => {
    const { dump } = await captureStuckProgram({ script: 'test/programs/orphan-timed.mjs', cwd: ROOT });
    expect(dump.orphans?.map((o) => o.kind)).toEqual(['server', 'client']);
    // 'ready' came 300 ms after the request arrived; the dump after 'ready'.
    for (const orphan of dump.orphans!) expect(orphan.ageMs, orphan.kind).toBeGreaterThanOrEqual(300);
    expect(dump.verdicts?.[0]?.summary).toMatch(/^server request GET \/timed open for \d/);
  }, TIMEOUT);
});

describe('orphaned requests in every view', () => {
  it('view --only orphans draws no chain and the orphan section; DOT and the HTML verdicts name them', async () => {
    const dump = await signalDump('fixtures/orphaned-request.mjs');
    const tree = renderTree(dump, { color: false, chains: filterChains(dump, { only: 'orphans', label: '--only orphans' }) });
    expect(tree).toContain('--only orphans: 2 orphaned requests above (0 chains hidden)');
    expect(tree).toContain('Orphaned requests (open; no task waits for them)');
    expect(toDot(dump)).toMatch(/"orphan:0" \[label="server request GET \/export\\nopen, age unknown\\nhandler fixtures\/orphaned-request\.mjs:\d+:\d+"/);
    const page = pageVerdicts(dump);
    expect(page.filter((v) => v.kind === 'orphaned').map((v) => [v.severe, v.text.slice(0, 30)])).toEqual([
      [true, 'server request GET /export ope'],
      [true, 'client request GET 127.0.0.1/e'],
    ]);
  }, TIMEOUT);
});

describe('orphaned requests in the other ways of dumping', () => {
  it('snapshot() in process reports them', async () => {
    const { dump } = await dumpInProcess('fixtures/orphaned-request.mjs', { timeoutMs: TIMEOUT });
    expect(dump.profile?.worker).toBe(false);
    expectOrphans(dump, 'orphaned-request', 'GET', '/export');
  }, TIMEOUT);

  it('attached from outside (no register) reports them', async () => {
    const dump = await dumpByAttaching('fixtures/orphaned-request.mjs');
    expect(dump.source).toBe('attached');
    expectOrphans(dump, 'orphaned-request', 'GET', '/export');
  }, TIMEOUT);
});
