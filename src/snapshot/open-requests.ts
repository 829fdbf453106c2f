/**
 * The HTTP requests still open at the dump, read from the heap snapshot alone (no hook, no
 * per-request bookkeeping: nothing on the program's hot path).
 *
 * - A **server** request is an `http.ServerResponse` whose `finished` is false (`res.end()`
 *   not called); its `req` (the `IncomingMessage`) gives method and URL.
 * - A **client** request is an `http.ClientRequest` not destroyed whose response has not
 *   ended: none arrived (`res` is `null`), or its `IncomingMessage` is not `complete`.
 * - A **fetch** request is undici's `Request` (what the global `fetch` sends), neither
 *   `completed` nor `aborted`.
 *
 * Their age is known only where Node wrote a time down: the start time it records for an
 * `http` `PerformanceObserver` (`ageMs`), or the socket's armed timeout timer, whose start is
 * its last activity (`idleMs`, a lower bound of the age). Whether anyone waits for them is
 * decided in `request-holders.ts`.
 */
import type { RequestKind } from '../model.js';
import type { HeapGraph } from './heap-graph.js';
import { booleanProperty, numberProperty, objectProperty, stringProperty } from './heap-values.js';

/** An open request, in heap terms. */
export interface OpenRequest {
  kind: RequestKind;
  /** The objects that are the request (response and request, or the client request and its response). */
  parts: number[];
  /** Its socket, when it has one: whose live state the dump reads. */
  socket?: number;
  /** The HTTP method, when the request object holds it. */
  method?: string;
  /** `req.url` (server); host and path (client); origin and path (fetch). */
  url: string;
  /** Since Node recorded its start (an `http` `PerformanceObserver` was active), ms. */
  ageMs?: number;
  /** Since its socket's timeout timer was last refreshed (its last activity), ms. */
  idleMs?: number;
  /** How far it got. */
  progress: Record<string, boolean>;
  /** The closure that answers it: the server's `'request'` listener, the `'response'` callback. */
  handler?: number;
}

/** Every open HTTP request of the heap, in heap order. */
export function findOpenRequests(heap: HeapGraph, now: number): OpenRequest[] {
  const reader = new RequestReader(heap, now);
  const found: OpenRequest[] = [];
  for (let i = 0; i < heap.nodeCount; i++) {
    if (heap.type(i) !== 'object') continue;
    const name = heap.name(i);
    const request =
      name === 'ServerResponse' ? reader.server(i) : name === 'ClientRequest' ? reader.client(i) : name === 'Request' ? reader.fetch(i) : undefined;
    if (request) found.push(request);
  }
  return found;
}

class RequestReader {
  readonly #heap: HeapGraph;
  readonly #now: number;

  constructor(heap: HeapGraph, now: number) {
    this.#heap = heap;
    this.#now = now;
  }

  server(res: number): OpenRequest | undefined {
    const heap = this.#heap;
    if (booleanProperty(heap, res, 'finished') !== false) return undefined;
    const req = objectProperty(heap, res, 'req', 'IncomingMessage');
    const socket = objectProperty(heap, res, 'socket') ?? (req === undefined ? undefined : objectProperty(heap, req, 'socket'));
    const progress: Record<string, boolean> = {};
    const complete = req === undefined ? undefined : booleanProperty(heap, req, 'complete');
    if (complete !== undefined) progress.requestComplete = complete;
    const header = heap.edgeTo(res, '_header');
    progress.headersSent = header !== undefined && heap.type(header).includes('string');
    if (booleanProperty(heap, res, 'destroyed') === true) progress.destroyed = true;
    const method = req === undefined ? undefined : stringProperty(heap, req, 'method');
    const request: OpenRequest = { kind: 'server', parts: req === undefined ? [res] : [res, req], url: (req === undefined ? undefined : stringProperty(heap, req, 'url')) ?? '?', progress };
    if (method) request.method = method;
    if (socket !== undefined) request.socket = socket;
    const server = socket === undefined ? undefined : objectProperty(heap, socket, 'server');
    const handler = server === undefined ? undefined : this.#listener(server, 'request');
    if (handler !== undefined) request.handler = handler;
    this.#times(request, res, '<symbol ServerResponseStatistics>');
    return request;
  }

