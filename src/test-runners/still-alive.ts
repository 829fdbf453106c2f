/**
 * What keeps a test process alive after its tests finished: the handles and timers that hold
 * the event loop open (like why-is-node-running), and the tasks of the program waiting on
 * them, as the exit dump names them (`stuckChains`) and as `awaitwhat view` draws them.
 *
 * @internal
 */
import { terminalSafeLines } from '../internal/terminal-text.js';
import type { Dump } from '../model.js';
import { stuckChains } from '../triggers/exit.js';
import { mapToSources } from './source-maps.js';
import { chainTree, programRoots } from './stuck-report.js';

/** A handle as Node keeps it in `process._getActiveHandles()` (undocumented; read defensively). */
interface HandleLike {
  constructor?: { name?: string };
  address?: () => unknown;
  remoteAddress?: string;
  remotePort?: number;
  localAddress?: string;
  localPort?: number;
  pid?: number;
  spawnfile?: string;
}

/** One short description of a handle: its class and what it is connected to. */
function describeHandle(handle: HandleLike): string {
  const kind = handle?.constructor?.name ?? typeof handle;
  try {
    if (typeof handle.pid === 'number') return `${kind} pid ${handle.pid}${handle.spawnfile ? ` (${handle.spawnfile})` : ''}`;
    if (handle.remoteAddress !== undefined) {
      return `${kind} ${handle.localAddress}:${handle.localPort} → ${handle.remoteAddress}:${handle.remotePort}`;
    }
    if (typeof handle.address === 'function') {
      const address = handle.address() as { address?: string; port?: number } | string | null;
      if (address && typeof address === 'object' && address.port !== undefined) return `${kind} listening on ${address.address}:${address.port}`;
      if (typeof address === 'string') return `${kind} listening on ${address}`;
    }
  } catch {
    // a getter of the program's threw: the class name is enough
  }
  return kind;
}

/**
 * The handles and resources keeping the event loop alive now, one entry each, grouped by
 * description (`Timeout ×2`). Node's own stdio streams are left out: they never keep a
 * process alive on their own.
 */
export function aliveResources(): string[] {
  const counts = new Map<string, number>();
  const add = (what: string): void => void counts.set(what, (counts.get(what) ?? 0) + 1);
  const handles = (process as unknown as { _getActiveHandles?: () => HandleLike[] })._getActiveHandles?.() ?? [];
  const described = new Map<string, number>();
  for (const handle of handles) {
    const fd = (handle as { fd?: number }).fd;
    if (fd === 0 || fd === 1 || fd === 2) continue;
    const text = describeHandle(handle);
    add(text);
    const kind = handle?.constructor?.name ?? '';
    described.set(kind, (described.get(kind) ?? 0) + 1);
  }
  // Resources the handle list does not show (timers, requests): by type, minus those above.
  const byType = new Map<string, number>();
  for (const type of process.getActiveResourcesInfo()) byType.set(type, (byType.get(type) ?? 0) + 1);
  const shownAs: Record<string, string> = { TCPSocketWrap: 'Socket', TCPServerWrap: 'Server', PipeWrap: 'Socket', TTYWrap: 'WriteStream', ProcessWrap: 'ChildProcess' };
  for (const [type, n] of byType) {
    const left = n - (described.get(shownAs[type] ?? type) ?? 0);
    if (type === 'TTYWrap' || type === 'PipeWrap') continue;
    for (let i = 0; i < left; i++) add(type);
  }
  return [...counts].map(([what, n]) => (n > 1 ? `${what} ×${n}` : what));
}

/**
 * The report: what holds the loop, then each chain of the program's tasks waiting (in one line
 * each, as the exit dump prints them, then drawn as a tree).
 *
 * @param headline - the first line (who is still alive, since when)
 * @param dump - a dump taken now, or `undefined` when none could be taken
 * @param cwd - paths are shown relative to it
 */
export function stillAliveReport(headline: string, dump: Dump | undefined, cwd: string): string {
  // Addresses, commands, names and leaf descriptions are the program's: shown safe.
  return terminalSafeLines(reportLines(headline, dump, cwd).join('\n'));
}

function reportLines(headline: string, taken: Dump | undefined, cwd: string): string[] {
  let dump = taken;
  const out = [headline];
  const resources = aliveResources();
  out.push(`  keeping it alive: ${resources.length === 0 ? 'nothing Node.js lists (a native addon, or it is exiting)' : resources.join(', ')}`);
  if (!dump) return out;
  if (dump.refused) {
    out.push(`  no dump: ${dump.refused.reason}`);
    return out;
  }
  dump = mapToSources(dump);
  const { chains, more } = stuckChains(dump, cwd);
  if (chains.length === 0) {
    out.push('  no task of the program is waiting');
    return out;
  }
  out.push('  tasks waiting:');
  for (const chain of chains) out.push(`    ${chain}`);
  if (more) out.push('    and more (below)');
  out.push('', ...chainTree(dump, programRoots(dump).map((n) => n.id), cwd).map((line) => (line === '' ? line : `  ${line}`)));
  return out;
}
