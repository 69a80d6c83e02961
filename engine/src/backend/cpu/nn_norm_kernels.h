// CPU kernels of the nn normalisation / loss family (ops/nn_norm.cpp). Every array argument is
// C-contiguous; data arrays are float32 or float64 (one dtype per call), statistics float64, labels
// and indices int64 (already range-checked by the op). Sums accumulate in double.
#pragma once
#include <cstdint>

#include "minpy/array.h"

namespace minpy::cpu {

// x viewed as (N, C, S). mean, var, invstd: float64 (C,). out = (x - mean) * invstd * gamma + beta.
void bn_forward_train(const Array& x, const Array& gamma, const Array& beta, int64_t N, int64_t C, int64_t S,
                      double eps, const Array& out, const Array& mean, const Array& var, const Array& invstd);
// dx (x's shape), dgamma, dbeta (C,) (either may be undefined: not computed).
void bn_backward(const Array& x, const Array& g, const Array& gamma, const Array& mean, const Array& invstd,
                 int64_t N, int64_t C, int64_t S, const Array& dx, const Array& dgamma, const Array& dbeta);

// x viewed as (R, D); gamma/beta (D,) or undefined. mean, invstd: float64 (R,).
void ln_forward(const Array& x, const Array& gamma, const Array& beta, int64_t R, int64_t D, double eps,
                const Array& out, const Array& mean, const Array& invstd);
void ln_backward(const Array& x, const Array& g, const Array& gamma, const Array& mean, const Array& invstd,
                 int64_t R, int64_t D, const Array& dx, const Array& dgamma, const Array& dbeta);

// x viewed as (outer, n, inner), softmax (or log_softmax) along the middle axis.
void softmax_forward(const Array& x, const Array& out, int64_t outer, int64_t n, int64_t inner, bool log);
// dx from the cotangent g and the forward output y (softmax: y (g - sum g y); log: g - exp(y) sum g).
void softmax_backward(const Array& g, const Array& y, const Array& dx, int64_t outer, int64_t n, int64_t inner,
                      bool log);

// x (N, C), labels int64 (N,): loss (N,) in x's dtype; prob (N, C) = softmax(x) when defined (kept
// for the backward pass, which then needs no second exp).
void ce_forward(const Array& x, const Array& labels, const Array& loss, const Array& prob);
// dx = scale_i * (prob_i - onehot(y_i)); scale float64 (N,).
void ce_backward(const Array& prob, const Array& labels, const Array& scale, const Array& dx);

// Per-row hinge loss (N,) in x's dtype.
void svm_forward(const Array& x, const Array& labels, double delta, const Array& loss);
// d loss_i / d x (N, C) in x's dtype: 1 where the margin is positive (j != y_i), -count at y_i.
void svm_coeff(const Array& x, const Array& labels, double delta, const Array& coeff);

// out (K, D) = weight[idx]; idx int64 (K,).
void embedding_gather(const Array& weight, const Array& idx, const Array& out);
// out (V, D) (zeroed here) += g (K, D) rows at idx.
void embedding_scatter(const Array& g, const Array& idx, const Array& out);

// out = x * mask, mask = (u >= p) / (1 - p); u in x's dtype.
void dropout_apply(const Array& x, const Array& u, double p, const Array& out, const Array& mask);

}  // namespace minpy::cpu
