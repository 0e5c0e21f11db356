/**
 * The only sampling loop. It drives any kernel chain by chain, records the
 * full-data LLC every `evalEvery` steps after burn-in, accounts work in FGE and
 * wall time, and stops a chain cleanly on non-finite values (never averaging them
 * into λ̂). Chains are seeded from (seed, "chain", c) alone, so a chain's draws do
 * not depend on how many other chains or runs share the process.
 */
import { createRng, type RngState } from '../../tools/src/random/rng';
import type { LossModel } from './model';
import { llcOf, type LocalPosterior } from './posterior';

export interface KernelState {
  readonly position: Float64Array;
}
export interface StepInfo {
  readonly fge: number;
  /** True when the step itself detected a divergence (e.g. an HMC energy error). */
  readonly divergent?: boolean;
}
export interface SamplingAlgorithm<S extends KernelState> {
  init(position: Float64Array, rng: RngState): S;
  step(state: S): { state: S; info: StepInfo };
}

export interface RunOptions {
  chains: number;
  /** Steps whose draws are recorded (one draw every `evalEvery` steps). */
  steps: number;
  /** Steps run and counted but not recorded. */
  burnIn: number;
  evalEvery: number;
  seed: number;
  /** Chains start at w* + initNoise·N(0, I). */
  initNoise: number;
  onProgress?: (p: { chain: number; step: number; totalSteps: number }) => void;
  signal?: AbortSignal;
  /** Injectable clock (seconds) so tests can be exact. */
  now?: () => number;
}

export type ChainStatus =
  | { status: 'ok' }
  | { status: 'stopped'; atStep: number; atDraw: number; reason: string }
  | { status: 'interrupted'; atStep: number; atDraw: number };

export interface ChainTrace {
  /** LLC per draw, nβ(L_n(w_t) − L_n(w*)). */
  llc: Float64Array;
  /** Full-data loss per draw. */
  loss: Float64Array;
  /** Cumulative gradient work (FGE) at each draw, burn-in included. */
  fge: Float64Array;
  /** Seconds since the chain started, at each draw. */
  seconds: Float64Array;
  /** Number of valid draws (shorter than the arrays when the chain stopped). */
  draws: number;
  status: ChainStatus;
  totalFge: number;
  totalSeconds: number;
  finalPosition: Float64Array;
}

export interface RunResult {
  chains: ChainTrace[];
  /** Sampling-step index (after burn-in, 1-based) of each draw. */
  drawSteps: Int32Array;
}

function isFiniteVector(v: Float64Array): boolean {
  for (let i = 0; i < v.length; i++) if (!Number.isFinite(v[i])) return false;
  return true;
}

export function runChains<S extends KernelState>(
  model: LossModel,
  posterior: LocalPosterior,
  algorithm: SamplingAlgorithm<S>,
  options: RunOptions,
): RunResult {
  const { chains, steps, burnIn, evalEvery, seed, initNoise } = options;
  const now = options.now ?? (() => performance.now() / 1000);
  const nDraws = Math.floor(steps / evalEvery);
  const drawSteps = Int32Array.from({ length: nDraws }, (_, i) => (i + 1) * evalEvery);
  const totalSteps = burnIn + steps;
  const out: ChainTrace[] = [];

  for (let c = 0; c < chains; c++) {
    const initRng = createRng(seed, 'chain', c, 'init');
    const start = Float64Array.from(posterior.wStar, (w) => w + initNoise * initRng.normal());
    let state = algorithm.init(start, createRng(seed, 'chain', c, 'kernel').state());
    const trace: ChainTrace = {
      llc: new Float64Array(nDraws).fill(Number.NaN),
      loss: new Float64Array(nDraws).fill(Number.NaN),
      fge: new Float64Array(nDraws).fill(Number.NaN),
      seconds: new Float64Array(nDraws).fill(Number.NaN),
      draws: 0,
      status: { status: 'ok' },
      totalFge: 0,
      totalSeconds: 0,
      finalPosition: start,
    };
    const t0 = now();
    let fge = 0;
    for (let t = 1; t <= totalSteps; t++) {
      if (options.signal?.aborted) {
        trace.status = { status: 'interrupted', atStep: t, atDraw: trace.draws };
        break;
      }
      const { state: next, info } = algorithm.step(state);
      fge += info.fge;
      if (info.divergent) {
        trace.status = { status: 'stopped', atStep: t, atDraw: trace.draws, reason: `divergent transition at step ${t}` };
        break;
      }
      if (!isFiniteVector(next.position)) {
        trace.status = {
          status: 'stopped',
          atStep: t,
          atDraw: trace.draws,
          reason: `non-finite parameters at step ${t} (step size too large for this target?)`,
        };
        break;
      }
      state = next;
      const sampleStep = t - burnIn;
      if (sampleStep > 0 && sampleStep % evalEvery === 0) {
        const loss = model.loss(state.position);
        const llc = llcOf(loss, posterior);
        if (!Number.isFinite(llc)) {
          trace.status = { status: 'stopped', atStep: t, atDraw: trace.draws, reason: `non-finite loss at step ${t} (step size too large for this target?)` };
          break;
        }
        const k = trace.draws++;
        trace.loss[k] = loss;
        trace.llc[k] = llc;
        trace.fge[k] = fge;
        trace.seconds[k] = now() - t0;
      }
      options.onProgress?.({ chain: c, step: t, totalSteps });
    }
    trace.totalFge = fge;
    trace.totalSeconds = now() - t0;
    trace.finalPosition = state.position;
    out.push(trace);
  }
  return { chains: out, drawSteps };
}
