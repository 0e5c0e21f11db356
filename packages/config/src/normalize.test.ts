import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pipelineLayout, expandPipeline, placementFileContent, type SampleSlice } from './normalize';
import { formatIdValue } from '@llc/core/sweep';
import { PipelineConfigError } from './errors';
import { sweep } from '@llc/core/sweep';

const FILE = 'study.config.ts';

// Loosely typed builders: the error table feeds deliberately wrong values.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Loose = any;

function target(extra: Loose = {}): Loose {
  return {
    kind: 'teacher-student',
    n: 1000,
    inputDim: 2,
    teacher: { widths: [2, 3, 1] },
    student: { widths: [2, 4, 1] },
    ...extra,
  };
}

function sgld(extra: Loose = {}): Loose {
  return { kind: 'sgld', stepSize: 1e-3, ...extra };
}

function config(extra: Loose = {}): Loose {
  return { targets: { a: target() }, samplers: { sgld: sgld() }, ...extra };
}

const ids = (input: unknown) => expandPipeline(input, FILE).samples.map((s) => s.slice.id);
const sampleOf = (input: unknown, id: string): SampleSlice => {
  const unit = expandPipeline(input, FILE).samples.find((s) => s.slice.id === id);
  assert.ok(unit, `no sample ${id}`);
  return unit.slice;
};

function problemsOf(input: unknown): PipelineConfigError {
  try {
    expandPipeline(input, FILE);
  } catch (e) {
    assert.ok(e instanceof PipelineConfigError, `expected a PipelineConfigError, got ${String(e)}`);
    return e;
  }
  assert.fail('expected the config to be rejected');
}

// ---------------------------------------------------------------- expansion

test('2 targets × 1 sampler with a 2-value sweep → 4 runs, ids in target, then sweep order', () => {
  const p = expandPipeline(
    config({ targets: { b: target(), a: target() }, samplers: { sgld: sgld({ stepSize: sweep([1e-4, 3e-4]) }) } }),
    FILE,
  );
  assert.deepEqual(
    p.samples.map((s) => s.slice.id),
    ['a--sgld--stepSize-1e-4', 'a--sgld--stepSize-3e-4', 'b--sgld--stepSize-1e-4', 'b--sgld--stepSize-3e-4'],
  );
  assert.deepEqual(
    p.samples.map((s) => [s.project, s.root, s.outputDir]),
    p.samples.map((s) => [`sample-${s.slice.id}`, `pipeline/samples/${s.slice.id}`, `artifacts/samples/${s.slice.id}`]),
  );
  assert.deepEqual(
    p.samples.map((s) => [(s.slice.config as { stepSize: number }).stepSize, s.slice.sweep]),
    [
      [1e-4, { stepSize: 1e-4 }],
      [3e-4, { stepSize: 3e-4 }],
      [1e-4, { stepSize: 1e-4 }],
      [3e-4, { stepSize: 3e-4 }],
    ],
  );
  assert.deepEqual(
    p.targets.map((t) => t.project),
    ['target-a', 'target-b'],
  );
  assert.deepEqual(
    p.analyses.map((a) => a.slice.id),
    p.samples.map((s) => s.slice.id),
  );
  assert.deepEqual(p.report.slice.analyses.map((a) => a.id), p.samples.map((s) => s.slice.id));
  assert.deepEqual(p.report.slice.analyses[0], { id: p.samples[0].slice.id, dir: `artifacts/analysis/${p.samples[0].slice.id}`, project: `analysis-${p.samples[0].slice.id}` });
});

test('two sweeps expand to their Cartesian product; ids list the swept keys sorted', () => {
  const input = config({
    samplers: { sgld: sgld({ stepSize: sweep([1e-4, 1e-3]), chains: sweep([2, 4, 8]) }) },
  });
  assert.deepEqual(ids(input), [
    'a--sgld--chains-2--stepSize-1e-4',
    'a--sgld--chains-2--stepSize-1e-3',
    'a--sgld--chains-4--stepSize-1e-4',
    'a--sgld--chains-4--stepSize-1e-3',
    'a--sgld--chains-8--stepSize-1e-4',
    'a--sgld--chains-8--stepSize-1e-3',
  ]);
  const s = sampleOf(input, 'a--sgld--chains-4--stepSize-1e-3');
  assert.equal(s.config.chains, 4);
  assert.equal((s.config as { stepSize: number }).stepSize, 1e-3);
  assert.deepEqual(s.sweep, { chains: 4, stepSize: 1e-3 });
});

