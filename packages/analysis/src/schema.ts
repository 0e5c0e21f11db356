/** What the analysis stage reads from `analysis` in the pipeline config. */
import { z } from 'zod';
import { nonNegativeInt, positive } from '@llc/core/schema';
import { DEFAULT_THRESHOLDS } from '@llc/diagnostics/index';

export const analysisSchema = z.strictObject({
  /** Draws dropped from the start of every chain before any statistic (after the sampler's own burn-in). */
  discard: nonNegativeInt.default(0),
  /** R̂ at or above this flags a run (summaries, flags and the report use the same comparison). */
  rhatThreshold: positive.default(DEFAULT_THRESHOLDS.rhat),
  /** Bulk or tail ESS at or below this flags a run. */
  essThreshold: positive.default(DEFAULT_THRESHOLDS.ess),
});


export type AnalysisConfig = z.output<typeof analysisSchema>;
