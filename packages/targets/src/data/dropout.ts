/**
 * Teacher output dropout: for every row independently, each hidden unit's output
 * (after its activation) is zeroed with probability p and otherwise scaled by
 * 1/(1 − p) (inverted dropout, so E[scale] = 1). Draws one uniform per (row, unit),
 * rows in order and units layer by layer, from the given stream.
 */
import type { Rng } from '@llc/core/random/rng';

export function validateDropout(p: number, caller = 'makeDropoutScale', field = 'p'): void {
  if (!(typeof p === 'number' && p >= 0 && p < 1)) throw new Error(`Error in ${caller}: ${field} must be in [0, 1), got ${String(p)}`);
}

/** Row-major [rows, units] multipliers in {0, 1/(1 − p)}, for mlpForwardF64's hiddenScale. */
export function makeDropoutScale(rows: number, units: number, p: number, rng: Rng): Float64Array {
  validateDropout(p);
  if (!(Number.isInteger(rows) && rows > 0)) throw new Error(`Error in makeDropoutScale: rows must be a positive integer, got ${String(rows)}`);
  if (!(Number.isInteger(units) && units > 0)) throw new Error(`Error in makeDropoutScale: units must be a positive integer, got ${String(units)}`);
  const keep = 1 / (1 - p);
  const scale = new Float64Array(rows * units);
  for (let i = 0; i < scale.length; i++) scale[i] = rng.uniform() < p ? 0 : keep;
  return scale;
}
