// Module hooks that append every file: URL the process loads to $LLC_RECORD_LOADS (one per line).
// Registered with `node --import tsx --import ./recordLoads.mjs`, for the cache-input test.
import { register } from 'node:module';
import { appendFileSync } from 'node:fs';

if (process.env.LLC_RECORD_LOADS_HOOKS !== '1') {
  register(import.meta.url, { data: { out: process.env.LLC_RECORD_LOADS } });
}

let out;
export function initialize(data) {
  out = data.out;
}
export async function load(url, context, next) {
  if (url.startsWith('file:')) appendFileSync(out, `${url}\n`);
  return next(url, context);
}
