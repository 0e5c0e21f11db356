/**
 * Every sampler's hyperparameters, declared once: the pipeline schema, the JSON Schema in
 * docs/config.schema.json and the types the registry hands each kernel all come from here.
 * The pipeline schema (@llc/config/schema) adds where each sampler's stage runs.
 */
import { z } from 'zod';
import { positive, positiveInt, nonNegativeInt, seed, sweepable } from '@llc/core/schema';
import { precisionSchema } from '@llc/targets/schema';

/**
 * Where a run's chains execute: 'workers' (a pool of worker threads, one per core at most),
 * 'process' (one child process per chain) or 'inline' (one after another in the stage process).
 * Results are bit-identical across the three. Omitted: the measured default (samplers/src/chains.ts),
 * and the run's cache key is unchanged; set explicitly it becomes part of the run's slice (and cache key).
 */
export const chainExecutionSchema = z.enum(['workers', 'process', 'inline']);

/** Fields every chain-based sampler shares. */
const chainFields = {
  chains: sweepable(positiveInt).default(4),
  chainExecution: chainExecutionSchema.optional(),
  initNoise: sweepable(z.number().nonnegative().finite()).default(0.01),
  seed: seed.optional(),
  precision: precisionSchema.optional(),
};

/**
 * How long a chain runs: `steps` recorded transitions (draws = steps / evalEvery) after `burnIn`
 * warm-up transitions (adaptation or tuning where the sampler has one), with each sampler's defaults.
 */
const lengthFields = (d: { steps: number; burnIn: number; evalEvery: number }) => ({
  steps: sweepable(positiveInt).default(d.steps),
  burnIn: sweepable(nonNegativeInt).default(d.burnIn),
  evalEvery: sweepable(positiveInt).default(d.evalEvery),
});

/** Fields of the minibatch Langevin-type samplers (SGLD, SGNHT). */
const minibatchFields = {
  stepSize: sweepable(positive),
  batchSize: sweepable(positiveInt).default(256),
  ...chainFields,
  ...lengthFields({ steps: 2000, burnIn: 0, evalEvery: 10 }),
};

export const sgldSchema = z.strictObject({
  kind: z.literal('sgld'),
  ...minibatchFields,
  /** Diagonal preconditioner built from the loss gradient only (the localiser excluded). */
  precondition: sweepable(z.enum(['none', 'rmsprop', 'adam'])).default('none'),
  beta1: sweepable(z.number().nonnegative().lt(1)).default(0.9),
  beta2: sweepable(z.number().nonnegative().lt(1)).default(0.999),
  eps: sweepable(positive).default(0.1),
  biasCorrection: z.boolean().default(false),
  /**
   * Steps after which the preconditioner stops adapting. Omitted: at the end of burnIn —
   * a preconditioner that keeps adapting to the chain's own gradients biases λ̂ (~6–20%).
   */
  freezeAfter: sweepable(nonNegativeInt).optional(),
  /**
   * Score steps with their MALA acceptance probability: the analysis flags a run whose mean is
   * below analysis.malaAcceptanceMin (step-size bias; docs/SCIENCE.md §4). One more minibatch
   * gradient per scored step.
   */
  malaDiagnostic: z.boolean().default(true),
  /** Score one step in this many (1 = every step); the trajectory is the same whatever it is. */
  malaEvery: positiveInt.default(10),
});

/** Stochastic-gradient Nosé–Hoover thermostat (Ding et al. 2014). */
export const sgnhtSchema = z.strictObject({
  kind: z.literal('sgnht'),
  ...minibatchFields,
  initialFriction: sweepable(z.number().finite()).default(0.01),
  /**
   * Injected diffusion A in √(2Aε)·ξ: a constant (Ding et al.; α settles near A). null gives the
   * predecessor's A = max(α, 1e-8), which lets α drift upwards without bound on long runs.
   */
  diffusion: sweepable(positive).nullable().default(1),
});

/** Metropolis-adjusted HMC with Stan-style window adaptation during burnIn. */
export const hmcSchema = z.strictObject({
  kind: z.literal('hmc'),
  ...chainFields,
  // Warm-up: dual averaging of the step size and a diagonal mass matrix.
  ...lengthFields({ steps: 1000, burnIn: 200, evalEvery: 1 }),
  /** Initial step size; found by a doubling/halving search when omitted. */
  stepSize: sweepable(positive).optional(),
  integrationSteps: sweepable(positiveInt).default(10),
  targetAcceptance: sweepable(z.number().gt(0).lt(1)).default(0.8),
  adapt: z.boolean().default(true),
  /** Each transition's step size is drawn uniformly in ε·(1 ± jitter), so trajectories never lock onto a period. */
  stepSizeJitter: sweepable(z.number().nonnegative().lt(1)).default(0.2),
});

/** Microcanonical Langevin Monte Carlo (Robnik et al.), tuned during burnIn unless stepSize and L are fixed. */
export const mclmcSchema = z.strictObject({
  kind: z.literal('mclmc'),
  ...chainFields,
  ...lengthFields({ steps: 2000, burnIn: 1000, evalEvery: 1 }),
  stepSize: sweepable(positive).optional(),
  /** Momentum decoherence length: partial refresh with c1 = exp(−ε/L). */
  L: sweepable(positive).optional(),
  integrator: z.enum(['velocity-verlet', 'mclachlan']).default('mclachlan'),
  tune: z.boolean().default(true),
  /** Target Var[ΔE]/d for the step size. Smaller is less biased and slower (5e-4 biases λ̂ by ~1–2% on quadratics). */
  targetEnergyVariance: sweepable(positive).default(5e-4),
});

/** Variational LLC: C independent fits of a mixture of factor analysers centred at w*. */
export const viSchema = z.strictObject({
  kind: z.literal('vi'),
  /** Number of independent fits (reported as mean ± std/√C). */
  chains: sweepable(positiveInt).default(4),
  components: sweepable(positiveInt).default(8),
  rank: sweepable(nonNegativeInt).default(2),
  lr: sweepable(positive).default(0.01),
  steps: sweepable(positiveInt).default(5000),
  samplesPerStep: sweepable(positiveInt).default(2),
  evalSamples: sweepable(positiveInt.min(2)).default(100),
  /** Rows per minibatch; omit for full-batch gradients. */
  batchSize: sweepable(positiveInt).optional(),
  controlVariate: z.boolean().default(true),
  hutchinsonProbes: sweepable(positiveInt).default(16),
  hvpStep: sweepable(positive).default(1e-3),
  initScale: sweepable(positive).default(0.01),
  seed: seed.optional(),
  precision: precisionSchema.optional(),
});

export const samplerSchema = z.discriminatedUnion('kind', [sgldSchema, sgnhtSchema, hmcSchema, mclmcSchema, viSchema]);

export type SamplerConfig = z.output<typeof samplerSchema>;
type WithoutSweeps<T> = { [K in keyof T]: Exclude<T[K], { $sweep: unknown }> };
/** A sampler config at one sweep point: every value concrete (distributes over the sampler kinds). */
export type ResolvedSamplerConfig = SamplerConfig extends infer U ? (U extends unknown ? WithoutSweeps<U> : never) : never;
export type SamplerKind = SamplerConfig['kind'];