test('posterior sweeps (beta0, gamma) expand too, sorted with the sampler sweeps', () => {
  const input = config({ posterior: { beta0: sweep([0.5, 2]), gamma: sweep([0, 10]) } });
  assert.deepEqual(ids(input), [
    'a--sgld--beta0-5e-1--gamma-0',
    'a--sgld--beta0-5e-1--gamma-10',
    'a--sgld--beta0-2--gamma-0',
    'a--sgld--beta0-2--gamma-10',
  ]);
  const s = sampleOf(input, 'a--sgld--beta0-2--gamma-10');
  assert.deepEqual(s.posterior, { beta0: 2, gamma: 10 });
  assert.deepEqual(s.sweep, { beta0: 2, gamma: 10 });

  const mixed = config({ posterior: { gamma: sweep([1, 100]) }, samplers: { sgld: sgld({ stepSize: sweep([1e-4, 1e-5]) }) } });
  assert.deepEqual(ids(mixed), [
    'a--sgld--gamma-1--stepSize-1e-4',
    'a--sgld--gamma-1--stepSize-1e-5',
    'a--sgld--gamma-100--stepSize-1e-4',
    'a--sgld--gamma-100--stepSize-1e-5',
  ]);
  // A run's posterior override replaces the pipeline's, and may itself be a sweep.
  const perRun = config({ posterior: { beta0: 3 }, runs: [{ posterior: { gamma: sweep([5, 6]) } }] });
  assert.deepEqual(ids(perRun), ['a--sgld--gamma-5', 'a--sgld--gamma-6']);
  assert.deepEqual(sampleOf(perRun, 'a--sgld--gamma-6').posterior, { beta0: 3, gamma: 6 });
});

test('runs: a target subset, and overrides (a non-swept override keeps the id; a swept one adds to it)', () => {
  const input = config({
    targets: { a: target(), b: target(), c: target() },
    samplers: { sgld: sgld(), fast: sgld({ stepSize: 1e-2 }) },
    runs: [
      { target: ['a', 'c'], sampler: 'sgld', overrides: { stepSize: 5e-4, chains: 2 } },
      { target: 'b', overrides: { stepSize: sweep([1e-5, 2e-5]) } },
    ],
  });
  assert.deepEqual(ids(input), [
    'a--sgld',
    'c--sgld',
    'b--fast--stepSize-1e-5',
    'b--fast--stepSize-2e-5',
    'b--sgld--stepSize-1e-5',
    'b--sgld--stepSize-2e-5',
  ]);
  const a = sampleOf(input, 'a--sgld');
  assert.equal((a.config as { stepSize: number }).stepSize, 5e-4);
  assert.equal(a.config.chains, 2);
  assert.equal((a.config as { batchSize: number }).batchSize, 256, 'untouched hyperparameters keep the sampler (default) value');
  assert.deepEqual(a.sweep, {});
  assert.equal((sampleOf(input, 'b--fast--stepSize-2e-5').config as { stepSize: number }).stepSize, 2e-5);
});

test('overrides are validated like the sampler itself, with the path of the override', () => {
  const e = problemsOf(config({ runs: [{ overrides: { stepSize: -1 } }] }));
  assert.deepEqual(e.problems, ['runs[0].overrides.stepSize: Too small: expected number to be >0 (got -1)']);
  assert.match(e.message, /study\.config\.ts/);

  // Reported once, not once per target the run covers.
  const twoTargets = problemsOf(config({ targets: { a: target(), b: target() }, runs: [{ overrides: { stepSize: 'big' } }] }));
  assert.equal(twoTargets.problems.length, 1);
  assert.match(twoTargets.problems[0], /^runs\[0\]\.overrides\.stepSize: .*expected number.*\(got "big"\)/);

  const typo = problemsOf(config({ runs: [{ overrides: { stepsize: 1e-3 } }] }));
  assert.match(typo.problems[0], /^runs\[0\]\.overrides\.stepsize: unknown key \(did you mean 'stepSize'\?\)/);

  const kind = problemsOf(config({ runs: [{ overrides: { kind: 'hmc' } }] }));
  assert.deepEqual(kind.problems, [
    `runs[0].overrides.kind: a run cannot change its sampler's kind (got "hmc", the sampler is "sgld"); declare another sampler instead`,
  ]);
});

