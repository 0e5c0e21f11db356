/**
 * Stage 2 process: load the target (hash-verified), build the local posterior, run
 * the configured sampler (chains, or independent VI fits), and write the trace
 * atomically.
 */
import type { ResolvedSamplerConfig, SampleSlice } from '@llc/config/normalize';
import type { StageContext } from '@llc/core/stage/context';
import { initEngine } from '@llc/targets/engine/backend';
import { checkStageEngine } from '@llc/targets/engine/fingerprint';
import { gradientEngine, loadTarget, restrictionIndices, targetLossModel, type LoadedTarget } from '@llc/targets/artifact';
import { restrictModel } from '@llc/targets/restrict';
import type { LossModel } from '@llc/core/model';
import { localPosterior, type LocalPosterior } from '@llc/samplers/posterior';
import { createSampler } from '@llc/samplers/registry';
import { chainParallelism, DEFAULT_CHAIN_EXECUTION, executeChains, type ChainSetup, type RemoteRunOptions } from '@llc/samplers/chains';
import { writeSampleArtifact, type LossEngine, type SampleManifest } from '@llc/samplers/trace';
import { runViAsync, VI_DEFAULTS } from '@llc/samplers/vi/index';
import { writeViArtifact } from '@llc/samplers/viTrace';

type ViConfig = Extract<ResolvedSamplerConfig, { kind: 'vi' }>;
type ChainConfig = Exclude<ResolvedSamplerConfig, ViConfig>;
type CommonMeta = Omit<SampleManifest, 'schema' | 'files' | 'chains' | 'method' | 'complete' | 'timing'>;

interface RunContext {
  slice: SampleSlice;
  ctx: StageContext;
  model: LossModel;
  posterior: LocalPosterior;
  meta: CommonMeta;
}

/** The run loop's options for a chain sampler's run (the same in the stage, its workers and the bench). */
export function chainRunOptions(slice: SampleSlice, config: ChainConfig): RemoteRunOptions {
  return { chains: config.chains, steps: config.steps, burnIn: config.burnIn, evalEvery: config.evalEvery, seed: slice.seed, initNoise: config.initNoise };
}

async function sampleChains(config: ChainConfig, { slice, ctx, model, posterior, meta }: RunContext): Promise<SampleManifest> {
  const algorithm = createSampler(config, model, posterior);
  const perChain = config.burnIn + config.steps;
  const progress = ctx.progress('', config.chains * perChain, 'steps');
  const execution = config.chainExecution ?? DEFAULT_CHAIN_EXECUTION;
  const parallel = chainParallelism(config.chains);
  const where =
    execution === 'inline' ? 'in this process' : execution === 'workers' ? `on ${parallel} worker threads` : `in child processes, ${parallel} at a time`;
  ctx.log(`${config.kind}: ${config.chains} chains × ${perChain} steps (${config.burnIn} warm-up), ${where}`);
  const startedAt = new Date();
  const t0 = performance.now();
  // Steps done per chain: chains may run side by side, so progress is their sum.
  const done = new Array<number>(config.chains).fill(0);
  const result = await executeChains(
    { model, posterior, algorithm },
    {
      execution,
      // Workers and child processes rebuild the model from the target artifact with the same code (chainSetup below).
      remote: { module: import.meta.url, name: 'chainSetup', args: { slice, workspaceRoot: ctx.workspaceRoot, backend: meta.engine.backend } },
      ...chainRunOptions(slice, config),
      signal: ctx.signal,
      onProgress: ({ chain, step }) => {
        done[chain] = step;
        progress.update(
          done.reduce((a, b) => a + b, 0),
          `chain ${chain + 1}/${config.chains}`,
        );
      },
    },
  );
  if (!ctx.signal.aborted) progress.finish();
  const interrupted = result.chains.some((c) => c.status.status === 'interrupted');
  return writeSampleArtifact(ctx.outputDir, result, {
    ...meta,
    complete: !interrupted,
    timing: { startedAt: startedAt.toISOString(), endedAt: new Date().toISOString(), seconds: (performance.now() - t0) / 1000 },
  });
}

