/**
 * Validates a pipeline and expands it into the units of the build graph: one
 * target build per target, one sampler run per (target × sampler × sweep point),
 * one analysis per run, and the report. Each unit carries its config slice: the
 * exact, fully-defaulted settings its stage reads, and nothing else, so that a
 * unit's cache key changes exactly when its own inputs change.
 */
import { pipelineSchema, samplerSchema, type Backend, type SlurmSettings, type Pipeline, type SamplerConfig, type ResolvedSamplerConfig, type TargetConfig, type AnalysisConfig } from './schema';
import { PipelineConfigError, describeValue, formatIssues, closest } from './errors';
import { isSweep } from '@llc/core/sweep';
import { checkRunLimits } from './limits';
import picomatch from 'picomatch';
import { architectureKeys } from '@llc/targets/imported/architecture';

export type { ResolvedSamplerConfig };
export type Engine = Pipeline['engine'];
import { formatIdValue, type Scalar } from '@llc/core/sweep';
export type { Scalar };

export interface TargetSlice {
  stage: 'target';
  name: string;
  engine: Engine;
  config: TargetConfig & { seed: number };
}

export interface SampleSlice {
  stage: 'sample';
  id: string;
  target: string;
  /** Artifact folder of the target this run samples, and the project that builds it. */
  targetDir: string;
  targetProject: string;
  sampler: string;
  engine: Engine;
  seed: number;
  posterior: { beta0: number; gamma: number };
  config: ResolvedSamplerConfig;
  /** The swept hyperparameters and their values at this point, for labels. */
  sweep: Record<string, Scalar>;
  /** Restricted LLC: only the parameter tensors matching `params` move, the rest stay at w* (absent: all move). */
  restrict?: Restriction;
}

export interface Restriction {
  /** In the run id, the slice and the report. */
  label: string;
  /** Glob patterns over parameter tensor names (picomatch; "fc2.*", "net.{0,2}.weight"). */
  params: string[];
}

/** Where an imported target's weights came from, when it is one checkpoint of a training run. */
export interface CheckpointInfo {
  /** The declared target the checkpoints belong to. */
  group: string;
  step: number;
}


export interface AnalysisSlice {
  stage: 'analysis';
  id: string;
  run: string;
  target: string;
  sampleDir: string;
  sampleProject: string;
  targetDir: string;
  targetProject: string;
  sampler: string;
  samplerKind: string;
  sweep: Record<string, Scalar>;
  hyperparameters: Record<string, Scalar>;
  analysis: AnalysisConfig;
  /** The run's restriction, or null when every parameter moves. */
  restrict: Restriction | null;
  /** The target's checkpoint, for targets expanded from `checkpoints`; else null. */
  checkpoint: CheckpointInfo | null;
  /**
   * The run whose λ̂ is this target's reference (this run itself, when it is the reference), or
   * null: then only a known λ, if the target has one, is a reference. `declared` is false where
   * it is the default choice (the target's first HMC run).
   */
  reference: AnalysisReference | null;
}

export interface AnalysisReference {
  run: string;
  dir: string;
  project: string;
  declared: boolean;
}

export interface ReportSlice {
  stage: 'report';
  title: string;
  analyses: Array<{ id: string; dir: string; project: string }>;
  /** analysis.agreementMcse: the verdict's agreement limit and the ε-extrapolation flag's. */
  agreementMcse: number;
}

export type Slice = TargetSlice | SampleSlice | AnalysisSlice | ReportSlice;

/**
 * Where a unit's stage runs. Deliberately outside the slice: the backend never changes a
 * result, so switching it must not change any cache key (Nx hashes target options, so
 * this travels in pipeline/…/backends.json, read by the executor at run time).
 */
export interface Placement {
  backend: Backend;
  slurm: SlurmSettings;
}

export interface Unit<S extends Slice = Slice> {
  /** Nx project name. */
  project: string;
  placement: Placement;
  /** Project root: the folder holding the committed slice.json. */
  root: string;
  /** Artifact folder this unit's stage writes. */
  outputDir: string;
  slice: S;
}

export interface ExpandedPipeline {
  layout: PipelineLayout;
  /** The pipeline-level placement (analysis and report stages use it). */
  placement: Placement;
  targets: Unit<TargetSlice>[];
  samples: Unit<SampleSlice>[];
  analyses: Unit<AnalysisSlice>[];
  report: Unit<ReportSlice>;
}

