/**
 * Stage 1 process: build a target and write its artifact folder atomically.
 * One builder per target kind; each returns tensors, the meta fields, and plots.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { TargetSlice } from '@llc/config/normalize';
import type { DlnTargetConfig, ImportedTargetConfig, PotentialTargetConfig, RrrTargetConfig, TeacherStudentTargetConfig } from '@llc/config/schema';
import { loadImportedTarget } from '@llc/targets/imported/importedTarget';
import { classificationAccuracy } from '@llc/targets/models/rowwiseLoss';
import { networkForward, networkLossModel } from '@llc/targets/imported/network';
import type { CnnSpec } from '@llc/targets/models/cnnF64';
import type { MlpSpec } from '@llc/targets/models/mlpSpec';
import type { StageContext } from '@llc/core/stage/context';
import { replaceDirAtomic } from '@llc/core/artifacts/atomic';
import { scatterPlot, tracePlot, svgToPng } from '@llc/plots/index';
import { mlpForwardF64 } from '@llc/targets/models/mlpReference';
import { POTENTIALS, type PotentialKind, type PotentialParams } from '@llc/targets/potentials/index';
import { initEngine, type EngineInfo } from '@llc/targets/engine/backend';
import { checkStageEngine } from '@llc/targets/engine/fingerprint';
import { buildTeacherStudentTarget } from '@llc/targets/teacherStudent';
import { makeDlnTarget, makeRrrTarget } from '@llc/targets/knownAnswers/dlnTarget';
import { createMlpLossModel } from '@llc/targets/models/mlp';
import { potentialModel, writeTargetFiles, type TargetData, type TargetMeta } from '@llc/targets/artifact';

type Seeded<T> = T & { seed: number };

interface Built {
  tensors: { wStar: Float64Array; teacher?: Float64Array; data?: TargetData | TargetData<Float64Array> };
  meta: Omit<TargetMeta, 'schema' | 'files' | 'name' | 'kind' | 'config' | 'engine'>;
  plots: Array<{ name: string; svg: string }>;
  summary: string;
}

async function buildTeacherStudent(name: string, config: Seeded<TeacherStudentTargetConfig>): Promise<Built> {
  const built = await buildTeacherStudentTarget({ name, ...config, train: { ...config.train, historyEvery: 10 } });
  const steps = built.history.map((h) => h.step);
  const curve = tracePlot({
    title: `training · ${name}`,
    xLabel: `${config.train.optimizer} step`,
    yLabel: 'mean squared error',
    yScale: 'log',
    chains: [
      { x: steps, y: built.history.map((h) => h.trainLoss), label: 'train' },
      { x: steps, y: built.history.map((h) => h.testLoss ?? Number.NaN), label: 'test' },
    ],
    referenceLine: { value: built.noiseVariance, label: 'noise floor' },
  });
  // Student against the noise-free teacher on the held-out rows (first output).
  const out = built.outputDim;
  const student = mlpForwardF64(built.layout, built.wStar, built.Xtest);
  const teacher = mlpForwardF64(built.teacher.layout, built.teacher.params, built.Xtest);
  const firstOutput = (y: Float64Array) => Float64Array.from({ length: built.nTest }, (_, i) => y[i * out]);
  const predictions = scatterPlot({
    title: `student vs teacher on the test set · ${name}`,
    xLabel: 'teacher f(x) (noise-free)',
    yLabel: 'student f_w*(x)',
    series: [{ x: firstOutput(teacher), y: firstOutput(student), label: `${built.nTest} test rows` }],
    diagonal: true,
  });
  return {
    tensors: {
      wStar: built.wStar,
      teacher: built.teacher.params,
      data: { X: built.X, Y: built.Y, Xtest: built.Xtest, Ytest: built.Ytest },
    },
    meta: {
      n: built.n,
      nTest: built.nTest,
      d: built.d,
      p: built.inputDim,
      outputDim: built.outputDim,
      model: { kind: 'mlp', spec: built.studentSpec },
      L0: built.L0,
      testLoss: built.testLoss,
      training: { steps: built.steps, stoppedBecause: built.stoppedBecause, history: built.history },
      lambdaTrue: null,
      fixedPosterior: null,
    },
    plots: [
      { name: 'training', svg: curve },
      { name: 'predictions', svg: predictions },
    ],
    summary:
      `trained ${built.studentSpec.widths.join('-')} student (d = ${built.d}) for ${built.steps} ${config.train.optimizer} steps (${built.stoppedBecause}): ` +
      `L0 = ${built.L0.toExponential(4)}, test loss = ${built.testLoss.toExponential(4)} (noise floor ${built.noiseVariance.toExponential(2)})`,
  };
}

/** DLN / RRR: w* is the true teacher (rank r in every layer), not a retrained optimum. */
function buildLinear(config: Seeded<DlnTargetConfig> | Seeded<RrrTargetConfig>): Built {
  const common = { rank: config.rank, n: config.n, nTest: config.nTest, noiseStd: config.noiseStd, seed: config.seed };
  const t = config.kind === 'dln' ? makeDlnTarget({ widths: config.widths, ...common }) : makeRrrTarget({ M: config.M, H: config.H, N: config.N, ...common });
  const widths = t.spec.widths;
  const model = createMlpLossModel({ spec: t.spec, X: t.X, Y: t.Y, n: config.n });
  const testModel = createMlpLossModel({ spec: t.spec, X: t.Xtest, Y: t.Ytest, n: config.nTest });
  const L0 = model.loss(t.wStar);
  const testLoss = testModel.loss(t.wStar);
  model.dispose();
  testModel.dispose();
  const source = config.kind === 'dln' ? 'Aoyagi (2024), deep linear network' : 'Aoyagi & Watanabe (2005), reduced-rank regression';
  return {
    tensors: { wStar: t.wStar, teacher: t.wStar, data: { X: t.X, Y: t.Y, Xtest: t.Xtest, Ytest: t.Ytest } },
    meta: {
      n: config.n,
      nTest: config.nTest,
      d: t.wStar.length,
      p: widths[0],
      outputDim: widths[widths.length - 1],
      model: { kind: 'mlp', spec: t.spec },
      L0,
      testLoss,
      training: null,
      lambdaTrue: { value: t.lambdaTrue, multiplicity: t.multiplicity, exact: false, source },
      fixedPosterior: null,
    },
    plots: [],
    summary: `${config.kind} widths ${widths.join('-')}, rank ${config.rank} (d = ${t.wStar.length}): λ = ${t.lambdaTrue} (m = ${t.multiplicity}), L0 = ${L0.toExponential(4)}`,
  };
}

