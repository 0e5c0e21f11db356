// Deterministic synthetic inputs for each plot: used by the tests and by
// render-examples.ts to eyeball the output. Not part of the runtime path.
import type { AcceptancePlotInput } from '../acceptance';
import type { AutocorrelationPlotInput } from '../autocorrelation';
import type { EnergyPlotInput } from '../energy';
import type { IntervalPlotInput } from '../interval';
import type { RankPlotInput } from '../rank';
import type { RunningMeanPlotInput } from '../running-mean';
import type { ScatterPlotInput } from '../scatter';
import type { TracePlotInput } from '../trace';

/** Small seeded normal generator (32-bit LCG + Box–Muller); quality is irrelevant here. */
function normals(seed: number, n: number): Float64Array {
  let s = seed >>> 0;
  const uniform = (): number => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s + 0.5) / 4294967296;
  };
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    out[i] = Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
  }
  return out;
}

/** AR(1) chains around `center`, like a mixing SGLD trace of nβ·L_n. */
export function exampleTrace(nChains = 4, n = 5000): TracePlotInput {
  const chains = Array.from({ length: nChains }, (_, c) => {
    const z = normals(1000 + c, n);
    const x = new Float64Array(n);
    const y = new Float64Array(n);
    let v = 3 + c * 0.5; // start away from equilibrium to show burn-in
    for (let i = 0; i < n; i++) {
      v = 1.5 + 0.97 * (v - 1.5) + 0.08 * z[i]!;
      x[i] = i;
      y[i] = v;
    }
    return { x, y };
  });
  return {
    title: 'SGLD trace of λ̂ per chain',
    xLabel: 'iteration',
    yLabel: 'λ̂ (nβ·ΔL)',
    chains,
    referenceLine: { value: 1.5, label: 'true λ = 1.5' },
  };
}

export function exampleRunningMean(n = 3000): RunningMeanPlotInput {
  const z = normals(7, n);
  const x = new Float64Array(n), mean = new Float64Array(n), lower = new Float64Array(n), upper = new Float64Array(n);
  let sum = 0;
  for (let i = 0; i < n; i++) {
    sum += 1.5 + 0.6 * z[i]!;
    const m = sum / (i + 1);
    const mcse = 0.6 / Math.sqrt(i + 1) * 2.5;
    x[i] = i + 1;
    mean[i] = m;
    lower[i] = m - mcse;
    upper[i] = m + mcse;
  }
  return {
    title: 'Running mean of λ̂ with MCSE band',
    xLabel: 'draws',
    yLabel: 'λ̂',
    x, mean, lower, upper,
    referenceLine: { value: 1.5, label: 'true λ' },
  };
}

export function exampleInterval(): IntervalPlotInput {
  const runs = [
    ['sgld-step=1e-4,beta=1/log n', 1.48, 0.04, 'SGLD'],
    ['sgld-step=3e-4,beta=1/log n', 1.55, 0.05, 'SGLD'],
    ['sgld-step=1e-3,beta=1/log n (diverged?)', 1.9, 0.2, 'SGLD'],
    ['mala-step=1e-3', 1.51, 0.02, 'MALA'],
    ['mala-step=3e-3', 1.49, 0.03, 'MALA'],
    ['hmc-L=10', 1.5, 0.015, 'HMC'],
    ['hmc-L=20-with-a-very-long-configuration-name', 1.52, 0.02, 'HMC'],
  ] as const;
  return {
    title: 'λ̂ ± MCSE by run',
    yLabel: 'λ̂',
    items: runs.map(([label, value, se, group]) => ({ label, value, lower: value - se, upper: value + se, group })),
    referenceLines: [{ value: 1.5, label: 'true λ' }],
  };
}

/** AR(1) series x_t = center + φ(x_{t−1} − center) + σ√(1−φ²)·z_t (stationary sd σ). */
function ar1(seed: number, n: number, phi: number, center = 0, sd = 1): Float64Array {
  const z = normals(seed, n);
  const out = new Float64Array(n);
  let v = center + sd * z[0]!;
  const s = sd * Math.sqrt(1 - phi * phi);
  for (let i = 0; i < n; i++) {
    v = center + phi * (v - center) + s * z[i]!;
    out[i] = v;
  }
  return out;
}

