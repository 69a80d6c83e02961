// Bindings of minpy.nn's convolution family (_core._nn_conv2d, ...). The Python layer
// (minpy/nn/_conv.py) turns int-or-pair arguments into the explicit integers taken here.
#include <nanobind/stl/pair.h>
#include <nanobind/stl/vector.h>

#include "convert.h"
#include "gil.h"
#include "minpy/nn_conv.h"

namespace minpy::py {
namespace {

nn::Conv2dOptions conv_opts(int64_t sh, int64_t sw, int64_t ph, int64_t pw, int64_t dh, int64_t dw, int64_t groups) {
  nn::Conv2dOptions o;
  o.stride = {sh, sw};
  o.padding = {ph, pw};
  o.dilation = {dh, dw};
  o.groups = groups;
  return o;
}

nn::Pool2dOptions pool_opts(int64_t kh, int64_t kw, int64_t sh, int64_t sw, int64_t ph, int64_t pw, int64_t dh = 1,
                            int64_t dw = 1, bool ceil_mode = false, bool count_include_pad = true) {
  nn::Pool2dOptions o;
  o.kernel = {kh, kw};
  o.stride = nn::Pair{sh, sw};
  o.padding = {ph, pw};
  o.dilation = {dh, dw};
  o.ceil_mode = ceil_mode;
  o.count_include_pad = count_include_pad;
  return o;
}

// The geometry arguments of the pool bindings: kh, kw, sh, sw, ph, pw, then the PyTorch options
// with their defaults (max: dh, dw, ceil_mode; avg: ceil_mode, count_include_pad).
#define MINPY_POOL_ARGS nb::arg("kh"), nb::arg("kw"), nb::arg("sh"), nb::arg("sw"), nb::arg("ph"), nb::arg("pw")
#define MINPY_MAX_ARGS MINPY_POOL_ARGS, nb::arg("dh") = 1, nb::arg("dw") = 1, nb::arg("ceil_mode") = false
#define MINPY_AVG_ARGS MINPY_POOL_ARGS, nb::arg("ceil_mode") = false, nb::arg("count_include_pad") = true

Array opt_array(nb::handle h) { return h.is_none() ? Array() : to_array(h); }

}  // namespace

void init_nn_conv(nb::module_& m) {
  m.def("_nn_conv2d", [](nb::handle x, nb::handle w, nb::handle b, int64_t sh, int64_t sw, int64_t ph, int64_t pw,
                         int64_t dh, int64_t dw, int64_t groups) {
    Array xa = to_array(x), wa = to_array(w), ba = opt_array(b);
    const nn::Conv2dOptions o = conv_opts(sh, sw, ph, pw, dh, dw, groups);
    return nogil_if_large(max_elements({&xa, &wa}), [&] { return nn::conv2d(xa, wa, ba, o); });
  }, nb::arg("x"), nb::arg("weight"), nb::arg("bias").none(), nb::arg("sh"), nb::arg("sw"), nb::arg("ph"),
     nb::arg("pw"), nb::arg("dh"), nb::arg("dw"), nb::arg("groups"));
  m.def("_nn_conv2d_grad_input", [](nb::handle gy, nb::handle w, const std::vector<int64_t>& xs, int64_t sh,
                                    int64_t sw, int64_t ph, int64_t pw, int64_t dh, int64_t dw, int64_t groups) {
    Array ga = to_array(gy), wa = to_array(w);
    const nn::Conv2dOptions o = conv_opts(sh, sw, ph, pw, dh, dw, groups);
    return nogil_if_large(max_elements({&ga, &wa}), [&] { return nn::conv2d_grad_input(ga, wa, Shape(xs), o); });
  });
  m.def("_nn_conv2d_grad_weight", [](nb::handle gy, nb::handle x, const std::vector<int64_t>& ws, int64_t sh,
                                     int64_t sw, int64_t ph, int64_t pw, int64_t dh, int64_t dw, int64_t groups) {
    Array ga = to_array(gy), xa = to_array(x);
    const nn::Conv2dOptions o = conv_opts(sh, sw, ph, pw, dh, dw, groups);
    return nogil_if_large(max_elements({&ga, &xa}), [&] { return nn::conv2d_grad_weight(ga, xa, Shape(ws), o); });
  });
  m.def("_nn_max_pool2d", [](nb::handle x, int64_t kh, int64_t kw, int64_t sh, int64_t sw, int64_t ph, int64_t pw,
                             int64_t dh, int64_t dw, bool ceil_mode) {
    Array xa = to_array(x);
    const nn::Pool2dOptions o = pool_opts(kh, kw, sh, sw, ph, pw, dh, dw, ceil_mode);
    return nogil_if_large(xa.size(), [&] { return nn::max_pool2d(xa, o); });
  }, nb::arg("x"), MINPY_MAX_ARGS);
  m.def("_nn_max_pool2d_with_indices", [](nb::handle x, int64_t kh, int64_t kw, int64_t sh, int64_t sw, int64_t ph,
                                          int64_t pw, int64_t dh, int64_t dw, bool ceil_mode) {
    Array xa = to_array(x);
    const nn::Pool2dOptions o = pool_opts(kh, kw, sh, sw, ph, pw, dh, dw, ceil_mode);
    return nogil_if_large(xa.size(), [&] { return nn::max_pool2d_with_indices(xa, o); });
  }, nb::arg("x"), MINPY_MAX_ARGS);
  m.def("_nn_max_pool2d_backward", [](nb::handle gy, nb::handle idx, const std::vector<int64_t>& xs, int64_t kh,
                                      int64_t kw, int64_t sh, int64_t sw, int64_t ph, int64_t pw, int64_t dh, int64_t dw,
                                      bool ceil_mode) {
    Array ga = to_array(gy), ia = to_array(idx);
    const nn::Pool2dOptions o = pool_opts(kh, kw, sh, sw, ph, pw, dh, dw, ceil_mode);
    return nogil_if_large(ga.size(), [&] { return nn::max_pool2d_backward(ga, ia, Shape(xs), o); });
  }, nb::arg("gy"), nb::arg("indices"), nb::arg("x_shape"), MINPY_MAX_ARGS);
  m.def("_nn_avg_pool2d", [](nb::handle x, int64_t kh, int64_t kw, int64_t sh, int64_t sw, int64_t ph, int64_t pw,
                             bool ceil_mode, bool count_include_pad) {
    Array xa = to_array(x);
    const nn::Pool2dOptions o = pool_opts(kh, kw, sh, sw, ph, pw, 1, 1, ceil_mode, count_include_pad);
    return nogil_if_large(xa.size(), [&] { return nn::avg_pool2d(xa, o); });
  }, nb::arg("x"), MINPY_AVG_ARGS);
  m.def("_nn_avg_pool2d_backward", [](nb::handle gy, const std::vector<int64_t>& xs, int64_t kh, int64_t kw,
                                      int64_t sh, int64_t sw, int64_t ph, int64_t pw, bool ceil_mode,
                                      bool count_include_pad) {
    Array ga = to_array(gy);
    const nn::Pool2dOptions o = pool_opts(kh, kw, sh, sw, ph, pw, 1, 1, ceil_mode, count_include_pad);
    return nogil_if_large(ga.size(), [&] { return nn::avg_pool2d_backward(ga, Shape(xs), o); });
  }, nb::arg("gy"), nb::arg("x_shape"), MINPY_AVG_ARGS);
}

}  // namespace minpy::py
