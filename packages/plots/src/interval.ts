// Point estimates with error bars across categories, e.g. λ̂ ± MCSE for
// several runs, optionally coloured by group and compared with references.
import { finiteExtent, unionExtent, usableDomain } from './data';
import { createFrame, addText, renderSvg, type LegendEntry } from './frame';
import { num } from './format';
import { MUTED, seriesColor } from './palette';
import { drawReferences, referenceExtent, referenceLegend, referenceNotes } from './reference';
import type { PlotSize, ReferenceLine } from './types';

export interface IntervalItem {
  readonly label: string;
  readonly value: number;
  readonly lower: number;
  readonly upper: number;
  /** Items sharing a group share a colour; groups get a legend entry. */
  readonly group?: string;
}

export interface IntervalPlotInput extends PlotSize {
  readonly title: string;
  readonly yLabel: string;
  readonly xLabel?: string;
  readonly items: readonly IntervalItem[];
  readonly referenceLines?: readonly ReferenceLine[];
}

const UNGROUPED = '(no group)';

export function intervalPlot(input: IntervalPlotInput): string {
  const items = input.items;
  const refs = input.referenceLines ?? [];

  // Groups in order of first appearance, so colours follow the input order.
  const anyGroup = items.some((it) => it.group !== undefined);
  const groups = [...new Set(items.map((it) => it.group ?? UNGROUPED))];
  const colorOf = (it: IntervalItem): string => (anyGroup ? seriesColor(groups.indexOf(it.group ?? UNGROUPED)) : seriesColor(0));

  const yExtent = unionExtent(
    finiteExtent(items.map((it) => it.value)),
    finiteExtent(items.filter((it) => Number.isFinite(it.value)).flatMap((it) => [it.lower, it.upper])),
    referenceExtent(refs),
  );
  const missing = items.filter((it) => !Number.isFinite(it.value)).length;

  const legend: LegendEntry[] = [
    ...(anyGroup && groups.length > 1 ? groups.map((g, i) => ({ label: g, color: seriesColor(i), kind: 'point' as const })) : []),
    ...referenceLegend(refs),
  ];
  const notes = [
    ...(missing > 0 ? [`${missing} item${missing === 1 ? '' : 's'} without a finite value`] : []),
    ...referenceNotes(refs),
  ];
  const message =
    items.length === 0 ? 'No items to plot' : missing === items.length ? 'No finite values to plot' : undefined;

  const frame = createFrame({
    title: input.title,
    xLabel: input.xLabel,
    yLabel: input.yLabel,
    width: input.width,
    height: input.height,
    x: { kind: 'category', labels: items.map((it) => it.label) },
    y: { kind: 'linear', domain: usableDomain(yExtent) },
    legend,
    notes,
    message,
  });

  const cap = Math.max(2, Math.min(6, frame.xStep * 0.2));
  items.forEach((it, i) => {
    const px = frame.x(i);
    const color = colorOf(it);
    if (!Number.isFinite(it.value)) {
      // Keep the category visible and say why nothing is drawn there.
      if (items.length !== missing) {
        addText(frame.data, { x: px, y: frame.innerHeight - 6, text: 'n/a', size: 10, anchor: 'middle', fill: MUTED });
      }
      return;
    }
    const g = frame.data.append('g').attr('stroke', color).attr('stroke-width', 1.5);
    if (Number.isFinite(it.lower) && Number.isFinite(it.upper)) {
      const y0 = frame.y(Math.min(it.lower, it.upper));
      const y1 = frame.y(Math.max(it.lower, it.upper));
      g.append('line').attr('x1', num(px)).attr('x2', num(px)).attr('y1', num(y0)).attr('y2', num(y1));
      g.append('line').attr('x1', num(px - cap)).attr('x2', num(px + cap)).attr('y1', num(y0)).attr('y2', num(y0));
      g.append('line').attr('x1', num(px - cap)).attr('x2', num(px + cap)).attr('y1', num(y1)).attr('y2', num(y1));
    }
    g.append('circle').attr('cx', num(px)).attr('cy', num(frame.y(it.value))).attr('r', 4).attr('fill', color).attr('stroke', '#FFFFFF').attr('stroke-width', 1);
  });
  drawReferences(frame, refs);
  return renderSvg(frame);
}
