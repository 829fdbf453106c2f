/**
 * Lost waits: awaits (and `.then` callbacks) whose promise became garbage while still pending.
 *
 * A promise whose `resolve` and `reject` were dropped can never settle; once nothing else
 * references it, it is garbage, and so is every async function suspended on it, and the
 * functions awaiting those. After a GC the heap snapshot no longer holds any of them: only the
 * hook layer, which saw each wait begin, can tell that they existed.
 *
 * A `FinalizationRegistry` entry per wait would say so exactly, and costs 10–30× an await loop
 * (docs/benchmarks.md: V8 keeps a registered young object alive across scavenges). Instead the
 * waits are counted by **cohort**: every wait stamped within the same millisecond shares one
 * small cohort object, which its throwaway promise holds in its stamp field while pending. The
 * cohort's record (held by us, never holding the cohort or any promise) counts the cohort's
 * waits still pending: +1 when a wait begins (`init`), −1 when its promise settles (`settled`,
 * which also rewrites the stamp to a plain number, so a settled promise no longer holds the
 * cohort). The cohort is then reachable only from its pending, live waits; when it is
 * collected, every one of them is gone, and the count left on the record is the number of
 * waits collected while pending. One `WeakRef` and one registry entry per cohort (at most one
 * a millisecond) is all that is weakly observed.
 *
 * The registry's callback notices a collected cohort some time after the GC (V8 posts it as a
 * task); a dump cannot wait for that, so it checks every live record's `WeakRef` synchronously
 * after the heap snapshot's own full GC ({@link readLostWaits}).
 *
 * With creation stacks, each pending wait's stack is also kept on its cohort's record (cleared
 * when it settles), so a lost wait is reported with the line it awaited at.
 *
 * Nothing here keeps a promise alive: the records hold numbers and strings, the cohort holds
 * its record; only promises hold cohorts.
 *
 * @internal
 */

/** The time and count of a cohort's waits; held strongly by this module, never by a promise. */
class CohortRecord {
  /** Pending waits of the cohort (begun, not settled). */
  n = 0;
  /** Creation stacks of the cohort's waits, `undefined` once settled (creation stacks only). */
  stacks: (string | undefined)[] | undefined = undefined;
  ref: WeakRef<Cohort> | undefined = undefined;
  /** Neighbours in the list of live records (a list, not a `Set`: see below). */
  prev: CohortRecord | undefined = undefined;
  next: CohortRecord | undefined = undefined;
  /** @param t - when the cohort's waits began, ms since `performance.timeOrigin` */
  constructor(readonly t: number) {}
}

/**
 * What a pending wait's promise holds: the time its wait began (`t`, read by the snapshotter as
 * a stamp's time) and its cohort's record.
 */
export interface Cohort {
  readonly t: number;
  readonly r: CohortRecord;
}

/** One group of lost waits: begun in the same millisecond, found collected together. */
export interface LostWaitRecord {
  /** When they began, ms since `performance.timeOrigin`. */
  since: number;
  /** When they were found collected (same clock). */
  lostAt: number;
  count: number;
  /** Their creation stacks (creation stacks only). */
  stacks?: string[];
}

/** What {@link readLostWaits} answers. */
export interface LostWaitRecords {
  /** Waits found collected while pending since the hook layer started. */
  count: number;
  /** The groups that waited longest, longest first, at most {@link KEPT_GROUPS}. */
  longest: LostWaitRecord[];
}

/** How many groups are kept (the longest waits): bounded memory whatever the program loses. */
export const KEPT_GROUPS = 20;

// Taken once, when the register loads: this code runs on the program's hot path and in V8's
// cleanup task, where a builtin the program patched (Set#add, Array#push…) must not be called
// (test/differential's hostile-patched-builtins.mjs). Hence also no Set, no array methods.
const preciseNow = performance.now.bind(performance);
const apply = Reflect.apply;
const WeakRefIntrinsic = WeakRef;
const deref = WeakRef.prototype.deref;
const FinalizationRegistryIntrinsic = FinalizationRegistry;
const register = FinalizationRegistry.prototype.register;

