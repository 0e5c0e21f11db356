/**
 * Every sampler kind the pipeline config can name, bound to its hyperparameters.
 * Adding a sampler = one kernel file exporting `create` + one entry here + one
 * schema entry in tools/src/config/schema.ts.
 */
import type { ResolvedSamplerConfig } from './schema';
import type { LossModel } from '@llc/core/model';
import type { LocalPosterior } from './posterior';
import type { KernelState, SamplingAlgorithm } from './algorithm';
import * as sgld from './kernels/sgld';
import * as hmc from './kernels/hmc';
import * as sgnht from './kernels/sgnht';
import * as mclmc from './kernels/mclmc';

/** Chain-based samplers; VI is not a chain and runs through samplers/src/vi. */
type Kind = Exclude<ResolvedSamplerConfig['kind'], 'vi'>;
type ConfigOf<K extends Kind> = Extract<ResolvedSamplerConfig, { kind: K }>;
type Factory<K extends Kind> = (config: ConfigOf<K>, model: LossModel, posterior: LocalPosterior) => SamplingAlgorithm<KernelState>;

export const SAMPLERS: { [K in Kind]: Factory<K> } = {
  sgld: (config, model, posterior) =>
    sgld.create(model, posterior, {
      stepSize: config.stepSize,
      batchSize: config.batchSize,
      precondition: config.precondition,
      beta1: config.beta1,
      beta2: config.beta2,
      eps: config.eps,
      biasCorrection: config.biasCorrection,
      // A preconditioner that keeps adapting biases λ̂: freeze it when burn-in ends unless told otherwise.
      freezeAfter: config.precondition === 'none' ? null : (config.freezeAfter ?? config.burnIn),
      malaDiagnostic: config.malaDiagnostic,
      malaEvery: config.malaEvery,
    }) as unknown as SamplingAlgorithm<KernelState>,
  sgnht: (config, model, posterior) =>
    sgnht.create(model, posterior, {
      stepSize: config.stepSize,
      batchSize: config.batchSize,
      initialFriction: config.initialFriction,
      diffusion: config.diffusion,
    }) as unknown as SamplingAlgorithm<KernelState>,
  hmc: (config, model, posterior) =>
    hmc.create(model, posterior, {
      stepSize: config.stepSize,
      integrationSteps: config.integrationSteps,
      targetAcceptance: config.targetAcceptance,
      adapt: config.adapt,
      stepSizeJitter: config.stepSizeJitter,
    }) as unknown as SamplingAlgorithm<KernelState>,
  mclmc: (config, model, posterior) =>
    mclmc.create(model, posterior, {
      stepSize: config.stepSize,
      L: config.L,
      integrator: config.integrator,
      tune: config.tune,
      targetEnergyVariance: config.targetEnergyVariance,
    }) as unknown as SamplingAlgorithm<KernelState>,
};

export function createSampler(config: Extract<ResolvedSamplerConfig, { kind: Kind }>, model: LossModel, posterior: LocalPosterior): SamplingAlgorithm<KernelState> {
  const factory = SAMPLERS[config.kind] as Factory<Kind> | undefined;
  if (!factory) throw new Error(`Unknown sampler kind '${String(config.kind)}'; known kinds: ${Object.keys(SAMPLERS).join(', ')}`);
  return factory(config, model, posterior);
}
