// The shared chart frame: one D3Node document per plot (so nothing is shared
// between calls), margins sized from the actual tick/legend text, scales, axes,
// title, legend, notes and the "no data" message. A plot module only describes
// its axes and legend, then draws its marks into `frame.data`.
import { D3Node, type D3, type LinearScale, type Selection } from 'd3-node';
import { charsThatFit, num, textWidth, translate, truncate } from './format';
import { AXIS, GRID, INK, MUTED } from './palette';

export const FONT_FAMILY = 'DejaVu Sans';
export const DEFAULT_WIDTH = 720;
export const DEFAULT_HEIGHT = 420;

const MIN_WIDTH = 240;
const MIN_HEIGHT = 160;
const TITLE_SIZE = 16;
const LABEL_SIZE = 12;
const TICK_SIZE = 11;
const LEGEND_SIZE = 11;
const NOTE_SIZE = 10;
const LEGEND_ROW = 18;
const LEGEND_SWATCH = 22;
const LEGEND_MAX_CHARS = 22;
const CATEGORY_MAX_CHARS = 24;
const ROTATION_DEG = 40;

export interface Margin {
  readonly top: number;
  readonly right: number;
  readonly bottom: number;
  readonly left: number;
}

export interface LinearAxisSpec {
  readonly kind: 'linear';
  /** Data extent; the frame "nices" it. Must be finite with hi > lo. */
  readonly domain: readonly [number, number];
}

export interface LogAxisSpec {
  readonly kind: 'log';
  /** Data extent, both ends > 0 and finite with hi > lo. Spans of a decade or more are niced to powers of 10. */
  readonly domain: readonly [number, number];
}

export interface CategoryAxisSpec {
  readonly kind: 'category';
  /** One label per category, in drawing order. Duplicates are allowed. */
  readonly labels: readonly string[];
}

/**
 * 'point': dot on a vertical bar (error bars); 'dot': a lone dot (scatter);
 * 'text': no swatch, the label alone drawn in `color` (e.g. a per-chain statistic).
 */
export type LegendKind = 'line' | 'dashed' | 'band' | 'point' | 'dot' | 'text';

export interface LegendEntry {
  readonly label: string;
  readonly color: string;
  readonly kind: LegendKind;
  /** stroke-dasharray for kind 'dashed'. */
  readonly dash?: string;
}

export interface FrameSpec {
  readonly title: string;
  readonly xLabel?: string;
  readonly yLabel?: string;
  readonly width?: number;
  readonly height?: number;
  readonly x: LinearAxisSpec | CategoryAxisSpec;
  readonly y: LinearAxisSpec | LogAxisSpec;
  /** Drawn in a right-hand column; omitted (and no space reserved) when empty. */
  readonly legend?: readonly LegendEntry[];
  /** Small grey footnotes, e.g. how many non-finite values were skipped. */
  readonly notes?: readonly string[];
  /** Centred in the plot area, e.g. "No finite data to plot". */
  readonly message?: string;
}

export interface Frame {
  readonly d3: D3;
  readonly width: number;
  readonly height: number;
  readonly margin: Margin;
  readonly innerWidth: number;
  readonly innerHeight: number;
  /** Linear axis: data value → px. Category axis: category index → px. */
  readonly x: (v: number) => number;
  /** Distance between category centres (category axis) or 0 (linear). */
  readonly xStep: number;
  /** Data value → px (a log scale for a 'log' y axis: values <= 0 map to NaN). */
  readonly y: LinearScale;
  /** Layer for data marks (above gridlines, below axes and reference lines). */
  readonly data: Selection;
  /** Layer above the data, for reference lines. */
  readonly overlay: Selection;
  readonly node: D3Node;
}

export interface TextSpec {
  readonly x: number;
  readonly y: number;
  readonly text: string;
  readonly size?: number;
  readonly anchor?: 'start' | 'middle' | 'end';
  readonly weight?: 'bold';
  readonly fill?: string;
  /** Rotation in degrees about (x, y). */
  readonly rotate?: number;
}

/**
 * Append a <text>. Every text gets the font family explicitly so rasterising
 * never depends on inheritance or a system default font.
 */
