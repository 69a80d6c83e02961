// CPU kernels of the nn normalisation / loss family. See nn_norm_kernels.h for the layouts.
#include "backend/cpu/nn_norm_kernels.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <mutex>
#include <vector>

#include "backend/cpu/vector_math.h"
#include "minpy/threading.h"

namespace minpy::cpu {
namespace {

// About this many elements per parallel chunk: smaller work runs on the caller alone.
constexpr int64_t kGrainElements = 1 << 15;
int64_t grain_for(int64_t per_item) { return std::max<int64_t>(1, kGrainElements / std::max<int64_t>(per_item, 1)); }

template <class F>
void dispatch_float(DType t, F&& f) {
  if (t == DType::Float32) f(float{});
  else f(double{});
}

template <class T>
T* ptr(const Array& a) {
  return a.defined() ? a.data_as<T>() : nullptr;
}

// exp(x[k] - shift) into buf (n doubles) and their sum. The subtraction, the exp and the sum are
// separate loops: a plain double loop over vmath::exp vectorises, an exp fused with a running sum
// or a float->double conversion does not.
template <class T>
double exp_sum(const T* x, int64_t n, double shift, double* buf) {
  for (int64_t k = 0; k < n; ++k) buf[k] = static_cast<double>(x[k]) - shift;
  for (int64_t k = 0; k < n; ++k) buf[k] = vmath::exp(buf[k]);
  double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  int64_t k = 0;
  for (; k + 4 <= n; k += 4) s0 += buf[k], s1 += buf[k + 1], s2 += buf[k + 2], s3 += buf[k + 3];
  for (; k < n; ++k) s0 += buf[k];
  return (s0 + s1) + (s2 + s3);
}

// The row maximum for the stable shift: 0 when it is infinite (all -inf, or +inf: exp then gives
// IEEE's answer), NaN when the row holds a NaN (it propagates through the sum).
template <class T>
double shift_of(const T* x, int64_t n) {
  T m[4] = {-std::numeric_limits<T>::infinity(), -std::numeric_limits<T>::infinity(),
            -std::numeric_limits<T>::infinity(), -std::numeric_limits<T>::infinity()};
  bool nan = false;
  int64_t k = 0;
  for (; k + 4 <= n; k += 4)
    for (int j = 0; j < 4; ++j) {
      T v = x[k + j];
      m[j] = v > m[j] ? v : m[j];
      nan |= v != v;
    }
  for (; k < n; ++k) {
    m[0] = x[k] > m[0] ? x[k] : m[0];
    nan |= x[k] != x[k];
  }
  double mx = std::max(std::max(m[0], m[1]), std::max(m[2], m[3]));
  if (nan) return std::numeric_limits<double>::quiet_NaN();
  return std::isfinite(mx) ? mx : 0.0;
}

// ---- batch norm ----
// Per-channel sums over (N, S): for S == 1 the channels are columns of an (N, C) matrix, summed row by
// row over a block of columns (contiguous, vectorisable); otherwise each channel is N runs of S.
template <class T, class Elem>
void channel_sums(const T* x, int64_t N, int64_t C, int64_t S, double* acc, Elem elem) {
  if (S == 1) {
    parallel_for(C, std::max<int64_t>(64, grain_for(N)), [&](int64_t c0, int64_t c1) {
      std::fill(acc + c0, acc + c1, 0.0);
      for (int64_t n = 0; n < N; ++n) {
        const T* row = x + n * C;
        for (int64_t c = c0; c < c1; ++c) acc[c] += elem(row[c], c);
      }
    });
  } else {
    parallel_for(C, grain_for(N * S), [&](int64_t c0, int64_t c1) {
      for (int64_t c = c0; c < c1; ++c) {
        double s = 0;
        for (int64_t n = 0; n < N; ++n) {
          const T* run = x + (n * C + c) * S;
          for (int64_t k = 0; k < S; ++k) s += elem(run[k], c);
        }
        acc[c] = s;
      }
    });
  }
}

// Two-input variant (g and x): sums of elem(g, x, c).
template <class T, class Elem>
void channel_sums2(const T* g, const T* x, int64_t N, int64_t C, int64_t S, double* acc, Elem elem) {
  if (S == 1) {
    parallel_for(C, std::max<int64_t>(64, grain_for(N)), [&](int64_t c0, int64_t c1) {
      std::fill(acc + c0, acc + c1, 0.0);
      for (int64_t n = 0; n < N; ++n)
        for (int64_t c = c0; c < c1; ++c) acc[c] += elem(g[n * C + c], x[n * C + c], c);
    });
  } else {
    parallel_for(C, grain_for(N * S), [&](int64_t c0, int64_t c1) {
      for (int64_t c = c0; c < c1; ++c) {
        double s = 0;
        for (int64_t n = 0; n < N; ++n) {
          int64_t base = (n * C + c) * S;
          for (int64_t k = 0; k < S; ++k) s += elem(g[base + k], x[base + k], c);
        }
        acc[c] = s;
      }
    });
  }
}

// out[n, c, s] = f(in..., c) elementwise, parallel over (n, c) runs.
template <class F>
void per_channel_map(int64_t N, int64_t C, int64_t S, F f) {
  int64_t runs = N * C;
  parallel_for(runs, grain_for(S), [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; ++r) f(r, r % C, r * S, S);
  });
}

template <class T>
void bn_forward_train_t(const Array& xa, const Array& ga, const Array& ba, int64_t N, int64_t C, int64_t S,
                        double eps, const Array& outa, const Array& meana, const Array& vara,
                        const Array& invstda) {
  const T* x = ptr<T>(xa);
  const T* gamma = ptr<T>(ga);
  const T* beta = ptr<T>(ba);
  T* out = ptr<T>(outa);
  double* mean = meana.data_as<double>();
  double* var = vara.data_as<double>();
  double* invstd = invstda.data_as<double>();
  double m = static_cast<double>(N * S);
  channel_sums(x, N, C, S, mean, [](T v, int64_t) { return static_cast<double>(v); });
  for (int64_t c = 0; c < C; ++c) mean[c] /= m;
  // Two passes (centred squares): no cancellation for data far from zero.
  channel_sums(x, N, C, S, var, [mean](T v, int64_t c) {
    double d = static_cast<double>(v) - mean[c];
    return d * d;
  });
  // out = (x - mean) * scale + beta: centring first keeps small-variance channels exact (folding the
  // mean into the shift cancels catastrophically in float32 when invstd is large).
  std::vector<T> centre(C), scale(C), shift(C);
  for (int64_t c = 0; c < C; ++c) {
    var[c] /= m;
    invstd[c] = 1.0 / std::sqrt(var[c] + eps);
    double gm = gamma ? static_cast<double>(gamma[c]) : 1.0;
    centre[c] = static_cast<T>(mean[c]);
    scale[c] = static_cast<T>(invstd[c] * gm);
    shift[c] = beta ? beta[c] : T(0);
  }
  per_channel_map(N, C, S, [&](int64_t, int64_t c, int64_t base, int64_t len) {
    T mu = centre[c], sc = scale[c], sh = shift[c];
    const T* xi = x + base;
    T* o = out + base;
    for (int64_t k = 0; k < len; ++k) o[k] = (xi[k] - mu) * sc + sh;
  });
}

template <class T>
void bn_backward_t(const Array& xa, const Array& ga, const Array& gma, const Array& meana, const Array& invstda,
                   int64_t N, int64_t C, int64_t S, const Array& dxa, const Array& dgammaa, const Array& dbetaa) {
  const T* x = ptr<T>(xa);
  const T* g = ptr<T>(ga);
  const T* gamma = ptr<T>(gma);
  const double* mean = meana.data_as<double>();
  const double* invstd = invstda.data_as<double>();
  std::vector<double> sum_g(C), sum_gx(C);  // sum g, sum g * (x - mean)
  channel_sums(g, N, C, S, sum_g.data(), [](T v, int64_t) { return static_cast<double>(v); });
  channel_sums2(g, x, N, C, S, sum_gx.data(),
                [mean](T gv, T xv, int64_t c) { return static_cast<double>(gv) * (static_cast<double>(xv) - mean[c]); });
  if (dbetaa.defined())
    for (int64_t c = 0; c < C; ++c) dbetaa.data_as<T>()[c] = static_cast<T>(sum_g[c]);
  if (dgammaa.defined())
    for (int64_t c = 0; c < C; ++c) dgammaa.data_as<T>()[c] = static_cast<T>(sum_gx[c] * invstd[c]);
  if (!dxa.defined()) return;
  // dx = gamma invstd (g - mean(g) - xhat mean(g xhat)) = a g + b x + c per channel.
  double m = static_cast<double>(N * S);
  std::vector<T> ca(C), cb(C), cc(C);
  for (int64_t c = 0; c < C; ++c) {
    double k = (gamma ? static_cast<double>(gamma[c]) : 1.0) * invstd[c];
    double mg = sum_g[c] / m;
    double mgx = sum_gx[c] * invstd[c] * invstd[c] / m;  // mean(g xhat) * invstd
    ca[c] = static_cast<T>(k);
    cb[c] = static_cast<T>(-k * mgx);
    cc[c] = static_cast<T>(k * (mgx * mean[c] - mg));
  }
  T* dx = dxa.data_as<T>();
  per_channel_map(N, C, S, [&](int64_t, int64_t c, int64_t base, int64_t len) {
    T a = ca[c], b = cb[c], cst = cc[c];
    for (int64_t k = 0; k < len; ++k) dx[base + k] = a * g[base + k] + b * x[base + k] + cst;
  });
}

// ---- layer norm ----
template <class T>
void ln_forward_t(const Array& xa, const Array& ga, const Array& ba, int64_t R, int64_t D, double eps,
                  const Array& outa, const Array& meana, const Array& invstda) {
  const T* x = ptr<T>(xa);
  const T* gamma = ptr<T>(ga);
  const T* beta = ptr<T>(ba);
  T* out = ptr<T>(outa);
  double* mean = meana.data_as<double>();
  double* invstd = invstda.data_as<double>();
  parallel_for(R, grain_for(D), [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; ++r) {
      const T* xi = x + r * D;
      T* o = out + r * D;
      double s = 0;
      for (int64_t k = 0; k < D; ++k) s += xi[k];
      double mu = s / static_cast<double>(D), v = 0;
      for (int64_t k = 0; k < D; ++k) {
        double d = xi[k] - mu;
        v += d * d;
      }
      double is = 1.0 / std::sqrt(v / static_cast<double>(D) + eps);
      mean[r] = mu;
      invstd[r] = is;
      T tis = static_cast<T>(is), tmu = static_cast<T>(mu);
      if (gamma && beta)
        for (int64_t k = 0; k < D; ++k) o[k] = (xi[k] - tmu) * tis * gamma[k] + beta[k];
      else if (gamma)
        for (int64_t k = 0; k < D; ++k) o[k] = (xi[k] - tmu) * tis * gamma[k];
      else if (beta)
        for (int64_t k = 0; k < D; ++k) o[k] = (xi[k] - tmu) * tis + beta[k];
      else
        for (int64_t k = 0; k < D; ++k) o[k] = (xi[k] - tmu) * tis;
    }
  });
}

