import { definePipeline, sweep } from 'llc-pipeline';

/**
 * The demo study: two teacher–student MLPs. HMC runs on both and is each target's reference
 * (Metropolis-adjusted, so unbiased once converged); SGLD runs on both at three step sizes (the
 * trade-off every SGLD user faces: small steps mix slowly, large steps bias λ̂ upwards — the MALA
 * flag and the ε → 0 extrapolation in the report show where); every other sampler runs on the
 * first, so the report compares them with the reference and at equal cost (ESS per FGE and per
 * second). About 2 minutes on 2 cores (`npm start`).
 */
export default definePipeline({
  seed: 1,
  posterior: { beta0: 1, gamma: 1 },
  targets: {
    'mlp-small': {
      kind: 'teacher-student',
      n: 2000,
      nTest: 500,
      inputDim: 4,
      noiseStd: 0.1,
      teacher: { widths: [4, 8, 1], activation: 'relu' },
      student: { widths: [4, 8, 1], activation: 'relu' },
      train: { lr: 0.01, maxSteps: 20000, patience: 500 },
    },
    'mlp-wide': {
      kind: 'teacher-student',
      n: 2000,
      nTest: 500,
      inputDim: 4,
      noiseStd: 0.1,
      teacher: { widths: [4, 8, 1], activation: 'relu' },
      student: { widths: [4, 16, 1], activation: 'relu' },
      train: { lr: 0.01, maxSteps: 20000, patience: 500 },
    },
  },
  samplers: {
    sgld: { kind: 'sgld', stepSize: sweep([1e-4, 3e-4, 1e-3]), batchSize: 256, chains: 4, burnIn: 3000, steps: 20000, evalEvery: 20 },
    'sgld-rmsprop': {
      kind: 'sgld',
      precondition: 'rmsprop',
      stepSize: 1e-4,
      batchSize: 256,
      chains: 4,
      burnIn: 3000,
      steps: 20000,
      evalEvery: 20,
      malaDiagnostic: true,
    },
    sgnht: { kind: 'sgnht', stepSize: 0.01, batchSize: 256, chains: 4, burnIn: 3000, steps: 20000, evalEvery: 20 },
    hmc: { kind: 'hmc', chains: 4, burnIn: 1000, steps: 3000, targetAcceptance: 0.95 },
    mclmc: { kind: 'mclmc', chains: 4, burnIn: 1000, steps: 6000 },
    vi: { kind: 'vi', chains: 4, steps: 3000 },
  },
  runs: [
    { target: '*', sampler: ['sgld', 'hmc'] },
    { target: 'mlp-small', sampler: ['sgld-rmsprop', 'sgnht', 'mclmc', 'vi'] },
  ],
  report: { title: 'Demo: LLC of two teacher–student MLPs, every sampler' },
});
