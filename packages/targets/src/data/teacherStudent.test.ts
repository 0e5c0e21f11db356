import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRng } from '@llc/core/random/rng';
import { mlpForwardF64 } from '../models/mlpReference';
import { makeDropoutScale } from './dropout';
import { assertBinomial } from '../testing/statsForTests';
import { makeTeacherStudentData, type TeacherStudentDataConfig } from './teacherStudent';

const config: TeacherStudentDataConfig = {
  seed: 11,
  n: 4000,
  nTest: 1000,
  inputDim: 3,
  teacher: { widths: [3, 5, 2], activation: 'tanh', bias: true },
  noiseStd: 0.2,
};

test('shapes, standard-normal inputs, and labels = teacher(x) + σ·ε', () => {
  const data = makeTeacherStudentData(config);
  assert.equal(data.X.length, 4000 * 3);
  assert.equal(data.Y.length, 4000 * 2);
  assert.equal(data.Xtest.length, 1000 * 3);
  assert.equal(data.Ytest.length, 1000 * 2);
  assert.equal(data.outputDim, 2);
  assert.equal(data.teacherParams.length, data.teacherLayout.size);

  const mean = data.X.reduce((s, v) => s + v, 0) / data.X.length;
  const variance = data.X.reduce((s, v) => s + v * v, 0) / data.X.length - mean * mean;
  assert.ok(Math.abs(mean) < 0.05 && Math.abs(variance - 1) < 0.05, `inputs mean ${mean}, variance ${variance}`);

  const clean = mlpForwardF64(data.teacherLayout, data.teacherParams, data.X);
  let noiseVariance = 0;
  for (let i = 0; i < clean.length; i++) noiseVariance += (data.Y[i] - clean[i]) ** 2;
  noiseVariance /= clean.length;
  assert.ok(Math.abs(noiseVariance / 0.04 - 1) < 0.05, `noise variance ${noiseVariance} vs σ² = 0.04`);
});

test('same seed gives identical data; test set and other seeds differ', () => {
  const a = makeTeacherStudentData(config);
  const b = makeTeacherStudentData(config);
  assert.deepEqual(a.X, b.X);
  assert.deepEqual(a.Y, b.Y);
  assert.deepEqual(a.Ytest, b.Ytest);
  assert.deepEqual(a.teacherParams, b.teacherParams);
  assert.notDeepEqual(a.Xtest, a.X.subarray(0, a.Xtest.length));
  const c = makeTeacherStudentData({ ...config, seed: 12 });
  assert.notDeepEqual(c.X, a.X);
  assert.notDeepEqual(c.teacherParams, a.teacherParams);
});

test('streams are independent: more training rows leave the teacher and the test set unchanged', () => {
  const a = makeTeacherStudentData(config);
  const b = makeTeacherStudentData({ ...config, n: 5000 });
  assert.deepEqual(b.teacherParams, a.teacherParams);
  assert.deepEqual(b.Xtest, a.Xtest);
  assert.deepEqual(b.X.subarray(0, a.X.length), a.X);
});

test('noiseStd 0 gives the teacher output exactly (rounded to float32)', () => {
  const data = makeTeacherStudentData({ ...config, noiseStd: 0 });
  assert.deepEqual(data.Y, Float32Array.from(mlpForwardF64(data.teacherLayout, data.teacherParams, data.X)));
});

test('shape mismatches are named', () => {
  assert.throws(
    () => makeTeacherStudentData({ ...config, inputDim: 4 }),
    /Error in makeTeacherStudentData: teacher\.widths\[0\] \(3\) must equal inputDim \(4\)/,
  );
  assert.throws(() => makeTeacherStudentData({ ...config, noiseStd: -1 }), /noiseStd must be a finite number ≥ 0/);
});

test('defaults reproduce the original generator bit for bit: x ~ N(0, I) from "inputs", y = f(x) + σ·z from "noise"', () => {
  const data = makeTeacherStudentData(config);
  const X = Float32Array.from(createRng(11, 'inputs').fillNormal(new Float64Array(4000 * 3)));
  assert.deepEqual(data.X, X);
  const clean = mlpForwardF64(data.teacherLayout, data.teacherParams, X);
  const z = createRng(11, 'noise').fillNormal(new Float64Array(clean.length));
  assert.deepEqual(data.Y, Float32Array.from(clean, (c, i) => c + 0.2 * z[i]));
  assert.deepEqual(data.noise, { kind: 'gauss', std: 0.2 });
  assert.ok(Math.abs(data.noiseVariance / 0.04 - 1) < 0.05, `noiseVariance ${data.noiseVariance}`);
  const explicit = makeTeacherStudentData({ ...config, noiseStd: undefined, inputs: { kind: 'gauss-iso' }, noise: { kind: 'gauss', std: 0.2 }, teacherDropout: 0 });
  assert.deepEqual(explicit.Y, data.Y);
  assert.deepEqual(explicit.Ytest, data.Ytest);
});

