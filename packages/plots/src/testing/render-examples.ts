// Writes one SVG + PNG per gallery plot for visual checks:
//   node --import tsx packages/plots/src/testing/render-examples.ts /tmp/plot-examples
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { galleryPlots } from './gallery';
import { svgToPng } from '../index';

const dir = process.argv[2] ?? '/tmp/plot-examples';
mkdirSync(dir, { recursive: true });
for (const { name, render } of galleryPlots()) {
  const svg = render();
  writeFileSync(join(dir, `${name}.svg`), svg);
  writeFileSync(join(dir, `${name}.png`), svgToPng(svg));
  console.log(`${name}: svg ${svg.length} B`);
}
