/**
 * A hyperparameter given as `sweep([...])` expands into one sampler run per value
 * (several sweeps in one run expand into their Cartesian product).
 */
export const SWEEP_KEY = '$sweep' as const;

export interface Sweep<T> {
  readonly [SWEEP_KEY]: T[];
}

export function sweep<T extends number | string | boolean>(values: readonly T[]): Sweep<T> {
  return { [SWEEP_KEY]: [...values] };
}

export function isSweep(value: unknown): value is Sweep<unknown> {
  return typeof value === 'object' && value !== null && SWEEP_KEY in value;
}

/** A value that may be given directly or as a sweep. */
export type Sweepable<T> = T | Sweep<T>;

/** A concrete hyperparameter value: what a sweep point assigns and what run ids spell. */
export type Scalar = number | string | boolean;

/** Formats a swept value for an id: 0.0001 → "1e-4", keeps ids short and path-safe. */
export function formatIdValue(v: Scalar): string {
  if (typeof v === 'number') {
    const s = Number.isInteger(v) && Math.abs(v) < 1e6 ? String(v) : v.toExponential().replace('e+', 'e').replace(/\.?0+e/, 'e');
    return s.replace(/[^a-zA-Z0-9.-]/g, '_');
  }
  return String(v).replace(/[^a-zA-Z0-9.-]/g, '_');
}
