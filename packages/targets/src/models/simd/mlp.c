/*
 * MLP regression loss + gradient as a WebAssembly SIMD kernel (one model per instance).
 *
 * Compiled twice: -DREAL_F32 (float, f32x4) and -DREAL_F64 (double, f64x2). It computes
 * the same function and flat parameter layout as targets/src/models/mlp.ts (see
 * mlpSpec.ts): L_n(w) = mean over rows and outputs of (f_w(x) - y)^2.
 *
 * Structure: rows are processed in blocks of BR rows, forward then backward per block,
 * so every activation/delta buffer is BR rows long (allocated once in mlp_setup) and
 * stays in L2. Matmuls use packed weight panels of NR columns (two vectors) and a
 * 4 x NR register tile (8 accumulators: fits the 16 x64 vector registers with room for
 * the operands). Inputs are read through row pointers, so a minibatch indexes rows of
 * the resident X without copying them. The loss, the per-block gradient sums and all
 * bias/norm reductions accumulate in double; within a block the weight-gradient tile
 * sums over at most BR rows in REAL (as tfjs' float32 matmul does over all rows).
 */
#include <stdint.h>
#include <wasm_simd128.h>

#if defined(REAL_F64)
typedef double real;
#define VL 2
#define VLOAD(p) wasm_v128_load(p)
#define VSTORE(p, v) wasm_v128_store(p, v)
#define VSPLAT(p) wasm_v128_load64_splat(p)
#define VMADD(c, a, b) wasm_f64x2_add(c, wasm_f64x2_mul(a, b))
#define VZERO() wasm_f64x2_splat(0.0)
#elif defined(REAL_F32)
typedef float real;
#define VL 4
#define VLOAD(p) wasm_v128_load(p)
#define VSTORE(p, v) wasm_v128_store(p, v)
#define VSPLAT(p) wasm_v128_load32_splat(p)
#define VMADD(c, a, b) wasm_f32x4_add(c, wasm_f32x4_mul(a, b))
#define VZERO() wasm_f32x4_splat(0.0f)
#else
#error "compile with -DREAL_F32 or -DREAL_F64"
#endif

#define EXPORT(name) __attribute__((export_name(name)))
/* Panel width (columns per register tile) and rows per register tile. */
#define NR (2 * VL)
#define MR 4
#define MAXL 64

enum { ACT_RELU = 0, ACT_TANH = 1, ACT_GELU = 2, ACT_IDENTITY = 3 };

/* ---------- memory: a bump allocator over the module's own linear memory ---------- */

extern unsigned char __heap_base;
static uintptr_t heap_top;

/*
 * 64-byte aligned, with NR reals of slack after each buffer: tile loads may run past a
 * row end. Never freed, so memory comes zeroed from memory.grow.
 */
static void *kalloc(uint32_t bytes) {
  if (heap_top == 0) heap_top = (uintptr_t)&__heap_base;
  heap_top = (heap_top + 63) & ~(uintptr_t)63;
  uintptr_t p = heap_top;
  heap_top += bytes + NR * sizeof(real) + 64;
  uintptr_t have = (uintptr_t)__builtin_wasm_memory_size(0) * 65536u;
  if (heap_top > have) {
    uintptr_t pages = (heap_top - have + 65535u) / 65536u;
    if (__builtin_wasm_memory_grow(0, pages) == (uintptr_t)-1) return 0;
  }
  return (void *)p;
}

/* ---------- float64 elementary functions ---------- */
#include "../elementary.h"

EXPORT("tanh_f64") double tanh_export(double x) { return tanh_d(x); }

/* GELU constants, as mlpSpec.ts: sqrt(2/pi) and the cubic coefficient. */
static const double GELU_C = 0.7978845608028654;
static const double GELU_K = 0.044715;
static const double LN_EPS = 1e-5;

/* ---------- model state ---------- */

