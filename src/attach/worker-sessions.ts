/**
 * Attach mode's worker threads: the inspector's `NodeWorker` domain on the main thread's
 * session reaches every worker's own inspector session (`NodeWorker.enable` with
 * `waitForDebuggerOnStart: false`: one `NodeWorker.attachedToWorker` event per running worker,
 * none of them paused). Each worker's messages travel inside the main session
 * (`NodeWorker.sendMessageToWorker`, answers and events as `NodeWorker.receivedMessageFromWorker`),
 * and the same dump pipeline runs over them: a heap snapshot of that worker's isolate, its
 * wait edges, leaves and lookups. One worker at a time, after the main thread's dump.
 */
import { AttachFailedError } from '../errors.js';
import { EventListeners } from '../internal/event-listeners.js';
import { PendingCalls } from '../internal/pending-calls.js';
import type { Dump, ThreadGraph } from '../model.js';
import { LOOKUP_LIMIT } from '../snapshot/object-facts.js';
import { dumpSteps } from '../snapshot/pipeline.js';
import { perform, runAsync, type AsyncSession } from '../snapshot/session.js';
import { pipelineSession, type CdpClient } from './cdp-client.js';
import { evaluateValue } from './process-facts.js';
import { takeRemoteHeapSnapshot } from './remote-heap.js';
import { targetConfig } from './target-config.js';

/** What `NodeWorker.attachedToWorker` says of a worker. */
interface AttachedWorker {
  sessionId: string;
  workerInfo: { workerId: string; type?: string; title?: string; url?: string };
}

/** How long to wait for the `attachedToWorker` events after `NodeWorker.enable`, ms. */
const ATTACH_EVENTS_MS = 1000;

/** One worker's inspector session, tunnelled through the main thread's. */
export class WorkerSession {
  readonly #client: CdpClient;
  readonly #sessionId: string;
  readonly #pending = new PendingCalls({ peer: 'the worker thread', error: (message) => new AttachFailedError(message) });
  readonly #listeners = new EventListeners();
  readonly #stop: () => void;
  #gone = false;

  constructor(client: CdpClient, sessionId: string) {
    this.#client = client;
    this.#sessionId = sessionId;
    const stopMessages = client.on('NodeWorker.receivedMessageFromWorker', (p: { sessionId: string; message: string }) => {
      if (p.sessionId === sessionId) this.#onMessage(p.message);
    });
    const stopDetached = client.on('NodeWorker.detachedFromWorker', (p: { sessionId: string }) => {
      if (p.sessionId === sessionId) this.#failAll('the worker thread ended');
    });
    this.#stop = () => {
      stopMessages();
      stopDetached();
    };
  }

  /** Whether the worker (or the main session) is gone. */
  get closed(): boolean {
    return this.#gone || this.#client.closed;
  }

  /** This worker's session as the dump pipeline's. */
  session(timeoutMs: number): AsyncSession {
    return pipelineSession(this, timeoutMs);
  }

  /** Sends `method` to the worker and resolves with its result (as {@link CdpClient.send}). */
  send<T = Record<string, unknown>>(method: string, params?: object, timeoutMs = 10_000): Promise<T> {
    if (this.closed) return Promise.reject(new AttachFailedError(`${method}: the worker thread's session is gone`));
    return this.#pending.call<T>(method, timeoutMs, (id) => {
      const message = JSON.stringify({ id, method, params: params ?? {} });
      this.#client.send('NodeWorker.sendMessageToWorker', { sessionId: this.#sessionId, message }, timeoutMs).catch((error: Error) => this.#pending.take(id)?.reject(error));
    });
  }

  /** As {@link CdpClient.extendDeadline}. */
  extendDeadline(method: string, timeoutMs: number): void {
    this.#pending.extendDeadline(method, timeoutMs);
  }

  /** Listens to one of the worker's events; returns a function that stops listening. */
  on(event: string, listener: (params: any) => void): () => void {
    return this.#listeners.on(event, listener);
  }

  /** Stops listening and fails what is still pending. */
  dispose(): void {
    this.#stop();
    this.#failAll('the worker thread session was closed');
  }

  #onMessage(text: string): void {
    let message: { id?: number; method?: string; params?: unknown; result?: unknown; error?: { message?: string } };
    try {
      message = JSON.parse(text) as typeof message;
    } catch {
      return;
    }
    if (typeof message.id === 'number') {
      const entry = this.#pending.take(message.id);
      if (!entry) return;
      if (message.error) entry.reject(new AttachFailedError(`${entry.method} failed in the worker thread: ${message.error.message ?? 'error'}`));
      else entry.resolve(message.result ?? {});
    } else if (typeof message.method === 'string') {
      this.#listeners.emit(message.method, message.params);
    }
  }

  #failAll(reason: string): void {
    this.#gone = true;
    this.#pending.failAll((method) => new AttachFailedError(`${method}: ${reason}`));
  }
}

