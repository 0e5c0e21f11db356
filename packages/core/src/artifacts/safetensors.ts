/**
 * The safetensors file format, read and written exactly.
 *
 * Layout: an 8-byte little-endian u64 N, then N bytes of UTF-8 JSON header
 * (padded with spaces to a multiple of 8 so the data section starts 8-aligned),
 * then the raw little-endian tensor bytes. The header maps each tensor name to
 * {dtype, shape, data_offsets: [begin, end]} (offsets relative to the data
 * section) plus an optional "__metadata__" object of string → string.
 *
 * We write tensors in sorted-name order, contiguously, with compact JSON, so the
 * same tensors always give the same bytes (and hence the same sha256 in manifests).
 * Reading accepts any valid layout and checks everything, because a corrupt file
 * must fail loudly here rather than feed garbage into an estimate.
 */
import { open } from 'node:fs/promises';
import { endianness } from 'node:os';

export const DTYPES = ['F32', 'F64', 'I32', 'U32', 'U8'] as const;
export type Dtype = (typeof DTYPES)[number];

export interface TypedArrayFor {
  F32: Float32Array;
  F64: Float64Array;
  I32: Int32Array;
  U32: Uint32Array;
  U8: Uint8Array;
}
export type TensorData = TypedArrayFor[Dtype];

/** A tensor whose `data` type follows its `dtype` (narrow with `t.dtype === 'F64'`). */
export type Tensor = { [D in Dtype]: { dtype: D; shape: number[]; data: TypedArrayFor[D] } }[Dtype];

/** What the header says about one tensor, without its data. */
export interface TensorInfo {
  dtype: Dtype;
  shape: number[];
  data_offsets: [number, number];
}

export interface SafetensorsHeader {
  tensors: Record<string, TensorInfo>;
  metadata: Record<string, string>;
  /** Byte offset of the data section within the file (8 + N). */
  dataStart: number;
}

const CTORS = {
  F32: Float32Array,
  F64: Float64Array,
  I32: Int32Array,
  U32: Uint32Array,
  U8: Uint8Array,
} as const;

export const DTYPE_BYTES: Record<Dtype, number> = { F32: 4, F64: 8, I32: 4, U32: 4, U8: 1 };

const METADATA_KEY = '__metadata__';
/** Sanity bound on N so a corrupt length can't make us allocate gigabytes (same bound as the reference reader). */
const MAX_HEADER_BYTES = 100_000_000;

export function isDtype(x: unknown): x is Dtype {
  return typeof x === 'string' && (DTYPES as readonly string[]).includes(x);
}

/**
 * Typed arrays use the host byte order, the format is little-endian. Every
 * machine we run on is little-endian; refuse rather than silently write
 * byte-swapped numbers anywhere else.
 */
function assertLittleEndianHost(): void {
  if (endianness() !== 'LE') {
    throw new Error('safetensors I/O needs a little-endian host; this machine is big-endian');
  }
}

