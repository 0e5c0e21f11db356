// Deterministic synthetic inputs for each plot: used by the tests and by
// render-examples.ts to eyeball the output. Not part of the runtime path.
import type { IntervalPlotInput } from './interval';
import type { RunningMeanPlotInput } from './running-mean';
import type { TracePlotInput } from './trace';

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
