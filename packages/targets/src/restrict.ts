/**
 * Restricted LLC: the loss as a function of some coordinates of w only, the others held at w*.
 * Samplers see a LossModel of dimension k, so every sampler runs unchanged; the tempered
 * posterior, L0 and nβ keep their meaning (λ̂ measures the restricted loss's degeneracy).
 */
import type { LossModel } from '@llc/core/model';

/** `model` restricted to the coordinates `indices` (sorted, distinct) of w, the rest fixed at `wStar`. */
export function restrictModel(model: LossModel, wStar: Float64Array, indices: Int32Array): LossModel {
  if (indices.length === 0) throw new Error('Error in restrictModel: no coordinate is free');
  for (let k = 0; k < indices.length; k++) {
    if (!(indices[k] >= 0 && indices[k] < model.dim) || (k > 0 && indices[k] <= indices[k - 1])) {
      throw new Error(`Error in restrictModel: indices must be distinct, sorted and in [0, ${model.dim}); indices[${k}] = ${indices[k]}`);
    }
  }
  const full = Float64Array.from(wStar);
  const fullGrad = new Float64Array(model.dim);
  const embed = (v: Float64Array) => {
    if (v.length !== indices.length) throw new Error(`Error in restricted model: w has length ${v.length}, expected ${indices.length}`);
    for (let k = 0; k < indices.length; k++) full[indices[k]] = v[k];
    return full;
  };
  return {
    dim: indices.length,
    n: model.n,
    loss: (v) => model.loss(embed(v)),
    lossAndGrad(v, batch, out) {
      const { loss, grad } = model.lossAndGrad(embed(v), batch, fullGrad);
      const restricted = out && out.length === indices.length ? out : new Float64Array(indices.length);
      for (let k = 0; k < indices.length; k++) restricted[k] = grad[indices[k]];
      return { loss, grad: restricted };
    },
    dispose: () => model.dispose?.(),
  };
}
