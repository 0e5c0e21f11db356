// Stable number/text formatting for SVG output. Coordinates are rounded so
// that floating-point noise (e.g. 0.1 + 0.2) never leaks into the bytes of a
// plot and files stay small.

/** Round to 2 decimals; normalises -0 to 0 so "-0" never appears. */
export function round2(v: number): number {
  const r = Math.round(v * 100) / 100;
  return r === 0 ? 0 : r;
}

/** Attribute-ready string for a coordinate. */
export function num(v: number): string {
  return String(round2(v));
}

/** `translate(x,y)` with rounded coordinates. */
export function translate(x: number, y: number): string {
  return `translate(${num(x)},${num(y)})`;
}

/**
 * Shorten text to at most `maxChars` characters, ending in an ellipsis.
 * Counts code points so a surrogate pair is never split.
 */
export function truncate(text: string, maxChars: number): string {
  const chars = Array.from(text);
  if (chars.length <= maxChars) return text;
  if (maxChars <= 1) return '…';
  return chars.slice(0, maxChars - 1).join('').trimEnd() + '…';
}

// DejaVu Sans averages roughly 0.6 em per character for mixed-case labels;
// good enough to decide when to rotate or truncate without measuring glyphs.
const CHAR_EM = 0.62;

/** Estimated rendered width of `text` in px at `fontSize`. */
export function textWidth(text: string, fontSize: number): number {
  return Array.from(text).length * fontSize * CHAR_EM;
}

/** How many characters fit in `width` px at `fontSize`. */
export function charsThatFit(width: number, fontSize: number): number {
  return Math.max(1, Math.floor(width / (fontSize * CHAR_EM)));
}
