/**
 * Variational LLC estimation with a mixture of factor analysers (docs/SCIENCE.md §2).
 *
 * A VI run is C independent fits; fit c draws everything from createRng(seed, 'fit', c)
 * (initialisation and training) and createRng(seed, 'fit', c, 'eval') (evaluation draws
 * and Hutchinson probes), so a fit's result does not depend on the other fits. Each fit
 * gives one λ̂; the run reports their mean and std/√C. There is no chain, so R-hat/ESS
 * do not apply (the predecessor computed them on a constant trace).
 */
import { createRng } from '@llc/core/random/rng';
import type { LossModel } from '@llc/core/model';
import type { LocalPosterior } from '../posterior';
import { estimateLlc } from './estimate';
import { drain, drainYielding } from '../drive';
import { fitMfaSteps } from './fit';
import { mfaView } from './mfa';

export interface ViParams {
  /** Mixture components M. */
  components: number;
  /** Rank r of each component's factor K_m (0 = diagonal Gaussians). */
  rank: number;
  /** Adam learning rate (ascent on the ELBO). */
  lr: number;
  /** Optimisation steps per fit. */
  steps: number;
  /** Draws of q per step (S_train); ≥ 2 enables the leave-one-out baseline for the logits. */
  samplesPerStep: number;
  /** Draws of q for the final λ̂ (S), with full-data losses. */
  evalSamples: number;
  /** Rows per training minibatch (with replacement); null = full batch. */
  batchSize: number | null;
  /** Use the Hessian-vector-product control variate for λ̂ (costs 2(S + min(d, probes) + M·r) + 1 FGE). */
  controlVariate: boolean;
  /** Rademacher probes for the Hutchinson estimate of tr(HD). */
  hutchinsonProbes: number;
  /** Distance from w* of the central-difference HVP probe points (1e-3 suits float32 models). */
  hvpStep: number;
  /** Initial diagonal standard deviation σ of q (same scale as the samplers' 0.01 init noise). */
  initScale: number;
}

export const VI_DEFAULTS: Readonly<ViParams> = Object.freeze({
  components: 8,
  rank: 2,
  lr: 0.01,
  steps: 5000,
  samplesPerStep: 2,
  evalSamples: 100,
  batchSize: null,
  controlVariate: true,
  hutchinsonProbes: 16,
  hvpStep: 1e-3,
  initScale: 0.01,
});

export interface ViFit {
  /** The fit's λ̂ (control-variate estimate when enabled, else plain); NaN when stopped. */
  llc: number;
  /** nβ(mean L_s − L_n(w*)) without control variate. */
  llcPlain: number;
  /** MC standard error of `llc` from the fit's evaluation draws (and Hutchinson probes). */
  llcMcse: number;
  /** Mean training ELBO per window of `elboSteps` spacing (minibatch losses when batched). */
  elboHistory: Float64Array;
  /** Step index (1-based) closing each window. */
  elboSteps: Int32Array;
  /** ELBO of the final q from the evaluation draws (full-data losses, −log q). */
  finalElbo: number;
  /** Gradient work: training (S_train·b/n per step) plus the control variate's HVPs. */
  fge: number;
  seconds: number;
  status: 'ok' | 'stopped';
  reason?: string;
}

export interface ViResult {
  fits: ViFit[];
  /** Mean λ̂ over the ok fits (NaN if none). */
  mean: number;
  /** Sample std (ddof 1) of the ok fits' λ̂ over √C_ok (NaN with fewer than 2 ok fits). */
  se: number;
}

export interface ViRunOptions {
  fits: number;
  seed: number;
  onProgress?: (fit: number, step: number, totalSteps: number) => void;
  signal?: AbortSignal;
  /** Injectable clock (seconds) so tests can be exact. */
  now?: () => number;
}

/** Windows of the ELBO history: about 500 points whatever the step count. */
export function elboEveryFor(steps: number): number {
  return Math.max(1, Math.round(steps / 500));
}

