/**
 * The main thread's side of a background dump's lookups: an inspector session on this
 * thread that answers the analysis worker's requests, relayed as messages.
 *
 * Why not let the worker connect to the main thread itself (`Session.connectToMainThread()`):
 * such a session keeps the main thread's inspector "in use". When the program exits while the
 * analysis runs, Node then prints "Waiting for the debugger to disconnect..." on the program's
 * stderr, and tearing the worker down in the wrong order aborts Node 20. A same-thread session
 * does neither: nothing outside the thread holds the inspector, so the program exits as it
 * would have, and the worker is stopped like any other.
 *
 * Each request is answered between two of the program's tasks (a message event), synchronously
 * (a same-thread session answers before `post` returns), with `process.exit` refused and the built-ins
 * as awaitwhat loaded them meanwhile (`exit-guard.ts`). Never throws into the program.
 */
import { createRequire } from 'node:module';
import { SnapshotFailedError } from '../errors.js';
import { dumpSection } from '../internal/exit-guard.js';
import { injectedFault, type FaultPhase } from '../internal/fault.js';
import { InspectorClient } from '../snapshot/inspector-client.js';
import type { MainMessage, WorkerMessage } from './protocol.js';

type InspectorModule = typeof import('node:inspector');

/** Loaded lazily: a Node built without the inspector must still be able to load awaitwhat. */
function loadInspector(): InspectorModule | undefined {
  try {
    return createRequire(import.meta.url)('node:inspector') as InspectorModule;
  } catch {
    return undefined;
  }
}

/** Answers one worker's inspector requests on this thread. Always {@link LookupService.close} it. */
export class LookupService {
  readonly #session: InspectorClient;
  readonly #reply: (message: MainMessage) => void;
  readonly #fault: FaultPhase | undefined;
  #closed = false;
  /** Events of the request being answered. */
  #events: Array<{ method: string; params: unknown }> = [];

  private constructor(session: InspectorClient, reply: (message: MainMessage) => void, fault: FaultPhase | undefined) {
    this.#session = session;
    this.#reply = reply;
    this.#fault = fault;
    // Events (`Debugger.scriptParsed`) arrive during `call`, before its answer: relayed with
    // it, in order (a message each would be one per script).
    session.onAny((method, params) => {
      if (!this.#closed) this.#events.push({ method, params });
    });
  }

  /**
   * Opens the session.
   * @throws {@link SnapshotFailedError} without an inspector, or if it refuses a session
   */
  static open(reply: (message: MainMessage) => void, fault?: FaultPhase): LookupService {
    const inspector = loadInspector();
    if (!inspector) throw new SnapshotFailedError('cannot open an inspector session: node:inspector is not available in this Node.js build');
    try {
      if (fault === 'inspector') throw new Error(injectedFault('inspector'));
      return new LookupService(InspectorClient.connect(inspector, undefined), reply, fault);
    } catch (error) {
      const cause = (error as Error).cause ?? error;
      throw new SnapshotFailedError(`cannot open an inspector session on the main thread: ${(cause as Error).message}`, { cause });
    }
  }

  /** Answers a request of the worker; never throws. */
  handle(message: WorkerMessage): void {
    if (message.type !== 'cdp') return;
    const { id, method, params } = message;
    if (this.#closed) {
      this.#send({ type: 'cdp-result', id, error: 'the main thread closed its inspector session', fatal: true });
      return;
    }
    if (this.#fault === 'lookup' && method === 'HeapProfiler.getObjectByHeapObjectId') {
      this.close();
      this.#send({ type: 'cdp-result', id, error: `the main thread stopped answering lookups: ${injectedFault('lookup')}`, fatal: true });
      return;
    }
    this.#events = [];
    try {
      const { value } = dumpSection(() => {
        const answer = this.#post(method, params);
        // The program runs between requests while the debugger is on: a `debugger;`
        // statement must not stop it (nothing would resume a same-thread pause). Skipped at
        // once, in the same turn, before any of the program's code can run.
        if (method === 'Debugger.enable') this.#post('Debugger.setSkipAllPauses', { skip: true });
        return answer;
      });
      this.#send({ type: 'cdp-result', id, result: value, events: this.#events });
    } catch (error) {
      this.#send({ type: 'cdp-result', id, error: (error as Error)?.message ?? String(error), events: this.#events });
    }
    this.#events = [];
  }

  /** Disconnects (the debugger and every object the lookups held are released); never throws. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#session.close();
  }

  #post(method: string, params: Record<string, unknown>): unknown {
    return this.#session.call(method, params) ?? {};
  }

  #send(message: MainMessage): void {
    try {
      this.#reply(message);
    } catch {
      // The worker is gone: its own end reports the failure.
    }
  }
}
