/*
 * MLP regression loss + gradient as a native Node-API addon (optional; built by
 * `npm run build:native` or tolerantly at install). Same function, flat parameter
 * layout and loss as targets/src/models/mlp.ts and ../simd/mlp.c:
 * L_n(w) = mean over rows and outputs of (f_w(x) - y)^2.
 *
 * The kernel body (kernel.h) is compiled six times: float/double x {AVX-512F, AVX2+FMA,
 * baseline SSE2} on x86-64 (one generic instance per precision elsewhere), each under
 * its own `#pragma GCC target`; the instance is chosen per model at creation from
 * __builtin_cpu_supports, so one build runs on any x86-64 CPU (no -march=native: the
 * addon may be built on a login node and run on different compute nodes).
 * LLC_NATIVE_ISA=avx512|avx2|sse2 caps the choice (tests run every instance).
 *
 * Plain C Node-API (node_api.h), no npm dependency.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <node_api.h>

#define MAXL 64
enum { ACT_RELU = 0, ACT_TANH = 1, ACT_GELU = 2, ACT_IDENTITY = 3 };

/* GELU constants, as mlpSpec.ts: sqrt(2/pi) and the cubic coefficient. */
static const double GELU_C = 0.7978845608028654;
static const double GELU_K = 0.044715;
static const double LN_EPS = 1e-5;

/* ---------- float64 elementary functions (the same code as the wasm kernel: results do not depend on libm) ---------- */
#include "../elementary.h"

/* ---------- model state (buffers typed by the instance's REAL) ---------- */

typedef struct Model Model;
typedef struct {
  double (*eval)(Model *md, const double *w64, int rows, const int32_t *batch, double *g64);
  int vl, nr, realBytes;
} Kernel;

struct Model {
  const Kernel *k;
  const char *isa;
  int L, n, hasBias, layerNorm, act, fusedRelu, BR, P, maxW;
  int width[MAXL + 1];
  int wOff[MAXL], bOff[MAXL], gOff[MAXL], sOff[MAXL], ldT[MAXL];
  void *X, *Y, *wr, *zeroP, *OUT, *D0, *D1;
  void *packF[MAXL], *packB[MAXL], *biasP[MAXL], *U[MAXL], *A[MAXL], *XH[MAXL], *IS[MAXL];
  void *rowIn, *rowA, *rowD;
  void *allocs[8 * MAXL + 16];
  int nAllocs;
};

/* ---------- kernel instances ---------- */

#if defined(__x86_64__) || defined(__i386__)
#pragma GCC push_options
#pragma GCC target("avx512f,avx2,fma")
#define REAL float
#define VBYTES 64
#define MR 8
#define FN(x) x##_f32_avx512
#include "kernel.h"
#undef REAL
#undef VBYTES
#undef MR
#undef FN
#define REAL double
#define VBYTES 64
#define MR 8
#define FN(x) x##_f64_avx512
#include "kernel.h"
#undef REAL
#undef VBYTES
#undef MR
#undef FN
#pragma GCC pop_options

#pragma GCC push_options
#pragma GCC target("avx2,fma")
#define REAL float
#define VBYTES 32
#define MR 6
#define FN(x) x##_f32_avx2
#include "kernel.h"
#undef REAL
#undef VBYTES
#undef MR
#undef FN
#define REAL double
#define VBYTES 32
#define MR 6
#define FN(x) x##_f64_avx2
#include "kernel.h"
#undef REAL
#undef VBYTES
#undef MR
#undef FN
#pragma GCC pop_options
#endif

/* Baseline: SSE2 on x86-64, NEON/whatever 16-byte vectors the target has elsewhere. */
#define REAL float
#define VBYTES 16
#define MR 4
#define FN(x) x##_f32_base
#include "kernel.h"
#undef REAL
#undef VBYTES
#undef MR
#undef FN
#define REAL double
#define VBYTES 16
#define MR 4
#define FN(x) x##_f64_base
#include "kernel.h"
#undef REAL
#undef VBYTES
#undef MR
#undef FN

#if defined(__x86_64__) || defined(__i386__)
#define ISA_BASE "sse2"
#else
#define ISA_BASE "generic"
#endif

