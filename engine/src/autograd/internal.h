// Engine-internal pieces shared by the autograd sources and the op hooks.
#pragma once
#include "minpy/autograd.h"

namespace minpy {
// The ufunc call without autograd (ops/ufunc.cpp); call_ufunc records around it.
std::vector<Array> call_ufunc_untracked(const Ufunc& uf, const std::vector<Operand>& inputs, const UfuncOptions& opt);
}  // namespace minpy

namespace minpy::autograd {

// The layout of `view` relative to `src` (same storage and dtype), to move values between an
// array and one of its views in freshly allocated buffers (gather: src -> view; scatter: view -> src).
struct Geometry {
  Shape src_shape, src_strides, view_shape, view_strides;
  int64_t view_offset = 0;  // bytes, relative to src's element 0
  int64_t lo = 0;           // bytes: lowest byte src touches, relative to its element 0 (<= 0)
  int64_t nelems = 0;       // buffer elements covering src
  DType dtype = DType::Float64;
};
// False when the view cannot be expressed (other storage, dtype, odd strides).
bool make_geometry(const Array& view, const Array& src, Geometry& g);
// Differentiable: the view's values of x (laid out as src).
Array gather(const Array& x, const Geometry& g);
// Differentiable: x (src-shaped; undefined = zeros) with the view's region replaced by v.
Array scatter(const Array& x, const Array& v, const Geometry& g);

bool is_float(DType t);
// record() over arrays held anywhere (no vectors to build per call).
struct Span {
  const Array* p = nullptr;
  size_t n = 0;
  size_t size() const { return n; }
  const Array& operator[](size_t i) const { return p[i]; }
  const Array* begin() const { return p; }
  const Array* end() const { return p + n; }
};
// consts: Python-scalar operands kept in each recorded node (Node::consts_).
void record_span(const char* name, Span inputs, Span outputs, VjpFn&& vjp, Span saved,
                 const Scalar* consts = nullptr, size_t nconsts = 0);
// Records a ufunc call's node (autograd/vjp_ufunc.cpp); no-op for non-differentiable ufuncs.
void record_ufunc(const Ufunc& uf, const std::vector<Operand>& inputs, const std::vector<Array>& outs);

}  // namespace minpy::autograd