/** Records of cohorts not yet seen collected: a doubly-linked list from `head`. */
let head: CohortRecord | undefined;

function link(record: CohortRecord): void {
  record.next = head;
  if (head !== undefined) head.prev = record;
  head = record;
}

/** Takes `record` out of the list; false if it was not in it (already accounted for). */
function unlink(record: CohortRecord): boolean {
  if (record.prev === undefined && head !== record) return false;
  if (record.prev !== undefined) record.prev.next = record.next;
  else head = record.next;
  if (record.next !== undefined) record.next.prev = record.prev;
  record.prev = record.next = undefined;
  return true;
}

/** Made at the first cohort: the default register, which counts no lost awaits, has none. */
let registry: FinalizationRegistry<CohortRecord> | undefined;

function collected(record: CohortRecord): void {
  // Runs as a task of its own some time after a GC: must not throw into the program.
  try {
    if (unlink(record)) account(record, preciseNow());
  } catch {
    // Nothing to report with.
  }
}

let total = 0;
const longest: LostWaitRecord[] = [];
/** A cohort no wait can match: the next wait opens a new one. */
const SEALED: Cohort = { t: -1, r: new CohortRecord(-1) };
let current: Cohort = SEALED;

/**
 * The cohort of a wait begun at `t` (whole ms): the current one, or a new one. Hot path: the
 * caller counts the wait (`cohort.r.n++`) once its stamp is attached.
 */
export function cohortAt(t: number): Cohort {
  const c = current;
  return c.t === t ? c : openCohort(t);
}

function openCohort(t: number): Cohort {
  const record = new CohortRecord(t);
  const cohort: Cohort = { t, r: record };
  record.ref = new WeakRefIntrinsic(cohort);
  link(record);
  registry ??= new FinalizationRegistryIntrinsic<CohortRecord>(collected);
  apply(register, registry, [cohort, record]);
  current = cohort;
  return cohort;
}

/**
 * Drops this module's own reference to the current cohort, so that a GC can collect it once
 * its waits are gone: called before a dump's heap snapshot.
 */
export function sealCohort(): void {
  current = SEALED;
}

/** Keeps a stack for a wait of `cohort`; answers its index (creation stacks only). */
export function keepStack(cohort: Cohort, stack: string): number {
  const r = cohort.r;
  const stacks = (r.stacks ??= []);
  const i = stacks.length;
  stacks[i] = stack;
  return i;
}

function account(record: CohortRecord, at: number): void {
  if (record.n <= 0) return;
  total += record.n;
  const group: LostWaitRecord = { since: record.t, lostAt: at, count: record.n };
  if (record.stacks !== undefined) {
    const stacks: string[] = [];
    const all = record.stacks;
    for (let k = 0; k < all.length; k++) if (all[k] !== undefined) stacks[stacks.length] = all[k]!;
    if (stacks.length > 0) group.stacks = stacks;
  }
  // Insertion into the list of the longest waits, longest first, at most KEPT_GROUPS.
  const waited = at - record.t;
  let i = longest.length;
  while (i > 0 && longest[i - 1]!.lostAt - longest[i - 1]!.since < waited) i--;
  if (i >= KEPT_GROUPS) return;
  for (let j = longest.length < KEPT_GROUPS ? longest.length : KEPT_GROUPS - 1; j > i; j--) longest[j] = longest[j - 1]!;
  longest[i] = group;
}

/**
 * The lost waits so far. Call it after a full GC (a heap snapshot's): the cohorts it collected
 * are found here at once, through their `WeakRef`s, without waiting for the registry's task.
 */
export function readLostWaits(): LostWaitRecords {
  const at = preciseNow();
  for (let record = head; record !== undefined; ) {
    const next = record.next;
    if (record.ref === undefined || apply(deref, record.ref, []) === undefined) {
      unlink(record);
      account(record, at);
    }
    record = next;
  }
  return { count: total, longest: longest.map((g) => ({ ...g, ...(g.stacks ? { stacks: [...g.stacks] } : {}) })) };
}
