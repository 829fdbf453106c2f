/**
 * Finding and opening the target's inspector: query `http://127.0.0.1:<port>/json/list`, send
 * `SIGUSR1` if nothing listens yet, poll until the inspector answers, connect to its
 * WebSocket and check that it really is the target. Another process may own the port: on
 * Linux that is found out from `/proc` before anything is sent to it (`port-owner.ts`);
 * elsewhere only the session's `process.pid` can tell.
 */
import { request } from 'node:http';
import { CdpClient, oneLine } from './cdp-client.js';
import { AttachFailedError, InterruptedError } from '../errors.js';
import { ownPid } from '../internal/proc.js';
import { describeHolders, portOwnership } from './port-owner.js';
import { catchesSigusr1 } from './target-process.js';

/** One entry of `/json/list`. */
export interface InspectorTarget {
  id?: string;
  type?: string;
  title?: string;
  webSocketDebuggerUrl?: string;
}

/** A verified session on the target's inspector. */
export interface OpenedInspector {
  client: CdpClient;
  port: number;
  /** Whether the inspector was listening before we came (then it is left open). */
  wasOpen: boolean;
  /** Whether we sent `SIGUSR1`. */
  signalled: boolean;
}

/** How often to poll while the inspector opens, ms. */
const POLL_MS = 50;

/**
 * `GET /json/list` on 127.0.0.1. Resolves with the list, or `undefined` if nothing listens
 * (connection refused/reset); rejects with an {@link AttachFailedError} if something answers
 * that is not an inspector.
 */
export function listTargets(port: number, timeoutMs: number): Promise<InspectorTarget[] | undefined> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/json/list', method: 'GET', timeout: timeoutMs, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', () => resolve(undefined));
      res.on('end', () => {
        let list: unknown;
        try {
          list = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        } catch {
          list = undefined;
        }
        if (res.statusCode === 200 && Array.isArray(list)) resolve(list as InspectorTarget[]);
        else reject(new AttachFailedError(`127.0.0.1:${port} answers, but it is not a Node.js inspector (HTTP ${res.statusCode})`));
      });
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => resolve(undefined));
    req.end();
  });
}

/** Connects to the first debuggable target of the list and reads its `process.pid`. */
async function connectAndIdentify(list: InspectorTarget[], port: number, timeoutMs: number, verify: () => void): Promise<{ client: CdpClient; pid: number }> {
  const target = list.find((t) => typeof t.webSocketDebuggerUrl === 'string');
  if (!target) throw new AttachFailedError(`the inspector on 127.0.0.1:${port} lists no target to connect to (another debugger connected?)`);
  const client = await CdpClient.connect(target.webSocketDebuggerUrl!, timeoutMs);
  try {
    // The port could have changed hands between the check and the connection: check again
    // before the first evaluation.
    verify();
    const answer = await client.send<{ result: { value?: unknown } }>(
      'Runtime.evaluate',
      { expression: 'process.pid', returnByValue: true, silent: true },
      timeoutMs,
    );
    const pid = answer.result.value;
    if (typeof pid !== 'number') throw new AttachFailedError(`the inspector on 127.0.0.1:${port} is not a Node.js main thread`);
    return { client, pid };
  } catch (error) {
    await client.close();
    throw error;
  }
}

/** How {@link openInspector} should behave. */
export interface OpenInspectorOptions {
  /** What to tell the user when another process holds the port (one sentence: what to do). */
  advice?: string;
  /**
   * Stops waiting. Before `SIGUSR1` is sent, {@link openInspector} then gives up at once;
   * after it, it still waits (up to the deadline) for the inspector it caused to open, so that
   * the caller can close it again.
   */
  signal?: AbortSignal;
  /** Told once `SIGUSR1` was sent: from then on, whatever fails, the inspector may open. */
  onSignalled?: () => void;
}

/** The one-line refusal for a port another process holds. */
function heldByOther(pid: number, port: number, holders: readonly number[], advice: string | undefined): AttachFailedError {
  return new AttachFailedError(
    `127.0.0.1:${port} is held by ${describeHolders(holders)}, not by pid ${pid}: not connecting to it` + (advice ? `; ${advice}` : ''),
  );
}

