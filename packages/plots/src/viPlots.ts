/** The plots of one VI run: every fit's training ELBO, and every fit's λ̂ with its Monte Carlo error. */
import type { ViTrace } from '@llc/samplers/viTrace';
import type { LlcEstimate } from '@llc/analysis/llc';
import { intervalPlot, tracePlot, type ReferenceLine } from './index';
import type { RunPlot } from './runPlots';

export function viPlots(id: string, trace: ViTrace, est: LlcEstimate, reference?: ReferenceLine): RunPlot[] {
  const elbo: RunPlot = {
    name: 'elbo',
    caption: 'training ELBO of every fit (window means)',
    svg: tracePlot({
      title: `ELBO · ${id}`,
      xLabel: 'Adam step',
      yLabel: 'ELBO',
      chains: trace.elbo.map((y, c) => ({ x: trace.elboSteps, y, label: `fit ${c}` })),
    }),
  };
  const fits: RunPlot = {
    name: 'fits',
    caption: 'λ̂ of every fit (± 2 MC standard errors of its evaluation) and plain estimates',
    svg: intervalPlot({
      title: `λ̂ per fit · ${id}`,
      yLabel: 'λ̂',
      items: est.chains.flatMap((c) => {
        const v = trace.llc[c.chain];
        const e = trace.llcMcse[c.chain];
        const plain = trace.llcPlain[c.chain];
        return [
          { label: `fit ${c.chain}`, value: v, lower: v - 2 * e, upper: v + 2 * e, group: 'control variate' },
          { label: `fit ${c.chain} plain`, value: plain, lower: plain, upper: plain, group: 'plain' },
        ];
      }),
      referenceLines: reference ? [reference] : [],
    }),
  };
  return [elbo, fits];
}
