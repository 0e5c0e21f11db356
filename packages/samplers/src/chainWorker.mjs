// Worker-thread entry for chainExecution 'workers' (samplers/src/chains.ts). On Node 20 a
// worker does not inherit a working `--import tsx` from its parent, so this plain ES module
// registers tsx in the worker and then loads the TypeScript entry.
import { register } from 'tsx/esm/api';

register();
await import('./chainWorker.ts');
