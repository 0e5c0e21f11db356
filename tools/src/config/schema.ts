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

export const activationSchema = z.enum(['relu', 'tanh', 'identity']);
export const engineSchema = z.enum(['auto', 'tfjs-node', 'wasm', 'cpu']);

const mlpSpecSchema = z.strictObject({
  widths: z.array(positiveInt).min(2, { message: 'widths needs at least an input and an output width' }),
  activation: activationSchema.default('relu'),
  bias: z.boolean().default(true),
});

export const teacherStudentTargetSchema = z.strictObject({
  kind: z.literal('teacher-student'),
  seed: seed.optional(),
  n: positiveInt.min(2),
  nTest: positiveInt.default(1000),
  inputDim: positiveInt,
  noiseStd: z.number().nonnegative().finite().default(0.1),
  teacher: mlpSpecSchema,
  student: mlpSpecSchema,
  train: z
    .strictObject({
      lr: positive.default(0.01),
      maxSteps: positiveInt.default(3000),
      patience: positiveInt.default(200),
      minDelta: z.number().nonnegative().lt(1).default(1e-4),
    })
    .prefault({}),
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

export const sgldSchema = z.strictObject({
  kind: z.literal('sgld'),
  stepSize: sweepable(positive),
  batchSize: sweepable(positiveInt).default(256),
  chains: sweepable(positiveInt).default(4),
  steps: sweepable(positiveInt).default(2000),
  burnIn: sweepable(nonNegativeInt).default(0),
  evalEvery: sweepable(positiveInt).default(10),
  initNoise: sweepable(z.number().nonnegative().finite()).default(0.01),
  seed: seed.optional(),
});

export const samplerSchema = z.discriminatedUnion('kind', [sgldSchema]);

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

export const pipelineSchema = z.strictObject({
  seed: seed.default(0),
  engine: engineSchema.default('auto'),
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
});

export type PipelineInput = z.input<typeof pipelineSchema>;
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