/** Four mixing chains, the last one shifted by 0.4 sd so its ranks pile up high. */
export function exampleRank(n = 1000): RankPlotInput {
  return {
    title: 'Rank plot of λ̂ (chain 3 offset)',
    chains: [0, 1, 2, 3].map((c) => ar1(200 + c, n, 0.6, c === 3 ? 0.4 : 0)),
  };
}

export function exampleAutocorrelation(n = 2000): AutocorrelationPlotInput {
  return {
    title: 'Autocorrelation of λ̂ per chain',
    chains: [0.3, 0.7, 0.9, 0.97].map((phi, c) => ar1(300 + c, n, phi)),
    maxLag: 60,
  };
}

/** Energies with E-BFMI ≈ 2(1 − φ): the φ = 0.92 chain comes out low. */
export function exampleEnergy(n = 1000): EnergyPlotInput {
  return {
    title: 'HMC energy: marginal vs transitions',
    energy: [0.3, 0.5, 0.6, 0.92].map((phi, c) => ar1(400 + c, n, phi, 50, 4)),
  };
}

/** SGLD's MALA acceptance diagnostic hovering near a 0.9–0.95 band. */
export function exampleAcceptance(n = 1500): AcceptancePlotInput {
  return {
    title: 'MALA acceptance diagnostic per chain',
    chains: [0, 1, 2].map((c) =>
      Float64Array.from(ar1(500 + c, n, 0.9, 0.925 - 0.03 * c, 0.02), (v) => Math.min(1, Math.max(0, v))),
    ),
    target: [0.9, 0.95],
  };
}

export function exampleHmcAcceptance(n = 800): AcceptancePlotInput {
  const x = Float64Array.from({ length: n }, (_, i) => 10 * i);
  return {
    title: 'HMC acceptance probability',
    x,
    chains: [0, 1].map((c) => Float64Array.from(ar1(600 + c, n, 0.3, 0.8, 0.12), (v) => Math.min(1, Math.max(0, v)))),
    target: 0.8,
    targetLabel: 'target δ = 0.8',
    xLabel: 'iteration',
  };
}

/** Student vs teacher outputs: by default 4000 train + 1000 test points (thinned to 3000). */
export function exampleScatter(nTrain = 4000, nTest = 1000): ScatterPlotInput {
  const series = [
    { label: 'train', n: nTrain, noise: 0.15, seed: 700 },
    { label: 'test', n: nTest, noise: 0.35, seed: 800 },
  ].map(({ label, n, noise, seed }) => {
    const t = normals(seed, n);
    const e = normals(seed + 1, n);
    return { label, x: t, y: Float64Array.from(t, (v, i) => 0.9 * v + noise * e[i]!) };
  });
  return { title: 'Student vs teacher predictions', xLabel: 'teacher output', yLabel: 'student output', series, diagonal: true };
}

/** Training loss against wall-clock seconds, spanning four decades: for yScale 'log'. */
export function exampleLossTrace(n = 1200): TracePlotInput {
  const chains = [0, 1].map((c) => {
    const z = normals(900 + c, n);
    const x = new Float64Array(n);
    const y = new Float64Array(n);
    let t = 0;
    for (let i = 0; i < n; i++) {
      t += 0.037 + 0.004 * (c + 1) + 0.002 * Math.abs(z[i]!); // irregular step times
      x[i] = t;
      y[i] = (3 * Math.exp(-i / (120 + 60 * c)) + 2e-4) * Math.exp(0.15 * z[i]!);
    }
    return { x, y, label: c === 0 ? 'seed 0' : 'seed 1' };
  });
  return { title: 'Training loss (log scale)', xLabel: 'wall-clock time (s)', yLabel: 'loss', chains, yScale: 'log' };
}

/** The running mean against wall-clock seconds instead of draw index. */
export function exampleRunningMeanSeconds(n = 1500): RunningMeanPlotInput {
  const base = exampleRunningMean(n);
  const x = new Float64Array(n);
  let t = 0.25;
  for (let i = 0; i < n; i++) x[i] = t += 0.0137 + 0.001 * (i % 7);
  return { ...base, title: 'Running mean of λ̂ vs wall-clock time', xLabel: 'wall-clock time (s)', x };
}
