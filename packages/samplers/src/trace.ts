/**
 * The sample artifact: `trace.safetensors` (chain × draw arrays) + `manifest.json`.
 * Written atomically; read back with every hash, dtype and shape verified.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { encodeSafetensors } from '@llc/core/artifacts/safetensors';
import { describeFiles, verifyFiles, type FileEntry } from '@llc/core/artifacts/manifest';
import { loadTensors } from '@llc/core/artifacts/tensors';
import { replaceDirAtomic, writeJsonAtomic } from '@llc/core/artifacts/atomic';
import type { ChainStatus, RunResult } from './run';

export const TRACE_FILE = 'trace.safetensors';
export const SAMPLE_MANIFEST = 'manifest.json';
export const SAMPLE_SCHEMA = 'llc.sample/1';

/** What evaluated the loss of a run. */
export interface LossEngine {
  /** 'native' | 'simd' | the tfjs backend ('tfjs-node', 'wasm', 'cpu') | 'none' (a potential, in JavaScript). */
  kind: string;
  precision: 'float32' | 'float64';
  detail: string;
}

export interface ChainSummary {
  chain: number;
  draws: number;
  totalFge: number;
  totalSeconds: number;
  status: ChainStatus;
  /** Parameters tuned during warmup (e.g. HMC step size), empty without warmup; null where not estimable. */
  tuned: Record<string, number | null>;
  /** Divergent transitions during sampling (HMC: |ΔH| > 1000, proposal rejected). */
  divergences: number;
}

export interface SampleManifest {
  schema: typeof SAMPLE_SCHEMA;
  /** 'mcmc': chains of draws in trace.safetensors; 'vi': independent fits in vi.safetensors. */
  method: 'mcmc' | 'vi';
  id: string;
  /** False when the run was interrupted: such a trace is never cached as complete. */
  complete: boolean;
  /** The run's config slice, recorded for provenance (its shape is the config layer's SampleSlice). */
  slice: object;
  target: { name: string; metaSha256: string; n: number; d: number; L0: number };
  /** beta0 is null for analytic potentials, whose temperature nβ is set directly. */
  posterior: { beta0: number | null; gamma: number; beta: number; nBeta: number };
  /** The tfjs backend of the process, and what evaluated the loss (kind: 'native' | 'simd' | a tfjs backend | 'none'). */
  engine: { backend: string; reason: string; loss?: LossEngine };
  chains: ChainSummary[];
  timing: { startedAt: string; endedAt: string; seconds: number };
  files: FileEntry[];
}

export interface SampleTrace {
  manifest: SampleManifest;
  /** [chain][draw] views; only the first `chains[c].draws` entries are valid. */
  llc: Float64Array[];
  loss: Float64Array[];
  fge: Float64Array[];
  seconds: Float64Array[];
  /** Mean acceptance since the previous draw (NaN where the sampler reports none). */
  acceptance: Float64Array[];
  /** Sampler-reported energy at each draw (NaN where none). */
  energy: Float64Array[];
  drawSteps: Int32Array;
}

function stack(rows: Float64Array[], width: number): Float64Array {
  const out = new Float64Array(rows.length * width);
  rows.forEach((r, i) => out.set(r.subarray(0, width), i * width));
  return out;
}

function unstack(flat: Float64Array, chains: number, width: number): Float64Array[] {
  return Array.from({ length: chains }, (_, c) => flat.slice(c * width, (c + 1) * width));
}

