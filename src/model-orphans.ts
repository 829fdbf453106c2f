/**
 * The optional orphaned-requests section of a dump (issue 11, docs/diagnosis.md): HTTP
 * requests still open that no task waits for. Split from `model.ts` to keep each file
 * readable; `model.ts` re-exports everything here.
 *
 * @packageDocumentation
 */
import type { SourceLocation } from './model-location.js';

/**
 * What kind of request an orphan is:
 *
 * - `server`: a request this process received (an `http.IncomingMessage` /
 *   `http.ServerResponse` pair) whose response is not finished (`res.end()` not called);
 * - `client`: a request this process sent (`http.ClientRequest`) whose response has not
 *   ended (none arrived yet, or its body is not complete);
 * - `fetch`: a request of undici (the global `fetch`) still in flight.
 */
export const REQUEST_KINDS = ['server', 'client', 'fetch'] as const;
/** What kind of request an orphan is; see {@link REQUEST_KINDS}. */
export type RequestKind = (typeof REQUEST_KINDS)[number];

/**
 * An HTTP request open at the dump that no task waits for: no suspended task refers to it
 * from its frame, and no pending promise of the graph is settled through it. Whatever was to
 * answer it is gone (its handler's chain was collected) or is not a task (a callback).
 * Added without a version bump: optional, absent when none was found.
 */
export interface OrphanedRequest {
  kind: RequestKind;
  /** The HTTP method, when the request object holds it. */
  method?: string;
  /** `req.url` for a server request; host and path for a client one; origin and path for fetch. */
  url: string;
  /** One line for a person: what it is, how long it has been open, its socket's state. */
  description: string;
  /**
   * How long it has been open, ms: known only when Node recorded when it began (an `http`
   * `PerformanceObserver` was active), see docs/diagnosis.md.
   */
  ageMs?: number;
  /**
   * How long its socket has been idle, ms: from the socket's timeout timer, when one is armed
   * (`server.timeout`, a client's `timeout` option, `socket.setTimeout`). The request has been
   * open at least that long.
   */
  idleMs?: number;
  /**
   * Facts, primitives only: how far it got (`requestComplete`, `headersSent`,
   * `requestSent`, `responseStarted`…) and its socket's live state (addresses, bytes).
   */
  details?: Record<string, string | number | boolean>;
  /**
   * What would answer it: the server's `'request'` listener, or a client request's
   * `'response'` callback, when there is one.
   */
  handler?: RequestHandler;
  /**
   * The program's function, if any, that still refers to the request (a timer's or a
   * listener's callback, a function whose scope holds it), with the path from it: it may still
   * answer, but no task waits. Absent: nothing of the program refers to it any more, only
   * Node's own HTTP machinery.
   */
  heldBy?: { path: string[]; location?: SourceLocation };
}

/** A request's handler: the function that answers it, as the heap shows it. */
export interface RequestHandler {
  /** The function's name (`<anonymous>` when it has none). */
  name: string;
  /** Whether it is an `async` function: then its task, when gone, was collected. */
  async: boolean;
  /** Where it is defined. */
  location?: SourceLocation;
}
