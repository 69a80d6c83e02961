#include "minpy/array.h"

#include <algorithm>
#include <cstdlib>
#include <new>
#include <numeric>

#include "allocator.h"
#include "minpy/errors.h"

namespace minpy {

std::string Device::str() const { return type == DeviceType::CPU ? "cpu" : "gpu(" + std::to_string(index) + ")"; }

Storage::Storage(size_t n, Device dev) : nbytes(n), device(dev) {
  if (dev.type != DeviceType::CPU)
    throw NotImplementedError(msg("empty", "device " + dev.str() + " is not available in this build."));
#if defined(__SANITIZE_ADDRESS__)
  // AddressSanitizer build: small arrays get exact-sized heap blocks too, so overflows past their
  // end are caught instead of landing in the rest of the inline buffer.
  constexpr bool use_inline = false;
#else
  constexpr bool use_inline = true;
#endif
  if (use_inline && n <= kInlineBytes) {
    data = inline_data;
    return;
  }
  data = host_memory::allocate(n);
}

Storage::Storage(void* d, size_t n, Device dev, std::shared_ptr<void> owner)
    : data(d), nbytes(n), device(dev), external_owner(std::move(owner)) {}

Storage::~Storage() {
  if (!external_owner && data != inline_data) host_memory::release(data, nbytes);
}

std::shared_ptr<ArrayImpl> new_array_impl() {
  return std::allocate_shared<ArrayImpl>(block_pool::Allocator<ArrayImpl>());
}

std::shared_ptr<Storage> new_storage(size_t nbytes, Device device) {
  return std::allocate_shared<Storage>(block_pool::Allocator<Storage>(), nbytes, device);
}

// The product of the non-zero dimensions. Like NumPy, it must fit in int64 even when a zero
// dimension makes the array empty ((0, 2**40, 2**40) is too big), as must it times the itemsize.
static int64_t nonzero_product(const Shape& shape) {
  int64_t n = 1;
  for (int64_t d : shape) {
    if (d < 0) throw ValueError(msg("shape", "negative dimensions are not allowed."));
    if (d == 0) continue;
    if (n > INT64_MAX / d)
      throw ValueError(msg("shape", "array is too big; the product of the dimensions overflows int64."));
    n *= d;
  }
  return n;
}

static void check_nbytes(const Shape& shape, size_t itemsize, const char* op) {
  if (nonzero_product(shape) > INT64_MAX / static_cast<int64_t>(itemsize))
    throw ValueError(msg(op, "array is too big; the number of bytes overflows int64."));
}

int64_t shape_size(const Shape& shape) {
  int64_t n = nonzero_product(shape);
  for (int64_t d : shape)
    if (d == 0) return 0;
  return n;
}

Shape c_strides(const Shape& shape, int64_t itemsize) {
  Shape s(shape.size());
  int64_t acc = itemsize;
  for (int i = static_cast<int>(shape.size()) - 1; i >= 0; --i) {
    s[i] = acc;
    acc *= std::max<int64_t>(shape[i], 1);
  }
  return s;
}

Array Array::empty(const Shape& shape, DType dtype, Device device) {
  int64_t n = shape_size(shape);
  size_t isz = minpy::itemsize(dtype);
  check_nbytes(shape, isz, "empty");
  auto impl = new_array_impl();
  impl->storage = new_storage(static_cast<size_t>(n) * isz, device);
  impl->shape = shape;
  // NumPy (>= 2) gives newly allocated empty arrays all-zero strides.
  impl->strides = n == 0 ? Shape(shape.size(), 0) : c_strides(shape, isz);
  impl->size = n;
  impl->dtype = dtype;
  return Array(std::move(impl));
}

Array Array::empty_like_layout(const Array& like, const Shape& shape, DType dtype) {
  if (like.shape() != shape || like.ndim() < 2 || like.c_contiguous())
    return empty(shape, dtype, like.device());
  // Order axes by decreasing |stride| (stable), then lay the new array out in that order.
  int nd = like.ndim();
  std::vector<int> perm(nd);
  std::iota(perm.begin(), perm.end(), 0);
  std::stable_sort(perm.begin(), perm.end(), [&](int a, int b) {
    return std::llabs(like.strides()[a]) > std::llabs(like.strides()[b]);
  });
  Array out = empty(shape, dtype, like.device());
  Shape strides(nd);
  int64_t acc = static_cast<int64_t>(minpy::itemsize(dtype));
  for (int k = nd - 1; k >= 0; --k) {
    strides[perm[k]] = acc;
    acc *= std::max<int64_t>(shape[perm[k]], 1);
  }
  out.impl_->strides = strides;
  return out;
}

Array Array::view(Shape shape, Shape strides, int64_t offset_bytes, DType dtype) const {
  auto v = new_array_impl();
  v->storage = impl_->storage;
  v->size = shape_size(shape);
  check_nbytes(shape, minpy::itemsize(dtype), "view");  // broadcast views too, as NumPy
  v->shape = std::move(shape);
  v->strides = std::move(strides);
  v->offset = impl_->offset + offset_bytes;
  v->dtype = dtype;
  v->writeable = impl_->writeable;
  v->base = impl_->base ? impl_->base : impl_;
  return Array(std::move(v));
}

void Array::set_writeable(bool w) const {
  if (w && impl_->base && !impl_->base->writeable)
    throw ValueError(msg("setflags", "cannot set WRITEABLE flag to True of this array."));
  impl_->writeable = w;
}

bool Array::c_contiguous() const {
  if (size() == 0) return true;
  int64_t acc = static_cast<int64_t>(itemsize());
  for (int i = ndim() - 1; i >= 0; --i) {
    if (shape()[i] == 1) continue;
    if (strides()[i] != acc) return false;
    acc *= shape()[i];
  }
  return true;
}

bool Array::f_contiguous() const {
  if (size() == 0) return true;
  int64_t acc = static_cast<int64_t>(itemsize());
  for (int i = 0; i < ndim(); ++i) {
    if (shape()[i] == 1) continue;
    if (strides()[i] != acc) return false;
    acc *= shape()[i];
  }
  return true;
}

// Byte range [lo, hi) an array touches, relative to its storage.
static std::pair<int64_t, int64_t> extent(const Array& a) {
  int64_t lo = a.offset(), hi = a.offset();
  if (a.size() == 0) return {lo, lo};
  for (int i = 0; i < a.ndim(); ++i) {
    int64_t span = (a.shape()[i] - 1) * a.strides()[i];
    if (span < 0) lo += span; else hi += span;
  }
  return {lo, hi + static_cast<int64_t>(a.itemsize())};
}

bool Array::may_share_memory(const Array& other) const {
  if (storage() != other.storage()) return false;
  auto [a0, a1] = extent(*this);
  auto [b0, b1] = extent(other);
  return a0 < b1 && b0 < a1;
}

bool Array::same_layout(const Array& other) const {
  return storage() == other.storage() && offset() == other.offset() && shape() == other.shape() &&
         strides() == other.strides() && dtype() == other.dtype();
}

int normalize_axis(int64_t axis, int ndim, const char* op) {
  if (axis < -ndim || axis >= ndim)
    throw AxisError(msg(op, "axis " + std::to_string(axis) + " is out of bounds for array of dimension " +
                                std::to_string(ndim) + "."));
  return static_cast<int>(axis < 0 ? axis + ndim : axis);
}

std::string shape_str(const Shape& shape) {
  std::string s = "(";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i) s += ", ";
    s += std::to_string(shape[i]);
  }
  if (shape.size() == 1) s += ",";
  return s + ")";
}