test('defaults are filled: the full slices of a minimal one-unit pipeline', () => {
  const p = expandPipeline(
    {
      targets: { a: { kind: 'teacher-student', n: 1000, inputDim: 2, teacher: { widths: [2, 1] }, student: { widths: [2, 3, 1] } } },
      samplers: { sgld: { kind: 'sgld', stepSize: 1e-3 } },
    },
    FILE,
  );
  assert.deepEqual(p.targets, [
    {
      project: 'target-a',
      placement: { backend: 'local', slurm: {} },
      root: 'pipeline/targets/a',
      outputDir: 'artifacts/targets/a',
      slice: {
        stage: 'target',
        name: 'a',
        engine: 'auto',
        config: {
          kind: 'teacher-student',
          n: 1000,
          nTest: 1000,
          inputDim: 2,
          noiseStd: 0.1,
          inputs: { kind: 'gauss-iso' },
          teacherDropout: 0,
          teacher: { widths: [2, 1], activation: 'relu', bias: true, layerNorm: false },
          student: { widths: [2, 3, 1], activation: 'relu', bias: true, layerNorm: false },
          train: { optimizer: 'adam', lr: 0.01, maxSteps: 3000, patience: 200, minDelta: 1e-4 },
          seed: 0,
        },
      },
    },
  ]);
  assert.deepEqual(p.samples, [
    {
      project: 'sample-a--sgld',
      placement: { backend: 'local', slurm: {} },
      root: 'pipeline/samples/a--sgld',
      outputDir: 'artifacts/samples/a--sgld',
      slice: {
        stage: 'sample',
        id: 'a--sgld',
        target: 'a',
        targetDir: 'artifacts/targets/a',
        targetProject: 'target-a',
        sampler: 'sgld',
        engine: 'auto',
        seed: 0,
        posterior: { beta0: 1, gamma: 1 },
        config: {
          kind: 'sgld',
          stepSize: 1e-3,
          batchSize: 256,
          chains: 4,
          steps: 2000,
          burnIn: 0,
          evalEvery: 10,
          initNoise: 0.01,
          precondition: 'none',
          beta1: 0.9,
          beta2: 0.999,
          eps: 0.1,
          biasCorrection: false,
          malaDiagnostic: true,
          malaEvery: 10,
        },
        sweep: {},
      },
    },
  ]);
  assert.deepEqual(p.analyses, [
    {
      project: 'analysis-a--sgld',
      placement: { backend: 'local', slurm: {} },
      root: 'pipeline/analysis/a--sgld',
      outputDir: 'artifacts/analysis/a--sgld',
      slice: {
        stage: 'analysis',
        id: 'a--sgld',
        run: 'a--sgld',
        target: 'a',
        sampleDir: 'artifacts/samples/a--sgld',
        sampleProject: 'sample-a--sgld',
        targetDir: 'artifacts/targets/a',
        targetProject: 'target-a',
        sampler: 'sgld',
        samplerKind: 'sgld',
        sweep: {},
        hyperparameters: {
          stepSize: 1e-3,
          batchSize: 256,
          chains: 4,
          steps: 2000,
          burnIn: 0,
          evalEvery: 10,
          initNoise: 0.01,
          precondition: 'none',
          beta1: 0.9,
          beta2: 0.999,
          eps: 0.1,
          biasCorrection: false,
          malaDiagnostic: true,
          malaEvery: 10,
          beta0: 1,
          gamma: 1,
        },
        analysis: { discard: 0, rhatThreshold: 1.01, essThreshold: 400, malaAcceptanceMin: 0.9, divergenceRate: 0.001, agreementMcse: 3 },
        // No known λ is visible here and no HMC run: no reference run.
        restrict: null,
        checkpoint: null,
        reference: null,
      },
    },
  ]);
  assert.deepEqual(p.report, {
    project: 'report',
    placement: { backend: 'local', slurm: {} },
    root: 'pipeline/report',
    outputDir: 'artifacts/report',
    slice: {
      stage: 'report',
      title: 'LLC study',
      analyses: [{ id: 'a--sgld', dir: 'artifacts/analysis/a--sgld', project: 'analysis-a--sgld' }],
      agreementMcse: 3,
    },
  });
});

test('seeds: sampler and target seeds fall back to the pipeline seed; their own seeds win', () => {
  const p = expandPipeline(
    config({
      seed: 7,
      targets: { a: target(), b: target({ seed: 11 }) },
      samplers: { plain: sgld(), seeded: sgld({ seed: 3 }) },
    }),
    FILE,
  );
  assert.deepEqual(
    p.targets.map((t) => [t.slice.name, t.slice.config.seed]),
    [
      ['a', 7],
      ['b', 11],
    ],
  );
  assert.deepEqual(
    p.samples.map((s) => [s.slice.id, s.slice.seed]),
    [
      ['a--plain', 7],
      ['a--seeded', 3],
      ['b--plain', 7],
      ['b--seeded', 3],
    ],
  );
  // With no seed anywhere, everything is seeded 0.
  const d = expandPipeline(config(), FILE);
  assert.equal(d.targets[0].slice.config.seed, 0);
  assert.equal(d.samples[0].slice.seed, 0);
});

