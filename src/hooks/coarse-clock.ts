/**
 * A clock that is cheap to read on the hot path.
 *
 * `performance.now()` costs 40–100 ns, which measured as most of the hook layer's cost on
 * await-heavy code (docs/benchmarks.md). A stamp only needs to say when a wait began, to the
 * precision a person reads "waiting 12.3s" with, so the hot path reads a cached value instead:
 *
 * - an unref'd 10 ms interval refreshes it while the event loop turns and the program creates
 *   promises (it never keeps the process alive); when a whole interval passes without a read
 *   the interval stops, so an idle process is not woken 100 times a second, and the first read
 *   after that takes the exact time and starts it again;
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
// Taken once, when the register loads (before the program runs): a program that patches
// Math.round or performance.now must not see calls of ours (test/differential's
// hostile-patched-builtins.mjs counts them), nor break the clock.
const round = Math.round;
const preciseNow = performance.now.bind(performance);
const now = (): number => round(preciseNow());

/** Reads between forced refreshes. */
export const REFRESH_EVERY = 256;
/**
 * Period of the background refresh, ms. Node keeps one list of timers per whole-ms duration
 * and runs every expired timer of a list before the next list, so a timer of ours in the
 * program's 10 ms list made the program's 10 ms timers run before its earlier-due 1 ms ones
 * when the loop was late (test/differential, uncaught-handler.mjs, under load). 11 ms is a
 * duration programs rarely use: ours has a list of its own (a program's own 11 ms timers still
 * share it).
 */
export const REFRESH_INTERVAL_MS = 11;

let cached = now();
let budget = REFRESH_EVERY;
/**
 * One timeout, created when the clock starts and re-armed with `refresh()` rather than
 * replaced: a timer created later, from inside a promise hook, would belong to (and keep
 * alive) the async context of whatever task happened to read the clock.
 */
let timer: ReturnType<typeof setTimeout> | undefined;
let armed = false;
let users = 0;
/** Refreshes so far, and the count and budget at the last tick: unchanged means no reads. */
let refreshes = 0;
let seenRefreshes = -1;
let seenBudget = -1;

/** The cached time (whole ms since `performance.timeOrigin`). Hot path. */
export function coarseNow(): number {
  if (--budget === 0) refresh();
  return cached;
}

/** Off the hot path: once every REFRESH_EVERY reads, or at the first read after idling. */
function refresh(): void {
  budget = REFRESH_EVERY;
  refreshes++;
  cached = now();
  if (!armed && timer !== undefined) {
    armed = true;
    timer.refresh();
  }
}

function onTick(): void {
  if (budget === seenBudget && refreshes === seenRefreshes) {
    // Nothing read the clock for a whole interval: stop waking the process. The next read
    // finds a budget of 1, so it takes the exact time and re-arms the timer.
    armed = false;
    budget = 1;
    return;
  }
  seenBudget = budget;
  seenRefreshes = refreshes;
  cached = now();
  timer?.refresh();
}

/**
 * Offers a precise reading taken anyway (`performance.now()`, e.g. by the task tracker's timed
 * steps): the cached value becomes fresher for free. Kept in whole ms (see above) and only
 * moved forward, so the clock stays monotonic.
 */
export function offerTime(t: number): void {
  const ms = round(t);
  if (ms > cached) cached = ms;
}

/** Starts the background refresh (reference-counted). */
export function startClock(): void {
  if (users++ > 0) return;
  cached = now();
  budget = REFRESH_EVERY;
  armed = true;
  timer = setTimeout(onTick, REFRESH_INTERVAL_MS);
  timer.unref();
}

/** Stops the background refresh once every user stopped. */
export function stopClock(): void {
  if (users === 0 || --users > 0) return;
  clearTimeout(timer);
  timer = undefined;
  armed = false;
}

/** Whether the background refresh is armed (it rests while nothing reads the clock). */
export function clockTicking(): boolean {
  return armed;
}