async function fitVi(config: ViConfig, { slice, ctx, model, posterior, meta }: RunContext): Promise<SampleManifest> {
  const params = {
    ...VI_DEFAULTS,
    components: config.components,
    rank: config.rank,
    lr: config.lr,
    steps: config.steps,
    samplesPerStep: config.samplesPerStep,
    evalSamples: config.evalSamples,
    batchSize: config.batchSize ?? null,
    controlVariate: config.controlVariate,
    hutchinsonProbes: config.hutchinsonProbes,
    hvpStep: config.hvpStep,
    initScale: config.initScale,
  };
  const progress = ctx.progress('', config.chains * config.steps, 'steps');
  ctx.log(`vi: ${config.chains} fits × ${config.steps} Adam steps, ${config.components} components of rank ${config.rank}`);
  const startedAt = new Date();
  const t0 = performance.now();
  const result = await runViAsync(model, posterior, params, {
    fits: config.chains,
    seed: slice.seed,
    signal: ctx.signal,
    onProgress: (fit, step) => progress.update(fit * config.steps + step, `fit ${fit + 1}/${config.chains}`),
  });
  if (!ctx.signal.aborted) progress.finish();
  return writeViArtifact(ctx.outputDir, result, {
    ...meta,
    complete: !ctx.signal.aborted,
    timing: { startedAt: startedAt.toISOString(), endedAt: new Date().toISOString(), seconds: (performance.now() - t0) / 1000 },
  });
}

/** Analytic potentials fix their own temperature t = nβ and prior; data targets use β0 and γ. */
function posteriorFor(target: LoadedTarget, slice: SampleSlice, model: LossModel, wStar: Float64Array, L0: number): { posterior: LocalPosterior; beta0: number | null } {
  const fixed = target.meta.fixedPosterior;
  if (fixed) return { posterior: { nBeta: fixed.nBeta, gamma: fixed.gamma, wStar, L0 }, beta0: null };
  const { beta0, gamma } = slice.posterior;
  return { posterior: localPosterior({ n: model.n, beta0, gamma, wStar, L0 }), beta0 };
}

/** Imported networks and potentials are evaluated in float64 JavaScript: no tensor engine to start. */
function javascriptOnly(target: LoadedTarget): string | null {
  if (target.meta.fixedPosterior) return 'analytic potential: evaluated in float64 JavaScript';
  if (target.meta.model.kind !== 'potential' && target.meta.model.loss !== undefined) return `imported network: ${target.meta.model.loss} evaluated in float64 JavaScript`;
  return null;
}

/**
 * The target, its engine and the loss the samplers see. Chain workers and child
 * processes build theirs through this same function (chainSetup), so every chain of
 * a run evaluates the same loss, bit for bit, wherever it runs.
 */
async function loadSampleModel(slice: SampleSlice, workspaceRoot: string) {
  const target = await loadTarget(workspaceRoot, { dir: slice.targetDir, project: slice.targetProject });
  const plain = javascriptOnly(target);
  const engine = plain !== null ? { backend: 'none', reason: plain } : await initEngine(slice.engine);
  if (plain === null) checkStageEngine(slice.engine, engine.backend);
  const options = { engine: slice.engine, precision: slice.config.precision, tfjsBackend: engine.backend };
  const full = targetLossModel(target, options);
  // Restricted LLC: the samplers see only the selected coordinates; the rest stay at w*.
  const restriction = slice.restrict ? restrictionIndices(target.meta, slice.restrict.params) : null;
  const model = restriction ? restrictModel(full, target.wStar, restriction.indices) : full;
  const wStar = restriction ? Float64Array.from(restriction.indices, (i) => target.wStar[i]) : target.wStar;
  try {
    // L0 is re-evaluated with this process's engine so that llc(w*) is exactly 0.
    const L0 = model.loss(wStar);
    const { posterior, beta0 } = posteriorFor(target, slice, model, wStar, L0);
    return { target, engine: { ...engine, loss: lossEngine(target, options, model) }, model, L0, posterior, beta0, restriction };
  } catch (error) {
    model.dispose?.();
    throw error;
  }
}

