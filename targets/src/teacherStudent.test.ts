import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildTeacherStudentTarget, type TeacherStudentConfig } from './teacherStudent';

const config: TeacherStudentConfig = {
  name: 'ts-small',
  seed: 7,
  n: 2000,
  nTest: 1000,
  inputDim: 4,
  noiseStd: 0.1,
  teacher: { widths: [4, 8, 1], activation: 'relu', bias: true },
  student: { widths: [4, 16, 1], activation: 'relu', bias: true },
  train: { lr: 0.03, maxSteps: 3000, patience: 100, minDelta: 1e-3 },
};

test('training a 4-16-1 student reaches the noise floor σ² and a rebuild is bit-identical', async () => {
  const started = performance.now();
  const a = await buildTeacherStudentTarget(config);
  const seconds = (performance.now() - started) / 1000;
  const sigma2 = config.noiseStd ** 2;
  assert.equal(a.d, 4 * 16 + 16 + 16 + 1);
  assert.equal(a.wStar.length, a.d);
  assert.equal(a.X.length, 2000 * 4);
  assert.equal(a.Ytest.length, 1000);
  assert.ok(a.history[0].trainLoss > 10 * sigma2, `initial loss ${a.history[0].trainLoss}`);
  assert.ok(a.L0 < 1.5 * sigma2 && a.L0 > 0.5 * sigma2, `L0 = ${a.L0}, σ² = ${sigma2}`);
  assert.ok(a.testLoss < 2 * sigma2, `test loss ${a.testLoss}`);
  assert.ok(a.history.every((h) => h.testLoss !== undefined));
  assert.ok(seconds < 10, `build took ${seconds.toFixed(1)} s`);

  const b = await buildTeacherStudentTarget(config);
  for (const key of ['X', 'Y', 'Xtest', 'Ytest', 'wInit', 'wStar'] as const) {
    assert.deepEqual(new Uint8Array(b[key].buffer), new Uint8Array(a[key].buffer), `${key} differs between runs`);
  }
  assert.deepEqual(b.teacher.params, a.teacher.params);
  assert.equal(b.L0, a.L0);
  assert.equal(b.testLoss, a.testLoss);
  assert.deepEqual(b.history, a.history);
  assert.equal(b.steps, a.steps);
});

test('shape mismatches are caught up front with named messages', async () => {
  await assert.rejects(
    buildTeacherStudentTarget({ ...config, student: { ...config.student, widths: [8, 16, 1] } }),
    { message: 'Error in buildTeacherStudentTarget: student.widths[0] (8) must equal inputDim (4)' },
  );
  await assert.rejects(
    buildTeacherStudentTarget({ ...config, student: { ...config.student, widths: [4, 16, 2] } }),
    /student\.widths\[2\] \(2\) must equal teacher\.widths\[2\] \(1\)/,
  );
  await assert.rejects(
    buildTeacherStudentTarget({ ...config, teacher: { ...config.teacher, activation: 'gelu' as never } }),
    /Error in buildTeacherStudentTarget: teacher\.activation must be one of/,
  );
  await assert.rejects(buildTeacherStudentTarget({ ...config, train: { ...config.train, maxSteps: 0 } }), /train\.maxSteps must be a positive integer/);
});
