/**
 * Report process: one HTML page + CSV + JSON of every analysis, with per-target
 * sections of plots and a λ̂ ± MCSE comparison across runs.
 */
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { REPORT_FILES } from '@llc/report/files';
import { formatIdValue } from '@llc/core/sweep';
import type { ReportSlice } from '@llc/config/normalize';
import type { StageContext } from '@llc/core/stage/context';
import { replaceDirAtomic, writeJsonAtomic } from '@llc/core/artifacts/atomic';
import { describeFiles } from '@llc/core/artifacts/manifest';
import { intervalPlot, svgToPng, tracePlot } from '@llc/plots/index';
import { readAnalysisArtifact, type LoadedAnalysis } from '@llc/analysis/artifact';
import { toCsv, toRow } from '@llc/report/table';
import { renderReport, type ReportSection } from '@llc/report/html';
import { targetVerdict, type TargetVerdict } from '@llc/report/verdict';
import { extrapolateToZeroStep, extrapolationFlag, type Extrapolation } from '@llc/analysis/stepSizeExtrapolation';

/** One step-size sweep: the runs of one sampler entry on one target that differ only in stepSize. */
interface StepSweep {
  target: string;
  sampler: string;
  label: string;
  runs: LoadedAnalysis[];
  fit: Extrapolation;
}

function stepSizeSweeps(analyses: LoadedAnalysis[]): StepSweep[] {
  const groups = new Map<string, LoadedAnalysis[]>();
  for (const a of analyses) {
    const { stepSize, ...rest } = a.summary.sweep;
    if (typeof stepSize !== 'number') continue;
    const key = JSON.stringify([a.summary.target, a.summary.sampler, Object.entries(rest).sort()]);
    groups.set(key, [...(groups.get(key) ?? []), a]);
  }
  const sweeps: StepSweep[] = [];
  for (const runs of groups.values()) {
    const usable = runs.filter((a) => a.summary.llc.mean !== null && a.summary.llc.mcse !== null);
    const fit = extrapolateToZeroStep(
      usable.map((a) => ({ id: a.summary.id, stepSize: a.summary.sweep.stepSize as number, mean: a.summary.llc.mean!, mcse: a.summary.llc.mcse! })),
    );
    if (!fit) continue;
    const { stepSize: _, ...rest } = runs[0].summary.sweep;
    const label = [runs[0].summary.sampler, ...Object.entries(rest).map(([k, v]) => `${k}=${formatIdValue(v)}`)].join(' ');
    sweeps.push({ target: runs[0].summary.target, sampler: runs[0].summary.sampler, label, runs: usable, fit });
  }
  return sweeps;
}

function extrapolationSvg(sweep: StepSweep, reference: number | null): string {
  const { fit } = sweep;
  const items = [
    { label: 'ε → 0 (fit)', value: fit.intercept, lower: fit.intercept - 2 * fit.interceptSe, upper: fit.intercept + 2 * fit.interceptSe, group: 'extrapolated' },
    ...[...sweep.runs]
      .sort((a, b) => (a.summary.sweep.stepSize as number) - (b.summary.sweep.stepSize as number))
      .map((a) => {
        const m = a.summary.llc.mean!;
        const e = a.summary.llc.mcse!;
        return { label: `ε=${formatIdValue(a.summary.sweep.stepSize)}`, value: m, lower: m - 2 * e, upper: m + 2 * e, group: 'run' };
      }),
  ];
  return intervalPlot({
    title: `λ̂ against step size: ${sweep.label} on '${sweep.target}'`,
    yLabel: 'λ̂ (± 2 MCSE; fit ± 2 SE)',
    items,
    referenceLines: reference === null ? [] : [{ value: reference, label: `λ ref = ${+reference.toFixed(3)}` }],
  });
}


/** Short labels (stepSize=1e-4, not 0.0001) so category axes stay readable. */
const sweepLabel = (a: LoadedAnalysis) => Object.entries(a.summary.sweep).map(([k, v]) => `${k}=${formatIdValue(v)}`).join(' ');

function comparisonSvg(title: string, runs: LoadedAnalysis[], label: (a: LoadedAnalysis) => string): string {
  const items = runs
    .filter((a) => a.summary.llc.mean !== null)
    .map((a) => {
      const m = a.summary.llc.mean!;
      const e = a.summary.llc.mcse ?? 0;
      return { label: label(a), value: m, lower: m - 2 * e, upper: m + 2 * e, group: a.summary.sampler };
    });
  const truths = [...new Set(runs.map((a) => a.summary.lambdaTrue).filter((v): v is number => v !== null))];
  return intervalPlot({
    title,
    yLabel: 'λ̂ (± 2 MCSE)',
    items,
    referenceLines: truths.map((value) => ({ value, label: `λ true = ${value}` })),
  });
}

