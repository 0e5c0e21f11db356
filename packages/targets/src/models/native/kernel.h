/*
 * The MLP loss + gradient kernel body, included by mlp.c once per (precision, ISA level)
 * with these macros defined:
 *   REAL     float or double
 *   VBYTES   vector width in bytes (16 SSE2/NEON, 32 AVX2+FMA, 64 AVX-512F)
 *   MR       rows per register tile (the tile is MR x NR, NR = 2 vectors)
 *   FN(x)    names this instance's functions (x ## _f32_avx2, ...)
 * The #pragma GCC target around the include decides the instructions; the code uses GCC
 * vector extensions only (a*b + c contracts to FMA under -ffp-contract=fast).
 *
 * Same structure as ../simd/mlp.c: BR-row blocks, forward then backward per block;
 * packed weight panels (W for the forward pass, W^T for the backward one); row
 * pointers for the inputs (a minibatch indexes rows of the resident X); float64
 * accumulation of the loss, the per-block weight-gradient tiles, bias and norm sums.
 */

typedef REAL FN(vreal) __attribute__((vector_size(VBYTES)));
/* The same vector, loadable/storable at any REAL-aligned address. */
typedef REAL FN(uvreal) __attribute__((vector_size(VBYTES), aligned(sizeof(REAL)), may_alias));
#define vreal FN(vreal)
#define uvreal FN(uvreal)
#define VL ((int)(VBYTES / sizeof(REAL)))
#define NR (2 * VL)
#define LOADV(p) (*(const uvreal *)(p))
#define STOREV(p, v) (*(uvreal *)(p) = (v))
#define ALWAYS static inline __attribute__((always_inline))

#if defined(__clang__)
#define UNROLL _Pragma("unroll")
#else
#define UNROLL _Pragma("GCC unroll 16")
#endif

/* Zeroes the lanes of v where m <= 0 (relu; and its derivative with m = activation). */
ALWAYS vreal FN(keep_pos)(vreal v, vreal m) {
  vreal zero = {0};
  return (vreal)((__typeof__(m > zero))v & (m > zero));
}

/*
 * One MR' x NR tile of C = bias + A . B over the packed panel B (K x NR), rows a[r];
 * act: 0 none, 1 relu; mask (rows of C's shape, stride ldc) keeps lanes where mask > 0.
 */
ALWAYS void FN(tile_nn)(const int mr, int K, const REAL *const *a, const REAL *B, vreal b0, vreal b1, REAL *C, int ldc,
                        int w, int relu, const REAL *mask) {
  vreal c0[MR], c1[MR];
  UNROLL for (int r = 0; r < mr; r++) {
    c0[r] = b0;
    c1[r] = b1;
  }
  const REAL *b = B;
  for (int kk = 0; kk < K; kk++, b += NR) {
    vreal v0 = LOADV(b), v1 = LOADV(b + VL);
    UNROLL for (int r = 0; r < mr; r++) {
      REAL x = a[r][kk];
      c0[r] += x * v0;
      c1[r] += x * v1;
    }
  }
  UNROLL for (int r = 0; r < mr; r++) {
    vreal lo = c0[r], hi = c1[r];
    REAL *c = C + (size_t)r * ldc;
    if (relu) {
      lo = FN(keep_pos)(lo, lo);
      hi = FN(keep_pos)(hi, hi);
    }
    if (w == NR) {
      if (mask) {
        const REAL *m = mask + (size_t)r * ldc;
        lo = FN(keep_pos)(lo, LOADV(m));
        hi = FN(keep_pos)(hi, LOADV(m + VL));
      }
      STOREV(c, lo);
      STOREV(c + VL, hi);
    } else {
      REAL tmp[NR] __attribute__((aligned(64)));
      STOREV(tmp, lo);
      STOREV(tmp + VL, hi);
      if (mask) {
        const REAL *m = mask + (size_t)r * ldc;
        for (int j = 0; j < w; j++) c[j] = m[j] > 0 ? tmp[j] : 0;
      } else {
        for (int j = 0; j < w; j++) c[j] = tmp[j];
      }
    }
  }
}