function buildPotential(config: PotentialTargetConfig): Built {
  const { type, ...params } = config.potential;
  const entry = POTENTIALS[type as PotentialKind] as {
    lambda(p: PotentialParams[PotentialKind], at: { t: number; gamma: number }): { value: number; multiplicity: number; exact: boolean };
    wStar(p: PotentialParams[PotentialKind]): Float64Array;
  };
  const gamma = config.prior === 'flat' ? 0 : config.prior.gamma;
  const p = params as PotentialParams[PotentialKind];
  const known = entry.lambda(p, { t: config.temperature, gamma });
  const wStar = entry.wStar(p);
  const L0 = potentialModel(config.potential).loss(wStar);
  return {
    tensors: { wStar },
    meta: {
      n: 1,
      nTest: 0,
      d: wStar.length,
      p: 0,
      outputDim: 0,
      model: { kind: 'potential', spec: config.potential },
      L0,
      testLoss: null,
      training: null,
      lambdaTrue: { ...known, source: known.exact ? `exact at t = ${config.temperature}, γ = ${gamma}` : 'asymptotic (t → ∞)' },
      fixedPosterior: { nBeta: config.temperature, gamma },
    },
    plots: [],
    summary: `${type} potential (d = ${wStar.length}) at t = ${config.temperature}, γ = ${gamma}: λ ${known.exact ? '=' : '→'} ${known.value} (m = ${known.multiplicity})`,
  };
}

/**
 * The user's network: its weights become w*, L0 and the test loss are evaluated with the loss the
 * samplers will use (float64), and the data are stored in float64 beside w*.
 */
