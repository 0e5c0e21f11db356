/**
 * Diagonal preconditioners for stochastic-gradient Langevin samplers (docs/SCIENCE.md §2).
 *
 * Statistics come from the minibatch *loss* gradient g = ∇L_batch only: the localiser
 * γ(w − w*) and the temperature nβ are left out, so P measures the data geometry and
 * does not change when γ or β0 are varied between runs.
 *
 *   RMSProp: v ← β2·v + (1 − β2)·g²  (v₀ = 1),  v̂ = v/(1 − β2ᵗ) if biasCorrection else v,
 *            P = 1/(√v̂ + eps),  drift = g.
 *   Adam:    as RMSProp, plus m ← β1·m + (1 − β1)·g (m₀ = 0), drift = m̂ = m/(1 − β1ᵗ).
 *
 * v₀ = 1 (not 0) makes the first steps plain SGLD-sized (P ≈ 1/(1 + eps)) instead of
 * dividing by the square root of a single noisy gradient. The first moment starts at 0,
 * where its bias correction is exact, so it is always applied (a constant gradient gives
 * m̂ = g from the first step). Adam's drift lags the gradient by ~β1/(1 − β1) steps, a
 * bias of about that many times the ULA one (≈ +1% at εP·curvature = 0.002, +48% at 0.1
 * with β1 = 0.9; exact values for a quadratic are checked in kernels/sgld.test.ts).
 *
 * Adaptation bias (measured in kernels/sgld.test.ts): P is
 * built from the chain's own recent gradients, so it is correlated with the position,
 * and the stationary law is no longer exp(−U). The bias is set by the ratio of the EMA
 * window 1/(1 − β2) to the chain's relaxation time ~2/(εP·curvature) steps, not by ε
 * alone: at fixed β2 it *grows* as ε → 0. With full-batch gradients on a flat-prior
 * quadratic (d = 3, t = 50, eps = 0.1) we measured λ̂ +21% at β2 = 0.999, ε = 1e-5;
 * +6% at β2 = 0.999, ε = 1e-4; +18% at β2 = 0.99, ε = 1e-4. Minibatch noise in g²
 * weakens the correlation. `freezeAfter` (set it to the burn-in length) removes the
 * bias: afterwards the metric is fixed and the chain is exact as ε → 0.
 *
 * Everything here is pure: an update returns a new state and never touches its inputs.
 */

export type PreconditionKind = 'none' | 'rmsprop' | 'adam';

export interface PreconditionerParams {
  readonly kind: PreconditionKind;
  /** First-moment decay (Adam only). */
  readonly beta1: number;
  /** Second-moment decay. */
  readonly beta2: number;
  /** Added to √v̂; caps P at 1/eps where gradients vanish. */
  readonly eps: number;
  /** Divide v by (1 − β2ᵗ). Off by default: see PRECONDITIONER_DEFAULTS. */
  readonly biasCorrection: boolean;
  /**
   * Stop updating v after this many updates (null = never). A P that keeps adapting to
   * the chain's own recent gradients is correlated with its position, which biases the
   * target (see the note at the top); freezing it after burn-in makes the sampling
   * phase plain SGLD with a fixed diagonal metric, which is exact as ε → 0.
   */
  readonly freezeAfter: number | null;
}

/**
 * Defaults. beta1 = 0.9 and beta2 = 0.999 are Adam's. eps = 0.1 follows devinterp's
 * RMSprop preconditioner rather than the optimiser convention 1e-8: near w* (where the
 * LLC is measured) loss gradients along degenerate directions are ~0, and eps = 1e-8
 * would let P reach 1e8 there and blow the chain up; 0.1 caps the step gain at 10×.
 * biasCorrection is off because the spec's v₀ = 1 is not the v₀ = 0 the correction
 * assumes: with it, v̂₁ ≈ 1/(1 − β2) = 1000 and P starts ~30× smaller than plain SGLD
 * until β2ᵗ has decayed (a few thousand steps). Harmless, but not a correction.
 */
export const PRECONDITIONER_DEFAULTS = {
  beta1: 0.9,
  beta2: 0.999,
  eps: 0.1,
  biasCorrection: false,
  freezeAfter: null,
} as const;

export interface PreconditionerState {
  /** Number of updates applied so far. */
  readonly t: number;
  /** Second-moment EMA of the loss gradient (length d). */
  readonly v: Float64Array;
  /** First-moment EMA (Adam only; null otherwise). */
  readonly m: Float64Array | null;
}

export interface PreconditionerUpdate {
  readonly state: PreconditionerState;
  /** Diagonal P: the step ε becomes ε·P_i per coordinate (drift εP/2, noise variance εP). */
  readonly scale: Float64Array;
  /** What replaces the loss gradient in the drift: g itself (RMSProp) or m̂ (Adam). */
  readonly drift: Float64Array;
}

