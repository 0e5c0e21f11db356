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
  expected: { dtype: D; shape?: readonly number[] },
  opts: LoadTensorOptions = {},
): Promise<TypedArrayFor[D]> {
  const label = opts.label ?? dir;
  const failWith = (...problems: string[]): never => {
    throw new ArtifactError(label, problems, opts.rerun);
  };

  const where = resolveEntryPath(dir, entry.path);
  if ('problem' in where) return failWith(where.problem);
  if (!isSafetensorsPath(entry.path)) return failWith(`${entry.path}: not a .safetensors file, cannot load tensor "${name}"`);

  let bytes: Uint8Array;
  try {
    bytes = await readFile(where.abs);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    return failWith(`${entry.path}: missing (expected ${entry.bytes} bytes)`);
  }
  const contentProblems = compareContent(entry, { bytes: bytes.byteLength, sha256: sha256Hex(bytes) });
  if (contentProblems.length > 0) return failWith(...contentProblems);

  let decoded: ReturnType<typeof decodeSafetensors>;
  try {
    decoded = decodeSafetensors(bytes, entry.path);
  } catch (err) {
    return failWith((err as Error).message);
  }
  if (entry.tensors) {
    const tensorProblems = compareTensors(entry.path, entry.tensors, decoded.tensors);
    if (tensorProblems.length > 0) return failWith(...tensorProblems);
  }

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
        label,
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
