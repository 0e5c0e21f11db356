/**
 * Seeded random initialisation of a flat MLP parameter vector.
 * Scales keep activations O(1) through depth: He normal (std √(2/fanIn)) for relu
 * and gelu, Glorot normal (std √(2/(fanIn+fanOut))) for tanh and identity.
 * Layer-norm gains start at 1 and shifts are drawn like biases (biasStd).
 */
import type { Rng } from '@llc/core/random/rng';
import type { ParamLayout } from './mlpSpec';

export interface MlpInitOptions {
  /** Standard deviation of the biases (0: biases start at zero). */
  biasStd?: number;
}

/** Weight standard deviation for one layer under the spec's activation. */
export function initWeightStd(activation: ParamLayout['spec']['activation'], fanIn: number, fanOut: number): number {
  return activation === 'relu' || activation === 'gelu' ? Math.sqrt(2 / fanIn) : Math.sqrt(2 / (fanIn + fanOut));
}

/**
 * A fresh parameter vector in layout order; consumes exactly layout.size normals from
 * `rng` (the normals at gain slots are drawn and discarded, so slots never shift).
 */
export function initMlpParams(layout: ParamLayout, rng: Rng, options: MlpInitOptions = {}): Float64Array {
  const biasStd = options.biasStd ?? 0;
  if (!(Number.isFinite(biasStd) && biasStd >= 0)) {
    throw new Error(`Error in initMlpParams: biasStd must be a finite number ≥ 0, got ${biasStd}`);
  }
  const w = rng.fillNormal(new Float64Array(layout.size));
  for (const slot of layout.layers) {
    const std = initWeightStd(layout.spec.activation, slot.fanIn, slot.fanOut);
    for (let k = slot.wOffset; k < slot.wOffset + slot.fanIn * slot.fanOut; k++) w[k] *= std;
    if (slot.bOffset !== null) for (let k = slot.bOffset; k < slot.bOffset + slot.fanOut; k++) w[k] *= biasStd;
    if (slot.norm !== undefined) {
      w.fill(1, slot.norm.gainOffset, slot.norm.gainOffset + slot.fanOut);
      for (let k = slot.norm.shiftOffset; k < slot.norm.shiftOffset + slot.fanOut; k++) w[k] *= biasStd;
    }
  }
  return w;
}