/** Runs are compared within one target and restriction (a restricted λ̂ measures another loss). */
const scopeOf = (a: LoadedAnalysis) => (a.summary.restriction ? `${a.summary.target}' restricted to '${a.summary.restriction.label}` : a.summary.target);

/** The runs of one sampler setting across the checkpoints of one training run. */
interface CheckpointSeries {
  group: string;
  label: string;
  runs: LoadedAnalysis[];
}

function checkpointSeries(analyses: LoadedAnalysis[]): CheckpointSeries[] {
  const series = new Map<string, CheckpointSeries>();
  for (const a of analyses) {
    const c = a.summary.checkpoint;
    if (!c) continue;
    const label = [a.summary.sampler, sweepLabel(a), a.summary.restriction ? `restricted to ${a.summary.restriction.label}` : ''].filter(Boolean).join(' ');
    const key = JSON.stringify([c.group, label]);
    if (!series.has(key)) series.set(key, { group: c.group, label, runs: [] });
    series.get(key)!.runs.push(a);
  }
  for (const s of series.values()) s.runs.sort((a, b) => a.summary.checkpoint!.step - b.summary.checkpoint!.step);
  return [...series.values()];
}

function checkpointLlcSvg(s: CheckpointSeries): string {
  const items = s.runs
    .filter((a) => a.summary.llc.mean !== null)
    .map((a) => {
      const m = a.summary.llc.mean!;
      const e = a.summary.llc.mcse ?? 0;
      return { label: `step ${a.summary.checkpoint!.step}`, value: m, lower: m - 2 * e, upper: m + 2 * e, group: a.summary.flags.length > 0 ? 'flagged' : 'ok' };
    });
  return intervalPlot({ title: `λ̂ over training: ${s.label} on '${s.group}'`, yLabel: 'λ̂ (± 2 MCSE)', items, referenceLines: [] });
}

function checkpointLossSvg(s: CheckpointSeries): string {
  const steps = s.runs.map((a) => a.summary.checkpoint!.step);
  const test = s.runs.map((a) => a.summary.checkpoint!.testLoss ?? Number.NaN);
  return tracePlot({
    title: `loss at each checkpoint · ${s.group}`,
    xLabel: 'training step',
    yLabel: 'loss at w*',
    yScale: 'log',
    chains: [
      { x: steps, y: s.runs.map((a) => a.summary.checkpoint!.trainLoss), label: 'train' },
      ...(test.some(Number.isFinite) ? [{ x: steps, y: test, label: 'test' }] : []),
    ],
  });
}