/* C (nb x M, stride ldc) = bias + A . W, W packed as panels of K x NR. */
static void FN(gemm_nn)(int nb, int K, int M, const REAL *const *arow, const REAL *Bp, const REAL *bias, REAL *C, int ldc,
                        int relu, const REAL *mask) {
  int np = (M + NR - 1) / NR;
  for (int p = 0; p < np; p++) {
    const REAL *B = Bp + (size_t)p * K * NR;
    int j0 = p * NR;
    int w = M - j0 < NR ? M - j0 : NR;
    vreal b0 = LOADV(bias + j0), b1 = LOADV(bias + j0 + VL);
    const REAL *mk = mask ? mask + j0 : 0;
    int i = 0;
    for (; i + MR <= nb; i += MR) FN(tile_nn)(MR, K, arow + i, B, b0, b1, C + (size_t)i * ldc + j0, ldc, w, relu, mk ? mk + (size_t)i * ldc : 0);
    if (MR > 4 && i + 4 <= nb) {
      FN(tile_nn)(4, K, arow + i, B, b0, b1, C + (size_t)i * ldc + j0, ldc, w, relu, mk ? mk + (size_t)i * ldc : 0);
      i += 4;
    }
    if (i + 2 <= nb) {
      FN(tile_nn)(2, K, arow + i, B, b0, b1, C + (size_t)i * ldc + j0, ldc, w, relu, mk ? mk + (size_t)i * ldc : 0);
      i += 2;
    }
    if (i < nb) FN(tile_nn)(1, K, arow + i, B, b0, b1, C + (size_t)i * ldc + j0, ldc, w, relu, mk ? mk + (size_t)i * ldc : 0);
  }
}

/*
 * Narrow outputs (M < VL, e.g. the 1-output last layer): C[i][j] = bias[j] + a_i . WT[j],
 * WT the transposed weights (M rows of K, padded), vectorised along K.
 */
static void FN(gemv_nt)(int nb, int K, int M, const REAL *const *arow, const REAL *WT, int ldw, const REAL *bias, REAL *C, int ldc) {
  int kv = K - K % VL;
  for (int i = 0; i < nb; i++) {
    const REAL *a = arow[i];
    for (int j = 0; j < M; j++) {
      const REAL *wt = WT + (size_t)j * ldw;
      vreal acc0 = {0}, acc1 = {0};
      int k = 0;
      for (; k + 2 * VL <= kv; k += 2 * VL) {
        acc0 += LOADV(a + k) * LOADV(wt + k);
        acc1 += LOADV(a + k + VL) * LOADV(wt + k + VL);
      }
      if (k < kv) acc0 += LOADV(a + k) * LOADV(wt + k);
      acc0 += acc1;
      REAL s = 0;
      UNROLL for (int v = 0; v < VL; v++) s += acc0[v];
      for (k = kv; k < K; k++) s += a[k] * wt[k];
      C[(size_t)i * ldc + j] = bias[j] + s;
    }
  }
}

/*
 * One MR' (rows of G, i.e. inputs k0..) x NR tile of G = A^T . D over the nb rows,
 * added (as double) to G64 (K x M, row stride M).
 */
ALWAYS void FN(tile_tn)(const int mr, int nb, int k0, int j0, int M, int w, const REAL *const *arow, const REAL *D, int ldd, double *G64) {
  vreal c0[MR], c1[MR];
  UNROLL for (int r = 0; r < mr; r++) {
    c0[r] = (vreal){0};
    c1[r] = (vreal){0};
  }
  const REAL *d = D + j0;
  for (int i = 0; i < nb; i++, d += ldd) {
    const REAL *a = arow[i] + k0;
    vreal v0 = LOADV(d), v1 = LOADV(d + VL);
    UNROLL for (int r = 0; r < mr; r++) {
      REAL x = a[r];
      c0[r] += x * v0;
      c1[r] += x * v1;
    }
  }
  UNROLL for (int r = 0; r < mr; r++) {
    REAL tmp[NR] __attribute__((aligned(64)));
    STOREV(tmp, c0[r]);
    STOREV(tmp + VL, c1[r]);
    double *g = G64 + (size_t)(k0 + r) * M + j0;
    if (w == NR) {
      for (int j = 0; j < NR; j++) g[j] += tmp[j];
    } else {
      for (int j = 0; j < w; j++) g[j] += tmp[j];
    }
  }
}

/* G64 (K x M) += A^T . D over nb rows (rows of A through arow, D with row stride ldd). */
static void FN(gemm_tn)(int nb, int K, int M, const REAL *const *arow, const REAL *D, int ldd, double *G64) {
  for (int j0 = 0; j0 < M; j0 += NR) {
    int w = M - j0 < NR ? M - j0 : NR;
    int k0 = 0;
    for (; k0 + MR <= K; k0 += MR) FN(tile_tn)(MR, nb, k0, j0, M, w, arow, D, ldd, G64);
    if (MR > 4 && k0 + 4 <= K) {
      FN(tile_tn)(4, nb, k0, j0, M, w, arow, D, ldd, G64);
      k0 += 4;
    }
    if (k0 + 2 <= K) {
      FN(tile_tn)(2, nb, k0, j0, M, w, arow, D, ldd, G64);
      k0 += 2;
    }
    if (k0 < K) FN(tile_tn)(1, nb, k0, j0, M, w, arow, D, ldd, G64);
  }
}

