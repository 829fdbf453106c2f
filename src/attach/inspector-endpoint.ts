/**
 * Finding and opening the target's inspector: query `http://127.0.0.1:<port>/json/list`, send
 * `SIGUSR1` if nothing listens yet, poll until the inspector answers, connect to its
 * WebSocket and check that it really is the target (`process.pid`): another Node process may
 * own the port.
 */
import { request } from 'node:http';
import { AttachFailedError } from '../errors.js';
import { CdpClient, oneLine } from './cdp-client.js';
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
async function connectAndIdentify(list: InspectorTarget[], port: number, timeoutMs: number): Promise<{ client: CdpClient; pid: number }> {
  const target = list.find((t) => typeof t.webSocketDebuggerUrl === 'string');
  if (!target) throw new AttachFailedError(`the inspector on 127.0.0.1:${port} lists no target to connect to (another debugger connected?)`);
  const client = await CdpClient.connect(target.webSocketDebuggerUrl!, timeoutMs);
  try {
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

/**
 * Opens a verified session on `pid`'s inspector on `port`, sending `SIGUSR1` if it is not
 * listening yet. Gives up after `timeoutMs`.
 */
export async function openInspector(pid: number, port: number, timeoutMs: number): Promise<OpenedInspector> {
  const deadline = Date.now() + timeoutMs;
  const left = (): number => Math.max(1, deadline - Date.now());
  let signalled = false;
  for (;;) {
    const list = await listTargets(port, Math.min(left(), 2000));
    if (list) {
      const { client, pid: owner } = await connectAndIdentify(list, port, left());
      if (owner === pid) return { client, port, wasOpen: !signalled, signalled };
      await client.close();
      throw new AttachFailedError(
        `port ${port} is the inspector of pid ${owner}, not ${pid}: start the target with --inspect-port=<free port> and pass that port`,
      );
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
      continue;
    }
    if (Date.now() >= deadline) {
      throw new AttachFailedError(
        `the inspector of pid ${pid} did not open on 127.0.0.1:${port} within ${timeoutMs} ms after SIGUSR1 (port in use, another host, inspector disabled, or main thread blocked outside JavaScript?)`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, Math.min(POLL_MS, left())));
  }
}
