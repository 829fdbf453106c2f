/**
 * The worker threads in the tree view: a header line counting them, and after the main
 * thread's chains one section per thread — a heading (thread id, script, how it answered),
 * then that thread's own verdict, wait chains and warnings, drawn like the main thread's and
 * indented under the heading.
 */
import type { Dump, ThreadGraph } from '../model.js';
import { formatDuration } from '../text/durations.js';
import { threadCounts, threadDump, threadHeading, threadMissing } from './thread-graphs.js';
import type { Style } from './tree-style.js';

/** `  threads 2 workers: 1 answered, 1 did not answer` for the dump's header. */
export function threadsHeaderLine(threads: readonly ThreadGraph[], style: Style): string {
  const parts = threadCounts(threads, style.yellow);
  return `  threads ${threads.length} worker${threads.length === 1 ? '' : 's'}: ${parts.join(', ')} (each drawn below the main thread's chains)`;
}

/**
 * The lines of every thread's section. `render` draws one thread's graph (verdict, chains,
 * warnings) as the main thread's are drawn (and filtered, when the view is).
 */
export function threadSections(dump: Dump, style: Style, cwd: string, render: (graph: Dump) => string[]): string[] {
  const lines: string[] = [];
  for (const thread of dump.threads ?? []) {
    lines.push('', style.bold(`── ${threadHeading(thread, cwd)} ──`));
    const missing = threadMissing(thread);
    if (missing !== undefined) {
      const colon = missing.indexOf(':') + 1;
      lines.push(`  ${style.yellow(missing.slice(0, colon))}${missing.slice(colon)}`);
      continue;
    }
    const waits = (dump.threadEdges ?? []).filter((e) => e.toThread === thread.threadId);
    const waiters = waits.map((e) => (e.fromThread === 0 ? 'the main thread' : `thread ${e.fromThread}`));
    const paused = thread.durationMs === undefined ? '' : `its dump paused it ${formatDuration(thread.durationMs)}`;
    const awaited = waiters.length === 0 ? '' : `awaited by ${[...new Set(waiters)].join(', ')}`;
    const facts = [awaited, paused].filter((f) => f !== '').join('; ');
    if (facts !== '') lines.push(`  ${style.dim(facts)}`);
    for (const line of render(threadDump(dump, thread))) lines.push(line === '' ? '' : `  ${line}`);
  }
  return lines;
}
