/**
 * Attach mode: a dump of another Node.js process, started without awaitwhat, through its
 * inspector. See docs/attach.md.
 *
 * The steps, each in its own module:
 * 1. `target-process.ts`: the process exists, handles `SIGUSR1`, and its inspector port;
 * 2. `inspector-endpoint.ts`: `SIGUSR1` if needed, `/json/list`, a verified CDP session
 *    (`cdp-client.ts`);
 * 3. `process-facts.ts`: pid, argv, cwd, version, clock, hook layer present or not;
 * 4. `main-thread.ts`: is the main thread running JavaScript (blocked loop)? its stack;
 * 5. `remote-heap.ts`, then the in-process snapshotter's own steps (`deriveWaitEdges`,
 *    leaves), `remote-facts.ts` for await and function locations, `buildNodes`,
 *    `assembleDump`;
 * 6. `leave-target.ts`: resume, disable, release, close what we opened.
 *
 * @packageDocumentation
 */
import { AttachFailedError, AwaitwhatError, SnapshotFailedError } from '../errors.js';
import type { BlockedLoop, Dump } from '../model.js';
import { assembleDump } from '../snapshot/dump-assembly.js';
import { describeLeaves } from '../snapshot/leaves.js';
import { lookupBudget, verdictOptions } from '../snapshot/snapshotter.js';
import { deriveWaitEdges } from '../snapshot/wait-edges.js';
import { refusedDump } from '../snapshot/memory-guard.js';
import { attachRefusal } from './target-memory.js';
import type { CdpClient } from './cdp-client.js';
import { openInspector } from './inspector-endpoint.js';
import { leaveTarget } from './leave-target.js';
import { probeMainThread, resumeMainThread } from './main-thread.js';
import { readProcessFacts } from './process-facts.js';
import { LookupBudget } from './remote-facts.js';
import { buildNodesOverSession } from './remote-graph.js';
import { takeRemoteHeapSnapshot } from './remote-heap.js';
import { checkProcess, DEFAULT_INSPECTOR_PORT, inspectorFlagsOf } from './target-process.js';

/** Options of {@link attachSnapshot}. */
export interface AttachOptions {
  /**
   * The target's inspector port. Default: the port of its `--inspect-port` / `--inspect`
   * flag (command line, then `NODE_OPTIONS`), else 9229.
   */
  port?: number;
  /**
   * How long to wait for the inspector to open after `SIGUSR1` and for each answer of the
   * target, ms (default 10 000). The heap snapshot may take longer: it is allowed at least two
   * minutes, and as long as chunks keep coming.
   */
  timeoutMs?: number;
}

/** Default of {@link AttachOptions.timeoutMs}. */
export const DEFAULT_ATTACH_TIMEOUT_MS = 10_000;

/** What attach mode cannot see, said in every attached dump. */
const ATTACH_WARNINGS = [
  'attached through the inspector: the graph and await lines come from a heap snapshot of the target; ' +
    'chains nothing references any more were garbage-collected before it and are not shown',
  'a dump covers the main thread only: worker threads are not attached',
];

/**
 * Dumps the wait-for graph of another Node.js process — one started without awaitwhat —
 * without restarting it.
 *
 * Opens the target's inspector if it is not listening (`SIGUSR1`; the target prints
 * "Debugger listening on ws://127.0.0.1:<port>/…" on its stderr), connects to it on
 * 127.0.0.1 and checks it is `pid`'s, takes a heap snapshot remotely and rebuilds what waits
 * on what, with each task's exact await line (`[[GeneratorLocation]]`). If the main thread is
 * running JavaScript (a blocked event loop), `dump.blockedLoop` holds its stack and the heap
 * snapshot is taken while it is paused. The target is left as found: resumed, debugger
 * disabled, and the inspector closed again if this call opened it.
 *
 * Without awaitwhat's hook layer in the target there are no waiting times; chains already
 * garbage-collected are gone. `dump.source` is `'attached'`, `dump.trigger` `'cli'`, and the
 * warnings say what could not be seen. Details: docs/attach.md.
 *
 * @param pid - the target process (same user, same host)
 * @param options - inspector port and time limits, see {@link AttachOptions}
 * @returns the dump, in the same format as an in-process one
 * @throws {@link AttachFailedError} (`AWAITWHAT_ATTACH_FAILED`) when the process does not
 *   exist, does not handle `SIGUSR1`, its inspector does not open or answer, or the port
 *   belongs to another process; {@link SnapshotFailedError} when the heap snapshot cannot be
 *   read.
 */