template <class T>
void ln_backward_t(const Array& xa, const Array& ga, const Array& gma, const Array& meana, const Array& invstda,
                   int64_t R, int64_t D, const Array& dxa, const Array& dgammaa, const Array& dbetaa) {
  const T* x = ptr<T>(xa);
  const T* g = ptr<T>(ga);
  const T* gamma = ptr<T>(gma);
  const double* mean = meana.data_as<double>();
  const double* invstd = invstda.data_as<double>();
  T* dx = dxa.defined() ? dxa.data_as<T>() : nullptr;
  bool want_params = dgammaa.defined() || dbetaa.defined();
  std::vector<double> dgamma(want_params ? D : 0), dbeta(want_params ? D : 0);
  std::mutex merge;
  parallel_for(R, grain_for(D), [&](int64_t r0, int64_t r1) {
    std::vector<double> pg(want_params ? D : 0), pb(want_params ? D : 0);
    std::vector<double> xhat(D);
    for (int64_t r = r0; r < r1; ++r) {
      const T* xi = x + r * D;
      const T* gi = g + r * D;
      double mu = mean[r], is = invstd[r];
      double s1 = 0, s2 = 0;  // sum dxhat, sum dxhat * xhat
      for (int64_t k = 0; k < D; ++k) {
        double xh = (static_cast<double>(xi[k]) - mu) * is;
        xhat[k] = xh;
        double dxh = static_cast<double>(gi[k]) * (gamma ? static_cast<double>(gamma[k]) : 1.0);
        s1 += dxh;
        s2 += dxh * xh;
      }
      if (want_params)
        for (int64_t k = 0; k < D; ++k) {
          pg[k] += static_cast<double>(gi[k]) * xhat[k];
          pb[k] += static_cast<double>(gi[k]);
        }
      if (dx) {
        double m1 = s1 / static_cast<double>(D), m2 = s2 / static_cast<double>(D);
        T* o = dx + r * D;
        for (int64_t k = 0; k < D; ++k) {
          double dxh = static_cast<double>(gi[k]) * (gamma ? static_cast<double>(gamma[k]) : 1.0);
          o[k] = static_cast<T>(is * (dxh - m1 - xhat[k] * m2));
        }
      }
    }
    if (want_params) {
      std::lock_guard<std::mutex> lock(merge);
      for (int64_t k = 0; k < D; ++k) dgamma[k] += pg[k], dbeta[k] += pb[k];
    }
  });
  if (dgammaa.defined())
    for (int64_t k = 0; k < D; ++k) dgammaa.data_as<T>()[k] = static_cast<T>(dgamma[k]);
  if (dbetaa.defined())
    for (int64_t k = 0; k < D; ++k) dbetaa.data_as<T>()[k] = static_cast<T>(dbeta[k]);
}

