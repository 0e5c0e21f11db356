/**
 * Synthetic regression data from a random "teacher" MLP: x ~ N(0, I),
 * y = teacher(x) + σ·ε. Labels come from the float64 reference forward pass, so
 * the data set is the same whatever tfjs backend the process runs on.
 * Independent named streams (teacher, inputs, noise, test-inputs, test-noise) mean
 * changing n or nTest never changes the teacher or the other set's first rows.
 */
import { createRng } from '../../../tools/src/random/rng';
import { initMlpParams } from '../models/mlpInit';
import { mlpForwardF64 } from '../models/mlpReference';
import { mlpLayout, validateMlpSpec, type MlpSpec, type ParamLayout } from '../models/mlpSpec';

export interface TeacherStudentDataConfig {
  seed: number;
  /** Training rows. */
  n: number;
  /** Test rows (an independent draw). */
  nTest: number;
  inputDim: number;
  teacher: MlpSpec;
  /** σ of the Gaussian label noise. */
  noiseStd: number;
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
}

/** Teacher biases are drawn (not zero) so a teacher with biases actually uses them. */
const TEACHER_BIAS_STD = 0.1;

function draw(
  seed: number,
  rows: number,
  inputDim: number,
  noiseStd: number,
  layout: ParamLayout,
  teacherParams: Float64Array,
  inputStream: string,
  noiseStream: string,
): { X: Float32Array; Y: Float32Array } {
  const X = Float32Array.from(createRng(seed, inputStream).fillNormal(new Float64Array(rows * inputDim)));
  const clean = mlpForwardF64(layout, teacherParams, X);
  const noise = createRng(seed, noiseStream).fillNormal(new Float64Array(clean.length));
  const Y = new Float32Array(clean.length);
  for (let i = 0; i < clean.length; i++) Y[i] = clean[i] + noiseStd * noise[i];
  return { X, Y };
}

export function makeTeacherStudentData(config: TeacherStudentDataConfig): TeacherStudentData {
  const { seed, n, nTest, inputDim, teacher, noiseStd } = config;
  const fail = (message: string): never => {
    throw new Error(`Error in makeTeacherStudentData: ${message}`);
  };
  if (!Number.isSafeInteger(seed)) fail(`seed must be a safe integer, got ${seed}`);
  if (!(Number.isInteger(n) && n > 0)) fail(`n must be a positive integer, got ${n}`);
  if (!(Number.isInteger(nTest) && nTest > 0)) fail(`nTest must be a positive integer, got ${nTest}`);
  if (!(Number.isInteger(inputDim) && inputDim > 0)) fail(`inputDim must be a positive integer, got ${inputDim}`);
  if (!(Number.isFinite(noiseStd) && noiseStd >= 0)) fail(`noiseStd must be a finite number ≥ 0, got ${noiseStd}`);
  validateMlpSpec(teacher, 'makeTeacherStudentData', 'teacher');
  if (teacher.widths[0] !== inputDim) fail(`teacher.widths[0] (${teacher.widths[0]}) must equal inputDim (${inputDim})`);

  const teacherLayout = mlpLayout(teacher);
  const teacherParams = initMlpParams(teacherLayout, createRng(seed, 'teacher'), { biasStd: TEACHER_BIAS_STD });
  const train = draw(seed, n, inputDim, noiseStd, teacherLayout, teacherParams, 'inputs', 'noise');
  const test = draw(seed, nTest, inputDim, noiseStd, teacherLayout, teacherParams, 'test-inputs', 'test-noise');
  return {
    X: train.X,
    Y: train.Y,
    Xtest: test.X,
    Ytest: test.Y,
    outputDim: teacher.widths[teacher.widths.length - 1],
    teacherLayout,
    teacherParams,
  };
}
