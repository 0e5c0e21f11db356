/**
 * The target artifact: `tensors.safetensors` (data when the target has data, w*, the
 * teacher) + `meta.json` (config, sizes, L0, known λ, engine, file hashes). Readers
 * verify every hash, dtype and shape before use.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { encodeSafetensors, type Tensor } from '@llc/core/artifacts/safetensors';
import { describeFiles, hashFile, verifyFiles, type FileEntry } from '@llc/core/artifacts/manifest';
import { loadTensors } from '@llc/core/artifacts/tensors';
import { writeJsonAtomic } from '@llc/core/artifacts/atomic';
import type { PotentialSpec, TargetConfig } from './schema';
import type { LossModel } from '@llc/core/model';
import { POTENTIALS, type PotentialKind, type PotentialParams } from './potentials';
import { createMlpLossModel } from './models/mlp';
import { createSimdMlpLossModel, type Precision } from './models/simd/mlpSimd';
import { createNativeMlpLossModel, loadNativeAddon } from './models/native/mlpNative';
import type { EnginePreference } from './engine/backend';
import type { MlpSpec } from './models/mlpSpec';
import type { HistoryPoint } from './train/adam';
import type { LossKind } from './models/mlpLossF64';
import { networkLossModel, networkOf } from './imported/network';
import { mlpLayout } from './models/mlpSpec';
import { cnnParameterTensors, defaultLayerKeys, parameterTensors, type CnnLayerKeys, type LinearLayerKeys, type ParameterTensor } from './imported/architecture';
import { cnnLayout, type CnnSpec } from './models/cnnF64';
import picomatch from 'picomatch';

export const TARGET_META = 'meta.json';
export const TARGET_TENSORS = 'tensors.safetensors';
export const TARGET_SCHEMA = 'llc.target/1';

/**
 * What the samplers evaluate: an MLP on the stored data, or an analytic potential. An imported
 * network also records its loss (absent: squared error) and the state_dict keys of its layers;
 * it is evaluated in float64 (models/mlpLossF64.ts), on data stored as F64.
 */
export type TargetModel =
  | { kind: 'mlp'; spec: MlpSpec; loss?: LossKind; layers?: LinearLayerKeys[] }
  | { kind: 'cnn'; spec: CnnSpec; loss: LossKind; layers: CnnLayerKeys[] }
  | { kind: 'potential'; spec: PotentialSpec };

export interface KnownLambda {
  value: number;
  multiplicity: number;
  /** true: exact at this temperature and prior; false: the asymptotic λ (finite-t values sit ≈ (m−1)/ln t below). */
  exact: boolean;
  source: string;
}

export interface TargetMeta {
  schema: typeof TARGET_SCHEMA;
  name: string;
  kind: TargetConfig['kind'];
  config: TargetConfig;
  /** Training rows (1, nominal, for analytic potentials). */
  n: number;
  nTest: number;
  /** Number of parameters (length of w*). */
  d: number;
  /** Input dimension (0 for potentials). */
  p: number;
  outputDim: number;
  model: TargetModel;
  /** L_n(w*) (float64 accumulation). */
  L0: number;
  testLoss: number | null;
  training: { steps: number; stoppedBecause: string; history: HistoryPoint[] } | null;
  /** Known λ where the target has a closed form; null otherwise. */
  lambdaTrue: KnownLambda | null;
  /** Potentials fix their own temperature and prior: then runs use these, not β0/γ. */
  fixedPosterior: { nBeta: number; gamma: number } | null;
  engine: { backend: string; reason: string };
  /** Imported targets: their data are stored in float64 (absent: F32). */
  dataDtype?: 'F64';
  /** Imported targets: the weights file, its training step when it is a checkpoint, and accuracy for classifiers. */
  imported?: { weights: string; step: number | null; trainAccuracy: number | null; testAccuracy: number | null };
  files: FileEntry[];
}

export interface TargetData<A extends Float32Array | Float64Array = Float32Array> {
  X: A;
  Y: A;
  Xtest: A;
  Ytest: A;
}