// ---- softmax ----
// Along the middle axis of (outer, n, inner). inner == 1: contiguous rows. Otherwise the columns of
// each (n, inner) slab are handled in blocks of up to kCol with per-column running values.
constexpr int64_t kCol = 256;

template <class T>
void softmax_row(const T* x, T* o, int64_t n, bool log, double* buf) {
  double mx = shift_of(x, n);
  double s = exp_sum(x, n, mx, buf);
  if (log) {
    double l = mx + std::log(s);
    for (int64_t k = 0; k < n; ++k) o[k] = static_cast<T>(static_cast<double>(x[k]) - l);
  } else {
    double inv = 1.0 / s;
    for (int64_t k = 0; k < n; ++k) o[k] = static_cast<T>(buf[k] * inv);
  }
}

template <class T>
void softmax_cols(const T* x, T* o, int64_t n, int64_t inner, int64_t i0, int64_t i1, bool log) {
  double mx[kCol], s[kCol];
  int64_t w = i1 - i0;
  for (int64_t i = 0; i < w; ++i) mx[i] = -std::numeric_limits<double>::infinity(), s[i] = 0;
  for (int64_t k = 0; k < n; ++k)
    for (int64_t i = 0; i < w; ++i) mx[i] = std::max(mx[i], static_cast<double>(x[k * inner + i0 + i]));
  for (int64_t i = 0; i < w; ++i)
    if (!std::isfinite(mx[i])) mx[i] = std::isnan(mx[i]) ? mx[i] : 0.0;
  for (int64_t k = 0; k < n; ++k)
    for (int64_t i = 0; i < w; ++i) {
      double e = vmath::exp(static_cast<double>(x[k * inner + i0 + i]) - mx[i]);
      s[i] += e;
      if (!log) o[k * inner + i0 + i] = static_cast<T>(e);
    }
  for (int64_t i = 0; i < w; ++i) s[i] = log ? mx[i] + std::log(s[i]) : 1.0 / s[i];
  for (int64_t k = 0; k < n; ++k)
    for (int64_t i = 0; i < w; ++i) {
      int64_t j = k * inner + i0 + i;
      o[j] = log ? static_cast<T>(static_cast<double>(x[j]) - s[i]) : static_cast<T>(static_cast<double>(o[j]) * s[i]);
    }
}

