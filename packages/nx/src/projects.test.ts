import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { TargetConfiguration } from '@nx/devkit';
import { buildProjects as build, EXECUTOR, SYNC_GENERATOR, FINGERPRINT_SCRIPT, type SourcesOf, type TargetNames } from './projects';
import { KERNEL_FILE_GLOBS } from './stageSources';
import { expandPipeline, type ExpandedPipeline } from '@llc/config/normalize';
import { sweep } from '@llc/core/sweep';
import type { PipelineInput } from '@llc/config/schema';

function small(stepSize = 1e-3): PipelineInput {
  return {
    seed: 1,
    targets: {
      a: { kind: 'teacher-student', n: 500, inputDim: 2, teacher: { widths: [2, 3, 1] }, student: { widths: [2, 4, 1] } },
      b: { kind: 'teacher-student', n: 500, inputDim: 2, teacher: { widths: [2, 3, 1] }, student: { widths: [2, 8, 1] } },
    },
    samplers: {
      fast: { kind: 'sgld', stepSize, batchSize: 64 },
      slow: { kind: 'sgld', stepSize: sweep([1e-5, 1e-4]), batchSize: 64 },
    },
    report: { title: 'test' },
  };
}

const expand = (input: PipelineInput) => expandPipeline(input, 'pipeline.config.ts');
const only = (project: { targets?: Record<string, TargetConfiguration> }): [string, TargetConfiguration] => {
  const entries = Object.entries(project.targets ?? {});
  assert.equal(entries.length, 1);
  return entries[0];
};

/** A stand-in for the import-graph walk: one file per stage (and sampler kind); the report loads no kernel. */
const fakeSources: SourcesOf = (stage, kind) => ({ files: [`packages/stages/src/${stage}${kind ? `-${kind}` : ''}.ts`], kernels: stage !== 'report' });
const buildProjects = (pipeline: ExpandedPipeline, names?: TargetNames) => build(pipeline, fakeSources, names);
const KERNELS = KERNEL_FILE_GLOBS.map((g) => `{workspaceRoot}/${g}`);
const ENGINE = [{ runtime: `node --import tsx ${FINGERPRINT_SCRIPT} auto` }, { env: 'LLC_NATIVE_ISA' }];
const TF = ['@tensorflow/tfjs-core', '@tensorflow/tfjs-backend-cpu', '@tensorflow/tfjs-backend-wasm'];
const PLOT = ['d3-node', '@resvg/resvg-js', 'dejavu-fonts-ttf'];
const UPSTREAM = { dependentTasksOutputFiles: '**/*', transitive: false };

test('one project per unit, named and rooted by kind and id', () => {
  const projects = buildProjects(expand(small()));
  const sampleIds = ['a--fast', 'a--slow--stepSize-1e-5', 'a--slow--stepSize-1e-4', 'b--fast', 'b--slow--stepSize-1e-5', 'b--slow--stepSize-1e-4'];
  const expected: Array<[string, string]> = [
    ['pipeline/targets/a', 'target-a'],
    ['pipeline/targets/b', 'target-b'],
    ...sampleIds.map((id): [string, string] => [`pipeline/samples/${id}`, `sample-${id}`]),
    ...sampleIds.map((id): [string, string] => [`pipeline/analysis/${id}`, `analysis-${id}`]),
    ['pipeline/report', 'report'],
  ];
  assert.deepEqual(
    Object.entries(projects).map(([key, p]) => [key, p.name]),
    expected,
  );
  for (const [key, p] of Object.entries(projects)) {
    assert.equal(p.root, key);
    assert.equal(p.projectType, 'application');
  }
  assert.deepEqual(projects['pipeline/targets/a'].tags, ['llc:target', 'llc:pipeline:main']);
  assert.deepEqual(projects['pipeline/samples/a--fast'].tags, ['llc:sample', 'llc:sampler:sgld', 'llc:pipeline:main']);
  assert.deepEqual(projects['pipeline/analysis/a--fast'].tags, ['llc:analysis', 'llc:pipeline:main']);
  assert.deepEqual(projects['pipeline/report'].tags, ['llc:report', 'llc:pipeline:main']);
});