export function addText(parent: Selection, spec: TextSpec): Selection {
  const t = parent
    .append('text')
    .attr('x', num(spec.x))
    .attr('y', num(spec.y))
    .attr('font-family', FONT_FAMILY)
    .attr('font-size', spec.size ?? LABEL_SIZE)
    .attr('fill', spec.fill ?? INK);
  if (spec.anchor && spec.anchor !== 'start') t.attr('text-anchor', spec.anchor);
  if (spec.weight) t.attr('font-weight', spec.weight);
  if (spec.rotate) t.attr('transform', `rotate(${num(spec.rotate)},${num(spec.x)},${num(spec.y)})`);
  return t.text(cleanText(spec.text));
}

// Control characters are illegal in XML and newlines would be collapsed
// anyway; strip/flatten them so any caller string yields a valid SVG.
function cleanText(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\r\n\t]+/g, ' ').replace(/[\u0000-\u001F\u007F]/g, '');
}

interface LinearTicks {
  readonly scale: LinearScale;
  readonly values: number[];
  readonly labels: string[];
  /** Unlabelled minor tick values (log axes: 2…9 × 10^k). */
  readonly minor?: number[];
}

function linearTicks(d3: D3, domain: readonly [number, number], count: number): LinearTicks {
  const scale = d3.scaleLinear().domain(domain).nice(count);
  const values = scale.ticks(count);
  const fmt = scale.tickFormat(count);
  return { scale, values, labels: values.map(fmt) };
}

const SUPERSCRIPT: Record<string, string> = {
  '-': '⁻', '0': '⁰', '1': '¹', '2': '²', '3': '³', '4': '⁴', '5': '⁵', '6': '⁶', '7': '⁷', '8': '⁸', '9': '⁹',
};

/** "10⁻⁵" for a decade exponent. */
function powerOfTen(e: number): string {
  return '10' + Array.from(String(e), (c) => SUPERSCRIPT[c] ?? c).join('');
}

/**
 * Log-axis ticks. Spanning a decade or more: labelled powers of 10 (every
 * k-th decade when there are many), the in-between 2…9 × 10^k as unlabelled
 * minor ticks when they are not too dense. Less than a decade: d3's own
 * (linear-looking) log ticks, all labelled.
 */
function logTicks(d3: D3, domain: readonly [number, number], count: number): LinearTicks {
  const [lo, hi] = domain;
  if (Math.log10(hi / lo) < 1) {
    // Pad 5 % of the span in log space so lines do not touch the frame.
    const pad = Math.pow(hi / lo, 0.05);
    const scale = d3.scaleLog().domain([lo / pad, hi * pad]);
    const values = scale.ticks(count);
    const fmt = d3.format('~g');
    return { scale, values, labels: values.map(fmt) };
  }
  const e0 = Math.floor(Math.log10(lo) + 1e-9);
  const top = Math.ceil(Math.log10(hi) - 1e-9);
  const every = Math.max(1, Math.ceil((top - e0) / count));
  // Extend the top so both ends of the axis are labelled decades.
  const e1 = e0 + every * Math.ceil((top - e0) / every);
  const scale = d3.scaleLog().domain([Math.pow(10, e0), Math.pow(10, e1)]);
  const exps: number[] = [];
  for (let e = e0; e <= e1; e++) if ((e - e0) % every === 0) exps.push(e);
  // Exact decimals for negative exponents (1/1000, not 10 ** -3 = 0.0010000000000000002).
  const decade = (e: number): number => (e < 0 ? 1 / Math.pow(10, -e) : Math.pow(10, e));
  const plain = exps.every((e) => e >= -3 && e <= 4);
  const fmt = d3.format('~f');
  const minor: number[] = [];
  if (every === 1 && e1 - e0 <= 6) {
    for (let e = e0; e < e1; e++) for (let k = 2; k <= 9; k++) minor.push(k * decade(e));
  }
  return {
    scale,
    values: exps.map(decade),
    labels: exps.map((e) => (plain ? fmt(decade(e)) : powerOfTen(e))),
    minor,
  };
}

interface CategoryLayout {
  readonly positions: number[];
  readonly step: number;
  readonly labels: string[]; // truncated; '' = skipped to avoid overlap
  readonly rotated: boolean;
  readonly height: number; // vertical space the labels need below the axis
}

