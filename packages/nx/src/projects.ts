/**
 * Pure builders: one Nx project per pipeline unit. No I/O here: the plugin passes the
 * expanded pipeline, its options and where each stage's sources are.
 */
import type { ProjectConfiguration, TargetConfiguration } from '@nx/devkit';
import { placementFile, targetFiles, type ExpandedPipeline, type Unit, type Slice } from '@llc/config/normalize';
import { KERNEL_FILE_GLOBS, type SamplerKind, type StageName, type StageSources } from './stageSources';

export const EXECUTOR = '@llc/nx:stage';
export const SYNC_GENERATOR = '@llc/nx:slices';

/** The engine packages whose version can change a result; nothing else in the lockfile should. */
const ENGINE_PACKAGES = ['@tensorflow/tfjs-core', '@tensorflow/tfjs-backend-cpu', '@tensorflow/tfjs-backend-wasm'];
const PLOT_PACKAGES = ['d3-node', '@resvg/resvg-js', 'dejavu-fonts-ttf'];

/** Where each stage's source files come from (stageSources.ts walks the import graph; tests pass their own). */
export type SourcesOf = (stage: StageName, kind?: SamplerKind) => StageSources;

/**
 * The resolved engine on the machine that hashes (engine/fingerprint.ts): two engines give two
 * keys, the same engine the same key on every machine. Only target builds and sampler runs
 * evaluate a model; analyses and the report read artifacts.
 */
export function engineInputs(engine: string): TargetConfiguration['inputs'] {
  return [{ runtime: `node --import tsx ${FINGERPRINT_SCRIPT} ${engine}` }, { env: 'LLC_NATIVE_ISA' }];
}
export const FINGERPRINT_SCRIPT = 'packages/targets/src/engine/fingerprint.ts';

const sourceInputs = ({ files, kernels }: StageSources) => [
  ...files.map((f) => `{workspaceRoot}/${f}`),
  ...(kernels ? KERNEL_FILE_GLOBS.map((g) => `{workspaceRoot}/${g}`) : []),
];

type Project = Omit<ProjectConfiguration, 'root'> & { root: string };

function stageTarget(
  placements: string,
  unit: Unit<Slice>,
  description: string,
  sources: StageSources,
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
      ...sourceInputs(sources),
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

/** The plugin's target names, configurable in nx.json as Nx's own plugins allow (`buildTargetName`, …). */
export interface TargetNames {
  build: string;
  sample: string;
  analyze: string;
  report: string;
}
export const DEFAULT_TARGET_NAMES: TargetNames = { build: 'build', sample: 'sample', analyze: 'analyze', report: 'report' };

export function buildProjects(pipeline: ExpandedPipeline, sourcesOf: SourcesOf, names: TargetNames = DEFAULT_TARGET_NAMES): Record<string, Project> {
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
        [names.build]: stageTarget(placements, unit, `Build target '${unit.slice.name}': data, training to w*, L0`, sourcesOf('target'), {
          externalDependencies: [...ENGINE_PACKAGES, ...PLOT_PACKAGES],
          // An imported target's weights and data files, by content: a new checkpoint file is a new key.
          inputs: [...targetFiles(unit.slice.config).map((f) => `{workspaceRoot}/${f}`), ...(engineInputs(unit.slice.engine) ?? [])] as TargetConfiguration['inputs'],
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
        [names.sample]: stageTarget(placements, unit, `Run ${unit.slice.config.kind} (${unit.slice.id}) on target '${unit.slice.target}'`, sourcesOf('sample', unit.slice.config.kind), {
          externalDependencies: ENGINE_PACKAGES,
          dependsOn: [{ projects: [target], target: names.build }],
          inputs: [upstreamOutputs, ...(engineInputs(unit.slice.engine) ?? [])] as TargetConfiguration['inputs'],
        }),
      },
    };
  }
  for (const unit of pipeline.analyses) {
    const sample = unit.slice.sampleProject;
    // Every other run on a target is compared with its reference run's summary, so it waits for it
    // and hashes it (a rerun reference reruns the comparisons, nothing else).
    const reference = unit.slice.reference && unit.slice.reference.run !== unit.slice.id ? [unit.slice.reference.project] : [];
    projects[unit.root] = {
      root: unit.root,
      name: unit.project,
      projectType: 'application',
      tags: ['llc:analysis', pipelineTag],
      implicitDependencies: [sample, ...reference],
      targets: {
        [names.analyze]: stageTarget(placements, unit, `Analyse run ${unit.slice.run}: λ̂, R-hat, ESS, MCSE, bias against the reference, plots`, sourcesOf('analysis'), {
          externalDependencies: PLOT_PACKAGES,
          dependsOn: [{ projects: [sample], target: names.sample }, ...(reference.length ? [{ projects: reference, target: names.analyze }] : [])],
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
      [names.report]: stageTarget(placements, report, 'Report: table of every run (HTML + CSV + JSON) with plots', sourcesOf('report'), {
        externalDependencies: PLOT_PACKAGES,
        dependsOn: [{ projects: analysisProjects, target: names.analyze }],
        inputs: [upstreamOutputs] as TargetConfiguration['inputs'],
      }),
    },
  };
  return projects;
}
