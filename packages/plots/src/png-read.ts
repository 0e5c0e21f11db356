// Minimal PNG reading for checks on rendered plots (signature, IHDR size, and
// RGBA pixels). Only what resvg writes is supported: 8-bit RGBA, no interlace.
import { inflateSync } from 'node:zlib';

export const PNG_SIGNATURE: readonly number[] = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

interface Chunk {
  readonly type: string;
  readonly data: Uint8Array;
}

function chunks(png: Uint8Array): Chunk[] {
  if (png.length < 8 || PNG_SIGNATURE.some((b, i) => png[i] !== b)) throw new Error('not a PNG (bad signature)');
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  const out: Chunk[] = [];
  for (let off = 8; off + 12 <= png.length; ) {
    const len = view.getUint32(off);
    const type = String.fromCharCode(...png.subarray(off + 4, off + 8));
    out.push({ type, data: png.subarray(off + 8, off + 8 + len) });
    off += 12 + len;
    if (type === 'IEND') break;
  }
  return out;
}

export interface PngHeader {
  readonly width: number;
  readonly height: number;
  readonly bitDepth: number;
  readonly colorType: number;
  readonly interlace: number;
}

export function readPngHeader(png: Uint8Array): PngHeader {
  const ihdr = chunks(png)[0];
  if (!ihdr || ihdr.type !== 'IHDR' || ihdr.data.length < 13) throw new Error('PNG has no IHDR first');
  const v = new DataView(ihdr.data.buffer, ihdr.data.byteOffset, ihdr.data.byteLength);
  return { width: v.getUint32(0), height: v.getUint32(4), bitDepth: ihdr.data[8]!, colorType: ihdr.data[9]!, interlace: ihdr.data[12]! };
}

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a), pb = Math.abs(p - b), pc = Math.abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

/** Decode to RGBA bytes (row-major, 4 per pixel). */
export function decodePngRgba(png: Uint8Array): { width: number; height: number; rgba: Uint8Array } {
  const h = readPngHeader(png);
  if (h.bitDepth !== 8 || h.colorType !== 6 || h.interlace !== 0) {
    throw new Error(`unsupported PNG: bitDepth ${h.bitDepth}, colorType ${h.colorType}, interlace ${h.interlace}`);
  }
  const idat = chunks(png).filter((c) => c.type === 'IDAT');
  const raw = inflateSync(Buffer.concat(idat.map((c) => c.data)));
  const bpp = 4;
  const stride = h.width * bpp;
  const rgba = new Uint8Array(stride * h.height);
  for (let y = 0; y < h.height; y++) {
    const filter = raw[y * (stride + 1)]!;
    const src = y * (stride + 1) + 1;
    const dst = y * stride;
    for (let x = 0; x < stride; x++) {
      const a = x >= bpp ? rgba[dst + x - bpp]! : 0;
      const b = y > 0 ? rgba[dst - stride + x]! : 0;
      const c = x >= bpp && y > 0 ? rgba[dst - stride + x - bpp]! : 0;
      const r = raw[src + x]!;
      const pred = filter === 0 ? 0 : filter === 1 ? a : filter === 2 ? b : filter === 3 ? (a + b) >> 1 : filter === 4 ? paeth(a, b, c) : Number.NaN;
      if (Number.isNaN(pred)) throw new Error(`bad PNG filter type ${filter} on row ${y}`);
      rgba[dst + x] = (r + pred) & 0xff;
    }
  }
  return { width: h.width, height: h.height, rgba };
}
