/** Shared types for the MCMC convergence diagnostics. */

/** M chains × n draws, every chain the same length (plain arrays or typed arrays). */
export type Chains = ReadonlyArray<ArrayLike<number>>;

/** Internal working form: owned, validated copies of each chain. */
export type Matrix = Float64Array[];

/**
 * Why a diagnostic is NA. Mirrors the cases where R posterior returns NA
 * (`should_return_NA`, too few draws), plus zero within-chain variance,
 * where posterior's R̂ would be Inf (not representable in JSON).
 */
export type NaReason =
  | 'non-finite values'
  | 'too few draws'
  | 'too few chains'
  | 'constant trace'
  | 'constant after transform'
  | 'zero within-chain variance';

/** A diagnostic value, or NA with its reason; never NaN. */
export type Diagnostic =
  | { readonly value: number; readonly na: null }
  | { readonly value: null; readonly na: NaReason };

export function ok(value: number): Diagnostic {
  return { value, na: null };
}

export function na(reason: NaReason): Diagnostic {
  return { value: null, na: reason };
}
