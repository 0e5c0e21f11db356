/**
 * The per-target verdict (docs/SUMMARY.md "Verdict"): λ_ref, which runs agree with it within
 * `agreementMcse` combined MCSE, which do not and the likely reason, and the estimate to use.
 * Pure: the runs' summaries (with any report-level flags added) in, one verdict per target out.
 */
import type { Summary } from '@llc/analysis/summary';
import { describeReference, likelyCause, type ReferenceBlock } from '@llc/analysis/reference';

export interface VerdictRun {
  summary: Summary;
  /** The summary's flags plus those only the report can raise (the ε → 0 extrapolation). */
  flags: string[];
}

export interface TargetVerdict {
  target: string;
  reference: ReferenceBlock | null;
  /** Unflagged runs within the agreement limit of λ_ref (the reference run itself excluded). */
  agree: string[];
  /** Runs within the limit that carry flags: their agreement is weaker (an unconverged run's MCSE is unreliable). */
  agreeFlagged: Array<{ run: string; reason: string }>;
  disagree: Array<{ run: string; relative: number | null; inMcse: number; reason: string }>;
  /** Runs that could not be compared, and why. */
  notCompared: Array<{ run: string; reason: string }>;
  /** The estimate to report for this target: the usable reference; null when there is none. */
  recommended: { value: number; mcse: number | null; from: string } | null;
  /** The verdict in sentences, as the report and `llc run` print it. */
  lines: string[];
}

const fmt = (v: number | null, digits: number) => (v === null ? 'NA' : v.toFixed(digits));

export function targetVerdict(target: string, runs: VerdictRun[], agreementMcse: number): TargetVerdict {
  // Every run on a target carries the same reference block; take the first that has one.
  const reference = runs.map((r) => r.summary.reference).find((r) => r !== null) ?? null;
  const agree: string[] = [];
  const agreeFlagged: TargetVerdict['agreeFlagged'] = [];
  const disagree: TargetVerdict['disagree'] = [];
  const notCompared: TargetVerdict['notCompared'] = [];
  const asymptoticOnly = reference?.source === 'known' && reference.mcse === null;
  for (const { summary: s, flags } of runs) {
    if (reference?.source === 'run' && reference.run === s.id) continue;
    const z = s.bias.inMcse;
    if (z === null || asymptoticOnly) {
      notCompared.push({ run: s.id, reason: asymptoticOnly ? 'λ is known only asymptotically' : (s.diagnostics.na['bias.inMcse'] ?? 'no bias') });
    } else if (Math.abs(z) <= agreementMcse) {
      if (flags.length === 0) agree.push(s.id);
      else agreeFlagged.push({ run: s.id, reason: likelyCause(s.samplerKind, flags) ?? flags[0] });
    } else {
      disagree.push({ run: s.id, relative: s.bias.relative, inMcse: z, reason: likelyCause(s.samplerKind, flags) ?? 'no diagnostic explains it: inspect its trace and running-λ̂ plots' });
    }
  }
  const recommended =
    reference?.usable && reference.value !== null
      ? { value: reference.value, mcse: reference.mcse, from: reference.source === 'known' ? 'known λ' : `run '${reference.run}'` }
      : null;

  const lines: string[] = [];
  if (!reference) {
    lines.push(`No reference: '${target}' has no known λ and no reference run. Add an HMC run, or set reference: true on the run you trust.`);
  } else if (!reference.usable) {
    lines.push(`Reference unusable: ${reference.problem}. No run is compared and no estimate is recommended.`);
  } else {
    const how = reference.source === 'known' ? '' : reference.declared ? ' (declared reference: true)' : ' (default: the first HMC run on this target)';
    lines.push(`Reference: ${describeReference(reference)}${how}.`);
    if (asymptoticOnly) lines.push('λ is known only asymptotically: finite-temperature runs are not judged against it.');
    if (agree.length) lines.push(`Agree within ${agreementMcse} combined MCSE: ${agree.join(', ')}.`);
    if (agreeFlagged.length) {
      lines.push(`Agree within ${agreementMcse} combined MCSE but flagged, so weaker evidence: ${agreeFlagged.map((a) => `${a.run} (${a.reason})`).join(', ')}.`);
    }
    for (const d of disagree) {
      const pct = d.relative === null ? '' : `${d.relative > 0 ? '+' : ''}${(100 * d.relative).toFixed(0)}%, `;
      lines.push(`Disagrees: ${d.run} (${pct}${d.inMcse.toFixed(1)} combined MCSE), likely ${d.reason}.`);
    }
  }
  if (recommended) lines.push(`Recommended λ̂ for '${target}': ${fmt(recommended.value, 3)} ± ${fmt(recommended.mcse, 3)} (${recommended.from}).`);
  return { target, reference, agree, agreeFlagged, disagree, notCompared, recommended, lines };
}