static int L, n, dIn, dOut, hasBias, layerNorm, act, BR, P, maxW;
static int width[MAXL + 1];
static int wOff[MAXL], bOff[MAXL], gOff[MAXL], sOff[MAXL];
static real *X, *Y;
static double *w64, *g64;
static int32_t *batchIdx;
static real *wr;                         /* parameters rounded to REAL, flat layout */
static real *packF[MAXL], *packB[MAXL];  /* W panels (k x NR each) and W^T panels (m x NR each) */
static real *biasP[MAXL];                /* bias padded to whole panels (zeros without bias) */
static real *zeroP;                      /* zero bias for the backward matmul */
static real *U[MAXL], *A[MAXL];          /* hidden layer: pre-activation (after norm), activation */
static real *XH[MAXL], *IS[MAXL];        /* layer norm: xhat and 1/sigma per row */
static real *OUT, *D0, *D1, *GW;
static const real **rowIn, **rowA, **rowD;

static int panels(int m) { return (m + NR - 1) / NR; }

/*
 * Allocates everything for a model. `w` lists widths[0..layers]; flags: bit0 bias,
 * bit1 layer norm; activation as enum above; blockRows = BR. Returns the flat size d
 * (the caller checks it against mlpLayout) or -1 when memory ran out.
 */
EXPORT("mlp_setup")
int mlp_setup(int layers, const int32_t *w, int flags, int activation, int rows, int blockRows) {
  if (layers < 1 || layers > MAXL) return -2;
  L = layers;
  n = rows;
  BR = blockRows;
  hasBias = flags & 1;
  layerNorm = (flags >> 1) & 1;
  act = activation;
  maxW = 0;
  for (int l = 0; l <= L; l++) {
    width[l] = w[l];
    if (w[l] > maxW) maxW = w[l];
  }
  dIn = width[0];
  dOut = width[L];
  int off = 0;
  for (int l = 0; l < L; l++) {
    int k = width[l], m = width[l + 1];
    wOff[l] = off;
    off += k * m;
    bOff[l] = -1;
    gOff[l] = -1;
    sOff[l] = -1;
    if (hasBias) {
      bOff[l] = off;
      off += m;
    }
    if (layerNorm && l < L - 1) {
      gOff[l] = off;
      sOff[l] = off + m;
      off += 2 * m;
    }
  }
  P = off;
  int ok = 1;
#define ALLOC(ptr, type, count) ok = ok && ((ptr) = (type *)kalloc((uint32_t)(count) * sizeof(type))) != 0
  ALLOC(X, real, (uint64_t)n * dIn);
  ALLOC(Y, real, (uint64_t)n * dOut);
  ALLOC(w64, double, P);
  ALLOC(g64, double, P);
  ALLOC(batchIdx, int32_t, n);
  ALLOC(wr, real, P);
  ALLOC(zeroP, real, (maxW + NR));
  int maxKM = 0;
  for (int l = 0; l < L; l++) {
    int k = width[l], m = width[l + 1];
    if (k * m > maxKM) maxKM = k * m;
    ALLOC(packF[l], real, panels(m) * NR * k);
    ALLOC(packB[l], real, panels(k) * NR * m);
    ALLOC(biasP[l], real, panels(m) * NR);
    if (l < L - 1) {
      ALLOC(U[l], real, BR * m);
      ALLOC(A[l], real, BR * m);
      if (layerNorm) {
        ALLOC(XH[l], real, BR * m);
        ALLOC(IS[l], real, BR);
      }
    }
  }
  ALLOC(OUT, real, BR * dOut);
  ALLOC(D0, real, BR * maxW);
  ALLOC(D1, real, BR * maxW);
  ALLOC(GW, real, maxKM);
  ALLOC(rowIn, const real *, BR);
  ALLOC(rowA, const real *, BR);
  ALLOC(rowD, const real *, BR);
#undef ALLOC
  return ok ? P : -1;
}

EXPORT("ptr_x") real *ptr_x(void) { return X; }
EXPORT("ptr_y") real *ptr_y(void) { return Y; }
EXPORT("ptr_w") double *ptr_w(void) { return w64; }
EXPORT("ptr_grad") double *ptr_grad(void) { return g64; }
EXPORT("ptr_batch") int32_t *ptr_batch(void) { return batchIdx; }
EXPORT("ptr_widths") int32_t *ptr_widths(void) {
  /* Scratch for the widths argument of mlp_setup, before anything else is allocated. */
  static int32_t scratch[MAXL + 1];
  return scratch;
}

