import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import { dejaVuSansPath, svgToPng } from './png';
import { decodePngRgba, PNG_SIGNATURE, readPngHeader } from './png-read';

const textSvg = (text: string): string =>
  `<svg xmlns="http://www.w3.org/2000/svg" width="200" height="60" viewBox="0 0 200 60">` +
  `<text x="10" y="40" font-family="DejaVu Sans" font-size="24" fill="#000">${text}</text></svg>`;

/** Pixels with any opacity (the test SVGs have a transparent background). */
function inkedPixels(png: Uint8Array): number {
  const { rgba } = decodePngRgba(png);
  let n = 0;
  for (let i = 3; i < rgba.length; i += 4) if (rgba[i]! > 0) n++;
  return n;
}

test('font path resolves to the bundled DejaVu Sans', () => {
  const p = dejaVuSansPath();
  assert.ok(isAbsolute(p) && p.endsWith('DejaVuSans.ttf') && existsSync(p), p);
});

test('PNG has the signature and the SVG size, or the requested width', () => {
  const png = svgToPng(textSvg('hello'));
  assert.ok(png instanceof Uint8Array);
  assert.deepEqual([...png.subarray(0, 8)], PNG_SIGNATURE);
  assert.deepEqual([readPngHeader(png).width, readPngHeader(png).height], [200, 60]);
  const big = readPngHeader(svgToPng(textSvg('hello'), { width: 500 }));
  assert.deepEqual([big.width, big.height], [500, 150]);
  assert.throws(() => svgToPng(textSvg('x'), { width: 0 }), /width must be a positive integer/);
});

test('text actually renders (resvg drops text silently when no font matches)', () => {
  const withText = svgToPng(textSvg('λ̂ = 1.5 Trace'));
  const without = svgToPng(textSvg(''));
  assert.equal(inkedPixels(without), 0);
  assert.ok(inkedPixels(withText) > 200, `only ${inkedPixels(withText)} inked pixels`);
  assert.notDeepEqual(withText, without);
  // A generic family must also resolve to the bundled font, not vanish.
  const generic = svgToPng(textSvg('abc').replace('DejaVu Sans', 'sans-serif'));
  assert.ok(inkedPixels(generic) > 50);
});

test('rendering is byte-identical across calls', () => {
  assert.deepEqual(svgToPng(textSvg('same')), svgToPng(textSvg('same')));
});