// Decide whether category labels fit horizontally; otherwise rotate them,
// truncate to a fixed length and, when very crowded, label every k-th one.
function layoutCategories(d3: D3, labels: readonly string[], innerWidth: number, left: number): CategoryLayout {
  const n = labels.length;
  const scale = d3
    .scalePoint()
    .domain(labels.map((_, i) => String(i)))
    .range([0, innerWidth])
    .padding(0.5);
  const positions = labels.map((_, i) => scale(String(i)) ?? innerWidth / 2);
  const step = n > 0 ? scale.step() : innerWidth;
  const capped = labels.map((l) => truncate(cleanText(l), CATEGORY_MAX_CHARS));
  const widest = Math.max(0, ...capped.map((l) => textWidth(l, TICK_SIZE)));
  if (widest <= step - 6) {
    return { positions, step, labels: capped, rotated: false, height: TICK_SIZE + 10 };
  }
  const rad = (ROTATION_DEG * Math.PI) / 180;
  const every = Math.max(1, Math.ceil((TICK_SIZE + 3) / (step * Math.sin(rad) + 1e-9)));
  const shown = capped.map((l, i) => {
    if (i % every !== 0) return '';
    // Rotated text extends down-left; keep it from running off the left edge.
    const room = (left + positions[i]! - 4) / Math.cos(rad);
    return truncate(l, charsThatFit(room, TICK_SIZE));
  });
  const longest = Math.max(0, ...shown.map((l) => textWidth(l, TICK_SIZE)));
  const height = 10 + longest * Math.sin(rad) + TICK_SIZE * Math.cos(rad);
  return { positions, step, labels: shown, rotated: true, height };
}

function validSize(name: string, v: number, min: number): number {
  if (!Number.isFinite(v) || v < min) throw new Error(`${name} must be a number >= ${min}, got ${v}`);
  return Math.round(v);
}

function validDomain(name: string, d: readonly [number, number], log = false): readonly [number, number] {
  if (!Number.isFinite(d[0]) || !Number.isFinite(d[1]) || !(d[1] > d[0])) {
    throw new Error(`${name} domain must be finite with hi > lo, got [${d[0]}, ${d[1]}]`);
  }
  if (log && !(d[0] > 0)) throw new Error(`${name} log domain must be > 0, got [${d[0]}, ${d[1]}]`);
  return d;
}

