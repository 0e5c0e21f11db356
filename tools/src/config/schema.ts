/**
 * The single source of truth for `pipeline.config.ts`: validation, the TypeScript
 * types users write against, and the JSON Schema in docs/config.schema.json all
 * come from these zod schemas.
 */
import { z } from 'zod';
import { SWEEP_KEY } from './sweep';

/** Names become folder names and Nx project names, so they must be path-safe. */
export const NAME_PATTERN = /^[a-z0-9](?:[a-z0-9_]|-(?!-))*$/;
const name = (what: string) =>
  z
    .string()
    .regex(NAME_PATTERN, {
      message: `${what} names must be lowercase letters, digits, '_' or single '-', starting with a letter or digit (they become folder and project names)`,
    });

const positive = z.number().positive().finite();
const positiveInt = z.number().int().positive();
const nonNegativeInt = z.number().int().nonnegative();
const seed = z.number().int().nonnegative().max(2 ** 31 - 1);

/** Wraps a scalar schema so that `sweep([...])` of valid values is also accepted. */
function sweepable<T extends z.ZodType>(inner: T) {
  return z.union([
    inner,
    z.strictObject({
      [SWEEP_KEY]: z.array(inner).min(1, { message: 'a sweep needs at least one value' }),
    }),
  ]);
}

/** Where a stage process runs: on this machine, or as a SLURM job (README "Running on a cluster"). */
export const backendSchema = z.enum(['local', 'slurm']);

const slurmWord = () => z.string().regex(/^[\w.,:+=@%/-]+$/, { message: 'letters, digits and . , : + = @ % / - _ only (no spaces)' });

/**
 * sbatch settings of jobs on the SLURM backend. Pipeline-level settings are defaults;
 * a target's or sampler's own `slurm` block overrides them field by field.
 */
export const slurmSettingsSchema = z.strictObject({
  partition: slurmWord().optional(),
  /** Time limit in any sbatch format: minutes, "MM:SS", "HH:MM:SS", "D-HH", "D-HH:MM[:SS]". */
  time: z
    .string()
    .regex(/^(\d+-)?\d+(:\d{1,2}){0,2}$/, { message: 'an sbatch time limit such as "30", "1:30:00" or "2-00:00:00"' })
    .optional(),
  /** CPUs per task (sbatch --cpus-per-task). */
  cpus: positiveInt.optional(),
  /** Memory per node (sbatch --mem): a number of MB, or with a unit, e.g. "4G". */
  mem: z.string().regex(/^\d+[KMGT]?$/, { message: 'a size such as "4000" (MB) or "4G"' }).optional(),
  /** GPUs (sbatch --gpus): a count or "type:count". */
  gpus: z.union([positiveInt, slurmWord()]).optional(),
  account: slurmWord().optional(),
  qos: slurmWord().optional(),
  /** Node features (sbatch --constraint), e.g. "avx512&ib". */
  constraint: z.string().regex(/^[^\s'"]+$/, { message: 'no spaces or quotes' }).optional(),
  /** More sbatch options, one per entry, written as "#SBATCH <entry>", e.g. "--exclusive". */
  extra: z.array(z.string().regex(/^--?[A-Za-z][^\n]*$/, { message: 'each entry is one sbatch option starting with - or --, on one line' })).optional(),
  /** Shell lines run in the job before the stage, e.g. "module load nodejs/20". */
  init: z.string().optional(),
})
  // One definition in docs/config.schema.json ($defs), referenced from every place it may appear.
  .meta({ id: 'SlurmSettings' });

/** Where a target's or sampler's stages run; absent fields fall back to the pipeline's. Not part of any cache key. */
const placementFields = {
  backend: backendSchema.optional(),
  slurm: slurmSettingsSchema.optional(),
};

export const activationSchema = z.enum(['relu', 'tanh', 'gelu', 'identity']);
/**
 * 'simd' evaluates MLP losses for sampling with the WebAssembly SIMD kernel, 'native' with the
 * optional native addon (`npm run build:native`; it fails when not built); training stays on
 * tfjs, chosen as by 'auto'. 'auto' samples with tfjs-node when it is installed, else with
 * native when the addon loads, else with simd.
 */
export const engineSchema = z.enum(['auto', 'tfjs-node', 'wasm', 'cpu', 'simd', 'native']);
/**
 * Arithmetic of a run's MLP loss and gradient. 'float64' needs the simd or native engine (tfjs computes in
 * float32). Omitted: float32, and the run's cache key is unchanged.
 */
export const precisionSchema = z.enum(['float32', 'float64']);

const mlpSpecSchema = z.strictObject({
  widths: z.array(positiveInt).min(2, { message: 'widths needs at least an input and an output width' }),
  activation: activationSchema.default('relu'),
  bias: z.boolean().default(true),
  /** LayerNorm (learned gain and shift) after each hidden pre-activation. */
  layerNorm: z.boolean().default(false),
});

/** A student sized by parameter count: equal hidden widths whose total count is nearest paramCount. */
const sizedMlpSchema = z.strictObject({
  /** Number of hidden layers. */
  depth: positiveInt,
  paramCount: positiveInt,
  activation: activationSchema.default('relu'),
  bias: z.boolean().default(true),
  layerNorm: z.boolean().default(false),
});

export const inputSpecSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('gauss_iso') }),
  /** Coordinate i (from 0) has variance rho^i. */
  z.strictObject({ kind: z.literal('gauss_aniso'), rho: z.number().gt(0).lt(1) }),
  /** k centres ~ N(0, spread² I); each point = a centre + N(0, I). */
  z.strictObject({ kind: z.literal('mixture'), k: positiveInt, spread: z.number().nonnegative().finite() }),
  /** x = tanh(Z A) with Z ~ N(0, I_latentDim). */
  z.strictObject({ kind: z.literal('lowdim_manifold'), latentDim: positiveInt }),
  /** Multivariate Student-t with df degrees of freedom. */
  z.strictObject({ kind: z.literal('heavy_tail'), df: z.number().positive().finite() }),
]);

