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
