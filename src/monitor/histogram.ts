/**
 * A fixed-memory histogram of non-negative integers (nanoseconds here), log-linear buckets.
 *
 * Step durations are recorded on the hot path, so recording must be a few arithmetic
 * operations and must never allocate: an array of every sample would grow without bound in a
 * long-running process. Values are grouped by their power of two and, inside each power of two,
 * into {@link SUB_BUCKETS} equal sub-buckets (the scheme of HdrHistogram with 5 significant
 * bits): a percentile read from the buckets is within 1 / SUB_BUCKETS ≈ 3.1 % of the true
 * sample value.
 *
 * Sampling: a value may be recorded with a **weight** (it stands for `weight` values that were
 * not measured, e.g. the untimed steps between two timed ones), and a value may be counted
 * without being measured (`count += 1` alone). `count` is then the exact number of values,
 * `weight` the total weight of the measured ones (≈ count); buckets, `sum`, mean and
 * percentiles are weighted; `min` and `max` are exact over the measured values. Without
 * sampling (every value recorded with weight 1) count, sum, min and max are exact.
 *
 * @internal Not exported from the package; its summaries are.
 */
import type { HistogramSummary } from '../model.js';

/** log2 of the number of sub-buckets per power of two. */
const SUB_BITS = 5;
/** Sub-buckets per power of two: the relative precision is 1 / SUB_BUCKETS. */
export const SUB_BUCKETS = 1 << SUB_BITS;
/**
 * Powers of two covered: values up to 2^MAX_EXP ns (≈ 4.9 hours) are bucketed exactly; larger
 * ones go to the last bucket (max stays exact).
 */
const MAX_EXP = 44;
/** Values below SUB_BUCKETS have a bucket each (linear part). */
const BUCKETS = SUB_BUCKETS + (MAX_EXP - SUB_BITS) * SUB_BUCKETS;

/** Bucket index of `v` (an integer ≥ 0). Hot path: integer operations below 2^32 ns (4.3 s). */
function bucketOf(v: number): number {
  if (v < SUB_BUCKETS) return v;
  if (v < 0x1_0000_0000) {
    const exp = 31 - Math.clz32(v);
    const shift = exp - SUB_BITS;
    return SUB_BUCKETS + shift * SUB_BUCKETS + ((v >>> shift) - SUB_BUCKETS);
  }
  // Beyond 32 bits (steps over 4.3 s): rare, so plain floating point.
  const exp = Math.floor(Math.log2(v));
  if (exp >= MAX_EXP) return BUCKETS - 1;
  const shift = exp - SUB_BITS;
  return SUB_BUCKETS + shift * SUB_BUCKETS + (Math.floor(v / 2 ** shift) - SUB_BUCKETS);
}

/** Smallest value that falls in bucket `b`. */
function bucketLow(b: number): number {
  if (b < SUB_BUCKETS) return b;
  const shift = Math.floor((b - SUB_BUCKETS) / SUB_BUCKETS);
  const sub = (b - SUB_BUCKETS) % SUB_BUCKETS;
  return (SUB_BUCKETS + sub) * 2 ** shift;
}

/** Largest value that falls in bucket `b`. */
function bucketHigh(b: number): number {
  return b + 1 >= BUCKETS ? Number.MAX_SAFE_INTEGER : bucketLow(b + 1) - 1;
}

/** A histogram of nanosecond values with fixed memory (≈ 11 KiB). */
export class Histogram {
  /** Weight per bucket. Float64 so that counts never wrap in a long-lived process. */
  readonly counts = new Float64Array(BUCKETS);
  /** Values counted (measured or not). */
  count = 0;
  /** Total weight of the measured values (= count when every value is recorded with weight 1). */
  weight = 0;
  /** Weighted sum of the measured values. */
  sum = 0;
  min = Infinity;
  max = 0;

  /**
   * Records one measured value (rounded down to an integer, negatives as 0) standing for
   * `weight` values, and counts it. Hot path: no allocation.
   */
  record(value: number, weight = 1): void {
    this.count += 1;
    this.add(value, weight);
  }

  /**
   * Adds a measured value standing for `weight` values without counting it: for sampling,
   * where every value is counted (`count += 1`) and only some are measured.
   */
  add(value: number, weight: number): void {
    // Truncation, not rounding: a nanosecond does not matter and `| 0`-style code is cheaper.
    const v = value > 0 ? Math.floor(value) : 0;
    this.counts[bucketOf(v)]! += weight;
    this.weight += weight;
    this.sum += v * weight;
    if (v < this.min) this.min = v;
    if (v > this.max) this.max = v;
  }

  /** Forgets every value. */
  reset(): void {
    this.counts.fill(0);
    this.count = 0;
    this.weight = 0;
    this.sum = 0;
    this.min = Infinity;
    this.max = 0;
  }

  /** A copy (for interval deltas). */
  clone(): Histogram {
    const h = new Histogram();
    h.counts.set(this.counts);
    h.count = this.count;
    h.weight = this.weight;
    h.sum = this.sum;
    h.min = this.min;
    h.max = this.max;
    return h;
  }

  /**
   * The values recorded since `earlier` (a clone of this histogram taken before). Min and max
   * of the difference are bucket bounds (≈ 3 % precision), clamped to the exact overall ones.
   */
  since(earlier: Histogram): Histogram {
    const h = new Histogram();
    let first = -1;
    let last = -1;
    for (let b = 0; b < BUCKETS; b++) {
      const c = (this.counts[b] ?? 0) - (earlier.counts[b] ?? 0);
      if (c > 0) {
        h.counts[b] = c;
        if (first < 0) first = b;
        last = b;
      }
    }
    h.count = this.count - earlier.count;
    h.weight = this.weight - earlier.weight;
    h.sum = this.sum - earlier.sum;
    if (h.weight > 0 && first >= 0) {
      h.min = Math.max(bucketLow(first), this.min);
      h.max = Math.min(bucketHigh(last), this.max);
    }
    return h;
  }

  /**
   * The value at quantile `q` (0 … 1): the midpoint of the bucket holding the sample of
   * (weighted) rank ⌈q·weight⌉, clamped to [min, max]; the first and last ranks are the exact
   * min and max.
   */
  quantile(q: number): number {
    if (this.weight === 0) return 0;
    const rank = Math.max(1, Math.ceil(q * this.weight));
    // The lowest and highest samples are known exactly.
    if (rank === 1) return this.min;
    if (rank >= this.weight) return this.max;
    let seen = 0;
    for (let b = 0; b < BUCKETS; b++) {
      seen += this.counts[b] ?? 0;
      if (seen >= rank) {
        const mid = (bucketLow(b) + Math.min(bucketHigh(b), this.max)) / 2;
        return Math.round(Math.min(this.max, Math.max(this.min, mid)));
      }
    }
    return this.max;
  }

  /**
   * The summary published in metrics and dumps (all in the histogram's unit, ns). `count` is
   * the exact number of values; the other fields are 0 while none was measured.
   */
  summary(): HistogramSummary {
    if (this.weight === 0) return { count: this.count, min: 0, mean: 0, p50: 0, p95: 0, p99: 0, max: 0 };
    return {
      count: this.count,
      min: this.min,
      mean: Math.round(this.sum / this.weight),
      p50: this.quantile(0.5),
      p95: this.quantile(0.95),
      p99: this.quantile(0.99),
      max: this.max,
    };
  }
}
