// SVG → PNG with resvg. The font is passed explicitly and system fonts are
// off: resvg silently drops text when no font matches, and system fonts would
// make output depend on the machine.
import { createRequire } from 'node:module';
import { Resvg } from '@resvg/resvg-js';
import { FONT_FAMILY } from './frame';

/** Absolute path of DejaVuSans.ttf from the dejavu-fonts-ttf package. */
export function dejaVuSansPath(): string {
  return createRequire(import.meta.url).resolve('dejavu-fonts-ttf/ttf/DejaVuSans.ttf');
}

export interface PngOptions {
  /** Output width in px; height follows the SVG's aspect ratio. Default: the SVG's own size. */
  readonly width?: number;
}

export function svgToPng(svg: string, opts: PngOptions = {}): Uint8Array {
  if (opts.width !== undefined && !(Number.isInteger(opts.width) && opts.width > 0)) {
    throw new Error(`width must be a positive integer, got ${opts.width}`);
  }
  const resvg = new Resvg(svg, {
    font: {
      loadSystemFonts: false,
      fontFiles: [dejaVuSansPath()],
      defaultFontFamily: FONT_FAMILY,
      sansSerifFamily: FONT_FAMILY,
    },
    fitTo: opts.width !== undefined ? { mode: 'width', value: opts.width } : { mode: 'original' },
    logLevel: 'off',
  });
  // Copy out of the Node Buffer so callers get a plain Uint8Array.
  return new Uint8Array(resvg.render().asPng());
}
