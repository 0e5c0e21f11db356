/**
 * The only sampling loop. It drives any kernel chain by chain, records the
 * full-data LLC every `evalEvery` steps after burn-in, accounts work in FGE and
 * wall time, and stops a chain cleanly on non-finite values (never averaging them
 * into λ̂). Chains are seeded from (seed, "chain", c) alone, so a chain's draws do
 * not depend on how many other chains or runs share the process.
 */
import { createRng } from '@llc/core/random/rng';
import type { LossModel } from '@llc/core/model';
import { drain, drainYielding } from './drive';
import type { KernelState, SamplingAlgorithm, StepInfo } from './algorithm';
import { llcOf, type LocalPosterior } from './posterior';

export type { KernelState, StepInfo, SamplingAlgorithm, Kernel, WarmupResult } from './algorithm';

export interface RunOptions {
  chains: number;
  /** Steps whose draws are recorded (one draw every `evalEvery` steps). */
  steps: number;
  /** Steps run and counted but not recorded; samplers with a warmup tune themselves during them. */
  burnIn: number;
  evalEvery: number;
  seed: number;
  /** Chains start at w* + initNoise·N(0, I). */
  initNoise: number;
  /**
   * Run only these chain indices, in this order (default 0 … chains − 1). A chain's draws
   * depend only on (seed, its index), so chains can be split across processes or threads.
   */
  chainIds?: readonly number[];
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
  /** Mean acceptance (or MALA diagnostic) over the steps since the previous draw; NaN if the sampler reports none. */
  acceptance: Float64Array;
  /** Energy reported by the sampler at each draw step; NaN if none. */
  energy: Float64Array;
  /** Parameters the sampler tuned during warmup (empty without warmup). */
  tuned: Record<string, number>;
  /** Divergent transitions during sampling (rejected proposals; flagged in the analysis). */
  divergences: number;
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

/** Synchronous driver (tests, benchmarks): runs every chain to the end. */
export function runChains<S extends KernelState>(
  model: LossModel,
  posterior: LocalPosterior,
  algorithm: SamplingAlgorithm<S>,
  options: RunOptions,
): RunResult {
  return drain(chainLoop(model, posterior, algorithm, options));
}

/**
 * The driver for stage processes: the same loop, but it yields to the event loop
 * every ~50 ms so that SIGINT/SIGTERM handlers run and can abort `options.signal`
 * (a synchronous loop would only see the signal after it finished).
 */
export async function runChainsAsync<S extends KernelState>(
  model: LossModel,
  posterior: LocalPosterior,
  algorithm: SamplingAlgorithm<S>,
  options: RunOptions,
): Promise<RunResult> {
  return drainYielding(chainLoop(model, posterior, algorithm, options));
}

/** The one loop; it yields after every step so a driver can interleave other work. */
function* chainLoop<S extends KernelState>(
  model: LossModel,
  posterior: LocalPosterior,
  algorithm: SamplingAlgorithm<S>,
  options: RunOptions,
): Generator<void, RunResult, void> {
  const { chains, steps, burnIn, evalEvery, seed, initNoise } = options;
  const now = options.now ?? (() => performance.now() / 1000);
  const nDraws = Math.floor(steps / evalEvery);
  const drawSteps = Int32Array.from({ length: nDraws }, (_, i) => (i + 1) * evalEvery);
  const totalSteps = burnIn + steps;
  const out: ChainTrace[] = [];
  const ids = options.chainIds ?? Array.from({ length: chains }, (_, c) => c);

  for (const c of ids) {
    if (!Number.isInteger(c) || c < 0 || c >= chains) throw new Error(`Error in runChains: chain index ${c} is not in 0…${chains - 1}`);
    const initRng = createRng(seed, 'chain', c, 'init');
    const start = Float64Array.from(posterior.wStar, (w) => w + initNoise * initRng.normal());
    const nan = () => new Float64Array(nDraws).fill(Number.NaN);
    const trace: ChainTrace = {
      llc: nan(),
      loss: nan(),
      fge: nan(),
      seconds: nan(),
      acceptance: nan(),
      energy: nan(),
      tuned: {},
      divergences: 0,
      draws: 0,
      status: { status: 'ok' },
      totalFge: 0,
      totalSeconds: 0,
      finalPosition: start,
    };
    const t0 = now();
    let state = algorithm.init(start, createRng(seed, 'chain', c, 'kernel').state());
    let kernel = algorithm.step;
    let fge = 0;
    let t = 0;
    const progress = () => {
      t++;
      options.onProgress?.({ chain: c, step: t, totalSteps });
    };
    const stop = (reason: string) => {
      trace.status = { status: 'stopped', atStep: t, atDraw: trace.draws, reason };
    };
    /** Applies one step; returns false when the chain must stop. */
    const advance = (next: { state: S; info: StepInfo }): boolean => {
      fge += next.info.fge;
      if (next.info.divergent) {
        if (next.info.accepted !== false) {
          stop(`divergent transition at step ${t}`);
          return false;
        }
        // A rejected divergent proposal leaves the chain where it was: count and flag it (as Stan does).
        trace.divergences++;
      }
      if (!isFiniteVector(next.state.position)) {
        stop(`non-finite parameters at step ${t} (step size too large for this target?)`);
        return false;
      }
      state = next.state;
      return true;
    };

    let healthy = true;
    // A chain that starts after an interrupt skips its (synchronous, uninterruptible) warmup.
    if (algorithm.warmup && burnIn > 0 && !options.signal?.aborted) {
      try {
        const tuned = algorithm.warmup(state, burnIn, progress);
        fge += tuned.fge;
        state = tuned.state;
        kernel = tuned.kernel;
        trace.tuned = tuned.tuned;
        if (!isFiniteVector(state.position)) {
          stop('non-finite parameters during warmup');
          healthy = false;
        }
      } catch (error) {
        stop(`warmup failed: ${error instanceof Error ? error.message : String(error)}`);
        healthy = false;
      }
    } else {
      for (let b = 0; healthy && b < burnIn; b++) {
        yield;
        if (options.signal?.aborted) break;
        progress();
        healthy = advance(kernel(state));
      }
    }

    let acceptSum = 0;
    let acceptCount = 0;
    let energy = Number.NaN;
    for (let k = 1; healthy && k <= steps; k++) {
      yield;
      if (options.signal?.aborted) {
        trace.status = { status: 'interrupted', atStep: t, atDraw: trace.draws };
        break;
      }
      progress();
      const next = kernel(state);
      if (!advance(next)) break;
      if (next.info.acceptance !== undefined) {
        acceptSum += next.info.acceptance;
        acceptCount++;
      }
      if (next.info.energy !== undefined) energy = next.info.energy;
      if (k % evalEvery === 0) {
        const loss = model.loss(state.position);
        const llc = llcOf(loss, posterior);
        if (!Number.isFinite(llc)) {
          stop(`non-finite loss at step ${t} (step size too large for this target?)`);
          break;
        }
        const d = trace.draws++;
        trace.loss[d] = loss;
        trace.llc[d] = llc;
        trace.fge[d] = fge;
        trace.seconds[d] = now() - t0;
        trace.acceptance[d] = acceptCount > 0 ? acceptSum / acceptCount : Number.NaN;
        trace.energy[d] = energy;
        acceptSum = 0;
        acceptCount = 0;
      }
    }
    if (options.signal?.aborted && trace.status.status === 'ok' && trace.draws < nDraws) {
      trace.status = { status: 'interrupted', atStep: t, atDraw: trace.draws };
    }
    trace.totalFge = fge;
    trace.totalSeconds = now() - t0;
    trace.finalPosition = state.position;
    out.push(trace);
  }
  return { chains: out, drawSteps };
}
