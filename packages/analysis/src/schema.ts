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
  /**
   * An SGLD run whose mean MALA acceptance is below this is flagged for step-size bias
   * (docs/SCIENCE.md §4: the 0.9–0.95 band keeps the discretisation error small).
   */
  malaAcceptanceMin: z.number().gt(0).lt(1).default(0.9),
  /**
   * A chain whose divergent transitions exceed this fraction of its sampling transitions is
   * flagged (the count is always reported). Divergent proposals are rejected, so a rare one
   * leaves the chain exact; a rate above this says the step cannot follow the posterior's curvature.
   */
  divergenceRate: z.number().nonnegative().lt(1).default(0.001),
  /** A run more than this many combined MCSE from its target's reference is flagged (docs/SCIENCE.md §5). */
  agreementMcse: positive.default(3),
});


export type AnalysisConfig = z.output<typeof analysisSchema>;