const noiseStdField = z.number().nonnegative().finite().optional();
export const noiseSpecSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('gauss'), std: noiseStdField }),
  /** σ(x) = std·(1 + slope·‖x‖/√p). */
  z.strictObject({ kind: z.literal('hetero'), std: noiseStdField, slope: z.number().nonnegative().finite() }),
  /** std·t_df (std is the scale of the t distribution). */
  z.strictObject({ kind: z.literal('student_t'), std: noiseStdField, df: z.number().positive().finite() }),
  /** Gaussian noise plus, with probability fraction per label, an extra N(0, (scale·std)²). */
  z.strictObject({ kind: z.literal('outliers'), std: noiseStdField, fraction: z.number().min(0).max(1), scale: z.number().nonnegative().finite() }),
]);

export const teacherStudentTargetSchema = z.strictObject({
  kind: z.literal('teacher-student'),
  seed: seed.optional(),
  n: positiveInt.min(2),
  nTest: positiveInt.default(1000),
  inputDim: positiveInt,
  /** Label noise σ (used when noise.std is not given). */
  noiseStd: z.number().nonnegative().finite().default(0.1),
  inputs: inputSpecSchema.default({ kind: 'gauss_iso' }),
  noise: noiseSpecSchema.optional(),
  /** Probability of zeroing each teacher hidden unit per row when making labels. */
  teacherDropout: z.number().min(0).lt(1).default(0),
  teacher: mlpSpecSchema,
  /** Explicit widths, or { depth, paramCount }. */
  student: z.union([mlpSpecSchema, sizedMlpSchema]),
  train: z
    .strictObject({
      optimizer: z.enum(['adam', 'sgd', 'adamw']).default('adam'),
      lr: positive.default(0.01),
      /** sgd only: heavy-ball momentum (default 0). */
      momentum: z.number().min(0).lt(1).optional(),
      /** adamw only: decoupled weight decay (default 0.01). */
      weightDecay: z.number().nonnegative().finite().optional(),
      maxSteps: positiveInt.default(3000),
      patience: positiveInt.default(200),
      minDelta: z.number().nonnegative().lt(1).default(1e-4),
    })
    .prefault({}),
  ...placementFields,
});

