/**
 * Central finite-difference check of a LossModel's gradient, shared by the potential tests.
 * Returns the largest |FD − analytic| scaled by max(1, |analytic|), so one tolerance serves
 * gradients of any magnitude.
 */
import type { LossModel } from '@llc/core/model';

export function maxGradientError(model: LossModel, w: Float64Array, h = 1e-6): number {
  const { loss, grad } = model.lossAndGrad(w);
  if (Math.abs(loss - model.loss(w)) > 1e-12 * Math.max(1, Math.abs(loss))) return Infinity;
  let worst = 0;
  for (let i = 0; i < model.dim; i++) {
    const up = Float64Array.from(w);
    const dn = Float64Array.from(w);
    up[i] += h;
    dn[i] -= h;
    const fd = (model.loss(up) - model.loss(dn)) / (2 * h);
    worst = Math.max(worst, Math.abs(fd - grad[i]) / Math.max(1, Math.abs(grad[i])));
  }
  return worst;
}