/** The named parameter tensors of a target (PyTorch's names and layout; potentials: w.0 … w.{d−1}). */
export function parameterTensorsOf(meta: Pick<TargetMeta, 'model' | 'd'>): ParameterTensor[] {
  if (meta.model.kind === 'potential') return Array.from({ length: meta.d }, (_, i) => ({ name: `w.${i}`, shape: [1], indices: [i] }));
  if (meta.model.kind === 'cnn') return cnnParameterTensors(cnnLayout(meta.model.spec), meta.model.layers);
  const spec = meta.model.spec;
  return parameterTensors(mlpLayout(spec), meta.model.layers ?? defaultLayerKeys(spec));
}

/**
 * The flat indices of w that a restriction samples (sorted), and the tensors it selects; throws,
 * naming the target's tensors, when a pattern matches none.
 */
export function restrictionIndices(meta: Pick<TargetMeta, 'model' | 'd' | 'name'>, params: readonly string[]): { indices: Int32Array; tensors: string[] } {
  const tensors = parameterTensorsOf(meta);
  const selected = new Set<ParameterTensor>();
  for (const pattern of params) {
    const match = picomatch(pattern);
    const hits = tensors.filter((t) => match(t.name));
    if (hits.length === 0) {
      throw new Error(`restrict: pattern ${JSON.stringify(pattern)} matches no parameter tensor of target '${meta.name}'; its tensors are ${tensors.map((t) => t.name).join(', ')}`);
    }
    for (const t of hits) selected.add(t);
  }
  const indices = Int32Array.from([...selected].flatMap((t) => t.indices)).sort();
  return { indices, tensors: tensors.filter((t) => selected.has(t)).map((t) => t.name) };
}

/** Columns of Y: one class index per row for classifiers, else the network's outputs. */
const labelWidthOf = (model: TargetModel, outputDim: number) => (model.kind !== 'potential' && model.loss === 'cross-entropy' ? 1 : outputDim);

/** Writes the artifact files into `dir` (a fresh temp folder from replaceDirAtomic). */
export async function writeTargetFiles(
  dir: string,
  tensors: { wStar: Float64Array; teacher?: Float64Array; data?: TargetData | TargetData<Float64Array> },
  meta: Omit<TargetMeta, 'schema' | 'files'>,
  extraFiles: string[] = [],
): Promise<TargetMeta> {
  const { n, nTest, p, outputDim, d } = meta;
  const record: Record<string, Tensor> = { w_star: { dtype: 'F64', shape: [d], data: tensors.wStar } };
  if (tensors.teacher) record.teacher = { dtype: 'F64', shape: [tensors.teacher.length], data: tensors.teacher };
  if (tensors.data) {
    const { X, Y, Xtest, Ytest } = tensors.data;
    const labelWidth = labelWidthOf(meta.model, outputDim);
    const entry = (data: Float32Array | Float64Array, shape: number[]): Tensor =>
      data instanceof Float64Array ? { dtype: 'F64', shape, data } : { dtype: 'F32', shape, data };
    record.X = entry(X, [n, p]);
    record.Y = entry(Y, [n, labelWidth]);
    record.X_test = entry(Xtest, [nTest, p]);
    record.Y_test = entry(Ytest, [nTest, labelWidth]);
  }
  await writeFile(join(dir, TARGET_TENSORS), encodeSafetensors(record, { format: TARGET_SCHEMA }));
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
    throw new Error(`Cannot read ${rel}/${TARGET_META} (${(e as Error).message}); build it: ${rerunOf(ref)}`, { cause: e });
  }
  if (meta.schema !== TARGET_SCHEMA) {
    throw new Error(`${rel}/${TARGET_META}: schema ${JSON.stringify(meta.schema)}, expected ${TARGET_SCHEMA}; rebuild: ${rerunOf(ref)}`);
  }
  return { ...meta, metaSha256: await hashFile(path) };
}