function validate(params: ViParams): void {
  const positiveInt = (name: string, x: number) => {
    if (!(Number.isInteger(x) && x >= 1)) throw new Error(`Error in runVi: ${name} must be a positive integer, got ${x}`);
  };
  positiveInt('components', params.components);
  if (!(Number.isInteger(params.rank) && params.rank >= 0)) throw new Error(`Error in runVi: rank must be a non-negative integer, got ${params.rank}`);
  if (!(params.lr > 0)) throw new Error(`Error in runVi: lr must be > 0, got ${params.lr}`);
  if (!(Number.isInteger(params.steps) && params.steps >= 0)) throw new Error(`Error in runVi: steps must be a non-negative integer, got ${params.steps}`);
  positiveInt('samplesPerStep', params.samplesPerStep);
  if (!(Number.isInteger(params.evalSamples) && params.evalSamples >= 2)) {
    throw new Error(`Error in runVi: evalSamples must be an integer ≥ 2, got ${params.evalSamples}`);
  }
  if (params.batchSize !== null) positiveInt('batchSize', params.batchSize);
  if (params.controlVariate) positiveInt('hutchinsonProbes', params.hutchinsonProbes);
  if (!(params.hvpStep > 0)) throw new Error(`Error in runVi: hvpStep must be > 0, got ${params.hvpStep}`);
  if (!(params.initScale > 0)) throw new Error(`Error in runVi: initScale must be > 0, got ${params.initScale}`);
}

export function runVi(model: LossModel, posterior: LocalPosterior, params: ViParams, options: ViRunOptions): ViResult {
  return drain(runViSteps(model, posterior, params, options));
}

/**
 * The driver for stage processes: yields to the event loop every ~50 ms so SIGINT/SIGTERM
 * handlers can abort `options.signal` mid-fit (a synchronous loop would see it only at the end).
 */
export async function runViAsync(model: LossModel, posterior: LocalPosterior, params: ViParams, options: ViRunOptions): Promise<ViResult> {
  return drainYielding(runViSteps(model, posterior, params, options));
}

function* runViSteps(model: LossModel, posterior: LocalPosterior, params: ViParams, options: ViRunOptions): Generator<void, ViResult, void> {
  validate(params);
  if (!(Number.isInteger(options.fits) && options.fits >= 1)) throw new Error(`Error in runVi: fits must be a positive integer, got ${options.fits}`);
  const now = options.now ?? (() => performance.now() / 1000);
  const elboEvery = elboEveryFor(params.steps);
  const fits: ViFit[] = [];
  for (let c = 0; c < options.fits; c++) {
    const t0 = now();
    const stopped = (reason: string, partial: Partial<ViFit> = {}): ViFit => ({
      llc: Number.NaN,
      llcPlain: Number.NaN,
      llcMcse: Number.NaN,
      elboHistory: new Float64Array(0),
      elboSteps: new Int32Array(0),
      finalElbo: Number.NaN,
      fge: 0,
      ...partial,
      seconds: now() - t0,
      status: 'stopped',
      reason,
    });
    if (options.signal?.aborted) {
      fits.push(stopped('interrupted before the fit started'));
      continue;
    }
    const fit = yield* fitMfaSteps(
      model,
      posterior,
      { ...params, elboEvery },
      createRng(options.seed, 'fit', c),
      { onStep: (step) => options.onProgress?.(c, step, params.steps), signal: options.signal },
    );
    const trained = { elboHistory: fit.elboHistory, elboSteps: fit.elboSteps, fge: fit.fge };
    if (fit.status === 'stopped') {
      fits.push(stopped(fit.reason ?? 'stopped', trained));
      continue;
    }
    const est = estimateLlc(model, posterior, mfaView(fit.layout, fit.theta), params, createRng(options.seed, 'fit', c, 'eval'));
    const fge = fit.fge + est.fge;
    if (est.failure !== undefined) {
      fits.push(stopped(`evaluation failed: ${est.failure}`, { ...trained, fge }));
      continue;
    }
    fits.push({
      llc: est.llc,
      llcPlain: est.llcPlain,
      llcMcse: est.llcMcse,
      ...trained,
      finalElbo: est.elbo,
      fge,
      seconds: now() - t0,
      status: 'ok',
    });
  }
  const ok = fits.filter((f) => f.status === 'ok' && Number.isFinite(f.llc)).map((f) => f.llc);
  const mean = ok.length > 0 ? ok.reduce((a, b) => a + b, 0) / ok.length : Number.NaN;
  const se = ok.length > 1 ? Math.sqrt(ok.reduce((a, b) => a + (b - mean) ** 2, 0) / (ok.length - 1) / ok.length) : Number.NaN;
  return { fits, mean, se };
}