/* Ranked ISA levels this CPU runs, best first, capped by LLC_NATIVE_ISA. */
static const Kernel *pick_kernel(int f64, const char **isa) {
  const char *cap = getenv("LLC_NATIVE_ISA");
  int allow = 2; /* 2 avx512, 1 avx2, 0 base */
  if (cap && *cap) {
    if (!strcmp(cap, "avx2")) allow = 1;
    else if (!strcmp(cap, "sse2") || !strcmp(cap, "generic") || !strcmp(cap, "base")) allow = 0;
  }
#if defined(__x86_64__) || defined(__i386__)
  __builtin_cpu_init();
  if (allow >= 2 && __builtin_cpu_supports("avx512f")) {
    *isa = "avx512f";
    return f64 ? &kernel_f64_avx512 : &kernel_f32_avx512;
  }
  if (allow >= 1 && __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) {
    *isa = "avx2+fma";
    return f64 ? &kernel_f64_avx2 : &kernel_f32_avx2;
  }
#else
  (void)allow;
#endif
  *isa = ISA_BASE;
  return f64 ? &kernel_f64_base : &kernel_f32_base;
}

/* ---------- allocation ---------- */

static void model_free(Model *md) {
  if (!md) return;
  for (int i = 0; i < md->nAllocs; i++) free(md->allocs[i]);
  free(md);
}

/* Zeroed, 64-byte aligned, with 4 vectors of slack: tile loads may run past a row end. */
static void *zalloc(Model *md, size_t bytes) {
  size_t total = (bytes + 256 + 63) & ~(size_t)63;
  void *p = aligned_alloc(64, total);
  if (!p) return 0;
  memset(p, 0, total);
  md->allocs[md->nAllocs++] = p;
  return p;
}

static int round_up(int x, int to) { return ((x + to - 1) / to) * to; }

/* Returns NULL (and *err) on failure. */
static Model *model_create(int layers, const int32_t *w, int flags, int activation, int rows, int blockRows, int f64, const char **err) {
  Model *md = calloc(1, sizeof(Model));
  if (!md) {
    *err = "out of memory";
    return 0;
  }
  md->k = pick_kernel(f64, &md->isa);
  md->L = layers;
  md->n = rows;
  md->BR = blockRows;
  md->hasBias = flags & 1;
  md->layerNorm = (flags >> 1) & 1;
  md->act = activation;
  md->fusedRelu = activation == ACT_RELU && !md->layerNorm;
  for (int l = 0; l <= layers; l++) {
    md->width[l] = w[l];
    if (w[l] > md->maxW) md->maxW = w[l];
  }
  int off = 0;
  for (int l = 0; l < layers; l++) {
    int k = w[l], m = w[l + 1];
    md->wOff[l] = off;
    off += k * m;
    md->bOff[l] = md->gOff[l] = md->sOff[l] = -1;
    if (md->hasBias) {
      md->bOff[l] = off;
      off += m;
    }
    if (md->layerNorm && l < layers - 1) {
      md->gOff[l] = off;
      md->sOff[l] = off + m;
      off += 2 * m;
    }
  }
  md->P = off;
  const size_t R = md->k->realBytes;
  const int VLn = md->k->vl, NRn = md->k->nr, BR = blockRows;
  int ok = 1;
#define ALLOC(ptr, bytes) ok = ok && ((ptr) = zalloc(md, (size_t)(bytes))) != 0
  ALLOC(md->X, R * rows * w[0]);
  ALLOC(md->Y, R * rows * w[layers]);
  ALLOC(md->wr, R * md->P);
  ALLOC(md->zeroP, R * (md->maxW + NRn));
  for (int l = 0; l < layers; l++) {
    int k = w[l], m = w[l + 1];
    md->ldT[l] = round_up(k, VLn);
    size_t fwd = m < VLn ? (size_t)m * md->ldT[l] : (size_t)round_up(m, NRn) * k;
    ALLOC(md->packF[l], R * fwd);
    ALLOC(md->packB[l], R * round_up(k, NRn) * m);
    ALLOC(md->biasP[l], R * round_up(m, NRn));
    if (l < layers - 1) {
      ALLOC(md->U[l], R * BR * m);
      ALLOC(md->A[l], R * BR * m);
      if (md->layerNorm) {
        ALLOC(md->XH[l], R * BR * m);
        ALLOC(md->IS[l], R * BR);
      }
    }
  }
  ALLOC(md->OUT, R * BR * w[layers]);
  ALLOC(md->D0, R * BR * md->maxW);
  ALLOC(md->D1, R * BR * md->maxW);
  ALLOC(md->rowIn, sizeof(void *) * BR);
  ALLOC(md->rowA, sizeof(void *) * BR);
  ALLOC(md->rowD, sizeof(void *) * BR);
#undef ALLOC
  if (!ok) {
    model_free(md);
    *err = "out of memory";
    return 0;
  }
  return md;
}

