/**
 * Minimal in-place radix-2 complex FFT, used only to get all-lag
 * autocovariances in O(n log n) for ESS (Geyer 1992; Vehtari et al. 2021).
 */

/** Smallest power of two ≥ m (m ≥ 1). */
export function nextPowerOfTwo(m: number): number {
  let p = 1;
  while (p < m) p *= 2;
  return p;
}

/**
 * Unnormalised discrete Fourier transform of (re, im) in place; `inverse`
 * flips the sign of the exponent and does NOT divide by N (callers that
 * only need ratios, like the autocovariance, skip that work).
 * The length must be a power of two.
 */
export function fftInPlace(re: Float64Array, im: Float64Array, inverse = false): void {
  const n = re.length;
  if (im.length !== n || n === 0 || (n & (n - 1)) !== 0) {
    throw new RangeError(`Error in fftInPlace: length must be a power of two, got ${n}`);
  }
  // Bit-reversal permutation so the butterflies below can run in place.
  for (let i = 1, j = 0; i < n; i++) {
    let bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) {
      let t = re[i];
      re[i] = re[j];
      re[j] = t;
      t = im[i];
      im[i] = im[j];
      im[j] = t;
    }
  }
  // Twiddles straight from cos/sin per index (not by repeated complex
  // multiplication), so their error does not grow with n.
  const half = n >> 1;
  const cosT = new Float64Array(half);
  const sinT = new Float64Array(half);
  const sign = inverse ? 1 : -1;
  for (let k = 0; k < half; k++) {
    const angle = (2 * Math.PI * k) / n;
    cosT[k] = Math.cos(angle);
    sinT[k] = sign * Math.sin(angle);
  }
  for (let len = 2; len <= n; len *= 2) {
    const halfLen = len >> 1;
    const stride = n / len;
    for (let start = 0; start < n; start += len) {
      for (let k = 0; k < halfLen; k++) {
        const wr = cosT[k * stride];
        const wi = sinT[k * stride];
        const a = start + k;
        const b = a + halfLen;
        const xr = re[b] * wr - im[b] * wi;
        const xi = re[b] * wi + im[b] * wr;
        re[b] = re[a] - xr;
        im[b] = im[a] - xi;
        re[a] += xr;
        im[a] += xi;
      }
    }
  }
}