Shape broadcast_shapes(const Shape& a, const Shape& b, const char* op) {
  size_t n = std::max(a.size(), b.size());
  Shape out(n);
  for (size_t i = 0; i < n; ++i) {
    int64_t da = i < n - a.size() ? 1 : a[i - (n - a.size())];
    int64_t db = i < n - b.size() ? 1 : b[i - (n - b.size())];
    if (da != db && da != 1 && db != 1)
      throw ValueError(msg(op, "operands could not be broadcast together with shapes " + shape_str(a) + " " +
                                   shape_str(b) + "."));
    out[i] = da == 1 ? db : da;
  }
  return out;
}

Array broadcast_to(const Array& a, const Shape& shape, const char* op) {
  if (shape.size() < static_cast<size_t>(a.ndim()))
    throw ValueError(msg(op, "input operand has more dimensions than allowed by the axis remapping."));
  size_t lead = shape.size() - a.ndim();
  Shape strides(shape.size(), 0);
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i < lead) continue;
    int64_t d = a.shape()[i - lead];
    if (d == shape[i]) strides[i] = a.strides()[i - lead];
    else if (d != 1)
      throw ValueError(msg(op, "operands could not be broadcast together with remapped shapes " +
                                   shape_str(a.shape()) + " and requested shape " + shape_str(shape) + "."));
  }
  shape_size(shape);
  return a.view(shape, strides, 0);
}

}  // namespace minpy