/* ---------- Node-API binding ---------- */

#define CHECK(call)                                                        \
  do {                                                                     \
    if ((call) != napi_ok) {                                               \
      napi_throw_error(env, NULL, "mlp_native: Node-API call failed: " #call); \
      return NULL;                                                         \
    }                                                                      \
  } while (0)

#define FAIL(msg)                          \
  do {                                     \
    napi_throw_error(env, NULL, (msg));    \
    return NULL;                           \
  } while (0)

typedef struct {
  Model *md;
} Handle;

static void finalize_handle(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  Handle *h = data;
  model_free(h->md);
  free(h);
}

static Handle *get_handle(napi_env env, napi_value v) {
  void *data = NULL;
  if (napi_get_value_external(env, v, &data) != napi_ok || !data) return NULL;
  return data;
}

/* A typed array's data, type and length. */
static int typed(napi_env env, napi_value v, napi_typedarray_type *type, size_t *length, void **data) {
  bool is = false;
  if (napi_is_typedarray(env, v, &is) != napi_ok || !is) return 0;
  napi_value ab;
  size_t off;
  return napi_get_typedarray_info(env, v, type, length, data, &ab, &off) == napi_ok;
}

/* Copies a Float32Array/Float64Array into a REAL buffer. */
static int copy_reals(napi_env env, napi_value v, size_t expect, void *dst, int f64) {
  napi_typedarray_type type;
  size_t len;
  void *src;
  if (!typed(env, v, &type, &len, &src) || len != expect) return 0;
  if (type == napi_float32_array) {
    const float *s = src;
    if (f64) for (size_t i = 0; i < len; i++) ((double *)dst)[i] = s[i];
    else memcpy(dst, s, len * sizeof(float));
  } else if (type == napi_float64_array) {
    const double *s = src;
    if (f64) memcpy(dst, s, len * sizeof(double));
    else for (size_t i = 0; i < len; i++) ((float *)dst)[i] = (float)s[i];
  } else {
    return 0;
  }
  return 1;
}

/* create(widths: Int32Array, flags, activation, n, blockRows, float64: boolean, X, Y) -> external */
static napi_value js_create(napi_env env, napi_callback_info info) {
  size_t argc = 8;
  napi_value argv[8];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc != 8) FAIL("mlp_native.create: expected 8 arguments");
  napi_typedarray_type type;
  size_t nw;
  void *wdata;
  if (!typed(env, argv[0], &type, &nw, &wdata) || type != napi_int32_array || nw < 2 || nw > MAXL + 1) FAIL("mlp_native.create: widths must be an Int32Array of 2..65 entries");
  int32_t flags, act, n, br;
  bool f64;
  CHECK(napi_get_value_int32(env, argv[1], &flags));
  CHECK(napi_get_value_int32(env, argv[2], &act));
  CHECK(napi_get_value_int32(env, argv[3], &n));
  CHECK(napi_get_value_int32(env, argv[4], &br));
  CHECK(napi_get_value_bool(env, argv[5], &f64));
  const int32_t *w = wdata;
  for (size_t i = 0; i < nw; i++)
    if (w[i] < 1) FAIL("mlp_native.create: widths must be positive");
  if (n < 1 || br < 1 || act < 0 || act > 3) FAIL("mlp_native.create: bad n, blockRows or activation");
  const char *err = "";
  Model *md = model_create((int)nw - 1, w, flags, act, n, br, f64, &err);
  if (!md) FAIL(err);
  if (!copy_reals(env, argv[6], (size_t)n * w[0], md->X, f64) || !copy_reals(env, argv[7], (size_t)n * w[nw - 1], md->Y, f64)) {
    model_free(md);
    FAIL("mlp_native.create: X and Y must be Float32Array/Float64Array of n*d_in and n*d_out entries");
  }
  Handle *h = malloc(sizeof(Handle));
  if (!h) {
    model_free(md);
    FAIL("mlp_native.create: out of memory");
  }
  h->md = md;
  napi_value ext;
  if (napi_create_external(env, h, finalize_handle, NULL, &ext) != napi_ok) {
    finalize_handle(env, h, NULL);
    FAIL("mlp_native.create: napi_create_external failed");
  }
  return ext;
}