function buildImported(name: string, config: ImportedTargetConfig, workspaceRoot: string): Built {
  if (config.weights === undefined) throw new Error(`bug: imported target '${name}' reached the build without weights (checkpoints are expanded in the config)`);
  const spec = { weights: config.weights, architecture: config.architecture, loss: config.loss, data: config.data };
  const loaded = loadImportedTarget(workspaceRoot, spec, `targets.${name}`);
  if (loaded.target === null) throw new Error(`imported target '${name}':\n  ${loaded.problems.join('\n  ')}`);
  const { network, train, test } = loaded.target;
  const dOut = network.dOut;
  const lossOf = (set: typeof train) => networkLossModel(network.model, set.X.data, set.Y.data, config.loss);
  const L0 = lossOf(train).loss(network.wStar);
  const testLoss = test ? lossOf(test).loss(network.wStar) : null;
  const accuracy = (set: typeof train) => classificationAccuracy(networkForward(network.model, network.wStar, set.X.data), set.Y.data, dOut);
  const classifier = config.loss === 'cross-entropy';
  const trainAccuracy = classifier ? accuracy(train) : null;
  const testAccuracy = classifier && test ? accuracy(test) : null;
  const empty = new Float64Array(0);
  const percent = (a: number | null) => (a === null ? '' : `, accuracy ${(100 * a).toFixed(1)}%`);
  const arch = config.architecture;
  // flattenStateDict returns the family it was given.
  const model: TargetMeta['model'] =
    arch.family === 'cnn'
      ? { kind: 'cnn', spec: network.model.spec as CnnSpec, loss: config.loss, layers: arch.layers }
      : { kind: 'mlp', spec: network.model.spec as MlpSpec, loss: config.loss, layers: arch.layers };
  const shape = network.model.kind === 'cnn' ? `${network.model.spec.inputShape.join('×')} → ${network.model.spec.layers.length}-layer CNN` : network.model.spec.widths.join('-') + ' MLP';
  return {
    tensors: { wStar: network.wStar, data: { X: train.X.data, Y: train.Y.data, Xtest: test?.X.data ?? empty, Ytest: test?.Y.data ?? empty } },
    meta: {
      n: train.X.rows,
      nTest: test?.X.rows ?? 0,
      d: network.size,
      p: network.dIn,
      outputDim: dOut,
      model,
      L0,
      testLoss,
      training: null,
      lambdaTrue: null,
      fixedPosterior: null,
      dataDtype: 'F64',
      imported: { weights: config.weights, step: config.step ?? null, trainAccuracy, testAccuracy },
    },
    plots: [],
    summary:
      `imported ${shape}, ${arch.activation} (d = ${network.size}) from ${config.weights}${config.step === undefined ? '' : ` (step ${config.step})`}: ` +
      `${config.loss} L0 = ${L0.toExponential(4)}${percent(trainAccuracy)}` +
      (testLoss === null ? '' : `; test loss ${testLoss.toExponential(4)}${percent(testAccuracy)}`),
  };
}

export async function runTargetStage(slice: TargetSlice, ctx: StageContext): Promise<void> {
  const config = slice.config;
  // Potentials need no tensor engine; everything else evaluates an MLP.
  let engine = {
    backend: 'none',
    reason: config.kind === 'imported' ? 'imported network: evaluated in float64 JavaScript' : 'analytic potential: evaluated in float64 JavaScript',
  } as unknown as EngineInfo;
  if (config.kind !== 'potential' && config.kind !== 'imported') {
    engine = await initEngine(slice.engine);
    checkStageEngine(slice.engine, engine.backend);
    ctx.log(`engine: ${engine.backend} (${engine.reason})`);
  }
  const t0 = performance.now();
  let built: Built;
  switch (config.kind) {
    case 'teacher-student':
      built = await buildTeacherStudent(slice.name, config);
      break;
    case 'dln':
    case 'rrr':
      built = buildLinear(config);
      break;
    case 'potential':
      built = buildPotential(config);
      break;
    case 'imported':
      built = buildImported(slice.name, config, ctx.workspaceRoot);
      break;
  }
  ctx.log(`${built.summary} (${((performance.now() - t0) / 1000).toFixed(1)}s)`);
  await replaceDirAtomic(ctx.outputDir, async (tmp) => {
    const extra: string[] = [];
    for (const plot of built.plots) {
      await writeFile(join(tmp, `${plot.name}.svg`), plot.svg);
      await writeFile(join(tmp, `${plot.name}.png`), svgToPng(plot.svg));
      extra.push(`${plot.name}.png`, `${plot.name}.svg`);
    }
    await writeTargetFiles(tmp, built.tensors, { name: slice.name, kind: config.kind, config, engine, ...built.meta }, extra);
  });
}