export async function writeSampleArtifact(
  outputDir: string,
  result: RunResult,
  meta: Omit<SampleManifest, 'schema' | 'files' | 'chains' | 'method'>,
): Promise<SampleManifest> {
  const C = result.chains.length;
  const D = result.drawSteps.length;
  let manifest!: SampleManifest;
  await replaceDirAtomic(outputDir, async (tmp) => {
    const bytes = encodeSafetensors(
      {
        llc: { dtype: 'F64', shape: [C, D], data: stack(result.chains.map((c) => c.llc), D) },
        loss: { dtype: 'F64', shape: [C, D], data: stack(result.chains.map((c) => c.loss), D) },
        fge: { dtype: 'F64', shape: [C, D], data: stack(result.chains.map((c) => c.fge), D) },
        seconds: { dtype: 'F64', shape: [C, D], data: stack(result.chains.map((c) => c.seconds), D) },
        acceptance: { dtype: 'F64', shape: [C, D], data: stack(result.chains.map((c) => c.acceptance), D) },
        energy: { dtype: 'F64', shape: [C, D], data: stack(result.chains.map((c) => c.energy), D) },
        draws: { dtype: 'I32', shape: [C], data: Int32Array.from(result.chains.map((c) => c.draws)) },
        draw_step: { dtype: 'I32', shape: [D], data: result.drawSteps },
      },
      { format: SAMPLE_SCHEMA },
    );
    await writeFile(join(tmp, TRACE_FILE), bytes);
    manifest = {
      schema: SAMPLE_SCHEMA,
      method: 'mcmc',
      ...meta,
      chains: result.chains.map((c, chain) => ({
        chain,
        draws: c.draws,
        totalFge: c.totalFge,
        totalSeconds: c.totalSeconds,
        status: c.status,
        divergences: c.divergences,
        tuned: Object.fromEntries(Object.entries(c.tuned).map(([k, v]) => [k, Number.isFinite(v) ? v : null])),
      })),
      files: await describeFiles(tmp, [TRACE_FILE]),
    };
    await writeJsonAtomic(join(tmp, SAMPLE_MANIFEST), manifest);
  });
  return manifest;
}

/** Reads and verifies a sample artifact's manifest and files (either method). */
export async function readSampleManifest(dir: string, label: string, rerun: string): Promise<SampleManifest> {
  const manifestPath = join(dir, SAMPLE_MANIFEST);
  let manifest: SampleManifest;
  try {
    manifest = JSON.parse(await readFile(manifestPath, 'utf8')) as SampleManifest;
  } catch (e) {
    throw new Error(`Cannot read ${label}/${SAMPLE_MANIFEST}: ${(e as Error).message}; rerun: ${rerun}`, { cause: e });
  }
  if (manifest.schema !== SAMPLE_SCHEMA) {
    throw new Error(`${label}/${SAMPLE_MANIFEST}: schema is ${JSON.stringify(manifest.schema)}, expected ${SAMPLE_SCHEMA}; rerun: ${rerun}`);
  }
  await verifyFiles(dir, manifest.files, `${label} (${SAMPLE_MANIFEST})`, { rerun });
  return manifest;
}

/** The chains of an MCMC run (after readSampleManifest). */
export async function readSampleArtifact(dir: string, label: string, rerun: string, verified?: SampleManifest): Promise<SampleTrace> {
  const manifest = verified ?? (await readSampleManifest(dir, label, rerun));
  const where = `${label} (${SAMPLE_MANIFEST})`;
  const entry = manifest.files.find((f) => f.path === TRACE_FILE);
  if (!entry) throw new Error(`${where}: lists no ${TRACE_FILE} (method ${manifest.method}); rerun: ${rerun}`);
  const C = manifest.chains.length;
  const shape = entry.tensors?.llc?.shape ?? [C, 0];
  const D = shape[1];
  const opts = { label: where, rerun };
  const perDraw = { dtype: 'F64', shape: [C, D] } as const;
  const t = await loadTensors(
    dir,
    entry,
    { llc: perDraw, loss: perDraw, fge: perDraw, seconds: perDraw, acceptance: perDraw, energy: perDraw, draw_step: { dtype: 'I32', shape: [D] } },
    opts,
  );
  return {
    manifest,
    llc: unstack(t.llc, C, D),
    loss: unstack(t.loss, C, D),
    fge: unstack(t.fge, C, D),
    seconds: unstack(t.seconds, C, D),
    acceptance: unstack(t.acceptance, C, D),
    energy: unstack(t.energy, C, D),
    drawSteps: t.draw_step,
  };
}
