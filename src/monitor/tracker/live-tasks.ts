/**
 * The live-task list (metrics on): a doubly linked list through the task records, oldest
 * first, bounded by `maxLiveTasks`. A task is listed at its first suspension (a task that ends
 * in its first step, most of them, costs no list operation) and unlisted when it ends.
 *
 * @internal
 */
import type { Task, TaskRecord, TrackerState } from './state.js';

/** Empties the list (metrics re-enabled or disabled). */
export function clearLive(s: TrackerState): void {
  for (let t = s.liveHead; t !== null; ) {
    const next = t.next;
    t.prev = t.next = null;
    t.listed = false;
    t = next;
  }
  s.liveHead = s.liveTail = null;
  s.liveListed = 0;
}

/** Appends a task, dropping the oldest beyond `maxLiveTasks`. */
export function list(s: TrackerState, task: TaskRecord): void {
  const config = s.metricsConfig;
  if (config === undefined) return;
  if (s.liveListed >= config.maxLiveTasks && s.liveHead !== null) {
    // Oldest first: a task that waits longest is the likeliest to have been collected while
    // stuck (it will never finish). It keeps running; it is only no longer listed.
    unlist(s, s.liveHead);
    s.evicted += 1;
  }
  task.listed = true;
  task.prev = s.liveTail;
  task.next = null;
  if (s.liveTail !== null) s.liveTail.next = task;
  else s.liveHead = task;
  s.liveTail = task;
  s.liveListed += 1;
}

/** Removes a task if listed. */
export function unlist(s: TrackerState, task: TaskRecord): void {
  if (!task.listed) return;
  if (task.prev !== null) task.prev.next = task.next;
  else s.liveHead = task.next;
  if (task.next !== null) task.next.prev = task.prev;
  else s.liveTail = task.prev;
  task.prev = task.next = null;
  task.listed = false;
  s.liveListed -= 1;
}

/** Visits the listed live tasks, oldest first. */
export function forEachListed(s: TrackerState, visit: (task: Task) => void): void {
  for (let t = s.liveHead; t !== null; t = t.next) visit(t);
}
