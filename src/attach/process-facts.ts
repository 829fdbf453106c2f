/**
 * Facts about the target process, read with one `Runtime.evaluate` (by value, silent): its
 * identity, its clock (`performance.now()`, the time base of the hook layer's stamps), its
 * event loop's idle time (to tell a busy main thread from an idle one), and whether awaitwhat's
 * hook layer happens to be loaded in it.
 */
import { AttachFailedError } from '../errors.js';
import { HOOKS_STATE_KEY } from '../internal/protocol-strings.js';
import type { HookInfo, ProcessInfo } from '../model.js';
import type { CdpClient } from './cdp-client.js';

/** What one probe of the target returns. */
export interface ClockProbe {
  /** The target's `performance.now()`. */
  now: number;
  /**
   * The target's event-loop idle time so far (`performance.eventLoopUtilization().idle`), ms.
   * libuv adds to it only when the loop comes back from waiting for I/O: if it has not
   * changed between two probes, the loop did not wait for I/O in between.
   */
  idle: number;
}

/** Everything the first probe returns. */
export interface ProcessFacts extends ClockProbe {
  process: ProcessInfo;
  hooks: HookInfo;
}

const CLOCK = '{ now: performance.now(), idle: performance.eventLoopUtilization().idle }';

const FACTS = `(() => {
  const hooks = globalThis[Symbol.for(${JSON.stringify(HOOKS_STATE_KEY)})];
  return {
    pid: process.pid, argv: process.argv, cwd: process.cwd(), version: process.version,
    platform: process.platform, uptime: process.uptime(),
    hooks: !!hooks, creationStacks: !!(hooks && hooks.creationStacks),
    ...${CLOCK},
  };
})()`;

interface EvaluateAnswer {
  result: { value?: unknown };
  exceptionDetails?: { text?: string; exception?: { description?: string } };
}

/** Evaluates `expression` in the target's main context and returns its value. */
export async function evaluateValue<T>(client: Pick<CdpClient, 'send'>, expression: string, timeoutMs?: number): Promise<T> {
  const answer = await client.send<EvaluateAnswer>('Runtime.evaluate', { expression, returnByValue: true, silent: true }, timeoutMs);
  if (answer.exceptionDetails) {
    const text = answer.exceptionDetails.exception?.description ?? answer.exceptionDetails.text ?? 'exception';
    throw new AttachFailedError(`evaluating in the target failed: ${text.split('\n', 1)[0]}`);
  }
  return answer.result.value as T;
}

/** Reads the target's process facts, clock and hook state. */
export async function readProcessFacts(client: CdpClient, timeoutMs?: number): Promise<ProcessFacts> {
  const v = await evaluateValue<Record<string, unknown>>(client, FACTS, timeoutMs);
  if (!v || typeof v.pid !== 'number' || typeof v.now !== 'number') throw new AttachFailedError('the target returned no process facts');
  return {
    now: v.now,
    idle: typeof v.idle === 'number' ? v.idle : NaN,
    process: {
      pid: v.pid,
      argv: Array.isArray(v.argv) ? v.argv.map(String) : [],
      cwd: String(v.cwd ?? ''),
      nodeVersion: String(v.version ?? ''),
      platform: String(v.platform ?? ''),
      uptimeMs: Math.round(Number(v.uptime ?? 0) * 1000),
    },
    hooks: { installed: v.hooks === true, creationStacks: v.creationStacks === true },
  };
}

/** Reads the target's clock and event-loop idle time. */
export async function readClock(client: CdpClient, timeoutMs?: number): Promise<ClockProbe> {
  const v = await evaluateValue<ClockProbe>(client, `(${CLOCK})`, timeoutMs);
  return { now: Number(v.now), idle: Number(v.idle) };
}
