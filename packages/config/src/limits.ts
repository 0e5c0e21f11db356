/**
 * Up-front resource estimates for one sampler run, and the `limits` check that rejects a
 * pipeline before anything runs.
 *
 * Memory model (bytes, peak of the sampler process; 1 GB = 1e9 bytes):
 *   data        = 4·(n + nTest)·(p + o)   X, Y, X_test, Y_test as float32, loaded from the target artifact
 *               + 4·n·(p + o)             the loss model's resident copy of X and Y (every loss model copies them;
 *                                         8·n·(p + o) with precision: 'float64')
 *   activations = 4 · rows · 4 · Σ_l w_l  one forward/backward pass at full batch: per unit of every layer (input
 *                                         included) its value, pre-activation, backward delta and one temporary
 *                                         (a transposed copy or an activation derivative: tf.tidy keeps them all
 *                                         until the pass ends). rows = min(n, ⌊2²² / max_l w_l⌋): mlp.ts evaluates
 *                                         full batches in chunks of CHUNK_ELEMENTS = 2²² floats per layer, so
 *                                         memory stops growing with n there (see the test that pins the constant)
 *   trace       = 8·6·chains·⌊steps/evalEvery⌋   the six float64 chain × draw arrays (llc, loss, fge, seconds,
 *                                         acceptance, energy); VI: 8·chains·steps (ELBO history, an upper bound)
 * Analytic potentials have no data and no activations (n = 1, nominal).
 * Not counted: parameter-sized vectors (a handful of float64 d-vectors) and the engine's fixed footprint.
 *
 * Work (FGE: full-data gradient equivalents, as the samplers count them in their manifests):
 *   sgld   chains·(T + (malaDiagnostic ? ⌈T/malaEvery⌉ : 0))·(b/n)       T = burnIn + steps, b = min(batchSize, n)
 *   sgnht  chains·(burnIn + steps)·(b/n)
 *   hmc    chains·((burnIn + steps)·integrationSteps + 1)                (the step-size search adds a few more)
 *   mclmc  chains·((burnIn + steps)·(mclachlan ? 2 : 1) + 1)
 *   vi     chains·(steps·samplesPerStep·(b/n or 1)
 *                  + [controlVariate] (1 + 2·evalSamples + 2·min(d, hutchinsonProbes) + 2·components·rank))
 * These match the FGE the demo and calibration runs recorded (exactly for sgld, sgnht, mclmc and vi).
 *
 * Time (roughSeconds), a per-gradient cost model calibrated on the demo and calibration runs:
 *   flops of one full-data MLP gradient = 6·MACs·n (forward 2, backward 4 per multiply-add; MACs = Σ w_{l−1}·w_l),
 *   of one full-data forward pass (each recorded draw evaluates L_n) = 2·MACs·n;
 *   seconds = (gradient calls + draw evaluations) · callOverhead
 *           + (FGE · 6·MACs·n + draws · 2·MACs·n) / 1e9 flop/s
 *           + transitions · 20·(sampler state size) / 1e9         (the sampler's own float64 arithmetic)
 *   callOverhead = 4e-4 s per tfjs evaluation (dispatch of ~20 small kernels), 1.5e-5 s for potentials (plain JS).
 * Checked against the 19 network runs of the demo and calibration studies (wasm engine): the model is 1.2–2.9×
 * their measured wall time (never below it); on the 28 potential runs (0.15–0.55 s) it is 1.2–11× (0.4–1.9 s).
 * 1e9 flop/s is conservative for large matMuls (wasm SIMD and tfjs-node do better), so for big networks the
 * estimate errs further towards too long. It is a guard against runs of the wrong order of magnitude, not a
 * schedule.
 */
import type { TargetConfig } from './schema';
import type { ResolvedSamplerConfig, SampleSlice } from './normalize';
import { mlpParamCount, resolveMlpSpec } from '@llc/targets/models/mlpSize';

