// Public API of the plotting library: data → deterministic SVG string, and
// SVG → PNG. Adding a plot = one file using ./frame, exported here.
export { tracePlot, type TracePlotInput, type TraceChain } from './trace';
export { runningMeanPlot, type RunningMeanPlotInput } from './running-mean';
export { intervalPlot, type IntervalPlotInput, type IntervalItem } from './interval';
export { rankPlot, rankHistograms, type RankPlotInput, type RankHistograms } from './rank';
export { autocorrelationPlot, chainAutocorrelation, type AutocorrelationPlotInput, type ChainAcf } from './autocorrelation';
export { energyPlot, eBfmi, EBFMI_THRESHOLD, type EnergyPlotInput } from './energy';
export { acceptancePlot, type AcceptancePlotInput } from './acceptance';
export { scatterPlot, SCATTER_MAX_POINTS, type ScatterPlotInput, type ScatterSeries } from './scatter';
export { svgToPng, dejaVuSansPath, type PngOptions } from './png';
export { readPngHeader, decodePngRgba, PNG_SIGNATURE, type PngHeader } from './png-read';
export { downsampleIndices, DEFAULT_MAX_POINTS } from './downsample';
export { CATEGORICAL, seriesColor } from './palette';
export { FONT_FAMILY, DEFAULT_WIDTH, DEFAULT_HEIGHT } from './frame';
export type { ReferenceLine, PlotSize, Thinning } from './types';
