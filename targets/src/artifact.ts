/**
 * The target artifact: `tensors.safetensors` (data, w*, teacher) + `meta.json`
 * (config, n, d, p, L0, engine, training summary, file hashes). Readers verify
 * every hash, dtype and shape before use.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { encodeSafetensors } from '../../tools/src/artifacts/safetensors';
import { describeFiles, hashFile, verifyFiles, type FileEntry } from '../../tools/src/artifacts/manifest';
import { loadTensor } from '../../tools/src/artifacts/tensors';
import { writeJsonAtomic } from '../../tools/src/artifacts/atomic';
import type { TargetConfig } from '../../tools/src/config/schema';
import type { LossModel } from '../../samplers/src/model';
import { createMlpLossModel } from './models/mlp';
import type { MlpSpec } from './models/mlpSpec';
import type { HistoryPoint } from './train/adam';

export const TARGET_META = 'meta.json';
export const TARGET_TENSORS = 'tensors.safetensors';
export const TARGET_SCHEMA = 'llc.target/1';

export interface TargetMeta {
  schema: typeof TARGET_SCHEMA;
  name: string;
  kind: TargetConfig['kind'];
  config: TargetConfig;
  /** Training rows. */
  n: number;
  nTest: number;
  /** Number of parameters of the student (length of w*). */
  d: number;
  /** Input dimension. */
  p: number;
  outputDim: number;
  /** The student architecture the samplers evaluate. */
  model: { kind: 'mlp'; spec: MlpSpec };
  /** L_n(w*) on the training rows (float64 accumulation). */
  L0: number;
  testLoss: number;
  training: { steps: number; stoppedBecause: string; history: HistoryPoint[] };
  /** Known λ for targets with a closed form; null otherwise. */
  lambdaTrue: number | null;
  engine: { backend: string; reason: string };
  files: FileEntry[];
}

export interface TargetTensors {
  X: Float32Array;
  Y: Float32Array;
  Xtest: Float32Array;
  Ytest: Float32Array;
  wStar: Float64Array;
  teacher: Float64Array;
}

/** Writes the artifact files into `dir` (a fresh temp folder from replaceDirAtomic). */
export async function writeTargetFiles(
  dir: string,
  tensors: TargetTensors,
  meta: Omit<TargetMeta, 'schema' | 'files'>,
  extraFiles: string[] = [],
): Promise<TargetMeta> {
  const { n, nTest, p, outputDim, d } = meta;
  const bytes = encodeSafetensors(
    {
      X: { dtype: 'F32', shape: [n, p], data: tensors.X },
      Y: { dtype: 'F32', shape: [n, outputDim], data: tensors.Y },
      X_test: { dtype: 'F32', shape: [nTest, p], data: tensors.Xtest },
      Y_test: { dtype: 'F32', shape: [nTest, outputDim], data: tensors.Ytest },
      w_star: { dtype: 'F64', shape: [d], data: tensors.wStar },
      teacher: { dtype: 'F64', shape: [tensors.teacher.length], data: tensors.teacher },
    },
    { format: TARGET_SCHEMA },
  );
  await writeFile(join(dir, TARGET_TENSORS), bytes);
  const full: TargetMeta = { schema: TARGET_SCHEMA, ...meta, files: await describeFiles(dir, [TARGET_TENSORS, ...extraFiles]) };
  await writeJsonAtomic(join(dir, TARGET_META), full);
  return full;
}

/** Where a target's artifact lives and which Nx project rebuilds it (from the sample/analysis slice). */
export interface TargetRef {
  dir: string;
  project: string;
}

const rerunOf = (ref: TargetRef) => `npx nx run ${ref.project}:build --skip-nx-cache`;

export async function readTargetMeta(workspaceRoot: string, ref: TargetRef): Promise<TargetMeta & { metaSha256: string }> {
  const rel = ref.dir;
  const path = join(workspaceRoot, rel, TARGET_META);
  let meta: TargetMeta;
  try {
    meta = JSON.parse(await readFile(path, 'utf8')) as TargetMeta;
  } catch (e) {
    throw new Error(`Cannot read ${rel}/${TARGET_META} (${(e as Error).message}); build it: ${rerunOf(ref)}`);
  }
  if (meta.schema !== TARGET_SCHEMA) {
    throw new Error(`${rel}/${TARGET_META}: schema ${JSON.stringify(meta.schema)}, expected ${TARGET_SCHEMA}; rebuild: ${rerunOf(ref)}`);
  }
  return { ...meta, metaSha256: await hashFile(path) };
}

export interface LoadedTarget extends TargetTensors {
  meta: TargetMeta;
  metaSha256: string;
}

export async function loadTarget(workspaceRoot: string, ref: TargetRef): Promise<LoadedTarget> {
  const meta = await readTargetMeta(workspaceRoot, ref);
  const rel = ref.dir;
  const dir = join(workspaceRoot, rel);
  const label = `${rel} (${TARGET_META})`;
  const rerun = rerunOf(ref);
  await verifyFiles(dir, meta.files, label, { rerun });
  const entry = meta.files.find((f) => f.path === TARGET_TENSORS);
  if (!entry) throw new Error(`${label}: lists no ${TARGET_TENSORS}; rebuild: ${rerun}`);
  const opts = { label, rerun };
  const { n, nTest, p, outputDim, d } = meta;
  return {
    meta,
    metaSha256: meta.metaSha256,
    X: await loadTensor(dir, entry, 'X', { dtype: 'F32', shape: [n, p] }, opts),
    Y: await loadTensor(dir, entry, 'Y', { dtype: 'F32', shape: [n, outputDim] }, opts),
    Xtest: await loadTensor(dir, entry, 'X_test', { dtype: 'F32', shape: [nTest, p] }, opts),
    Ytest: await loadTensor(dir, entry, 'Y_test', { dtype: 'F32', shape: [nTest, outputDim] }, opts),
    wStar: await loadTensor(dir, entry, 'w_star', { dtype: 'F64', shape: [d] }, opts),
    teacher: await loadTensor(dir, entry, 'teacher', { dtype: 'F64' }, opts),
  };
}

/** The training loss L_n as a LossModel for the samplers. */
export function targetLossModel(target: LoadedTarget): LossModel {
  const { meta } = target;
  return createMlpLossModel({ spec: meta.model.spec, X: target.X, Y: target.Y, n: meta.n, wStar: target.wStar });
}