/** Deep linear network f(x) = W_L⋯W_1 x with a true end-to-end rank r (Aoyagi 2024): λ known. */
export const dlnTargetSchema = z.strictObject({
  kind: z.literal('dln'),
  seed: seed.optional(),
  /** H_1 (input) … H_{L+1} (output). */
  widths: z.array(positiveInt).min(2, { message: 'widths needs at least an input and an output width' }),
  rank: nonNegativeInt,
  n: positiveInt.min(2),
  nTest: positiveInt.default(1000),
  noiseStd: z.number().positive().finite().default(0.1),
  ...placementFields,
});

/** Reduced-rank regression y = BAx + ε (Aoyagi & Watanabe 2005): the two-layer DLN, λ known. */
export const rrrTargetSchema = z.strictObject({
  kind: z.literal('rrr'),
  seed: seed.optional(),
  /** Input dimension M, hidden width H, output dimension N. */
  M: positiveInt,
  H: positiveInt,
  N: positiveInt,
  rank: nonNegativeInt,
  n: positiveInt.min(2),
  nTest: positiveInt.default(1000),
  noiseStd: z.number().positive().finite().default(0.1),
  ...placementFields,
});

const positiveIntList = z.array(positiveInt).min(1);
export const potentialSpecSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('quadratic'), h: z.array(positive).min(1) }),
  z.strictObject({ type: z.literal('monomial'), powers: positiveIntList }),
  z.strictObject({ type: z.literal('normal-crossing'), k: positiveIntList }),
  z.strictObject({ type: z.literal('scalar-chain'), depth: positiveInt.min(1) }),
  z.strictObject({ type: z.literal('two-layer-linear'), M: positiveInt, H: positiveInt, N: positiveInt }),
]);

/** An analytic potential (no data) for calibrating samplers: temperature and prior are set here. */
export const potentialTargetSchema = z.strictObject({
  kind: z.literal('potential'),
  /** Unused by the potential itself; kept so every target has the same seed fallback. */
  seed: seed.optional(),
  potential: potentialSpecSchema,
  /** t = nβ, the inverse temperature multiplying the potential. */
  temperature: positive,
  /** 'flat' (γ = 0) or a Gaussian localiser of strength gamma. */
  prior: z.union([z.literal('flat'), z.strictObject({ gamma: positive })]).default('flat'),
  ...placementFields,
});

export const targetSchema = z.discriminatedUnion('kind', [
  teacherStudentTargetSchema,
  dlnTargetSchema,
  rrrTargetSchema,
  potentialTargetSchema,
]);

export const posteriorSchema = z.strictObject({
  beta0: sweepable(positive).default(1),
  gamma: sweepable(z.number().nonnegative().finite()).default(1),
});
const posteriorOverrideSchema = z.strictObject({
  beta0: sweepable(positive).optional(),
  gamma: sweepable(z.number().nonnegative().finite()).optional(),
});

/**
 * Where a run's chains execute: 'workers' (a pool of worker threads, one per core at most),
 * 'process' (one child process per chain) or 'inline' (one after another in the stage process).
 * Results are bit-identical across the three. Omitted: the measured default (samplers/src/chains.ts),
 * and the run's cache key is unchanged; set explicitly it becomes part of the run's slice (and cache key).
 */
export const chainExecutionSchema = z.enum(['workers', 'process', 'inline']);

