/** What `pipeline.config.ts` imports: a typed identity function and the sweep marker. */
import type { PipelineInput } from './schema';

export { sweep } from '@llc/core/sweep';
export type { PipelineInput } from './schema';

/** Declares a pipeline. Typing only: validation happens when the graph is built. */
export function definePipeline(pipeline: PipelineInput): PipelineInput {
  return pipeline;
}
