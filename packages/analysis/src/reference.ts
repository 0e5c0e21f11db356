/**
 * A run's bias against its target's reference estimate λ_ref (docs/SCIENCE.md §5): the known λ
 * where the target has one, else the reference run's λ̂ ± MCSE. Pure: summaries in, blocks out.
 */
import type { Maybe } from './summary';

/** Where λ_ref comes from and whether it may be used. */
export interface ReferenceBlock {
  /** 'known': the target's known λ; 'run': a reference run's λ̂. */
  source: 'known' | 'run';
  /** The reference run's id (null for a known λ). */
  run: string | null;
  /** true where `reference: true` chose the run; false for the default (the target's first HMC run) or a known λ. */
  declared: boolean;
  value: Maybe;
  /** The reference's own MCSE (0 for an exact λ, null for the asymptotic λ, which has no MCSE). */
  mcse: Maybe;
  /** false for a flagged reference run: it is reported, never compared against. */
  usable: boolean;
  /** Why the reference is unusable; null when it is usable. */
  problem: string | null;
}

/** This run against λ_ref; null fields carry their reason in diagnostics.na ("bias.relative", "bias.inMcse"). */
export interface BiasBlock {
  /** (λ̂ − λ_ref) / λ_ref. */
  relative: Maybe;
  /** (λ̂ − λ_ref) / √(MCSE² + MCSE_ref²): in units of the combined Monte Carlo error. */
  inMcse: Maybe;
}

/** What this module needs of a run: its λ̂, MCSE and flags (a Summary or an estimate). */
export interface RunEstimate {
  id: string;
  mean: Maybe;
  mcse: Maybe;
  flags: string[];
}

export interface KnownAnswer {
  value: number;
  exact: boolean;
}

/**
 * The reference a run is compared with. A known λ always wins (it is the answer); a reference run
 * that is flagged, or has no λ̂, is unusable.
 */
export function referenceFor(known: KnownAnswer | null, run: { estimate: RunEstimate; declared: boolean } | null): ReferenceBlock | null {
  if (known) return { source: 'known', run: null, declared: false, value: known.value, mcse: known.exact ? 0 : null, usable: true, problem: null };
  if (!run) return null;
  const { estimate: r, declared } = run;
  const base = { source: 'run' as const, run: r.id, declared, value: r.mean, mcse: r.mcse };
  if (r.mean === null || r.mcse === null) return { ...base, usable: false, problem: `reference run '${r.id}' has no λ̂ ± MCSE` };
  if (r.flags.length > 0) {
    return { ...base, usable: false, problem: `reference run '${r.id}' is flagged (${r.flags.join('; ')}): fix it or declare another run reference: true` };
  }
  return { ...base, usable: true, problem: null };
}

export function biasAgainst(run: RunEstimate, ref: ReferenceBlock | null): { bias: BiasBlock; na: Record<string, string> } {
  const none = (reason: string) => ({ bias: { relative: null, inMcse: null }, na: { 'bias.relative': reason, 'bias.inMcse': reason } });
  if (!ref) return none('the target has no known λ and no reference run (declare one with reference: true)');
  if (ref.source === 'run' && ref.run === run.id) return none('this run is the reference');
  if (!ref.usable) return none(ref.problem ?? 'unusable reference');
  if (run.mean === null) return none('this run has no λ̂');
  const value = ref.value!;
  const relative = value !== 0 ? (run.mean - value) / value : null;
  const combined = run.mcse === null ? null : Math.hypot(run.mcse, ref.mcse ?? 0);
  const inMcse = combined ? (run.mean - value) / combined : null;
  const na: Record<string, string> = {};
  if (relative === null) na['bias.relative'] = 'λ_ref is 0';
  if (inMcse === null) na['bias.inMcse'] = run.mcse === null ? 'this run has no MCSE' : 'the combined MCSE is 0';
  return { bias: { relative, inMcse }, na };
}

/** The reference, as a reader sees it in a flag or the verdict. */
export function describeReference(ref: ReferenceBlock): string {
  const v = ref.value === null ? 'NA' : +ref.value.toFixed(4);
  if (ref.source === 'known') return `the known λ = ${v}`;
  return `reference '${ref.run}' (${v} ± ${ref.mcse === null ? 'NA' : +ref.mcse.toFixed(3)})`;
}

/**
 * A disagreement a reader must see: beyond `limit` combined MCSE from a usable reference. Not
 * raised against the asymptotic λ, which a finite-temperature λ̂ legitimately misses by ≈ (m−1)/ln nβ.
 */
export function disagreementFlag(bias: BiasBlock, ref: ReferenceBlock | null, limit: number, why: string | null): string | null {
  if (!ref?.usable || bias.inMcse === null || Math.abs(bias.inMcse) <= limit) return null;
  if (ref.source === 'known' && ref.mcse === null) return null;
  const pct = bias.relative === null ? '' : `${bias.relative > 0 ? '+' : ''}${(100 * bias.relative).toFixed(0)}%, `;
  return `λ̂ differs from ${describeReference(ref)} by ${pct}${bias.inMcse.toFixed(1)} combined MCSE (more than ${limit})${why ? `: ${why}` : ''}`;
}

/** What says a run's λ̂ is off for a known reason (its sampler kind or one of its flags), and that reason; first match wins. */
export const CAUSES: Array<{ kind?: string; flag?: RegExp; cause: string }> = [
  { flag: /from the ε → 0 extrapolation of sampler/, cause: 'step-size bias (ε → 0 extrapolation)' },
  { flag: /^MALA acceptance/, cause: 'step-size bias (MALA acceptance below its band)' },
  { kind: 'vi', cause: 'VI family bias (its mixture-of-factor-analysers family misses singular posteriors; docs/SCIENCE.md §5)' },
  { flag: /^(R̂|bulk ESS|tail ESS|rhat NA|essBulk NA|essTail NA)/, cause: 'not converged (R̂/ESS)' },
  { flag: /divergent transition/, cause: 'divergent transitions (the integrator cannot follow the posterior)' },
  { flag: / (stopped|interrupted)/, cause: 'stopped or interrupted chains' },
  // SGNHT has no acceptance-type diagnostic: its discretisation bias shows only against a reference or a sweep.
  { kind: 'sgnht', cause: 'step-size bias (SGNHT has no diagnostic of its own for it: sweep stepSize to see the ε → 0 extrapolation)' },
];

/** Why a run that disagrees with λ_ref is likely wrong; null when nothing explains it. */
export function likelyCause(kind: string, flags: string[]): string | null {
  const found = CAUSES.find((c) => (c.kind !== undefined && c.kind === kind) || (c.flag !== undefined && flags.some((f) => c.flag!.test(f))));
  return found?.cause ?? null;
}