/* Rounds w64 to REAL and packs every layer's panels. */
static void pack_params(int withBackward) {
  for (int i = 0; i < P; i++) wr[i] = (real)w64[i];
  for (int l = 0; l < L; l++) {
    int k = width[l], m = width[l + 1];
    const real *W = wr + wOff[l];
    real *F = packF[l];
    for (int p = 0; p < panels(m); p++) {
      for (int kk = 0; kk < k; kk++) {
        for (int c = 0; c < NR; c++) {
          int j = p * NR + c;
          *F++ = j < m ? W[kk * m + j] : 0;
        }
      }
    }
    for (int c = 0; c < panels(m) * NR; c++) biasP[l][c] = (hasBias && c < m) ? wr[bOff[l] + c] : 0;
    if (!withBackward || l == 0) continue;
    real *B = packB[l];
    for (int p = 0; p < panels(k); p++) {
      for (int j = 0; j < m; j++) {
        for (int c = 0; c < NR; c++) {
          int i = p * NR + c;
          *B++ = i < k ? W[i * m + j] : 0;
        }
      }
    }
  }
}

/* Stores the valid `w` columns of a tile row. */
static inline void store_row(real *dst, v128_t lo, v128_t hi, int w) {
  if (w == NR) {
    VSTORE(dst, lo);
    VSTORE(dst + VL, hi);
    return;
  }
  real tmp[NR] __attribute__((aligned(16)));
  VSTORE(tmp, lo);
  VSTORE(tmp + VL, hi);
  for (int c = 0; c < w; c++) dst[c] = tmp[c];
}

/*
 * C[i][0..M) = bias + sum_kk a_i[kk] * B[kk][.] for i < nb, rows of A through `arow`,
 * B packed as panels of K x NR, C with row stride ldc.
 */
static void gemm_nn(int nb, int K, int M, const real *const *arow, const real *Bp, const real *bias, real *C, int ldc) {
  for (int p = 0; p < panels(M); p++) {
    const real *B = Bp + (uint32_t)p * K * NR;
    int j0 = p * NR;
    int w = M - j0 < NR ? M - j0 : NR;
    v128_t bl = VLOAD(bias + j0), bh = VLOAD(bias + j0 + VL);
    int i = 0;
    for (; i + MR <= nb; i += MR) {
      const real *a0 = arow[i], *a1 = arow[i + 1], *a2 = arow[i + 2], *a3 = arow[i + 3];
      v128_t c00 = bl, c01 = bh, c10 = bl, c11 = bh, c20 = bl, c21 = bh, c30 = bl, c31 = bh;
      const real *b = B;
      for (int kk = 0; kk < K; kk++, b += NR) {
        v128_t b0 = VLOAD(b), b1 = VLOAD(b + VL);
        v128_t x;
        x = VSPLAT(a0 + kk);
        c00 = VMADD(c00, x, b0);
        c01 = VMADD(c01, x, b1);
        x = VSPLAT(a1 + kk);
        c10 = VMADD(c10, x, b0);
        c11 = VMADD(c11, x, b1);
        x = VSPLAT(a2 + kk);
        c20 = VMADD(c20, x, b0);
        c21 = VMADD(c21, x, b1);
        x = VSPLAT(a3 + kk);
        c30 = VMADD(c30, x, b0);
        c31 = VMADD(c31, x, b1);
      }
      real *c = C + (uint32_t)i * ldc + j0;
      store_row(c, c00, c01, w);
      store_row(c + ldc, c10, c11, w);
      store_row(c + 2 * ldc, c20, c21, w);
      store_row(c + 3 * ldc, c30, c31, w);
    }
    for (; i < nb; i++) {
      const real *a0 = arow[i];
      v128_t c00 = bl, c01 = bh;
      const real *b = B;
      for (int kk = 0; kk < K; kk++, b += NR) {
        v128_t x = VSPLAT(a0 + kk);
        c00 = VMADD(c00, x, VLOAD(b));
        c01 = VMADD(c01, x, VLOAD(b + VL));
      }
      store_row(C + (uint32_t)i * ldc + j0, c00, c01, w);
    }
  }
}

