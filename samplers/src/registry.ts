/**
 * Every sampler kind the pipeline config can name, bound to its hyperparameters.
 * Adding a sampler = one kernel file exporting `create` + one entry here + one
 * schema entry in tools/src/config/schema.ts.
 */
import type { ResolvedSamplerConfig } from '../../tools/src/config/normalize';
import type { LossModel } from './model';
import type { LocalPosterior } from './posterior';
import type { KernelState, SamplingAlgorithm } from './algorithm';
import * as sgld from './kernels/sgld';

type Kind = ResolvedSamplerConfig['kind'];
type ConfigOf<K extends Kind> = Extract<ResolvedSamplerConfig, { kind: K }>;
type Factory<K extends Kind> = (config: ConfigOf<K>, model: LossModel, posterior: LocalPosterior) => SamplingAlgorithm<KernelState>;

export const SAMPLERS: { [K in Kind]: Factory<K> } = {
  sgld: (config, model, posterior) =>
    sgld.create(model, posterior, { stepSize: config.stepSize, batchSize: config.batchSize }) as unknown as SamplingAlgorithm<KernelState>,
};

export function createSampler(config: ResolvedSamplerConfig, model: LossModel, posterior: LocalPosterior): SamplingAlgorithm<KernelState> {
  const factory = SAMPLERS[config.kind] as Factory<Kind> | undefined;
  if (!factory) throw new Error(`Unknown sampler kind '${String(config.kind)}'; known kinds: ${Object.keys(SAMPLERS).join(', ')}`);
  return factory(config, model, posterior);
}
