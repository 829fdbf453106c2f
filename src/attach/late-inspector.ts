/**
 * Closing an inspector that `SIGUSR1` opened after attach mode gave up on it, or that could not
 * be closed at the first try.
 *
 * `SIGUSR1` does not open the inspector at once: Node opens it when the target's main thread
 * next runs JavaScript (an interrupt) or turns its loop. A thread inside a long native call (a
 * heap snapshot, `execSync`, a synchronous read of a slow disk) opens it only afterwards,
 * possibly long after the attach timed out; and closing it needs an evaluation on that same
 * thread. So whenever we sent `SIGUSR1` and the dump ends without having closed the inspector
 * again, we wait, for a bounded time, for the port to show the target's inspector, and close it
 * through a new session (`leave-target.ts`). What cannot be done in that time is said in one
 * sentence, with how to close it by hand.
 */
import { processExists } from '../internal/proc.js';
import { reconnectInspector, listTargets } from './inspector-endpoint.js';
import { leaveTarget } from './leave-target.js';
import { portOwnership } from './port-owner.js';

/** The least time given to an inspector that opens late, ms (the attach timeout if longer). */
export const LATE_OPEN_GRACE_MS = 30_000;

/** How often the port is looked at meanwhile, ms. */
const POLL_MS = 100;

/** How {@link closeWhenOpen} ended. */
export interface LateClose {
  /** Whether the target's inspector is closed (or never opened, its process gone). */
  closed: boolean;
  /** One sentence for the user: what was done, or what is left open and how to close it. */
  line: string;
}

/** Whether anything answers as an inspector on the port now. */
async function listening(port: number): Promise<boolean> {
  return (await listTargets(port, 2000).catch(() => undefined)) !== undefined;
}

/** How to close the inspector by hand: it is the program's own `inspector.close()`. */
function byHand(pid: number, port: number): string {
  return (
    `pid ${pid}'s inspector may be (or become) open on 127.0.0.1:${port} (local connections only) until it exits; ` +
    `to close it, evaluate require('node:inspector').close() in it from any inspector client (e.g. chrome://inspect)`
  );
}

/**
 * Waits up to `graceMs` for `pid`'s inspector on `port` to be open (when `seenOpen` is false, a
 * free port means "not open yet"; when true, "closed"), and closes it. Never throws. `note`
 * hears one line when the wait starts, so that a person knows why the command lingers.
 */
export async function closeWhenOpen(
  pid: number,
  port: number,
  graceMs: number,
  seenOpen: boolean,
  note?: (line: string) => void,
): Promise<LateClose> {
  const deadline = Date.now() + graceMs;
  const left = (): number => Math.max(1, deadline - Date.now());
  let announced = false;
  for (;;) {
    if (!processExists(pid)) return { closed: true, line: `pid ${pid} exited; nothing is left open` };
    const owner = portOwnership(pid, port);
    if (owner.kind === 'other') {
      return { closed: true, line: `127.0.0.1:${port} is held by another process, so pid ${pid}'s inspector cannot open there` };
    }
    const open = owner.kind === 'target' || (owner.kind !== 'free' && (await listening(port)));
    if (!open && seenOpen) return { closed: true, line: `SIGUSR1 opened pid ${pid}'s inspector on 127.0.0.1:${port}; it was closed again` };
    if (open) {
      seenOpen = true;
      const client = await reconnectInspector(pid, port, Math.min(left(), 5000)).catch(() => undefined);
      const leaving = client && (await leaveTarget(client, { opened: { client, port, wasOpen: false, signalled: true }, openAtStart: false, timeoutMs: Math.min(left(), 5000) }));
      // leaveTarget has looked at the port after closing; without a session, look here.
      const closed = leaving ? leaving.inspector === 'closed' : !(await listening(port));
      if (closed) return { closed: true, line: `SIGUSR1 opened pid ${pid}'s inspector on 127.0.0.1:${port}; it was closed again` };
    }
    if (Date.now() >= deadline) {
      const what = seenOpen ? 'its main thread did not answer to close it' : 'it did not open';
      return { closed: false, line: `SIGUSR1 was sent to pid ${pid} and within ${Math.round(graceMs / 1000)} s more ${what}: ${byHand(pid, port)}` };
    }
    if (!announced && note) {
      announced = true;
      note(
        seenOpen
          ? `pid ${pid}'s inspector on 127.0.0.1:${port} could not be closed yet (its main thread is busy); retrying for up to ${Math.round(graceMs / 1000)} s`
          : `SIGUSR1 was sent to pid ${pid} and its inspector has not opened yet; waiting up to ${Math.round(graceMs / 1000)} s for it, to close it again (Ctrl-C twice stops waiting, leaving it to open later)`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, Math.min(POLL_MS, left())));
  }
}
