/**
 * Seeded, splittable pseudo-random numbers (xoshiro128**, Blackman & Vigna).
 *
 * Every stochastic piece of the pipeline takes its generator explicitly: a chain's
 * generator is derived from (run seed, "chain", index), so results never depend on
 * which other runs share the process or in which order tasks start.
 * The whole generator state is four uint32 words, small enough to live inside an
 * immutable sampler state and be copied every step.
 */

export type RngState = Uint32Array;

export interface Rng {
  /** Next raw 32-bit output. */
  nextUint32(): number;
  /** Uniform double in [0, 1) with 53 random bits. */
  uniform(): number;
  /** Standard normal double. */
  normal(): number;
  /** Fills `out` with independent standard normals and returns it. */
  fillNormal(out: Float64Array): Float64Array;
  /** Uniform integer in [0, n). */
  int(n: number): number;
  /** A copy of the current state (to store in an immutable sampler state). */
  state(): RngState;
}

const TWO_PI = 2 * Math.PI;

/** 32-bit finaliser of MurmurHash3: spreads every input bit over the output. */
function mix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Hashes a seed and stream labels into a non-zero 128-bit xoshiro state. */
export function seedState(seed: number, ...stream: Array<string | number>): RngState {
  if (!Number.isSafeInteger(seed)) {
    throw new Error(`Error in seedState: seed must be a safe integer, got ${String(seed)}`);
  }
  const text = [String(seed), ...stream.map(String)].join('\u0000');
  const words = new Uint32Array(4);
  let h = 0x9e3779b9;
  for (let i = 0; i < text.length; i++) {
    h = mix32(h ^ Math.imul(text.charCodeAt(i), 0xcc9e2d51));
  }
  for (let k = 0; k < 4; k++) {
    h = mix32(h + 0x9e3779b9 + k);
    words[k] = h;
  }
  if ((words[0] | words[1] | words[2] | words[3]) === 0) words[0] = 1;
  return words;
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

/** A generator that continues from `state` (the array is copied, never mutated). */
export function rngFromState(state: RngState): Rng {
  if (state.length !== 4) throw new Error(`Error in rngFromState: expected 4 state words, got ${state.length}`);
  let s0 = state[0], s1 = state[1], s2 = state[2], s3 = state[3];

  const nextUint32 = (): number => {
    const result = Math.imul(rotl(Math.imul(s1, 5) >>> 0, 7), 9) >>> 0;
    const t = (s1 << 9) >>> 0;
    s2 ^= s0;
    s3 ^= s1;
    s1 ^= s2;
    s0 ^= s3;
    s2 ^= t;
    s3 = rotl(s3, 11);
    s0 >>>= 0; s1 >>>= 0; s2 >>>= 0; s3 >>>= 0;
    return result;
  };
  const uniform = (): number => {
    const hi = nextUint32() >>> 5; // 27 bits
    const lo = nextUint32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) / 9007199254740992;
  };
  // Box–Muller on (0, 1]: 1 - u avoids log(0).
  const normalPair = (out: Float64Array, i: number): void => {
    const r = Math.sqrt(-2 * Math.log(1 - uniform()));
    const theta = TWO_PI * uniform();
    out[i] = r * Math.cos(theta);
    if (i + 1 < out.length) out[i + 1] = r * Math.sin(theta);
  };
  const one = new Float64Array(1);
  return {
    nextUint32,
    uniform,
    normal() {
      normalPair(one, 0);
      return one[0];
    },
    fillNormal(out) {
      for (let i = 0; i < out.length; i += 2) normalPair(out, i);
      return out;
    },
    int(n) {
      if (!(Number.isInteger(n) && n > 0)) throw new Error(`Error in Rng.int: n must be a positive integer, got ${n}`);
      // Multiply-shift keeps the bias below n / 2^53, far under anything measurable.
      return Math.floor(uniform() * n);
    },
    state() {
      return Uint32Array.of(s0, s1, s2, s3);
    },
  };
}

/** A fresh generator for (seed, ...stream). */
export function createRng(seed: number, ...stream: Array<string | number>): Rng {
  return rngFromState(seedState(seed, ...stream));
}
