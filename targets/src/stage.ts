/**
 * Stage 1 process: build a target (data, training to w*, L0) and write its
 * artifact folder atomically, with a training-curve plot.
 */
import type { TargetSlice } from '../../tools/src/config/normalize';
import type { StageContext } from '../../tools/src/stage/context';
import { replaceDirAtomic } from '../../tools/src/artifacts/atomic';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { initEngine } from './engine/backend';
import { buildTeacherStudentTarget } from './teacherStudent';
import { writeTargetFiles } from './artifact';
import { tracePlot, svgToPng } from '../../analysis/src/plots';

export async function runTargetStage(slice: TargetSlice, ctx: StageContext): Promise<void> {
  const engine = await initEngine(slice.engine);
  ctx.log(`engine: ${engine.backend} (${engine.reason})`);
  const config = slice.config;
  if (config.kind !== 'teacher-student') throw new Error(`bug: unhandled target kind ${JSON.stringify(config.kind)}`);
  const t0 = performance.now();
  const built = await buildTeacherStudentTarget({ name: slice.name, ...config, train: { ...config.train, historyEvery: 10 } });
  ctx.log(
    `trained ${config.student.widths.join('-')} student (d = ${built.d}) for ${built.steps} Adam steps (${built.stoppedBecause}) in ${((performance.now() - t0) / 1000).toFixed(1)}s: ` +
      `L0 = ${built.L0.toExponential(4)}, test loss = ${built.testLoss.toExponential(4)} (noise floor σ² = ${(config.noiseStd ** 2).toExponential(2)})`,
  );
  const curve = tracePlot({
    title: `training · ${slice.name}`,
    xLabel: 'Adam step',
    yLabel: 'mean squared error',
    chains: [
      { x: built.history.map((h) => h.step), y: built.history.map((h) => h.trainLoss), label: 'train' },
      { x: built.history.map((h) => h.step), y: built.history.map((h) => h.testLoss ?? Number.NaN), label: 'test' },
    ],
    referenceLine: { value: config.noiseStd ** 2, label: 'noise floor σ²' },
  });
  await replaceDirAtomic(ctx.outputDir, async (tmp) => {
    await writeFile(join(tmp, 'training.svg'), curve);
    await writeFile(join(tmp, 'training.png'), svgToPng(curve));
    await writeTargetFiles(
      tmp,
      { X: built.X, Y: built.Y, Xtest: built.Xtest, Ytest: built.Ytest, wStar: built.wStar, teacher: built.teacher.params },
      {
        name: slice.name,
        kind: config.kind,
        config,
        n: built.n,
        nTest: built.nTest,
        d: built.d,
        p: built.inputDim,
        outputDim: built.outputDim,
        model: { kind: 'mlp', spec: config.student },
        L0: built.L0,
        testLoss: built.testLoss,
        training: { steps: built.steps, stoppedBecause: built.stoppedBecause, history: built.history },
        lambdaTrue: null,
        engine,
      },
      ['training.png', 'training.svg'],
    );
  });
}
