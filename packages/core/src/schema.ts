/** zod building blocks shared by every layer's config schema. */
import { z } from 'zod';
import { SWEEP_KEY } from './sweep';

export const positive = z.number().positive().finite();
export const positiveInt = z.number().int().positive();
export const nonNegativeInt = z.number().int().nonnegative();
export const seed = z.number().int().nonnegative().max(2 ** 31 - 1);

/** Wraps a scalar schema so that `sweep([...])` of valid values is also accepted. */
export function sweepable<T extends z.ZodType>(inner: T) {
  return z.union([
    inner,
    z.strictObject({
      [SWEEP_KEY]: z.array(inner).min(1, { message: 'a sweep needs at least one value' }),
    }),
  ]);
}
