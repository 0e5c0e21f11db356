/**
 * What every sampler kind provides to the run loop (samplers/src/run.ts). A kernel
 * is pure: (state) → (new state, info); the generator state travels inside `state`.
 * Samplers that tune themselves (HMC window adaptation, MCLMC step size and L) do so
 * in `warmup`, per chain, and return the kernel bound to the tuned parameters: every
 * chain keeps its own adapted state.
 */
import type { RngState } from '@llc/core/random/rng';

export interface KernelState {
  readonly position: Float64Array;
}

export interface StepInfo {
  /** Gradient work of this step in full-data gradient equivalents (b/n per minibatch gradient). */
  readonly fge: number;
  /** Metropolis acceptance probability of this step (HMC), or the MALA acceptance diagnostic (SGLD). */
  readonly acceptance?: number;
  /** Energy at the new state (HMC: the Hamiltonian; MCLMC: the energy change of the step). */
  readonly energy?: number;
  /**
   * The step diverged (HMC: |ΔH| > 1000; MCLMC: an exploding energy error). A divergent
   * proposal that a Metropolis test rejected (`accepted: false`) leaves the chain valid: it is
   * counted and flagged, as in Stan. Any other divergence stops the chain with the reason.
   */
  readonly divergent?: boolean;
  /** Metropolis-adjusted samplers: whether the proposal was accepted. */
  readonly accepted?: boolean;
}

export type Kernel<S extends KernelState> = (state: S) => { state: S; info: StepInfo };

export interface WarmupResult<S extends KernelState> {
  state: S;
  /** The kernel bound to the tuned parameters, used for every recorded step. */
  kernel: Kernel<S>;
  /** Gradient work spent tuning (counted in the run's FGE). */
  fge: number;
  /** Tuned values to record in the manifest, e.g. { stepSize: 0.01, L: 0.8, meanInverseMass: 1.2 }. */
  tuned: Record<string, number>;
}

export interface SamplingAlgorithm<S extends KernelState = KernelState> {
  init(position: Float64Array, rng: RngState): S;
  /** The untuned kernel (used when there is no warmup, and during burn-in). */
  step: Kernel<S>;
  /**
   * Optional tuning on `steps` steps from `state`; replaces plain burn-in when present.
   * `onStep` lets the loop report progress.
   */
  warmup?(state: S, steps: number, onStep?: () => void): WarmupResult<S>;
}