test('every stage target: cached, one output folder, inputs = own slice + stage code + engine packages (+ upstream outputs)', () => {
  const pipeline = expand(small());
  const projects = buildProjects(pipeline);
  const units = [...pipeline.targets, ...pipeline.samples, ...pipeline.analyses, pipeline.report];
  const byRoot = new Map(units.map((u) => [u.root, u]));
  const expectations: Record<string, { target: string; code: string; external: string[]; upstream: boolean; engine: boolean }> = {
    target: { target: 'build', code: 'target', external: [...TF, ...PLOT], upstream: false, engine: true },
    sample: { target: 'sample', code: 'sample-sgld', external: TF, upstream: true, engine: true },
    analysis: { target: 'analyze', code: 'analysis', external: PLOT, upstream: true, engine: false },
    report: { target: 'report', code: 'report', external: PLOT, upstream: true, engine: false },
  };
  for (const [root, project] of Object.entries(projects)) {
    const unit = byRoot.get(root);
    assert.ok(unit, root);
    const want = expectations[unit.slice.stage];
    const [name, t] = only(project);
    assert.equal(name, want.target, root);
    assert.equal(t.executor, EXECUTOR);
    assert.equal(t.cache, true);
    assert.deepEqual(t.outputs, [`{workspaceRoot}/${unit.outputDir}`]);
    assert.match(t.outputs![0], /^\{workspaceRoot\}\/artifacts\/(targets|samples|analysis)\/[^/]+$|^\{workspaceRoot\}\/artifacts\/report$/);
    assert.deepEqual(t.syncGenerators, [SYNC_GENERATOR]);
    assert.deepEqual(t.inputs, [
      '{projectRoot}/slice.json',
      `{workspaceRoot}/packages/stages/src/${want.code}.ts`,
      ...(want.code === 'report' ? [] : KERNELS),
      { externalDependencies: want.external },
      ...(want.upstream ? [UPSTREAM] : []),
      ...(want.engine ? ENGINE : []),
    ]);
    // Options carry exactly the slice (and where to write), nothing shared with other units.
    assert.deepEqual(t.options, { slice: unit.slice, outputDir: unit.outputDir, placements: 'pipeline/backends.json' });
  }
  const sample = only(projects['pipeline/samples/a--fast'])[1];
  assert.deepEqual(sample.outputs, ['{workspaceRoot}/artifacts/samples/a--fast']);
  assert.deepEqual(only(projects['pipeline/targets/b'])[1].outputs, ['{workspaceRoot}/artifacts/targets/b']);
  assert.deepEqual(only(projects['pipeline/analysis/b--fast'])[1].outputs, ['{workspaceRoot}/artifacts/analysis/b--fast']);
  assert.deepEqual(only(projects['pipeline/report'])[1].outputs, ['{workspaceRoot}/artifacts/report']);
});

test('dependencies: sample → its target build, analysis → its sample, report → every analysis', () => {
  const projects = buildProjects(expand(small()));
  assert.equal(projects['pipeline/targets/a'].implicitDependencies, undefined);
  assert.equal(only(projects['pipeline/targets/a'])[1].dependsOn, undefined);

  const sample = projects['pipeline/samples/b--slow--stepSize-1e-4'];
  assert.deepEqual(sample.implicitDependencies, ['target-b']);
  assert.deepEqual(only(sample)[1].dependsOn, [{ projects: ['target-b'], target: 'build' }]);

  const analysis = projects['pipeline/analysis/b--slow--stepSize-1e-4'];
  assert.deepEqual(analysis.implicitDependencies, ['sample-b--slow--stepSize-1e-4']);
  assert.deepEqual(only(analysis)[1].dependsOn, [{ projects: ['sample-b--slow--stepSize-1e-4'], target: 'sample' }]);

  const allAnalyses = Object.values(projects)
    .map((p) => p.name!)
    .filter((n) => n.startsWith('analysis-'));
  assert.equal(allAnalyses.length, 6);
  const report = projects['pipeline/report'];
  assert.deepEqual(report.implicitDependencies, allAnalyses);
  assert.deepEqual(only(report)[1].dependsOn, [{ projects: allAnalyses, target: 'analyze' }]);
});

/** Project names whose configuration differs between two builds. */
function changedProjects(before: ExpandedPipeline, after: ExpandedPipeline): string[] {
  const a = buildProjects(before);
  const b = buildProjects(after);
  assert.deepEqual(Object.keys(a), Object.keys(b), 'same set of projects');
  return Object.keys(a)
    .filter((root) => {
      try {
        assert.deepEqual(a[root], b[root]);
        return false;
      } catch {
        return true;
      }
    })
    .map((root) => a[root].name!);
}

test("a unit's cache key covers exactly its own slice: one sampler edit touches only that sampler's runs", () => {
  // `fast` is used by both targets: its two runs change (and their analyses, whose slice labels
  // carry the run's hyperparameters); every target build, every `slow` run and the report are untouched.
  assert.deepEqual(changedProjects(expand(small(1e-3)), expand(small(2e-3))), [
    'sample-a--fast',
    'sample-b--fast',
    'analysis-a--fast',
    'analysis-b--fast',
  ]);

  // A per-run override touches one run only.
  const withRuns = (stepSize: number): PipelineInput => ({
    ...small(),
    runs: [
      { target: 'a', sampler: 'fast', overrides: { stepSize } },
      { target: 'b', sampler: 'fast' },
    ],
  });
  const before = expand(withRuns(1e-3));
  const after = expand(withRuns(5e-3));
  assert.deepEqual(changedProjects(before, after), ['sample-a--fast', 'analysis-a--fast']);
  const [, sampleBefore] = only(buildProjects(before)['pipeline/samples/a--fast']);
  const [, sampleAfter] = only(buildProjects(after)['pipeline/samples/a--fast']);
  assert.equal((sampleBefore.options as { slice: { config: { stepSize: number } } }).slice.config.stepSize, 1e-3);
  assert.equal((sampleAfter.options as { slice: { config: { stepSize: number } } }).slice.config.stepSize, 5e-3);

  // A target edit touches that target's build only (its runs see it through the build's outputs).
  const wider = small();
  wider.targets.a = { ...(wider.targets.a as object), noiseStd: 0.2 } as typeof wider.targets.a;
  assert.deepEqual(changedProjects(expand(small()), expand(wider)), ['target-a']);

  // The report title touches the report only.
  assert.deepEqual(changedProjects(expand(small()), expand({ ...small(), report: { title: 'other' } })), ['report']);
});