/** Sort key matching Python/Rust string order (Unicode code points, i.e. UTF-8 bytes). */
function compareNames(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/** prod(shape), or null if the shape is invalid or the count isn't a safe integer. */
function elementCount(shape: unknown): number | null {
  if (!Array.isArray(shape)) return null;
  let n = 1;
  for (const d of shape) {
    if (!Number.isSafeInteger(d) || (d as number) < 0) return null;
    n *= d as number;
    if (!Number.isSafeInteger(n)) return null;
  }
  return n;
}

function fmtShape(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

/**
 * Encodes tensors (and optional string metadata) into safetensors bytes.
 * Deterministic: the result depends only on names, dtypes, shapes, values and
 * metadata, not on object key order.
 */
export function encodeSafetensors(
  tensors: Record<string, Tensor>,
  metadata?: Record<string, string>,
): Uint8Array {
  assertLittleEndianHost();
  const names = Object.keys(tensors).sort(compareNames);
  const header: Record<string, unknown> = {};
  const chunks: Uint8Array[] = [];
  let offset = 0;
  for (const name of names) {
    const t = tensors[name];
    if (name === METADATA_KEY) {
      throw new Error(`encodeSafetensors: "${METADATA_KEY}" is reserved and cannot be a tensor name`);
    }
    if (!isDtype(t.dtype)) {
      throw new Error(`encodeSafetensors: tensor "${name}" has unknown dtype ${String(t.dtype)} (supported: ${DTYPES.join(', ')})`);
    }
    const Ctor = CTORS[t.dtype];
    if (!(t.data instanceof Ctor)) {
      throw new Error(`encodeSafetensors: tensor "${name}" is ${t.dtype} but its data is a ${t.data?.constructor?.name ?? typeof t.data}, expected ${Ctor.name}`);
    }
    const count = elementCount(t.shape);
    if (count === null) {
      throw new Error(`encodeSafetensors: tensor "${name}" has an invalid shape ${JSON.stringify(t.shape)} (dimensions must be non-negative integers)`);
    }
    if (count !== t.data.length) {
      throw new Error(`encodeSafetensors: tensor "${name}" has shape ${fmtShape(t.shape)} (${count} elements) but ${t.data.length} values`);
    }
    const bytes = new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
    header[name] = { dtype: t.dtype, shape: [...t.shape], data_offsets: [offset, offset + bytes.byteLength] };
    chunks.push(bytes);
    offset += bytes.byteLength;
  }
  if (metadata && Object.keys(metadata).length > 0) {
    const sorted: Record<string, string> = {};
    for (const key of Object.keys(metadata).sort(compareNames)) {
      if (typeof metadata[key] !== 'string') {
        throw new Error(`encodeSafetensors: metadata "${key}" must be a string, got ${typeof metadata[key]}`);
      }
      sorted[key] = metadata[key];
    }
    header[METADATA_KEY] = sorted;
  }

  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const headerLen = Math.ceil(json.length / 8) * 8;
  const out = new Uint8Array(8 + headerLen + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerLen), true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + headerLen); // space padding
  let pos = 8 + headerLen;
  for (const c of chunks) {
    out.set(c, pos);
    pos += c.byteLength;
  }
  return out;
}

function fail(label: string, what: string): never {
  throw new Error(`Invalid safetensors file ${label}: ${what}`);
}

/** Reads N from the first 8 bytes and checks it against the file size. */
function readHeaderLength(prefix: Uint8Array, fileBytes: number, label: string): number {
  if (fileBytes < 8) {
    fail(label, `the file is ${fileBytes} bytes, too short for the 8-byte header length (truncated or not safetensors)`);
  }
  const n = new DataView(prefix.buffer, prefix.byteOffset, 8).getBigUint64(0, true);
  if (n > BigInt(fileBytes - 8)) {
    fail(label, `the header claims ${n} bytes but only ${fileBytes - 8} follow the length prefix (the file is truncated or not safetensors)`);
  }
  if (n > BigInt(MAX_HEADER_BYTES)) {
    fail(label, `the header claims ${n} bytes, more than the ${MAX_HEADER_BYTES}-byte limit (corrupt length prefix)`);
  }
  return Number(n);
}

/**
 * Parses and validates the JSON header given the data-section length: dtypes
 * known, shapes valid, byte counts matching shape × dtype size, and offsets
 * covering the data section exactly, without gaps or overlaps.
 */
function parseHeader(
  headerBytes: Uint8Array,
  dataLength: number,
  label: string,
  bytesOf: Readonly<Record<string, number>> = DTYPE_BYTES,
): SafetensorsHeader {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(headerBytes);
  } catch {
    fail(label, 'the header is not valid UTF-8');
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    fail(label, `the header is not valid JSON (${(err as Error).message})`);
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    fail(label, 'the header is not a JSON object');
  }

  const metadata: Record<string, string> = {};
  const tensors: Record<string, TensorInfo> = {};
  for (const [name, value] of Object.entries(raw as Record<string, unknown>)) {
    if (name === METADATA_KEY) {
      if (value === null || typeof value !== 'object' || Array.isArray(value)) {
        fail(label, `"${METADATA_KEY}" must be an object of strings`);
      }
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
        if (typeof v !== 'string') fail(label, `metadata "${k}" must be a string, found ${JSON.stringify(v)}`);
        metadata[k] = v;
      }
      continue;
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      fail(label, `tensor "${name}": header entry is not an object`);
    }
    const entry = value as Record<string, unknown>;
    const extra = Object.keys(entry).filter((k) => !['dtype', 'shape', 'data_offsets'].includes(k));
    if (extra.length > 0) fail(label, `tensor "${name}": unexpected header fields ${extra.join(', ')}`);
    if (typeof entry.dtype !== 'string' || !Object.hasOwn(bytesOf, entry.dtype)) {
      fail(label, `tensor "${name}": dtype ${JSON.stringify(entry.dtype)} is not supported (supported: ${Object.keys(bytesOf).join(', ')})`);
    }
    const dtype = entry.dtype as Dtype;
    const count = elementCount(entry.shape);
    if (count === null) fail(label, `tensor "${name}": invalid shape ${JSON.stringify(entry.shape)}`);
    const offs = entry.data_offsets;
    if (
      !Array.isArray(offs) || offs.length !== 2 ||
      !Number.isSafeInteger(offs[0]) || !Number.isSafeInteger(offs[1]) ||
      offs[0] < 0 || offs[1] < offs[0]
    ) {
      fail(label, `tensor "${name}": invalid data_offsets ${JSON.stringify(offs)}`);
    }
    const [begin, end] = offs as [number, number];
    if (end > dataLength) {
      fail(label, `tensor "${name}": data_offsets [${begin}, ${end}] run past the ${dataLength}-byte data section (the file is truncated)`);
    }
    const want = count * bytesOf[dtype];
    if (end - begin !== want) {
      fail(label, `tensor "${name}": ${end - begin} data bytes, but shape ${fmtShape(entry.shape as number[])} × ${dtype} needs ${want}`);
    }
    tensors[name] = { dtype, shape: [...(entry.shape as number[])], data_offsets: [begin, end] };
  }

  // The tensors must tile the data section exactly: no gaps, overlaps or trailing bytes.
  const spans = Object.entries(tensors)
    .map(([name, t]) => ({ name, begin: t.data_offsets[0], end: t.data_offsets[1] }))
    .sort((a, b) => a.begin - b.begin || a.end - b.end);
  let expectedBegin = 0;
  for (const s of spans) {
    if (s.begin !== expectedBegin) {
      fail(label, `tensor "${s.name}" starts at byte ${s.begin} of the data section, expected ${expectedBegin} (tensors must be contiguous)`);
    }
    expectedBegin = s.end;
  }
  if (expectedBegin !== dataLength) {
    fail(label, `the tensors cover ${expectedBegin} bytes but the data section is ${dataLength} bytes (the file was truncated or has extra bytes)`);
  }
  return { tensors, metadata, dataStart: 8 + headerBytes.byteLength };
}

