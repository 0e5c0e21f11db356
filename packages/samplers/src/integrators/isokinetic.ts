/**
 * Isokinetic integrators for microcanonical (ESH) dynamics (Steeg & Galstyan 2021;
 * Robnik et al. 2023, MCLMC): the velocity u stays on the unit sphere, the position
 * moves at unit speed, ẋ = u, and
 *   u̇ = −(I − uuᵀ)∇U / (d − 1).
 * With the (d − 1) time weighting the x-marginal of the invariant measure is exp(−U),
 * so no Metropolis step is needed for the right target (up to the O(ε²) integrator bias).
 *
 * Integrators are symmetric compositions of two exact flows: the position drift
 * x ← x + a·ε·u, and the velocity flow under a frozen gradient, which has a closed form.
 * As in BlackJAX, one coefficient table per scheme feeds one generic integrator.
 *
 * Everything here is pure: inputs are never written, every result is a fresh array.
 */

export type IsokineticIntegratorName = 'velocity-verlet' | 'mclachlan';

export const ISOKINETIC_INTEGRATORS: readonly IsokineticIntegratorName[] = ['velocity-verlet', 'mclachlan'];

/** A phase-space point with its potential U and ∇U cached, so each gradient is computed once. */
export interface IsokineticPoint {
  readonly position: Float64Array;
  /** Unit-norm velocity. */
  readonly velocity: Float64Array;
  /** U(position). */
  readonly potential: number;
  /** ∇U(position). */
  readonly gradient: Float64Array;
}

import type { PotentialFn } from '../potential';
export type { PotentialFn };

/**
 * Velocity-first palindromic schemes: velocity[0], position[0], velocity[1], position[1], …,
 * velocity[last]. Every position stage ends in one gradient evaluation; the first velocity
 * stage reuses the cached gradient, so the cost is `position.length` gradients per step.
 */
interface Coefficients {
  readonly velocity: readonly number[];
  readonly position: readonly number[];
}

// The 2-stage minimal-error-norm splitting (McLachlan 1995; Omelyan, Mryglod & Folk 2003):
// λ minimises the norm of the leading error term, giving a smaller O(ε²) constant than
// velocity Verlet for two gradients per step.
const MCLACHLAN_LAMBDA = 0.1931833275037836;

const COEFFICIENTS: Record<IsokineticIntegratorName, Coefficients> = {
  'velocity-verlet': { velocity: [0.5, 0.5], position: [1] },
  mclachlan: { velocity: [MCLACHLAN_LAMBDA, 1 - 2 * MCLACHLAN_LAMBDA, MCLACHLAN_LAMBDA], position: [0.5, 0.5] },
};

/** Gradient evaluations per integrator step, given a cached gradient at the start point. */
export function gradientsPerStep(integrator: IsokineticIntegratorName): number {
  return coefficientsOf(integrator).position.length;
}

function coefficientsOf(integrator: IsokineticIntegratorName): Coefficients {
  const c = COEFFICIENTS[integrator];
  if (!c) {
    throw new Error(`Error in isokinetic: unknown integrator '${String(integrator)}'; expected one of ${ISOKINETIC_INTEGRATORS.join(', ')}`);
  }
  return c;
}

function norm(v: Float64Array): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i] * v[i];
  return Math.sqrt(s);
}

/**
 * Exact isokinetic velocity flow for time `delta` under the frozen gradient ∇U:
 * with e = −∇U/‖∇U‖, δ' = delta·‖∇U‖/(d − 1), ζ = e^{−δ'},
 *   u ← normalize(e(1 − ζ)(1 + ζ + u·e(1 − ζ)) + 2ζu),
 *   ΔK = (d − 1)(δ' − ln 2 + ln(1 + u·e + (1 − u·e)ζ²)),
 * ΔK being the kinetic-energy change that makes ΔK + ΔU the energy error of a step.
 * The final renormalisation only removes rounding; the flow itself stays on the sphere.
 */
export function isokineticVelocityUpdate(
  velocity: Float64Array,
  gradient: Float64Array,
  delta: number,
): { velocity: Float64Array; kineticChange: number } {
  const d = velocity.length;
  if (gradient.length !== d) {
    throw new Error(`Error in isokineticVelocityUpdate: velocity (${d}) and gradient (${gradient.length}) lengths must match`);
  }
  if (d < 2) throw new Error(`Error in isokineticVelocityUpdate: isokinetic dynamics needs d ≥ 2, got d = ${d}`);
  const gNorm = norm(gradient);
  // A zero gradient (or zero time) leaves u unchanged; the closed form would divide 0 by 0.
  if (gNorm === 0 || delta === 0) return { velocity: Float64Array.from(velocity), kineticChange: 0 };
  let ue = 0;
  for (let i = 0; i < d; i++) ue -= (velocity[i] * gradient[i]) / gNorm;
  const deltaScaled = (delta * gNorm) / (d - 1);
  const zeta = Math.exp(-deltaScaled);
  const alongE = (1 - zeta) * (1 + zeta + ue * (1 - zeta));
  const next = new Float64Array(d);
  for (let i = 0; i < d; i++) next[i] = (-alongE * gradient[i]) / gNorm + 2 * zeta * velocity[i];
  const n = norm(next);
  for (let i = 0; i < d; i++) next[i] /= n;
  const kineticChange = (d - 1) * (deltaScaled - Math.LN2 + Math.log(1 + ue + (1 - ue) * zeta * zeta));
  return { velocity: next, kineticChange };
}

/**
 * One integrator step of size ε from `point` (whose gradient is reused). Returns the new
 * point (with its U and ∇U cached), the summed kinetic-energy change, and the number of
 * gradient evaluations spent (1 for velocity Verlet, 2 for McLachlan).
 */
export function isokineticStep(
  integrator: IsokineticIntegratorName,
  potentialFn: PotentialFn,
  point: IsokineticPoint,
  stepSize: number,
): { point: IsokineticPoint; kineticChange: number; gradientEvaluations: number } {
  const { velocity: b, position: a } = coefficientsOf(integrator);
  const d = point.position.length;
  let position = point.position;
  let velocity = point.velocity;
  let potential = point.potential;
  let gradient = point.gradient;
  let kineticChange = 0;
  let gradientEvaluations = 0;
  for (let stage = 0; stage < b.length; stage++) {
    const v = isokineticVelocityUpdate(velocity, gradient, b[stage] * stepSize);
    velocity = v.velocity;
    kineticChange += v.kineticChange;
    if (stage < a.length) {
      const moved = new Float64Array(d);
      const h = a[stage] * stepSize;
      for (let i = 0; i < d; i++) moved[i] = position[i] + h * velocity[i];
      position = moved;
      const evaluated = potentialFn(position);
      potential = evaluated.potential;
      gradient = evaluated.grad;
      gradientEvaluations++;
    }
  }
  return { point: { position, velocity, potential, gradient }, kineticChange, gradientEvaluations };
}
