#include "backend/cpu/kernels.h"
#include "minpy/autograd.h"
#include "minpy/errors.h"
#include "minpy/fp_errors.h"
#include "minpy/ops.h"
#include "op_stats.h"

namespace minpy {

static void require_cpu(const Array& a, const char* op) {
  if (a.device().type != DeviceType::CPU)
    throw NotImplementedError(msg(op, "arrays on " + a.device().str() + " are not supported in this build."));
}

Array astype(const Array& a, DType dtype, Casting casting, bool copy_always) {
  OpScope op_scope("astype");
  if (!can_cast(a.dtype(), dtype, casting))
    throw TypeError(msg("astype", std::string("Cannot cast array data from dtype('") + dtype_name(a.dtype()) +
                                      "') to dtype('" + dtype_name(dtype) + "') according to the rule '" +
                                      casting_name(casting) + "'."));
  if (!copy_always && a.dtype() == dtype) return a;
  require_cpu(a, "astype");
  Array out = Array::empty_like_layout(a, a.shape(), dtype);
  // NumPy reports the float flags of a cast ("overflow encountered in cast").
  fperr::checked("cast", [&] { cpu::copy_cast(a, out); });
  if (autograd::recording()) autograd::record_copy("astype", a, out);
  return out;
}

Array copy(const Array& a, char order) {
  require_cpu(a, "copy");
  Array out;
  if (order == 'K') out = Array::empty_like_layout(a, a.shape(), a.dtype());
  else if ((order == 'F' || (order == 'A' && a.f_contiguous() && !a.c_contiguous())) && a.size() > 0) {
    out = Array::empty(a.shape(), a.dtype(), a.device());
    Shape strides(a.ndim());
    int64_t acc = static_cast<int64_t>(a.itemsize());
    for (int i = 0; i < a.ndim(); ++i) {
      strides[i] = acc;
      acc *= std::max<int64_t>(a.shape(i), 1);
    }
    out = out.view(a.shape(), strides, 0);
    out.impl()->base = nullptr;
  } else {
    out = Array::empty(a.shape(), a.dtype(), a.device());
  }
  cpu::copy_cast(a, out);
  if (autograd::recording()) autograd::record_copy("copy", a, out);
  return out;
}

Array ascontiguousarray(const Array& a) { return a.c_contiguous() ? a : copy(a, 'C'); }

void assign(const Array& dst, const Array& src, Casting casting, const char* op) {
  require_cpu(dst, op);
  if (!dst.writeable()) throw ValueError(msg(op, "assignment destination is read-only."));
  if (!can_cast(src.dtype(), dst.dtype(), casting))
    throw TypeError(msg(op, std::string("Cannot cast array data from dtype('") + dtype_name(src.dtype()) +
                                "') to dtype('" + dtype_name(dst.dtype()) + "') according to the rule '" +
                                casting_name(casting) + "'."));
  Array s = src;
  if (s.shape() != dst.shape()) {
    // NumPy lets the source have extra leading size-1 axes.
    while (s.ndim() > dst.ndim() && s.shape(0) == 1) {
      Shape sh(s.shape().begin() + 1, s.shape().end()), st(s.strides().begin() + 1, s.strides().end());
      s = s.view(sh, st, 0);
    }
    try {
      // An empty destination only needs compatible shapes: a broadcast view of a wider source
      // could exceed the byte-size limit ((2**63 - 1, 0) of int32) though nothing is written.
      if (dst.size() == 0 && broadcast_shapes(s.shape(), dst.shape(), op) == dst.shape()) return;
      s = broadcast_to(s, dst.shape(), op);
    } catch (const ValueError&) {
      throw ValueError(msg(op, "could not broadcast input array from shape " + shape_str(src.shape()) +
                                   " into shape " + shape_str(dst.shape()) + "."));
    }
  }
  if (s.may_share_memory(dst) && !s.same_layout(dst)) s = copy(s, 'K');
  if (autograd::recording()) [[unlikely]] {  // autograd hook: records the write
    autograd::assign_recorded(dst, &src, [&] { ++dst.storage()->version; cpu::copy_cast(s, dst); });
    return;
  }
  ++dst.storage()->version;  // an in-place write (autograd checks saved values)
  if (s.dtype() == dst.dtype()) cpu::copy_cast(s, dst);
  else fperr::checked("cast", [&] { cpu::copy_cast(s, dst); });
}

void assign(const Array& dst, const Scalar& value, const char* op) {
  if (!dst.writeable()) throw ValueError(msg(op, "assignment destination is read-only."));
  require_cpu(dst, op);
  Array v = value.to_array(dst.dtype(), op);
  if (autograd::recording()) [[unlikely]] {  // autograd hook: records the write
    autograd::assign_recorded(dst, nullptr, [&] { ++dst.storage()->version; cpu::fill(dst, v.data()); });
    return;
  }
  ++dst.storage()->version;
  cpu::fill(dst, v.data());
}

}  // namespace minpy
