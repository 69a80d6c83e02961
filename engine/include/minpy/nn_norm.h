// Neural-network ops of the normalisation / loss family (minpy.nn.functional): batch_norm,
// layer_norm, dropout, softmax, log_softmax, softmax_cross_entropy, svm_loss, embedding.
//
// Floating inputs keep their dtype: float32 and float64 run natively, float16 is computed in float32
// and cast back. Integer/bool data raise TypeError (labels and indices are integer by nature).
// Every op records one node on the autograd tape; first-order backward passes run fused native
// kernels, and a backward pass that is itself recorded (grad of grad) uses the same formulas written
// with engine ops, so every order is differentiable.
#pragma once
#include <string>

#include "minpy/array.h"
#include "minpy/random.h"

namespace minpy::nn {

enum class Reduction : uint8_t { None, Mean, Sum };
// 'none' | 'mean' | 'sum' (ValueError otherwise).
Reduction reduction_from_name(const std::string& name, const char* op);

// x (N, C) or (N, C, H, W) (any ndim >= 2: statistics over every axis but 1); gamma, beta (C,).
// training: batch mean and biased variance; running_mean/var (C,), when given (both or neither),
// are updated in place: running = (1 - momentum) * running + momentum * batch_stat (biased var).
// Not training: normalise with the running arrays (required).
Array batch_norm(const Array& x, const Array& gamma, const Array& beta, const Array& running_mean,
                 const Array& running_var, bool training = true, double momentum = 0.1, double eps = 1e-5);
// Normalises over the last axis; gamma, beta (D,) or undefined.
Array layer_norm(const Array& x, const Array& gamma = {}, const Array& beta = {}, double eps = 1e-5);
// Inverted dropout: x * (u >= p) / (1 - p) with u uniform [0, 1) drawn from gen (x's float dtype).
// Identity (x itself) when not training or p == 0; zeros when p == 1; ValueError outside [0, 1].
Array dropout(const Array& x, double p, RandomGenerator& gen, bool training = true);
// The same with the uniforms given (u has x's shape): the Python layer draws them under the
// generator's lock.
Array dropout_with_uniform(const Array& x, const Array& u, double p);
Array softmax(const Array& x, int64_t axis = -1);
Array log_softmax(const Array& x, int64_t axis = -1);
// logits (N, C) floating, labels (N,) integer in [0, C) (IndexError otherwise): -log_softmax[i, y_i].
Array softmax_cross_entropy(const Array& logits, const Array& labels, Reduction reduction = Reduction::Mean);
// CS231n multiclass hinge: sum_{j != y_i} max(0, x_ij - x_iy_i + delta) per row.
Array svm_loss(const Array& x, const Array& labels, double delta = 1.0, Reduction reduction = Reduction::Mean);
// weight (V, D) floating, integer indices of any shape in [0, V) -> indices.shape + (D,).
Array embedding(const Array& indices, const Array& weight);
// The gradient of embedding w.r.t. weight: g (indices.shape + (D,)) summed into rows of a (V, D)
// zero array (repeated indices accumulate). Recorded (its VJP is embedding), so every order works.
Array embedding_backward(const Array& g, const Array& indices, int64_t num_embeddings);

}  // namespace minpy::nn