export async function runReportStage(slice: ReportSlice, ctx: StageContext): Promise<void> {
  const analyses: LoadedAnalysis[] = [];
  for (const ref of slice.analyses) analyses.push(await readAnalysisArtifact(ctx.workspaceRoot, ref));
  const sweeps = stepSizeSweeps(analyses);
  const extraFlags = new Map<string, string[]>();
  for (const sw of sweeps) {
    for (const a of sw.runs) {
      const flag = extrapolationFlag(sw.fit, a.summary.id, slice.agreementMcse, sw.sampler);
      if (flag) extraFlags.set(a.summary.id, [...(extraFlags.get(a.summary.id) ?? []), flag]);
    }
  }
  const rows = analyses.map((a) => toRow(a.summary, a.timing, extraFlags.get(a.summary.id)));
  const targets = [...new Set(analyses.map((a) => a.summary.target))];
  const scopes = [...new Set(analyses.map(scopeOf))];
  const verdicts: TargetVerdict[] = scopes.map((scope) =>
    targetVerdict(
      scope,
      analyses.filter((a) => scopeOf(a) === scope).map((a) => ({ summary: a.summary, flags: [...a.summary.flags, ...(extraFlags.get(a.summary.id) ?? [])] })),
      slice.agreementMcse,
    ),
  );

  await replaceDirAtomic(ctx.outputDir, async (tmp) => {
    const files: string[] = [];
    const write = async (rel: string, data: string | Uint8Array) => {
      await mkdir(join(tmp, rel, '..'), { recursive: true });
      await writeFile(join(tmp, rel), data);
      files.push(rel);
    };
    const writePlot = async (name: string, svg: string) => {
      await write(`plots/${name}.svg`, svg);
      await write(`plots/${name}.png`, svgToPng(svg));
    };
    const overview: ReportSection[] = [];
    const sections: ReportSection[] = [];
    for (const target of targets) {
      const runs = analyses.filter((a) => a.summary.target === target);
      const svg = comparisonSvg(`λ̂ across runs on target '${target}'`, runs, (a) => `${a.summary.sampler} ${sweepLabel(a)}`.trim());
      await writePlot(`compare-target-${target}`, svg);
      const figures = [{ caption: `λ̂ ± 2 MCSE for every run on '${target}'`, svg }];
      const reference = verdicts.find((v) => v.target === target)?.recommended?.value ?? null;
      for (const [i, sw] of sweeps.filter((x) => x.target === target).entries()) {
        const plot = extrapolationSvg(sw, reference);
        await writePlot(`step-size-${target}-${i}`, plot);
        figures.push({
          caption: `${sw.label}: λ̂ against ε with the weighted linear ε → 0 extrapolation ${sw.fit.intercept.toFixed(3)} ± ${sw.fit.interceptSe.toFixed(3)}`,
          svg: plot,
        });
      }
      for (const a of runs) {
        for (const plot of a.manifest.plots) {
          const src = join(a.dir, `${plot.name}.svg`);
          const base = `plots/${a.summary.id}/${plot.name}`;
          await mkdir(join(tmp, 'plots', a.summary.id), { recursive: true });
          await copyFile(src, join(tmp, `${base}.svg`));
          await copyFile(join(a.dir, `${plot.name}.png`), join(tmp, `${base}.png`));
          files.push(`${base}.svg`, `${base}.png`);
          figures.push({ caption: `${a.summary.id}: ${plot.caption}`, svg: await readFile(src, 'utf8') });
        }
      }
      sections.push({ title: `Target '${target}'`, figures });
    }
    for (const [i, series] of checkpointSeries(analyses).entries()) {
      const llc = checkpointLlcSvg(series);
      const loss = checkpointLossSvg(series);
      await writePlot(`checkpoints-${series.group}-${i}`, llc);
      await writePlot(`checkpoints-${series.group}-${i}-loss`, loss);
      overview.push({
        title: `Checkpoints of '${series.group}': ${series.label}`,
        figures: [
          { caption: `λ̂ ± 2 MCSE at each checkpoint (${series.runs.length} checkpoints)`, svg: llc },
          { caption: 'training and test loss of the network at each checkpoint', svg: loss },
        ],
      });
    }
    const samplers = [...new Set(analyses.map((a) => a.summary.sampler))];
    if (targets.length > 1) {
      for (const sampler of samplers) {
        const runs = analyses.filter((a) => a.summary.sampler === sampler);
        // Across targets means at least two of them.
        if (new Set(runs.map((a) => a.summary.target)).size < 2) continue;
        const svg = comparisonSvg(`λ̂ across targets for sampler '${sampler}'`, runs, (a) => `${a.summary.target} ${sweepLabel(a)}`.trim());
        await writePlot(`compare-sampler-${sampler}`, svg);
        overview.push({ title: `Sampler '${sampler}' across targets`, figures: [{ caption: `λ̂ ± 2 MCSE per target and setting`, svg }] });
      }
    }
    const flagged = rows.filter((r) => r.flags.length > 0).length;
    const html = renderReport({
      title: slice.title,
      rows,
      verdicts,
      overview,
      sections,
      notes: [
        `${rows.length} runs on ${targets.length} target${targets.length === 1 ? '' : 's'}; ${flagged} flagged (R̂ or ESS past its threshold, MALA acceptance below its band, off the ε → 0 extrapolation, disagreeing with the reference, divergences or stopped chains). Click a column title to sort.`,
        'λ̂ = mean over healthy chains and kept draws of nβ(L_n(w) − L_n(w*)); MCSE from ess_mean; R̂ and ESS are rank-normalised split versions (Vehtari et al. 2021).',
      ],
    });
    await write(REPORT_FILES.html, html);
    await write(REPORT_FILES.csv, toCsv(rows));
    await writeJsonAtomic(join(tmp, REPORT_FILES.json), { title: slice.title, verdicts, runs: rows });
    files.push(REPORT_FILES.json);
    await writeJsonAtomic(join(tmp, REPORT_FILES.manifest), { schema: 'llc.report/1', files: await describeFiles(tmp, files) });
  });
  ctx.log(`report with ${rows.length} runs → ${ctx.outputDir}/${REPORT_FILES.html}`);
}