test('placement: pipeline backend and slurm defaults, overridden field by field per target, sampler and run; never in a slice', () => {
  const input = config({
    backend: 'slurm',
    slurm: { partition: 'cpu', time: '30', account: 'slt' },
    targets: { a: target(), b: target({ backend: 'local' }) },
    samplers: { sgld: sgld({ slurm: { time: '2:00:00', mem: '4G' } }), hmc: { kind: 'hmc' } },
    runs: [{ target: '*', sampler: '*' }],
  });
  const p = expandPipeline(input, FILE);
  assert.deepEqual(p.placement, { backend: 'slurm', slurm: { partition: 'cpu', time: '30', account: 'slt' } });
  const byProject = Object.fromEntries([...p.targets, ...p.samples, ...p.analyses, p.report].map((u) => [u.project, u.placement]));
  assert.deepEqual(byProject['target-a'], { backend: 'slurm', slurm: { account: 'slt', partition: 'cpu', time: '30' } });
  assert.equal(byProject['target-b'].backend, 'local');
  assert.deepEqual(byProject['sample-a--sgld'], { backend: 'slurm', slurm: { account: 'slt', mem: '4G', partition: 'cpu', time: '2:00:00' } });
  assert.deepEqual(byProject['sample-a--hmc'].slurm.time, '30');
  assert.equal(byProject['analysis-a--sgld'].backend, 'slurm');
  for (const u of [...p.targets, ...p.samples]) {
    const config = (u.slice as { config: Record<string, unknown> }).config;
    assert.ok(!('backend' in config) && !('slurm' in config), `${u.project}: the placement leaked into the slice`);
  }
  // Switching the backend leaves every slice (and so every cache key) as it was.
  const local = expandPipeline({ ...input, backend: 'local', slurm: undefined }, FILE);
  assert.deepEqual(local.samples.map((u) => u.slice), p.samples.map((u) => u.slice));
  assert.deepEqual(local.targets.map((u) => u.slice), p.targets.map((u) => u.slice));
  // A run's overrides can move it too.
  const moved = expandPipeline(config({ runs: [{ target: 'a', sampler: 'sgld', overrides: { backend: 'slurm', slurm: { gpus: 1 } } }] }), FILE);
  assert.deepEqual(moved.samples[0].placement, { backend: 'slurm', slurm: { gpus: 1 } });
  assert.deepEqual(placementFileContent(moved), { pipeline: { backend: 'local', slurm: {} }, projects: { 'sample-a--sgld': { backend: 'slurm', slurm: { gpus: 1 } } } });
});

test('formatIdValue: short, path-safe, lossless', () => {
  const cases: Array<[number | string | boolean, string]> = [
    [1e-4, '1e-4'],
    [3e-4, '3e-4'],
    [0.00012, '1.2e-4'],
    [0.5, '5e-1'],
    [2.5, '2.5e0'],
    [0, '0'],
    [4, '4'],
    [256, '256'],
    [999999, '999999'],
    [1e6, '1e6'],
    [1234567, '1.234567e6'],
    [1e21, '1e21'],
    [true, 'true'],
    [false, 'false'],
    ['relu', 'relu'],
    ['a/b c', 'a_b_c'],
  ];
  for (const [value, expected] of cases) assert.equal(formatIdValue(value), expected, `formatIdValue(${String(value)})`);
  for (const v of [1e-4, 0.00012, 2.5, 1234567, 0.1 + 0.2]) assert.equal(Number(formatIdValue(v)), v, `lossless for ${v}`);
});

// ---------------------------------------------------------------- errors

interface ErrorCase {
  name: string;
  input: Loose;
  /** Strings every case's message must contain: the field path, the bad value or what is allowed. */
  expect: Array<string | RegExp>;
}

const nameRule = "names must be lowercase letters, digits, '_' or single '-'";

