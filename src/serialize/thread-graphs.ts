/**
 * A dump's worker threads as every view takes them: how a thread is named (the tree's section
 * heading, the DOT cluster's label, the HTML report's thread column), a thread's graph as a
 * dump of its own (so that each view draws it with the code that draws the main thread's), and
 * what to say of a thread that sent no graph.
 *
 * @packageDocumentation
 */

import { terminalSafe } from '../internal/terminal-text.js';
import type { Dump, ThreadGraph } from '../model.js';
import { displayPath } from '../text/paths.js';

/**
 * `Worker thread 1 (fixtures/w.mjs)`: how a thread is headed in every view. Terminal-safe; a
 * view escapes it further for its own syntax (DOT, HTML).
 *
 * @param thread - one of the dump's threads
 * @param cwd - the script is shown relative to it
 */
export function threadHeading(thread: ThreadGraph, cwd: string): string {
  const script = thread.filename === undefined ? '' : ` (${terminalSafe(displayPath(thread.filename, cwd))})`;
  return `Worker thread ${thread.threadId}${script}`;
}

/**
 * How the workers answered, as the views count them: `['1 answered', '1 did not answer']`
 * (`did not answer` and `failed` only when there are any). `mark` styles the last two (the
 * tree colours them).
 *
 * @param threads - the dump's threads
 * @param mark - applied to the counts of workers without a graph
 */
export function threadCounts(threads: readonly ThreadGraph[], mark: (text: string) => string = (text) => text): string[] {
  const count = (status: ThreadGraph['status']): number => threads.filter((t) => t.status === status).length;
  const parts = [`${count('answered')} answered`];
  if (count('no-answer') > 0) parts.push(mark(`${count('no-answer')} did not answer`));
  if (count('failed') > 0) parts.push(mark(`${count('failed')} failed`));
  return parts;
}

/**
 * Why a thread has no graph, one line (`no answer: …`, `no graph: …`), terminal-safe;
 * `undefined` for a thread that answered.
 *
 * @param thread - one of the dump's threads
 */
export function threadMissing(thread: ThreadGraph): string | undefined {
  if (thread.status === 'answered') return undefined;
  const what = thread.status === 'no-answer' ? 'no answer' : 'no graph';
  const reason = terminalSafe(thread.reason ?? 'no reason given');
  // The collector's own reasons already say it (`no answer within 5 s: …`): not twice.
  return reason.startsWith(what) ? reason : `${what}: ${reason}`;
}

/**
 * A worker's graph as a dump of its own: the dump's process facts (the same process, the same
 * working directory), the thread's nodes, roots, cycles, warnings and verdicts. What belongs
 * to the main thread alone — its blocked loop, metrics, refusal, orphaned requests, lost
 * awaits, the thread list — is left out, so that no view says it of the worker too.
 *
 * @param dump - a validated dump
 * @param thread - one of its threads
 */
export function threadDump(dump: Dump, thread: ThreadGraph): Dump {
  const {
    threads: _threads,
    threadEdges: _edges,
    blockedLoop: _blocked,
    metrics: _metrics,
    refused: _refused,
    verdicts: _verdicts,
    orphans: _orphans,
    lostAwaits: _lost,
    ...rest
  } = dump;
  const graph: Dump = { ...rest, nodes: thread.nodes, roots: thread.roots, cycles: thread.cycles, warnings: thread.warnings };
  if (thread.verdicts) graph.verdicts = thread.verdicts;
  return graph;
}
