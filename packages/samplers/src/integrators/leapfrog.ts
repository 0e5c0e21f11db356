/**
 * The leapfrog (Störmer–Verlet) integrator for H(q, p) = U(q) + ½ pᵀM⁻¹p with a
 * diagonal inverse mass M⁻¹. It is symplectic and time-reversible, which is what
 * makes the Metropolis-adjusted HMC proposal exact; its energy error is O(ε²).
 * Pure: the input point is never modified.
 */

/** U(q) and ∇U(q) at a position (one gradient evaluation). */
import type { PotentialFn } from '../potential';
export type { PotentialFn };

export interface PhasePoint {
  readonly position: Float64Array;
  readonly momentum: Float64Array;
  /** U at `position`. */
  readonly potential: number;
  /** ∇U at `position`, carried so consecutive trajectories need no extra gradient. */
  readonly grad: Float64Array;
}

export interface LeapfrogResult {
  readonly point: PhasePoint;
  /** Gradient evaluations spent (fewer than `steps` when the trajectory blew up and was cut short). */
  readonly gradients: number;
}

/** ½ Σ M⁻¹_i p_i². */
export function kineticEnergy(momentum: Float64Array, inverseMass: Float64Array): number {
  let k = 0;
  for (let i = 0; i < momentum.length; i++) k += inverseMass[i] * momentum[i] * momentum[i];
  return 0.5 * k;
}

/**
 * `steps` leapfrog steps of size ε: half kick, drift, half kick each. A non-finite
 * potential stops the trajectory early: the proposal is then rejected anyway, and
 * the remaining gradients would only be spent on NaNs.
 */
export function leapfrog(potentialFn: PotentialFn, start: PhasePoint, stepSize: number, inverseMass: Float64Array, steps: number): LeapfrogResult {
  const d = start.position.length;
  if (start.momentum.length !== d || start.grad.length !== d || inverseMass.length !== d) {
    throw new Error(`Error in leapfrog: position, momentum, grad and inverseMass must all have length ${d}`);
  }
  const q = Float64Array.from(start.position);
  const p = Float64Array.from(start.momentum);
  let grad = start.grad;
  let potential = start.potential;
  const half = 0.5 * stepSize;
  let gradients = 0;
  for (let s = 0; s < steps; s++) {
    for (let i = 0; i < d; i++) p[i] -= half * grad[i];
    for (let i = 0; i < d; i++) q[i] += stepSize * inverseMass[i] * p[i];
    const next = potentialFn(q);
    gradients++;
    grad = next.grad;
    potential = next.potential;
    for (let i = 0; i < d; i++) p[i] -= half * grad[i];
    if (!Number.isFinite(potential)) break;
  }
  // The potential function may hand back a buffer it reuses; the point owns its copy.
  return { point: { position: q, momentum: p, potential, grad: Float64Array.from(grad) }, gradients };
}