export function createFrame(spec: FrameSpec): Frame {
  const width = validSize('width', spec.width ?? DEFAULT_WIDTH, MIN_WIDTH);
  const height = validSize('height', spec.height ?? DEFAULT_HEIGHT, MIN_HEIGHT);
  const node = new D3Node();
  const d3 = node.d3;
  const legend = spec.legend ?? [];

  const top = 42;
  const notes = spec.notes ?? [];
  // Notes get their own line under the x label so they never overlap it.
  const noteSpace = notes.length > 0 ? NOTE_SIZE + 4 : 0;
  const linearBottom = TICK_SIZE + 14 + (spec.xLabel ? LABEL_SIZE + 14 : 4) + noteSpace;

  // y ticks first: their label width decides the left margin.
  const yCount = Math.max(2, Math.round((height - top - linearBottom) / 55));
  const yt =
    spec.y.kind === 'log'
      ? logTicks(d3, validDomain('y', spec.y.domain, true), yCount)
      : linearTicks(d3, validDomain('y', spec.y.domain), yCount);
  const yTickWidth = Math.max(0, ...yt.labels.map((l) => textWidth(l, TICK_SIZE)));
  let left = Math.ceil((spec.yLabel ? LABEL_SIZE + 14 : 6) + yTickWidth + 14);

  const legendLabels = legend.map((e) => truncate(cleanText(e.label), LEGEND_MAX_CHARS));
  const legendTextWidth = Math.max(0, ...legendLabels.map((l) => textWidth(l, LEGEND_SIZE)));
  const right = legend.length > 0 ? Math.ceil(16 + LEGEND_SWATCH + 6 + legendTextWidth + 8) : 24;

  let xFn: (v: number) => number;
  let xStep = 0;
  let bottom = linearBottom;
  let drawX: (lines: Selection, labels: Selection, innerHeight: number) => void;
  if (spec.x.kind === 'linear') {
    const innerWidth = width - left - right;
    const xt = linearTicks(d3, validDomain('x', spec.x.domain), Math.max(2, Math.round(innerWidth / 90)));
    xt.scale.range([0, innerWidth]);
    xFn = (v) => xt.scale(v);
    drawX = (lines, labels, ih) => {
      xt.values.forEach((v, i) => {
        const px = xt.scale(v);
        lines.append('line').attr('x1', num(px)).attr('x2', num(px)).attr('y1', num(ih)).attr('y2', num(ih + 5));
        addText(labels, { x: px, y: ih + 5 + TICK_SIZE + 2, text: xt.labels[i]!, size: TICK_SIZE, anchor: 'middle', fill: AXIS });
      });
    };
  } else {
    const probe = layoutCategories(d3, spec.x.labels, width - left - right, left);
    // Rotated labels lean left, so give the first ones some room.
    if (probe.rotated) left = Math.max(left, 100);
    const cat = layoutCategories(d3, spec.x.labels, width - left - right, left);
    xFn = (i) => cat.positions[i] ?? Number.NaN;
    xStep = cat.step;
    bottom = Math.ceil(cat.height + 8 + (spec.xLabel ? LABEL_SIZE + 14 : 4) + noteSpace);
    drawX = (lines, labels, ih) => {
      cat.positions.forEach((px, i) => {
        lines.append('line').attr('x1', num(px)).attr('x2', num(px)).attr('y1', num(ih)).attr('y2', num(ih + 5));
        const label = cat.labels[i]!;
        if (!label) return;
        if (cat.rotated) {
          addText(labels, { x: px + 4, y: ih + 12, text: label, size: TICK_SIZE, anchor: 'end', fill: AXIS, rotate: -ROTATION_DEG });
        } else {
          addText(labels, { x: px, y: ih + 5 + TICK_SIZE + 2, text: label, size: TICK_SIZE, anchor: 'middle', fill: AXIS });
        }
      });
    };
  }

  const margin: Margin = { top, right, bottom, left };
  const innerWidth = width - left - right;
  const innerHeight = height - top - bottom;
  if (innerWidth < 40 || innerHeight < 40) {
    throw new Error(`plot area too small (${innerWidth}×${innerHeight} px); increase width/height`);
  }
  const y = yt.scale.range([innerHeight, 0]);

  const root = node.createSVG(width, height, {
    viewBox: `0 0 ${width} ${height}`,
    'font-family': FONT_FAMILY,
  });
  root.append('title').text(cleanText(spec.title));
  root.append('rect').attr('width', width).attr('height', height).attr('fill', '#FFFFFF');
  addText(root, {
    x: width / 2,
    y: 26,
    text: truncate(spec.title, charsThatFit(width - 24, TITLE_SIZE)),
    size: TITLE_SIZE,
    anchor: 'middle',
    weight: 'bold',
  });

  const plot = root.append('g').attr('transform', translate(left, top));
  const grid = plot.append('g').attr('stroke', GRID).attr('stroke-width', 1);
  const data = plot.append('g');
  // Tick labels live in `axes`, lines in `axisLines`: a stroke inherited by
  // text would render it smeared/bold.
  const axes = plot.append('g');
  const axisLines = axes.append('g').attr('stroke', AXIS).attr('stroke-width', 1);
  const overlay = plot.append('g');

  yt.values.forEach((v, i) => {
    const py = y(v);
    grid.append('line').attr('x1', 0).attr('x2', num(innerWidth)).attr('y1', num(py)).attr('y2', num(py));
    axisLines.append('line').attr('x1', -5).attr('x2', 0).attr('y1', num(py)).attr('y2', num(py));
    addText(axes, { x: -8, y: py + 4, text: yt.labels[i]!, size: TICK_SIZE, anchor: 'end', fill: AXIS });
  });
  for (const v of yt.minor ?? []) {
    const py = y(v);
    grid.append('line').attr('x1', 0).attr('x2', num(innerWidth)).attr('y1', num(py)).attr('y2', num(py)).attr('stroke-opacity', 0.45);
    axisLines.append('line').attr('x1', -3).attr('x2', 0).attr('y1', num(py)).attr('y2', num(py));
  }
  axisLines.append('line').attr('x1', 0).attr('x2', 0).attr('y1', 0).attr('y2', num(innerHeight));
  axisLines.append('line').attr('x1', 0).attr('x2', num(innerWidth)).attr('y1', num(innerHeight)).attr('y2', num(innerHeight));
  drawX(axisLines, axes, innerHeight);

  if (spec.xLabel) {
    addText(root, { x: left + innerWidth / 2, y: height - 10 - noteSpace, text: spec.xLabel, anchor: 'middle' });
  }
  if (spec.yLabel) {
    const maxChars = charsThatFit(innerHeight + top, LABEL_SIZE);
    // Sit just left of the tick labels (the left margin may have been widened).
    const labelX = left - 8 - yTickWidth - 12;
    addText(root, { x: labelX, y: top + innerHeight / 2, text: truncate(spec.yLabel, maxChars), anchor: 'middle', rotate: -90 });
  }
  if (legend.length > 0) drawLegend(root, legend, legendLabels, width - right + 16, top + 4, innerHeight);
  if (notes.length > 0) {
    const text = truncate(notes.join(' · '), charsThatFit(width - 12, NOTE_SIZE));
    addText(root, { x: width - 6, y: height - 5, text, size: NOTE_SIZE, anchor: 'end', fill: MUTED });
  }
  if (spec.message) {
    addText(overlay, {
      x: innerWidth / 2,
      y: innerHeight / 2,
      text: truncate(spec.message, charsThatFit(innerWidth - 20, 14)),
      size: 14,
      anchor: 'middle',
      fill: MUTED,
    });
  }

  return { d3, width, height, margin, innerWidth, innerHeight, x: xFn, xStep, y, data, overlay, node };
}

