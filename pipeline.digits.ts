import { definePipeline } from 'llc-pipeline';

/**
 * Bring your own model: the LLC across the checkpoints of one training run of a PyTorch MLP
 * classifier (64 → 32 → 10, ReLU, cross-entropy) on the 8×8 digits. The network, its data and
 * its checkpoints come from examples/digits/train.py; each checkpoint is its own target, so a
 * new checkpoint adds its own tasks and reruns nothing else. Run it with
 * `npx llc run --pipeline digits` (README "Bring your own model").
 *
 * LLC_DIGITS_DIR points at another copy (CI trains a small one); LLC_DIGITS_SIZE=small shortens the chains.
 */
const dir = process.env.LLC_DIGITS_DIR ?? 'examples/digits';
const small = process.env.LLC_DIGITS_SIZE === 'small';

export default definePipeline({
  seed: 3,
  // β = 1/ln n (Watanabe's WBIC temperature, devinterp's default) and a localiser γ = 100.
  posterior: { beta0: 1 / Math.log(1500), gamma: 100 },
  targets: {
    digits: {
      kind: 'imported',
      checkpoints: `${dir}/checkpoints/step-*.safetensors`,
      architecture: { family: 'mlp', activation: 'relu', layers: [{ weight: '0.weight', bias: '0.bias' }, { weight: '2.weight', bias: '2.bias' }] },
      loss: 'cross-entropy',
      data: {
        train: { file: `${dir}/data/train.csv`, inputs: '*', target: 'label' },
        test: { file: `${dir}/data/test.csv`, inputs: '*', target: 'label' },
      },
    },
  },
  samplers: {
    sgld: { kind: 'sgld', stepSize: 3e-4, batchSize: 128, chains: 4, burnIn: small ? 100 : 1000, steps: small ? 400 : 4000, evalEvery: 10 },
  },
  runs: [
    { target: 'digits', sampler: 'sgld' },
    // Restricted LLC: only the output layer moves, the hidden layer stays at w*.
    { target: 'digits', sampler: 'sgld', restrict: { label: 'output-layer', params: ['2.*'] } },
  ],
  report: { title: 'Bring your own model: LLC over the training of a digits classifier' },
});
