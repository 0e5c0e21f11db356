/**
 * Standard normal quantile Φ⁻¹ (~3e-16 relative) and CDF Φ (~3e-15 relative).
 *
 * Φ⁻¹ is what rank normalisation (Vehtari et al. 2021, arXiv 1903.08008)
 * feeds every pooled draw through, so its accuracy bounds the accuracy of
 * R̂ and bulk-ESS. We use Wichura's (1988) AS241 rational approximations
 * (PPND16), whose published coefficients give ~1e-16 relative accuracy.
 */

const SQRT_2PI = Math.sqrt(2 * Math.PI);

// AS241 central region, |p − 1/2| ≤ 0.425: Φ⁻¹ = q·A(r)/B(r), r = 0.180625 − q².
const A = [
  3.387132872796366608, 133.14166789178437745, 1971.5909503065514427, 13731.693765509461125,
  45921.953931549871457, 67265.770927008700853, 33430.575583588128105, 2509.0809287301226727,
];
const B = [
  1, 42.313330701600911252, 687.1870074920579083, 5394.1960214247511077, 21213.794301586595867,
  39307.89580009271061, 28729.085735721942674, 5226.495278852854561,
];
// Intermediate tail, r = √(−log min(p, 1−p)) ≤ 5, evaluated at r − 1.6.
const C = [
  1.42343711074968357734, 4.6303378461565452959, 5.7694972214606914055, 3.64784832476320460504,
  1.27045825245236838258, 0.24178072517745061177, 0.0227238449892691845833, 7.7454501427834140764e-4,
];
const D = [
  1, 2.05319162663775882187, 1.6763848301838038494, 0.68976733498510000455, 0.14810397642748007459,
  0.0151986665636164571966, 5.475938084995344946e-4, 1.05075007164441684324e-9,
];
// Far tail, r > 5 (p below ~1.4e-11), evaluated at r − 5.
const E = [
  6.6579046435011037772, 5.4637849111641143699, 1.7848265399172913358, 0.29656057182850489123,
  0.026532189526576123093, 0.0012426609473880784386, 2.71155556874348757815e-5, 2.01033439929228813265e-7,
];
const F = [
  1, 0.59983220655588793769, 0.13692988092273580531, 0.0148753612908506148525,
  7.868691311456132591e-4, 1.8463183175100546818e-5, 1.4215117583164458887e-7, 2.04426310338993978564e-15,
];

/** Horner evaluation of Σ c[i]·x^i. */
function poly(c: readonly number[], x: number): number {
  let s = 0;
  for (let i = c.length - 1; i >= 0; i--) s = s * x + c[i];
  return s;
}

/**
 * Φ⁻¹(p), Wichura AS241. Throws for p outside [0, 1] (or NaN): a bad
 * probability is a caller bug, not data to propagate as NaN.
 */
export function normalQuantile(p: number): number {
  if (!(p >= 0 && p <= 1)) {
    throw new RangeError(`Error in normalQuantile: p must be in [0, 1], got ${p}`);
  }
  if (p === 0) return -Infinity;
  if (p === 1) return Infinity;
  const q = p - 0.5;
  if (Math.abs(q) <= 0.425) {
    const r = 0.180625 - q * q;
    return (q * poly(A, r)) / poly(B, r);
  }
  // 1 − p is exact for p ≥ 1/2 (Sterbenz), so the upper tail loses nothing here.
  let r = Math.sqrt(-Math.log(q < 0 ? p : 1 - p));
  let z: number;
  if (r <= 5) {
    r -= 1.6;
    z = poly(C, r) / poly(D, r);
  } else {
    r -= 5;
    z = poly(E, r) / poly(F, r);
  }
  return q < 0 ? -z : z;
}

/**
 * exp(−t²/2) without the rounding error of forming t² (which costs t²·ε
 * relative accuracy, ~1e-13 at t = 38): split t = hi + lo with hi on a
 * 1/16 grid so hi² is exact, then t² = hi² + lo·(t + hi).
 */
function expHalfSquare(t: number): number {
  const hi = Math.round(t * 16) / 16;
  const lo = t - hi;
  return Math.exp(-0.5 * hi * hi) * Math.exp(-0.5 * lo * (t + hi));
}

/**
 * Upper-tail Mills ratio R(t) = (1 − Φ(t))/φ(t) for t > 0 via the Laplace
 * continued fraction R = 1/(t + 1/(t + 2/(t + 3/(t + …)))), evaluated with
 * the modified Lentz method. All partial terms are positive, so there is
 * no cancellation; convergence is fast for t ≳ 2 and merely slower below.
 */
function millsRatio(t: number): number {
  const tiny = 1e-300;
  let f = t;
  let c = t;
  let d = 0;
  for (let k = 1; k < 5000; k++) {
    d = t + k * d;
    d = d === 0 ? tiny : d;
    c = t + k / c;
    c = c === 0 ? tiny : c;
    d = 1 / d;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return 1 / f;
}

/**
 * Φ(x). Central region uses the positive series
 * Φ(x) − 1/2 = φ(x)·Σ x^(2k+1)/(1·3·…·(2k+1)); tails use the Mills
 * ratio so small lower-tail probabilities keep full relative accuracy.
 */
export function normalCdf(x: number): number {
  if (Number.isNaN(x)) return NaN;
  const t = Math.abs(x);
  if (t < 1.5) {
    // Below 1.5 the lower tail Φ(−t) ≥ 0.067, so 1/2 − series cancels at most ~1 digit.
    let term = t;
    let sum = t;
    for (let k = 1; k < 200 && term > 1e-17 * sum; k++) {
      term *= (t * t) / (2 * k + 1);
      sum += term;
    }
    const half = (expHalfSquare(t) / SQRT_2PI) * sum;
    return x >= 0 ? 0.5 + half : 0.5 - half;
  }
  if (t > 40) return x > 0 ? 1 : 0; // φ(40) ≈ 1e-348 underflows anyway
  const upper = (expHalfSquare(t) / SQRT_2PI) * millsRatio(t);
  return x >= 0 ? 1 - upper : upper;
}