// Runs f(slab offset, i0, i1) over every (outer, column block) pair in parallel.
template <class F>
void over_slabs(int64_t outer, int64_t n, int64_t inner, F f) {
  int64_t blocks = (inner + kCol - 1) / kCol;
  parallel_for(outer * blocks, grain_for(n * std::min(inner, kCol)), [&](int64_t t0, int64_t t1) {
    for (int64_t t = t0; t < t1; ++t) {
      int64_t o = t / blocks, b = t % blocks;
      f(o * n * inner, b * kCol, std::min(inner, (b + 1) * kCol));
    }
  });
}

template <class T>
void softmax_forward_t(const Array& xa, const Array& outa, int64_t outer, int64_t n, int64_t inner, bool log) {
  const T* x = ptr<T>(xa);
  T* out = ptr<T>(outa);
  if (inner == 1) {
    parallel_for(outer, grain_for(n), [&](int64_t r0, int64_t r1) {
      std::vector<double> buf(n);
      for (int64_t r = r0; r < r1; ++r) softmax_row(x + r * n, out + r * n, n, log, buf.data());
    });
  } else {
    over_slabs(outer, n, inner, [&](int64_t base, int64_t i0, int64_t i1) {
      softmax_cols(x + base, out + base, n, inner, i0, i1, log);
    });
  }
}

