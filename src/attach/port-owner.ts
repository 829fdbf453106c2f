/**
 * Whose inspector port is it? Before awaitwhat talks to whatever listens on 127.0.0.1:<port>
 * it checks, through Linux's `/proc`, that the listening socket is one of the target's open
 * files: another process on that port (another Node program's inspector, any server) is never
 * sent a request, let alone an evaluation. The listening sockets come from this process's own
 * network namespace (`/proc/self/net/tcp`, `tcp6`: the namespace the connection would be made
 * in), the target's from `/proc/<pid>/fd`.
 */
import { describeProcess, loopbackListeners, processesHoldingSocket, socketInodes } from '../internal/proc.js';

/** What `/proc` says about who listens on a port. */
export type PortOwnership =
  /** Nothing reachable from 127.0.0.1 listens on it. */
  | { kind: 'free' }
  /** Every listening socket on it is among the target's open files. */
  | { kind: 'target' }
  /** Another process listens on it; `holders` are the pids holding that socket (may be empty when unreadable). */
  | { kind: 'other'; holders: number[] }
  /** Cannot be told: `/proc/net/tcp` is not there (not Linux). */
  | { kind: 'unknown' }
  /** Something listens, but the target's file descriptors cannot be read. */
  | { kind: 'unverifiable'; why: string };

/** Who owns the listening socket(s) on 127.0.0.1:`port`, as seen from `pid`'s open files. */
export function portOwnership(pid: number, port: number): PortOwnership {
  const listeners = loopbackListeners(port);
  if (listeners === undefined) return { kind: 'unknown' };
  if (listeners.length === 0) return { kind: 'free' };
  const ours = socketInodes(pid);
  if (ours === undefined) return { kind: 'unverifiable', why: `cannot read /proc/${pid}/fd` };
  const foreign = listeners.filter((inode) => !ours.has(inode));
  if (foreign.length === 0) return { kind: 'target' };
  const holders = new Set<number>();
  for (const inode of foreign) for (const holder of processesHoldingSocket(inode)) holders.add(holder);
  return { kind: 'other', holders: [...holders].sort((a, b) => a - b) };
}

/** `pid 123 (node other.js)`, `pids 1 (…) and 2 (…)`, or `another process` when unknown. */
export function describeHolders(holders: readonly number[]): string {
  if (holders.length === 0) return 'another process (its owner is not readable)';
  const shown = holders.slice(0, 3).map(describeProcess);
  const more = holders.length > 3 ? ` and ${holders.length - 3} more` : '';
  return shown.join(', ') + more;
}
