/**
 * Is the target's main thread running JavaScript right now (a blocked event loop), and if so,
 * where? Found with `Debugger.pause`, checked against the event loop's idle time:
 *
 * - inspector messages reach a main thread that runs JavaScript through a V8 interrupt, so
 *   `Debugger.pause` stops it at once, inside the running code: its call frames are the
 *   answer. An interrupt does not let the loop wait for I/O, so the loop's idle time
 *   (`performance.eventLoopUtilization().idle`) is the same before and while paused;
 * - on an idle thread `Debugger.pause` only arms "pause on the next call": nothing pauses, and
 *   the next JavaScript to run would (a timer callback, or even our own `Runtime.evaluate`).
 *   `Debugger.resume` cannot cancel that ("Can only perform operation while paused");
 *   `Debugger.disable` does, so an idle thread gets `Debugger.disable` + `Debugger.enable`.
 *   Had a callback started in the waiting window, the pause stops it at its start, after the
 *   loop waited for I/O: the idle time has grown, and that is not a blocked loop.
 *
 * How long the loop had been blocked before we looked is not knowable from outside (Node 20
 * exposes no "last loop turn" time). `blockedMs` is what was observed: the time since our first
 * probe, during which the loop did not wait for I/O — a lower bound.
 */
import type { BlockedLoop } from '../model.js';
import { fromCallFrame, type CdpCallFrame } from '../internal/stack-frames.js';
import type { CdpClient } from './cdp-client.js';
import { readClock, type ClockProbe } from './process-facts.js';

/** How long an idle-looking thread gets to pause (a busy one gets the whole request timeout). */
export const PAUSE_WINDOW_MS = 300;

/** What the probe found. */
export interface MainThreadState {
  /** The main thread is paused by us now: resume it with {@link resumeMainThread}. */
  paused: boolean;
  /** Set when the thread was running JavaScript and the loop had not turned. */
  blockedLoop?: BlockedLoop;
}

/**
 * Probes the main thread. `first` is the probe taken when the session began; `scripts` maps
 * script ids to URLs (from `Debugger.scriptParsed`; the debugger must be enabled).
 */
export async function probeMainThread(
  client: CdpClient,
  first: ClockProbe,
  scripts: Map<string, string>,
  timeoutMs: number,
  warnings: string[],
): Promise<MainThreadState> {
  // Interrupt-dispatched requests leave the idle time unchanged: a hint that the thread is
  // busy, so the pause deserves more than the short window.
  const second = await readClock(client, timeoutMs);
  const looksBusy = second.idle === first.idle;
  const pausedEvent = client.waitFor<{ callFrames: CdpCallFrame[] }>('Debugger.paused', looksBusy ? timeoutMs : PAUSE_WINDOW_MS);
  await client.send('Debugger.pause', {}, timeoutMs);
  const paused = await pausedEvent;
  if (!paused) {
    await cancelPendingPause(client, timeoutMs, warnings);
    if (looksBusy) warnings.push('the main thread looked busy (no idle time between two probes) but did not pause: it may be in native code');
    return { paused: false };
  }
  const during = await readClock(client, timeoutMs);
  if (during.idle !== first.idle) return { paused: true }; // a callback that had just started
  const blockedMs = Math.max(0, Math.round(during.now - first.now));
  warnings.push(
    `the main thread was running JavaScript and its event loop did not wait for I/O during the ${blockedMs} ms awaitwhat watched it; ` +
      'blockedLoop.blockedMs is that lower bound (when the loop last turned is not known from outside); ' +
      'a loop kept busy by setImmediate or I/O callbacks without ever idling looks the same',
  );
  return { paused: true, blockedLoop: { blockedMs, stack: paused.callFrames.map((f) => fromCallFrame(f, scripts)) } };
}

/** Lets a thread paused by {@link probeMainThread} run again. */
export async function resumeMainThread(client: CdpClient, timeoutMs: number): Promise<void> {
  await client.send('Debugger.resume', {}, timeoutMs);
}

/**
 * Cancels an armed "pause on next call" (`Debugger.disable` clears it, and resumes a pause that
 * slipped in meanwhile), re-enables the debugger, and checks that a small evaluation runs
 * without pausing.
 */
async function cancelPendingPause(client: CdpClient, timeoutMs: number, warnings: string[]): Promise<void> {
  await client.send('Debugger.disable', {}, timeoutMs);
  await client.send('Debugger.enable', {}, timeoutMs);
  let pausedLate = false;
  const stop = client.on('Debugger.paused', () => {
    pausedLate = true;
    client.send('Debugger.resume', {}, timeoutMs).catch(() => {});
  });
  try {
    await readClock(client, timeoutMs);
  } finally {
    stop();
  }
  if (pausedLate) warnings.push('a pending pause stopped the program after the probe; it was resumed');
}
