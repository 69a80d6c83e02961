// Bindings of the nn normalisation / loss family (minpy.nn._norm wraps them with their Python
// signatures; dropout's generator and seed handling live there).
#include <nanobind/stl/string.h>

#include "convert.h"
#include "gil.h"
#include "minpy/errors.h"
#include "minpy/nn_norm.h"

namespace minpy::py {
namespace {

Array opt_array(nb::handle h) { return h.is_none() ? Array() : to_array(h); }

}  // namespace

void init_nn_norm(nb::module_& m) {
  m.def("nn_batch_norm",
        [](nb::handle x, nb::handle gamma, nb::handle beta, nb::handle rm, nb::handle rv, bool training,
           double momentum, double eps) {
          Array xa = to_array(x), g = opt_array(gamma), b = opt_array(beta);
          // The running arrays are written in place: they must be minpy arrays, not converted copies.
          for (nb::handle h : {rm, rv})
            if (!h.is_none() && !is_ndarray(h))
              throw TypeError(msg("batch_norm", "running_mean and running_var must be minpy arrays."));
          Array rma = rm.is_none() ? Array() : as_array(rm), rva = rv.is_none() ? Array() : as_array(rv);
          return nogil_if_large(xa.size(), [&] { return nn::batch_norm(xa, g, b, rma, rva, training, momentum, eps); });
        },
        nb::arg("x"), nb::arg("gamma").none(), nb::arg("beta").none(), nb::arg("running_mean").none(),
        nb::arg("running_var").none(), nb::arg("training"), nb::arg("momentum"), nb::arg("eps"));
  m.def("nn_layer_norm",
        [](nb::handle x, nb::handle gamma, nb::handle beta, double eps) {
          Array xa = to_array(x), g = opt_array(gamma), b = opt_array(beta);
          return nogil_if_large(xa.size(), [&] { return nn::layer_norm(xa, g, b, eps); });
        },
        nb::arg("x"), nb::arg("gamma").none(), nb::arg("beta").none(), nb::arg("eps"));
  m.def("nn_dropout_with_uniform",
        [](nb::handle x, nb::handle u, double p) {
          Array xa = to_array(x), ua = to_array(u);
          return nogil_if_large(xa.size(), [&] { return nn::dropout_with_uniform(xa, ua, p); });
        },
        nb::arg("x"), nb::arg("u"), nb::arg("p"));
  m.def("nn_softmax",
        [](nb::handle x, int64_t axis) {
          Array xa = to_array(x);
          return nogil_if_large(xa.size(), [&] { return nn::softmax(xa, axis); });
        },
        nb::arg("x"), nb::arg("axis"));
  m.def("nn_log_softmax",
        [](nb::handle x, int64_t axis) {
          Array xa = to_array(x);
          return nogil_if_large(xa.size(), [&] { return nn::log_softmax(xa, axis); });
        },
        nb::arg("x"), nb::arg("axis"));
  m.def("nn_softmax_cross_entropy",
        [](nb::handle x, nb::handle labels, const std::string& reduction) {
          Array xa = to_array(x), la = to_array(labels);
          nn::Reduction r = nn::reduction_from_name(reduction, "softmax_cross_entropy");
          return nogil_if_large(xa.size(), [&] { return nn::softmax_cross_entropy(xa, la, r); });
        },
        nb::arg("logits"), nb::arg("labels"), nb::arg("reduction"));
  m.def("nn_svm_loss",
        [](nb::handle x, nb::handle labels, double delta, const std::string& reduction) {
          Array xa = to_array(x), la = to_array(labels);
          nn::Reduction r = nn::reduction_from_name(reduction, "svm_loss");
          return nogil_if_large(xa.size(), [&] { return nn::svm_loss(xa, la, delta, r); });
        },
        nb::arg("x"), nb::arg("labels"), nb::arg("delta"), nb::arg("reduction"));
  m.def("nn_embedding",
        [](nb::handle indices, nb::handle weight) {
          Array ia = to_array(indices), wa = to_array(weight);
          return nogil_if_large(ia.size() * (wa.ndim() == 2 ? wa.shape(1) : 1),
                                [&] { return nn::embedding(ia, wa); });
        },
        nb::arg("indices"), nb::arg("weight"));
  m.def("nn_embedding_backward",
        [](nb::handle g, nb::handle indices, int64_t num_embeddings) {
          Array ga = to_array(g), ia = to_array(indices);
          return nogil_if_large(ga.size(), [&] { return nn::embedding_backward(ga, ia, num_embeddings); });
        },
        nb::arg("g"), nb::arg("indices"), nb::arg("num_embeddings"));
}

}  // namespace minpy::py
