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
  const a = await buildTeacherStudentTarget(config);
  const sigma2 = 0.1 ** 2;
  assert.equal(a.d, 4 * 16 + 16 + 16 + 1);
  assert.equal(a.wStar.length, a.d);
  assert.equal(a.X.length, 2000 * 4);
  assert.equal(a.Ytest.length, 1000);
  assert.ok(a.history[0].trainLoss > 10 * sigma2, `initial loss ${a.history[0].trainLoss}`);
  assert.ok(a.L0 < 1.5 * sigma2 && a.L0 > 0.5 * sigma2, `L0 = ${a.L0}, σ² = ${sigma2}`);
  assert.ok(a.testLoss < 2 * sigma2, `test loss ${a.testLoss}`);
  assert.ok(a.history.every((h) => h.testLoss !== undefined));
  assert.deepEqual(a.studentSpec, config.student);
  assert.deepEqual(a.noise, { kind: 'gauss', std: 0.1 });
  assert.ok(Math.abs(a.noiseVariance / sigma2 - 1) < 0.1, `noiseVariance ${a.noiseVariance}`);

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
    buildTeacherStudentTarget({ ...config, teacher: { ...config.teacher, activation: 'swish' as never } }),
    /Error in buildTeacherStudentTarget: teacher\.activation must be one of/,
  );
  await assert.rejects(buildTeacherStudentTarget({ ...config, train: { ...config.train, maxSteps: 0 } }), /train\.maxSteps must be a positive integer/);
  await assert.rejects(buildTeacherStudentTarget({ ...config, inputs: { kind: 'heavy-tail', df: 0 } }), {
    message: 'Error in buildTeacherStudentTarget: inputs.df must be a finite number > 0, got 0',
  });
  await assert.rejects(buildTeacherStudentTarget({ ...config, noise: { kind: 'outliers', fraction: 2, scale: 5 } }), /noise\.fraction must be in \[0, 1\], got 2/);
  await assert.rejects(buildTeacherStudentTarget({ ...config, teacherDropout: -0.1 }), /teacherDropout must be in \[0, 1\), got -0\.1/);
  await assert.rejects(
    buildTeacherStudentTarget({ ...config, student: { depth: 1, paramCount: 5, activation: 'relu', bias: true } }),
    /Error in buildTeacherStudentTarget: student\.paramCount 5 is below the smallest network of depth 1/,
  );
  await assert.rejects(buildTeacherStudentTarget({ ...config, train: { ...config.train, momentum: 0.9 } }), {
    message: "Error in buildTeacherStudentTarget: train.momentum applies to optimizer sgd only, not 'adam'",
  });
});

test('a student given by { depth, paramCount } is the same target as the one with those widths', async () => {
  const short = { ...config.train, maxSteps: 200 };
  // d = 4h + h + h + 1 = 6h + 1 → h = 16 for 97 (and for 95..100).
  const sized = await buildTeacherStudentTarget({ ...config, train: short, student: { depth: 1, paramCount: 99, activation: 'relu', bias: true } });
  const explicit = await buildTeacherStudentTarget({ ...config, train: short });
  assert.deepEqual(sized.studentSpec, config.student);
  assert.equal(sized.d, 97);
  assert.deepEqual(sized.wStar, explicit.wStar);
  assert.equal(sized.L0, explicit.L0);
});

test('gelu + layer-norm student, sgd and adamw optimisers, non-default data: train below the initial loss, reproducibly', async () => {
  const variant: TeacherStudentConfig = {
    ...config,
    inputs: { kind: 'gauss-aniso', rho: 0.7 },
    noise: { kind: 'student-t', df: 5 },
    teacherDropout: 0.05,
    student: { widths: [4, 12, 1], activation: 'gelu', bias: true, layerNorm: true },
  };
  for (const train of [
    { ...config.train, maxSteps: 150, optimizer: 'sgd' as const, momentum: 0.9, lr: 0.01 },
    { ...config.train, maxSteps: 150, optimizer: 'adamw' as const, weightDecay: 0.001 },
  ]) {
    const a = await buildTeacherStudentTarget({ ...variant, train });
    assert.equal(a.d, 4 * 12 + 12 + 2 * 12 + 12 + 1);
    assert.ok(a.L0 < 0.5 * a.history[0].trainLoss, `${train.optimizer}: L0 ${a.L0} vs initial ${a.history[0].trainLoss}`);
    const b = await buildTeacherStudentTarget({ ...variant, train });
    assert.deepEqual(b.wStar, a.wStar);
    assert.deepEqual(b.history, a.history);
  }
});