/**
 * Decodes and validates safetensors bytes. `fileLabel` (usually the path) names
 * the file in every error. Returned arrays are fresh, aligned copies, independent
 * of `bytes`.
 */
export function decodeSafetensors(
  bytes: Uint8Array,
  fileLabel: string,
): { tensors: Record<string, Tensor>; metadata: Record<string, string> } {
  assertLittleEndianHost();
  const n = readHeaderLength(bytes, bytes.byteLength, fileLabel);
  const header = parseHeader(bytes.subarray(8, 8 + n), bytes.byteLength - 8 - n, fileLabel);
  const tensors: Record<string, Tensor> = {};
  for (const name of Object.keys(header.tensors).sort(compareNames)) {
    const info = header.tensors[name];
    const [begin, end] = info.data_offsets;
    // Copy into a new ArrayBuffer starting at offset 0: aligned for every element
    // size even when the tensor sat at an odd offset in the file. (Not bytes.slice:
    // on a Node Buffer that returns a view into a shared pool.)
    const buf = new Uint8Array(bytes.subarray(header.dataStart + begin, header.dataStart + end)).buffer;
    const data = new CTORS[info.dtype](buf);
    tensors[name] = { dtype: info.dtype, shape: info.shape, data } as Tensor;
  }
  return { tensors, metadata: header.metadata };
}

/**
 * Reads and validates only the header of a safetensors file (checked against the
 * file size), without loading tensor data: enough to describe or check a large
 * file's dtypes and shapes cheaply.
 */
export async function readSafetensorsHeader(path: string, fileLabel = path): Promise<SafetensorsHeader> {
  const handle = await open(path, 'r');
  try {
    const size = (await handle.stat()).size;
    const prefix = new Uint8Array(8);
    await handle.read(prefix, 0, Math.min(8, size), 0);
    const n = readHeaderLength(prefix, size, fileLabel);
    const headerBytes = new Uint8Array(n);
    const { bytesRead } = await handle.read(headerBytes, 0, n, 8);
    if (bytesRead !== n) fail(fileLabel, `could read only ${bytesRead} of ${n} header bytes (the file changed while reading)`);
    return parseHeader(headerBytes, size - 8 - n, fileLabel);
  } finally {
    await handle.close();
  }
}

