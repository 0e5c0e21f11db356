// Equal-width binning and step outlines shared by the histogram-style plots
// (rank, energy). Pure: no input is mutated.
import type { XY } from './data';

/**
 * Counts of the finite values in `bins` equal-width bins over [lo, hi]; the
 * last bin is closed so `hi` itself is counted. Values outside are ignored.
 */
export function binCounts(values: ArrayLike<number>, lo: number, hi: number, bins: number): number[] {
  const counts = new Array<number>(bins).fill(0);
  const width = (hi - lo) / bins;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!Number.isFinite(v) || v < lo || v > hi) continue;
    const b = width > 0 ? Math.min(bins - 1, Math.floor((v - lo) / width)) : 0;
    counts[b]!++;
  }
  return counts;
}

/** Outline of a histogram with bin heights `h` over [lo, hi]: flat tops joined by vertical risers. */
export function stepPoints(lo: number, hi: number, h: readonly number[]): XY[] {
  const width = (hi - lo) / h.length;
  return h.flatMap((v, i) => [
    { x: lo + i * width, y: v },
    { x: lo + (i + 1) * width, y: v },
  ]);
}

/** Sturges' rule, ⌈log2 n⌉ + 1, kept within [min, max]. */
export function sturgesBins(n: number, min: number, max: number): number {
  const b = n > 1 ? Math.ceil(Math.log2(n)) + 1 : 1;
  return Math.max(min, Math.min(max, b));
}

/** Throws unless `v` is an integer >= min (caller bugs, like bad sizes). */
export function checkInteger(name: string, v: number, min: number): number {
  if (!Number.isInteger(v) || v < min) throw new Error(`${name} must be an integer >= ${min}, got ${v}`);
  return v;
}