/** What evaluates the loss the samplers see (log, manifest, summary.json's `engine`). */
function lossEngine(target: LoadedTarget, options: Parameters<typeof gradientEngine>[0], model: LossModel): LossEngine {
  if (target.meta.model.kind === 'potential') return { kind: 'none', precision: 'float64', detail: 'analytic potential in JavaScript' };
  if (target.meta.model.loss !== undefined) return { kind: 'none', precision: 'float64', detail: `${target.meta.model.loss} of an imported network in JavaScript` };
  const { kind, precision } = gradientEngine(options);
  if (kind === 'tfjs') return { kind: options.tfjsBackend ?? 'tfjs', precision, detail: 'tfjs, explicit backward pass' };
  const isa = (model as { isa?: string }).isa;
  return { kind, precision, detail: kind === 'native' ? `native addon, ${isa ?? 'unknown'} code` : 'WebAssembly SIMD kernel' };
}

/**
 * What a chain worker or child process runs (chainExecution 'workers' / 'process'): the
 * stage's own model and sampler, on the backend the stage itself chose.
 */
export async function chainSetup(args: { slice: SampleSlice; workspaceRoot: string; backend?: string }): Promise<ChainSetup & { backend: string }> {
  const { slice, workspaceRoot, backend } = args;
  const config = slice.config;
  if (config.kind === 'vi') throw new Error('bug: chainSetup called for a VI run');
  const { engine, model, posterior } = await loadSampleModel(slice, workspaceRoot);
  if (backend !== undefined && engine.backend !== backend) {
    // Another backend would give other bits: refuse rather than mix them in one run.
    model.dispose?.();
    throw new Error(`engine '${engine.backend}' (${engine.reason}) instead of the stage's '${backend}'; set chainExecution: 'inline'`);
  }
  return { model, posterior, algorithm: createSampler(config, model, posterior), dispose: () => model.dispose?.(), backend: engine.backend };
}

export async function runSampleStage(slice: SampleSlice, ctx: StageContext): Promise<void> {
  const { target, engine, model, L0, posterior, beta0, restriction } = await loadSampleModel(slice, ctx.workspaceRoot);
  ctx.log(`loss: ${engine.loss.kind}, ${engine.loss.precision} (${engine.loss.detail}); tfjs: ${engine.backend} (${engine.reason})`);
  try {
    ctx.log(`target '${slice.target}': n = ${model.n}, d = ${model.dim}, nβ = ${posterior.nBeta.toFixed(2)}, γ = ${posterior.gamma}`);
    if (restriction) ctx.log(`restricted to ${restriction.tensors.join(', ')} (${model.dim} of ${target.meta.d} parameters; the rest held at w*)`);
    const run: RunContext = {
      slice,
      ctx,
      model,
      posterior,
      meta: {
        id: slice.id,
        slice,
        target: { name: slice.target, metaSha256: target.metaSha256, n: model.n, d: model.dim, L0 },
        posterior: { beta0, gamma: posterior.gamma, beta: posterior.nBeta / model.n, nBeta: posterior.nBeta },
        engine,
      },
    };
    const config = slice.config;
    const manifest = config.kind === 'vi' ? await fitVi(config, run) : await sampleChains(config, run);
    const unit = manifest.method === 'vi' ? 'fit' : 'chain';
    for (const c of manifest.chains) {
      if (c.status.status === 'stopped') ctx.log(`${unit} ${c.chain} stopped at step ${c.status.atStep} after ${c.draws} draws: ${c.status.reason}`);
    }
    if (!manifest.complete) {
      throw new Error(`interrupted: partial result kept in ${ctx.outputDir} and marked incomplete (complete: false); it is not cached`);
    }
    if (manifest.chains.every((c) => c.status.status !== 'ok')) {
      const reasons = manifest.chains.map((c) => (c.status.status === 'stopped' ? c.status.reason : c.status.status));
      throw new Error(`no ${unit} survived (${reasons.join('; ')}); lower the step size (or learning rate) and rerun`);
    }
  } finally {
    model.dispose?.();
  }
}
