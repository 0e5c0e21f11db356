// Reference lines behave the same in every plot: dashed, listed in the legend,
// included in the y range, and reported in a note (not drawn) if not finite.
import { drawHorizontalLine, type Frame, type LegendEntry } from './frame';
import { referenceStyle } from './palette';
import type { ReferenceLine } from './types';

export function referenceExtent(refs: readonly ReferenceLine[]): [number, number] | undefined {
  const vals = refs.map((r) => r.value).filter((v) => Number.isFinite(v));
  return vals.length > 0 ? [Math.min(...vals), Math.max(...vals)] : undefined;
}

export function referenceLegend(refs: readonly ReferenceLine[]): LegendEntry[] {
  return refs.flatMap((r, i) => {
    if (!Number.isFinite(r.value)) return [];
    const s = referenceStyle(i);
    return [{ label: r.label, color: s.color, kind: 'dashed' as const, dash: s.dash }];
  });
}

export function referenceNotes(refs: readonly ReferenceLine[]): string[] {
  return refs.filter((r) => !Number.isFinite(r.value)).map((r) => `reference "${r.label}" is ${r.value}, not drawn`);
}

export function drawReferences(frame: Frame, refs: readonly ReferenceLine[]): void {
  refs.forEach((r, i) => drawHorizontalLine(frame, r.value, referenceStyle(i)));
}
