/**
 * Stage 2 process: load the target (hash-verified), build the local posterior,
 * run the configured sampler's chains, and write the trace atomically.
 */
import type { SampleSlice } from '../../tools/src/config/normalize';
import type { StageContext } from '../../tools/src/stage/context';
import { initEngine } from '../../targets/src/engine/backend';
import { loadTarget, targetLossModel } from '../../targets/src/artifact';
import { localPosterior, inverseTemperature } from './posterior';
import { createSampler } from './registry';
import { runChains } from './run';
import { writeSampleArtifact } from './trace';

export async function runSampleStage(slice: SampleSlice, ctx: StageContext): Promise<void> {
  const engine = await initEngine(slice.engine);
  ctx.log(`engine: ${engine.backend} (${engine.reason})`);
  const target = await loadTarget(ctx.workspaceRoot, { dir: slice.targetDir, project: slice.targetProject });
  const model = targetLossModel(target);
  try {
    // L0 is re-evaluated with this process's engine so that llc(w*) is exactly 0.
    const L0 = model.loss(target.wStar);
    const { beta0, gamma } = slice.posterior;
    const posterior = localPosterior({ n: model.n, beta0, gamma, wStar: target.wStar, L0 });
    const config = slice.config;
    const algorithm = createSampler(config, model, posterior);
    const total = config.chains * (config.burnIn + config.steps);
    const progress = ctx.progress('', total, 'steps');
    const perChain = config.burnIn + config.steps;
    ctx.log(
      `${config.kind} on '${slice.target}' (n = ${model.n}, d = ${model.dim}, nβ = ${posterior.nBeta.toFixed(2)}, γ = ${gamma}): ` +
        `${config.chains} chains × ${perChain} steps`,
    );
    const startedAt = new Date();
    const t0 = performance.now();
    const result = runChains(model, posterior, algorithm, {
      chains: config.chains,
      steps: config.steps,
      burnIn: config.burnIn,
      evalEvery: config.evalEvery,
      seed: slice.seed,
      initNoise: config.initNoise,
      signal: ctx.signal,
      onProgress: ({ chain, step }) => progress.update(chain * perChain + step, `chain ${chain + 1}/${config.chains}`),
    });
    const seconds = (performance.now() - t0) / 1000;
    progress.finish();
    const interrupted = result.chains.some((c) => c.status.status === 'interrupted');
    const manifest = await writeSampleArtifact(ctx.outputDir, result, {
      id: slice.id,
      complete: !interrupted,
      slice,
      target: { name: slice.target, metaSha256: target.metaSha256, n: model.n, d: model.dim, L0 },
      posterior: { beta0, gamma, beta: inverseTemperature(model.n, beta0), nBeta: posterior.nBeta },
      engine,
      timing: { startedAt: startedAt.toISOString(), endedAt: new Date().toISOString(), seconds },
    });
    for (const c of manifest.chains) {
      if (c.status.status === 'stopped') ctx.log(`chain ${c.chain} stopped at step ${c.status.atStep} after ${c.draws} draws: ${c.status.reason}`);
    }
    if (interrupted) {
      throw new Error(`interrupted: partial trace kept in ${ctx.outputDir} and marked incomplete (complete: false); it is not cached`);
    }
    if (manifest.chains.every((c) => c.status.status !== 'ok')) {
      throw new Error(
        `no chain survived (${manifest.chains.map((c) => (c.status.status === 'stopped' ? c.status.reason : c.status.status)).join('; ')}); ` +
          `lower stepSize (now ${'stepSize' in config ? config.stepSize : '?'}) and rerun`,
      );
    }
  } finally {
    model.dispose?.();
  }
}