export const PIPELINE_DIR = 'pipeline';
export const ARTIFACTS_DIR = 'artifacts';

/**
 * Where one pipeline file's units live. `pipeline.config.ts` is the main pipeline;
 * any `pipeline.<name>.ts` beside it (e.g. pipeline.calibration.ts) is another pipeline
 * in the same graph, namespaced so that names never collide:
 * projects `<name>-target-x`, slices under pipeline/<name>/, artifacts under artifacts/<name>/.
 */
export interface PipelineLayout {
  namespace: string;
  projectPrefix: string;
  pipelineDir: string;
  artifactsDir: string;
}

export const PIPELINE_FILE_PATTERN = /^pipeline\.([a-z0-9][a-z0-9_-]*)\.ts$/;

export function pipelineLayout(file: string): PipelineLayout {
  const base = file.split('/').pop() ?? file;
  const m = PIPELINE_FILE_PATTERN.exec(base);
  // Any other file name (a config passed by hand) is the main pipeline.
  const ns = !m || m[1] === 'config' ? '' : m[1];
  if (['targets', 'samples', 'analysis', 'report', 'main'].includes(ns)) {
    throw new Error(`${file}: '${ns}' is reserved; choose another pipeline name`);
  }
  return ns
    ? { namespace: ns, projectPrefix: `${ns}-`, pipelineDir: `${PIPELINE_DIR}/${ns}`, artifactsDir: `${ARTIFACTS_DIR}/${ns}` }
    : { namespace: '', projectPrefix: '', pipelineDir: PIPELINE_DIR, artifactsDir: ARTIFACTS_DIR };
}

/** The generated file that says where each unit's stage runs (read by the executor, not hashed). */
export function placementFile(layout: PipelineLayout): string {
  return `${layout.pipelineDir}/backends.json`;
}

/** What backends.json holds: the pipeline's placement and every unit that differs from it. */
export interface PlacementFile {
  pipeline: Placement;
  projects: Record<string, Placement>;
}

export function placementFileContent(pipeline: ExpandedPipeline): PlacementFile {
  const projects: Record<string, Placement> = {};
  const same = (a: Placement, b: Placement) => JSON.stringify(a) === JSON.stringify(b);
  for (const unit of [...pipeline.targets, ...pipeline.samples, ...pipeline.analyses, pipeline.report]) {
    if (!same(unit.placement, pipeline.placement)) projects[unit.project] = unit.placement;
  }
  return { pipeline: pipeline.placement, projects };
}

function cartesian(axes: Array<[string, Scalar[]]>): Array<Record<string, Scalar>> {
  let points: Array<Record<string, Scalar>> = [{}];
  for (const [key, values] of axes) {
    points = points.flatMap((p) => values.map((v) => ({ ...p, [key]: v })));
  }
  return points;
}

function select(selection: string | string[], all: string[], what: string, path: string, problems: string[]): string[] {
  if (selection === '*') return all;
  const names = Array.isArray(selection) ? selection : [selection];
  for (const n of names) {
    if (!all.includes(n)) {
      const hint = closest(n, all);
      problems.push(
        `${path}: no ${what} named ${describeValue(n)}${hint ? ` (did you mean '${hint}'?)` : ''}; declared ${what}s: ${all.join(', ')}`,
      );
    }
  }
  return names.filter((n) => all.includes(n));
}

export function parsePipeline(input: unknown, file: string): Pipeline {
  const parsed = pipelineSchema.safeParse(input);
  if (!parsed.success) {
    throw new PipelineConfigError(file, formatIssues(pipelineSchema, parsed.error.issues, input));
  }
  return parsed.data;
}

export interface ExpandOptions {
  /** Resolves a checkpoints glob to workspace-relative files (loadPipeline passes one; without it a glob is a problem). */
  glob?: (pattern: string) => string[];
}

type DeclaredTarget = Pipeline['targets'][string];

/** The training step in a checkpoint's file name: its last number ("step-1200.safetensors" → 1200). */
export function stepOfCheckpoint(file: string): number | null {
  const base = file.split('/').pop()!.replace(/\.[^.]*$/, '');
  const match = /(\d+)(?!.*\d)/.exec(base);
  return match ? Number(match[1]) : null;
}

