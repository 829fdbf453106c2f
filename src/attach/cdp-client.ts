/**
 * An asynchronous Chrome DevTools Protocol client over a WebSocket (the `ws` package: Node 20
 * has no global `WebSocket`), for talking to another process's inspector.
 *
 * Requests are matched to answers by id; events go to listeners; every request has a timeout;
 * a closed connection fails every pending request at once. Failures are one-line
 * {@link AttachFailedError}s.
 */
import WebSocket from 'ws';
import { AttachFailedError } from '../errors.js';
import { EventListeners } from '../internal/event-listeners.js';
import { PendingCalls } from '../internal/pending-calls.js';
import type { AsyncSession } from '../snapshot/session.js';

/** Default time to wait for one answer, ms. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 10_000;

interface Message {
  id?: number;
  method?: string;
  params?: unknown;
  result?: unknown;
  error?: { code?: number; message?: string; data?: string };
}

/** A connected CDP session. Always {@link CdpClient.close} it. */
export class CdpClient {
  readonly #ws: WebSocket;
  readonly #pending = new PendingCalls({ peer: 'the inspector', error: (message) => new AttachFailedError(message) });
  readonly #listeners = new EventListeners();
  readonly #closed: Promise<void>;
  #closeReason: string | undefined;

  private constructor(ws: WebSocket) {
    this.#ws = ws;
    ws.on('message', (data) => this.#onMessage(data));
    this.#closed = new Promise((resolve) => {
      ws.once('close', () => {
        this.#closeReason ??= 'the inspector closed the connection';
        const reason = this.#closeReason;
        this.#pending.failAll((method) => new AttachFailedError(`${method}: ${reason}`));
        resolve();
      });
    });
    ws.on('error', (err) => {
      this.#closeReason ??= `inspector connection error: ${err.message}`;
    });
  }

  /** Opens a session on `url` (a `webSocketDebuggerUrl`). */
  static connect(url: string, timeoutMs = DEFAULT_REQUEST_TIMEOUT_MS): Promise<CdpClient> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, { handshakeTimeout: timeoutMs, perMessageDeflate: false, maxPayload: 1024 * 1024 * 1024 });
      const fail = (err: Error): void => {
        ws.removeAllListeners();
        ws.on('error', () => {});
        ws.terminate();
        reject(new AttachFailedError(`cannot connect to the inspector at ${url}: ${oneLine(err.message)}`, { cause: err }));
      };
      ws.once('error', fail);
      ws.once('open', () => {
        ws.off('error', fail);
        resolve(new CdpClient(ws));
      });
    });
  }

  /**
   * This connection as the dump pipeline's session (`snapshot/session.ts`), every request with
   * the deadline `timeoutMs`.
   */
  session(timeoutMs: number): AsyncSession {
    return pipelineSession(this, timeoutMs);
  }

  /** Whether the connection is closed (by either side). */
  get closed(): boolean {
    return this.#ws.readyState === WebSocket.CLOSED || this.#ws.readyState === WebSocket.CLOSING;
  }

  /** Resolves when the connection has closed, whoever closed it. */
  get whenClosed(): Promise<void> {
    return this.#closed;
  }

  /**
   * Sends `method` and resolves with its result. Rejects with an {@link AttachFailedError} if
   * the inspector answers with an error, does not answer within `timeoutMs`, or the connection
   * closes first.
   */
  send<T = Record<string, unknown>>(method: string, params?: object, timeoutMs = DEFAULT_REQUEST_TIMEOUT_MS): Promise<T> {
    if (this.closed) return Promise.reject(new AttachFailedError(`${method}: ${this.#closeReason ?? 'the inspector connection is closed'}`));
    return this.#pending.call<T>(method, timeoutMs, (id) => {
      this.#ws.send(JSON.stringify({ id, method, params: params ?? {} }), (err) => {
        if (err) this.#pending.take(id)?.reject(new AttachFailedError(`cannot send ${method} to the inspector: ${oneLine(err.message)}`, { cause: err }));
      });
    });
  }

  /**
   * Extends the deadline of the pending request `method` (the oldest one) by `timeoutMs` from
   * now: for long requests that show progress through events (heap snapshot chunks).
   */
  extendDeadline(method: string, timeoutMs: number): void {
    this.#pending.extendDeadline(method, timeoutMs);
  }

  /** Listens to an event; returns a function that stops listening. */
  on(event: string, listener: (params: any) => void): () => void {
    return this.#listeners.on(event, listener);
  }

  /** Resolves with the next `event`'s params, or `undefined` after `timeoutMs` or on close. */
  waitFor<T = any>(event: string, timeoutMs: number): Promise<T | undefined> {
    return new Promise((resolve) => {
      let stop = (): void => {};
      const timer = setTimeout(() => {
        stop();
        resolve(undefined);
      }, timeoutMs);
      stop = this.on(event, (params: T) => {
        clearTimeout(timer);
        stop();
        resolve(params);
      });
      void this.#closed.then(() => {
        clearTimeout(timer);
        stop();
        resolve(undefined);
      });
    });
  }

  /** Closes the connection and waits (briefly) until it is closed; never throws. */
  async close(timeoutMs = 2000): Promise<void> {
    if (this.#ws.readyState === WebSocket.CLOSED) return;
    this.#closeReason ??= 'the inspector connection was closed';
    try {
      this.#ws.close();
    } catch {
      // closing a socket that never opened
    }
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.#closed, new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)))]);
    clearTimeout(timer);
    if ((this.#ws.readyState as number) !== WebSocket.CLOSED) this.#ws.terminate();
  }

  #onMessage(data: WebSocket.RawData): void {
    let message: Message;
    try {
      message = JSON.parse(data.toString()) as Message;
    } catch {
      return; // not CDP: ignore
    }
    if (typeof message.id === 'number') {
      const entry = this.#pending.take(message.id);
      if (!entry) return; // timed out already
      if (message.error) {
        entry.reject(new AttachFailedError(`${entry.method} failed: ${oneLine(message.error.message ?? 'inspector error')}`));
      } else {
        entry.resolve(message.result ?? {});
      }
      return;
    }
    if (typeof message.method === 'string') this.#listeners.emit(message.method, message.params ?? {});
  }
}

/** What {@link pipelineSession} needs of a CDP connection: a main thread's or a worker's. */
export type CdpPeer = Pick<CdpClient, 'send' | 'on' | 'closed'>;

/** `peer` as the dump pipeline's session, every request with the deadline `timeoutMs`. */
export function pipelineSession(peer: CdpPeer, timeoutMs: number): AsyncSession {
  return {
    call: (method, params) => peer.send(method, params, timeoutMs),
    on: (event, listener) => peer.on(event, listener),
    get closed() {
      return peer.closed;
    },
  };
}

/** The first line of a message, for one-line errors. */
export function oneLine(text: string): string {
  return text.split('\n', 1)[0]!.trim();
}
