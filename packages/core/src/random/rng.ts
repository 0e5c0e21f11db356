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

/**
 * Ziggurat for the standard normal (Marsaglia & Tsang 2000) with 256 layers of equal
 * area V under f(x) = exp(−x²/2), laid out as in Doornik (2005): the layer index and
 * the sign come from bits of one 32-bit word that never enter the abscissa, which gets
 * 55 bits of its own, so no value is correlated with its layer. About 99% of draws
 * cost two 32-bit words, a multiply and a compare: no log, sqrt or trig, which made
 * Box–Muller the slowest part of an SGLD step on large networks.
 * X[0] = V / f(R) is the width of the base layer (rectangle plus tail); X[1] = R is
 * where the tail starts; X[i + 1] solves f(X[i + 1]) = f(X[i]) + V / X[i]; X[256] = 0.
 */
const ZIG_LAYERS = 256;
const ZIG_R = 3.6541528853610088;
const ZIG_V = 0.00492867323399;
const ZIG_X = new Float64Array(ZIG_LAYERS + 1);
const ZIG_F = new Float64Array(ZIG_LAYERS + 1);
{
  const f = (x: number) => Math.exp(-0.5 * x * x);
  ZIG_X[0] = ZIG_V / f(ZIG_R);
  ZIG_X[1] = ZIG_R;
  for (let i = 1; i < ZIG_LAYERS - 1; i++) ZIG_X[i + 1] = Math.sqrt(-2 * Math.log(ZIG_V / ZIG_X[i] + f(ZIG_X[i])));
  ZIG_X[ZIG_LAYERS] = 0;
  for (let i = 0; i <= ZIG_LAYERS; i++) ZIG_F[i] = f(ZIG_X[i]);
}
const TWO_POW_M32 = 2 ** -32;
const TWO_POW_M23 = 2 ** -23;

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

/** 32-bit rotate left, as an int32 (same bits as the uint32). */
function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** A generator that continues from `state` (the array is copied, never mutated). */
export function rngFromState(state: RngState): Rng {
  if (state.length !== 4) throw new Error(`Error in rngFromState: expected 4 state words, got ${state.length}`);
  // The state lives in a typed array: closure variables holding uint32 values above 2³¹ are
  // boxed heap numbers in V8, which made every draw allocate (≈ 20× slower).
  const st = Uint32Array.from(state);

  const nextUint32 = (): number => {
    const s0 = st[0], s1 = st[1];
    const result = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 0;
    const s2 = st[2] ^ s0;
    const s3 = st[3] ^ s1;
    st[0] = s0 ^ s3;
    st[1] = s1 ^ s2;
    st[2] = s2 ^ (s1 << 9);
    st[3] = rotl(s3, 11);
    return result;
  };
  const uniform = (): number => {
    const hi = nextUint32() >>> 5; // 27 bits
    const lo = nextUint32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) / 9007199254740992;
  };
  /**
   * The ziggurat's rare path (~1% of draws), after the fast rectangle test failed for the
   * abscissa x of `layer`: the tail beyond R, or the wedge test. null: rejected, draw again.
   */
  const slowPath = (layer: number, x: number, negative: boolean): number | null => {
    if (layer === 0) {
      // The tail beyond R (Marsaglia 1964); 1 − uniform() is in (0, 1], so log is finite.
      let t: number, y: number;
      do {
        t = -Math.log(1 - uniform()) / ZIG_R;
        y = -Math.log(1 - uniform());
      } while (y + y < t * t);
      return negative ? -(ZIG_R + t) : ZIG_R + t;
    }
    // The wedge between the layer's inner rectangle and the curve.
    if (ZIG_F[layer] + uniform() * (ZIG_F[layer + 1] - ZIG_F[layer]) < Math.exp(-0.5 * x * x)) return negative ? -x : x;
    return null;
  };
  const normal = (): number => {
    for (;;) {
      const a = nextUint32();
      // 23 bits of a above the layer and sign bits, then 32 of a second word: u in [0, 1).
      const u = ((a >>> 9) + nextUint32() * TWO_POW_M32) * TWO_POW_M23;
      const layer = a & 0xff;
      const x = u * ZIG_X[layer];
      if (x < ZIG_X[layer + 1]) return (a & 0x100) !== 0 ? -x : x;
      const z = slowPath(layer, x, (a & 0x100) !== 0);
      if (z !== null) return z;
    }
  };
  return {
    nextUint32,
    uniform,
    normal,
    /**
     * The same stream as calling normal() out.length times, with the generator state in
     * int32 locals and xoshiro inlined on the fast path (the bulk of an SGLD step's noise).
     */
    fillNormal(out) {
      let s0 = st[0] | 0, s1 = st[1] | 0, s2 = st[2] | 0, s3 = st[3] | 0;
      for (let i = 0; i < out.length; i++) {
        const a = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 0;
        let t = s1 << 9;
        s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3; s2 ^= t; s3 = rotl(s3, 11);
        const b = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 0;
        t = s1 << 9;
        s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3; s2 ^= t; s3 = rotl(s3, 11);
        const layer = a & 0xff;
        const x = ((a >>> 9) + b * TWO_POW_M32) * TWO_POW_M23 * ZIG_X[layer];
        if (x < ZIG_X[layer + 1]) {
          out[i] = (a & 0x100) !== 0 ? -x : x;
          continue;
        }
        st[0] = s0; st[1] = s1; st[2] = s2; st[3] = s3;
        out[i] = slowPath(layer, x, (a & 0x100) !== 0) ?? normal();
        s0 = st[0] | 0; s1 = st[1] | 0; s2 = st[2] | 0; s3 = st[3] | 0;
      }
      st[0] = s0; st[1] = s1; st[2] = s2; st[3] = s3;
      return out;
    },
    int(n) {
      if (!(Number.isInteger(n) && n > 0)) throw new Error(`Error in Rng.int: n must be a positive integer, got ${n}`);
      // Multiply-shift keeps the bias below n / 2^53, far under anything measurable.
      return Math.floor(uniform() * n);
    },
    state() {
      return Uint32Array.from(st);
    },
  };
}

/** A fresh generator for (seed, ...stream). */
export function createRng(seed: number, ...stream: Array<string | number>): Rng {
  return rngFromState(seedState(seed, ...stream));
}
