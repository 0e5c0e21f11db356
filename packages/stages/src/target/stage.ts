/**
 * Stage 1 process: build a target and write its artifact folder atomically.
 * One builder per target kind; each returns tensors, the meta fields, and plots.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { TargetSlice } from '@llc/config/normalize';
import type { DlnTargetConfig, PotentialTargetConfig, RrrTargetConfig, TeacherStudentTargetConfig } from '@llc/config/schema';
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
  tensors: { wStar: Float64Array; teacher?: Float64Array; data?: TargetData };
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

export async function runTargetStage(slice: TargetSlice, ctx: StageContext): Promise<void> {
  const config = slice.config;
  // Potentials need no tensor engine; everything else evaluates an MLP.
  let engine = { backend: 'none', reason: 'analytic potential: evaluated in float64 JavaScript' } as unknown as EngineInfo;
  if (config.kind !== 'potential') {
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
