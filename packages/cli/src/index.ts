/** The public API a `pipeline.<name>.ts` imports: `import { definePipeline, sweep } from 'llc-pipeline'`. */
export { definePipeline, sweep, type PipelineInput, type RunOverrides } from '@llc/config/define';