function drawLegend(
  root: Selection,
  entries: readonly LegendEntry[],
  labels: readonly string[],
  x0: number,
  y0: number,
  available: number,
): void {
  const g = root.append('g').attr('transform', translate(x0, y0));
  const rows = Math.max(1, Math.floor(available / LEGEND_ROW));
  // When entries overflow, the last row says how many were left out.
  const shown = entries.length > rows ? rows - 1 : entries.length;
  for (let i = 0; i < shown; i++) {
    const e = entries[i]!;
    const cy = i * LEGEND_ROW + LEGEND_ROW / 2;
    drawSwatch(g, e, cy);
    const textOnly = e.kind === 'text';
    addText(g, { x: textOnly ? 0 : LEGEND_SWATCH + 6, y: cy + 4, text: labels[i]!, size: LEGEND_SIZE, fill: textOnly ? e.color : undefined });
  }
  if (shown < entries.length) {
    const cy = shown * LEGEND_ROW + LEGEND_ROW / 2;
    addText(g, { x: 0, y: cy + 4, text: `+${entries.length - shown} more`, size: LEGEND_SIZE, fill: MUTED });
  }
}

function drawSwatch(g: Selection, e: LegendEntry, cy: number): void {
  const mid = LEGEND_SWATCH / 2;
  switch (e.kind) {
    case 'text':
      return;
    case 'dot':
      g.append('circle').attr('cx', mid).attr('cy', num(cy)).attr('r', 3.5).attr('fill', e.color);
      return;
    case 'band':
      g.append('rect').attr('x', 0).attr('y', num(cy - 5)).attr('width', LEGEND_SWATCH).attr('height', 10)
        .attr('fill', e.color).attr('fill-opacity', 0.25);
      return;
    case 'point':
      g.append('line').attr('x1', mid).attr('x2', mid).attr('y1', num(cy - 6)).attr('y2', num(cy + 6))
        .attr('stroke', e.color).attr('stroke-width', 1.5);
      g.append('circle').attr('cx', mid).attr('cy', num(cy)).attr('r', 3.5).attr('fill', e.color);
      return;
    case 'line':
    case 'dashed': {
      const l = g.append('line').attr('x1', 0).attr('x2', LEGEND_SWATCH).attr('y1', num(cy)).attr('y2', num(cy))
        .attr('stroke', e.color).attr('stroke-width', 2);
      if (e.kind === 'dashed') l.attr('stroke-dasharray', e.dash ?? '6,4');
      return;
    }
  }
}

/** Dashed horizontal line across the plot at data value `value` (skipped if not finite). */
export function drawHorizontalLine(frame: Frame, value: number, style: { color: string; dash: string; width?: number }): void {
  if (!Number.isFinite(value)) return;
  const py = frame.y(value);
  frame.overlay
    .append('line')
    .attr('x1', 0)
    .attr('x2', num(frame.innerWidth))
    .attr('y1', num(py))
    .attr('y2', num(py))
    .attr('stroke', style.color)
    .attr('stroke-width', style.width ?? 1.5)
    .attr('stroke-dasharray', style.dash);
}

/**
 * Serialise the frame's SVG. jsdom uses HTML serialisation, which writes
 * U+00A0 as `&nbsp;` — not defined in XML — so it is rewritten numerically.
 */
export function renderSvg(frame: Frame): string {
  return frame.node.svgString().replace(/&nbsp;/g, '&#160;');
}