/**
 * Every worker thread's graph, through `NodeWorker`; `undefined` when the target has none. A
 * worker that cannot be dumped is a `failed` entry; this never throws for one worker's sake.
 */
export async function attachWorkerGraphs(client: CdpClient, main: Dump, timeoutMs: number): Promise<ThreadGraph[] | undefined> {
  const attached: AttachedWorker[] = [];
  const stop = client.on('NodeWorker.attachedToWorker', (p: AttachedWorker) => attached.push(p));
  try {
    await client.send('NodeWorker.enable', { waitForDebuggerOnStart: false }, timeoutMs);
    // The events for running workers follow the answer; a quiet moment says they are all in.
    await new Promise((resolve) => setTimeout(resolve, ATTACH_EVENTS_MS));
  } catch {
    return undefined;
  } finally {
    stop();
  }
  if (attached.length === 0) {
    await client.send('NodeWorker.disable', {}, timeoutMs).catch(() => undefined);
    return undefined;
  }
  const graphs: ThreadGraph[] = [];
  try {
    for (const worker of attached) graphs.push(await workerGraph(client, worker, main, timeoutMs));
  } finally {
    for (const worker of attached) await client.send('NodeWorker.detach', { sessionId: worker.sessionId }, timeoutMs).catch(() => undefined);
    await client.send('NodeWorker.disable', {}, timeoutMs).catch(() => undefined);
  }
  return graphs.sort((a, b) => a.threadId - b.threadId);
}

/** One worker's graph, by the dump pipeline over its tunnelled session. */
async function workerGraph(client: CdpClient, worker: AttachedWorker, main: Dump, timeoutMs: number): Promise<ThreadGraph> {
  const session = new WorkerSession(client, worker.sessionId);
  const url = worker.workerInfo.url;
  const base = { threadId: Number(worker.workerInfo.workerId), ...(url ? { filename: url } : {}) };
  try {
    const facts = await evaluateValue<{ threadId: number; now: number }>(
      session,
      `({ threadId: process.getBuiltinModule ? process.getBuiltinModule('worker_threads').threadId : require('worker_threads').threadId, now: performance.now() })`,
      timeoutMs,
    ).catch(() => evaluateValue<{ now: number }>(session, '({ now: performance.now() })', timeoutMs));
    const threadId = 'threadId' in facts && typeof facts.threadId === 'number' ? facts.threadId : base.threadId;
    const scripts = new Map<string, string>();
    session.on('Debugger.scriptParsed', (p: { scriptId: string; url: string }) => scripts.set(p.scriptId, p.url));
    await session.send('Debugger.enable', {}, timeoutMs);
    const dump = await runAsync(
      dumpSteps({
        trigger: 'cli',
        process: main.process,
        hooks: { installed: false, creationStacks: false },
        now: facts.now,
        config: targetConfig(main.process.pid),
        scripts,
        warnings: [],
        capture: perform(() => takeRemoteHeapSnapshot(session, timeoutMs)),
        lookupsPerRound: LOOKUP_LIMIT,
        pause: { kind: 'until-lookups-done' },
        worker: false,
        source: 'attached',
      }),
      session.session(timeoutMs),
    );
    await session.send('Debugger.disable', {}, timeoutMs).catch(() => undefined);
    // What the main thread's dump already says (attached, no hook layer) is not repeated.
    const warnings = dump.warnings.filter((w) => !main.warnings.includes(w));
    const graph: ThreadGraph = { ...base, threadId, status: 'answered', durationMs: dump.durationMs, nodes: dump.nodes, roots: dump.roots, cycles: dump.cycles, warnings };
    if (dump.verdicts) graph.verdicts = dump.verdicts;
    return graph;
  } catch (error) {
    return { ...base, status: 'failed', reason: `attaching to the worker failed: ${(error as Error).message.split('\n', 1)[0]}`, nodes: [], roots: [], cycles: [], warnings: [] };
  } finally {
    session.dispose();
  }
}