const errorCases: ErrorCase[] = [
  {
    name: 'top-level typo: sampler instead of samplers',
    input: (() => {
      const c = config();
      c.sampler = c.samplers;
      return c;
    })(),
    expect: ["sampler: unknown key (did you mean 'samplers'?)", 'allowed here: seed, engine, backend, slurm, posterior, targets, samplers, runs'],
  },
  {
    name: 'unknown key inside a sampler',
    input: config({ samplers: { sgld: sgld({ stepsize: 1e-3 }) } }),
    expect: ["samplers.sgld.stepsize: unknown key (did you mean 'stepSize'?)", 'allowed here: kind, stepSize, batchSize, chains'],
  },
  {
    name: 'unknown key inside a target train block',
    input: config({ targets: { a: target({ train: { maxStep: 10 } }) } }),
    expect: ["targets.a.train.maxStep: unknown key (did you mean 'maxSteps'?)", 'allowed here: optimizer, lr, momentum, weightDecay, maxSteps, patience, minDelta'],
  },
  {
    name: 'stepSize negative',
    input: config({ samplers: { sgld: sgld({ stepSize: -1e-3 }) } }),
    expect: ['samplers.sgld.stepSize:', 'expected number to be >0', '(got -0.001)'],
  },
  {
    name: 'stepSize zero',
    input: config({ samplers: { sgld: sgld({ stepSize: 0 }) } }),
    expect: ['samplers.sgld.stepSize:', 'expected number to be >0', '(got 0)'],
  },
  {
    name: 'stepSize a string',
    input: config({ samplers: { sgld: sgld({ stepSize: '1e-3' }) } }),
    expect: ['samplers.sgld.stepSize:', 'expected number, received string', '(got "1e-3")', 'or sweep([...]) of such values'],
  },
  {
    name: 'a sweep with one bad value',
    input: config({ samplers: { sgld: sgld({ stepSize: sweep([1e-3, -1]) }) } }),
    expect: ['samplers.sgld.stepSize.$sweep[1]:', 'expected number to be >0', '(got -1)'],
  },
  {
    name: 'chains 0',
    input: config({ samplers: { sgld: sgld({ chains: 0 }) } }),
    expect: ['samplers.sgld.chains:', 'expected number to be >0', '(got 0)'],
  },
  {
    name: 'chains 1.5',
    input: config({ samplers: { sgld: sgld({ chains: 1.5 }) } }),
    expect: ['samplers.sgld.chains:', 'expected int', '(got 1.5)'],
  },
  {
    name: 'batchSize larger than the target n',
    input: config({ targets: { a: target({ n: 100 }) }, samplers: { sgld: sgld({ batchSize: 500 }) } }),
    expect: [
      "(target 'a', sampler 'sgld'), run 'a--sgld': samplers.sgld.batchSize is 500, which exceeds the target's n (100); use at most 100",
    ],
  },
  {
    name: 'batchSize larger than n, set by a run override',
    input: config({ targets: { a: target({ n: 100 }) }, runs: [{ overrides: { batchSize: 101 } }] }),
    expect: ["runs[0] (target 'a', sampler 'sgld'), run 'a--sgld': runs[0].overrides.batchSize is 101", "target's n (100)"],
  },
  {
    name: 'empty sweep',
    input: config({ samplers: { sgld: sgld({ stepSize: sweep([]) }) } }),
    expect: ['samplers.sgld.stepSize.$sweep: a sweep needs at least one value (got [])'],
  },
  {
    name: 'run naming a missing target',
    input: config({ targets: { 'mlp-small': target() }, runs: [{ target: 'mlp-smal' }] }),
    expect: ['runs[0].target: no target named "mlp-smal" (did you mean \'mlp-small\'?); declared targets: mlp-small'],
  },
  {
    name: 'run naming a missing sampler',
    input: config({ runs: [{ sampler: ['sgld', 'sgd'] }] }),
    expect: ['runs[0].sampler: no sampler named "sgd" (did you mean \'sgld\'?); declared samplers: sgld'],
  },
  {
    name: "unsafe target name '../x'",
    input: config({ targets: { '../x': target() } }),
    expect: ['targets["../x"]: invalid name "../x": target ' + nameRule],
  },
  {
    name: "unsafe target name 'a/b'",
    input: config({ targets: { 'a/b': target() } }),
    expect: ['targets["a/b"]: invalid name "a/b": target ' + nameRule],
  },
  {
    name: "empty sampler name ''",
    input: config({ samplers: { '': sgld() } }),
    expect: ['samplers[""]: invalid name "": sampler ' + nameRule],
  },
  {
    name: "uppercase name 'A'",
    input: config({ targets: { A: target() } }),
    expect: ['targets.A: invalid name "A": target ' + nameRule],
  },
  {
    name: "name with '--' (the id separator)",
    input: config({ targets: { 'a--b': target() } }),
    expect: ['targets.a--b: invalid name "a--b": target ' + nameRule],
  },
  {
    name: 'unsafe name in a run selection',
    input: config({ runs: [{ target: '../x' }] }),
    expect: ['runs[0].target:', nameRule, '(got "../x")'],
  },
  {
    name: 'unknown sampler kind',
    input: config({ samplers: { sgld: sgld({ kind: 'nuts' }) } }),
    expect: ['samplers.sgld.kind: got "nuts"; allowed: "sgld", "sgnht", "hmc", "mclmc", "vi"'],
  },
  {
    name: 'a deep linear network rank above its smallest width',
    input: config({ targets: { a: { kind: 'dln', widths: [3, 2, 3], rank: 3, n: 1000 } } }),
    expect: ['targets.a.rank: 3 exceeds the smallest width (2)'],
  },
  {
    name: 'a singular potential with a flat prior',
    input: config({ targets: { a: { kind: 'potential', potential: { type: 'normal-crossing', k: [1, 2] }, temperature: 100 } } }),
    expect: ['targets.a.prior: a normal-crossing potential vanishes on an unbounded set', 'use prior: { gamma: 1 }'],
  },
  {
    name: 'hmc without a step size and without warm-up',
    input: config({ samplers: { h: { kind: 'hmc', burnIn: 0 } } }),
    expect: ['samplers.h.stepSize is required when samplers.h.burnIn is 0'],
  },
  {
    name: 'a preconditioned sgld with no burn-in to adapt in',
    input: config({ samplers: { sgld: sgld({ precondition: 'rmsprop' }) } }),
    expect: ['a rmsprop preconditioner adapts during burn-in', 'samplers.sgld.burnIn > 0'],
  },
  {
    name: 'a run whose estimated time exceeds limits.maxMinutes',
    input: config({ samplers: { sgld: sgld({ steps: 10_000_000 }) }, limits: { maxMinutes: 1 } }),
    expect: ['exceeds limits.maxMinutes (1)'],
  },
  {
    name: "an enum value in the old snake_case spelling (inputs)",
    input: config({ targets: { a: target({ inputs: { kind: 'gauss_iso' } }) } }),
    expect: [`targets.a.inputs.kind: got "gauss_iso" (did you mean 'gauss-iso'?); allowed: "gauss-iso", "gauss-aniso", "mixture", "lowdim-manifold", "heavy-tail"`],
  },
  {
    name: "an enum value in the old snake_case spelling (noise)",
    input: config({ targets: { a: target({ noise: { kind: 'student_t', df: 3 } }) } }),
    expect: [`targets.a.noise.kind: got "student_t" (did you mean 'student-t'?)`],
  },
  {
    name: 'a typo in a plain enum gets a did-you-mean',
    input: config({ samplers: { sgld: sgld({ precondition: 'rmsprp' }) } }),
    expect: [`samplers.sgld.precondition: got "rmsprp" (did you mean 'rmsprop'?); allowed: "none", "rmsprop", "adam" (or sweep([...]) of such values)`],
  },
  {
    name: 'unknown target kind',
    input: config({ targets: { a: target({ kind: 'linear' }) } }),
    expect: ['targets.a.kind: got "linear"; allowed: "teacher-student", "dln", "rrr", "potential"'],
  },
  {
    name: 'student.widths[0] differs from inputDim',
    input: config({ targets: { a: target({ student: { widths: [3, 4, 1] } }) } }),
    expect: ['targets.a.student.widths[0]: is 3 but must equal inputDim (2)'],
  },
  {
    name: 'teacher and student output widths differ',
    input: config({ targets: { a: target({ student: { widths: [2, 4, 2] } }) } }),
    expect: ["targets.a.student.widths: output width 2 must equal the teacher's output width (1)"],
  },
  {
    name: 'two runs entries producing the same run',
    input: config({ targets: { a: target(), b: target() }, runs: [{ target: '*' }, { target: 'b' }] }),
    expect: ["runs[1] (target 'b', sampler 'sgld'): duplicates the run 'b--sgld' already declared by runs[0] (target 'b', sampler 'sgld'); remove one of them"],
  },
  {
    name: 'steps < evalEvery',
    input: config({ samplers: { sgld: sgld({ steps: 5, evalEvery: 10 }) } }),
    expect: ["run 'a--sgld': samplers.sgld.steps (5) must be at least samplers.sgld.evalEvery (10) to record any draw"],
  },
  {
    name: 'engine not in the enum',
    input: config({ engine: 'gpu' }),
    expect: ['engine: got "gpu" (did you mean \'cpu\'?); allowed: "auto", "tfjs-node", "wasm", "cpu", "simd", "native"'],
  },
  {
    name: 'no targets declared',
    input: config({ targets: {} }),
    expect: ['targets: declare at least one target (got {})'],
  },
  {
    name: 'no samplers declared',
    input: config({ samplers: {} }),
    expect: ['samplers: declare at least one sampler (got {})'],
  },
  {
    name: 'slurm time limit in a format sbatch does not take',
    input: config({ backend: 'slurm', slurm: { time: '2h' } }),
    expect: ['slurm.time: an sbatch time limit such as "30", "1:30:00" or "2-00:00:00" (got "2h")'],
  },
  {
    name: 'unknown backend on a sampler',
    input: config({ samplers: { sgld: sgld({ backend: 'pbs' }) } }),
    expect: ['samplers.sgld.backend: got "pbs"; allowed: "local", "slurm"'],
  },
  {
    name: 'slurm setting typo on a target',
    input: config({ targets: { a: target({ slurm: { partiton: 'gpu' } }) } }),
    expect: ['targets.a.slurm', 'partiton', 'partition'],
  },
  {
    name: 'posterior beta0 zero',
    input: config({ posterior: { beta0: 0 } }),
    expect: ['posterior.beta0:', 'expected number to be >0', '(got 0)'],
  },
];

