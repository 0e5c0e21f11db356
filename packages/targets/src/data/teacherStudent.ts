/**
 * Synthetic regression data from a random "teacher" MLP: x ~ inputs (default
 * N(0, I)), y = teacher(x) + ε with ε from `noise` (default Gaussian, std noiseStd).
 * Labels come from the float64 reference forward pass, so the data set is the same
 * whatever tfjs backend the process runs on. Optional teacher dropout zeroes each
 * teacher hidden unit's output per row with probability teacherDropout (inverted
 * scaling), for the training and the test labels alike.
 *
 * Independent named streams of the seed:
 *   teacher, input-structure (mixture centres / manifold map, shared by both sets),
 *   inputs, noise (+ its sub-streams), dropout          for the training set,
 *   test-inputs, test-noise (+ sub-streams), test-dropout for the test set,
 * so changing n or nTest never changes the teacher or the other set, and more rows
 * never change the first rows. The defaults (gauss-iso, gauss, no dropout) give
 * exactly the data of the original x ~ N(0, I), y = teacher(x) + σ·ε generator.
 */
import { createRng } from '@llc/core/random/rng';
import { initMlpParams } from '../models/mlpInit';
import { hiddenUnitCount, mlpForwardF64 } from '../models/mlpReference';
import { mlpLayout, validateMlpSpec, type MlpSpec, type ParamLayout } from '../models/mlpSpec';
import { makeDropoutScale, validateDropout } from './dropout';
import { makeInputs, makeInputStructure, validateInputSpec, type InputSpec, type InputStructure } from './inputs';
import { addNoise, resolveNoiseSpec, type NoiseConfig, type NoiseSpec } from './noise';

export interface TeacherStudentDataConfig {
  seed: number;
  /** Training rows. */
  n: number;
  /** Test rows (an independent draw). */
  nTest: number;
  inputDim: number;
  teacher: MlpSpec;
  /** Input distribution (default { kind: 'gauss-iso' }). */
  inputs?: InputSpec;
  /** Label noise (default { kind: 'gauss' }); its std defaults to noiseStd. */
  noise?: NoiseConfig;
  /** σ of the label noise when noise.std is not given (kept for older configs). */
  noiseStd?: number;
  /** Probability in [0, 1) of zeroing each teacher hidden unit per row (default 0). */
  teacherDropout?: number;
}

export interface TeacherStudentData {
  /** Row-major [n, inputDim]. */
  X: Float32Array;
  /** Row-major [n, outputDim]. */
  Y: Float32Array;
  Xtest: Float32Array;
  Ytest: Float32Array;
  outputDim: number;
  teacherLayout: ParamLayout;
  teacherParams: Float64Array;
  /** The input distribution and its drawn structure. */
  inputs: InputSpec;
  inputStructure: InputStructure;
  /** The noise actually used (std resolved from noiseStd when needed). */
  noise: NoiseSpec;
  /**
   * Mean of (Y − teacher(x))² over the training labels (float64, before rounding Y;
   * teacher without dropout): the noise floor of the loss, label noise plus dropout.
   */
  noiseVariance: number;
}

/** Teacher biases are drawn (not zero) so a teacher with biases actually uses them. */
const TEACHER_BIAS_STD = 0.1;

interface DrawContext {
  seed: number;
  inputDim: number;
  inputs: InputSpec;
  structure: InputStructure;
  noise: NoiseSpec;
  dropout: number;
  layout: ParamLayout;
  teacherParams: Float64Array;
}

