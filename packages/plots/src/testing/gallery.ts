// A fixed set of plots of every kind from the deterministic example inputs:
// rendered by render-examples.ts for eyeballing, and by the parallel-safety
// test in every execution context (serial, async, worker threads, processes).
import {
  exampleAcceptance,
  exampleAutocorrelation,
  exampleEnergy,
  exampleHmcAcceptance,
  exampleInterval,
  exampleLossTrace,
  exampleRank,
  exampleRunningMean,
  exampleRunningMeanSeconds,
  exampleScatter,
  exampleTrace,
} from './examples';
import {
  acceptancePlot,
  autocorrelationPlot,
  energyPlot,
  intervalPlot,
  rankPlot,
  runningMeanPlot,
  scatterPlot,
  svgToPng,
  tracePlot,
} from '../index';

export interface GalleryPlot {
  readonly name: string;
  readonly render: () => string;
}

export function galleryPlots(): GalleryPlot[] {
  // Modest sizes: the parallel-safety test renders all of these 9 times.
  return [
    { name: 'trace', render: () => tracePlot(exampleTrace(4, 1000)) },
    { name: 'trace-log-loss', render: () => tracePlot(exampleLossTrace(600)) },
    { name: 'running-mean', render: () => runningMeanPlot(exampleRunningMean(1000)) },
    { name: 'running-mean-seconds', render: () => runningMeanPlot(exampleRunningMeanSeconds(800)) },
    { name: 'interval', render: () => intervalPlot(exampleInterval()) },
    { name: 'rank', render: () => rankPlot(exampleRank(500)) },
    { name: 'autocorrelation', render: () => autocorrelationPlot(exampleAutocorrelation(1000)) },
    { name: 'energy', render: () => energyPlot(exampleEnergy(600)) },
    { name: 'acceptance-mala', render: () => acceptancePlot(exampleAcceptance(800)) },
    { name: 'acceptance-hmc', render: () => acceptancePlot(exampleHmcAcceptance(400)) },
    // Thinned: 1600 points drawn as 1000.
    { name: 'scatter', render: () => scatterPlot({ ...exampleScatter(1200, 400), maxPoints: 1000 }) },
    { name: 'energy-empty', render: () => energyPlot({ title: 'Energy (no finite draws)', energy: [[Number.NaN, Number.NaN]] }) },
  ];
}

export interface RenderedPlot {
  readonly name: string;
  readonly svg: string;
  readonly png: Uint8Array;
}

/** Every gallery plot as SVG and PNG, one after the other. */
export function renderGallery(): RenderedPlot[] {
  return galleryPlots().map(({ name, render }) => {
    const svg = render();
    return { name, svg, png: svgToPng(svg) };
  });
}
