/**
 * Analysis process for one sampler run: λ̂ with MCSE, R̂ and ESS, the trace and
 * running-λ̂ plots, summary.json (deterministic) and timing.json (wall times).
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { AnalysisSlice } from '@llc/config/normalize';
import type { StageContext } from '@llc/core/stage/context';
import { replaceDirAtomic, writeJsonAtomic } from '@llc/core/artifacts/atomic';
import { describeFiles } from '@llc/core/artifacts/manifest';
import { readSampleArtifact, readSampleManifest, type SampleManifest } from '@llc/samplers/trace';
import { readViTensors } from '@llc/samplers/viTrace';
import { estimateVi } from '@llc/analysis/viEstimate';
import { viPlots } from '@llc/plots/viPlots';
import { readTargetMeta, restrictionIndices, type KnownLambda, type TargetMeta } from '@llc/targets/artifact';
import { svgToPng } from '@llc/plots/index';
import { runPlots, type RunPlot } from '@llc/plots/runPlots';
import { estimateLlc, type LlcEstimate } from '@llc/analysis/llc';
import { ANALYSIS_MANIFEST, readAnalysisArtifact, type AnalysisManifest } from '@llc/analysis/artifact';
import { biasAgainst, disagreementFlag, likelyCause, referenceFor, type ReferenceBlock } from '@llc/analysis/reference';
import { SUMMARY_FILE, SUMMARY_SCHEMA, TIMING_FILE, type Summary, type Timing } from '@llc/analysis/summary';

/** λ_ref for this run: the known λ, this run itself, or the reference run's summary (read and verified). */
async function loadReference(slice: AnalysisSlice, ctx: StageContext, known: KnownLambda | null, own: LlcEstimate): Promise<ReferenceBlock | null> {
  const ref = slice.reference;
  if (known || !ref) return referenceFor(known, null);
  if (ref.run === slice.id) return referenceFor(null, { estimate: { id: slice.id, mean: own.mean, mcse: own.mcse, flags: own.flags }, declared: ref.declared });
  const { summary } = await readAnalysisArtifact(ctx.workspaceRoot, { dir: ref.dir, project: ref.project });
  return referenceFor(null, { estimate: { id: summary.id, mean: summary.llc.mean, mcse: summary.llc.mcse, flags: summary.flags }, declared: ref.declared });
}

/**
 * The known λ of this run's loss: the target's, unless the run is restricted; a restricted
 * quadratic potential is the quadratic of its free coordinates (λ = k/2 at any temperature).
 */
function knownLambdaOf(meta: TargetMeta, slice: AnalysisSlice): KnownLambda | null {
  const known = meta.lambdaTrue ?? null;
  if (!slice.restrict || !known) return known;
  if (meta.model.kind !== 'potential' || meta.model.spec.type !== 'quadratic' || !known.exact) return null;
  const { indices } = restrictionIndices(meta, slice.restrict.params);
  return { ...known, value: indices.length / 2, source: `${known.source}; restricted to ${indices.length} of ${meta.d} coordinates: k/2` };
}

function checkpointOf(meta: TargetMeta, slice: AnalysisSlice): Summary['checkpoint'] {
  if (!slice.checkpoint) return null;
  const imported = meta.imported;
  return {
    ...slice.checkpoint,
    trainLoss: meta.L0,
    testLoss: meta.testLoss,
    trainAccuracy: imported?.trainAccuracy ?? null,
    testAccuracy: imported?.testAccuracy ?? null,
  };
}