test(`config mistakes give actionable messages (${errorCases.length} cases)`, async (t) => {
  assert.ok(new Set(errorCases.map((c) => c.name)).size >= 15);
  for (const c of errorCases) {
    await t.test(c.name, () => {
      const e = problemsOf(c.input);
      assert.equal(e.file, FILE);
      assert.ok(e.message.startsWith(`Invalid pipeline config ${FILE} (1 problem; nothing was run):\n  - `), e.message);
      for (const want of c.expect) {
        if (typeof want === 'string') assert.ok(e.message.includes(want), `expected ${JSON.stringify(want)} in:\n${e.message}`);
        else assert.match(e.message, want);
      }
    });
  }
});

test('pipeline.<name>.ts files are namespaced: projects, slice folders and artifacts never collide', () => {
  const input = {
    targets: { a: { kind: 'teacher-student', n: 100, inputDim: 2, teacher: { widths: [2, 1] }, student: { widths: [2, 1] } } },
    samplers: { sgld: { kind: 'sgld', stepSize: 1e-3, batchSize: 10 } },
  };
  const p = expandPipeline(input, 'pipeline.calibration.ts');
  assert.equal(p.targets[0].project, 'calibration-target-a');
  assert.equal(p.targets[0].root, 'pipeline/calibration/targets/a');
  assert.equal(p.targets[0].outputDir, 'artifacts/calibration/targets/a');
  assert.equal(p.samples[0].slice.targetProject, 'calibration-target-a');
  assert.equal(p.analyses[0].slice.sampleDir, 'artifacts/calibration/samples/a--sgld');
  assert.equal(p.report.project, 'calibration-report');
  assert.equal(p.report.outputDir, 'artifacts/calibration/report');
  assert.equal(pipelineLayout('pipeline.config.ts').projectPrefix, '');
  assert.throws(() => pipelineLayout('pipeline.targets.ts'), /'targets' is reserved/);
});