template <class T>
void softmax_backward_t(const Array& ga, const Array& ya, const Array& dxa, int64_t outer, int64_t n, int64_t inner,
                        bool log) {
  const T* g = ptr<T>(ga);
  const T* y = ptr<T>(ya);
  T* dx = ptr<T>(dxa);
  // softmax: dx = y (g - sum(g y)); log_softmax: dx = g - exp(y) sum(g).
  auto slab = [&](int64_t base, int64_t i0, int64_t i1) {
    double s[kCol];
    int64_t w = i1 - i0;
    for (int64_t i = 0; i < w; ++i) s[i] = 0;
    for (int64_t k = 0; k < n; ++k)
      for (int64_t i = 0; i < w; ++i) {
        int64_t j = base + k * inner + i0 + i;
        s[i] += log ? static_cast<double>(g[j]) : static_cast<double>(g[j]) * static_cast<double>(y[j]);
      }
    for (int64_t k = 0; k < n; ++k)
      for (int64_t i = 0; i < w; ++i) {
        int64_t j = base + k * inner + i0 + i;
        double gv = g[j], yv = y[j];
        dx[j] = static_cast<T>(log ? gv - vmath::exp(yv) * s[i] : yv * (gv - s[i]));
      }
  };
  if (inner == 1) {
    parallel_for(outer, grain_for(n), [&](int64_t r0, int64_t r1) {
      std::vector<double> buf(log ? n : 0);
      for (int64_t r = r0; r < r1; ++r) {
        const T* gr = g + r * n;
        const T* yr = y + r * n;
        T* o = dx + r * n;
        double s = 0;
        if (log) {
          for (int64_t k = 0; k < n; ++k) s += gr[k];
          exp_sum(yr, n, 0.0, buf.data());
          for (int64_t k = 0; k < n; ++k) o[k] = static_cast<T>(static_cast<double>(gr[k]) - buf[k] * s);
        } else {
          for (int64_t k = 0; k < n; ++k) s += static_cast<double>(gr[k]) * yr[k];
          for (int64_t k = 0; k < n; ++k) o[k] = static_cast<T>(yr[k] * (gr[k] - s));
        }
      }
    });
  } else {
    over_slabs(outer, n, inner, slab);
  }
}

// ---- cross entropy, hinge ----
template <class T>
void ce_forward_t(const Array& xa, const Array& la, const Array& lossa, const Array& proba) {
  int64_t N = xa.shape(0), C = xa.shape(1);
  const T* x = ptr<T>(xa);
  const int64_t* y = la.data_as<int64_t>();
  T* loss = ptr<T>(lossa);
  T* prob = ptr<T>(proba);
  parallel_for(N, grain_for(C), [&](int64_t r0, int64_t r1) {
    std::vector<double> buf(C);
    for (int64_t r = r0; r < r1; ++r) {
      const T* xi = x + r * C;
      double mx = shift_of(xi, C);
      double s = exp_sum(xi, C, mx, buf.data());
      loss[r] = static_cast<T>(mx + std::log(s) - static_cast<double>(xi[y[r]]));
      if (prob) {
        double inv = 1.0 / s;
        for (int64_t k = 0; k < C; ++k) prob[r * C + k] = static_cast<T>(buf[k] * inv);
      }
    }
  });
}

