/**
 * Stage 1 "targets": teacher–student MLP regression. Draws the data set, trains the
 * student to its optimum w*, and returns everything in memory (artifact writing is
 * a separate step).
 */
import { createRng } from '@llc/core/random/rng';
import { checkTeacherStudentDataConfig, makeTeacherStudentData } from './data/teacherStudent';
import type { InputSpec } from './data/inputs';
import type { NoiseConfig, NoiseSpec } from './data/noise';
import { initEngine, type EngineInfo } from './engine/backend';
import { createMlpLossModel } from './models/mlp';
import { initMlpParams } from './models/mlpInit';
import { resolveMlpSpec, type SizedMlpSpec } from './models/mlpSize';
import { mlpLayout, validateMlpSpec, type MlpSpec, type ParamLayout } from './models/mlpSpec';
import { checkOptimizerOptions, trainStudent, type HistoryPoint, type OptimizerOptions, type TrainResult } from './train/adam';

export interface TeacherStudentConfig {
  name: string;
  seed: number;
  n: number;
  nTest: number;
  inputDim: number;
  /** σ of the label noise when noise.std is not given. */
  noiseStd?: number;
  /** Input distribution (default gauss-iso). */
  inputs?: InputSpec;
  /** Label noise (default gauss); std defaults to noiseStd. */
  noise?: NoiseConfig;
  /** Teacher hidden-unit dropout probability in [0, 1) for the labels (default 0). */
  teacherDropout?: number;
  teacher: MlpSpec;
  /** Explicit widths, or { depth, paramCount } for equal hidden widths nearest that count. */
  student: MlpSpec | SizedMlpSpec;
  train: {
    lr: number;
    maxSteps: number;
    patience: number;
    minDelta: number;
    historyEvery?: number;
  } & Pick<OptimizerOptions, 'optimizer' | 'momentum' | 'weightDecay'>;
}

export interface TeacherStudentTarget {
  name: string;
  config: TeacherStudentConfig;
  engine: EngineInfo;
  n: number;
  nTest: number;
  inputDim: number;
  outputDim: number;
  /** Row-major [n, inputDim] / [n, outputDim]. */
  X: Float32Array;
  Y: Float32Array;
  Xtest: Float32Array;
  Ytest: Float32Array;
  teacher: { layout: ParamLayout; params: Float64Array };
  /** The student architecture actually trained (widths resolved from a paramCount). */
  studentSpec: MlpSpec;
  /** The label noise actually used. */
  noise: NoiseSpec;
  /** Mean squared deviation of the training labels from the (dropout-free) teacher: the noise floor. */
  noiseVariance: number;
  /** Student parameter layout; d = layout.size. */
  layout: ParamLayout;
  d: number;
  wInit: Float64Array;
  wStar: Float64Array;
  /** L0 = L_n(w*), float64-accumulated mean squared error on the training set. */
  L0: number;
  testLoss: number;
  history: HistoryPoint[];
  steps: number;
  stoppedBecause: TrainResult['stoppedBecause'];
}

