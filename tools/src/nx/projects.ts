/**
 * Pure builders: one Nx project per pipeline unit. No I/O here — the plugin and the
 * sync generator both call these with an expanded pipeline.
 */
import type { ProjectConfiguration, TargetConfiguration } from '@nx/devkit';
import { placementFile, type ExpandedPipeline, type Unit, type Slice } from '../config/normalize';

export const EXECUTOR = '@llc/tools:stage';
export const SYNC_GENERATOR = '@llc/tools:slices';

/** The engine packages whose version can change a result; nothing else in the lockfile should. */
const ENGINE_PACKAGES = ['@tensorflow/tfjs-core', '@tensorflow/tfjs-backend-cpu', '@tensorflow/tfjs-backend-wasm'];
const PLOT_PACKAGES = ['d3-node', '@resvg/resvg-js', 'dejavu-fonts-ttf'];

/** The committed WebAssembly kernels (targets/src/models/simd/build.ts). */
export const KERNEL_GLOB = '{workspaceRoot}/targets/src/models/simd/*.wasm';
/**
 * The optional native kernel's sources (targets/src/models/native/): the built .node is a
 * git-ignored build product of these, loaded at run time by targets/src when present.
 */
export const NATIVE_SOURCE_GLOBS = [
  '{workspaceRoot}/targets/src/models/native/*.c',
  '{workspaceRoot}/targets/src/models/native/*.h',
  '{workspaceRoot}/targets/src/models/native/binding.gyp',
  // Shared with the wasm kernel (whose .wasm already reflects it).
  '{workspaceRoot}/targets/src/models/elementary.h',
];
/** Every non-TypeScript kernel input of a stage that imports targets/src. */
export const KERNEL_GLOBS = [KERNEL_GLOB, ...NATIVE_SOURCE_GLOBS];
const code = (...folders: string[]) => [
  ...folders.map((f) => `{workspaceRoot}/${f}/**/*.ts`),
  // The kernels are code too: targets/src loads them at run time.
  ...(folders.includes('targets/src') ? KERNEL_GLOBS : []),
  '!{workspaceRoot}/**/*.test.ts',
  ...NOT_STAGE_CODE.map((f) => `!{workspaceRoot}/${f}/**`),
];
/**
 * Every stage runs the tools package (stage entry, config and limits, artifact I/O, RNG);
 * its tests, benchmark and cache server are not stage code.
 */
const STAGE_CODE = ['tools/src'];
const NOT_STAGE_CODE = ['tools/src/e2e', 'tools/src/bench', 'tools/src/cache'];
/**
 * What each stage's process imports (the transitive closure, checked against the import
 * graph): a build draws its plots with analysis/src/plots and knows potentials from samplers;
 * a sampler loads targets; an analysis reads sample and target artifacts.
 */
export const STAGE_SOURCES = {
  target: ['targets/src', 'samplers/src', 'analysis/src/plots', 'analysis/src/diagnostics'],
  sample: ['samplers/src', 'targets/src'],
  analysis: ['analysis/src', 'samplers/src', 'targets/src'],
  report: ['analysis/src', 'targets/src/models'],
} as const;

type Project = Omit<ProjectConfiguration, 'root'> & { root: string };

function stageTarget(
  placements: string,
  unit: Unit<Slice>,
  description: string,
  codeFolders: string[],
  extra: Partial<TargetConfiguration> & { externalDependencies?: string[] },
): TargetConfiguration {
  const { externalDependencies = [], ...rest } = extra;
  return {
    executor: EXECUTOR,
    // Where the stage runs is read from `placements` at run time, never from these (hashed) options.
    options: { slice: unit.slice, outputDir: unit.outputDir, placements },
    cache: true,
    inputs: [
      '{projectRoot}/slice.json',
      ...code(...STAGE_CODE, ...codeFolders),
      ...(externalDependencies.length > 0 ? [{ externalDependencies }] : []),
      ...((rest.inputs as unknown[]) ?? []),
    ] as TargetConfiguration['inputs'],
    outputs: [`{workspaceRoot}/${unit.outputDir}`],
    syncGenerators: [SYNC_GENERATOR],
    metadata: { description, technologies: ['llc'] },
    ...Object.fromEntries(Object.entries(rest).filter(([k]) => k !== 'inputs')),
  };
}

const upstreamOutputs = { dependentTasksOutputFiles: '**/*', transitive: false } as const;

export function buildProjects(pipeline: ExpandedPipeline): Record<string, Project> {
  const projects: Record<string, Project> = {};
  // `nx run-many -t analyze --projects=tag:llc:pipeline:main` selects one pipeline file's units.
  const pipelineTag = `llc:pipeline:${pipeline.layout.namespace || 'main'}`;
  const placements = placementFile(pipeline.layout);
  for (const unit of pipeline.targets) {
    projects[unit.root] = {
      root: unit.root,
      name: unit.project,
      projectType: 'application',
      tags: ['llc:target', pipelineTag],
      targets: {
        build: stageTarget(placements, unit, `Build target '${unit.slice.name}': data, training to w*, L0`, [...STAGE_SOURCES.target], {
          externalDependencies: [...ENGINE_PACKAGES, ...PLOT_PACKAGES],
        }),
      },
    };
  }
  for (const unit of pipeline.samples) {
    const target = unit.slice.targetProject;
    projects[unit.root] = {
      root: unit.root,
      name: unit.project,
      projectType: 'application',
      tags: ['llc:sample', `llc:sampler:${unit.slice.config.kind}`, pipelineTag],
      implicitDependencies: [target],
      targets: {
        sample: stageTarget(placements, unit, `Run ${unit.slice.config.kind} (${unit.slice.id}) on target '${unit.slice.target}'`, [...STAGE_SOURCES.sample], {
          externalDependencies: ENGINE_PACKAGES,
          dependsOn: [{ projects: [target], target: 'build' }],
          inputs: [upstreamOutputs] as TargetConfiguration['inputs'],
        }),
      },
    };
  }
  for (const unit of pipeline.analyses) {
    const sample = unit.slice.sampleProject;
    projects[unit.root] = {
      root: unit.root,
      name: unit.project,
      projectType: 'application',
      tags: ['llc:analysis', pipelineTag],
      implicitDependencies: [sample],
      targets: {
        analyze: stageTarget(placements, unit, `Analyse run ${unit.slice.run}: λ̂, R-hat, ESS, MCSE, plots`, [...STAGE_SOURCES.analysis], {
          externalDependencies: PLOT_PACKAGES,
          dependsOn: [{ projects: [sample], target: 'sample' }],
          inputs: [upstreamOutputs] as TargetConfiguration['inputs'],
        }),
      },
    };
  }
  const report = pipeline.report;
  const analysisProjects = pipeline.analyses.map((a) => a.project);
  projects[report.root] = {
    root: report.root,
    name: report.project,
    projectType: 'application',
    tags: ['llc:report', pipelineTag],
    implicitDependencies: analysisProjects,
    targets: {
      report: stageTarget(placements, report, 'Report: table of every run (HTML + CSV + JSON) with plots', [...STAGE_SOURCES.report], {
        externalDependencies: PLOT_PACKAGES,
        dependsOn: [{ projects: analysisProjects, target: 'analyze' }],
        inputs: [upstreamOutputs] as TargetConfiguration['inputs'],
      }),
    },
  };
  return projects;
}
