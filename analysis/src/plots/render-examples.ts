// Writes one SVG + PNG per plot type for visual checks:
//   node --import tsx analysis/src/plots/render-examples.ts /tmp/plot-examples
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { exampleInterval, exampleRunningMean, exampleTrace } from './examples';
import { intervalPlot, runningMeanPlot, svgToPng, tracePlot } from './index';

const dir = process.argv[2] ?? '/tmp/plot-examples';
mkdirSync(dir, { recursive: true });
const plots: Record<string, string> = {
  trace: tracePlot(exampleTrace()),
  'running-mean': runningMeanPlot(exampleRunningMean()),
  interval: intervalPlot(exampleInterval()),
};
for (const [name, svg] of Object.entries(plots)) {
  writeFileSync(join(dir, `${name}.svg`), svg);
  writeFileSync(join(dir, `${name}.png`), svgToPng(svg));
  console.log(`${name}: svg ${svg.length} B`);
}
