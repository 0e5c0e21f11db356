/**
 * The single source of truth for `pipeline.config.ts`: validation, the TypeScript
 * types users write against, and the JSON Schema in docs/config.schema.json all
 * come from these zod schemas.
 */
import { z } from 'zod';
import { positive, positiveInt, seed, sweepable } from '@llc/core/schema';
import * as targets from '@llc/targets/schema';
import * as samplers from '@llc/samplers/schema';
import { analysisSchema, type AnalysisConfig } from '@llc/analysis/schema';

export { activationSchema, engineSchema, precisionSchema, inputSpecSchema, noiseSpecSchema, potentialSpecSchema } from '@llc/targets/schema';
export { chainExecutionSchema } from '@llc/samplers/schema';
export type { TargetConfig, TeacherStudentTargetConfig, DlnTargetConfig, RrrTargetConfig, PotentialTargetConfig, PotentialSpec, ImportedTargetConfig } from '@llc/targets/schema';
export type { SamplerConfig, ResolvedSamplerConfig } from '@llc/samplers/schema';
export { analysisSchema, type AnalysisConfig };

/** Names become folder names and Nx project names, so they must be path-safe. */
export const NAME_PATTERN = /^[a-z0-9](?:[a-z0-9_]|-(?!-))*$/;
const name = (what: string) =>
  z
    .string()
    .regex(NAME_PATTERN, {
      message: `${what} names must be lowercase letters, digits, '_' or single '-', starting with a letter or digit (they become folder and project names)`,
    });

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

export const teacherStudentTargetSchema = targets.teacherStudentTargetSchema.extend(placementFields);
export const dlnTargetSchema = targets.dlnTargetSchema.extend(placementFields);
export const rrrTargetSchema = targets.rrrTargetSchema.extend(placementFields);
export const potentialTargetSchema = targets.potentialTargetSchema.extend(placementFields);
export const importedTargetSchema = targets.importedTargetSchema.extend(placementFields);
export const targetSchema = z.discriminatedUnion('kind', [teacherStudentTargetSchema, dlnTargetSchema, rrrTargetSchema, potentialTargetSchema, importedTargetSchema]);

export const posteriorSchema = z.strictObject({
  beta0: sweepable(positive).default(1),
  gamma: sweepable(z.number().nonnegative().finite()).default(1),
});
const posteriorOverrideSchema = z.strictObject({
  beta0: sweepable(positive).optional(),
  gamma: sweepable(z.number().nonnegative().finite()).optional(),
});

/**
 * `reference: true` makes this sampler's run on a target that target's reference estimate λ_ref:
 * every other run there is compared with it (docs/SUMMARY.md "reference"). Not a hyperparameter:
 * it changes which analyses compare with which, never a sample.
 */
const referenceField = { reference: z.boolean().optional() };
const samplerEntryFields = { ...placementFields, ...referenceField };

export const sgldSchema = samplers.sgldSchema.extend(samplerEntryFields);
export const sgnhtSchema = samplers.sgnhtSchema.extend(samplerEntryFields);
export const hmcSchema = samplers.hmcSchema.extend(samplerEntryFields);
export const mclmcSchema = samplers.mclmcSchema.extend(samplerEntryFields);
export const viSchema = samplers.viSchema.extend(samplerEntryFields);
export const samplerSchema = z.discriminatedUnion('kind', [sgldSchema, sgnhtSchema, hmcSchema, mclmcSchema, viSchema]);

const selection = z.union([z.literal('*'), name('target/sampler'), z.array(name('target/sampler')).min(1)]);

export const runSchema = z.strictObject({
  target: selection.default('*'),
  sampler: selection.default('*'),
  posterior: posteriorOverrideSchema.optional(),
  /** Hyperparameters that replace the sampler's own for these runs (may be sweeps). */
  overrides: z.record(z.string(), z.unknown()).optional(),
  /** These runs are their target's reference (overrides the sampler entry's `reference`). */
  ...referenceField,
  /**
   * Restricted LLC: sample only the parameter tensors whose names match these glob patterns
   * ("fc2.*"), the rest held at w*; or { label, params } to name the restriction in the run id.
   */
  restrict: z
    .union([
      z.array(z.string().min(1)).min(1),
      z.strictObject({ label: name('restriction'), params: z.array(z.string().min(1)).min(1) }),
    ])
    .optional(),
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
  engine: targets.engineSchema.default('auto'),
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
export type RunConfig = z.output<typeof runSchema>;