/* Narrow D (M < VL): G64[k][j] += sum_i a_i[k] D[i][j], vectorised along K (4 vectors at a time). */
static void FN(gemm_tn_narrow)(int nb, int K, int M, const REAL *const *arow, const REAL *D, int ldd, double *G64) {
  for (int j = 0; j < M; j++) {
    int k0 = 0;
    for (; k0 + 4 * VL <= K; k0 += 4 * VL) {
      vreal c0 = {0}, c1 = {0}, c2 = {0}, c3 = {0};
      for (int i = 0; i < nb; i++) {
        const REAL *a = arow[i] + k0;
        REAL x = D[(size_t)i * ldd + j];
        c0 += x * LOADV(a);
        c1 += x * LOADV(a + VL);
        c2 += x * LOADV(a + 2 * VL);
        c3 += x * LOADV(a + 3 * VL);
      }
      REAL tmp[4 * VL] __attribute__((aligned(64)));
      STOREV(tmp, c0);
      STOREV(tmp + VL, c1);
      STOREV(tmp + 2 * VL, c2);
      STOREV(tmp + 3 * VL, c3);
      for (int r = 0; r < 4 * VL; r++) G64[(size_t)(k0 + r) * M + j] += tmp[r];
    }
    for (; k0 + VL <= K; k0 += VL) {
      vreal c0 = {0};
      for (int i = 0; i < nb; i++) c0 += D[(size_t)i * ldd + j] * LOADV(arow[i] + k0);
      for (int r = 0; r < VL; r++) G64[(size_t)(k0 + r) * M + j] += c0[r];
    }
    for (; k0 < K; k0++) {
      REAL s = 0;
      for (int i = 0; i < nb; i++) s += arow[i][k0] * D[(size_t)i * ldd + j];
      G64[(size_t)k0 * M + j] += s;
    }
  }
}

/* Hidden layer l after its matmul (U holds z): layer norm (in place), then A = sigma(U). */
static void FN(hidden_forward)(Model *md, int l, int nb) {
  int m = md->width[l + 1];
  REAL *u = (REAL *)md->U[l], *a = (REAL *)md->A[l];
  const REAL *wr = (const REAL *)md->wr;
  if (md->layerNorm) {
    const REAL *gain = wr + md->gOff[l], *shift = wr + md->sOff[l];
    REAL *is = (REAL *)md->IS[l];
    for (int i = 0; i < nb; i++) {
      REAL *z = u + (size_t)i * m;
      REAL *xh = (REAL *)md->XH[l] + (size_t)i * m;
      double mean = 0;
      for (int j = 0; j < m; j++) mean += z[j];
      mean /= m;
      double var = 0;
      for (int j = 0; j < m; j++) var += (z[j] - mean) * (z[j] - mean);
      var /= m;
      double inv = 1.0 / sqrt(var + LN_EPS);
      is[i] = (REAL)inv;
      for (int j = 0; j < m; j++) {
        REAL x = (REAL)((z[j] - mean) * inv);
        xh[j] = x;
        z[j] = gain[j] * x + shift[j];
      }
    }
  }
  size_t count = (size_t)nb * m;
  if (md->act == ACT_RELU) {
    for (size_t e = 0; e < count; e++) a[e] = u[e] > 0 ? u[e] : 0;
  } else if (md->act == ACT_TANH) {
    for (size_t e = 0; e < count; e++) a[e] = (REAL)tanh_d(u[e]);
  } else if (md->act == ACT_GELU) {
    for (size_t e = 0; e < count; e++) {
      double x = u[e];
      a[e] = (REAL)(0.5 * x * (1.0 + tanh_d(GELU_C * (x + GELU_K * x * x * x))));
    }
  } else {
    for (size_t e = 0; e < count; e++) a[e] = u[e];
  }
}

