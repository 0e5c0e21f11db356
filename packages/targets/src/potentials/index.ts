/**
 * Registry of analytic potentials with known learning coefficients, for testing samplers
 * against answers that do not depend on a trained network (docs/SCIENCE.md §3).
 *
 * Each entry builds a LossModel for K(w) and reports λ at the caller's temperature
 * t = nβ (set directly by the caller; the LossModel's `n` is only a nominal value, default 1)
 * and Gaussian localiser strength γ (γ = 0: flat prior). Every w* is the origin.
 *
 * exact = true only where λ(t) is known exactly at finite t:
 *   - quadratic, either prior: ½ Σ t h_i/(t h_i + γ);
 *   - monomial with a flat prior: Σ 1/p_i at every t.
 * Everywhere else `value` is the asymptotic λ (t → ∞). For multiplicity m, the free energy is
 * λ ln t − (m − 1) ln ln t + O(1) (Watanabe 2009, Thm 6.7), so the finite-t value
 * t·dF/dt sits below λ by about (m − 1)/ln t (e.g. m = 2, t = 10⁴: ≈ 0.11), plus
 * lower-order terms and the pull of γ > 0. Compare samplers with finite-t reference values
 * (or at very large t with loose tolerances), never tightly with the asymptote.
 * The singular potentials (normal crossing, scalar chain, two-layer linear) vanish on
 * unbounded sets, so their tempered posterior is improper with a flat prior: use γ > 0
 * (`flatPriorProper` says which).
 */
import type { LossModel } from '@llc/core/model';
import { monomialExactLlc, monomialPotential } from './monomial';
import { normalCrossingLlc, normalCrossingPotential } from './normalCrossing';
import { quadraticExactLlc, quadraticPotential } from './quadratic';
import { scalarChainLlc, scalarChainPotential } from './scalarChain';
import { twoLayerLinearLlc, twoLayerLinearPotential } from './twoLayerLinear';

/** Every potential takes an optional nominal `n` for its LossModel (default 1). */
interface Nominal {
  n?: number;
}

export interface PotentialParams {
  quadratic: Nominal & { h: number[] };
  monomial: Nominal & { powers: number[] };
  'normal-crossing': Nominal & { k: number[] };
  'scalar-chain': Nominal & { depth: number };
  'two-layer-linear': Nominal & { M: number; H: number; N: number };
}

export type PotentialKind = keyof PotentialParams;

export interface PotentialLambda {
  value: number;
  multiplicity: number;
  /** true: `value` is the exact expectation at this (t, γ); false: asymptotic λ (t → ∞). */
  exact: boolean;
}

export interface PotentialTemperature {
  /** t = nβ > 0. */
  t: number;
  /** Localiser strength γ ≥ 0 (0: flat prior). */
  gamma: number;
}

export interface PotentialEntry<P> {
  create(params: P): LossModel;
  lambda(params: P, at: PotentialTemperature): PotentialLambda;
  /** The minimiser at which λ is stated (always the origin here). */
  wStar(params: P): Float64Array;
  /** Whether exp(−tK) is normalisable without a localiser (γ = 0 allowed). */
  flatPriorProper: boolean;
}

function checkTemperature({ t, gamma }: PotentialTemperature, kind: PotentialKind): void {
  if (!(Number.isFinite(t) && t > 0)) throw new Error(`Error in POTENTIALS['${kind}'].lambda: t must be a finite number > 0, got ${String(t)}`);
  if (!(Number.isFinite(gamma) && gamma >= 0)) {
    throw new Error(`Error in POTENTIALS['${kind}'].lambda: gamma must be a finite number ≥ 0, got ${String(gamma)}`);
  }
}

