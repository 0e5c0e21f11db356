/**
 * The one narrow interface samplers see (as in BlackJAX): a flat float64 parameter
 * vector and a loss with its gradient. Networks, linear models and analytic
 * potentials all implement it, so every sampler can be tested on potentials with
 * exact answers and run unchanged on real networks.
 */
export interface LossModel {
  /** Number of parameters d (length of every position vector). */
  readonly dim: number;
  /** Number of data rows n; analytic potentials report the n implied by their temperature. */
  readonly n: number;
  /** Full-data mean loss L_n(w), accumulated in float64. */
  loss(w: Float64Array): number;
  /**
   * Mean loss and its gradient over the rows in `batch` (row indices, drawn by the
   * caller), or over all n rows when `batch` is null/undefined. A model may write the
   * gradient into `out` (length dim) and return it as `grad`, so that a sampler that uses
   * the gradient within its step allocates nothing; callers must use the returned `grad`.
   */
  lossAndGrad(w: Float64Array, batch?: Int32Array | null, out?: Float64Array): { loss: number; grad: Float64Array };
  /** Releases engine resources (tensors); the model is unusable afterwards. */
  dispose?(): void;
}