  client(clientRequest: number): OpenRequest | undefined {
    const heap = this.#heap;
    if (booleanProperty(heap, clientRequest, 'destroyed') === true) return undefined;
    const res = objectProperty(heap, clientRequest, 'res', 'IncomingMessage');
    const complete = res === undefined ? undefined : booleanProperty(heap, res, 'complete');
    if (complete === true) return undefined;
    const progress: Record<string, boolean> = { responseStarted: res !== undefined };
    const sent = booleanProperty(heap, clientRequest, 'finished');
    if (sent !== undefined) progress.requestSent = sent;
    const host = stringProperty(heap, clientRequest, 'host') ?? '';
    const path = stringProperty(heap, clientRequest, 'path') ?? '';
    const method = stringProperty(heap, clientRequest, 'method');
    const request: OpenRequest = { kind: 'client', parts: res === undefined ? [clientRequest] : [clientRequest, res], url: `${host}${path}` || '?', progress };
    if (method) request.method = method;
    const socket = objectProperty(heap, clientRequest, 'socket');
    if (socket !== undefined) request.socket = socket;
    const handler = this.#listener(clientRequest, 'response');
    if (handler !== undefined) request.handler = handler;
    this.#times(request, clientRequest, '<symbol ClientRequestStatistics>');
    return request;
  }

  /** undici's request: told from the fetch API's `Request` by its `origin` and `completed`. */
  fetch(node: number): OpenRequest | undefined {
    const heap = this.#heap;
    if (heap.edgeTo(node, 'origin') === undefined) return undefined;
    const completed = booleanProperty(heap, node, 'completed');
    if (completed !== false || booleanProperty(heap, node, 'aborted') === true) return undefined;
    const request: OpenRequest = { kind: 'fetch', parts: [node], url: `${stringProperty(heap, node, 'origin') ?? ''}${stringProperty(heap, node, 'path') ?? ''}` || '?', progress: {} };
    const method = stringProperty(heap, node, 'method');
    if (method) request.method = method;
    return request;
  }

  /** Age from Node's performance start time; idle time from the socket's timeout timer. */
  #times(request: OpenRequest, node: number, statistics: string): void {
    const heap = this.#heap;
    const stats = heap.edgeTo(node, statistics);
    const start = stats === undefined ? undefined : numberProperty(heap, stats, 'startTime');
    if (start !== undefined) request.ageMs = Math.max(0, Math.round(this.#now - start));
    const timer = request.socket === undefined ? undefined : objectProperty(heap, request.socket, '<symbol timeout>', 'Timeout');
    const idleStart = timer === undefined ? undefined : numberProperty(heap, timer, '_idleStart');
    // `_idleStart` is libuv's loop time, within milliseconds of `performance.now()`'s origin.
    if (idleStart !== undefined) request.idleMs = Math.max(0, Math.round(this.#now - idleStart));
  }

  /** The first listener of `event` on an emitter, unwrapped from `once`. */
  #listener(emitter: number, event: string): number | undefined {
    const heap = this.#heap;
    const events = heap.edgeTo(emitter, '_events');
    let listener = events === undefined ? undefined : heap.edgeTo(events, event);
    if (listener !== undefined && heap.type(listener) !== 'closure') listener = heap.edgeTo(listener, '0');
    if (listener === undefined || heap.type(listener) !== 'closure') return undefined;
    // `once` registers a bound wrapper whose `listener` property is the program's function.
    const wrapped = heap.edgeTo(listener, 'listener');
    return wrapped !== undefined && heap.type(wrapped) === 'closure' ? wrapped : listener;
  }
}
