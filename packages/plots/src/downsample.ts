// Long MCMC traces (10^5+ draws) would make multi-megabyte SVGs that no one can
// see at 720 px anyway, so lines are thinned before drawing. Striding (rather
// than random sampling) keeps output deterministic.

export const DEFAULT_MAX_POINTS = 2000;

/**
 * Indices to keep from a series of length `n` so at most `maxPoints` remain:
 * every k-th index from 0, plus the last index so the line reaches the end.
 * Returns all indices when `n <= maxPoints`.
 */
export function downsampleIndices(n: number, maxPoints: number = DEFAULT_MAX_POINTS): number[] {
  if (!Number.isInteger(n) || n < 0) throw new Error(`n must be a non-negative integer, got ${n}`);
  if (!Number.isInteger(maxPoints) || maxPoints < 2) {
    throw new Error(`maxPoints must be an integer >= 2, got ${maxPoints}`);
  }
  if (n <= maxPoints) return Array.from({ length: n }, (_, i) => i);
  // Stride over [0, n-2] with maxPoints-1 slots, then append n-1: total <= maxPoints.
  const k = Math.ceil((n - 1) / (maxPoints - 1));
  const out: number[] = [];
  for (let i = 0; i < n - 1; i += k) out.push(i);
  out.push(n - 1);
  return out;
}
