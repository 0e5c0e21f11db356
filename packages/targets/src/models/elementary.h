/*
 * float64 elementary functions shared by the WebAssembly kernel (simd/mlp.c, built by
 * clang with no libc) and the native kernel (native/mlp.c): both evaluate tanh (and so
 * GELU) with this code, so their results never depend on a libm.
 */
#ifndef LLC_ELEMENTARY_H
#define LLC_ELEMENTARY_H
#include <stdint.h>

static double ldexp_int(double x, int k) {
  /* x * 2^k for k in [-1022, 1023]. */
  union { uint64_t u; double d; } s;
  s.u = (uint64_t)(k + 1023) << 52;
  return x * s.d;
}

/* expm1 on |r| <= ln2/2 by its Taylor series in nested form: truncation < 1e-17 relative. */
static double expm1_small(double r) {
  double p = 1.0 + r * (1.0 / 15.0);
  p = 1.0 + r * (1.0 / 14.0) * p;
  p = 1.0 + r * (1.0 / 13.0) * p;
  p = 1.0 + r * (1.0 / 12.0) * p;
  p = 1.0 + r * (1.0 / 11.0) * p;
  p = 1.0 + r * (1.0 / 10.0) * p;
  p = 1.0 + r * (1.0 / 9.0) * p;
  p = 1.0 + r * (1.0 / 8.0) * p;
  p = 1.0 + r * (1.0 / 7.0) * p;
  p = 1.0 + r * (1.0 / 6.0) * p;
  p = 1.0 + r * (1.0 / 5.0) * p;
  p = 1.0 + r * (1.0 / 4.0) * p;
  p = 1.0 + r * (1.0 / 3.0) * p;
  p = 1.0 + r * 0.5 * p;
  return r * p;
}

/* e^x - 1 for x <= 0 (all tanh needs), a few ulp. */
static double expm1_neg(double x) {
  const double LN2_HI = 6.93147180369123816490e-01, LN2_LO = 1.90821492927058770002e-10;
  if (x < -40.0) return -1.0;
  if (x > -0.34657359027997264) return expm1_small(x);
  double kf = __builtin_floor(x * 1.4426950408889634 + 0.5);
  int k = (int)kf;
  double r = (x - kf * LN2_HI) - kf * LN2_LO;
  return ldexp_int(expm1_small(r) + 1.0, k) - 1.0;
}

/* tanh with full relative precision near 0: tanh|x| = -e/(2 + e), e = expm1(-2|x|). */
static double tanh_d(double x) {
  double ax = x < 0 ? -x : x;
  double t;
  if (ax > 22.0) {
    t = 1.0;
  } else {
    double e = expm1_neg(-2.0 * ax);
    t = -e / (2.0 + e);
  }
  return x < 0 ? -t : t;
}

#endif
