// Fixed colours so a given series index always gets the same colour in every
// plot. Okabe–Ito colour-blind-safe hues, reordered so the first few are the
// most distinct on white; the pale yellow is left out (unreadable as a line).
export const CATEGORICAL: readonly string[] = [
  '#0072B2', // blue
  '#E69F00', // orange
  '#009E73', // bluish green
  '#D55E00', // vermillion
  '#CC79A7', // reddish purple
  '#56B4E9', // sky blue
  '#000000', // black
  '#8C6D31', // olive brown (extra, outside Okabe–Ito, for an 8th series)
];

/** Colour of series `i`; cycles when there are more series than colours. */
export function seriesColor(i: number): string {
  const n = CATEGORICAL.length;
  return CATEGORICAL[((i % n) + n) % n]!;
}

// Reference lines are drawn dashed in neutral/dark tones so they never read
// as another data series.
export const REFERENCE_STYLES: readonly { color: string; dash: string }[] = [
  { color: '#222222', dash: '6,4' },
  { color: '#7F7F7F', dash: '2,3' },
  { color: '#A0522D', dash: '8,3,2,3' },
];

export function referenceStyle(i: number): { color: string; dash: string } {
  return REFERENCE_STYLES[i % REFERENCE_STYLES.length]!;
}

export const INK = '#222222'; // titles, labels
export const AXIS = '#444444'; // axis lines, tick labels
export const GRID = '#E6E6E6'; // gridlines
export const MUTED = '#777777'; // notes, "no data" messages
