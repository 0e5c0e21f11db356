/**
 * `llc diagnose draws.csv`: every convergence diagnostic for draws made by any tool.
 * The CSV has columns `chain,draw,<variable>...` (one row per draw; chains may be
 * labelled by any value and appear in any order; draws are ordered by `draw`).
 */
import { summarizeDraws, thresholdBreaches, type DiagnosticsSummary } from '@llc/diagnostics/index';

export interface DrawsTable {
  variables: string[];
  /** variable → chains × draws */
  draws: Record<string, Float64Array[]>;
  chainLabels: string[];
}

function parseNumber(text: string, where: string): number {
  const t = text.trim();
  if (/^(NA|NaN|nan|)$/.test(t)) return Number.NaN;
  if (/^[+]?inf(inity)?$/i.test(t)) return Number.POSITIVE_INFINITY;
  if (/^-inf(inity)?$/i.test(t)) return Number.NEGATIVE_INFINITY;
  const v = Number(t);
  if (Number.isNaN(v)) throw new Error(`${where}: ${JSON.stringify(text)} is not a number`);
  return v;
}

export function parseDrawsCsv(text: string, file = 'draws.csv'): DrawsTable {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  if (lines.length < 2) throw new Error(`${file}: needs a header line and at least one row of draws`);
  const header = lines[0].split(',').map((h) => h.trim().replace(/^"|"$/g, ''));
  if (header[0] !== 'chain' || header[1] !== 'draw' || header.length < 3) {
    throw new Error(`${file}: the header must be "chain,draw,<variable>[,<variable>...]", got "${lines[0]}"`);
  }
  const variables = header.slice(2);
  const byChain = new Map<string, Array<{ draw: number; values: number[] }>>();
  lines.slice(1).forEach((line, i) => {
    const where = `${file} line ${i + 2}`;
    const cells = line.split(',');
    if (cells.length !== header.length) throw new Error(`${where}: has ${cells.length} columns, the header has ${header.length}`);
    const chain = cells[0].trim().replace(/^"|"$/g, '');
    const draw = parseNumber(cells[1], `${where} (draw)`);
    const rows = byChain.get(chain) ?? [];
    rows.push({ draw, values: cells.slice(2).map((c, k) => parseNumber(c, `${where} (${variables[k]})`)) });
    byChain.set(chain, rows);
  });
  const chainLabels = [...byChain.keys()];
  const lengths = chainLabels.map((c) => byChain.get(c)!.length);
  if (new Set(lengths).size > 1) {
    throw new Error(`${file}: chains have different numbers of draws (${chainLabels.map((c, i) => `chain ${c}: ${lengths[i]}`).join(', ')}); trim them to equal length`);
  }
  const draws: Record<string, Float64Array[]> = {};
  variables.forEach((v, k) => {
    draws[v] = chainLabels.map((c) => {
      const rows = [...byChain.get(c)!].sort((a, b) => a.draw - b.draw);
      return Float64Array.from(rows, (r) => r.values[k]);
    });
  });
  return { variables, draws, chainLabels };
}

export function diagnoseTable(table: DrawsTable): Record<string, DiagnosticsSummary> {
  return Object.fromEntries(table.variables.map((v) => [v, summarizeDraws(table.draws[v])]));
}

const TABLE_COLUMNS: Array<[keyof DiagnosticsSummary, string, number]> = [
  ['mean', 'mean', 4],
  ['sd', 'sd', 4],
  ['q5', 'q5', 4],
  ['q50', 'q50', 4],
  ['q95', 'q95', 4],
  ['rhat', 'rhat', 3],
  ['essBulk', 'ess_bulk', 0],
  ['essTail', 'ess_tail', 0],
  ['essMean', 'ess_mean', 0],
  ['essSd', 'ess_sd', 0],
  ['mcseMean', 'mcse_mean', 4],
  ['mcseSd', 'mcse_sd', 4],
];

/** A readable fixed-width table; NA cells are explained below it. */
export function formatDiagnosticsTable(results: Record<string, DiagnosticsSummary>): string {
  const names = Object.keys(results);
  const rows = [['variable', ...TABLE_COLUMNS.map(([, title]) => title)]];
  const notes: string[] = [];
  for (const name of names) {
    const r = results[name];
    rows.push([
      name,
      ...TABLE_COLUMNS.map(([key, , digits]) => {
        const v = r[key] as number | null;
        return v === null ? 'NA' : v.toFixed(digits);
      }),
    ]);
    const reasons = [...new Set(Object.values(r.na))];
    if (reasons.length) notes.push(`${name}: NA because ${reasons.join('; ')}`);
    const flags = thresholdBreaches(r, r.thresholds);
    if (flags.length) notes.push(`${name}: ${flags.join(', ')}`);
  }
  const widths = rows[0].map((_, j) => Math.max(...rows.map((row) => row[j].length)));
  const text = rows.map((row) => row.map((cell, j) => (j === 0 ? cell.padEnd(widths[j]) : cell.padStart(widths[j]))).join('  '));
  const first = results[names[0]];
  return [
    `${first.chains} chains × ${first.draws} draws`,
    ...text,
    ...(notes.length ? ['', ...notes] : []),
  ].join('\n');
}
