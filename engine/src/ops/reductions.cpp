// Reductions: axis/keepdims/dtype/out semantics, NumPy's dtype rules and errors. Kernels live in
// backend/cpu/reduce_kernels.cpp; mean/var/std/nan* are composed the way NumPy composes them, so
// their rounding matches.
#include "minpy/reductions.h"

#include <exception>
#include <algorithm>
#include <cmath>
#include <cstring>

#include "autograd/vjp_arith.h"
#include "backend/cpu/kernels.h"
#include "backend/cpu/reduce_kernels.h"
#include "backend/cpu/scalar_math.h"
#include "backend/cpu/ufunc_kernels.h"
#include "minpy/autograd.h"
#include "minpy/errors.h"
#include "minpy/fp_errors.h"
#include "minpy/indexing.h"
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

// Integer inputs of at least this many elements that need a cast (sum of int8 in int64, ...) are
// cast block by block: a whole-array cast could need 8x the input's memory.
constexpr int64_t kBlockCastMin = int64_t(1) << 24;
constexpr int64_t kCastBlock = int64_t(1) << 22;

// The shared reduction: `a` is already in the compute dtype, or, when `block_cast` is set, is cast
// to it in blocks along axis 0 (exact only for integer/bool compute dtypes, which reduce_op checks).
Array reduce_core(RedOp rop, bool has_identity, const char* ufname, const Array& a, const ReduceOptions& opt,
                  const char* op, std::optional<DType> block_cast = std::nullopt) {
  require_cpu(a, op);
  Plan p = make_plan(a, opt.axis, opt.keepdims, op);
  DType t = block_cast ? *block_cast : a.dtype();
  if (!cpu::reduce_supported(rop, t))
    throw TypeError(msg(op, std::string("ufunc '") + ufname + "' not supported for the input types, and the inputs "
                                "could not be safely coerced to any supported types according to the casting rule ''safe''."));
  int64_t out_size = shape_size(p.rshape);
  // NumPy raises whenever a reduced axis is empty, even when the result is empty too.
  if (!has_identity && p.count == 0)
    throw ValueError(msg(op, std::string("zero-size array to reduction operation ") + ufname +
                                 " which has no identity."));
  DType acc = cpu::reduce_acc_dtype(rop, t);
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
    if (!block_cast) {
      cpu::reduce(rop, a, tk, p.reduced);
    } else {
      // Split at the first axis k whose trailing block fits kCastBlock: blocks are runs of
      // axis k at one index of the axes before it.
      int nd = a.ndim();
      Shape suffix(nd + 1, 1);
      for (int d = nd - 1; d >= 0; --d) suffix[d] = suffix[d + 1] * a.shape(d);
      int k = 0;
      while (suffix[k + 1] > kCastBlock) ++k;
      int64_t rows = std::max<int64_t>(1, kCastBlock / suffix[k + 1]);
      int64_t outer = a.size() / suffix[k];
      for (int64_t o = 0; o < outer; ++o) {
        int64_t off_a = 0, off_t = 0, rem = o;
        for (int d = k - 1; d >= 0; --d) {
          int64_t idx = rem % a.shape(d);
          rem /= a.shape(d);
          off_a += idx * a.strides()[d];
          if (!p.reduced[d]) off_t += idx * tk.strides()[d];
        }
        for (int64_t b = 0; b < a.shape(k); b += rows) {
          int64_t e = std::min(a.shape(k), b + rows);
          Shape cs = a.shape(), ts = tk.shape();
          for (int d = 0; d < k; ++d) cs[d] = ts[d] = 1;
          cs[k] = e - b;
          if (!p.reduced[k]) ts[k] = e - b;
          Array block = Array::empty(cs, t);
          cpu::copy_cast(a.view(cs, a.strides(), off_a + b * a.strides()[k]), block);
          cpu::reduce(rop, block, tk.view(ts, tk.strides(), off_t + (p.reduced[k] ? 0 : b * tk.strides()[k])), p.reduced);
        }
      }
    }
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
  std::optional<DType> t;
  if (opt.dtype && !(logic && *opt.dtype == DType::Bool)) t = *opt.dtype;
  else if (!opt.dtype && !logic) t = default_reduce_dtype(rop, a.dtype());
  if (t && *t != a.dtype() && a.size() >= kBlockCastMin && a.ndim() > 0 && (is_integer(*t) || *t == DType::Bool) &&
      cpu::reduce_supported(rop, *t) && cpu::reduce_acc_dtype(rop, *t) == *t)
    return reduce_core(rop, has_identity, ufname, a, opt, op, t);
  if (t) in = cast_to(a, *t);
  // NumPy reports the float flags of add/multiply reductions ("overflow encountered in reduce");
  // max/min and the logical ones never report (NaN operands raise "invalid" in vector min/max).
  if (rop != RedOp::Add && rop != RedOp::Mul && rop != RedOp::NanAdd) {
    Array r = reduce_core(rop, has_identity, ufname, in, opt, op);
    fperr::clear();
    return r;
  }
  return fperr::checked("reduce", [&] { return reduce_core(rop, has_identity, ufname, in, opt, op); });
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

// divide_inplace reporting its flags as `name`: NumPy's mean/var divide a 0-d result as a NumPy
// scalar ("invalid value encountered in scalar divide"), arrays with the ufunc ("... in divide").
Array divide_named(const Array& ret, const Operand& count, bool scalar_result) {
  int flags;
  {
    fperr::Capture cap;
    divide_inplace(ret, count);
    flags = cap.flags();
  }
  fperr::report(flags, scalar_result ? "scalar divide" : "divide");
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

static Array reduce_impl(std::string_view ufunc, const Array& a, const ReduceOptions& opt) {
  const NativeReduce* n = find_native(ufunc);
  if (!n) throw NotImplementedError(msg("reduce", "no native reduction for ufunc '" + std::string(ufunc) + "'."));
  return reduce_op(n->op, n->has_identity, n->ufunc, a, opt, "reduce");
}

static Array sum_impl(const Array& a, const ReduceOptions& opt) { return reduce_op(RedOp::Add, true, "add", a, opt, "sum"); }
static Array prod_impl(const Array& a, const ReduceOptions& opt) { return reduce_op(RedOp::Mul, true, "multiply", a, opt, "prod"); }
static Array max_impl(const Array& a, const ReduceOptions& opt) { return reduce_op(RedOp::Max, false, "maximum", a, opt, "max"); }
static Array min_impl(const Array& a, const ReduceOptions& opt) { return reduce_op(RedOp::Min, false, "minimum", a, opt, "min"); }
// NumPy's nanmax/nanmin warn when a slice was all NaN (its result is NaN).
static Array all_nan_check(Array r) {
  if (is_inexact(r.dtype()) && r.size() > 0 && *any(ufunc1("isnan", r), {}).data_as<bool>())
    fperr::warn("All-NaN slice encountered");
  return r;
}
static Array nanmax_impl(const Array& a, const ReduceOptions& opt) { return all_nan_check(reduce_op(RedOp::FMax, false, "fmax", a, opt, "nanmax")); }
static Array nanmin_impl(const Array& a, const ReduceOptions& opt) { return all_nan_check(reduce_op(RedOp::FMin, false, "fmin", a, opt, "nanmin")); }

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

static Array nansum_impl(const Array& a, const ReduceOptions& opt) {
  if (!is_inexact(a.dtype())) return sum_impl(a, opt);
  return reduce_op(RedOp::NanAdd, true, "add", a, opt, "nansum");
}

Array count_nonzero(const Array& a, const Axes& axis, bool keepdims) {
  ReduceOptions o;
  o.axis = axis;
  o.keepdims = keepdims;
  return reduce_op(RedOp::CountNonzero, true, "add", a, o, "count_nonzero");
}

static Array mean_impl(const Array& a, const ReduceOptions& opt) {
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
  if (p.count == 0) fperr::warn("Mean of empty slice");
  Array ret = reduce_op(RedOp::Add, true, "add", a, o, "mean");
  divide_named(ret, Scalar::from_int(p.count), ret.ndim() == 0 && !opt.out.defined());
  if (f16 && !opt.out.defined()) ret = astype(ret, DType::Float16);
  return ret;
}

static Array var_impl(const Array& a, const ReduceOptions& opt, double ddof) {
  OpScope op_scope("var");
  require_cpu(a, "var");
  Plan p = make_plan(a, opt.axis, opt.keepdims, "var");
  std::optional<DType> dt = opt.dtype;
  if (!dt && (a.dtype() == DType::Bool || is_integer(a.dtype()))) dt = DType::Float64;
  if (ddof >= static_cast<double>(p.count)) fperr::warn("Degrees of freedom <= 0 for slice");
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
  divide_named(ret, count_scalar(denom), ret.ndim() == 0 && !opt.out.defined());
  return ret;
}

static Array stddev_impl(const Array& a, const ReduceOptions& opt, double ddof) {
  Array v = var_impl(a, opt, ddof);
  UfuncOptions o;
  o.out = {v};
  call_ufunc(get_ufunc("sqrt"), {v}, o);
  return v;
}

static Array nanmean_impl(const Array& a, const ReduceOptions& opt) {
  if (!is_inexact(a.dtype())) return mean_impl(a, opt);
  OpScope op_scope("nanmean");
  Array tot = nansum_impl(a, opt);
  Array notnan = ufunc1("logical_not", ufunc1("isnan", a));
  ReduceOptions co;
  co.axis = opt.axis;
  co.keepdims = opt.keepdims;
  Array cnt = reduce_core(RedOp::CountNonzero, true, "add", notnan, co, "nanmean");
  {
    fperr::Capture quiet;  // NumPy divides under errstate(invalid/divide='ignore'), then warns
    divide_inplace(tot, cnt);
  }
  if (cnt.size() > 0 && *any(ufunc2("equal", cnt, Scalar::from_int(0)), {}).data_as<bool>())
    fperr::warn("Mean of empty slice");
  return tot;
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
    // NumPy takes any out= dtype that casts safely to intp (and casts the indices into it).
    if (out.shape() != rshape || !out.writeable())
      throw ValueError(msg(op, std::string("output array does not match result of np.") + op + "."));
    if (!can_cast(out.dtype(), DType::Int64, Casting::Safe))
      throw TypeError(msg(op, std::string("Cannot cast scalar from dtype('") + dtype_name(out.dtype()) +
                                  "') to dtype('int64') according to the rule 'safe'."));
    if (out.dtype() != DType::Int64) {
      Array r = arg_op(is_max, a_in, axis, keepdims, Array());
      assign(out, r, Casting::Unsafe, op);
      return out;
    }
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

static Array accumulate_impl(std::string_view name, const Array& a_in, int64_t axis_in, std::optional<DType> dtype,
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
  // NumPy reports the float flags of arithmetic accumulations ("overflow encountered in accumulate").
  bool report_fp = name != "maximum" && name != "minimum" && name != "fmax" && name != "fmin";
  fperr::clear();
  struct FpReport {
    bool on;
    ~FpReport() noexcept(false) {
      int f = fperr::take();
      if (on && std::uncaught_exceptions() == 0) fperr::report(f, "accumulate");
    }
  } fp_report{report_fp};
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

// ---- gradients ------------------------------------------------------------------------------------
// While a tape records, each entry point computes its value untracked and records one node whose
// VJP is written with engine ops (differentiable again, for higher orders). out= is then written
// by the op's own code with the write recorded (autograd::write_out). Conventions:
//  - max/min/amax/amin/nanmax/nanmin and maximum/minimum/fmax/fmin.reduce: the gradient is split
//    equally among the elements equal to the result (HIPS autograd's rule); a NaN result gives 0.
//  - prod: the product of the other elements (exclusive prefix * suffix products), exact with zeros.
//  - cumprod: exact with zeros to first order (higher orders are exact away from zeros).
//  - maximum/minimum/fmax/fmin.accumulate: each output is a gather of the input element that set
//    the running extremum (the first one on ties), so its gradient goes there.
//  - var/std: d var = 2 (a - mean) / (N - ddof); d std = (a - mean) / ((N - ddof) std).
//  - argmax/argmin/all/any/count_nonzero (integer/bool results) record nothing.
namespace {

using autograd::Node;
using GradVec = std::vector<Array>;

using namespace autograd::arith;

// A reduction's VJP: (a or undefined, result with keepdims shape or undefined, cotangent with
// keepdims shape, plan) -> gradient broadcastable to a's shape. Null: no gradient (see no_gradient).
struct RedGrad {
  bool save_in = false, save_out = false;
  std::function<Array(const Array& a, const Array& rk, const Array& gk, const Plan& p)> vjp;
};

ReduceOptions keep(const Plan& p) {
  ReduceOptions o;
  std::vector<int64_t> axes;
  for (size_t d = 0; d < p.reduced.size(); ++d)
    if (p.reduced[d]) axes.push_back(static_cast<int64_t>(d));
  o.axis = Axes::of(axes);
  o.keepdims = true;
  return o;
}

Array with_grad(const char* name, const Array& a, const ReduceOptions& opt,
                const std::function<Array(const ReduceOptions&)>& compute, const RedGrad& rg) {
  ReduceOptions fresh = opt;
  fresh.out = Array();
  Array r = autograd::untracked([&] { return compute(fresh); });
  if (is_floating(r.dtype()) && is_floating(a.dtype())) {
    if (!rg.vjp) {
      autograd::no_gradient(name, {a});
    } else {
      Plan p = make_plan(a, opt.axis, opt.keepdims, name);
      std::vector<Array> saved;
      if (rg.save_in) saved.push_back(a);
      if (rg.save_out) saved.push_back(r);
      autograd::record(name, {a}, {r}, [p, rg, shape = a.shape()](const Node& n, const GradVec& g) {
        Array in = rg.save_in ? n.saved(0) : Array();
        Array rk = rg.save_out ? reshape(n.saved(rg.save_in ? 1 : 0), p.kshape) : Array();
        Array gi = rg.vjp(in, rk, reshape(g[0], p.kshape), p);
        return GradVec{gi.shape() == shape ? gi : autograd::broadcast(gi, shape)};
      }, saved);
    }
  }
  return autograd::write_out(r, opt.out, [&] { compute(opt); });
}

RedGrad grad_sum() {
  return {false, false, [](const Array&, const Array&, const Array& gk, const Plan&) { return gk; }};
}
RedGrad grad_mean() {
  return {false, false, [](const Array&, const Array&, const Array& gk, const Plan& p) {
            return div(gk, F(static_cast<double>(p.count)));
          }};
}
RedGrad grad_nansum() {
  return {true, false, [](const Array& a, const Array&, const Array& gk, const Plan&) {
            return mul(gk, ufunc1("logical_not", ufunc1("isnan", a)));
          }};
}
RedGrad grad_nanmean() {
  return {true, false, [](const Array& a, const Array&, const Array& gk, const Plan& p) {
            Array ok = ufunc1("logical_not", ufunc1("isnan", a));
            Array cnt = sum(ok, keep(p));
            return div(mul(gk, ok), cnt);
          }};
}
// Equal split among the elements equal to the result.
RedGrad grad_extremum() {
  return {true, true, [](const Array& a, const Array& rk, const Array& gk, const Plan& p) {
            Array hit = ufunc2("equal", a, rk);
            Array cnt = ufunc2("maximum", sum(hit, keep(p)), Scalar::from_int(1));
            return div(mul(gk, hit), cnt);
          }};
}
RedGrad grad_var(double ddof, bool is_std) {
  return {true, is_std, [ddof, is_std](const Array& a, const Array& rk, const Array& gk, const Plan& p) {
            double denom = std::max(static_cast<double>(p.count) - ddof, 0.0);
            Array centered = sub(a, mean(a, keep(p)));
            if (!is_std) return mul(mul(gk, centered), F(2.0 / denom));
            return div(mul(gk, centered), mul(rk, F(denom)));
          }};
}

// prod_{j != i} x_j along the last axis of x (shape (..., n)), as exclusive prefix * suffix
// products: no division, so zeros are exact.
Array exclusive_products(const Array& x) {
  int last = x.ndim() - 1;
  int64_t n = x.shape(last);
  // shifted right / left by one, the vacated end filled with 1
  auto shifted = [&](bool right) {
    Array s = autograd::ones(x.shape(), x.dtype());
    std::vector<IndexItem> dst(static_cast<size_t>(last) + 1), src(static_cast<size_t>(last) + 1);
    for (auto& it : dst) it.kind = IndexItem::Kind::Slice;
    for (auto& it : src) it.kind = IndexItem::Kind::Slice;
    IndexItem& d = dst.back();
    IndexItem& sr = src.back();
    if (right) {
      d.has_start = true, d.start = 1;
      sr.has_stop = true, sr.stop = n - 1;
    } else {
      d.has_stop = true, d.stop = n - 1;
      sr.has_start = true, sr.start = 1;
    }
    assign(basic_index(s, dst), basic_index(x, src));  // recorded write
    return s;
  };
  Array left = cumprod(shifted(true), last);
  Array right = autograd::flip(cumprod(autograd::flip(shifted(false), last), last), last);
  return mul(left, right);
}

RedGrad grad_prod() {
  return {true, false, [](const Array& a, const Array&, const Array& gk, const Plan& p) {
            if (p.count == 0 || a.size() == 0) return gk;
            // Reduced axes last, flattened to one: (kept..., n).
            std::vector<int64_t> perm, inv(a.ndim());
            Shape kept;
            for (int d = 0; d < a.ndim(); ++d)
              if (!p.reduced[d]) perm.push_back(d), kept.push_back(a.shape(d));
            for (int d = 0; d < a.ndim(); ++d)
              if (p.reduced[d]) perm.push_back(d);
            for (size_t i = 0; i < perm.size(); ++i) inv[perm[i]] = static_cast<int64_t>(i);
            Array t = transpose(a, perm);
            Shape tshape = t.shape(), flat = kept;
            flat.push_back(p.count);
            Array e = exclusive_products(reshape(t, flat));
            Array back = transpose(reshape(e, tshape), inv);
            return mul(gk, back);
          }};
}

// Sum of g over positions >= i along axis (a reversed cumsum).
Array rev_cumsum(const Array& g, int axis) { return autograd::flip(cumsum(autograd::flip(g, axis), axis), axis); }

// The index (along axis) of the element that set the running extremum at each position.
Array running_arg(const Array& a, int axis, bool is_max, bool ignore_nan) {
  autograd::NoGradGuard ng;
  Array x = ascontiguousarray(astype(moveaxis(a, {axis}, {-1}), DType::Float64));
  int64_t n = x.shape(x.ndim() - 1), lines = n ? x.size() / n : 0;
  Array idx = Array::empty(x.shape(), DType::Int64);
  const double* xp = x.data_as<double>();
  int64_t* ip = idx.data_as<int64_t>();
  for (int64_t l = 0; l < lines; ++l) {
    const double* v = xp + l * n;
    int64_t* o = ip + l * n;
    int64_t best = 0;
    for (int64_t k = 0; k < n; ++k) {
      double c = v[best], y = v[k];
      bool take;
      if (ignore_nan) take = (std::isnan(c) && !std::isnan(y)) || (is_max ? y > c : y < c);
      else take = !std::isnan(c) && (std::isnan(y) || (is_max ? y > c : y < c));
      if (take) best = k;
      o[k] = best;
    }
  }
  return moveaxis(idx, {-1}, {axis});
}

}  // namespace

Array reduce(std::string_view ufunc, const Array& a, const ReduceOptions& opt) {
  if (!autograd::recording()) return reduce_impl(ufunc, a, opt);
  RedGrad rg;
  if (ufunc == "add") rg = grad_sum();
  else if (ufunc == "multiply") rg = grad_prod();
  else if (ufunc == "maximum" || ufunc == "minimum" || ufunc == "fmax" || ufunc == "fmin") rg = grad_extremum();
  return with_grad("reduce", a, opt, [&](const ReduceOptions& o) { return reduce_impl(ufunc, a, o); }, rg);
}

#define MINPY_REDUCTION(NAME, GRAD)                                                                   \
  Array NAME(const Array& a, const ReduceOptions& opt) {                                              \
    if (!autograd::recording()) return NAME##_impl(a, opt);                                           \
    return with_grad(#NAME, a, opt, [&](const ReduceOptions& o) { return NAME##_impl(a, o); }, GRAD); \
  }
MINPY_REDUCTION(sum, grad_sum())
MINPY_REDUCTION(prod, grad_prod())
MINPY_REDUCTION(max, grad_extremum())
MINPY_REDUCTION(min, grad_extremum())
MINPY_REDUCTION(nanmax, grad_extremum())
MINPY_REDUCTION(nanmin, grad_extremum())
MINPY_REDUCTION(nansum, grad_nansum())
MINPY_REDUCTION(mean, grad_mean())
MINPY_REDUCTION(nanmean, grad_nanmean())
#undef MINPY_REDUCTION

Array var(const Array& a, const ReduceOptions& opt, double ddof) {
  if (!autograd::recording()) return var_impl(a, opt, ddof);
  return with_grad("var", a, opt, [&](const ReduceOptions& o) { return var_impl(a, o, ddof); }, grad_var(ddof, false));
}
Array stddev(const Array& a, const ReduceOptions& opt, double ddof) {
  if (!autograd::recording()) return stddev_impl(a, opt, ddof);
  return with_grad("std", a, opt, [&](const ReduceOptions& o) { return stddev_impl(a, o, ddof); }, grad_var(ddof, true));
}

Array accumulate(std::string_view name, const Array& a, int64_t axis, std::optional<DType> dtype, const Array& out) {
  if (!autograd::recording()) return accumulate_impl(name, a, axis, dtype, out);
  Array r = autograd::untracked([&] { return accumulate_impl(name, a, axis, dtype, Array()); });
  if (is_floating(r.dtype()) && is_floating(a.dtype()) && autograd::is_tracked(a)) {
    int ax = normalize_axis(axis, a.ndim(), "accumulate");
    Array x = cast_to(a, r.dtype());  // recorded when it casts
    if (name == "add") {
      autograd::record("cumsum", {x}, {r}, [ax](const Node&, const GradVec& g) { return GradVec{rev_cumsum(g[0], ax)}; });
    } else if (name == "multiply") {
      // y_k = prod_{j<=k} x_j. With z = (x == 0), xs = x + z (zeros replaced by 1), y' = cumprod(xs)
      // and c = cumsum(z): dx_i = revcumsum(g y' [c == 0])_i / xs_i where x_i != 0, and
      // revcumsum(g y' [c == 1])_i where x_i == 0 (only the first zero gets a gradient).
      autograd::record("cumprod", {x}, {r}, [ax](const Node& n, const GradVec& g) {
        const Array& xv = n.saved(0);
        Array z = ufunc2("equal", xv, F(0.0));
        Array xs = ufunc2("add", xv, z);
        Array yp = cumprod(xs, ax);
        Array c = cumsum(z, ax);
        Array gy = mul(g[0], yp);
        Array nz_part = div(rev_cumsum(mul(gy, ufunc2("equal", c, Scalar::from_int(0))), ax), xs);
        Array z_part = rev_cumsum(mul(gy, ufunc2("equal", c, Scalar::from_int(1))), ax);
        return GradVec{where(z, z_part, nz_part)};
      }, {x});
    } else if (name == "maximum" || name == "minimum" || name == "fmax" || name == "fmin") {
      bool is_max = name == "maximum" || name == "fmax";
      bool ignore_nan = name == "fmax" || name == "fmin";
      r = take_along_axis(x, running_arg(x, ax, is_max, ignore_nan), ax);  // the same values, tracked
    } else {
      autograd::no_gradient((std::string(name) + ".accumulate").c_str(), {a});
    }
  }
  return autograd::write_out(r, out, [&] { accumulate_impl(name, a, axis, dtype, out); });
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