/* D (nb x m, deltas w.r.t. A[l]) becomes the delta w.r.t. z of hidden layer l; norm grads added. */
static void FN(hidden_backward)(Model *md, int l, int nb, REAL *D, double *g64) {
  int m = md->width[l + 1];
  const REAL *u = (const REAL *)md->U[l], *a = (const REAL *)md->A[l];
  size_t count = (size_t)nb * m;
  if (md->act == ACT_RELU) {
    if (!md->fusedRelu)
      for (size_t e = 0; e < count; e++) D[e] = a[e] > 0 ? D[e] : 0;
  } else if (md->act == ACT_TANH) {
    for (size_t e = 0; e < count; e++) D[e] = D[e] - D[e] * (a[e] * a[e]);
  } else if (md->act == ACT_GELU) {
    for (size_t e = 0; e < count; e++) {
      double x = u[e];
      double t = tanh_d(GELU_C * (x + GELU_K * x * x * x));
      double slope = 0.5 * (1.0 + t) + 0.5 * x * (1.0 - t * t) * GELU_C * (1.0 + 3.0 * GELU_K * x * x);
      D[e] = (REAL)(D[e] * slope);
    }
  }
  if (!md->layerNorm) return;
  const REAL *gain = (const REAL *)md->wr + md->gOff[l];
  const REAL *is = (const REAL *)md->IS[l];
  double *gg = g64 + md->gOff[l], *gs = g64 + md->sOff[l];
  for (int i = 0; i < nb; i++) {
    REAL *d = D + (size_t)i * m;
    const REAL *xh = (const REAL *)md->XH[l] + (size_t)i * m;
    double sd = 0, sdx = 0;
    for (int j = 0; j < m; j++) {
      gg[j] += (double)d[j] * xh[j];
      gs[j] += d[j];
      double dj = (double)d[j] * gain[j];
      sd += dj;
      sdx += dj * xh[j];
    }
    sd /= m;
    sdx /= m;
    double inv = is[i];
    for (int j = 0; j < m; j++) d[j] = (REAL)(inv * ((double)d[j] * gain[j] - sd - xh[j] * sdx));
  }
}

/* Rounds w64 to REAL and packs every layer's panels (and the transposed narrow weights). */
static void FN(pack_params)(Model *md, const double *w64, int withBackward) {
  REAL *wr = (REAL *)md->wr;
  for (int i = 0; i < md->P; i++) wr[i] = (REAL)w64[i];
  for (int l = 0; l < md->L; l++) {
    int k = md->width[l], m = md->width[l + 1];
    const REAL *W = wr + md->wOff[l];
    REAL *bias = (REAL *)md->biasP[l];
    int padM = ((m + NR - 1) / NR) * NR;
    for (int c = 0; c < padM; c++) bias[c] = (md->hasBias && c < m) ? wr[md->bOff[l] + c] : 0;
    if (m < VL) {
      REAL *T = (REAL *)md->packF[l];
      int ldw = md->ldT[l];
      for (int j = 0; j < m; j++)
        for (int kk = 0; kk < k; kk++) T[(size_t)j * ldw + kk] = W[(size_t)kk * m + j];
    } else {
      REAL *F = (REAL *)md->packF[l];
      for (int p = 0; p * NR < m; p++) {
        for (int kk = 0; kk < k; kk++) {
          for (int c = 0; c < NR; c++) {
            int j = p * NR + c;
            *F++ = j < m ? W[(size_t)kk * m + j] : 0;
          }
        }
      }
    }
    if (!withBackward || l == 0) continue;
    REAL *B = (REAL *)md->packB[l];
    for (int p = 0; p * NR < k; p++) {
      for (int j = 0; j < m; j++) {
        for (int c = 0; c < NR; c++) {
          int i = p * NR + c;
          *B++ = i < k ? W[(size_t)i * m + j] : 0;
        }
      }
    }
  }
}

/*
 * Mean loss over `rows` rows (the first `rows` of X, or rows batch[0..rows)); with g64
 * non-null, the gradient of that mean loss is written there (P doubles).
 */