export interface LoadedTarget {
  meta: TargetMeta;
  metaSha256: string;
  wStar: Float64Array;
  /** Generated targets' data (float32). */
  data: TargetData | null;
  /** Imported targets' data (float64, as the user gave it). */
  data64?: TargetData<Float64Array>;
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
  const wStarOnly = { w_star: { dtype: 'F64', shape: [d] } } as const;
  if (meta.model.kind === 'potential') {
    const { w_star } = await loadTensors(dir, entry, wStarOnly, opts);
    return { meta, metaSha256: meta.metaSha256, wStar: w_star, data: null };
  }
  const dtype = meta.dataDtype ?? 'F32';
  // Class labels are one index per row.
  const labelWidth = labelWidthOf(meta.model, outputDim);
  const t = await loadTensors(
    dir,
    entry,
    {
      ...wStarOnly,
      X: { dtype, shape: [n, p] },
      Y: { dtype, shape: [n, labelWidth] },
      X_test: { dtype, shape: [nTest, p] },
      Y_test: { dtype, shape: [nTest, labelWidth] },
    },
    opts,
  );
  const wStar = t.w_star;
  const data = { X: t.X, Y: t.Y, Xtest: t.X_test, Ytest: t.Y_test };
  if (dtype === 'F64') return { meta, metaSha256: meta.metaSha256, wStar, data: null, data64: data as unknown as TargetData<Float64Array> };
  return { meta, metaSha256: meta.metaSha256, wStar, data: data as TargetData };
}

/** The analytic potential of a spec, as a LossModel. */
export function potentialModel(spec: PotentialSpec): LossModel {
  const { type, ...params } = spec;
  const entry = POTENTIALS[type as PotentialKind] as { create(p: PotentialParams[PotentialKind]): LossModel };
  return entry.create(params as PotentialParams[PotentialKind]);
}

export interface TargetLossModelOptions {
  /** The run's engine setting (default 'auto'). */
  engine?: EnginePreference;
  /** Arithmetic of the MLP loss (default 'float32'); 'float64' needs the simd or native kernel. */
  precision?: Precision;
  /** The tfjs backend this process runs (initEngine(...).backend): 'auto' keeps tfjs-node when it is there. */
  tfjsBackend?: string;
  /**
   * Whether the native addon loads (default: try loading it, loadNativeAddon()), or why
   * not; tests pass it to pin the choice.
   */
  native?: { ok: true } | { ok: false; why: string };
}

export type GradientEngineKind = 'tfjs' | 'simd' | 'native';

/**
 * Which implementation evaluates an MLP target's loss for sampling: the tfjs model on
 * the process's backend, the native addon or the SIMD kernel. 'auto' takes tfjs-node
 * when it runs (native multithreaded kernels) for float32, else the native addon when it
 * is built and loads, else the SIMD kernel. 'native' asked explicitly and not built throws
 * (naming `npm run build:native`).
 */
export function gradientEngine(options: TargetLossModelOptions): { kind: GradientEngineKind; precision: Precision } {
  const engine = options.engine ?? 'auto';
  const precision = options.precision ?? 'float32';
  const native = () => options.native ?? loadNativeAddon();
  if (engine === 'simd') return { kind: 'simd', precision };
  if (engine === 'native') {
    const status = native();
    if (!status.ok) throw new Error(`Error in targetLossModel: engine 'native' asked for, but ${status.why}; or set engine 'simd' or 'auto'`);
    return { kind: 'native', precision };
  }
  if (engine === 'auto') {
    if (options.tfjsBackend === 'tfjs-node' && precision === 'float32') return { kind: 'tfjs', precision };
    return { kind: native().ok ? 'native' : 'simd', precision };
  }
  if (precision !== 'float32') {
    throw new Error(`Error in targetLossModel: precision '${precision}' needs engine 'simd' or 'native' (or 'auto'); engine '${engine}' computes in float32`);
  }
  return { kind: 'tfjs', precision };
}

/** The loss the samplers see: the training loss L_n of the MLP, or the potential K (always float64 JavaScript). */
export function targetLossModel(target: LoadedTarget, options: TargetLossModelOptions = {}): LossModel {
  const { meta } = target;
  if (meta.model.kind === 'potential') return potentialModel(meta.model.spec);
  if (meta.model.loss !== undefined) {
    if (!target.data64) throw new Error(`bug: imported target ${meta.name} loaded without float64 data`);
    const { X, Y } = target.data64;
    return networkLossModel(networkOf(meta.model), X, Y, meta.model.loss);
  }
  if (!target.data) throw new Error(`bug: MLP target ${meta.name} loaded without data`);
  const data = { spec: meta.model.spec, X: target.data.X, Y: target.data.Y, n: meta.n, wStar: target.wStar };
  const { kind, precision } = gradientEngine(options);
  if (kind === 'native') return createNativeMlpLossModel({ ...data, precision });
  return kind === 'simd' ? createSimdMlpLossModel({ ...data, precision }) : createMlpLossModel(data);
}