test('PipelineConfigError lists every problem at once and says nothing was run', () => {
  const e = problemsOf(
    config({
      engine: 'gpu',
      targets: { a: target({ student: { widths: [3, 1] } }) },
      samplers: { sgld: sgld({ stepSize: -1, chains: 0 }) },
    }),
  );
  assert.equal(e.name, 'PipelineConfigError');
  assert.deepEqual(e.problems, [
    `engine: got "gpu" (did you mean 'cpu'?); allowed: "auto", "tfjs-node", "wasm", "cpu", "simd", "native"`,
    'samplers.sgld.stepSize: Too small: expected number to be >0 (got -1)',
    'samplers.sgld.chains: Too small: expected number to be >0 (got 0)',
  ]);
  assert.equal(
    e.message,
    `Invalid pipeline config ${FILE} (3 problems; nothing was run):\n` + e.problems.map((p) => `  - ${p}`).join('\n'),
  );

  // Problems found after parsing (names, cross-field checks) are also collected, not thrown one by one.
  const late = problemsOf(
    config({
      targets: { a: target({ student: { widths: [3, 1] }, n: 10 }) },
      runs: [{ target: 'z' }, { sampler: 'sgd' }, {}],
    }),
  );
  assert.equal(late.problems.length, 4, late.message);
  assert.match(late.message, /^Invalid pipeline config study\.config\.ts \(4 problems; nothing was run\):/);
  for (const part of ['targets.a.student.widths[0]', 'runs[0].target: no target named "z"', 'runs[1].sampler: no sampler named "sgd"', 'batchSize is 256']) {
    assert.ok(late.message.includes(part), `${part} missing from:\n${late.message}`);
  }
});

test('reference: the first HMC run by default, a declared run wins, and the reference run compares with itself', () => {
  const refs = (input: unknown) =>
    Object.fromEntries(expandPipeline(input, FILE).analyses.map((a) => [a.slice.id, a.slice.reference && `${a.slice.reference.run}${a.slice.reference.declared ? ' (declared)' : ''}`]));
  const samplers = { sgld: sgld({ stepSize: sweep([1e-4, 1e-3]) }), hmc: { kind: 'hmc' }, mclmc: { kind: 'mclmc' } };
  const byDefault = refs(config({ targets: { a: target(), b: target() }, samplers, runs: [{ target: '*', sampler: ['sgld', 'mclmc'] }, { target: 'a', sampler: 'hmc' }] }));
  assert.deepEqual(byDefault, {
    'a--sgld--stepSize-1e-4': 'a--hmc',
    'a--sgld--stepSize-1e-3': 'a--hmc',
    'a--mclmc': 'a--hmc',
    'b--sgld--stepSize-1e-4': null,
    'b--sgld--stepSize-1e-3': null,
    'b--mclmc': null,
    'a--hmc': 'a--hmc',
  });
  const declared = refs(config({ samplers: { ...samplers, mclmc: { kind: 'mclmc', reference: true } } }));
  assert.equal(declared['a--hmc'], 'a--mclmc (declared)');
  assert.equal(declared['a--mclmc'], 'a--mclmc (declared)');
  // On a run entry it overrides the sampler entry, and may pick one point of a sweep.
  const onRun = refs(config({ samplers, runs: [{ sampler: 'sgld', overrides: { stepSize: 1e-5 }, reference: true }, { sampler: ['hmc', 'mclmc'] }] }));
  assert.equal(onRun['a--hmc'], 'a--sgld (declared)');
  // reference is not a hyperparameter: the sample slice (and its cache key) does not see it.
  const sample = sampleOf(config({ samplers: { hmc: { kind: 'hmc', reference: true } } }), 'a--hmc');
  assert.equal('reference' in sample.config, false);
  assert.deepEqual(sampleOf(config({ samplers: { hmc: { kind: 'hmc' } } }), 'a--hmc'), sample);
});

test('reference: two reference runs on one target is one clear error naming both and the fix', () => {
  const e = problemsOf(config({ samplers: { sgld: sgld({ stepSize: sweep([1e-4, 1e-3]), reference: true }) } }));
  assert.deepEqual(e.problems, [
    "target 'a': 2 runs are declared its reference ('a--sgld--stepSize-1e-4' by samplers.sgld.reference, 'a--sgld--stepSize-1e-3' by samplers.sgld.reference); " +
      'a target has one reference: set reference: true on one run (a swept reference sampler gives one run per sweep point, so set it on a run entry instead)',
  ]);
});

function imported(extra: Loose = {}): Loose {
  return {
    kind: 'imported',
    architecture: { family: 'mlp', layers: [{ weight: 'fc1.weight', bias: 'fc1.bias' }, { weight: 'fc2.weight', bias: 'fc2.bias' }] },
    loss: 'cross-entropy',
    data: { train: { file: 'data/train.csv', inputs: '*', target: 'label' } },
    ...extra,
  };
}

