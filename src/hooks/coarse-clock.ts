/**
 * A clock that is cheap to read on the hot path.
 *
 * `performance.now()` costs 40–100 ns, which measured as most of the hook layer's cost on
 * await-heavy code (docs/benchmarks.md). A stamp only needs to say when a wait began, to the
 * precision a person reads "waiting 12.3s" with, so the hot path reads a cached value instead:
 *
 * - an unref'd 10 ms interval refreshes it while the event loop turns (it never keeps the
 *   process alive);
 * - every {@link REFRESH_EVERY} reads refresh it too, so a long synchronous stretch that
 *   creates many promises does not stamp them all with the time it began.
 *
 * A stamp is thus at most ~10 ms early, or one macrotask early if that task creates fewer than
 * REFRESH_EVERY promises while blocking the loop.
 *
 * The time is kept in whole milliseconds: a small integer is stored in a promise's field as
 * is (a V8 "Smi"), where a fractional one would allocate a 16-byte heap number per promise,
 * and a heap snapshot shows one node per distinct integer rather than one per promise (on
 * 200k stuck tasks, 30 MB less snapshot to produce and read at dump time). Integers stay
 * Smis for 2^31 ms (~24 days) of process uptime; after that they are heap numbers again,
 * still correct.
 */
const now = (): number => Math.round(performance.now());

/** Reads between forced refreshes. */
export const REFRESH_EVERY = 256;
/** Interval of the background refresh, ms. */
export const REFRESH_INTERVAL_MS = 10;

let cached = now();
let budget = REFRESH_EVERY;
let timer: ReturnType<typeof setInterval> | undefined;
let users = 0;

/** The cached time (whole ms since `performance.timeOrigin`). Hot path. */
export function coarseNow(): number {
  if (--budget === 0) {
    budget = REFRESH_EVERY;
    cached = now();
  }
  return cached;
}

/** Starts the background refresh (reference-counted). */
export function startClock(): void {
  if (users++ > 0) return;
  cached = now();
  timer = setInterval(() => {
    cached = now();
  }, REFRESH_INTERVAL_MS);
  timer.unref();
}

/** Stops the background refresh once every user stopped. */
export function stopClock(): void {
  if (users === 0 || --users > 0) return;
  clearInterval(timer);
  timer = undefined;
}