function checkCurvatures(h: unknown, caller: string): number[] {
  if (!Array.isArray(h) || h.length === 0) throw new Error(`Error in ${caller}: h must be a non-empty array, got ${JSON.stringify(h)}`);
  h.forEach((hi, i) => {
    if (!(typeof hi === 'number' && Number.isFinite(hi) && hi >= 0)) throw new Error(`Error in ${caller}: h[${i}] must be a finite number ≥ 0, got ${String(hi)}`);
  });
  return h as number[];
}

function checkPowers(powers: unknown, caller: string): number[] {
  if (!Array.isArray(powers) || powers.length === 0) {
    throw new Error(`Error in ${caller}: powers must be a non-empty array, got ${JSON.stringify(powers)}`);
  }
  return powers as number[];
}

const origin = (model: LossModel) => new Float64Array(model.dim);

export const POTENTIALS: { readonly [K in PotentialKind]: PotentialEntry<PotentialParams[K]> } = {
  quadratic: {
    create: ({ h, n }) => quadraticPotential(checkCurvatures(h, "POTENTIALS['quadratic'].create"), undefined, n),
    lambda({ h }, at) {
      checkTemperature(at, 'quadratic');
      const hs = checkCurvatures(h, "POTENTIALS['quadratic'].lambda");
      // A zero curvature is a flat direction: only the localiser keeps it proper.
      if (at.gamma === 0 && hs.some((hi) => hi === 0)) {
        throw new Error("Error in POTENTIALS['quadratic'].lambda: gamma = 0 needs every h[i] > 0 (a flat direction is improper)");
      }
      return { value: quadraticExactLlc(hs, at.t, at.gamma), multiplicity: 1, exact: true };
    },
    wStar: ({ h }) => new Float64Array(checkCurvatures(h, "POTENTIALS['quadratic'].wStar").length),
    flatPriorProper: true, // when every h_i > 0
  },
  monomial: {
    create: ({ powers, n }) => monomialPotential(checkPowers(powers, "POTENTIALS['monomial'].create"), undefined, n),
    lambda({ powers }, at) {
      checkTemperature(at, 'monomial');
      // Validates the powers exactly as the potential does.
      const p = checkPowers(powers, "POTENTIALS['monomial'].lambda");
      monomialPotential(p);
      // Σ1/p_i is exact at every t only without the localiser; with γ > 0 it is the t → ∞ limit.
      return { value: monomialExactLlc(p), multiplicity: 1, exact: at.gamma === 0 };
    },
    wStar: ({ powers }) => origin(monomialPotential(checkPowers(powers, "POTENTIALS['monomial'].wStar"))),
    flatPriorProper: true,
  },
  'normal-crossing': {
    create: ({ k, n }) => normalCrossingPotential(k, n),
    lambda({ k }, at) {
      checkTemperature(at, 'normal-crossing');
      const { lambda, multiplicity } = normalCrossingLlc(k);
      return { value: lambda, multiplicity, exact: false };
    },
    wStar: ({ k }) => origin(normalCrossingPotential(k)),
    flatPriorProper: false,
  },
  'scalar-chain': {
    create: ({ depth, n }) => scalarChainPotential(depth, n),
    lambda({ depth }, at) {
      checkTemperature(at, 'scalar-chain');
      const { lambda, multiplicity } = scalarChainLlc(depth);
      return { value: lambda, multiplicity, exact: false };
    },
    wStar: ({ depth }) => origin(scalarChainPotential(depth)),
    flatPriorProper: false,
  },
  'two-layer-linear': {
    create: ({ M, H, N, n }) => twoLayerLinearPotential({ M, H, N }, n),
    lambda({ M, H, N }, at) {
      checkTemperature(at, 'two-layer-linear');
      const { lambda, multiplicity } = twoLayerLinearLlc({ M, H, N });
      return { value: lambda, multiplicity, exact: false };
    },
    wStar: ({ M, H, N }) => origin(twoLayerLinearPotential({ M, H, N })),
    flatPriorProper: false,
  },
};

export const POTENTIAL_KINDS = Object.keys(POTENTIALS) as PotentialKind[];
