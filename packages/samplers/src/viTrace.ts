/**
 * The artifact of a VI run: `vi.safetensors` (per-fit estimates and ELBO curves) +
 * the same `manifest.json` as MCMC runs with `method: 'vi'`. A fit is not a chain:
 * there are no draws to diagnose, so analysis reports mean ± std/√C over fits.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { encodeSafetensors } from '@llc/core/artifacts/safetensors';
import { describeFiles } from '@llc/core/artifacts/manifest';
import { loadTensors } from '@llc/core/artifacts/tensors';
import { replaceDirAtomic, writeJsonAtomic } from '@llc/core/artifacts/atomic';
import type { ViResult } from './vi';
import { SAMPLE_MANIFEST, SAMPLE_SCHEMA, type SampleManifest } from './trace';

export const VI_FILE = 'vi.safetensors';

export interface ViTrace {
  manifest: SampleManifest;
  llc: Float64Array;
  llcPlain: Float64Array;
  llcMcse: Float64Array;
  finalElbo: Float64Array;
  /** [fit][window] mean training ELBO, at `elboSteps`. */
  elbo: Float64Array[];
  elboSteps: Int32Array;
}

/** NaN-safe JSON: stopped fits carry NaN estimates in the tensors, never in JSON. */
const finiteOr = (v: number, fallback: number) => (Number.isFinite(v) ? v : fallback);

export async function writeViArtifact(
  outputDir: string,
  result: ViResult,
  meta: Omit<SampleManifest, 'schema' | 'files' | 'chains' | 'method'>,
): Promise<SampleManifest> {
  const C = result.fits.length;
  // Fits that stopped early have shorter curves: keep the longest, pad the rest with NaN.
  const longest = result.fits.reduce((best, f) => (f.elboSteps.length > best.elboSteps.length ? f : best), result.fits[0]);
  const K = longest?.elboSteps.length ?? 0;
  const elbo = new Float64Array(C * K).fill(Number.NaN);
  result.fits.forEach((f, c) => elbo.set(f.elboHistory.subarray(0, K), c * K));
  const col = (pick: (f: ViResult['fits'][number]) => number) => Float64Array.from(result.fits, pick);
  let manifest!: SampleManifest;
  await replaceDirAtomic(outputDir, async (tmp) => {
    const bytes = encodeSafetensors(
      {
        fit_llc: { dtype: 'F64', shape: [C], data: col((f) => f.llc) },
        fit_llc_plain: { dtype: 'F64', shape: [C], data: col((f) => f.llcPlain) },
        fit_llc_mcse: { dtype: 'F64', shape: [C], data: col((f) => f.llcMcse) },
        fit_final_elbo: { dtype: 'F64', shape: [C], data: col((f) => f.finalElbo) },
        elbo: { dtype: 'F64', shape: [C, K], data: elbo },
        elbo_step: { dtype: 'I32', shape: [K], data: longest?.elboSteps ?? new Int32Array(0) },
      },
      { format: `${SAMPLE_SCHEMA}+vi` },
    );
    await writeFile(join(tmp, VI_FILE), bytes);
    manifest = {
      schema: SAMPLE_SCHEMA,
      method: 'vi',
      ...meta,
      chains: result.fits.map((f, chain) => ({
        chain,
        draws: f.status === 'ok' ? 1 : 0,
        totalFge: finiteOr(f.fge, 0),
        totalSeconds: finiteOr(f.seconds, 0),
        status: f.status === 'ok' ? { status: 'ok' } : { status: 'stopped', atStep: 0, atDraw: 0, reason: f.reason ?? 'stopped' },
        tuned: {},
        divergences: 0,
      })),
      files: await describeFiles(tmp, [VI_FILE]),
    };
    await writeJsonAtomic(join(tmp, SAMPLE_MANIFEST), manifest);
  });
  return manifest;
}

export async function readViTensors(dir: string, manifest: SampleManifest, label: string, rerun: string): Promise<ViTrace> {
  const entry = manifest.files.find((f) => f.path === VI_FILE);
  if (!entry) throw new Error(`${label}: manifest lists no ${VI_FILE}; rerun: ${rerun}`);
  const C = manifest.chains.length;
  const K = entry.tensors?.elbo?.shape?.[1] ?? 0;
  const opts = { label, rerun };
  const perFit = { dtype: 'F64', shape: [C] } as const;
  const t = await loadTensors(
    dir,
    entry,
    {
      fit_llc: perFit,
      fit_llc_plain: perFit,
      fit_llc_mcse: perFit,
      fit_final_elbo: perFit,
      elbo: { dtype: 'F64', shape: [C, K] },
      elbo_step: { dtype: 'I32', shape: [K] },
    },
    opts,
  );
  return {
    manifest,
    llc: t.fit_llc,
    llcPlain: t.fit_llc_plain,
    llcMcse: t.fit_llc_mcse,
    finalElbo: t.fit_final_elbo,
    elbo: Array.from({ length: C }, (_, c) => t.elbo.slice(c * K, (c + 1) * K)),
    elboSteps: t.elbo_step,
  };
}