/**
 * Every imported target that lists `checkpoints` becomes one target per checkpoint, named
 * `<name>-step-<step>`, with `weights` and `step` set: each is its own cached project, so adding
 * a checkpoint adds tasks and changes no other. `groups` maps the declared name to its targets
 * (runs may select the group by that name).
 */
function expandCheckpoints(
  declared: Record<string, DeclaredTarget>,
  glob: ExpandOptions['glob'],
  problems: string[],
): { targets: Record<string, DeclaredTarget>; groups: Map<string, string[]>; checkpoints: Map<string, CheckpointInfo> } {
  const targets: Record<string, DeclaredTarget> = {};
  const groups = new Map<string, string[]>();
  const checkpoints = new Map<string, CheckpointInfo>();
  for (const [name, t] of Object.entries(declared)) {
    if (t.kind !== 'imported') {
      targets[name] = t;
      continue;
    }
    const at = `targets.${name}`;
    if ((t.weights === undefined) === (t.checkpoints === undefined)) {
      problems.push(`${at}: give exactly one of weights (one safetensors file) or checkpoints (a glob or a list of files)`);
      continue;
    }
    if (t.step !== undefined && t.checkpoints !== undefined) problems.push(`${at}.step: set per checkpoint by the expansion; remove it (or list checkpoints as { file, step })`);
    if (t.checkpoints === undefined) {
      targets[name] = t;
      continue;
    }
    let listed: Array<string | { file: string; step: number }>;
    if (typeof t.checkpoints === 'string') {
      if (!glob) {
        problems.push(`${at}.checkpoints: the glob ${JSON.stringify(t.checkpoints)} needs the workspace to resolve it; list the files instead`);
        continue;
      }
      listed = glob(t.checkpoints);
      if (listed.length === 0) {
        problems.push(`${at}.checkpoints: the glob ${JSON.stringify(t.checkpoints)} matches no file (paths are relative to the workspace root)`);
        continue;
      }
    } else listed = t.checkpoints;
    const entries: Array<{ file: string; step: number }> = [];
    for (const c of listed) {
      const entry = typeof c === 'string' ? { file: c, step: stepOfCheckpoint(c) } : c;
      if (entry.step === null) problems.push(`${at}.checkpoints: no training step in the name "${entry.file}" (its last number); list it as { file, step }`);
      else entries.push({ file: entry.file, step: entry.step });
    }
    const steps = entries.map((e) => e.step);
    const repeated = steps.filter((step, i) => steps.indexOf(step) !== i);
    if (repeated.length > 0) problems.push(`${at}.checkpoints: step ${repeated[0]} appears more than once; each checkpoint needs its own step`);
    const { checkpoints: _, ...single } = t;
    const members: string[] = [];
    for (const { file, step } of entries.sort((a, b) => a.step - b.step)) {
      const child = `${name}-step-${step}`;
      if (child in declared) problems.push(`${at}.checkpoints: its checkpoint target '${child}' collides with the target of that name; rename one`);
      targets[child] = { ...single, weights: file, step } as DeclaredTarget;
      checkpoints.set(child, { group: name, step });
      members.push(child);
    }
    groups.set(name, members);
  }
  return { targets, groups, checkpoints };
}

/** The user's files a target build reads (workspace-relative): Nx hashes them by content. */
export function targetFiles(config: TargetConfig): string[] {
  if (config.kind !== 'imported') return [];
  const sources = [config.data.train, ...(config.data.test ? [config.data.test] : [])];
  const data = sources.flatMap((d) => (d.file !== undefined ? [d.file] : [d.inputs, d.target].filter((p): p is string => typeof p === 'string')));
  return [...new Set([...(config.weights !== undefined ? [config.weights] : []), ...data])];
}

