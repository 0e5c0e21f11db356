/**
 * The ε → 0 extrapolation of a step-size sweep (docs/SCIENCE.md §5). An unadjusted Langevin
 * chain's stationary mean moves by O(ε) (its bias is first order in the step), so
 *   λ̂(ε) ≈ λ̂(0) + bε
 * fitted by weighted least squares with weights 1/MCSE². With three or more points the
 * intercept's standard error is scaled up by √(χ²/(k − 2)) when the line fits worse than the
 * MCSEs say (never down). A run more than `limit` combined standard errors from λ̂(0) carries
 * step-size bias.
 */
export interface SweepPoint {
  id: string;
  stepSize: number;
  mean: number;
  mcse: number;
}

export interface Extrapolation {
  /** λ̂ at ε = 0 and its standard error. */
  intercept: number;
  interceptSe: number;
  slope: number;
  /** Per run: (λ̂(ε) − λ̂(0)) / √(MCSE² + SE(λ̂(0))²). */
  deviations: Array<{ id: string; stepSize: number; inSe: number }>;
}

/** null when the sweep cannot carry a line: fewer than two distinct ε, or an MCSE that is not positive. */
export function extrapolateToZeroStep(points: SweepPoint[]): Extrapolation | null {
  if (new Set(points.map((p) => p.stepSize)).size < 2 || points.some((p) => !(p.mcse > 0) || !Number.isFinite(p.mean))) return null;
  let sw = 0;
  let sx = 0;
  let sy = 0;
  let sxx = 0;
  let sxy = 0;
  for (const p of points) {
    const w = 1 / p.mcse ** 2;
    sw += w;
    sx += w * p.stepSize;
    sy += w * p.mean;
    sxx += w * p.stepSize ** 2;
    sxy += w * p.stepSize * p.mean;
  }
  const det = sw * sxx - sx * sx;
  const intercept = (sxx * sy - sx * sxy) / det;
  const slope = (sw * sxy - sx * sy) / det;
  const chi2 = points.reduce((a, p) => a + ((p.mean - intercept - slope * p.stepSize) / p.mcse) ** 2, 0);
  const scale = points.length > 2 ? Math.max(1, chi2 / (points.length - 2)) : 1;
  const interceptSe = Math.sqrt((sxx / det) * scale);
  const deviations = points.map((p) => ({ id: p.id, stepSize: p.stepSize, inSe: (p.mean - intercept) / Math.hypot(p.mcse, interceptSe) }));
  return { intercept, interceptSe, slope, deviations };
}

export function extrapolationFlag(e: Extrapolation, id: string, limit: number, sampler: string): string | null {
  const d = e.deviations.find((x) => x.id === id);
  if (!d || Math.abs(d.inSe) <= limit) return null;
  return (
    `λ̂ is ${d.inSe.toFixed(1)} combined SE from the ε → 0 extrapolation of sampler '${sampler}' ` +
    `(${e.intercept.toFixed(3)} ± ${e.interceptSe.toFixed(3)}; more than ${limit}): step-size bias; lower stepSize`
  );
}