function buildSummary(slice: AnalysisSlice, m: SampleManifest, est: LlcEstimate, known: KnownLambda | null, reference: ReferenceBlock | null, targetMeta: TargetMeta): Summary {
  const lambdaTrue = known?.value ?? null;
  const d = est.diagnostics;
  const fge = m.chains.reduce((a, c) => a + c.totalFge, 0);
  const relativeError = lambdaTrue !== null && est.mean !== null && lambdaTrue !== 0 ? (est.mean - lambdaTrue) / lambdaTrue : null;
  const errorInMcse = lambdaTrue !== null && est.mean !== null && est.mcse ? (est.mean - lambdaTrue) / est.mcse : null;
  const { bias, na: biasNa } = biasAgainst({ id: slice.id, mean: est.mean, mcse: est.mcse, flags: est.flags }, reference);
  const disagreement = disagreementFlag(bias, reference, slice.analysis.agreementMcse, likelyCause(slice.samplerKind, est.flags));
  return {
    schema: SUMMARY_SCHEMA,
    id: slice.id,
    run: slice.run,
    target: slice.target,
    sampler: slice.sampler,
    samplerKind: slice.samplerKind,
    hyperparameters: slice.hyperparameters,
    sweep: slice.sweep,
    posterior: m.posterior,
    targetInfo: { n: m.target.n, d: m.target.d, L0: m.target.L0 },
    llc: { mean: est.mean, mcse: est.mcse, sd: est.sd, chainSpread: est.chainSpread, q05: est.q05, q50: est.q50, q95: est.q95 },
    diagnostics: {
      rhat: d?.rhat ?? null,
      essBulk: d?.essBulk ?? null,
      essTail: d?.essTail ?? null,
      essMean: d?.essMean ?? null,
      malaAcceptance: est.malaAcceptance,
      na: { ...est.na, ...biasNa },
    },
    flags: disagreement ? [...est.flags, disagreement] : est.flags,
    draws: {
      chains: m.chains.length,
      healthyChains: est.healthy.length,
      perChain: est.drawsPerChain,
      discarded: m.method === 'vi' ? 0 : slice.analysis.discard,
      used: est.keptPerChain * est.healthy.length,
    },
    work: { fge, essPerFge: d?.essBulk != null && fge > 0 ? d.essBulk / fge : null },
    chains: est.chains,
    lambdaTrue,
    lambdaInfo: known ? { multiplicity: known.multiplicity, exact: known.exact, source: known.source } : null,
    relativeError,
    errorInMcse,
    reference,
    bias,
    engine: m.engine.loss?.kind ?? m.engine.backend,
    restriction: slice.restrict ? { ...slice.restrict, d: m.target.d, dFull: targetMeta.d } : null,
    checkpoint: checkpointOf(targetMeta, slice),
  };
}

export async function runAnalysisStage(slice: AnalysisSlice, ctx: StageContext): Promise<void> {
  const rel = slice.sampleDir;
  const dir = join(ctx.workspaceRoot, rel);
  const rerun = `npx nx run ${slice.sampleProject}:sample --skip-nx-cache`;
  const manifest = await readSampleManifest(dir, rel, rerun);
  const targetMeta = await readTargetMeta(ctx.workspaceRoot, { dir: slice.targetDir, project: slice.targetProject });
  const known = knownLambdaOf(targetMeta, slice);
  const reference = known ? { value: known.value, label: `λ ${known.exact ? 'exact' : 'asymptotic'} = ${+known.value.toFixed(4)}` } : undefined;
  let est: LlcEstimate;
  let plots: RunPlot[];
  if (manifest.method === 'vi') {
    const vi = await readViTensors(dir, manifest, rel, rerun);
    est = estimateVi(vi);
    plots = viPlots(slice.id, vi, est, reference);
  } else {
    const trace = await readSampleArtifact(dir, rel, rerun, manifest);
    est = estimateLlc(trace, slice.analysis, { mala: slice.samplerKind === 'sgld' && slice.hyperparameters.malaDiagnostic === true });
    plots = runPlots({ ...slice, discard: slice.analysis.discard }, trace, est, reference);
  }
  const summary = buildSummary(slice, manifest, est, known, await loadReference(slice, ctx, known, est), targetMeta);
  const timing: Timing = {
    samplerSeconds: manifest.timing.seconds,
    startedAt: manifest.timing.startedAt,
    endedAt: manifest.timing.endedAt,
    essPerSecond: summary.diagnostics.essBulk !== null ? summary.diagnostics.essBulk / manifest.timing.seconds : null,
  };


  await replaceDirAtomic(ctx.outputDir, async (tmp) => {
    const files: string[] = [SUMMARY_FILE, TIMING_FILE];
    await writeJsonAtomic(join(tmp, SUMMARY_FILE), summary);
    await writeJsonAtomic(join(tmp, TIMING_FILE), timing);
    for (const p of plots) {
      await writeFile(join(tmp, `${p.name}.svg`), p.svg);
      await writeFile(join(tmp, `${p.name}.png`), svgToPng(p.svg));
      files.push(`${p.name}.svg`, `${p.name}.png`);
    }
    const manifest: AnalysisManifest = {
      schema: 'llc.analysis/1',
      id: slice.id,
      plots: plots.map(({ name, caption }) => ({ name, caption })),
      files: await describeFiles(tmp, files),
    };
    await writeJsonAtomic(join(tmp, ANALYSIS_MANIFEST), manifest);
  });
  const fmt = (v: number | null, digits: number) => (v === null ? 'NA' : v.toFixed(digits));
  ctx.log(
    `λ̂ = ${fmt(summary.llc.mean, 3)} ± ${fmt(summary.llc.mcse, 3)} (R̂ ${fmt(summary.diagnostics.rhat, 3)}, bulk ESS ${fmt(summary.diagnostics.essBulk, 0)})` +
      (summary.flags.length ? ` · flags: ${summary.flags.join('; ')}` : ''),
  );
}