test('checkpoints: one target per checkpoint, named by step; the group name selects them all; restricted runs have their own id and reference', () => {
  const input = config({
    targets: { run: imported({ checkpoints: ['ck/step-200.safetensors', 'ck/step-50.safetensors', { file: 'ck/final.safetensors', step: 999 }] }) },
    samplers: { sgld: sgld(), hmc: { kind: 'hmc' } },
    runs: [{ target: 'run', sampler: ['sgld', 'hmc'] }, { target: 'run-step-999', sampler: ['sgld', 'hmc'], restrict: ['fc2.*'] }],
  });
  const p = expandPipeline(input, FILE);
  assert.deepEqual(p.targets.map((t) => t.slice.name), ['run-step-200', 'run-step-50', 'run-step-999']);
  const last = p.targets.find((t) => t.slice.name === 'run-step-999')!.slice.config;
  assert.equal((last as Loose).weights, 'ck/final.safetensors');
  assert.equal((last as Loose).step, 999);
  assert.equal('checkpoints' in last, false);
  assert.deepEqual(p.samples.map((s) => s.slice.id).sort(), [
    'run-step-200--hmc', 'run-step-200--sgld', 'run-step-50--hmc', 'run-step-50--sgld',
    'run-step-999--hmc', 'run-step-999--hmc--restrict-fc2', 'run-step-999--sgld', 'run-step-999--sgld--restrict-fc2',
  ]);
  const analysis = (id: string) => p.analyses.find((a) => a.slice.id === id)!.slice;
  assert.deepEqual(analysis('run-step-50--sgld').checkpoint, { group: 'run', step: 50 });
  assert.deepEqual(analysis('run-step-999--sgld--restrict-fc2').restrict, { label: 'fc2', params: ['fc2.*'] });
  // A restricted λ̂ is compared with the restricted reference, never with the full one.
  assert.equal(analysis('run-step-999--sgld--restrict-fc2').reference?.run, 'run-step-999--hmc--restrict-fc2');
  assert.equal(analysis('run-step-999--sgld').reference?.run, 'run-step-999--hmc');
  assert.equal(analysis('run-step-999--hmc').checkpoint?.step, 999);
});

test('checkpoints: a glob is resolved by the loader; steps come from the names; mistakes are named', () => {
  const glob = (pattern: string) => (pattern === 'ck/*.safetensors' ? ['ck/step-10.safetensors', 'ck/step-2.safetensors'] : []);
  const names = (input: unknown) => expandPipeline(input, FILE, { glob }).targets.map((t) => t.slice.name);
  assert.deepEqual(names(config({ targets: { r: imported({ checkpoints: 'ck/*.safetensors' }) } })), ['r-step-10', 'r-step-2']);
  const fails = (t: Loose, message: RegExp) => assert.throws(() => expandPipeline(config({ targets: { r: t } }), FILE, { glob }), message);
  fails(imported({ checkpoints: 'none/*.safetensors' }), /targets\.r\.checkpoints: the glob "none\/\*\.safetensors" matches no file/);
  fails(imported({ checkpoints: ['ck/final.safetensors'] }), /no training step in the name "ck\/final\.safetensors" \(its last number\); list it as \{ file, step \}/);
  fails(imported({ checkpoints: ['a/step-1.safetensors', 'b/step-1.safetensors'] }), /step 1 appears more than once/);
  fails(imported({}), /targets\.r: give exactly one of weights \(one safetensors file\) or checkpoints/);
  fails(imported({ weights: 'w.safetensors', checkpoints: ['x-1.safetensors'] }), /give exactly one of weights/);
  fails(imported({ weights: '../w.safetensors' }), /a path relative to the workspace root, inside it/);
  assert.throws(() => expandPipeline(config({ targets: { r: imported({ checkpoints: 'ck/*.safetensors' }) } }), FILE), /needs the workspace to resolve it; list the files instead/);
});

test('restrict: patterns that match no tensor, or every tensor, are errors naming the network\'s tensors', () => {
  const withRestrict = (restrict: Loose) => config({ targets: { m: imported({ weights: 'w.safetensors' }) }, runs: [{ target: 'm', sampler: 'sgld', restrict }] });
  assert.throws(() => expandPipeline(withRestrict(['fc3.*']), FILE), /runs\[0\]\.restrict: pattern "fc3\.\*" matches no parameter tensor; the network has fc1\.weight, fc1\.bias, fc2\.weight, fc2\.bias/);
  assert.throws(() => expandPipeline(withRestrict(['fc*']), FILE), /the patterns match every tensor; omit restrict for the full LLC/);
  assert.deepEqual(ids(withRestrict({ label: 'head', params: ['fc2.weight'] })), ['m--sgld--restrict-head']);
  assert.deepEqual(ids(withRestrict(['fc1.weight', 'fc2.bias'])), ['m--sgld--restrict-fc1_weight_fc2_bias']);
});