static double FN(mlp_eval)(Model *md, const double *w64, int rows, const int32_t *batch, double *g64) {
  FN(pack_params)(md, w64, g64 != 0);
  const int L = md->L, dIn = md->width[0], dOut = md->width[md->L], BR = md->BR;
  const REAL *X = (const REAL *)md->X, *Y = (const REAL *)md->Y;
  const REAL **rowIn = (const REAL **)md->rowIn, **rowA = (const REAL **)md->rowA, **rowD = (const REAL **)md->rowD;
  REAL *OUT = (REAL *)md->OUT;
  if (g64) memset(g64, 0, sizeof(double) * md->P);
  double sumSq = 0;
  for (int r0 = 0; r0 < rows; r0 += BR) {
    int nb = rows - r0 < BR ? rows - r0 : BR;
    for (int i = 0; i < nb; i++) {
      int row = batch ? batch[r0 + i] : r0 + i;
      rowIn[i] = X + (size_t)row * dIn;
    }
    /* Forward. */
    const REAL *const *in = rowIn;
    for (int l = 0; l < L; l++) {
      int k = md->width[l], m = md->width[l + 1];
      REAL *dst = l == L - 1 ? OUT : (REAL *)md->U[l];
      if (m < VL) {
        FN(gemv_nt)(nb, k, m, in, (const REAL *)md->packF[l], md->ldT[l], (const REAL *)md->biasP[l], dst, m);
      } else {
        /* relu without norm writes A = relu(z) directly (U is not needed). */
        int fuse = l < L - 1 && md->fusedRelu;
        FN(gemm_nn)(nb, k, m, in, (const REAL *)md->packF[l], (const REAL *)md->biasP[l], fuse ? (REAL *)md->A[l] : dst, m, fuse, 0);
        if (fuse) {
          for (int i = 0; i < nb; i++) rowA[i] = (const REAL *)md->A[l] + (size_t)i * m;
          in = rowA;
          continue;
        }
      }
      if (l == L - 1) break;
      if (md->fusedRelu) {
        /* gemv path of a fused-relu model: apply relu here. */
        REAL *u = (REAL *)md->U[l], *a = (REAL *)md->A[l];
        for (size_t e = 0; e < (size_t)nb * m; e++) a[e] = u[e] > 0 ? u[e] : 0;
      } else {
        FN(hidden_forward)(md, l, nb);
      }
      for (int i = 0; i < nb; i++) rowA[i] = (const REAL *)md->A[l] + (size_t)i * m;
      in = rowA;
    }
    /* Residual: REAL difference, squared and summed in double. */
    REAL *D = (REAL *)md->D0, *Dn = (REAL *)md->D1;
    for (int i = 0; i < nb; i++) {
      int row = batch ? batch[r0 + i] : r0 + i;
      const REAL *y = Y + (size_t)row * dOut;
      for (int j = 0; j < dOut; j++) {
        REAL r = OUT[i * dOut + j] - y[j];
        sumSq += (double)r * r;
        D[i * dOut + j] = r;
      }
    }
    if (!g64) continue;
    /* Backward: D is the delta w.r.t. the output z of layer l. */
    for (int l = L - 1; l >= 0; l--) {
      int k = md->width[l], m = md->width[l + 1];
      const REAL *const *inl = rowIn;
      if (l > 0) {
        for (int i = 0; i < nb; i++) rowA[i] = (const REAL *)md->A[l - 1] + (size_t)i * k;
        inl = rowA;
      }
      if (m < VL) FN(gemm_tn_narrow)(nb, k, m, inl, D, m, g64 + md->wOff[l]);
      else FN(gemm_tn)(nb, k, m, inl, D, m, g64 + md->wOff[l]);
      if (md->hasBias) {
        double *gb = g64 + md->bOff[l];
        for (int i = 0; i < nb; i++) {
          const REAL *d = D + (size_t)i * m;
          for (int j = 0; j < m; j++) gb[j] += d[j];
        }
      }
      if (l == 0) break;
      for (int i = 0; i < nb; i++) rowD[i] = D + (size_t)i * m;
      /* Dn = D . W^T; for relu (no norm) masked by A[l-1] > 0 in the same pass. */
      const REAL *mask = md->fusedRelu ? (const REAL *)md->A[l - 1] : 0;
      FN(gemm_nn)(nb, m, k, rowD, (const REAL *)md->packB[l], (const REAL *)md->zeroP, Dn, k, 0, mask);
      FN(hidden_backward)(md, l - 1, nb, Dn, g64);
      REAL *t = D;
      D = Dn;
      Dn = t;
    }
  }
  double count = (double)rows * dOut;
  if (g64) {
    double scale = 2.0 / count;
    for (int i = 0; i < md->P; i++) g64[i] *= scale;
  }
  return sumSq / count;
}

static const Kernel FN(kernel) = {
  .eval = FN(mlp_eval),
  .vl = VL,
  .nr = NR,
  .realBytes = sizeof(REAL),
};

#undef vreal
#undef uvreal
#undef VL
#undef NR
#undef LOADV
#undef STOREV
#undef ALWAYS
#undef UNROLL
