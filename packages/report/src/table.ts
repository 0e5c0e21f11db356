/**
 * The report's one table of runs, as rows shared by the HTML page, the CSV and the
 * JSON, so the three never disagree.
 */
import type { Summary, Timing } from '@llc/analysis/summary';

export interface ReportRow {
  id: string;
  target: string;
  sampler: string;
  kind: string;
  /** Training step of an imported checkpoint, else null. */
  step: number | null;
  /** Restricted LLC: the restriction's label, else null (every parameter sampled). */
  restriction: string | null;
  hyperparameters: string;
  llc: number | null;
  mcse: number | null;
  rhat: number | null;
  essBulk: number | null;
  essTail: number | null;
  chains: string;
  fge: number;
  wallSeconds: number | null;
  essPerSecond: number | null;
  essPerFge: number | null;
  lambdaTrue: number | null;
  relativeError: number | null;
  /** λ_ref of the target (known λ or the reference run's λ̂); 'reference' marks the reference run's own row. */
  reference: number | null;
  isReference: boolean;
  biasRelative: number | null;
  biasInMcse: number | null;
  flags: string[];
}

export const COLUMNS: Array<{ key: keyof ReportRow; title: string; digits?: number }> = [
  { key: 'target', title: 'target' },
  { key: 'sampler', title: 'sampler' },
  { key: 'step', title: 'step', digits: 0 },
  { key: 'restriction', title: 'restricted to' },
  { key: 'llc', title: 'λ̂', digits: 4 },
  { key: 'mcse', title: 'MCSE', digits: 3 },
  { key: 'rhat', title: 'R̂', digits: 4 },
  { key: 'essBulk', title: 'bulk ESS', digits: 0 },
  { key: 'essTail', title: 'tail ESS', digits: 0 },
  { key: 'chains', title: 'chains ok' },
  { key: 'fge', title: 'FGE', digits: 0 },
  { key: 'wallSeconds', title: 'wall s', digits: 1 },
  { key: 'essPerSecond', title: 'ESS/s', digits: 1 },
  { key: 'essPerFge', title: 'ESS/FGE', digits: 3 },
  { key: 'lambdaTrue', title: 'λ true', digits: 4 },
  { key: 'relativeError', title: 'rel. error', digits: 3 },
  { key: 'reference', title: 'λ ref', digits: 4 },
  { key: 'biasRelative', title: 'bias vs ref', digits: 3 },
  { key: 'biasInMcse', title: 'bias / MCSE', digits: 1 },
  { key: 'flags', title: 'flags' },
  // Last: it is the longest cell, and the numbers should stay on screen.
  { key: 'hyperparameters', title: 'hyperparameters' },
];

export function formatHyperparameters(h: Record<string, unknown>): string {
  return Object.entries(h)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
}

/** `extraFlags`: flags only the report can raise (they need several runs), shown beside the run's own. */
export function toRow(summary: Summary, timing: Timing | null, extraFlags: string[] = []): ReportRow {
  const ref = summary.reference;
  return {
    id: summary.id,
    target: summary.target,
    sampler: summary.sampler,
    kind: summary.samplerKind,
    step: summary.checkpoint?.step ?? null,
    restriction: summary.restriction ? `${summary.restriction.label} (${summary.restriction.d} of ${summary.restriction.dFull})` : null,
    hyperparameters: formatHyperparameters(summary.hyperparameters),
    llc: summary.llc.mean,
    mcse: summary.llc.mcse,
    rhat: summary.diagnostics.rhat,
    essBulk: summary.diagnostics.essBulk,
    essTail: summary.diagnostics.essTail,
    chains: `${summary.draws.healthyChains}/${summary.draws.chains}`,
    fge: summary.work.fge,
    wallSeconds: timing?.samplerSeconds ?? null,
    essPerSecond: timing?.essPerSecond ?? null,
    essPerFge: summary.work.essPerFge,
    lambdaTrue: summary.lambdaTrue,
    relativeError: summary.relativeError,
    reference: ref?.usable ? ref.value : null,
    isReference: ref?.source === 'run' && ref.run === summary.id,
    biasRelative: summary.bias.relative,
    biasInMcse: summary.bias.inMcse,
    flags: [...summary.flags, ...extraFlags],
  };
}

export function formatCell(row: ReportRow, column: (typeof COLUMNS)[number]): string {
  const v = row[column.key];
  if (v === null || v === undefined) return 'NA';
  if (Array.isArray(v)) return v.join('; ');
  if (typeof v === 'number') return column.digits === undefined ? String(v) : v.toFixed(column.digits);
  return String(v);
}

function csvField(s: string): string {
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** CSV with full-precision numbers (the HTML rounds; scripts should not). */
export function toCsv(rows: ReportRow[]): string {
  const keys: Array<keyof ReportRow> = ['id', 'kind', 'isReference', ...COLUMNS.map((c) => c.key)];
  const unique = [...new Set(keys)];
  const lines = [unique.join(',')];
  for (const row of rows) {
    lines.push(
      unique
        .map((k) => {
          const v = row[k];
          if (v === null || v === undefined) return 'NA';
          if (Array.isArray(v)) return csvField(v.join('; '));
          return csvField(String(v));
        })
        .join(','),
    );
  }
  return `${lines.join('\n')}\n`;
}
