/**
 * Loading one tensor from a manifest-described safetensors file, checked end to end.
 *
 * The file is read once and the very bytes that get decoded are the ones checked
 * against the manifest's size and sha256, so nothing can change between check and
 * use. Precision is never changed silently: F32 data is widened to F64 only when
 * the caller explicitly allows it (precision=float64), and the widening is logged.
 */
import { readFile } from 'node:fs/promises';
import { ArtifactError, rerunAdvice } from './errors';
import { compareContent, compareTensors, isSafetensorsPath, resolveEntryPath, sha256Hex, type FileEntry } from './manifest';
import { decodeSafetensors, type Dtype, type TypedArrayFor } from './safetensors';

export interface LoadTensorOptions {
  /** Allow widening F32 → F64 when F64 is expected (set from precision=float64). */
  allowConvert?: boolean;
  /** Receives a line for every conversion made. */
  log?: (msg: string) => void;
  /** Names the artifact in errors, e.g. "artifacts/targets/mlp-small (meta.json)"; defaults to `dir`. */
  label?: string;
  /** The command that rebuilds the artifact, quoted in errors. */
  rerun?: string;
}

function fmtShape(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

type Expected<D extends Dtype> = { dtype: D; shape?: readonly number[] };
type Decoded = ReturnType<typeof decodeSafetensors>;

function failer(dir: string, opts: LoadTensorOptions) {
  const label = opts.label ?? dir;
  return (...problems: string[]): never => {
    throw new ArtifactError(label, problems, opts.rerun);
  };
}

/**
 * Reads the file `entry` describes in `dir` once, checks its size, sha256 and the
 * manifest's tensor list against those very bytes, and decodes it.
 */
async function readVerified(dir: string, entry: FileEntry, wanted: string, opts: LoadTensorOptions): Promise<Decoded> {
  const failWith = failer(dir, opts);
  const where = resolveEntryPath(dir, entry.path);
  if ('problem' in where) return failWith(where.problem);
  if (!isSafetensorsPath(entry.path)) return failWith(`${entry.path}: not a .safetensors file, cannot load tensor ${wanted}`);

  let bytes: Uint8Array;
  try {
    bytes = await readFile(where.abs);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    return failWith(`${entry.path}: missing (expected ${entry.bytes} bytes)`);
  }
  const contentProblems = compareContent(entry, { bytes: bytes.byteLength, sha256: sha256Hex(bytes) });
  if (contentProblems.length > 0) return failWith(...contentProblems);

  let decoded: Decoded;
  try {
    decoded = decodeSafetensors(bytes, entry.path);
  } catch (err) {
    return failWith((err as Error).message);
  }
  if (entry.tensors) {
    const tensorProblems = compareTensors(entry.path, entry.tensors, decoded.tensors);
    if (tensorProblems.length > 0) return failWith(...tensorProblems);
  }
  return decoded;
}

/** Tensor `name` of a verified file, checked for the expected dtype (and shape, if given). */
function pick<D extends Dtype>(dir: string, entry: FileEntry, decoded: Decoded, name: string, expected: Expected<D>, opts: LoadTensorOptions): TypedArrayFor[D] {
  const failWith = failer(dir, opts);
  const tensor = decoded.tensors[name];
  if (!tensor) {
    const names = Object.keys(decoded.tensors);
    return failWith(`${entry.path}: no tensor "${name}" (the file has ${names.length ? names.map((n) => `"${n}"`).join(', ') : 'no tensors'})`);
  }
  if (expected.shape && fmtShape(expected.shape) !== fmtShape(tensor.shape)) {
    return failWith(`${entry.path}: tensor "${name}" shape differs (expected ${fmtShape(expected.shape)}, found ${fmtShape(tensor.shape)})`);
  }
  if (tensor.dtype === expected.dtype) return tensor.data as TypedArrayFor[D];

  if (tensor.dtype === 'F32' && expected.dtype === 'F64') {
    if (!opts.allowConvert) {
      throw new ArtifactError(
        opts.label ?? dir,
        [`${entry.path}: tensor "${name}" dtype differs (expected F64, found F32)`],
        opts.rerun,
        `set precision=float64 to allow the explicit F32→F64 conversion, or make the producer write F64 and ${rerunAdvice(opts.rerun)}`,
      );
    }
    // Widening is exact (every float32 is a float64), so this loses nothing; it is
    // still logged because the run's numbers then come from float32 data.
    const widened = Float64Array.from(tensor.data);
    opts.log?.(`converted ${name} from F32 to F64 (explicit: precision=float64)`);
    return widened as TypedArrayFor[D];
  }
  return failWith(`${entry.path}: tensor "${name}" dtype differs (expected ${expected.dtype}, found ${tensor.dtype})`);
}

/**
 * Reads tensor `name` from the file `entry` describes in `dir`, after checking
 * size, sha256 and the manifest's tensor list, and checks it has the expected
 * dtype (and shape, if given). Returns the data as the typed array for
 * `expected.dtype`.
 */
export async function loadTensor<D extends Dtype>(
  dir: string,
  entry: FileEntry,
  name: string,
  expected: Expected<D>,
  opts: LoadTensorOptions = {},
): Promise<TypedArrayFor[D]> {
  const decoded = await readVerified(dir, entry, `"${name}"`, opts);
  return pick(dir, entry, decoded, name, expected, opts);
}

/**
 * Several tensors of one file: the file is read, hashed and decoded once (loading
 * them one by one would read and hash it once per tensor), each tensor checked as in
 * loadTensor.
 */
export async function loadTensors<E extends Record<string, Expected<Dtype>>>(
  dir: string,
  entry: FileEntry,
  expected: E,
  opts: LoadTensorOptions = {},
): Promise<{ [K in keyof E]: TypedArrayFor[E[K]['dtype']] }> {
  const names = Object.keys(expected);
  const decoded = await readVerified(dir, entry, names.map((n) => `"${n}"`).join(', '), opts);
  const out: Record<string, unknown> = {};
  for (const name of names) out[name] = pick(dir, entry, decoded, name, expected[name], opts);
  return out as { [K in keyof E]: TypedArrayFor[E[K]['dtype']] };
}