/** `restrict` as written → its label and patterns; patterns that match no tensor of an imported target are problems. */
function restrictionOf(
  restrict: NonNullable<Pipeline['runs']>[number]['restrict'],
  target: DeclaredTarget,
  at: string,
  problems: string[],
): Restriction | undefined {
  if (restrict === undefined) return undefined;
  const params = Array.isArray(restrict) ? restrict : restrict.params;
  const label = Array.isArray(restrict)
    ? params.join('_').toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_+|_+$/g, '').slice(0, 48) || 'params'
    : restrict.label;
  if (target.kind === 'imported') {
    const names = architectureKeys(target.architecture);
    for (const pattern of params) {
      if (!names.some((n) => picomatch(pattern)(n))) problems.push(`${at}: pattern ${JSON.stringify(pattern)} matches no parameter tensor; the network has ${names.join(', ')}`);
    }
    if (names.every((n) => params.some((p) => picomatch(p)(n)))) problems.push(`${at}: the patterns match every tensor; omit restrict for the full LLC`);
  }
  return { label, params };
}

/** Validates and expands a pipeline; throws one PipelineConfigError listing every problem. */
export function expandPipeline(input: unknown, file = 'pipeline.config.ts', options: ExpandOptions = {}): ExpandedPipeline {
  const pipeline = parsePipeline(input, file);
  const layout = pipelineLayout(file);
  const { projectPrefix: pre, pipelineDir, artifactsDir } = layout;
  const problems: string[] = [];
  const { targets: declaredTargets, groups, checkpoints } = expandCheckpoints(pipeline.targets, options.glob, problems);
  const targetNames = Object.keys(declaredTargets).sort();
  const samplerNames = Object.keys(pipeline.samplers).sort();

  const pipelinePlacement: Placement = { backend: pipeline.backend, slurm: pipeline.slurm ?? {} };
  const targets: Unit<TargetSlice>[] = targetNames.map((name) => {
    const { placement, rest } = splitPlacement(declaredTargets[name], pipelinePlacement);
    const config = { ...rest, seed: rest.seed ?? pipeline.seed } as TargetSlice['config'];
    checkTarget(name, config, problems);
    return {
      project: `${pre}target-${name}`,
      placement,
      root: `${pipelineDir}/targets/${name}`,
      outputDir: `${artifactsDir}/targets/${name}`,
      slice: { stage: 'target', name, engine: pipeline.engine, config },
    };
  });

  const runs = pipeline.runs ?? [{ target: '*' as const, sampler: '*' as const }];
  const samples: Unit<SampleSlice>[] = [];
  const seen = new Map<string, string>();
  const declaredReferences: Array<{ target: string; id: string; where: string }> = [];
  runs.forEach((run, r) => {
    const runPath = pipeline.runs ? `runs[${r}]` : 'runs (default: every target × every sampler)';
    // A checkpoint group's name selects all its checkpoints.
    const ts =
      run.target === '*'
        ? targetNames
        : [...new Set(select(run.target, [...targetNames, ...groups.keys()], 'target', `${runPath}.target`, problems).flatMap((t) => groups.get(t) ?? [t]))];
    const ss = select(run.sampler, samplerNames, 'sampler', `${runPath}.sampler`, problems);
    // Once per sampler, not per (target, sampler): a bad override is one problem, reported once.
    const mergedBySampler = new Map(
      ss.map((s) => [s, applyOverrides(pipeline.samplers[s], run.overrides, `${runPath}.overrides`, problems)]),
    );
    for (const t of ts) {
      for (const s of ss) {
        const mergedWithPlacement = mergedBySampler.get(s);
        if (!mergedWithPlacement) continue;
        const { placement, rest: withReference } = splitPlacement(mergedWithPlacement as { backend?: Backend; slurm?: SlurmSettings }, pipelinePlacement);
        const { reference: samplerReference, ...merged } = withReference as Record<string, unknown> & { reference?: boolean };
        const isReference = run.reference ?? samplerReference ?? false;
        const posterior: Record<string, unknown> = { ...pipeline.posterior, ...(run.posterior ?? {}) };
        const axes: Array<[string, Scalar[]]> = [];
        for (const [k, v] of Object.entries(merged)) if (isSweep(v)) axes.push([k, v.$sweep as Scalar[]]);
        for (const [k, v] of Object.entries(posterior)) if (isSweep(v)) axes.push([k, v.$sweep as Scalar[]]);
        axes.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
        for (const point of cartesian(axes)) {
          const config = Object.fromEntries(
            Object.entries(merged).map(([k, v]) => [k, k in point && isSweep(v) ? point[k] : v]),
          ) as ResolvedSamplerConfig;
          const post = Object.fromEntries(
            Object.entries(posterior).map(([k, v]) => [k, k in point && isSweep(v) ? point[k] : v]),
          ) as { beta0: number; gamma: number };
          const where = `${runPath} (target '${t}', sampler '${s}')`;
          const restrict = restrictionOf(run.restrict, declaredTargets[t], `${runPath}.restrict`, problems);
          const id = [t, s, ...Object.entries(point).map(([k, v]) => `${k}-${formatIdValue(v)}`), ...(restrict ? [`restrict-${restrict.label}`] : [])].join('--');
          if (seen.has(id)) {
            problems.push(`${where}: duplicates the run '${id}' already declared by ${seen.get(id)}; remove one of them`);
            continue;
          }
          seen.set(id, where);
          if (isReference) declaredReferences.push({ target: comparisonScope(t, restrict), id, where: run.reference !== undefined ? `${runPath}.reference` : `samplers.${s}.reference` });
          const field = (key: string) =>
            run.overrides && key in run.overrides ? `${runPath}.overrides.${key}` : `samplers.${s}.${key}`;
          problems.push(...checkRunLimits(runPath, id, config, declaredTargets[t], pipeline.limits));
          checkRun(`${where}, run '${id}'`, field, declaredTargets[t], config, problems);
          samples.push({
            project: `${pre}sample-${id}`,
            placement,
            root: `${pipelineDir}/samples/${id}`,
            outputDir: `${artifactsDir}/samples/${id}`,
            slice: {
              stage: 'sample',
              id,
              target: t,
              targetDir: `${artifactsDir}/targets/${t}`,
              targetProject: `${pre}target-${t}`,
              sampler: s,
              engine: pipeline.engine,
              seed: config.seed ?? pipeline.seed,
              posterior: post,
              config,
              sweep: point,
              ...(restrict ? { restrict } : {}),
            },
          });
        }
      }
    }
  });

  const scopes = [...new Set(samples.map((u) => comparisonScope(u.slice.target, u.slice.restrict)))];
  const references = chooseReferences(scopes, samples, declaredReferences, problems);
  // One restriction is checked once per run it makes: report each problem once.
  if (problems.length > 0) throw new PipelineConfigError(file, [...new Set(problems)]);

  const analysisUnit = (id: string) => ({ project: `${pre}analysis-${id}`, dir: `${artifactsDir}/analysis/${id}` });
  const analyses: Unit<AnalysisSlice>[] = samples.map(({ slice, outputDir, project }) => ({
    project: `${pre}analysis-${slice.id}`,
    placement: pipelinePlacement,
    root: `${pipelineDir}/analysis/${slice.id}`,
    outputDir: `${artifactsDir}/analysis/${slice.id}`,
    slice: {
      stage: 'analysis',
      id: slice.id,
      run: slice.id,
      target: slice.target,
      sampleDir: outputDir,
      sampleProject: project,
      targetDir: slice.targetDir,
      targetProject: slice.targetProject,
      sampler: slice.sampler,
      samplerKind: slice.config.kind,
      sweep: slice.sweep,
      hyperparameters: hyperparameters(slice),
      analysis: pipeline.analysis,
      restrict: slice.restrict ?? null,
      checkpoint: checkpoints.get(slice.target) ?? null,
      reference: referenceOf(references.get(comparisonScope(slice.target, slice.restrict)), analysisUnit),
    },
  }));

  const report: Unit<ReportSlice> = {
    project: `${pre}report`,
    placement: pipelinePlacement,
    root: `${pipelineDir}/report`,
    outputDir: `${artifactsDir}/report`,
    slice: {
      stage: 'report',
      title: pipeline.report.title,
      analyses: analyses.map((a) => ({ id: a.slice.id, dir: a.outputDir, project: a.project })),
      agreementMcse: pipeline.analysis.agreementMcse,
    },
  };
  return { layout, placement: pipelinePlacement, targets, samples, analyses, report };
}

