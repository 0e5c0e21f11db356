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

export const TARGET_META = 'meta.json';
export const TARGET_TENSORS = 'tensors.safetensors';
export const TARGET_SCHEMA = 'llc.target/1';

/** What the samplers evaluate: an MLP on the stored data, or an analytic potential. */
export type TargetModel = { kind: 'mlp'; spec: MlpSpec } | { kind: 'potential'; spec: PotentialSpec };

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
  files: FileEntry[];
}

export interface TargetData {
  X: Float32Array;
  Y: Float32Array;
  Xtest: Float32Array;
  Ytest: Float32Array;
}

/** Writes the artifact files into `dir` (a fresh temp folder from replaceDirAtomic). */
export async function writeTargetFiles(
  dir: string,
  tensors: { wStar: Float64Array; teacher?: Float64Array; data?: TargetData },
  meta: Omit<TargetMeta, 'schema' | 'files'>,
  extraFiles: string[] = [],
): Promise<TargetMeta> {
  const { n, nTest, p, outputDim, d } = meta;
  const record: Record<string, Tensor> = { w_star: { dtype: 'F64', shape: [d], data: tensors.wStar } };
  if (tensors.teacher) record.teacher = { dtype: 'F64', shape: [tensors.teacher.length], data: tensors.teacher };
  if (tensors.data) {
    record.X = { dtype: 'F32', shape: [n, p], data: tensors.data.X };
    record.Y = { dtype: 'F32', shape: [n, outputDim], data: tensors.data.Y };
    record.X_test = { dtype: 'F32', shape: [nTest, p], data: tensors.data.Xtest };
    record.Y_test = { dtype: 'F32', shape: [nTest, outputDim], data: tensors.data.Ytest };
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
  data: TargetData | null;
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
  if (meta.model.kind !== 'mlp') {
    const { w_star } = await loadTensors(dir, entry, wStarOnly, opts);
    return { meta, metaSha256: meta.metaSha256, wStar: w_star, data: null };
  }
  const t = await loadTensors(
    dir,
    entry,
    {
      ...wStarOnly,
      X: { dtype: 'F32', shape: [n, p] },
      Y: { dtype: 'F32', shape: [n, outputDim] },
      X_test: { dtype: 'F32', shape: [nTest, p] },
      Y_test: { dtype: 'F32', shape: [nTest, outputDim] },
    },
    opts,
  );
  const wStar = t.w_star;
  const data = { X: t.X, Y: t.Y, Xtest: t.X_test, Ytest: t.Y_test };
  return { meta, metaSha256: meta.metaSha256, wStar, data };
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
  if (!target.data) throw new Error(`bug: MLP target ${meta.name} loaded without data`);
  const data = { spec: meta.model.spec, X: target.data.X, Y: target.data.Y, n: meta.n, wStar: target.wStar };
  const { kind, precision } = gradientEngine(options);
  if (kind === 'native') return createNativeMlpLossModel({ ...data, precision });
  return kind === 'simd' ? createSimdMlpLossModel({ ...data, precision }) : createMlpLossModel(data);
}