/** Fields of the minibatch Langevin-type samplers (SGLD, SGNHT). */
const minibatchFields = {
  stepSize: sweepable(positive),
  batchSize: sweepable(positiveInt).default(256),
  chains: sweepable(positiveInt).default(4),
  chainExecution: chainExecutionSchema.optional(),
  steps: sweepable(positiveInt).default(2000),
  burnIn: sweepable(nonNegativeInt).default(0),
  evalEvery: sweepable(positiveInt).default(10),
  initNoise: sweepable(z.number().nonnegative().finite()).default(0.01),
  seed: seed.optional(),
  precision: precisionSchema.optional(),
  ...placementFields,
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
  /** Record each step's MALA acceptance probability (0.9–0.95 is healthy); costs one more minibatch gradient per step. */
  malaDiagnostic: z.boolean().default(false),
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

/** Fields every chain-based sampler shares. */
const chainFields = {
  chains: sweepable(positiveInt).default(4),
  chainExecution: chainExecutionSchema.optional(),
  initNoise: sweepable(z.number().nonnegative().finite()).default(0.01),
  seed: seed.optional(),
  precision: precisionSchema.optional(),
  ...placementFields,
};

/** Metropolis-adjusted HMC with Stan-style window adaptation during burnIn. */
export const hmcSchema = z.strictObject({
  kind: z.literal('hmc'),
  ...chainFields,
  /** Transitions recorded (draws = steps / evalEvery). */
  steps: sweepable(positiveInt).default(1000),
  /** Warm-up transitions: dual averaging of the step size and a diagonal mass matrix. */
  burnIn: sweepable(nonNegativeInt).default(200),
  evalEvery: sweepable(positiveInt).default(1),
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
  steps: sweepable(positiveInt).default(2000),
  burnIn: sweepable(nonNegativeInt).default(1000),
  evalEvery: sweepable(positiveInt).default(1),
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
  ...placementFields,
});

export const samplerSchema = z.discriminatedUnion('kind', [sgldSchema, sgnhtSchema, hmcSchema, mclmcSchema, viSchema]);

const selection = z.union([z.literal('*'), name('target/sampler'), z.array(name('target/sampler')).min(1)]);

export const runSchema = z.strictObject({
  target: selection.default('*'),
  sampler: selection.default('*'),
  posterior: posteriorOverrideSchema.optional(),
  /** Hyperparameters that replace the sampler's own for these runs (may be sweeps). */
  overrides: z.record(z.string(), z.unknown()).optional(),
});

export const analysisSchema = z.strictObject({
  /** Draws dropped from the start of every chain before any statistic (after the sampler's own burn-in). */
  discard: nonNegativeInt.default(0),
  rhatThreshold: positive.default(1.01),
  essThreshold: positive.default(400),
});

export const reportSchema = z.strictObject({
  title: z.string().min(1).default('LLC study'),
});

/** Per-run resource limits: a run whose estimate exceeds one is rejected before anything runs. */
export const limitsSchema = z.strictObject({
  /** Estimated peak memory of one sampler run, in GB (1e9 bytes). */
  maxMemoryGB: positive.optional(),
  /** Rough wall time of one sampler run, in minutes. */
  maxMinutes: positive.optional(),
});

export const pipelineSchema = z.strictObject({
  seed: seed.default(0),
  engine: engineSchema.default('auto'),
  /** Where stages run unless a target or sampler says otherwise. */
  backend: backendSchema.default('local'),
  /** Default sbatch settings of every SLURM job of this pipeline. */
  slurm: slurmSettingsSchema.optional(),
  posterior: posteriorSchema.prefault({}),
  targets: z.record(name('target'), targetSchema).refine((t) => Object.keys(t).length > 0, {
    message: 'declare at least one target',
  }),
  samplers: z.record(name('sampler'), samplerSchema).refine((s) => Object.keys(s).length > 0, {
    message: 'declare at least one sampler',
  }),
  runs: z.array(runSchema).min(1, { message: 'runs, when given, needs at least one entry (omit it for every target × every sampler)' }).optional(),
  analysis: analysisSchema.prefault({}),
  report: reportSchema.prefault({}),
  limits: limitsSchema.optional(),
});

export type PipelineInput = z.input<typeof pipelineSchema>;
export type Backend = z.output<typeof backendSchema>;
export type SlurmSettings = z.output<typeof slurmSettingsSchema>;
export type Pipeline = z.output<typeof pipelineSchema>;
export type TargetConfig = z.output<typeof targetSchema>;
export type TeacherStudentTargetConfig = z.output<typeof teacherStudentTargetSchema>;
export type DlnTargetConfig = z.output<typeof dlnTargetSchema>;
export type RrrTargetConfig = z.output<typeof rrrTargetSchema>;
export type PotentialTargetConfig = z.output<typeof potentialTargetSchema>;
export type PotentialSpec = z.output<typeof potentialSpecSchema>;
export type SamplerConfig = z.output<typeof samplerSchema>;
export type RunConfig = z.output<typeof runSchema>;
export type AnalysisConfig = z.output<typeof analysisSchema>;