/** Splits the placement fields off a target or sampler config, merging them over the pipeline's. */
/**
 * One reference run per target: the run declared with `reference: true`, else the target's
 * first HMC run (Metropolis-adjusted, so unbiased at any step size), else none.
 */
/** Runs are compared within a target and restriction: a restricted λ̂ measures another loss. */
function comparisonScope(target: string, restrict: Restriction | undefined): string {
  return restrict ? `${target}' restricted to '${restrict.label}` : target;
}

function referenceOf(chosen: { run: string; declared: boolean } | undefined, unit: (id: string) => { project: string; dir: string }): AnalysisReference | null {
  return chosen ? { ...chosen, ...unit(chosen.run) } : null;
}

function chooseReferences(
  targetNames: string[],
  samples: Unit<SampleSlice>[],
  declared: Array<{ target: string; id: string; where: string }>,
  problems: string[],
): Map<string, { run: string; declared: boolean }> {
  const out = new Map<string, { run: string; declared: boolean }>();
  for (const t of targetNames) {
    const mine = declared.filter((d) => d.target === t);
    if (mine.length > 1) {
      problems.push(
        `target '${t}': ${mine.length} runs are declared its reference (${mine.map((d) => `'${d.id}' by ${d.where}`).join(', ')}); ` +
          'a target has one reference: set reference: true on one run (a swept reference sampler gives one run per sweep point, so set it on a run entry instead)',
      );
      continue;
    }
    if (mine.length === 1) {
      out.set(t, { run: mine[0].id, declared: true });
      continue;
    }
    const hmc = samples.find((u) => comparisonScope(u.slice.target, u.slice.restrict) === t && u.slice.config.kind === 'hmc');
    if (hmc) out.set(t, { run: hmc.slice.id, declared: false });
  }
  return out;
}

