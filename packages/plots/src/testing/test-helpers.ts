// Assertions shared by the plot tests (not a test file itself).
import assert from 'node:assert/strict';
import { svgToPng } from '../png';

/** Valid, deterministic-looking SVG: no NaN/undefined attributes, fonts explicit, coordinates rounded. */
export function assertWellFormed(svg: string): void {
  assert.ok(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"'), svg.slice(0, 80));
  assert.ok(!/="[^"]*(NaN|Infinity|undefined)/.test(svg), 'non-finite number in an attribute');
  assert.ok(!svg.includes('&nbsp;'), 'HTML-only entity in SVG');
  const texts = svg.match(/<text\b[^>]*>/g) ?? [];
  assert.ok(texts.length > 0);
  for (const t of texts) assert.match(t, /font-family="DejaVu Sans"/);
  assert.ok(!/\d\.\d{3,}/.test(svg.replace(/<text\b[^>]*>[^<]*<\/text>/g, '')), 'unrounded number');
}

/** Well-formed, shows `expected`, and rasterises. */
export function assertShows(svg: string, expected: RegExp, name = ''): void {
  assert.match(svg, expected, name);
  assertWellFormed(svg);
  assert.ok(svgToPng(svg).length > 100, `${name} rasterises`);
}

/** Text content of every <text>. */
export function texts(svg: string): string[] {
  return [...svg.matchAll(/<text\b[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]!);
}

/** Vertices [x, y] of each <path d="…"> made of M/L commands. */
export function pathPoints(svg: string): [number, number][][] {
  return [...svg.matchAll(/<path d="([^"]*)"/g)].map((m) =>
    [...m[1]!.matchAll(/[ML](-?[\d.]+),(-?[\d.]+)/g)].map((p) => [Number(p[1]), Number(p[2])] as [number, number]),
  );
}