template <class T>
void ce_backward_t(const Array& proba, const Array& la, const Array& scalea, const Array& dxa) {
  int64_t N = proba.shape(0), C = proba.shape(1);
  const T* prob = ptr<T>(proba);
  const int64_t* y = la.data_as<int64_t>();
  const double* scale = scalea.data_as<double>();
  T* dx = ptr<T>(dxa);
  parallel_for(N, grain_for(C), [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; ++r) {
      const T* pi = prob + r * C;
      T* o = dx + r * C;
      T sc = static_cast<T>(scale[r]);
      for (int64_t k = 0; k < C; ++k) o[k] = sc * pi[k];
      o[y[r]] = static_cast<T>(static_cast<double>(pi[y[r]] - T(1)) * scale[r]);
    }
  });
}

template <class T>
void svm_forward_t(const Array& xa, const Array& la, double delta, const Array& lossa) {
  int64_t N = xa.shape(0), C = xa.shape(1);
  const T* x = ptr<T>(xa);
  const int64_t* y = la.data_as<int64_t>();
  T* loss = ptr<T>(lossa);
  parallel_for(N, grain_for(C), [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; ++r) {
      const T* xi = x + r * C;
      double sy = xi[y[r]], s = 0;
      for (int64_t k = 0; k < C; ++k) s += std::max(0.0, static_cast<double>(xi[k]) - sy + delta);
      s -= std::max(0.0, delta);  // the j == y_i term (margin delta) is not part of the loss
      loss[r] = static_cast<T>(s);
    }
  });
}

template <class T>
void svm_coeff_t(const Array& xa, const Array& la, double delta, const Array& ca) {
  int64_t N = xa.shape(0), C = xa.shape(1);
  const T* x = ptr<T>(xa);
  const int64_t* y = la.data_as<int64_t>();
  T* co = ptr<T>(ca);
  parallel_for(N, grain_for(C), [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; ++r) {
      const T* xi = x + r * C;
      T* o = co + r * C;
      double sy = xi[y[r]];
      int64_t cnt = 0;
      for (int64_t k = 0; k < C; ++k) {
        bool pos = k != y[r] && static_cast<double>(xi[k]) - sy + delta > 0;
        o[k] = pos ? T(1) : T(0);
        cnt += pos;
      }
      o[y[r]] = static_cast<T>(-static_cast<double>(cnt));
    }
  });
}

// ---- embedding, dropout ----
template <class T>
void embedding_gather_t(const Array& wa, const Array& ia, const Array& outa) {
  int64_t K = ia.size(), D = wa.shape(1);
  const T* w = ptr<T>(wa);
  const int64_t* idx = ia.data_as<int64_t>();
  T* out = ptr<T>(outa);
  parallel_for(K, grain_for(D), [&](int64_t k0, int64_t k1) {
    for (int64_t k = k0; k < k1; ++k) std::copy(w + idx[k] * D, w + idx[k] * D + D, out + k * D);
  });
}

template <class T>
void embedding_scatter_t(const Array& ga, const Array& ia, const Array& outa) {
  int64_t K = ia.size(), V = outa.shape(0), D = outa.shape(1);
  const T* g = ptr<T>(ga);
  const int64_t* idx = ia.data_as<int64_t>();
  T* out = ptr<T>(outa);
  std::fill(out, out + V * D, T(0));
  // Columns split across threads: each thread owns a column block of every row (no write races,
  // and repeated indices accumulate in index order whatever the thread count).
  parallel_for(D, std::max<int64_t>(16, grain_for(K)), [&](int64_t d0, int64_t d1) {
    for (int64_t k = 0; k < K; ++k) {
      T* o = out + idx[k] * D;
      const T* gi = g + k * D;
      for (int64_t d = d0; d < d1; ++d) o[d] += gi[d];
    }
  });
}