/**
 * Every dtype a safetensors file written by PyTorch may hold (safetensors.torch.save_file of a
 * state_dict), with its size in bytes. Our own artifacts use only DTYPES; files the user brings
 * are read through decodeSafetensorsAsFloat64.
 */
export const FOREIGN_DTYPE_BYTES: Readonly<Record<string, number>> = {
  F64: 8, F32: 4, F16: 2, BF16: 2,
  I64: 8, I32: 4, I16: 2, I8: 1,
  U64: 8, U32: 4, U16: 2, U8: 1,
  BOOL: 1,
};

/** IEEE 754 binary16 → number (exact: every half is a double). */
export function halfToNumber(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24;
  if (exponent === 0x1f) return fraction === 0 ? sign * Infinity : Number.NaN;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}

/** bfloat16 is the upper half of a float32: widen it by shifting the bits back into place. */
function bfloat16ToNumber(bits: number, scratch: DataView): number {
  scratch.setUint32(0, bits << 16, true);
  return scratch.getFloat32(0, true);
}

function toFloat64(dtype: string, bytes: Uint8Array, count: number, label: string, name: string): Float64Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Float64Array(count);
  const scratch = new DataView(new ArrayBuffer(4));
  const wide = (v: bigint) => {
    if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < -BigInt(Number.MAX_SAFE_INTEGER)) {
      throw new Error(`Invalid safetensors file ${label}: tensor "${name}" holds ${v}, beyond the integers a float64 represents exactly`);
    }
    return Number(v);
  };
  for (let i = 0; i < count; i++) {
    switch (dtype) {
      case 'F64': out[i] = view.getFloat64(8 * i, true); break;
      case 'F32': out[i] = view.getFloat32(4 * i, true); break;
      case 'F16': out[i] = halfToNumber(view.getUint16(2 * i, true)); break;
      case 'BF16': out[i] = bfloat16ToNumber(view.getUint16(2 * i, true), scratch); break;
      case 'I64': out[i] = wide(view.getBigInt64(8 * i, true)); break;
      case 'U64': out[i] = wide(view.getBigUint64(8 * i, true)); break;
      case 'I32': out[i] = view.getInt32(4 * i, true); break;
      case 'U32': out[i] = view.getUint32(4 * i, true); break;
      case 'I16': out[i] = view.getInt16(2 * i, true); break;
      case 'U16': out[i] = view.getUint16(2 * i, true); break;
      case 'I8': out[i] = view.getInt8(i); break;
      case 'U8': case 'BOOL': out[i] = view.getUint8(i); break;
      default: throw new Error(`bug: no float64 reader for dtype ${dtype}`);
    }
  }
  return out;
}

export interface Float64Tensor {
  /** The dtype stored in the file. */
  dtype: string;
  shape: number[];
  /** The values, widened to float64 (exactly: every dtype here converts without rounding). */
  data: Float64Array;
}

/**
 * Decodes a safetensors file of any dtype PyTorch writes, every tensor widened to float64,
 * with the same checks as decodeSafetensors (header, offsets, byte counts).
 */
export function decodeSafetensorsAsFloat64(bytes: Uint8Array, fileLabel: string): { tensors: Record<string, Float64Tensor>; metadata: Record<string, string> } {
  assertLittleEndianHost();
  const n = readHeaderLength(bytes, bytes.byteLength, fileLabel);
  const header = parseHeader(bytes.subarray(8, 8 + n), bytes.byteLength - 8 - n, fileLabel, FOREIGN_DTYPE_BYTES);
  const tensors: Record<string, Float64Tensor> = {};
  for (const name of Object.keys(header.tensors).sort(compareNames)) {
    const info = header.tensors[name];
    const [begin, end] = info.data_offsets;
    const count = info.shape.reduce((a, b) => a * b, 1);
    tensors[name] = { dtype: info.dtype, shape: info.shape, data: toFloat64(info.dtype, bytes.subarray(header.dataStart + begin, header.dataStart + end), count, fileLabel, name) };
  }
  return { tensors, metadata: header.metadata };
}
