/**
 * Reads a data set the user brings: inputs X [rows, d_in] and targets (regression values
 * [rows, d_out], or class indices [rows]) from a .npz or .safetensors file (arrays named by
 * `inputs` and `target`), a CSV file (columns named by `inputs` and `target`, with a header
 * row), or two .npy files (`inputs` and `target` are then their paths). Every value is
 * widened to float64. Problems are returned, each naming the file, the array or column and
 * the fix, so that a config check lists them all before anything runs.
 */
import { readFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import { unzipSync } from 'fflate';
import { parse as parseNpy, type NpyArray } from 'npyjs';
import { decodeSafetensorsAsFloat64 } from '@llc/core/artifacts/safetensors';

/** Arrays by name inside one file, or two .npy files (file omitted; inputs and target are paths). */
export interface DataSource {
  file?: string;
  /** Array name (npz, safetensors), column names or '*' for every column but the target (CSV), or an .npy path. */
  inputs: string | string[];
  /** Array name, column name(s), or an .npy path. */
  target: string | string[];
}

export interface Matrix {
  rows: number;
  cols: number;
  /** Row-major [rows, cols]. */
  data: Float64Array;
}

export interface DataSet {
  X: Matrix;
  Y: Matrix;
}

type Result<T> = { value: T; problems: [] } | { value: null; problems: string[] };
const ok = <T>(value: T): Result<T> => ({ value, problems: [] });
const bad = <T>(...problems: string[]): Result<T> => ({ value: null, problems });

function readBytes(root: string, file: string): Result<Uint8Array> {
  try {
    return ok(new Uint8Array(readFileSync(join(root, file))));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return bad(`${file}: cannot read it (${code === 'ENOENT' ? 'no such file; paths are relative to the workspace root' : (error as Error).message})`);
  }
}

/** An npy array as a float64 matrix: 1-D arrays become one column, 2-D keep their shape. */
function npyMatrix(array: NpyArray, label: string): Result<Matrix> {
  if (array.fortranOrder) return bad(`${label}: stored in Fortran order; save it with np.ascontiguousarray(...)`);
  if (array.shape.length < 1 || array.shape.length > 2) return bad(`${label}: has shape [${array.shape.join(', ')}]; expected a 1-D or 2-D array`);
  if (String(array.dtype).startsWith('U') || array.dtype === 'c8' || array.dtype === 'c16') return bad(`${label}: dtype ${array.dtype} is not numeric`);
  const rows = array.shape[0];
  const cols = array.shape.length === 2 ? array.shape[1] : 1;
  const source = array.data as unknown as ArrayLike<number | bigint>;
  const data = new Float64Array(rows * cols);
  for (let i = 0; i < data.length; i++) data[i] = Number(source[i]);
  return ok({ rows, cols, data });
}

function parseNpyBytes(bytes: Uint8Array, label: string): Result<Matrix> {
  let array: NpyArray;
  try {
    array = parseNpy(bytes.slice().buffer);
  } catch (error) {
    return bad(`${label}: not a readable .npy array (${(error as Error).message})`);
  }
  return npyMatrix(array, label);
}

function namedArrays(bytes: Uint8Array, file: string): Result<(name: string) => Result<Matrix>> {
  const ext = extname(file).toLowerCase();
  if (ext === '.npz') {
    let entries: Record<string, Uint8Array>;
    try {
      entries = unzipSync(bytes);
    } catch (error) {
      return bad(`${file}: not a readable .npz (zip) archive (${(error as Error).message})`);
    }
    const names = Object.keys(entries).map((k) => k.replace(/\.npy$/, ''));
    return ok((name) => (entries[`${name}.npy`] ? parseNpyBytes(entries[`${name}.npy`], `${file}:${name}`) : bad(`${file}: no array "${name}"; it holds ${names.join(', ')}`)));
  }
  let tensors: ReturnType<typeof decodeSafetensorsAsFloat64>['tensors'];
  try {
    tensors = decodeSafetensorsAsFloat64(bytes, file).tensors;
  } catch (error) {
    return bad((error as Error).message);
  }
  return ok((name) => {
    const t = tensors[name];
    if (!t) return bad(`${file}: no tensor "${name}"; it holds ${Object.keys(tensors).join(', ')}`);
    if (t.shape.length < 1 || t.shape.length > 2) return bad(`${file}:${name} has shape [${t.shape.join(', ')}]; expected a 1-D or 2-D tensor`);
    return ok({ rows: t.shape[0], cols: t.shape.length === 2 ? t.shape[1] : 1, data: t.data });
  });
}

function csvData(bytes: Uint8Array, source: DataSource & { file: string }): Result<DataSet> {
  const { file } = source;
  let records: string[][];
  try {
    records = parseCsv(Buffer.from(bytes), { skip_empty_lines: true, trim: true });
  } catch (error) {
    return bad(`${file}: not readable as CSV (${(error as Error).message})`);
  }
  if (records.length < 2) return bad(`${file}: needs a header row and at least one data row`);
  const [header, ...rows] = records;
  const targetColumns = typeof source.target === 'string' ? [source.target] : source.target;
  const inputColumns = source.inputs === '*' ? header.filter((h) => !targetColumns.includes(h)) : typeof source.inputs === 'string' ? [source.inputs] : source.inputs;
  const problems: string[] = [];
  const indexOf = (name: string, field: string) => {
    const i = header.indexOf(name);
    if (i < 0) problems.push(`${file}: no column "${name}" (named by ${field}); its columns are ${header.slice(0, 12).join(', ')}${header.length > 12 ? ', …' : ''}`);
    return i;
  };
  const xi = inputColumns.map((c) => indexOf(c, 'inputs'));
  const yi = targetColumns.map((c) => indexOf(c, 'target'));
  if (problems.length > 0) return bad(...problems);
  const matrix = (cols: number[], names: string[]): Matrix => {
    const data = new Float64Array(rows.length * cols.length);
    rows.forEach((record, r) => {
      cols.forEach((c, k) => {
        const text = record[c];
        const value = text === undefined || text === '' ? Number.NaN : Number(text);
        if (Number.isNaN(value) && problems.length < 5) {
          problems.push(`${file}: row ${r + 2}, column "${names[k]}" is ${JSON.stringify(text ?? '')}, not a number; fix or drop that row`);
        }
        data[r * cols.length + k] = value;
      });
    });
    return { rows: rows.length, cols: cols.length, data };
  };
  const X = matrix(xi, inputColumns);
  const Y = matrix(yi, targetColumns);
  return problems.length > 0 ? bad(...problems) : ok({ X, Y });
}

/** Reads one data source (see DataSource); values are not yet checked against a network. */
export function readDataSource(root: string, source: DataSource): Result<DataSet> {
  if (source.file === undefined) {
    const paths = [source.inputs, source.target];
    if (!paths.every((p) => typeof p === 'string' && p.toLowerCase().endsWith('.npy'))) {
      return bad('a data source without `file` names two .npy files: { inputs: "X.npy", target: "y.npy" }; otherwise give file: "data.npz" | "data.safetensors" | "data.csv"');
    }
    const [X, Y] = (paths as string[]).map((p) => {
      const bytes = readBytes(root, p);
      return bytes.value === null ? bytes : parseNpyBytes(bytes.value, p);
    });
    const problems = [...X.problems, ...Y.problems];
    return X.value && Y.value ? ok({ X: X.value, Y: Y.value }) : bad(...problems);
  }
  const bytes = readBytes(root, source.file);
  if (bytes.value === null) return bad(...bytes.problems);
  const ext = extname(source.file).toLowerCase();
  if (ext === '.csv') return csvData(bytes.value, source as DataSource & { file: string });
  if (ext !== '.npz' && ext !== '.safetensors') return bad(`${source.file}: unknown data format "${ext}"; use .npz, .safetensors, .csv or two .npy files`);
  if (typeof source.inputs !== 'string' || typeof source.target !== 'string') {
    return bad(`${source.file}: inputs and target name one array each in a ${ext} file, e.g. inputs: "X", target: "y"`);
  }
  const arrays = namedArrays(bytes.value, source.file);
  if (arrays.value === null) return bad(...arrays.problems);
  const X = arrays.value(source.inputs);
  const Y = arrays.value(source.target);
  return X.value && Y.value ? ok({ X: X.value, Y: Y.value }) : bad(...X.problems, ...Y.problems);
}
