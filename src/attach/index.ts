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
 * 5. `target-config.ts`: the dump's configuration, from the target's environment;
 * 6. the dump pipeline every dump runs (`snapshot/pipeline.ts`), over this WebSocket, with
 *    `remote-heap.ts` as its capture step;
 * 7. `worker-sessions.ts`: each worker thread, through the `NodeWorker` domain, by the same pipeline;
 * 8. `leave-target.ts`: resume, disable, release, close what we opened.
 *    Once `SIGUSR1` is sent, every way out (failure, interruption) closes the inspector it
 *    opens, also one that opens late (`late-inspector.ts`), or says how to.
 *
 * @packageDocumentation
 */
import { AttachFailedError, AwaitwhatError, InterruptedError, SnapshotFailedError } from '../errors.js';
import type { BlockedLoop, Dump, GraphNode } from '../model.js';
import { refusedDump } from '../snapshot/memory-guard.js';
import { LOOKUP_LIMIT } from '../snapshot/object-facts.js';
import { dumpSteps } from '../snapshot/pipeline.js';
import { perform, runAsync } from '../snapshot/session.js';
import { attachRefusal } from './target-memory.js';
import type { CdpClient } from './cdp-client.js';
import { openInspector, reconnectInspector } from './inspector-endpoint.js';
import { leaveTarget, mayStillListen, type Left, type LeaveOptions } from './leave-target.js';
import { closeWhenOpen, LATE_OPEN_GRACE_MS, type LateClose } from './late-inspector.js';
import { probeMainThread, resumeMainThread } from './main-thread.js';
import { readProcessFacts } from './process-facts.js';
import { takeRemoteHeapSnapshot } from './remote-heap.js';
import { attachWorkerGraphs } from './worker-sessions.js';
import { joinThreads } from '../graph/thread-join.js';
import { targetConfig } from './target-config.js';
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
  /**
   * Stops the dump (e.g. on SIGINT). Whatever it opened is closed first: the inspector it
   * opened with `SIGUSR1` (waiting, up to `timeoutMs`, for one that is still opening), a pause
   * it holds. It then rejects with an {@link InterruptedError} saying what was left how.
   */
  signal?: AbortSignal;
  /**
   * Hears a line when the command has to linger: `SIGUSR1` was sent and the inspector has not
   * opened (or could not be closed) yet, and is waited for to be closed again.
   */
  note?: (line: string) => void;
}

/** Default of {@link AttachOptions.timeoutMs}. */
export const DEFAULT_ATTACH_TIMEOUT_MS = 10_000;

/** What attach mode cannot see, said in every attached dump. */
const ATTACH_WARNINGS = [
  'attached through the inspector: the graph and await lines come from a heap snapshot of the target; ' +
    'chains nothing references any more were garbage-collected before it and are not shown',
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
 *   read; {@link InterruptedError} when `options.signal` aborted it.
 */
export async function attachSnapshot(pid: number, options: AttachOptions = {}): Promise<Dump> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_ATTACH_TIMEOUT_MS;
  const { signal } = options;
  checkProcess(pid);
  const flags = inspectorFlagsOf(pid);
  const port = options.port ?? flags.port ?? DEFAULT_INSPECTOR_PORT;
  if (!Number.isInteger(port) || port <= 0 || port > 65535) {
    throw new AttachFailedError(`cannot attach to pid ${pid}: inspector port ${port} is not usable (pass the port it listens on)`);
  }
  const origin = options.port !== undefined ? 'option' : flags.port !== undefined ? 'flag' : 'default';
  // Once SIGUSR1 is sent, no way out of here may leave the inspector it opens (late) open.
  let signalled = false;
  const late = (seenOpen: boolean): Promise<LateClose> =>
    closeWhenOpen(pid, port, Math.max(timeoutMs, LATE_OPEN_GRACE_MS), seenOpen, options.note);
  const opened = await openInspector(pid, port, timeoutMs, {
    advice: portAdvice(pid, port, origin),
    ...(signal ? { signal } : {}),
    onSignalled: () => (signalled = true),
  }).catch(async (error: unknown) => {
    if (signalled && !flags.openAtStart && error instanceof Error) error.message += `; ${(await late(false)).line}`;
    throw error;
  });
  const { client } = opened;
  const leave = { opened, openAtStart: flags.openAtStart, timeoutMs };
  const ours = opened.signalled && !opened.wasOpen && !flags.openAtStart;
  /** Leaves the target; an inspector we opened that stays open is retried until closed (bounded). */
  const leaveClosing = async (leaving: Promise<Left>): Promise<{ notes: string[]; open?: string }> => {
    const left = await leaving;
    const { notes } = left;
    if (!ours || !mayStillListen(left)) return { notes };
    const retried = await late(true);
    return retried.closed ? { notes: [retried.line] } : { notes: [retried.line], open: retried.line };
  };
  if (signal?.aborted) throw interrupted(pid, signal, (await leaveClosing(leaveTarget(client, leave))).notes);
  let paused = false;
  let notes: string[] = [];
  const abort = whenAborted(signal);
  // Then each worker thread, through the main session's NodeWorker domain (worker-sessions.ts).
  const work = dumpThroughSession(client, timeoutMs, (p) => (paused = p)).then(async (dump) =>
    dump.refused ? dump : joinThreads(dump, await attachWorkerGraphs(client, dump, timeoutMs)),
  );
  work.catch(() => undefined); // after an interruption nobody awaits it any more
  try {
    const dump = await Promise.race([work, abort.promise]);
    paused = false;
    notes = (await leaveClosing(leaveTarget(client, leave))).notes;
    dump.warnings.push(...notes);
    return dump;
  } catch (error) {
    if (signal?.aborted) {
      // The dump may be half-way (a heap snapshot streaming, lookups in flight): dropping our
      // session fails all of it at once and lets a paused target run again (a session that
      // goes away resumes what it paused); the inspector is then closed through a new one.
      await client.close();
      throw interrupted(pid, signal, (await leaveClosing(leaveThroughNewSession(pid, leave))).notes);
    }
    if (paused) await resumeMainThread(client, timeoutMs).catch(() => undefined);
    // Whatever failed, the inspector we opened is closed (or we say it is not, and how to close it).
    const left: { open?: string } = notes.length === 0 ? await leaveClosing(leaveTarget(client, leave)) : {};
    const open = left.open !== undefined ? `; ${left.open}` : '';
    if (error instanceof AwaitwhatError) {
      error.message += open;
      throw error;
    }
    throw new AttachFailedError(`attaching to pid ${pid} failed: ${(error as Error).message.split('\n', 1)[0]}${open}`, { cause: error });
  } finally {
    abort.dispose();
  }
}

