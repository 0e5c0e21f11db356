// Input shaping shared by the plots: turning parallel arrays into points and
// finding finite extents, so NaN/±Infinity never reach a scale domain.
import { downsampleIndices } from './downsample';

export interface XY {
  readonly x: number;
  readonly y: number;
}

/** Length shared by parallel arrays (mismatched lengths: the shortest wins). */
export function sharedLength(...arrays: ArrayLike<number>[]): number {
  return arrays.length === 0 ? 0 : Math.min(...arrays.map((a) => a.length));
}

/** [min, max] of the finite values, or undefined if there are none. */
export function finiteExtent(values: Iterable<number>): [number, number] | undefined {
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const v of values) {
    if (!Number.isFinite(v)) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return lo <= hi ? [lo, hi] : undefined;
}

/** Merge extents, ignoring missing ones. */
export function unionExtent(...extents: ([number, number] | undefined)[]): [number, number] | undefined {
  let out: [number, number] | undefined;
  for (const e of extents) {
    if (!e) continue;
    out = out ? [Math.min(out[0], e[0]), Math.max(out[1], e[1])] : [e[0], e[1]];
  }
  return out;
}

/**
 * Widen a degenerate (zero-width) extent so a scale can be built from it; a
 * constant series then sits in the middle of the plot instead of dividing by 0.
 * Missing extent falls back to [0, 1].
 */
export function usableDomain(extent: [number, number] | undefined): [number, number] {
  if (!extent) return [0, 1];
  const [lo, hi] = extent;
  if (hi > lo) return [lo, hi];
  const pad = lo === 0 ? 1 : Math.abs(lo) * 0.1;
  return [lo - pad, hi + pad];
}

/**
 * Like usableDomain for a log axis (extent already restricted to values > 0):
 * a single value gets half a decade either side; missing → [1, 10].
 */
export function usableLogDomain(extent: [number, number] | undefined): [number, number] {
  if (!extent || !(extent[0] > 0)) return [1, 10];
  const [lo, hi] = extent;
  return hi > lo ? [lo, hi] : [lo / Math.sqrt(10), hi * Math.sqrt(10)];
}

/**
 * Copy of y with every value <= 0 replaced by NaN (unplottable on a log axis),
 * and how many such values pair with a finite x (the others are already
 * skipped as non-finite pairs).
 */
export function positiveOnly(y: ArrayLike<number>, x: ArrayLike<number>): { values: Float64Array; nonPositive: number } {
  const out = Float64Array.from(y);
  const n = Math.min(x.length, y.length);
  let nonPositive = 0;
  for (let i = 0; i < out.length; i++) {
    if (out[i]! <= 0) {
      out[i] = Number.NaN;
      if (i < n && Number.isFinite(x[i]!)) nonPositive++;
    }
  }
  return { values: out, nonPositive };
}

/** Downsampled (x, y) points; non-finite points are kept so lines show gaps. */
export function thinnedPoints(x: ArrayLike<number>, y: ArrayLike<number>, maxPoints?: number): XY[] {
  const n = Math.min(x.length, y.length);
  return downsampleIndices(n, maxPoints).map((i) => ({ x: x[i]!, y: y[i]! }));
}

export interface PairStats {
  /** Number of (x, y) pairs: the shorter array's length. */
  readonly n: number;
  /** Pairs where x or y is not finite. */
  readonly nonFinite: number;
  readonly xExtent: [number, number] | undefined;
  readonly yExtent: [number, number] | undefined;
}

/**
 * Extents over the full (not downsampled) series, counting only pairs where
 * both coordinates are finite, so axes always cover every drawable value.
 */
export function pairStats(x: ArrayLike<number>, y: ArrayLike<number>, length?: number): PairStats {
  const n = Math.min(x.length, y.length, length ?? Number.POSITIVE_INFINITY);
  let nonFinite = 0;
  let x0 = Number.POSITIVE_INFINITY, x1 = Number.NEGATIVE_INFINITY;
  let y0 = Number.POSITIVE_INFINITY, y1 = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < n; i++) {
    const xi = x[i]!, yi = y[i]!;
    if (!Number.isFinite(xi) || !Number.isFinite(yi)) {
      nonFinite++;
      continue;
    }
    if (xi < x0) x0 = xi;
    if (xi > x1) x1 = xi;
    if (yi < y0) y0 = yi;
    if (yi > y1) y1 = yi;
  }
  const finite = n - nonFinite > 0;
  return { n, nonFinite, xExtent: finite ? [x0, x1] : undefined, yExtent: finite ? [y0, y1] : undefined };
}
