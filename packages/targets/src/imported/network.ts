/** The loss and the forward pass of an imported network, whichever family it is. */
import type { LossModel } from '@llc/core/model';
import { createMlpLossModelF64 } from '../models/mlpLossF64';
import { mlpForwardF64 } from '../models/mlpReference';
import { cnnForwardF64, createCnnLossModelF64 } from '../models/cnnF64';
import type { LossKind } from '../models/rowwiseLoss';
import type { NetworkModel } from './architecture';

export function networkLossModel(model: NetworkModel, X: Float64Array, Y: Float64Array, loss: LossKind): LossModel {
  return model.kind === 'cnn' ? createCnnLossModelF64({ layout: model.layout, X, Y, loss }) : createMlpLossModelF64({ layout: model.layout, X, Y, loss });
}

/** f_w(X), row-major [rows, d_out], in float64. */
export function networkForward(model: NetworkModel, w: Float64Array, X: Float64Array): Float64Array {
  return model.kind === 'cnn' ? cnnForwardF64(model.layout, w, X) : mlpForwardF64(model.layout, w, X);
}