export const COST_MODEL = {
  /** Sustained float32 throughput of the engine, flop/s (conservative). */
  flopsPerSecond: 1e9,
  /** Fixed cost of one loss/gradient evaluation, seconds. */
  secondsPerCall: { mlp: 4e-4, potential: 1.5e-5 },
  /** float64 operations per sampler-state entry per transition. */
  samplerFlopsPerParam: 20,
  /** Floats held per layer unit and row during one forward/backward pass. */
  activationFloatsPerUnit: 4,
  /** Mirrors CHUNK_ELEMENTS in targets/src/models/mlp.ts. */
  chunkElements: 1 << 22,
  /** flops of one potential gradient / forward evaluation per parameter (negligible either way). */
  potentialFlopsPerParam: { gradient: 10, forward: 5 },
} as const;

export const BYTES_PER_GB = 1e9;

/** The sizes of a target that the estimates need. */
export interface TargetShape {
  /** Training rows (1, nominal, for potentials). */
  n: number;
  nTest: number;
  /** Input and output dimension (0 for potentials). */
  p: number;
  outputDim: number;
  /** Parameter count. */
  d: number;
  /** Layer widths of the network the samplers evaluate, or null for potentials. */
  widths: number[] | null;
}

function potentialDim(t: Extract<TargetConfig, { kind: 'potential' }>): number {
  const s = t.potential;
  switch (s.type) {
    case 'quadratic':
      return s.h.length;
    case 'monomial':
      return s.powers.length;
    case 'normal-crossing':
      return s.k.length;
    case 'scalar-chain':
      return s.depth;
    case 'two-layer-linear':
      return s.M * s.H + s.H * s.N;
  }
}

const linearParams = (widths: readonly number[]) => widths.slice(1).reduce((sum, w, l) => sum + widths[l] * w, 0);

/** Sizes of a (validated) target config; throws when a sized student cannot be resolved. */
export function targetShape(t: TargetConfig): TargetShape {
  switch (t.kind) {
    case 'teacher-student': {
      const outputDim = t.teacher.widths[t.teacher.widths.length - 1];
      const spec = resolveMlpSpec(t.student, t.inputDim, outputDim, 'targetShape', 'student');
      return { n: t.n, nTest: t.nTest, p: t.inputDim, outputDim, d: mlpParamCount(spec), widths: [...spec.widths] };
    }
    case 'dln':
      return { n: t.n, nTest: t.nTest, p: t.widths[0], outputDim: t.widths[t.widths.length - 1], d: linearParams(t.widths), widths: [...t.widths] };
    case 'rrr': {
      const widths = [t.M, t.H, t.N];
      return { n: t.n, nTest: t.nTest, p: t.M, outputDim: t.N, d: linearParams(widths), widths };
    }
    case 'potential':
      return { n: 1, nTest: 0, p: 0, outputDim: 0, d: potentialDim(t), widths: null };
    case 'imported':
      // Its sizes are in the user's files, read when the pipeline loads (checkImportedFiles).
      throw new Error(`targetShape: an imported target's sizes come from its weights and data files`);
  }
}

export interface RunEstimate {
  /** Peak memory of the sampler process, bytes: the sum of `memory`. */
  memoryBytes: number;
  memory: { data: number; activations: number; trace: number };
  /** Gradient work in full-data gradient equivalents, as the run's manifest will count it. */
  fge: number;
  /** Loss-and-gradient evaluations (minibatch or full). */
  gradientCalls: number;
  /** Full-data loss evaluations (one per recorded draw; VI: per evaluation sample). */
  evaluations: number;
  /** Sampler transitions over all chains (VI: optimiser steps over all fits). */
  transitions: number;
  roughSeconds: number;
  target: TargetShape;
}