/** All shape and value checks, once, with messages naming the offending field; returns the resolved student. */
function checkConfig(config: TeacherStudentConfig): MlpSpec {
  const fail = (message: string): never => {
    throw new Error(`Error in buildTeacherStudentTarget: ${message}`);
  };
  const positiveInteger = (value: number, field: string): void => {
    if (!(Number.isInteger(value) && value > 0)) fail(`${field} must be a positive integer, got ${String(value)}`);
  };
  if (typeof config.name !== 'string' || config.name.length === 0) fail(`name must be a non-empty string`);
  if (!Number.isSafeInteger(config.seed)) fail(`seed must be a safe integer, got ${String(config.seed)}`);
  positiveInteger(config.n, 'n');
  positiveInteger(config.nTest, 'nTest');
  positiveInteger(config.inputDim, 'inputDim');
  const { noiseStd } = config;
  if (noiseStd !== undefined && !(Number.isFinite(noiseStd) && noiseStd >= 0)) fail(`noiseStd must be a finite number ≥ 0, got ${String(noiseStd)}`);
  validateMlpSpec(config.teacher, 'buildTeacherStudentTarget', 'teacher');
  const { teacher, inputDim } = config;
  if (teacher.widths[0] !== inputDim) fail(`teacher.widths[0] (${teacher.widths[0]}) must equal inputDim (${inputDim})`);
  checkTeacherStudentDataConfig(config, 'buildTeacherStudentTarget');
  const student = resolveMlpSpec(config.student, inputDim, teacher.widths[teacher.widths.length - 1], 'buildTeacherStudentTarget', 'student');
  if (student.widths[0] !== inputDim) fail(`student.widths[0] (${student.widths[0]}) must equal inputDim (${inputDim})`);
  const teacherOut = teacher.widths.length - 1;
  const studentOut = student.widths.length - 1;
  if (student.widths[studentOut] !== teacher.widths[teacherOut]) {
    fail(
      `student.widths[${studentOut}] (${student.widths[studentOut]}) must equal teacher.widths[${teacherOut}] (${teacher.widths[teacherOut]}): both predict the same outputs`,
    );
  }
  if (config.train === null || typeof config.train !== 'object') fail('train must be an object');
  const { lr, maxSteps, patience, minDelta, historyEvery } = config.train;
  if (!(Number.isFinite(lr) && lr > 0)) fail(`train.lr must be a positive number, got ${String(lr)}`);
  positiveInteger(maxSteps, 'train.maxSteps');
  positiveInteger(patience, 'train.patience');
  if (!(Number.isFinite(minDelta) && minDelta >= 0 && minDelta < 1)) fail(`train.minDelta must be in [0, 1), got ${String(minDelta)}`);
  if (historyEvery !== undefined) positiveInteger(historyEvery, 'train.historyEvery');
  checkOptimizerOptions(config.train, 'buildTeacherStudentTarget', 'train.');
  return student;
}

/**
 * Builds the target in memory. Uses the process's tfjs backend (initEngine('auto')
 * unless a backend was already chosen); everything random comes from named streams
 * of config.seed, so a rebuild with the same seed and backend is bit-identical.
 */
export async function buildTeacherStudentTarget(config: TeacherStudentConfig): Promise<TeacherStudentTarget> {
  const student = checkConfig(config);
  const engine = await initEngine();
  const { seed, n, nTest, inputDim } = config;
  const data = makeTeacherStudentData({
    seed,
    n,
    nTest,
    inputDim,
    teacher: config.teacher,
    noiseStd: config.noiseStd,
    inputs: config.inputs,
    noise: config.noise,
    teacherDropout: config.teacherDropout,
  });
  const layout = mlpLayout(student);
  const wInit = initMlpParams(layout, createRng(seed, 'student'));

  const trainModel = createMlpLossModel({ spec: student, X: data.X, Y: data.Y, n });
  const testModel = createMlpLossModel({ spec: student, X: data.Xtest, Y: data.Ytest, n: nTest });
  try {
    const result = trainStudent({
      model: trainModel,
      init: wInit,
      ...config.train,
      evalTest: (w) => testModel.loss(w),
    });
    return {
      name: config.name,
      config: structuredClone(config),
      engine,
      n,
      nTest,
      inputDim,
      outputDim: data.outputDim,
      X: data.X,
      Y: data.Y,
      Xtest: data.Xtest,
      Ytest: data.Ytest,
      teacher: { layout: data.teacherLayout, params: data.teacherParams },
      studentSpec: layout.spec,
      noise: data.noise,
      noiseVariance: data.noiseVariance,
      layout,
      d: layout.size,
      wInit,
      wStar: result.wStar,
      L0: result.trainLoss,
      testLoss: result.testLoss as number,
      history: result.history,
      steps: result.steps,
      stoppedBecause: result.stoppedBecause,
    };
  } finally {
    trainModel.dispose();
    testModel.dispose();
  }
}
