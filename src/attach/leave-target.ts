/**
 * Leaving the target as it was found: the debugger disabled, awaitwhat's object group
 * released, the session closed — and the inspector closed again if awaitwhat opened it.
 *
 * Closing: `require('node:inspector').close()` evaluated in the target (the inspector's
 * command-line API provides `require`, in CommonJS and ES module programs alike) stops the
 * inspector and drops every session, ours included, so the evaluation is never answered: the
 * connection closing is the success signal, and the port refusing connections afterwards the
 * proof. It must run inside the evaluation: deferred (`setImmediate`), `require` no longer
 * exists and the target would die of a ReferenceError. Only done when the inspector was
 * closed before we came; an inspector the program opened itself (`--inspect`) stays open.
 */
import type { CdpClient } from './cdp-client.js';
import { listTargets, type OpenedInspector } from './inspector-endpoint.js';
import { OBJECT_GROUP } from '../snapshot/object-facts.js';

/** Whether the inspector should be closed again, and what happened. */
export interface LeaveOptions {
  opened: OpenedInspector;
  /** The target was started with `--inspect…` (then it is never closed). */
  openAtStart: boolean;
  timeoutMs: number;
}

/**
 * What became of the target's inspector: `closed` again by us; `stayedOpen`, ours but it could
 * not be closed (still listening afterwards); `unreachable`, ours but no session could be had to
 * close it; `wasOpen`, open before we came (the program's own), so left open on purpose.
 */
export type InspectorLeft = 'closed' | 'stayedOpen' | 'unreachable' | 'wasOpen';

/** How the target was left: sentences for the dump's warnings, and the inspector's state. */
export interface Left {
  notes: string[];
  inspector: InspectorLeft;
}

/** Whether an inspector we opened may still be listening, so that closing it is worth retrying. */
export function mayStillListen(left: Left): boolean {
  return left.inspector === 'stayedOpen' || left.inspector === 'unreachable';
}

/** Cleans up; says what was done, for the dump's warnings and for a retry. Never throws. */
export async function leaveTarget(client: CdpClient, options: LeaveOptions): Promise<Left> {
  const { opened, openAtStart } = options;
  const timeoutMs = Math.min(options.timeoutMs, 5000);
  const notes: string[] = [];
  const quiet = (p: Promise<unknown>): Promise<unknown> => p.catch(() => undefined);
  await quiet(client.send('Runtime.releaseObjectGroup', { objectGroup: OBJECT_GROUP }, timeoutMs));
  await quiet(client.send('Debugger.disable', {}, timeoutMs)); // also resumes, should anything still be paused
  const where = `127.0.0.1:${opened.port}`;
  if (!opened.signalled || opened.wasOpen || openAtStart) {
    await client.close();
    notes.push(`the target's inspector was already open on ${where}; it stays open`);
    return { notes, inspector: 'wasOpen' };
  }
  await quiet(
    client.send('Runtime.evaluate', { expression: "require('node:inspector').close()", includeCommandLineAPI: true, silent: true }, timeoutMs),
  );
  await client.close();
  const still = await listTargets(opened.port, 2000).catch(() => undefined);
  if (still) {
    notes.push(`SIGUSR1 opened the target's inspector on ${where} and it could not be closed again: it stays open (local connections only)`);
    return { notes, inspector: 'stayedOpen' };
  }
  notes.push(`SIGUSR1 opened the target's inspector on ${where} for this dump; it was closed again (the target's stderr shows "Debugger listening on …")`);
  return { notes, inspector: 'closed' };
}