/* G[kk][j] = sum_{i<nb} a_i[kk] * D[i][j] (G is K x M, row stride M); D has row stride ldd. */
static void gemm_tn(int nb, int K, int M, const real *const *arow, const real *D, int ldd, real *G) {
  for (int j0 = 0; j0 < M; j0 += NR) {
    int w = M - j0 < NR ? M - j0 : NR;
    int k0 = 0;
    for (; k0 + MR <= K; k0 += MR) {
      v128_t c00 = VZERO(), c01 = VZERO(), c10 = VZERO(), c11 = VZERO();
      v128_t c20 = VZERO(), c21 = VZERO(), c30 = VZERO(), c31 = VZERO();
      const real *d = D + j0;
      for (int i = 0; i < nb; i++, d += ldd) {
        const real *a = arow[i] + k0;
        v128_t b0 = VLOAD(d), b1 = VLOAD(d + VL);
        v128_t x;
        x = VSPLAT(a);
        c00 = VMADD(c00, x, b0);
        c01 = VMADD(c01, x, b1);
        x = VSPLAT(a + 1);
        c10 = VMADD(c10, x, b0);
        c11 = VMADD(c11, x, b1);
        x = VSPLAT(a + 2);
        c20 = VMADD(c20, x, b0);
        c21 = VMADD(c21, x, b1);
        x = VSPLAT(a + 3);
        c30 = VMADD(c30, x, b0);
        c31 = VMADD(c31, x, b1);
      }
      real *g = G + (uint32_t)k0 * M + j0;
      store_row(g, c00, c01, w);
      store_row(g + M, c10, c11, w);
      store_row(g + 2 * M, c20, c21, w);
      store_row(g + 3 * M, c30, c31, w);
    }
    for (; k0 < K; k0++) {
      v128_t c00 = VZERO(), c01 = VZERO();
      const real *d = D + j0;
      for (int i = 0; i < nb; i++, d += ldd) {
        v128_t x = VSPLAT(arow[i] + k0);
        c00 = VMADD(c00, x, VLOAD(d));
        c01 = VMADD(c01, x, VLOAD(d + VL));
      }
      store_row(G + (uint32_t)k0 * M + j0, c00, c01, w);
    }
  }
}

static void rows_of(const real **rows, const real *base, int stride, int nb) {
  for (int i = 0; i < nb; i++) rows[i] = base + (uint32_t)i * stride;
}

/* Hidden layer l after its matmul (U holds z): layer norm (in place), then A = sigma(U). */
static void hidden_forward(int l, int nb) {
  int m = width[l + 1];
  real *u = U[l], *a = A[l];
  if (layerNorm) {
    const real *gain = wr + gOff[l], *shift = wr + sOff[l];
    for (int i = 0; i < nb; i++) {
      real *z = u + (uint32_t)i * m;
      real *xh = XH[l] + (uint32_t)i * m;
      double mean = 0;
      for (int j = 0; j < m; j++) mean += z[j];
      mean /= m;
      double var = 0;
      for (int j = 0; j < m; j++) var += (z[j] - mean) * (z[j] - mean);
      var /= m;
      double inv = 1.0 / __builtin_sqrt(var + LN_EPS);
      IS[l][i] = (real)inv;
      for (int j = 0; j < m; j++) {
        real x = (real)((z[j] - mean) * inv);
        xh[j] = x;
        z[j] = gain[j] * x + shift[j];
      }
    }
  }
  uint32_t count = (uint32_t)nb * m;
  if (act == ACT_RELU) {
    for (uint32_t e = 0; e < count; e++) a[e] = u[e] > 0 ? u[e] : 0;
  } else if (act == ACT_TANH) {
    for (uint32_t e = 0; e < count; e++) a[e] = (real)tanh_d(u[e]);
  } else if (act == ACT_GELU) {
    for (uint32_t e = 0; e < count; e++) {
      double x = u[e];
      a[e] = (real)(0.5 * x * (1.0 + tanh_d(GELU_C * (x + GELU_K * x * x * x))));
    }
  } else {
    for (uint32_t e = 0; e < count; e++) a[e] = u[e];
  }
}

