/** What `pipeline.config.ts` imports: a typed identity function and the sweep marker. */
import type { z } from 'zod';
import type { PipelineInput as SchemaInput, samplerSchema } from './schema';

export { sweep } from '@llc/core/sweep';

type SamplerInput = z.input<typeof samplerSchema>;
/**
 * What a run may override: the hyperparameters of some sampler kind (sweeps allowed). Which kind is
 * known only once the run's sampler names resolve, so validation against the sampler itself happens
 * when the graph is built; here an editor completes the fields and rejects keys no sampler has.
 */
export type RunOverrides = SamplerInput extends infer S ? (S extends { kind: string } ? Partial<Omit<S, 'kind'>> : never) : never;
type RunInput = NonNullable<SchemaInput['runs']>[number];

/** The pipeline a user writes: the schema's input, with `runs[].overrides` typed by sampler kind. */
export type PipelineInput = Omit<SchemaInput, 'runs'> & { runs?: Array<Omit<RunInput, 'overrides'> & { overrides?: RunOverrides }> };

/** Declares a pipeline. Typing only: validation happens when the graph is built. */
export function definePipeline(pipeline: PipelineInput): PipelineInput {
  return pipeline;
}
