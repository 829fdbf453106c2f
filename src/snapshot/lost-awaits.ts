/**
 * The dump's `lostAwaits` section, from the hook layer's lost-wait records (`hooks/lost-waits.ts`):
 * read right after the heap snapshot, whose full GC collected whatever was still garbage, and
 * before any of the program's code runs again.
 */
import { hookState } from '../hooks/install.js';
import type { LostWaitRecords } from '../hooks/lost-waits.js';
import { parseStack } from '../internal/stack-frames.js';
import type { LostAwait, LostAwaits, StackFrame } from '../model.js';

/** Entries a dump keeps, longest wait first. */
const MAX_ENTRIES = 20;

/** Before the heap snapshot: lets the current millisecond's waits be collected too. */
export function sealLostAwaitCohort(): void {
  hookState()?.sealCohort?.();
}

/**
 * After the heap snapshot: the lost waits of this process, as a dump section relative to `now`
 * (the dump's start, `performance.now()`); `undefined` when there are none or the hook layer
 * (or its copy) does not record them.
 */
export function readLostAwaits(now: number): LostAwaits | undefined {
  const read = hookState()?.lostWaits;
  if (read === undefined) return undefined;
  return lostAwaitsSection(read(), now);
}

/** The section for `records`; `undefined` when none was lost. */
export function lostAwaitsSection(records: LostWaitRecords, now: number): LostAwaits | undefined {
  if (records.count === 0) return undefined;
  const entries: LostAwait[] = [];
  for (const group of records.longest) {
    // Found by the dump itself (after its snapshot): lost as of the dump's start.
    const lostAt = Math.min(group.lostAt, now);
    const waitedMs = tenths(Math.max(0, lostAt - group.since));
    const lostAgoMs = tenths(now - lostAt);
    if (group.stacks === undefined) {
      entries.push({ count: group.count, waitedMs, lostAgoMs });
      continue;
    }
    // Waits of one millisecond made at one stack (a handler and its helpers, called N times)
    // are one entry.
    const byStack = new Map<string, number>();
    for (const stack of group.stacks) byStack.set(stack, (byStack.get(stack) ?? 0) + 1);
    for (const [stack, count] of byStack) entries.push({ count, waitedMs, lostAgoMs, ...placeOf(stack) });
  }
  entries.sort((a, b) => b.waitedMs - a.waitedMs);
  return { count: records.count, longest: entries.slice(0, MAX_ENTRIES) };
}

/**
 * What a wait's creation stack says: V8 shows the builtin `Promise.then` (or `catch`,
 * `finally`) on top for a `.then` promise; an await's throwaway promise is made with the
 * awaiting function itself on top, at the await.
 */
function placeOf(stack: string): Pick<LostAwait, 'kind' | 'awaitLocation' | 'creationStack'> {
  // The builtin's frame has no line (`at Promise.then (<anonymous>)`), so parseStack skips it.
  const top = stack.split('\n', 2)[1] ?? '';
  const then = /^\s*at Promise\.(then|catch|finally) \(/.test(top);
  const frames: StackFrame[] = parseStack(stack);
  const at = frames[0];
  return {
    kind: then ? 'then' : 'await',
    ...(at ? { awaitLocation: { url: at.url, line: at.line, column: at.column } } : {}),
    creationStack: frames,
  };
}

function tenths(ms: number): number {
  return Math.round(ms * 10) / 10;
}