function splitPlacement<T extends { backend?: Backend; slurm?: SlurmSettings }>(
  config: T,
  base: Placement,
): { placement: Placement; rest: Omit<T, 'backend' | 'slurm'> } {
  const { backend, slurm, ...rest } = config;
  const merged: Record<string, unknown> = { ...base.slurm, ...slurm };
  const sorted = Object.fromEntries(Object.keys(merged).sort().map((k) => [k, merged[k]])) as SlurmSettings;
  return { placement: { backend: backend ?? base.backend, slurm: sorted }, rest };
}

/** A run's overrides merged over its sampler, validated as a whole (so types and ranges hold). */
function applyOverrides(
  base: SamplerConfig,
  overrides: Record<string, unknown> | undefined,
  path: string,
  problems: string[],
): Record<string, unknown> | undefined {
  if (!overrides) return { ...base };
  if ('kind' in overrides && overrides.kind !== base.kind) {
    problems.push(
      `${path}.kind: a run cannot change its sampler's kind (got ${describeValue(overrides.kind)}, the sampler is ${describeValue(base.kind)}); declare another sampler instead`,
    );
    return undefined;
  }
  const merged = { ...base, ...overrides, kind: base.kind };
  const parsed = samplerSchema.safeParse(merged);
  if (parsed.success) return parsed.data as Record<string, unknown>;
  for (const line of formatIssues(samplerSchema, parsed.error.issues, merged)) problems.push(`${path}.${line}`);
  return undefined;
}

