// Type-level tests of the public API, checked by npm run typecheck: a wrong override fails to compile.
import { definePipeline } from 'llc-pipeline';
definePipeline({ targets: {}, samplers: {}, runs: [{ overrides: { stepSize: 1e-3, integrationSteps: 5 } }] });
// @ts-expect-error no sampler has this hyperparameter
definePipeline({ targets: {}, samplers: {}, runs: [{ overrides: { stepSiz: 1e-3 } }] });
// @ts-expect-error a hyperparameter of the wrong type
definePipeline({ targets: {}, samplers: {}, runs: [{ overrides: { stepSize: 'big' } }] });
