/** The loss and the forward pass of an imported network, whichever family it is. */
import type { LossModel } from '@llc/core/model';
import { createMlpLossModelF64 } from '../models/mlpLossF64';
import { mlpForwardF64 } from '../models/mlpReference';
import type { LossKind } from '../models/rowwiseLoss';
import { mlpLayout, type MlpSpec } from '../models/mlpSpec';
import { cnnForwardF64, cnnLayout, createCnnLossModelF64, type CnnSpec } from '../models/cnnF64';
import type { NetworkModel } from './architecture';

/** The evaluable network of a stored spec (target meta.json keeps the spec, not its layout). */
export function networkOf(spec: { kind: 'mlp'; spec: MlpSpec } | { kind: 'cnn'; spec: CnnSpec }): NetworkModel {
  return spec.kind === 'cnn' ? { kind: 'cnn', spec: spec.spec, layout: cnnLayout(spec.spec) } : { kind: 'mlp', spec: spec.spec, layout: mlpLayout(spec.spec) };
}

export function networkLossModel(model: NetworkModel, X: Float64Array, Y: Float64Array, loss: LossKind): LossModel {
  return model.kind === 'cnn' ? createCnnLossModelF64({ layout: model.layout, X, Y, loss }) : createMlpLossModelF64({ layout: model.layout, X, Y, loss });
}

/** f_w(X), row-major [rows, d_out], in float64. */
export function networkForward(model: NetworkModel, w: Float64Array, X: Float64Array): Float64Array {
  return model.kind === 'cnn' ? cnnForwardF64(model.layout, w, X) : mlpForwardF64(model.layout, w, X);
}
