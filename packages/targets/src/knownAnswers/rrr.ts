/**
 * Learning coefficient of reduced-rank regression y = BAx + ε, A ∈ R^{H×M}, B ∈ R^{N×H},
 * at a true map B*A* of rank r: the closed form of Aoyagi & Watanabe (2005), "Stochastic
 * complexities of reduced rank regression in Bayesian estimation", Neural Networks 18(7),
 * Main Theorem; transcribed as in docs/SCIENCE.md §3.
 *
 * The four regimes partition all admissible (M, H, N, r): any two of the three strict
 * inequalities would add up to r > min(M, H, N), so at most one of them holds, and the
 * main case is exactly "none holds".
 */

export type RrrRegime = 'main' | 'M+H<N+r' | 'N+H<M+r' | 'M+N<H+r';

export interface RrrArgs {
  /** Input dimension (columns of A). */
  M: number;
  /** Inner (hidden) dimension: rows of A, columns of B. */
  H: number;
  /** Output dimension (rows of B). */
  N: number;
  /** Rank of the true map B*A*, 0 ≤ r ≤ min(M, H, N). */
  r: number;
}

export interface RrrLambda {
  lambda: number;
  multiplicity: number;
  /** Which branch of the theorem applied (for tests and reports). */
  regime: RrrRegime;
}

function checkArgs({ M, H, N, r }: RrrArgs): void {
  const fail = (message: string): never => {
    throw new Error(`Error in rrrLambda: ${message}`);
  };
  for (const [name, value] of [['M', M], ['H', H], ['N', N]] as const) {
    if (!(Number.isInteger(value) && value >= 1)) fail(`${name} must be a positive integer, got ${String(value)}`);
  }
  if (!(Number.isInteger(r) && r >= 0)) fail(`r must be a non-negative integer, got ${String(r)}`);
  const cap = Math.min(M, H, N);
  // rank(BA) ≤ min(M, H, N): a larger true rank is not realisable by the model.
  if (r > cap) fail(`r must be ≤ min(M, H, N) = ${cap}, got ${r}`);
}

/** λ and its multiplicity m for RRR with true rank r (Aoyagi & Watanabe 2005). */
export function rrrLambda(args: RrrArgs): RrrLambda {
  checkArgs(args);
  const { M, H, N, r } = args;
  // Integer arithmetic, one division at the end: every value is a multiple of 1/8, exact in float64.
  if (M + H < N + r) return { lambda: (H * M - H * r + N * r) / 2, multiplicity: 1, regime: 'M+H<N+r' };
  if (N + H < M + r) return { lambda: (H * N - H * r + M * r) / 2, multiplicity: 1, regime: 'N+H<M+r' };
  if (M + N < H + r) return { lambda: (M * N) / 2, multiplicity: 1, regime: 'M+N<H+r' };
  const numerator = 2 * (H + r) * (M + N) - (M - N) ** 2 - (H + r) ** 2;
  // Odd M+H+N+r: the blow-up leaves a half-integer gap, giving +1/8 and a second pole of equal order.
  if ((M + H + N + r) % 2 === 1) return { lambda: (numerator + 1) / 8, multiplicity: 2, regime: 'main' };
  return { lambda: numerator / 8, multiplicity: 1, regime: 'main' };
}