/**
 * Checks, through `/proc`, who listens on the port: `'free'`, `'target'`, or `'unknown'` (not
 * Linux: then the `process.pid` check after connecting is all there is). Throws when another
 * process holds it, or when nothing can be verified on Linux.
 */
function checkOwner(pid: number, port: number, advice: string | undefined): 'free' | 'target' | 'unknown' {
  const owner = portOwnership(pid, port);
  if (owner.kind === 'other') throw heldByOther(pid, port, owner.holders, advice);
  if (owner.kind === 'unverifiable') {
    throw new AttachFailedError(`something listens on 127.0.0.1:${port}, but whether it is pid ${pid} cannot be checked (${owner.why}): not connecting to it`);
  }
  return owner.kind;
}

/**
 * Opens a verified session on `pid`'s inspector on `port`, sending `SIGUSR1` if it is not
 * listening yet. Gives up after `timeoutMs`. On Linux the listening socket must be one of
 * `pid`'s open files ({@link portOwnership}) before anything is sent to the port; the session
 * must then answer `process.pid` with `pid`'s own pid (its innermost `NSpid`, for a process in
 * a pid namespace).
 */
export async function openInspector(pid: number, port: number, timeoutMs: number, options: OpenInspectorOptions = {}): Promise<OpenedInspector> {
  const { advice, signal } = options;
  const deadline = Date.now() + timeoutMs;
  const left = (): number => Math.max(1, deadline - Date.now());
  const expectedPid = ownPid(pid);
  let signalled = false;
  for (;;) {
    if (signal?.aborted && !signalled) throw new InterruptedError(`interrupted (${String(signal.reason)}) before pid ${pid} was signalled`);
    const owner = checkOwner(pid, port, advice);
    const list = owner === 'free' ? undefined : await listTargets(port, Math.min(left(), 2000));
    if (list) {
      const { client, pid: answered } = await connectAndIdentify(list, port, left(), () => checkOwner(pid, port, advice));
      if (answered === expectedPid) return { client, port, wasOpen: !signalled, signalled };
      await client.close();
      throw new AttachFailedError(`127.0.0.1:${port} is the inspector of pid ${answered}, not ${pid}: not using it; ${advice ?? 'pass the port its inspector listens on'}`);
    }
    if (!signalled) {
      if (catchesSigusr1(pid) === false) {
        throw new AttachFailedError(`pid ${pid} does not handle SIGUSR1 (not a Node.js process?): not signalling it`);
      }
      try {
        process.kill(pid, 'SIGUSR1');
      } catch (cause) {
        throw new AttachFailedError(`cannot send SIGUSR1 to pid ${pid}: ${oneLine((cause as Error).message)}`, { cause });
      }
      signalled = true;
      options.onSignalled?.();
      continue;
    }
    if (Date.now() >= deadline) {
      const interrupted = signal?.aborted ? `interrupted (${String(signal.reason)}); ` : '';
      throw new (signal?.aborted ? InterruptedError : AttachFailedError)(
        `${interrupted}the inspector of pid ${pid} did not open on 127.0.0.1:${port} within ${timeoutMs} ms after SIGUSR1 ` +
          `(inspector disabled, or main thread blocked outside JavaScript?)`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, Math.min(POLL_MS, left())));
  }
}

/**
 * A new verified session on `pid`'s inspector that is already open on `port` (never sends
 * `SIGUSR1`): for closing it again after the first session was dropped. `undefined` when
 * nothing listens any more.
 */
export async function reconnectInspector(pid: number, port: number, timeoutMs: number): Promise<CdpClient | undefined> {
  if (checkOwner(pid, port, undefined) === 'free') return undefined;
  const list = await listTargets(port, timeoutMs);
  if (!list) return undefined;
  const { client, pid: answered } = await connectAndIdentify(list, port, timeoutMs, () => checkOwner(pid, port, undefined));
  if (answered === ownPid(pid)) return client;
  await client.close();
  return undefined;
}