/** Gradient calls, rows per call, transitions, evaluations and recorded draws per chain (or fit). */
function work(c: ResolvedSamplerConfig, t: TargetShape) {
  const rowsOf = (batchSize: number | undefined | null) => (batchSize == null ? t.n : Math.min(batchSize, t.n));
  switch (c.kind) {
    case 'sgld':
    case 'sgnht': {
      const transitions = c.burnIn + c.steps;
      const draws = Math.floor(c.steps / c.evalEvery);
      const scored = c.kind === 'sgld' && c.malaDiagnostic ? Math.ceil(transitions / c.malaEvery) : 0;
      return { calls: transitions + scored, rows: rowsOf(c.batchSize), extraFge: 0, transitions, evaluations: draws, traceFloats: 6 * draws, state: t.d };
    }
    case 'hmc': {
      const transitions = c.burnIn + c.steps;
      const draws = Math.floor(c.steps / c.evalEvery);
      return { calls: transitions * c.integrationSteps + 1, rows: t.n, extraFge: 0, transitions, evaluations: draws, traceFloats: 6 * draws, state: t.d };
    }
    case 'mclmc': {
      const transitions = c.burnIn + c.steps;
      const draws = Math.floor(c.steps / c.evalEvery);
      const perStep = c.integrator === 'mclachlan' ? 2 : 1;
      return { calls: transitions * perStep + 1, rows: t.n, extraFge: 0, transitions, evaluations: draws, traceFloats: 6 * draws, state: t.d };
    }
    case 'vi': {
      // Control variate: one gradient at w*, then two gradients per Hessian-vector product.
      const hvps = c.evalSamples + Math.min(t.d, c.hutchinsonProbes) + c.components * c.rank;
      const extraFge = c.controlVariate ? 1 + 2 * hvps : 0;
      return {
        calls: c.steps * c.samplesPerStep,
        rows: rowsOf(c.batchSize),
        extraFge,
        transitions: c.steps,
        evaluations: c.evalSamples,
        traceFloats: c.steps,
        // Mixture of factor analysers: per component a mean, a diagonal and `rank` factor columns.
        state: c.components * t.d * (c.rank + 2),
      };
    }
  }
}

/**
 * Memory, gradient work and a rough wall time for one sampler run (see the file comment for every formula).
 * Takes the run's slice (only `config` is read) and its target's config.
 */
export function estimateRun(slice: Pick<SampleSlice, 'config'>, target: TargetConfig): RunEstimate {
  const t = targetShape(target);
  const c = slice.config;
  const chains = c.chains;
  const w = work(c, t);
  const fge = chains * (w.calls * (w.rows / t.n) + w.extraFge);
  const gradientCalls = chains * (w.calls + w.extraFge);
  const evaluations = chains * w.evaluations;
  const transitions = chains * w.transitions;

  let data = 0;
  let activations = 0;
  let gradientFlops: number;
  let forwardFlops: number;
  let overhead: number;
  if (t.widths) {
    // The loss model's resident copy of X and Y: float32, or float64 for a float64 kernel run.
    const residentBytes = 'precision' in c && c.precision === 'float64' ? 8 : 4;
    data = 4 * (t.n + t.nTest) * (t.p + t.outputDim) + residentBytes * t.n * (t.p + t.outputDim);
    const rows = Math.min(t.n, Math.max(1, Math.floor(COST_MODEL.chunkElements / Math.max(...t.widths))));
    const units = t.widths.reduce((a, b) => a + b, 0);
    activations = 4 * rows * COST_MODEL.activationFloatsPerUnit * units;
    const macs = linearParams(t.widths);
    gradientFlops = 6 * macs * t.n;
    forwardFlops = 2 * macs * t.n;
    overhead = COST_MODEL.secondsPerCall.mlp;
  } else {
    gradientFlops = COST_MODEL.potentialFlopsPerParam.gradient * t.d;
    forwardFlops = COST_MODEL.potentialFlopsPerParam.forward * t.d;
    overhead = COST_MODEL.secondsPerCall.potential;
  }
  const trace = 8 * chains * w.traceFloats;
  const flops = fge * gradientFlops + evaluations * forwardFlops + transitions * COST_MODEL.samplerFlopsPerParam * w.state;
  const roughSeconds = (gradientCalls + evaluations) * overhead + flops / COST_MODEL.flopsPerSecond;
  return {
    memoryBytes: data + activations + trace,
    memory: { data, activations, trace },
    fge,
    gradientCalls,
    evaluations,
    transitions,
    roughSeconds,
    target: t,
  };
}