test('teacher dropout: a zeroed hidden unit per row with probability p, kept units scaled by 1/(1 − p)', () => {
  // One hidden unit, identity activation, no biases, no noise: y = 0 exactly when the unit drops.
  const p = 0.3;
  const n = 100_000;
  const data = makeTeacherStudentData({
    seed: 3,
    n,
    nTest: 10,
    inputDim: 2,
    teacher: { widths: [2, 1, 1], activation: 'identity', bias: false },
    noiseStd: 0,
    teacherDropout: p,
  });
  const full = mlpForwardF64(data.teacherLayout, data.teacherParams, data.X);
  let zeros = 0;
  let maxError = 0;
  for (let i = 0; i < n; i++) {
    if (data.Y[i] === 0) zeros++;
    else maxError = Math.max(maxError, Math.abs(data.Y[i] - full[i] / (1 - p)) / Math.abs(full[i] / (1 - p)));
  }
  assertBinomial(zeros, n, p, 'labels with the teacher unit dropped');
  assert.ok(maxError < 1e-6, `kept rows are f(x)/(1 − p): relative error ${maxError}`);
  // Wider teacher: the scale array has exactly the requested zero fraction and mean 1.
  const scale = makeDropoutScale(n, 8, 0.25, createRng(1, 'd'));
  assertBinomial(scale.reduce((c, v) => c + (v === 0 ? 1 : 0), 0), 8 * n, 0.25, 'zeroed (row, unit) pairs');
  assert.ok(scale.every((v) => v === 0 || v === 1 / 0.75));
});

test('every option together: reproducible, shared input structure, independent test set, prefix-stable', () => {
  const full: TeacherStudentDataConfig = {
    ...config,
    teacher: { widths: [3, 6, 5, 2], activation: 'gelu', bias: true, layerNorm: true },
    inputs: { kind: 'mixture', k: 3, spread: 4 },
    noise: { kind: 'outliers', fraction: 0.05, scale: 10 },
    teacherDropout: 0.1,
  };
  const a = makeTeacherStudentData(full);
  const b = makeTeacherStudentData(full);
  for (const key of ['X', 'Y', 'Xtest', 'Ytest'] as const) assert.deepEqual(new Uint8Array(b[key].buffer), new Uint8Array(a[key].buffer), key);
  assert.deepEqual(a.noise, { kind: 'outliers', fraction: 0.05, scale: 10, std: 0.2 });
  // Test rows come from the same mixture: each is within a few units of one of the training set's centres.
  assert.equal(a.inputStructure.kind, 'mixture');
  const centres = (a.inputStructure as { centres: Float64Array }).centres;
  for (let r = 0; r < 1000; r++) {
    let best = Infinity;
    for (let c = 0; c < 3; c++) {
      let d = 0;
      for (let i = 0; i < 3; i++) d += (a.Xtest[r * 3 + i] - centres[c * 3 + i]) ** 2;
      best = Math.min(best, d);
    }
    assert.ok(best < 30, `test row ${r} is ${Math.sqrt(best)} from every centre`);
  }
  assert.notDeepEqual(a.Xtest, a.X.subarray(0, a.Xtest.length));
  const more = makeTeacherStudentData({ ...full, n: 5000, nTest: 1200 });
  assert.deepEqual(more.X.subarray(0, a.X.length), a.X);
  assert.deepEqual(more.Y.subarray(0, a.Y.length), a.Y);
  assert.deepEqual(more.Xtest.subarray(0, a.Xtest.length), a.Xtest);
  assert.deepEqual(more.Ytest.subarray(0, a.Ytest.length), a.Ytest);
});

test('bad data options are named', () => {
  assert.throws(() => makeTeacherStudentData({ ...config, inputs: { kind: 'gauss-aniso', rho: 1.5 } }), {
    message: 'Error in makeTeacherStudentData: inputs.rho must be in (0, 1), got 1.5',
  });
  assert.throws(() => makeTeacherStudentData({ ...config, noise: { kind: 'student-t', df: -2 } }), /noise\.df must be a finite number > 0, got -2/);
  assert.throws(() => makeTeacherStudentData({ ...config, teacherDropout: 1 }), /teacherDropout must be in \[0, 1\), got 1/);
  assert.throws(
    () => makeTeacherStudentData({ ...config, teacher: { widths: [3, 2], activation: 'relu', bias: true }, teacherDropout: 0.5 }),
    /teacherDropout needs a teacher with at least one hidden layer/,
  );
  assert.throws(() => makeTeacherStudentData({ ...config, noiseStd: undefined }), /give the noise scale as noise\.std or noiseStd/);
});