template <class T>
void dropout_apply_t(const Array& xa, const Array& ua, double p, const Array& outa, const Array& maska) {
  int64_t n = xa.size();
  const T* x = ptr<T>(xa);
  const T* u = ptr<T>(ua);
  T* out = ptr<T>(outa);
  T* mask = ptr<T>(maska);
  T keep = p < 1.0 ? static_cast<T>(1.0 / (1.0 - p)) : T(0), tp = static_cast<T>(p);
  parallel_for(n, kGrainElements, [&](int64_t i0, int64_t i1) {
    for (int64_t i = i0; i < i1; ++i) {
      T m = u[i] >= tp ? keep : T(0);
      mask[i] = m;
      out[i] = x[i] * m;
    }
  });
}

}  // namespace

#define MINPY_DISPATCH(dtype, call) dispatch_float(dtype, [&](auto tag) { using T = decltype(tag); call; })

void bn_forward_train(const Array& x, const Array& gamma, const Array& beta, int64_t N, int64_t C, int64_t S,
                      double eps, const Array& out, const Array& mean, const Array& var, const Array& invstd) {
  MINPY_DISPATCH(x.dtype(), bn_forward_train_t<T>(x, gamma, beta, N, C, S, eps, out, mean, var, invstd));
}
void bn_backward(const Array& x, const Array& g, const Array& gamma, const Array& mean, const Array& invstd,
                 int64_t N, int64_t C, int64_t S, const Array& dx, const Array& dgamma, const Array& dbeta) {
  MINPY_DISPATCH(x.dtype(), bn_backward_t<T>(x, g, gamma, mean, invstd, N, C, S, dx, dgamma, dbeta));
}
void ln_forward(const Array& x, const Array& gamma, const Array& beta, int64_t R, int64_t D, double eps,
                const Array& out, const Array& mean, const Array& invstd) {
  MINPY_DISPATCH(x.dtype(), ln_forward_t<T>(x, gamma, beta, R, D, eps, out, mean, invstd));
}
void ln_backward(const Array& x, const Array& g, const Array& gamma, const Array& mean, const Array& invstd,
                 int64_t R, int64_t D, const Array& dx, const Array& dgamma, const Array& dbeta) {
  MINPY_DISPATCH(x.dtype(), ln_backward_t<T>(x, g, gamma, mean, invstd, R, D, dx, dgamma, dbeta));
}
void softmax_forward(const Array& x, const Array& out, int64_t outer, int64_t n, int64_t inner, bool log) {
  MINPY_DISPATCH(x.dtype(), softmax_forward_t<T>(x, out, outer, n, inner, log));
}
void softmax_backward(const Array& g, const Array& y, const Array& dx, int64_t outer, int64_t n, int64_t inner,
                      bool log) {
  MINPY_DISPATCH(y.dtype(), softmax_backward_t<T>(g, y, dx, outer, n, inner, log));
}
void ce_forward(const Array& x, const Array& labels, const Array& loss, const Array& prob) {
  MINPY_DISPATCH(x.dtype(), ce_forward_t<T>(x, labels, loss, prob));
}
void ce_backward(const Array& prob, const Array& labels, const Array& scale, const Array& dx) {
  MINPY_DISPATCH(prob.dtype(), ce_backward_t<T>(prob, labels, scale, dx));
}
void svm_forward(const Array& x, const Array& labels, double delta, const Array& loss) {
  MINPY_DISPATCH(x.dtype(), svm_forward_t<T>(x, labels, delta, loss));
}
void svm_coeff(const Array& x, const Array& labels, double delta, const Array& coeff) {
  MINPY_DISPATCH(x.dtype(), svm_coeff_t<T>(x, labels, delta, coeff));
}
void embedding_gather(const Array& weight, const Array& idx, const Array& out) {
  MINPY_DISPATCH(weight.dtype(), embedding_gather_t<T>(weight, idx, out));
}
void embedding_scatter(const Array& g, const Array& idx, const Array& out) {
  MINPY_DISPATCH(out.dtype(), embedding_scatter_t<T>(g, idx, out));
}
void dropout_apply(const Array& x, const Array& u, double p, const Array& out, const Array& mask) {
  MINPY_DISPATCH(x.dtype(), dropout_apply_t<T>(x, u, p, out, mask));
}

}  // namespace minpy::cpu