export interface Limits {
  maxMemoryGB?: number;
  maxMinutes?: number;
}

/** One run's estimate with what names it in messages: `path` is its runs[] entry, `id` the run id. */
export interface LabelledEstimate {
  path: string;
  id: string;
  estimate: RunEstimate;
  /** The run's sampler config, for advice naming its own knobs (optional). */
  config?: ResolvedSamplerConfig;
}

/** Three significant digits, no exponent: 37, 1.52, 0.00123, 1230. */
export function formatAmount(x: number): string {
  if (x === 0) return '0';
  return String(Number(x.toPrecision(3)));
}

function memoryAdvice(e: RunEstimate): string {
  const { data, activations, trace } = e.memory;
  const gb = (b: number) => formatAmount(b / BYTES_PER_GB);
  const of = `of ${gb(e.memoryBytes)} GB`;
  if (data >= activations && data >= trace) return `reduce n or nTest (data: ${gb(data)} GB ${of})`;
  if (activations >= trace) return `reduce n or the network's widths (activations: ${gb(activations)} GB ${of})`;
  return `reduce chains or steps, or raise evalEvery (trace: ${gb(trace)} GB ${of})`;
}

function timeAdvice(config: ResolvedSamplerConfig | undefined): string {
  switch (config?.kind) {
    case 'sgld':
    case 'sgnht':
      return 'reduce steps, burnIn, chains or batchSize';
    case 'hmc':
      return 'reduce steps, burnIn, chains or integrationSteps';
    case 'mclmc':
      return 'reduce steps, burnIn or chains';
    case 'vi':
      return 'reduce steps, samplesPerStep or chains (or set batchSize)';
    default:
      return 'reduce steps, burnIn or chains';
  }
}

/**
 * Problems for every estimate over a limit, one line each, e.g.
 *   runs[0] (a--sgld): estimated 37 GB of memory exceeds limits.maxMemoryGB (16); reduce n or nTest (data: 36 GB of 37 GB)
 * Limits are per run (each run is its own process); an absent limit is not checked.
 */
export function checkLimits(estimates: readonly LabelledEstimate[], limits: Limits): string[] {
  const problems: string[] = [];
  for (const { path, id, estimate, config } of estimates) {
    const gb = estimate.memoryBytes / BYTES_PER_GB;
    if (limits.maxMemoryGB !== undefined && gb > limits.maxMemoryGB) {
      problems.push(
        `${path} (${id}): estimated ${formatAmount(gb)} GB of memory exceeds limits.maxMemoryGB (${limits.maxMemoryGB}); ${memoryAdvice(estimate)}`,
      );
    }
    const minutes = estimate.roughSeconds / 60;
    if (limits.maxMinutes !== undefined && minutes > limits.maxMinutes) {
      problems.push(
        `${path} (${id}): estimated ${formatAmount(minutes)} minutes exceeds limits.maxMinutes (${limits.maxMinutes}); ${timeAdvice(config)} (${formatAmount(estimate.fge)} FGE)`,
      );
    }
  }
  return problems;
}

/**
 * The check for one run, for expandPipeline: estimates it and returns its limit problems.
 * A target whose size cannot be resolved (e.g. a paramCount below the smallest network) yields
 * no problem here: the target build reports it with its own message.
 */
export function checkRunLimits(
  path: string,
  id: string,
  config: ResolvedSamplerConfig,
  target: TargetConfig,
  limits: Limits | undefined,
): string[] {
  if (!limits || (limits.maxMemoryGB === undefined && limits.maxMinutes === undefined)) return [];
  let estimate: RunEstimate;
  try {
    estimate = estimateRun({ config }, target);
  } catch {
    return [];
  }
  return checkLimits([{ path, id, estimate, config }], limits);
}
