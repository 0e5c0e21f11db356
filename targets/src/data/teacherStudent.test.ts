import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mlpForwardF64 } from '../models/mlpReference';
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