/* eval(handle, w: Float64Array, batch: Int32Array | null, grad: Float64Array | null) -> loss */
static napi_value js_eval(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc != 4) FAIL("mlp_native.eval: expected 4 arguments");
  Handle *h = get_handle(env, argv[0]);
  if (!h || !h->md) FAIL("mlp_native.eval: model disposed or not a model handle");
  Model *md = h->md;
  napi_typedarray_type type;
  size_t len;
  void *wdata;
  if (!typed(env, argv[1], &type, &len, &wdata) || type != napi_float64_array || len != (size_t)md->P) FAIL("mlp_native.eval: w must be a Float64Array of the model's size");
  const int32_t *batch = NULL;
  int rows = md->n;
  napi_valuetype vt;
  CHECK(napi_typeof(env, argv[2], &vt));
  if (vt != napi_null && vt != napi_undefined) {
    void *bdata;
    if (!typed(env, argv[2], &type, &len, &bdata) || type != napi_int32_array || len < 1 || len > (size_t)md->n) FAIL("mlp_native.eval: batch must be an Int32Array of 1..n rows");
    batch = bdata;
    rows = (int)len;
    for (int i = 0; i < rows; i++)
      if (batch[i] < 0 || batch[i] >= md->n) FAIL("mlp_native.eval: batch row outside [0, n)");
  }
  double *g = NULL;
  CHECK(napi_typeof(env, argv[3], &vt));
  if (vt != napi_null && vt != napi_undefined) {
    void *gdata;
    if (!typed(env, argv[3], &type, &len, &gdata) || type != napi_float64_array || len != (size_t)md->P) FAIL("mlp_native.eval: grad must be a Float64Array of the model's size");
    g = gdata;
  }
  double loss = md->k->eval(md, wdata, rows, batch, g);
  napi_value out;
  CHECK(napi_create_double(env, loss, &out));
  return out;
}

/* info(handle) -> { isa, size, vectorBytes } */
static napi_value js_info(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  Handle *h = argc == 1 ? get_handle(env, argv[0]) : NULL;
  if (!h || !h->md) FAIL("mlp_native.info: model disposed or not a model handle");
  napi_value obj, isa, size, vb;
  CHECK(napi_create_object(env, &obj));
  CHECK(napi_create_string_utf8(env, h->md->isa, NAPI_AUTO_LENGTH, &isa));
  CHECK(napi_create_int32(env, h->md->P, &size));
  CHECK(napi_create_int32(env, h->md->k->vl * h->md->k->realBytes, &vb));
  CHECK(napi_set_named_property(env, obj, "isa", isa));
  CHECK(napi_set_named_property(env, obj, "size", size));
  CHECK(napi_set_named_property(env, obj, "vectorBytes", vb));
  return obj;
}

/* dispose(handle): frees the buffers now (the finalizer would later). */
static napi_value js_dispose(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  Handle *h = argc == 1 ? get_handle(env, argv[0]) : NULL;
  if (!h) FAIL("mlp_native.dispose: not a model handle");
  model_free(h->md);
  h->md = NULL;
  return NULL;
}

/* tanh(x): the kernel's float64 tanh (for tests). */
static napi_value js_tanh(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  double x;
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  CHECK(napi_get_value_double(env, argv[0], &x));
  napi_value out;
  CHECK(napi_create_double(env, tanh_d(x), &out));
  return out;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
    {"create", NULL, js_create, NULL, NULL, NULL, napi_default, NULL},
    {"eval", NULL, js_eval, NULL, NULL, NULL, napi_default, NULL},
    {"info", NULL, js_info, NULL, NULL, NULL, napi_default, NULL},
    {"dispose", NULL, js_dispose, NULL, NULL, NULL, napi_default, NULL},
    {"tanh", NULL, js_tanh, NULL, NULL, NULL, napi_default, NULL},
  };
  if (napi_define_properties(env, exports, sizeof(props) / sizeof(props[0]), props) != napi_ok) return NULL;
  napi_value version;
  if (napi_create_int32(env, 1, &version) == napi_ok) napi_set_named_property(env, exports, "abi", version);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
