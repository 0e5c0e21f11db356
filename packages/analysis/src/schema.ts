/** What the analysis stage reads from `analysis` in the pipeline config. */
import { z } from 'zod';
import { nonNegativeInt, positive } from '@llc/core/schema';

export const analysisSchema = z.strictObject({
  /** Draws dropped from the start of every chain before any statistic (after the sampler's own burn-in). */
  discard: nonNegativeInt.default(0),
  rhatThreshold: positive.default(1.01),
  essThreshold: positive.default(400),
});


export type AnalysisConfig = z.output<typeof analysisSchema>;
