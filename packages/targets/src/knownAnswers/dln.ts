/**
 * Learning coefficient of a deep linear network f(x) = W_L⋯W_1 x with layer widths
 * H_1 (input), …, H_{L+1} (output) at a true map of rank r: Aoyagi (2024), "Consideration
 * on the learning efficiency of multiple-layered neural networks with linear units",
 * Neural Networks 172, main theorem; transcribed as in docs/SCIENCE.md §3.
 *
 * With Δ_j = H_j − r sorted ascending, Σ is the shortest prefix (k ≥ 2 entries, ℓ = k − 1) with
 *   (i)   max Δ_Σ < min Δ_rest,
 *   (ii)  ΣΔ_Σ ≥ ℓ·max Δ_Σ,
 *   (iii) ΣΔ_Σ < ℓ·min Δ_rest          ((i) and (iii) are vacuous when Σ is everything),
 * and with S = ΣΔ_Σ, a = S mod ℓ:
 *   λ = r(H_1 + H_{L+1} − r)/2 + (S² + a(ℓ − a))/(4ℓ) − ¼ ΣΔ_σ² (σ ∈ Σ),   m = a(ℓ − a) + 1.
 * For L = 2 this reduces case by case to Aoyagi & Watanabe (2005) (rrr.ts); dln.test.ts
 * checks the two agree on a grid.
 */

export interface DlnLambda {
  lambda: number;
  multiplicity: number;
}

function checkArgs(widths: readonly number[], r: number): void {
  const fail = (message: string): never => {
    throw new Error(`Error in dlnLambda: ${message}`);
  };
  if (!Array.isArray(widths) || widths.length < 2) {
    fail(`widths must list at least [input, output], got ${JSON.stringify(widths)}`);
  }
  widths.forEach((width, j) => {
    if (!(Number.isInteger(width) && width >= 1)) fail(`widths[${j}] must be a positive integer, got ${String(width)}`);
  });
  if (!(Number.isInteger(r) && r >= 0)) fail(`r must be a non-negative integer, got ${String(r)}`);
  const cap = Math.min(...widths);
  // The end-to-end rank cannot exceed the narrowest layer.
  if (r > cap) fail(`r must be ≤ min(widths) = ${cap}, got ${r}`);
}

/** λ and multiplicity m of a deep linear network with widths [H_1 (input), …, H_{L+1} (output)] and true rank r. */
export function dlnLambda(widths: readonly number[], r: number): DlnLambda {
  checkArgs(widths, r);
  const delta = widths.map((h) => h - r).sort((x, y) => x - y);
  const count = delta.length;
  let sum = delta[0];
  let sumSq = delta[0] * delta[0];
  for (let k = 2; k <= count; k++) {
    const last = delta[k - 1]; // max Δ_Σ (sorted)
    sum += last;
    sumSq += last * last;
    const ell = k - 1;
    const everything = k === count;
    const restMin = everything ? Infinity : delta[k];
    if (!(everything || last < restMin)) continue; // (i)
    if (!(sum >= ell * last)) continue; // (ii)
    if (!(everything || sum < ell * restMin)) continue; // (iii)
    const a = sum % ell;
    const H1 = widths[0];
    const Hout = widths[widths.length - 1];
    // All terms are integers over 2, 4ℓ and 4: the float64 result is exact for practical widths.
    const lambda = (r * (H1 + Hout - r)) / 2 + (sum * sum + a * (ell - a)) / (4 * ell) - sumSq / 4;
    return { lambda, multiplicity: a * (ell - a) + 1 };
  }
  // Aoyagi (2024) proves a qualifying prefix always exists; reaching here means a transcription bug.
  throw new Error(`Error in dlnLambda: no prefix of sorted Δ = ${JSON.stringify(delta)} satisfies (i)–(iii)`);
}