function draw(
  context: DrawContext,
  rows: number,
  streams: { inputs: string; noise: string; dropout: string },
): { X: Float32Array; Y: Float32Array; noiseVariance: number } {
  const { seed, inputDim, layout, teacherParams, dropout } = context;
  const X = makeInputs(context.inputs, rows, inputDim, createRng(seed, streams.inputs), context.structure);
  const hiddenScale = dropout > 0 ? makeDropoutScale(rows, hiddenUnitCount(layout), dropout, createRng(seed, streams.dropout)) : undefined;
  const clean = mlpForwardF64(layout, teacherParams, X, { hiddenScale });
  const noisy = addNoise(context.noise, clean, X, inputDim, seed, streams.noise);
  // Measured against the dropout-free teacher: that is E[y | x] exactly for one hidden layer
  // (inverted dropout is unbiased and the output layer linear), approximately for deeper ones.
  const mean = dropout > 0 ? mlpForwardF64(layout, teacherParams, X) : clean;
  let sum = 0;
  for (let i = 0; i < noisy.length; i++) sum += (noisy[i] - mean[i]) ** 2;
  return { X, Y: Float32Array.from(noisy), noiseVariance: sum / noisy.length };
}

/**
 * All option checks, once; returns the resolved input, noise and dropout options.
 * Messages name the caller and the field ("Error in <caller>: inputs.rho must be ...").
 */
export function checkTeacherStudentDataConfig(
  config: TeacherStudentDataConfig,
  caller = 'makeTeacherStudentData',
): { inputs: InputSpec; noise: NoiseSpec; teacherDropout: number } {
  const { seed, n, nTest, inputDim, teacher } = config;
  const fail = (message: string): never => {
    throw new Error(`Error in ${caller}: ${message}`);
  };
  if (!Number.isSafeInteger(seed)) fail(`seed must be a safe integer, got ${seed}`);
  if (!(Number.isInteger(n) && n > 0)) fail(`n must be a positive integer, got ${n}`);
  if (!(Number.isInteger(nTest) && nTest > 0)) fail(`nTest must be a positive integer, got ${nTest}`);
  if (!(Number.isInteger(inputDim) && inputDim > 0)) fail(`inputDim must be a positive integer, got ${inputDim}`);
  const { noiseStd } = config;
  if (noiseStd !== undefined && !(Number.isFinite(noiseStd) && noiseStd >= 0)) fail(`noiseStd must be a finite number ≥ 0, got ${noiseStd}`);
  validateMlpSpec(teacher, caller, 'teacher');
  if (teacher.widths[0] !== inputDim) fail(`teacher.widths[0] (${teacher.widths[0]}) must equal inputDim (${inputDim})`);
  const inputs: InputSpec = config.inputs ?? { kind: 'gauss-iso' };
  validateInputSpec(inputs, inputDim, caller, 'inputs.');
  const noise = resolveNoiseSpec(config.noise, noiseStd, caller);
  const teacherDropout = config.teacherDropout ?? 0;
  validateDropout(teacherDropout, caller, 'teacherDropout');
  if (teacherDropout > 0 && teacher.widths.length < 3) fail('teacherDropout needs a teacher with at least one hidden layer');
  return { inputs, noise, teacherDropout };
}

export function makeTeacherStudentData(config: TeacherStudentDataConfig): TeacherStudentData {
  const { inputs, noise, teacherDropout } = checkTeacherStudentDataConfig(config);
  const { seed, n, nTest, inputDim, teacher } = config;

  const teacherLayout = mlpLayout(teacher);
  const teacherParams = initMlpParams(teacherLayout, createRng(seed, 'teacher'), { biasStd: TEACHER_BIAS_STD });
  const context: DrawContext = {
    seed,
    inputDim,
    inputs,
    structure: makeInputStructure(inputs, inputDim, createRng(seed, 'input-structure')),
    noise,
    dropout: teacherDropout,
    layout: teacherLayout,
    teacherParams,
  };
  const train = draw(context, n, { inputs: 'inputs', noise: 'noise', dropout: 'dropout' });
  const test = draw(context, nTest, { inputs: 'test-inputs', noise: 'test-noise', dropout: 'test-dropout' });
  return {
    X: train.X,
    Y: train.Y,
    Xtest: test.X,
    Ytest: test.Y,
    outputDim: teacher.widths[teacher.widths.length - 1],
    teacherLayout,
    teacherParams,
    inputs,
    inputStructure: context.structure,
    noise,
    noiseVariance: train.noiseVariance,
  };
}