/** What to do when another process holds the port, by where the port came from. */
function portAdvice(pid: number, port: number, origin: 'option' | 'flag' | 'default'): string {
  if (origin === 'option') return `pass the port pid ${pid}'s inspector listens on`;
  if (origin === 'flag') {
    return `pid ${pid} was started with inspector port ${port}, so its inspector can only open there: stop the other process, or restart pid ${pid} with another --inspect-port`;
  }
  return (
    `pid ${pid} has no --inspect-port, so its inspector opens on the default ${port}: stop the other process, or restart pid ${pid} with --inspect-port=<free port>; ` +
    'if its inspector already listens on another port, pass that port (--port)'
  );
}

/** A promise that rejects once `signal` aborts (never otherwise), and a way to stop listening. */
function whenAborted(signal: AbortSignal | undefined): { promise: Promise<never>; dispose: () => void } {
  let dispose = (): void => {};
  const promise = new Promise<never>((_, reject) => {
    if (!signal) return;
    const onAbort = (): void => reject(new InterruptedError(`interrupted (${String(signal.reason)})`));
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    dispose = () => signal.removeEventListener('abort', onAbort);
  });
  promise.catch(() => undefined); // handled by the race; never unhandled after it
  return { promise, dispose };
}

/** Closes the inspector we opened through a fresh session (the dump's session is gone). */
async function leaveThroughNewSession(pid: number, leave: LeaveOptions): Promise<Left> {
  const { opened } = leave;
  if (!opened.signalled || opened.wasOpen || leave.openAtStart) {
    return { notes: [`the target's inspector was already open on 127.0.0.1:${opened.port}; it stays open`], inspector: 'wasOpen' };
  }
  const client = await reconnectInspector(pid, opened.port, Math.min(leave.timeoutMs, 5000)).catch(() => undefined);
  if (!client) {
    const note = `SIGUSR1 opened the target's inspector on 127.0.0.1:${opened.port} and it could not be reached again to close it: it stays open (local connections only)`;
    return { notes: [note], inspector: 'unreachable' };
  }
  return leaveTarget(client, leave);
}

/** The interruption, with what was done about the target. */
function interrupted(pid: number, signal: AbortSignal, notes: string[]): InterruptedError {
  return new InterruptedError(`interrupted (${String(signal.reason)}) while attached to pid ${pid}; ${notes.join('; ')}`);
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
  let paused = thread.paused;
  return runAsync(
    dumpSteps({
      trigger: 'cli',
      process: facts.process,
      hooks: facts.hooks,
      now: facts.now,
      // The target's thresholds, not this process's.
      config: targetConfig(facts.process.pid),
      scripts,
      warnings,
      capture: perform(() => takeRemoteHeapSnapshot(client, timeoutMs)),
      lookupsPerRound: LOOKUP_LIMIT,
      lookupsDone: () =>
        perform(async () => {
          if (!paused) return;
          await resumeMainThread(client, timeoutMs);
          paused = false;
          setPaused(false);
        }),
      notes: (nodes) => (thread.paused ? [] : movedOn(nodes)),
      pause: { kind: 'until-lookups-done' },
      worker: false,
      source: 'attached',
      ...(blockedLoop ? { blockedLoop } : {}),
    }),
    client.session(timeoutMs),
  );
}

/** The warning about tasks without an await line, when the target ran on after its snapshot. */
function movedOn(nodes: GraphNode[]): string[] {
  // Node's own functions are located by definition only, by design (graph-builder.ts).
  const unlocated = nodes.filter(
    (n) => (n.kind === 'async-function' || n.kind === 'async-generator') && !n.awaitLocation && !n.functionLocation?.url.startsWith('node:'),
  ).length;
  return unlocated > 0
    ? [
        `${unlocated} task(s) have no await line: the program kept running after the heap snapshot and they moved on or were collected before their lookup (or they were beyond the lookup limit)`,
      ]
    : [];
}
