import { definePipeline, sweep } from 'llc-pipeline';

/**
 * Calibration: every sampler on targets whose λ is known, so you can see how far each
 * estimate is from the truth before trusting λ̂ on your own network. Run it with
 * `npx llc run --pipeline calibration`; the report's "λ true" and "rel. error" columns
 * are the calibration table.
 *
 * Exact at finite temperature: the quadratics and the flat-prior quartic. Asymptotic only:
 * the normal crossing, the deep linear network and reduced-rank regression — finite-t
 * values sit below λ by about (m − 1)/ln t, so judge those with a looser eye.
 *
 * LLC_CALIBRATION_SIZE=small divides every chain length by 10 (the CI smoke test uses it);
 * the values land in the slice files, so the cache still keys on exactly what ran.
 */
const small = process.env.LLC_CALIBRATION_SIZE === 'small';
const len = (steps: number) => (small ? Math.max(100, Math.round(steps / 10)) : steps);

export default definePipeline({
  seed: 7,
  targets: {
    'quadratic-flat': { kind: 'potential', potential: { type: 'quadratic', h: [1, 2, 5, 10] }, temperature: 100 },
    'quadratic-gauss': { kind: 'potential', potential: { type: 'quadratic', h: [1, 2, 5, 10] }, temperature: 100, prior: { gamma: 10 } },
    quartic: { kind: 'potential', potential: { type: 'monomial', powers: [4, 4] }, temperature: 100 },
    'normal-crossing': { kind: 'potential', potential: { type: 'normal-crossing', k: [1, 2] }, temperature: 10000, prior: { gamma: 1 } },
    'dln-3-4-3': { kind: 'dln', widths: [3, 4, 3], rank: 1, n: 2000, nTest: 500 },
    'rrr-4-2-4': { kind: 'rrr', M: 4, H: 2, N: 4, rank: 1, n: 2000, nTest: 500 },
  },
  samplers: {
    sgld: { kind: 'sgld', stepSize: 1e-4, batchSize: 256, chains: 4, burnIn: len(2000), steps: len(40000), evalEvery: 20 },
    'sgld-rmsprop': { kind: 'sgld', precondition: 'rmsprop', stepSize: 1e-4, batchSize: 256, chains: 4, burnIn: len(2000), steps: len(40000), evalEvery: 20 },
    sgnht: { kind: 'sgnht', stepSize: 0.005, batchSize: 256, chains: 4, burnIn: len(2000), steps: len(40000), evalEvery: 20 },
    hmc: { kind: 'hmc', chains: 4, burnIn: len(500), steps: len(2000) },
    mclmc: { kind: 'mclmc', chains: 4, burnIn: len(2000), steps: len(4000), targetEnergyVariance: 5e-5 },
    vi: { kind: 'vi', chains: 4, steps: len(3000) },
  },
  runs: [
    // Potentials are cheap: every sampler on each, SGLD at two step sizes to show its bias.
    {
      target: ['quadratic-flat', 'quadratic-gauss', 'quartic', 'normal-crossing'],
      sampler: ['sgld-rmsprop', 'sgnht', 'hmc', 'mclmc', 'vi'],
    },
    { target: ['quadratic-flat', 'quadratic-gauss', 'quartic', 'normal-crossing'], sampler: 'sgld', overrides: { stepSize: sweep([1e-4, 1e-3]) } },
    // Linear networks on data: every sampler once.
    { target: ['dln-3-4-3', 'rrr-4-2-4'], sampler: ['sgld', 'hmc', 'mclmc', 'vi'] },
  ],
  report: { title: 'Calibration: λ̂ against known λ for every sampler' },
});
