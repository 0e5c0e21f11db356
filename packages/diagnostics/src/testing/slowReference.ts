/**
 * Deliberately naive, independent re-derivation of the diagnostics for
 * tests: O(n²) direct autocovariance sums, O(S²) counting ranks, sort-free
 * type-7 quantile, Beta quantile by bisection on a Simpson-integrated
 * density. Shares no code with the production modules except Φ⁻¹ (tested
 * on its own against mpmath). Test support only.
 */

import { normalQuantile } from '../normal';

type M = number[][];

const avg = (v: number[]): number => v.reduce((a, b) => a + b, 0) / v.length;
const sampleVar = (v: number[]): number => {
  const m = avg(v);
  return v.reduce((a, b) => a + (b - m) ** 2, 0) / (v.length - 1);
};
const flat = (x: M): number[] => x.flat();
const map = (x: M, f: (v: number) => number): M => x.map((c) => c.map(f));

export function slowSplit(x: M): M {
  const h = Math.floor(x[0].length / 2);
  return [...x.map((c) => c.slice(0, h)), ...x.map((c) => c.slice(c.length - h))];
}

export function slowZ(x: M): M {
  const all = flat(x);
  const S = all.length;
  const rank = (v: number): number => {
    const less = all.filter((w) => w < v).length;
    const equal = all.filter((w) => w === v).length;
    return less + (equal + 1) / 2;
  };
  return map(x, (v) => normalQuantile((rank(v) - 3 / 8) / (S + 1 / 4)));
}

/** k-th smallest (0-based) by counting, no sort. */
function orderStat(all: number[], k: number): number {
  for (const v of all) {
    const less = all.filter((w) => w < v).length;
    const leq = all.filter((w) => w <= v).length;
    if (less <= k && k < leq) return v;
  }
  throw new Error('unreachable');
}

export function slowQuantile(all: number[], p: number): number {
  const h = (all.length - 1) * p;
  const lo = Math.floor(h);
  const a = orderStat(all, lo);
  const b = orderStat(all, Math.min(lo + 1, all.length - 1));
  return a + (h - lo) * (b - a);
}

function directAutocov(y: number[]): number[] {
  const n = y.length;
  const m = avg(y);
  return y.map((_, k) => {
    let s = 0;
    for (let t = 0; t + k < n; t++) s += (y[t] - m) * (y[t + k] - m);
    return s / n;
  });
}

/** posterior's .ess, written from the paper's equations with direct sums. */
export function slowEss(y: M): number {
  const M = y.length;
  const n = y[0].length;
  const acs = y.map(directAutocov);
  const acov = acs[0].map((_, k) => avg(acs.map((a) => a[k])));
  const W = (acov[0] * n) / (n - 1);
  const varPlus = (W * (n - 1)) / n + (M > 1 ? sampleVar(y.map(avg)) : 0);
  const rho = (k: number): number => 1 - (W - acov[k]) / varPlus;
  const r = new Array<number>(n).fill(0);
  r[0] = 1;
  r[1] = rho(1);
  let t = 0;
  let even = 1;
  let odd = r[1];
  while (t < n - 5 && even + odd > 0) {
    t += 2;
    even = rho(t);
    odd = rho(t + 1);
    if (even + odd >= 0) [r[t], r[t + 1]] = [even, odd];
  }
  if (even > 0) r[t] = even;
  for (let j = 2; j <= t - 2; j += 2) {
    if (r[j] + r[j + 1] > r[j - 2] + r[j - 1]) r[j] = r[j + 1] = (r[j - 2] + r[j - 1]) / 2;
  }
  const head = t === 0 ? 1 : r.slice(0, t).reduce((a, b) => a + b, 0);
  const S = M * n;
  return S / Math.max(-1 + 2 * head + r[t], 1 / Math.log10(S));
}

export const slowEssMean = (x: M): number => slowEss(slowSplit(x));
export const slowEssSdBrief = (x: M): number => Math.min(slowEss(slowSplit(x)), slowEss(slowSplit(map(x, (v) => v * v))));

export function slowEssQuantile(x: M, p: number): number {
  const q = slowQuantile(flat(x), p);
  return slowEss(slowSplit(map(x, (v) => (v <= q ? 1 : 0))));
}

export function slowMcseSd(x: M): number {
  const m = avg(flat(x));
  const d2 = map(x, (v) => (v - m) ** 2);
  const e2 = avg(flat(d2));
  const e4 = avg(flat(d2).map((v) => v * v));
  return Math.sqrt((e4 - e2 * e2) / slowEssMean(d2) / e2 / 4);
}

/** Beta(a, b) quantile with a, b ≥ 1: bisection on Simpson's rule for the unnormalised density. */
export function slowBetaQuantile(p: number, a: number, b: number): number {
  const f = (x: number): number => Math.pow(x, a - 1) * Math.pow(1 - x, b - 1);
  const integrate = (hi: number): number => {
    const N = 4000;
    const h = hi / N;
    let s = f(0) + f(hi);
    for (let i = 1; i < N; i++) s += (i % 2 ? 4 : 2) * f(i * h);
    return (s * h) / 3;
  };
  const total = integrate(1);
  let lo = 0;
  let hi = 1;
  for (let i = 0; i < 60; i++) {
    const mid = (lo + hi) / 2;
    if (integrate(mid) / total < p) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

export function slowMcseQuantile(x: M, p: number): number {
  const ess = slowEssQuantile(x, p);
  const a = slowBetaQuantile(0.1586553, ess * p + 1, ess * (1 - p) + 1);
  const b = slowBetaQuantile(0.8413447, ess * p + 1, ess * (1 - p) + 1);
  const all = flat(x);
  const S = all.length;
  return (orderStat(all, Math.min(Math.ceil(b * S), S) - 1) - orderStat(all, Math.max(Math.floor(a * S), 1) - 1)) / 2;
}
