/** Test vectors A, B, C from the science doc (test support, not public API). */

/** Vector A: 2 chains × 20 hand-written draws. */
export const VECTOR_A: number[][] = [
  [0.1, -0.3, 1.2, 0.8, -1.5, 0.4, 2.1, -0.7, 0.0, 0.9, -0.2, 0.6, 1.3, -1.1, 0.7, 0.25, -0.45, 1.05, 0.35, -0.6],
  [1.1, 0.5, 1.9, 1.4, 0.2, 1.7, 2.6, 0.3, 1.0, 1.6, 0.8, 1.2, 2.2, 0.15, 1.45, 0.95, 0.55, 1.85, 1.25, 0.65],
];

/**
 * AR(1) chains driven by the Park–Miller "minimal standard" LCG
 * (k ← 16807·k mod 2³¹−1; exact in doubles since 16807·k < 2⁵³):
 * x ← φ·x + (u − 1/2), draw = x + offset·c, chain c seeded with seed(c).
 */
export function arChains(chains: number, draws: number, phi: number, offset: number, seed: (c: number) => number): number[][] {
  const out: number[][] = [];
  for (let c = 0; c < chains; c++) {
    let k = seed(c);
    let x = 0;
    const chain: number[] = [];
    for (let i = 0; i < draws; i++) {
      k = (16807 * k) % 2147483647;
      x = phi * x + (k / 2147483647 - 0.5);
      chain.push(x + offset * c);
    }
    out.push(chain);
  }
  return out;
}

/** Vector B: 4 chains × 200, φ = 0.9, seeds 1…4, offset 0.1 per chain. */
export const VECTOR_B = arChains(4, 200, 0.9, 0.1, (c) => c + 1);

/** Vector C: 1 chain × 1000, antithetic φ = −0.9, seed 1. */
export const VECTOR_C = arChains(1, 1000, -0.9, 0, () => 1);