/* D (nb x m, deltas w.r.t. A[l]) becomes the delta w.r.t. z of hidden layer l; norm grads added. */
static void hidden_backward(int l, int nb, real *D) {
  int m = width[l + 1];
  const real *u = U[l], *a = A[l];
  uint32_t count = (uint32_t)nb * m;
  if (act == ACT_RELU) {
    for (uint32_t e = 0; e < count; e++) D[e] = a[e] > 0 ? D[e] : 0;
  } else if (act == ACT_TANH) {
    for (uint32_t e = 0; e < count; e++) D[e] = D[e] - D[e] * (a[e] * a[e]);
  } else if (act == ACT_GELU) {
    for (uint32_t e = 0; e < count; e++) {
      double x = u[e];
      double t = tanh_d(GELU_C * (x + GELU_K * x * x * x));
      double slope = 0.5 * (1.0 + t) + 0.5 * x * (1.0 - t * t) * GELU_C * (1.0 + 3.0 * GELU_K * x * x);
      D[e] = (real)(D[e] * slope);
    }
  }
  if (!layerNorm) return;
  const real *gain = wr + gOff[l];
  double *gg = g64 + gOff[l], *gs = g64 + sOff[l];
  for (int i = 0; i < nb; i++) {
    real *d = D + (uint32_t)i * m;
    const real *xh = XH[l] + (uint32_t)i * m;
    double md = 0, mdx = 0;
    for (int j = 0; j < m; j++) {
      gg[j] += (double)d[j] * xh[j];
      gs[j] += d[j];
      double dj = (double)d[j] * gain[j];
      md += dj;
      mdx += dj * xh[j];
    }
    md /= m;
    mdx /= m;
    double inv = IS[l][i];
    for (int j = 0; j < m; j++) d[j] = (real)(inv * ((double)d[j] * gain[j] - md - xh[j] * mdx));
  }
}

/*
 * Mean loss over `rows` rows (the first `rows` of X when useBatch = 0, else rows
 * batchIdx[0..rows)); with wantGrad, the gradient of the mean loss into g64.
 */
EXPORT("mlp_eval")
double mlp_eval(int rows, int useBatch, int wantGrad) {
  pack_params(wantGrad);
  if (wantGrad) for (int i = 0; i < P; i++) g64[i] = 0;
  double sumSq = 0;
  for (int r0 = 0; r0 < rows; r0 += BR) {
    int nb = rows - r0 < BR ? rows - r0 : BR;
    for (int i = 0; i < nb; i++) {
      int row = useBatch ? batchIdx[r0 + i] : r0 + i;
      rowIn[i] = X + (uint32_t)row * dIn;
    }
    /* Forward. */
    const real *const *in = rowIn;
    for (int l = 0; l < L; l++) {
      int k = width[l], m = width[l + 1];
      if (l == L - 1) {
        gemm_nn(nb, k, m, in, packF[l], biasP[l], OUT, m);
        break;
      }
      gemm_nn(nb, k, m, in, packF[l], biasP[l], U[l], m);
      hidden_forward(l, nb);
      rows_of(rowA, A[l], m, nb);
      in = rowA;
    }
    /* Residual: REAL difference, squared and summed in double. */
    real *D = D0, *Dn = D1;
    for (int i = 0; i < nb; i++) {
      int row = useBatch ? batchIdx[r0 + i] : r0 + i;
      const real *y = Y + (uint32_t)row * dOut;
      for (int j = 0; j < dOut; j++) {
        real r = OUT[i * dOut + j] - y[j];
        sumSq += (double)r * r;
        D[i * dOut + j] = r;
      }
    }
    if (!wantGrad) continue;
    /* Backward: D is the delta w.r.t. the output z of layer l. */
    for (int l = L - 1; l >= 0; l--) {
      int k = width[l], m = width[l + 1];
      const real *const *inl = rowIn;
      if (l > 0) {
        rows_of(rowA, A[l - 1], k, nb);
        inl = rowA;
      }
      gemm_tn(nb, k, m, inl, D, m, GW);
      double *gw = g64 + wOff[l];
      for (int e = 0; e < k * m; e++) gw[e] += GW[e];
      if (hasBias) {
        double *gb = g64 + bOff[l];
        for (int i = 0; i < nb; i++) {
          const real *d = D + (uint32_t)i * m;
          for (int j = 0; j < m; j++) gb[j] += d[j];
        }
      }
      if (l == 0) break;
      rows_of(rowD, D, m, nb);
      gemm_nn(nb, m, k, rowD, packB[l], zeroP, Dn, k);
      hidden_backward(l - 1, nb, Dn);
      real *t = D;
      D = Dn;
      Dn = t;
    }
  }
  double count = (double)rows * dOut;
  if (wantGrad) {
    double scale = 2.0 / count;
    for (int i = 0; i < P; i++) g64[i] *= scale;
  }
  return sumSq / count;
}
