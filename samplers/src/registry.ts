/**
 * Every sampler kind the pipeline config can name, bound to its hyperparameters.
 * Adding a sampler = one kernel file + one entry here + one schema entry.
 */
import type { ResolvedSamplerConfig } from '../../tools/src/config/normalize';
import type { LossModel } from './model';
import type { LocalPosterior } from './posterior';
import type { SamplingAlgorithm, KernelState } from './run';
import * as sgld from './kernels/sgld';

type Factory = (config: ResolvedSamplerConfig, model: LossModel, posterior: LocalPosterior) => SamplingAlgorithm<KernelState>;

export const SAMPLERS: Record<ResolvedSamplerConfig['kind'], Factory> = {
  sgld: (config, model, posterior) => ({
    init: sgld.init,
    step: sgld.buildKernel(model, posterior, { stepSize: config.stepSize, batchSize: config.batchSize }) as SamplingAlgorithm<KernelState>['step'],
  }),
};

export function createSampler(config: ResolvedSamplerConfig, model: LossModel, posterior: LocalPosterior) {
  const factory = SAMPLERS[config.kind];
  if (!factory) throw new Error(`Unknown sampler kind '${String(config.kind)}'; known kinds: ${Object.keys(SAMPLERS).join(', ')}`);
  return factory(config, model, posterior);
}
