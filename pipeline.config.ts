import { definePipeline, sweep } from './tools/src/config/define';

/**
 * The demo study: two teacher–student targets × SGLD at three step sizes, 4 chains each.
 * It shows the step-size trade-off every SGLD user has to make: small steps mix slowly
 * (R̂ and ESS flag them), large steps bias λ̂ upwards. About 2 minutes on 2 cores (`npm start`).
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
    sgld: {
      kind: 'sgld',
      stepSize: sweep([1e-4, 3e-4, 1e-3]),
      batchSize: 256,
      chains: 4,
      burnIn: 4000,
      steps: 30000,
      evalEvery: 20,
    },
  },
  report: { title: 'Demo: LLC of two teacher–student MLPs' },
});
