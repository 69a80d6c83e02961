// Reductions: axis/keepdims/dtype/out semantics, NumPy's dtype rules and errors. Kernels live in
// backend/cpu/reduce_kernels.cpp; mean/var/std/nan* are composed the way NumPy composes them, so
// their rounding matches.
#include "minpy/reductions.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "backend/cpu/kernels.h"
#include "backend/cpu/reduce_kernels.h"
#include "backend/cpu/scalar_math.h"
#include "backend/cpu/ufunc_kernels.h"
#include "minpy/errors.h"
#include "minpy/ops.h"
#include "op_stats.h"

namespace minpy {
namespace {

using cpu::RedOp;

void require_cpu(const Array& a, const char* op) {
  if (a.device().type != DeviceType::CPU)
    throw NotImplementedError(msg(op, "arrays on " + a.device().str() + " are not supported in this build."));
}

struct NativeReduce {
  const char* ufunc;
  RedOp op;
  bool has_identity;
};
constexpr NativeReduce kNative[] = {
    {"add", RedOp::Add, true},           {"multiply", RedOp::Mul, true},
    {"maximum", RedOp::Max, false},      {"minimum", RedOp::Min, false},
    {"fmax", RedOp::FMax, false},        {"fmin", RedOp::FMin, false},
    {"logical_and", RedOp::And, true},   {"logical_or", RedOp::Or, true},
    {"logical_xor", RedOp::Xor, true},   {"bitwise_and", RedOp::BitAnd, true},
    {"bitwise_or", RedOp::BitOr, true},  {"bitwise_xor", RedOp::BitXor, true},
};

const NativeReduce* find_native(std::string_view name) {
  for (const auto& n : kNative)
    if (name == n.ufunc) return &n;
  return nullptr;
}

// Which axes are reduced, and the result shapes with and without the reduced axes.
struct Plan {
  std::vector<char> reduced;
  Shape kshape;   // keepdims shape: size 1 on reduced axes
  Shape rshape;   // the result's shape
  int64_t count;  // elements per output
};

Plan make_plan(const Array& a, const Axes& axes, bool keepdims, const char* op) {
  Plan p;
  int nd = a.ndim();
  p.reduced.assign(nd, axes.all ? 1 : 0);
  if (!axes.all)
    for (int ax : normalize_axes(axes.list, nd, op)) p.reduced[ax] = 1;
  p.count = 1;
  for (int d = 0; d < nd; ++d) {
    if (p.reduced[d]) {
      p.count *= a.shape(d);
      p.kshape.push_back(1);
      if (keepdims) p.rshape.push_back(1);
    } else {
      p.kshape.push_back(a.shape(d));
      p.rshape.push_back(a.shape(d));
    }
  }
  return p;
}

// A view of `r` (shape p.rshape) with a's ndim: size-1, stride-0 axes where a is reduced.
Array keepdims_view(const Array& r, const Plan& p, bool keepdims) {
  if (keepdims) return r;
  Shape strides;
  int j = 0;
  for (size_t d = 0; d < p.kshape.size(); ++d) strides.push_back(p.reduced[d] ? 0 : r.strides()[j++]);
  return r.view(p.kshape, strides, 0);
}

void check_out(const Array& out, const Plan& p, const char* ufname, const char* op) {
  require_cpu(out, op);
  if (out.ndim() != static_cast<int>(p.rshape.size()))
    throw ValueError(msg(op, std::string("output parameter for reduction operation ") + ufname +
                                 " has the wrong number of dimensions: Found " + std::to_string(out.ndim()) +
                                 " but expected " + std::to_string(p.rshape.size()) + "."));
  if (out.shape() != p.rshape)
    throw ValueError(msg(op, "output parameter has shape " + shape_str(out.shape()) + " but the reduction gives " +
                                 shape_str(p.rshape) + "."));
  if (!out.writeable()) throw ValueError(msg(op, "output array is read-only."));
}

void fill_value(const Array& dst, RedOp op) {
  visit_dtype(dst.dtype(), [&](auto v) {
    using T = decltype(v);
    T x;
    switch (op) {
      case RedOp::Mul: case RedOp::And: x = scalar::convert<T>(1); break;
      case RedOp::BitAnd:
        if constexpr (std::is_same_v<T, bool>) x = true;
        else if constexpr (std::is_integral_v<T>) x = static_cast<T>(~std::make_unsigned_t<T>(0));
        else x = T(0);
        break;
      default: x = scalar::convert<T>(0); break;
    }
    cpu::fill(dst, &x);
  });
}

// The shared reduction: `a` is already in the compute dtype.
Array reduce_core(RedOp rop, bool has_identity, const char* ufname, const Array& a, const ReduceOptions& opt,
                  const char* op) {
  require_cpu(a, op);
  Plan p = make_plan(a, opt.axis, opt.keepdims, op);
  if (!cpu::reduce_supported(rop, a.dtype()))
    throw TypeError(msg(op, std::string("ufunc '") + ufname + "' not supported for the input types, and the inputs "
                                "could not be safely coerced to any supported types according to the casting rule ''safe''."));
  int64_t out_size = shape_size(p.rshape);
  if (!has_identity && p.count == 0 && out_size != 0)
    throw ValueError(msg(op, std::string("zero-size array to reduction operation ") + ufname +
                                 " which has no identity."));
  DType acc = cpu::reduce_acc_dtype(rop, a.dtype());
  Array result, target;
  bool cast_back = false;
  if (opt.out.defined()) {
    check_out(opt.out, p, ufname, op);
    result = opt.out;
    if (opt.out.dtype() == acc && !opt.out.may_share_memory(a)) target = opt.out;
    else cast_back = true;
  }
  if (!target.defined()) {
    target = Array::empty(p.rshape, acc);
    if (!result.defined()) result = target;
  }
  Array tk = keepdims_view(target, p, opt.keepdims);
  if (out_size != 0) {
    if (has_identity) {
      fill_value(tk, rop);
    } else {
      // No identity: start from the first slice along the reduced axes (max/min are idempotent,
      // so reducing it again changes nothing).
      Array first = a.view(p.kshape, a.strides(), 0);
      cpu::copy_cast(first, tk);
    }
    cpu::reduce(rop, a, tk, p.reduced);
  }
  if (cast_back) cpu::copy_cast(target, result);
  return result;
}

Array cast_to(const Array& a, DType t) { return a.dtype() == t ? a : astype(a, t); }

// NumPy's reduction dtype: add/multiply widen small integers, other ops keep the input type.
DType default_reduce_dtype(RedOp op, DType in) {
  if (op == RedOp::Add || op == RedOp::Mul || op == RedOp::NanAdd) return sum_dtype(in);
  return in;
}

Array reduce_op(RedOp rop, bool has_identity, const char* ufname, const Array& a, const ReduceOptions& opt,
                const char* op) {
  OpScope op_scope(op);
  Array in = a;
  bool logic = rop == RedOp::And || rop == RedOp::Or || rop == RedOp::Xor || rop == RedOp::CountNonzero;
  if (opt.dtype && !(logic && *opt.dtype == DType::Bool)) in = cast_to(a, *opt.dtype);
  else if (!opt.dtype && !logic) in = cast_to(a, default_reduce_dtype(rop, a.dtype()));
  return reduce_core(rop, has_identity, ufname, in, opt, op);
}

Scalar count_scalar(double c) {
  if (c == std::floor(c) && std::abs(c) < 9e15) return Scalar::from_int(static_cast<int64_t>(c));
  return Scalar::from_float(c);
}

// ret /= count in place (NumPy: true_divide(ret, count, out=ret, casting='unsafe')).
Array divide_inplace(const Array& ret, const Operand& count) {
  UfuncOptions o;
  o.out = {ret};
  o.casting = Casting::Unsafe;
  call_ufunc(get_ufunc("true_divide"), {ret, count}, o);
  return ret;
}

}  // namespace

DType sum_dtype(DType in) {
  switch (in) {
    case DType::Bool: case DType::Int8: case DType::Int16: case DType::Int32: return DType::Int64;
    case DType::UInt8: case DType::UInt16: case DType::UInt32: return DType::UInt64;
    default: return in;
  }
}

bool has_native_reduce(std::string_view ufunc) { return find_native(ufunc) != nullptr; }

Array reduce(std::string_view ufunc, const Array& a, const ReduceOptions& opt) {
  const NativeReduce* n = find_native(ufunc);
  if (!n) throw NotImplementedError(msg("reduce", "no native reduction for ufunc '" + std::string(ufunc) + "'."));
  return reduce_op(n->op, n->has_identity, n->ufunc, a, opt, "reduce");
}

Array sum(const Array& a, const ReduceOptions& opt) { return reduce_op(RedOp::Add, true, "add", a, opt, "sum"); }
Array prod(const Array& a, const ReduceOptions& opt) { return reduce_op(RedOp::Mul, true, "multiply", a, opt, "prod"); }
Array max(const Array& a, const ReduceOptions& opt) { return reduce_op(RedOp::Max, false, "maximum", a, opt, "max"); }
Array min(const Array& a, const ReduceOptions& opt) { return reduce_op(RedOp::Min, false, "minimum", a, opt, "min"); }
Array nanmax(const Array& a, const ReduceOptions& opt) { return reduce_op(RedOp::FMax, false, "fmax", a, opt, "nanmax"); }
Array nanmin(const Array& a, const ReduceOptions& opt) { return reduce_op(RedOp::FMin, false, "fmin", a, opt, "nanmin"); }

Array all(const Array& a, const ReduceOptions& opt) {
  ReduceOptions o = opt;
  o.dtype.reset();
  return reduce_op(RedOp::And, true, "logical_and", a, o, "all");
}
Array any(const Array& a, const ReduceOptions& opt) {
  ReduceOptions o = opt;
  o.dtype.reset();
  return reduce_op(RedOp::Or, true, "logical_or", a, o, "any");
}

Array nansum(const Array& a, const ReduceOptions& opt) {
  if (!is_inexact(a.dtype())) return sum(a, opt);
  return reduce_op(RedOp::NanAdd, true, "add", a, opt, "nansum");
}

Array count_nonzero(const Array& a, const Axes& axis, bool keepdims) {
  ReduceOptions o;
  o.axis = axis;
  o.keepdims = keepdims;
  return reduce_op(RedOp::CountNonzero, true, "add", a, o, "count_nonzero");
}

Array mean(const Array& a, const ReduceOptions& opt) {
  OpScope op_scope("mean");
  require_cpu(a, "mean");
  Plan p = make_plan(a, opt.axis, opt.keepdims, "mean");
  ReduceOptions o = opt;
  bool f16 = false;
  if (!o.dtype) {
    if (a.dtype() == DType::Bool || is_integer(a.dtype())) o.dtype = DType::Float64;
    else if (a.dtype() == DType::Float16) {
      o.dtype = DType::Float32;
      f16 = true;
    }
  }
  Array ret = reduce_op(RedOp::Add, true, "add", a, o, "mean");
  divide_inplace(ret, Scalar::from_int(p.count));
  if (f16 && !opt.out.defined()) ret = astype(ret, DType::Float16);
  return ret;
}

Array var(const Array& a, const ReduceOptions& opt, double ddof) {
  OpScope op_scope("var");
  require_cpu(a, "var");
  Plan p = make_plan(a, opt.axis, opt.keepdims, "var");
  std::optional<DType> dt = opt.dtype;
  if (!dt && (a.dtype() == DType::Bool || is_integer(a.dtype()))) dt = DType::Float64;
  ReduceOptions mo;
  mo.axis = opt.axis;
  mo.keepdims = true;
  mo.dtype = dt;
  Array arrmean = reduce_op(RedOp::Add, true, "add", a, mo, "var");
  divide_inplace(arrmean, Scalar::from_int(p.count));
  if (a.dtype() == DType::Bool && arrmean.dtype() == DType::Bool)  // NumPy has no boolean subtract
    throw TypeError(msg("var", "numpy boolean subtract, the `-` operator, is not supported, use the bitwise_xor, the `^` operator, or the logical_xor function instead."));
  Array x = ufunc2("subtract", a, arrmean);
  if (is_complex(x.dtype())) {
    // |x|^2 as re*re + im*im in the real part, as NumPy does (no complex multiply).
    Array re = real_part(x), im = imag_part(x);
    UfuncOptions o1;
    o1.out = {re};
    call_ufunc(get_ufunc("multiply"), {re, re}, o1);
    UfuncOptions o2;
    o2.out = {im};
    call_ufunc(get_ufunc("multiply"), {im, im}, o2);
    call_ufunc(get_ufunc("add"), {re, im}, o1);
    x = re;
  } else if (is_floating(x.dtype()) || is_integer(x.dtype())) {
    UfuncOptions o;
    o.out = {x};
    call_ufunc(get_ufunc("multiply"), {x, x}, o);
  }
  ReduceOptions so = opt;
  so.dtype = dt;
  Array ret = reduce_op(RedOp::Add, true, "add", x, so, "var");
  double denom = std::max(static_cast<double>(p.count) - ddof, 0.0);
  divide_inplace(ret, count_scalar(denom));
  return ret;
}

Array stddev(const Array& a, const ReduceOptions& opt, double ddof) {
  Array v = var(a, opt, ddof);
  UfuncOptions o;
  o.out = {v};
  call_ufunc(get_ufunc("sqrt"), {v}, o);
  return v;
}

Array nanmean(const Array& a, const ReduceOptions& opt) {
  if (!is_inexact(a.dtype())) return mean(a, opt);
  OpScope op_scope("nanmean");
  Array tot = nansum(a, opt);
  Array notnan = ufunc1("logical_not", ufunc1("isnan", a));
  ReduceOptions co;
  co.axis = opt.axis;
  co.keepdims = opt.keepdims;
  Array cnt = reduce_core(RedOp::CountNonzero, true, "add", notnan, co, "nanmean");
  return divide_inplace(tot, cnt);
}

// ---- argmax / argmin ------------------------------------------------------------------------------
namespace {
Array arg_op(bool is_max, const Array& a_in, std::optional<int64_t> axis, bool keepdims, const Array& out) {
  const char* op = is_max ? "argmax" : "argmin";
  OpScope op_scope(op);
  require_cpu(a_in, op);
  Array a = a_in;
  int ax = 0;
  Shape rshape;
  if (!axis) {
    a = ravel(a_in);
    if (keepdims) rshape.assign(a_in.ndim(), 1);
  } else {
    ax = normalize_axis(*axis, a.ndim(), op);
    for (int d = 0; d < a.ndim(); ++d)
      if (d != ax) rshape.push_back(a.shape(d));
      else if (keepdims) rshape.push_back(1);
  }
  if (a.ndim() == 0) a = reshape(a, {1});  // only reached with axis given on a 0-d array: rejected above
  if (a.shape(ax) == 0)
    throw ValueError(msg(op, std::string("attempt to get ") + op + " of an empty sequence."));
  if (out.defined()) {
    require_cpu(out, op);
    if (out.shape() != rshape || out.dtype() != DType::Int64 || !out.writeable())
      throw ValueError(msg(op, std::string("output array does not match result of np.") + op + "."));
  }
  Array result = out.defined() ? out : Array::empty(rshape, DType::Int64);
  Shape ks = a.shape();
  ks[ax] = 1;
  // The result as a view with a's ndim (size 1 at ax).
  Array rk;
  {
    Shape st;
    int j = 0;
    bool keep_layout = result.ndim() == a.ndim();
    for (int d = 0; d < a.ndim(); ++d) {
      if (d == ax) {
        st.push_back(0);
        if (keep_layout) ++j;
      } else {
        st.push_back(result.strides()[j++]);
      }
    }
    rk = result.view(ks, st, 0);
  }
  if (a.size() != 0) cpu::arg_reduce(is_max, a, ax, rk);
  return result;
}
}  // namespace

Array argmax(const Array& a, std::optional<int64_t> axis, bool keepdims, const Array& out) {
  return arg_op(true, a, axis, keepdims, out);
}
Array argmin(const Array& a, std::optional<int64_t> axis, bool keepdims, const Array& out) {
  return arg_op(false, a, axis, keepdims, out);
}

// ---- accumulate -----------------------------------------------------------------------------------
namespace {
cpu::StridedLoop same_type_loop(std::string_view name, DType t) {
  for (const auto& table : cpu::ufunc_kernel_tables()) {
    if (table.name != name) continue;
    if (table.nin != 2 || table.nout != 1) return nullptr;
    for (const auto& k : table.loops)
      if (k.types[0] == t && k.types[1] == t && k.types[2] == t) return k.loop;
  }
  return nullptr;
}

DType accumulate_dtype(std::string_view name, DType in, std::optional<DType> dtype) {
  if (dtype) return *dtype;
  if (name == "add" || name == "multiply") return sum_dtype(in);
  if (name == "logical_and" || name == "logical_or" || name == "logical_xor") return DType::Bool;
  return in;
}
}  // namespace

bool has_native_accumulate(std::string_view ufunc) {
  const Ufunc* u = find_ufunc(ufunc);
  return u && u->nin == 2 && u->nout == 1 && !u->is_comparison;
}

Array accumulate(std::string_view name, const Array& a_in, int64_t axis_in, std::optional<DType> dtype,
                 const Array& out) {
  const char* op = "accumulate";
  OpScope op_scope(name == "add" ? "cumsum" : name == "multiply" ? "cumprod" : "accumulate");
  require_cpu(a_in, op);
  if (!has_native_accumulate(name))
    throw NotImplementedError(msg(op, "no native accumulate for ufunc '" + std::string(name) + "'."));
  DType t = accumulate_dtype(name, a_in.dtype(), dtype);
  cpu::StridedLoop loop = same_type_loop(name, t);
  if (!loop)
    throw NotImplementedError(msg(op, "ufunc '" + std::string(name) + "' has no loop for " + dtype_name(t) + "."));
  if (a_in.ndim() == 0) throw TypeError(msg(op, "cannot accumulate on a scalar."));
  int ax = normalize_axis(axis_in, a_in.ndim(), op);
  Array a = cast_to(a_in, t);
  Array result, target;
  bool cast_back = false;
  if (out.defined()) {
    require_cpu(out, op);
    if (out.shape() != a.shape())
      throw ValueError(msg(op, "output array has shape " + shape_str(out.shape()) + " but the result has shape " +
                                   shape_str(a.shape()) + "."));
    if (!out.writeable()) throw ValueError(msg(op, "output array is read-only."));
    result = out;
    if (out.dtype() == t && (!out.may_share_memory(a) || out.same_layout(a))) target = out;
    else cast_back = true;
  }
  if (!target.defined()) {
    target = Array::empty_like_layout(a, a.shape(), t);
    if (!result.defined()) result = target;
  }
  int64_t n = a.shape(ax);
  if (a.size() == 0) return result;
  // First slice copied; then out[i] = op(out[i-1], a[i]) with the ufunc's own loop.
  Shape s1 = a.shape();
  s1[ax] = 1;
  cpu::copy_cast(a.view(s1, a.strides(), 0), target.view(s1, target.strides(), 0));
  if (n > 1) {
    int64_t as = a.strides()[ax], ts = target.strides()[ax];
    Shape rest = a.shape();
    rest[ax] = n - 1;
    // Is the axis the fastest-varying one? Then each line is one sequential loop call.
    int64_t min_other = INT64_MAX;
    for (int d = 0; d < a.ndim(); ++d)
      if (d != ax && a.shape(d) > 1) min_other = std::min(min_other, std::abs(a.strides()[d]));
    if (std::abs(as) <= min_other) {
      Shape oshape = a.shape();
      oshape[ax] = 1;
      char* ptrs[3] = {target.data(), a.data() + as, target.data() + ts};
      Shape strides[3] = {target.strides(), a.strides(), target.strides()};
      for (auto& st : strides) st[ax] = 0;
      // Lines are independent: run them through nd_loop over the other axes, one loop call per
      // line along ax.
      struct Ctx { cpu::StridedLoop loop; int64_t n, as, ts; };
      static thread_local Ctx ctx;
      ctx = {loop, n - 1, as, ts};
      auto line = [](char** args, const int64_t* s, int64_t m) {
        for (int64_t i = 0; i < m; ++i) {
          char* p[3] = {args[0] + i * s[0], args[1] + i * s[1], args[2] + i * s[2]};
          int64_t ls[3] = {ctx.ts, ctx.as, ctx.ts};
          ctx.loop(p, ls, ctx.n);
        }
      };
      cpu::nd_loop(oshape, 3, ptrs, strides, line, INT64_MAX / 4);
    } else {
      Shape sl = a.shape();
      sl[ax] = 1;
      for (int64_t i = 1; i < n; ++i) {
        char* ptrs[3] = {target.data() + (i - 1) * ts, a.data() + i * as, target.data() + i * ts};
        Shape strides[3] = {target.strides(), a.strides(), target.strides()};
        cpu::nd_loop(sl, 3, ptrs, strides, loop, 1 << 15);
      }
    }
  }
  if (cast_back) cpu::copy_cast(target, result);
  return result;
}

Array cumsum(const Array& a, std::optional<int64_t> axis, std::optional<DType> dtype, const Array& out) {
  if (!axis) return accumulate("add", ravel(a), 0, dtype, out);
  return accumulate("add", a, *axis, dtype, out);
}
Array cumprod(const Array& a, std::optional<int64_t> axis, std::optional<DType> dtype, const Array& out) {
  if (!axis) return accumulate("multiply", ravel(a), 0, dtype, out);
  return accumulate("multiply", a, *axis, dtype, out);
}

}  // namespace minpy
