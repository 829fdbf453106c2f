/**
 * Durations as people read them, the same in every view (tree, DOT, verdicts, exit line).
 *
 * @packageDocumentation
 */

/**
 * Formats a duration for people: `850ms`, `12.3s`, `4m 05s`, `2h 03m`.
 * Precision drops as the value grows because nobody debugging a hang cares about the
 * milliseconds of a two-hour wait.
 *
 * @param ms - milliseconds (negative or non-finite values print as `?`)
 */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '?';
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)}s`;
  const totalSeconds = Math.floor(s);
  if (totalSeconds < 3600) {
    return `${Math.floor(totalSeconds / 60)}m ${String(totalSeconds % 60).padStart(2, '0')}s`;
  }
  const totalMinutes = Math.floor(totalSeconds / 60);
  return `${Math.floor(totalMinutes / 60)}h ${String(totalMinutes % 60).padStart(2, '0')}m`;
}

/**
 * Formats a range of durations: a single value when they round to the same text, else `a–b`.
 *
 * @param values - milliseconds; must not be empty
 */
export function formatDurationRange(values: readonly number[]): string {
  // A loop, not Math.min(...values): a group can hold 100 000+ nodes, and spreading that many
  // arguments overflows the call stack.
  let min = Infinity;
  let max = -Infinity;
  for (const v of values) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const lo = formatDuration(min);
  const hi = formatDuration(max);
  return lo === hi ? lo : `${lo}–${hi}`;
}