export async function attachSnapshot(pid: number, options: AttachOptions = {}): Promise<Dump> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_ATTACH_TIMEOUT_MS;
  checkProcess(pid);
  const flags = inspectorFlagsOf(pid);
  const port = options.port ?? flags.port ?? DEFAULT_INSPECTOR_PORT;
  if (!Number.isInteger(port) || port <= 0 || port > 65535) {
    throw new AttachFailedError(`cannot attach to pid ${pid}: inspector port ${port} is not usable (pass the port it listens on)`);
  }
  const opened = await openInspector(pid, port, timeoutMs);
  const { client } = opened;
  let paused = false;
  let notes: string[] = [];
  try {
    const dump = await dumpThroughSession(client, timeoutMs, (p) => (paused = p));
    paused = false;
    notes = await leaveTarget(client, { opened, openAtStart: flags.openAtStart, timeoutMs });
    dump.warnings.push(...notes);
    return dump;
  } catch (error) {
    if (paused) await resumeMainThread(client, timeoutMs).catch(() => undefined);
    if (notes.length === 0) await leaveTarget(client, { opened, openAtStart: flags.openAtStart, timeoutMs });
    if (error instanceof AwaitwhatError) throw error;
    throw new AttachFailedError(`attaching to pid ${pid} failed: ${(error as Error).message.split('\n', 1)[0]}`, { cause: error });
  }
}

/** The dump proper, on a verified session. `setPaused` tracks whether we hold the target. */
async function dumpThroughSession(client: CdpClient, timeoutMs: number, setPaused: (paused: boolean) => void): Promise<Dump> {
  const warnings: string[] = [...ATTACH_WARNINGS];
  const facts = await readProcessFacts(client, timeoutMs).catch((error: unknown) => {
    if (client.closed) throw error;
    throw new AttachFailedError(
      `the target's main thread did not answer within ${timeoutMs} ms: blocked outside JavaScript (a synchronous call, execSync, a long GC)?`,
      { cause: error },
    );
  });
  const scripts = new Map<string, string>();
  client.on('Debugger.scriptParsed', (p: { scriptId: string; url: string }) => scripts.set(p.scriptId, p.url));
  await client.send('Debugger.enable', {}, timeoutMs);

  const thread = await probeMainThread(client, facts, scripts, timeoutMs, warnings);
  setPaused(thread.paused);
  const blockedLoop: BlockedLoop | undefined = thread.blockedLoop;

  const refusal = await attachRefusal(client, facts.process.pid, timeoutMs);
  if (refusal) {
    if (thread.paused) await resumeMainThread(client, timeoutMs).then(() => setPaused(false));
    return refusedDump(refusal, { trigger: 'cli', process: facts.process, hooks: facts.hooks, source: 'attached', ...(blockedLoop ? { blockedLoop } : {}) });
  }
  const started = Date.now();
  const heap = await takeRemoteHeapSnapshot(client, timeoutMs);
  const raw = deriveWaitEdges(heap);
  describeLeaves(heap, raw.nodes.values(), facts.now);
  let durationMs = 0;
  const nodes = await buildNodesOverSession(client, heap, raw, {
    scripts,
    now: facts.now,
    hooks: facts.hooks,
    warnings,
    timeoutMs,
    budget: new LookupBudget(lookupBudget(process.env)),
    factsFetched: async () => {
      if (thread.paused) {
        await resumeMainThread(client, timeoutMs);
        setPaused(false);
      }
      durationMs = Date.now() - started;
    },
  });
  // Node's own functions are located by definition only, by design (graph-builder.ts).
  const unlocated = nodes.filter(
    (n) => (n.kind === 'async-function' || n.kind === 'async-generator') && !n.awaitLocation && !n.functionLocation?.url.startsWith('node:'),
  ).length;
  if (unlocated > 0 && !thread.paused) {
    warnings.push(
      `${unlocated} task(s) have no await line: the program kept running after the heap snapshot and they moved on or were collected before their lookup (or they were beyond the lookup limit)`,
    );
  }
  const dump = assembleDump({
    trigger: 'cli',
    process: facts.process,
    hooks: facts.hooks,
    nodes,
    warnings,
    durationMs,
    source: 'attached',
    verdicts: verdictOptions(process.env),
    ...(blockedLoop ? { blockedLoop } : {}),
  });
  dump.source = 'attached';
  if (blockedLoop) dump.blockedLoop = blockedLoop;
  return dump;
}