function hyperparameters(slice: SampleSlice): Record<string, Scalar> {
  const out: Record<string, Scalar> = {};
  for (const [k, v] of Object.entries(slice.config)) {
    // chainExecution says where chains ran, not how: it never changes a result.
    if (k !== 'kind' && k !== 'chainExecution' && (typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean')) out[k] = v;
  }
  out.beta0 = slice.posterior.beta0;
  out.gamma = slice.posterior.gamma;
  return out;
}

function checkTarget(name: string, t: TargetConfig, problems: string[]): void {
  const at = `targets.${name}`;
  if (t.kind === 'teacher-student') {
    if (t.teacher.widths[0] !== t.inputDim) {
      problems.push(`${at}.teacher.widths[0]: is ${t.teacher.widths[0]} but must equal inputDim (${t.inputDim})`);
    }
    if ('widths' in t.student) {
      if (t.student.widths[0] !== t.inputDim) {
        problems.push(`${at}.student.widths[0]: is ${t.student.widths[0]} but must equal inputDim (${t.inputDim})`);
      }
      const outS = t.student.widths.at(-1);
      const outT = t.teacher.widths.at(-1);
      if (outS !== outT) {
        problems.push(`${at}.student.widths: output width ${outS} must equal the teacher's output width (${outT})`);
      }
    }
    if (t.inputs.kind === 'lowdim-manifold' && t.inputs.latentDim > t.inputDim) {
      problems.push(`${at}.inputs.latentDim: ${t.inputs.latentDim} exceeds inputDim (${t.inputDim})`);
    }
    if (t.train.momentum !== undefined && t.train.optimizer !== 'sgd') {
      problems.push(`${at}.train.momentum: only used by optimizer 'sgd' (optimizer is '${t.train.optimizer}'); remove it or set optimizer: 'sgd'`);
    }
    if (t.train.weightDecay !== undefined && t.train.optimizer !== 'adamw') {
      problems.push(`${at}.train.weightDecay: only used by optimizer 'adamw' (optimizer is '${t.train.optimizer}'); remove it or set optimizer: 'adamw'`);
    }
  } else if (t.kind === 'dln' || t.kind === 'rrr') {
    const widths = t.kind === 'dln' ? t.widths : [t.M, t.H, t.N];
    const min = Math.min(...widths);
    if (t.rank > min) {
      problems.push(`${at}.rank: ${t.rank} exceeds the smallest width (${min}); the end-to-end rank can be at most ${min}`);
    }
  } else if (t.kind === 'potential') {
    if (t.potential.type === 'monomial') {
      t.potential.powers.forEach((p, i) => {
        if (p % 2 !== 0 || p < 2) problems.push(`${at}.potential.powers[${i}]: ${p} must be an even integer ≥ 2 (½w^p must be confining)`);
      });
    }
    const properWhenFlat = t.potential.type === 'scalar-chain' && t.potential.depth === 1;
    if (t.prior === 'flat' && SINGULAR_POTENTIALS.has(t.potential.type) && !properWhenFlat) {
      problems.push(
        `${at}.prior: a ${t.potential.type} potential vanishes on an unbounded set, so a flat prior gives an improper posterior; use prior: { gamma: 1 } (or another γ > 0)`,
      );
    }
  }
}

/** Potentials whose zero set is unbounded: they need a Gaussian localiser. */
const SINGULAR_POTENTIALS = new Set(['normal-crossing', 'scalar-chain', 'two-layer-linear']);

/** Rows of data a target has, or null for analytic potentials (no data, no minibatches). */
export function targetRows(t: TargetConfig): number | null {
  // An imported target's rows are counted from its data file (checkImportedFiles).
  return t.kind === 'potential' || t.kind === 'imported' ? null : t.n;
}

function checkRun(
  where: string,
  field: (key: string) => string,
  target: TargetConfig,
  config: ResolvedSamplerConfig,
  problems: string[],
): void {
  const rows = targetRows(target);
  if ('batchSize' in config && typeof config.batchSize === 'number' && rows !== null && config.batchSize > rows) {
    problems.push(`${where}: ${field('batchSize')} is ${config.batchSize}, which exceeds the target's n (${rows}); use at most ${rows}`);
  }
  if (config.kind === 'hmc' && config.stepSize === undefined && config.burnIn === 0) {
    problems.push(`${where}: ${field('stepSize')} is required when ${field('burnIn')} is 0 (no warm-up to find one)`);
  }
  if (config.kind === 'mclmc' && (config.stepSize === undefined || config.L === undefined)) {
    if (!config.tune) problems.push(`${where}: with tune: false, set both ${field('stepSize')} and ${field('L')}`);
    else if (config.burnIn === 0) problems.push(`${where}: ${field('burnIn')} must be > 0 to tune MCLMC (or fix both stepSize and L)`);
  }
  if (config.kind === 'sgld' && config.precondition !== 'none' && config.burnIn === 0 && config.freezeAfter === undefined) {
    problems.push(
      `${where}: a ${config.precondition} preconditioner adapts during burn-in and is frozen after it; set ${field('burnIn')} > 0 (or ${field('freezeAfter')})`,
    );
  }
  if ('evalEvery' in config && config.steps < config.evalEvery) {
    problems.push(
      `${where}: ${field('steps')} (${config.steps}) must be at least ${field('evalEvery')} (${config.evalEvery}) to record any draw`,
    );
  }
}
