/**
 * The config of every target kind, declared beside the code that builds it; the pipeline
 * schema (@llc/config/schema) adds where each target's stage runs.
 */
import { z } from 'zod';
import { positive, positiveInt, nonNegativeInt, seed } from '@llc/core/schema';

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
  z.strictObject({ kind: z.literal('gauss-iso') }),
  /** Coordinate i (from 0) has variance rho^i. */
  z.strictObject({ kind: z.literal('gauss-aniso'), rho: z.number().gt(0).lt(1) }),
  /** k centres ~ N(0, spread² I); each point = a centre + N(0, I). */
  z.strictObject({ kind: z.literal('mixture'), k: positiveInt, spread: z.number().nonnegative().finite() }),
  /** x = tanh(Z A) with Z ~ N(0, I_latentDim). */
  z.strictObject({ kind: z.literal('lowdim-manifold'), latentDim: positiveInt }),
  /** Multivariate Student-t with df degrees of freedom. */
  z.strictObject({ kind: z.literal('heavy-tail'), df: z.number().positive().finite() }),
]);

const noiseStdField = z.number().nonnegative().finite().optional();
export const noiseSpecSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('gauss'), std: noiseStdField }),
  /** σ(x) = std·(1 + slope·‖x‖/√p). */
  z.strictObject({ kind: z.literal('hetero'), std: noiseStdField, slope: z.number().nonnegative().finite() }),
  /** std·t_df (std is the scale of the t distribution). */
  z.strictObject({ kind: z.literal('student-t'), std: noiseStdField, df: z.number().positive().finite() }),
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
  inputs: inputSpecSchema.default({ kind: 'gauss-iso' }),
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

/** Workspace-relative and inside it: the path is an Nx input, hashed by content. */
const relativePath = z.string().regex(/^(?!\/)(?!.*(^|\/)\.\.(\/|$)).+$/, { message: 'a path relative to the workspace root, inside it (no leading / and no ..)' });

/** Arrays by name in one .npz / .safetensors / .csv file, or two .npy files (then `file` is omitted). */
export const dataSourceSchema = z.strictObject({
  file: relativePath.optional(),
  /** Array name (npz, safetensors); column names, or '*' for every column but the target (CSV); or an .npy path. */
  inputs: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]),
  /** Array name, column name(s), or an .npy path: class indices for 'cross-entropy', values for 'mse'. */
  target: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]),
});

const stateKey = z.string().min(1);

const checkpointSchema = z.strictObject({ file: relativePath, step: z.number().int().nonnegative() });

/**
 * The user's own network: a PyTorch state_dict saved with safetensors, the layers its tensors
 * belong to, its loss and its data. One file (`weights`), or the checkpoints of one training run
 * (`checkpoints`: a glob or a list), each of which becomes its own target.
 */
export const importedTargetSchema = z.strictObject({
    kind: z.literal('imported'),
    seed: seed.optional(),
    weights: relativePath.optional(),
    /** A glob ("runs/a/step-*.safetensors"; the step is the last number in each name), or files, or { file, step }. */
    checkpoints: z.union([z.string().min(1), z.array(z.union([relativePath, checkpointSchema])).min(1)]).optional(),
    /** Set for each checkpoint's target by the expansion: the training step of its weights. */
    step: z.number().int().nonnegative().optional(),
    architecture: z.discriminatedUnion('family', [
      z.strictObject({
        family: z.literal('mlp'),
        /** After every hidden layer; 'gelu' is PyTorch's approximate='tanh'. */
        activation: activationSchema.default('relu'),
        /** The nn.Linear layers in order, by their state_dict keys. */
        layers: z.array(z.strictObject({ weight: stateKey, bias: stateKey.optional() })).min(1),
      }),
      z.strictObject({
        family: z.literal('cnn'),
        /** [channels, height, width] of one input row (its C·H·W values, channel-major as x.view(-1, C, H, W)). */
        inputShape: z.tuple([positiveInt, positiveInt, positiveInt]),
        /** After every layer but the last. */
        activation: activationSchema.default('relu'),
        /** nn.Conv2d layers, then nn.Linear layers (flattened between them), by their state_dict keys. */
        layers: z
          .array(
            z.discriminatedUnion('type', [
              z.strictObject({ type: z.literal('conv2d'), weight: stateKey, bias: stateKey.optional(), stride: positiveInt.default(1), padding: nonNegativeInt.default(0) }),
              z.strictObject({ type: z.literal('linear'), weight: stateKey, bias: stateKey.optional() }),
            ]),
          )
          .min(1),
      }),
    ]),
    /** 'mse' (regression, mean over rows and outputs) or 'cross-entropy' on logits (classification, mean over rows). */
    loss: z.enum(['mse', 'cross-entropy']).default('mse'),
    data: z.strictObject({ train: dataSourceSchema, test: dataSourceSchema.optional() }),
});

export const targetSchema = z.discriminatedUnion('kind', [
  teacherStudentTargetSchema,
  dlnTargetSchema,
  rrrTargetSchema,
  potentialTargetSchema,
  importedTargetSchema,
]);

export type TargetConfig = z.output<typeof targetSchema>;
export type TeacherStudentTargetConfig = z.output<typeof teacherStudentTargetSchema>;
export type DlnTargetConfig = z.output<typeof dlnTargetSchema>;
export type RrrTargetConfig = z.output<typeof rrrTargetSchema>;
export type PotentialTargetConfig = z.output<typeof potentialTargetSchema>;
export type PotentialSpec = z.output<typeof potentialSpecSchema>;
export type ImportedTargetConfig = z.output<typeof importedTargetSchema>;
export type DataSourceConfig = z.output<typeof dataSourceSchema>;
export type Precision = z.output<typeof precisionSchema>;