/** Fills in defaults and validates; throws with the offending value. */
export function resolvePreconditioner(
  params: Partial<PreconditionerParams> & { kind?: PreconditionKind },
): PreconditionerParams {
  const p: PreconditionerParams = {
    kind: params.kind ?? 'none',
    beta1: params.beta1 ?? PRECONDITIONER_DEFAULTS.beta1,
    beta2: params.beta2 ?? PRECONDITIONER_DEFAULTS.beta2,
    eps: params.eps ?? PRECONDITIONER_DEFAULTS.eps,
    biasCorrection: params.biasCorrection ?? PRECONDITIONER_DEFAULTS.biasCorrection,
    freezeAfter: params.freezeAfter ?? PRECONDITIONER_DEFAULTS.freezeAfter,
  };
  if (p.kind !== 'none' && p.kind !== 'rmsprop' && p.kind !== 'adam') {
    throw new Error(`Error in resolvePreconditioner: precondition must be 'none', 'rmsprop' or 'adam', got '${String(p.kind)}'`);
  }
  if (!(p.beta1 >= 0 && p.beta1 < 1)) throw new Error(`Error in resolvePreconditioner: beta1 must be in [0, 1), got ${p.beta1}`);
  if (!(p.beta2 >= 0 && p.beta2 < 1)) throw new Error(`Error in resolvePreconditioner: beta2 must be in [0, 1), got ${p.beta2}`);
  // eps > 0 (not ≥ 0): with zero gradients v decays as β2ᵗ and underflows to 0 after
  // ~7·10⁵ steps at β2 = 0.999, which would make P infinite.
  if (!(p.eps > 0 && Number.isFinite(p.eps))) throw new Error(`Error in resolvePreconditioner: eps must be a finite number > 0, got ${p.eps}`);
  if (p.freezeAfter !== null && !(Number.isInteger(p.freezeAfter) && p.freezeAfter >= 0)) {
    throw new Error(`Error in resolvePreconditioner: freezeAfter must be null or an integer ≥ 0, got ${p.freezeAfter}`);
  }
  return p;
}

/** The state before the first update: t = 0, v = 1, m = 0 (Adam). */
export function initPreconditioner(dim: number, kind: PreconditionKind): PreconditionerState {
  return {
    t: 0,
    v: new Float64Array(dim).fill(1),
    m: kind === 'adam' ? new Float64Array(dim) : null,
  };
}

/** P = 1/(√v̂ + eps) for a given state (used by the update and by diagnostics/tests). */
export function preconditionerScale(state: PreconditionerState, params: PreconditionerParams): Float64Array {
  const { v, t } = state;
  // The correction counts updates of v, so a frozen v also has a frozen P.
  const updates = params.freezeAfter === null ? t : Math.min(t, params.freezeAfter);
  const correction = params.biasCorrection && updates > 0 ? 1 / (1 - params.beta2 ** updates) : 1;
  const scale = new Float64Array(v.length);
  for (let i = 0; i < v.length; i++) scale[i] = 1 / (Math.sqrt(v[i] * correction) + params.eps);
  return scale;
}

/**
 * One update with the minibatch loss gradient g. The statistics are updated before
 * they are used (as in RMSProp/Adam), so the step that sees g is already scaled by it.
 */
export function updatePreconditioner(
  state: PreconditionerState,
  grad: Float64Array,
  params: PreconditionerParams,
): PreconditionerUpdate {
  if (params.kind === 'none') throw new Error(`Error in updatePreconditioner: kind 'none' has no preconditioner state`);
  const d = grad.length;
  if (state.v.length !== d) throw new Error(`Error in updatePreconditioner: state has dimension ${state.v.length}, gradient ${d}`);
  const { beta1, beta2 } = params;
  const t = state.t + 1;
  // A frozen v is shared, not copied: states are never mutated, so sharing is safe.
  const frozen = params.freezeAfter !== null && state.t >= params.freezeAfter;
  let v = state.v;
  if (!frozen) {
    v = new Float64Array(d);
    for (let i = 0; i < d; i++) v[i] = beta2 * state.v[i] + (1 - beta2) * grad[i] * grad[i];
  }

  let m: Float64Array | null = null;
  let drift = grad;
  if (params.kind === 'adam') {
    const prev = state.m ?? new Float64Array(d);
    m = new Float64Array(d);
    drift = new Float64Array(d);
    const correction = 1 / (1 - beta1 ** t);
    for (let i = 0; i < d; i++) {
      m[i] = beta1 * prev[i] + (1 - beta1) * grad[i];
      drift[i] = m[i] * correction;
    }
  }
  const next: PreconditionerState = { t, v, m };
  return { state: next, scale: preconditionerScale(next, params), drift };
}
