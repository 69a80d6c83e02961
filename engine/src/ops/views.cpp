#include <algorithm>
#include <numeric>

#include "minpy/autograd.h"
#include "minpy/errors.h"
#include "minpy/ops.h"
#include "op_stats.h"

namespace minpy {

std::vector<int> normalize_axes(const std::vector<int64_t>& axes, int ndim, const char* op) {
  std::vector<int> out;
  for (int64_t ax : axes) {
    int a = normalize_axis(ax, ndim, op);
    if (std::find(out.begin(), out.end(), a) != out.end()) throw ValueError(msg(op, "repeated axis."));
    out.push_back(a);
  }
  return out;
}

// Strides for viewing `a` (C order) as `newshape` without copying, or false when impossible.
static bool nocopy_strides(const Array& a, const Shape& newshape, Shape& newstrides) {
  Shape olddims, oldstrides;
  for (int i = 0; i < a.ndim(); ++i)
    if (a.shape(i) != 1) {
      olddims.push_back(a.shape(i));
      oldstrides.push_back(a.strides()[i]);
    }
  size_t oi = 0, oj = 1, ni = 0, nj = 1;
  size_t on = olddims.size(), nn = newshape.size();
  newstrides.assign(nn, 0);
  while (ni < nn && oi < on) {
    int64_t np_ = newshape[ni], op_ = olddims[oi];
    while (np_ != op_) {
      if (np_ < op_) np_ *= newshape[nj++];
      else op_ *= olddims[oj++];
    }
    // The old axes of this group must be contiguous with each other.
    for (size_t k = oi; k + 1 < oj; ++k)
      if (oldstrides[k] != olddims[k + 1] * oldstrides[k + 1]) return false;
    newstrides[nj - 1] = oldstrides[oj - 1];
    for (size_t k = nj - 1; k > ni; --k) newstrides[k - 1] = newstrides[k] * newshape[k];
    ni = nj++;
    oi = oj++;
  }
  // Trailing size-1 axes take the last stride (any stride works for them).
  int64_t last = ni > 0 ? newstrides[ni - 1] : static_cast<int64_t>(a.itemsize());
  for (size_t k = ni; k < nn; ++k) newstrides[k] = last;
  return true;
}

Array reshape(const Array& a, Shape newshape, char order) {
  OpScope op_scope("reshape");
  int64_t known = 1;
  int unknown = -1;
  bool known_overflows = false;  // (2**40, 2**40): no array has that size (checked, not UB)
  for (size_t i = 0; i < newshape.size(); ++i) {
    if (newshape[i] < 0) {  // NumPy takes any negative value as the unknown dimension
      if (unknown >= 0) throw ValueError(msg("reshape", "can only specify one unknown dimension."));
      unknown = static_cast<int>(i);
    } else {
      known_overflows |= __builtin_mul_overflow(known, newshape[i], &known);
    }
  }
  if (known_overflows)
    throw ValueError(msg("reshape", "cannot reshape array of size " + std::to_string(a.size()) + " into shape " +
                                        shape_str(newshape) + "."));
  if (unknown >= 0) {
    if (known == 0 || a.size() % known != 0)
      throw ValueError(msg("reshape", "cannot reshape array of size " + std::to_string(a.size()) + " into shape " +
                                          shape_str(newshape) + "."));
    newshape[unknown] = a.size() / known;
  }
  if (shape_size(newshape) != a.size())
    throw ValueError(msg("reshape", "cannot reshape array of size " + std::to_string(a.size()) + " into shape " +
                                        shape_str(newshape) + "."));
  if (order == 'F') {
    // Fortran order reshape = reverse axes, C reshape, reverse back.
    Shape rev(newshape.rbegin(), newshape.rend());
    return transpose(reshape(transpose(a), rev, 'C'));
  }
  Array v;
  Shape strides;
  if (a.size() == 0) v = a.view(newshape, c_strides(newshape, a.itemsize()), 0);
  else if (nocopy_strides(a, newshape, strides)) v = a.view(newshape, strides, 0);
  else v = copy(a, 'C').view(newshape, c_strides(newshape, a.itemsize()), 0);
  if (autograd::recording()) autograd::record_view("reshape", a, v);
  return v;
}

Array ravel(const Array& a, char order) {
  if (order == 'A') order = a.f_contiguous() && !a.c_contiguous() ? 'F' : 'C';
  Array src = a;
  if (order == 'F') {
    src = transpose(a);
  } else if (order == 'K') {
    // Memory order: axes by decreasing |stride| (stable; directions kept, as NumPy does).
    std::vector<int64_t> perm(a.ndim());
    std::iota(perm.begin(), perm.end(), 0);
    std::stable_sort(perm.begin(), perm.end(), [&](int64_t x, int64_t y) {
      return std::llabs(a.strides()[x]) > std::llabs(a.strides()[y]);
    });
    src = transpose(a, perm);
  }
  // A view when the elements are contiguous in that order; otherwise NumPy returns a fresh copy
  // that owns its data (unlike reshape, whose copy is viewed).
  if (src.c_contiguous()) {
    Array v = src.view({src.size()}, {static_cast<int64_t>(src.itemsize())}, 0);
    if (autograd::recording()) autograd::record_view("ravel", src, v);
    return v;
  }
  Array c = autograd::untracked([&] { return copy(src, 'C'); });
  c.impl()->shape = {c.size()};
  c.impl()->strides = {static_cast<int64_t>(c.itemsize())};
  if (autograd::recording())
    autograd::record("ravel", {src}, {c}, [shape = src.shape()](const autograd::Node&, const std::vector<Array>& g) {
      return std::vector<Array>{reshape(g[0], shape)};
    });
  return c;
}

Array transpose(const Array& a, const std::vector<int64_t>& axes) {
  int nd = a.ndim();
  std::vector<int> perm;
  if (axes.empty()) {
    for (int i = nd - 1; i >= 0; --i) perm.push_back(i);
  } else {
    if (static_cast<int>(axes.size()) != nd) throw ValueError(msg("transpose", "axes don't match array."));
    perm = normalize_axes(axes, nd, "transpose");
  }
  Shape shape(nd), strides(nd);
  for (int i = 0; i < nd; ++i) {
    shape[i] = a.shape(perm[i]);
    strides[i] = a.strides()[perm[i]];
  }
  Array v = a.view(shape, strides, 0);
  if (autograd::recording()) autograd::record_view("transpose", a, v);
  return v;
}

Array swapaxes(const Array& a, int64_t axis1, int64_t axis2) {
  int i = normalize_axis(axis1, a.ndim(), "swapaxes"), j = normalize_axis(axis2, a.ndim(), "swapaxes");
  std::vector<int64_t> perm(a.ndim());
  std::iota(perm.begin(), perm.end(), 0);
  std::swap(perm[i], perm[j]);
  return transpose(a, perm);
}

Array moveaxis(const Array& a, const std::vector<int64_t>& source, const std::vector<int64_t>& destination) {
  if (source.size() != destination.size())
    throw ValueError(msg("moveaxis", "`source` and `destination` arguments must have the same number of elements."));
  auto src = normalize_axes(source, a.ndim(), "moveaxis");
  auto dst = normalize_axes(destination, a.ndim(), "moveaxis");
  std::vector<int64_t> order;
  for (int i = 0; i < a.ndim(); ++i)
    if (std::find(src.begin(), src.end(), i) == src.end()) order.push_back(i);
  std::vector<std::pair<int, int>> pairs;
  for (size_t k = 0; k < src.size(); ++k) pairs.push_back({dst[k], src[k]});
  std::sort(pairs.begin(), pairs.end());
  for (auto [d, s] : pairs) order.insert(order.begin() + d, s);
  return transpose(a, order);
}

Array expand_dims(const Array& a, const std::vector<int64_t>& axes) {
  int nd = a.ndim() + static_cast<int>(axes.size());
  auto ax = normalize_axes(axes, nd, "expand_dims");
  Shape shape, strides;
  int src = 0;
  for (int i = 0; i < nd; ++i) {
    if (std::find(ax.begin(), ax.end(), i) != ax.end()) {
      shape.push_back(1);
      strides.push_back(0);
    } else {
      shape.push_back(a.shape(src));
      strides.push_back(a.strides()[src]);
      ++src;
    }
  }
  Array v = a.view(shape, strides, 0);
  if (autograd::recording()) autograd::record_view("expand_dims", a, v);
  return v;
}

Array squeeze(const Array& a, const std::vector<int64_t>& axes, bool all) {
  std::vector<int> ax;
  if (!all) {
    ax = normalize_axes(axes, a.ndim(), "squeeze");
    for (int i : ax)
      if (a.shape(i) != 1)
        throw ValueError(msg("squeeze", "cannot select an axis to squeeze out which has size not equal to one."));
  }
  Shape shape, strides;
  for (int i = 0; i < a.ndim(); ++i) {
    bool drop = all ? a.shape(i) == 1 : std::find(ax.begin(), ax.end(), i) != ax.end();
    if (!drop) {
      shape.push_back(a.shape(i));
      strides.push_back(a.strides()[i]);
    }
  }
  Array v = a.view(shape, strides, 0);
  if (autograd::recording()) autograd::record_view("squeeze", a, v);
  return v;
}

Array diagonal(const Array& a, int64_t offset, int64_t axis1, int64_t axis2) {
  if (a.ndim() < 2) throw ValueError(msg("diagonal", "diag requires an array of at least two dimensions."));
  int i = normalize_axis(axis1, a.ndim(), "diagonal"), j = normalize_axis(axis2, a.ndim(), "diagonal");
  if (i == j) throw ValueError(msg("diagonal", "axis1 and axis2 cannot be the same."));
  int64_t n1 = a.shape(i), n2 = a.shape(j), off = 0, len;
  if (offset >= 0) {
    len = std::max<int64_t>(0, std::min(n1, n2 - offset));
    if (len > 0) off = offset * a.strides()[j];
  } else {
    len = std::max<int64_t>(0, std::min(n1 + offset, n2));
    if (len > 0) off = -offset * a.strides()[i];
  }
  Shape shape, strides;
  for (int k = 0; k < a.ndim(); ++k)
    if (k != i && k != j) {
      shape.push_back(a.shape(k));
      strides.push_back(a.strides()[k]);
    }
  shape.push_back(len);
  strides.push_back(a.strides()[i] + a.strides()[j]);
  Array v = a.view(shape, strides, off);
  v.impl()->writeable = false;  // NumPy's diagonal view is read-only
  if (autograd::recording()) autograd::record_view("diagonal", a, v);
  return v;
}

Array real_part(const Array& a) {
  if (!is_complex(a.dtype())) return a;
  return a.view(a.shape(), a.strides(), 0, real_dtype(a.dtype()));
}

Array imag_part(const Array& a) {
  if (is_complex(a.dtype())) return a.view(a.shape(), a.strides(), static_cast<int64_t>(a.itemsize() / 2), real_dtype(a.dtype()));
  Array z = Array::empty(a.shape(), a.dtype());
  assign(z, Scalar::from_int(0));
  z.impl()->writeable = false;
  return z;
}

}  // namespace minpy
