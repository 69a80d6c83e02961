#include "minpy/ufunc.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <atomic>
#include <map>
#include <memory>

#include "backend/cpu/kernels.h"
#include "backend/cpu/scalar_math.h"
#include "backend/cpu/ufunc_functors.h"
#include "autograd/internal.h"
#include "backend/cpu/ufunc_kernels.h"
#include "minpy/errors.h"
#include "minpy/fp_errors.h"
#include "backend/cpu/fp_status.h"
#include "minpy/ops.h"
#include "op_stats.h"

namespace minpy {

struct UfuncLoop {
  std::vector<DType> types;
  cpu::StridedLoop cpu_loop;
};

namespace {

// Loop selection is a linear search with casting checks; its answer for a given tuple of input
// dtypes never changes, so it is memoised per ufunc (up to two inputs).
constexpr int kCacheSize = kNumDTypes * kNumDTypes;
using LoopCache = std::unique_ptr<std::atomic<const UfuncLoop*>[]>;

struct Registry {
  std::vector<std::unique_ptr<UfuncLoop>> loops;
  std::map<std::string, Ufunc, std::less<>> ufuncs;
  std::vector<LoopCache> caches;  // by Ufunc::id
  Registry() {
    for (const auto& table : cpu::ufunc_kernel_tables()) {
      Ufunc uf{table.name, table.nin, table.nout, {}, false};
      for (const auto& k : table.loops) {
        loops.push_back(std::make_unique<UfuncLoop>(UfuncLoop{k.types, k.loop}));
        uf.loops.push_back(loops.back().get());
      }
      static const char* comparisons[] = {"equal", "not_equal", "less", "less_equal", "greater", "greater_equal"};
      for (const char* c : comparisons) uf.is_comparison |= table.name == c;
      uf.id = static_cast<int>(caches.size());
      ufuncs.emplace(table.name, std::move(uf));
      LoopCache cache(new std::atomic<const UfuncLoop*>[kCacheSize]);
      for (int i = 0; i < kCacheSize; ++i) cache[i] = nullptr;
      caches.push_back(std::move(cache));
    }
  }
};
const Registry& registry() {
  static const Registry r;
  return r;
}

std::string dtype_repr(DType t) { return std::string("dtype('") + dtype_name(t) + "')"; }

template <class T> bool int_fits(const Scalar& s) {
  if (s.int_too_big) return false;
  if (s.int_is_uint64) return std::is_unsigned_v<T> && sizeof(T) == 8;
  return std::in_range<T>(s.i);
}
bool scalar_fits(const Scalar& s, DType t) {
  return visit_dtype(t, [&](auto v) -> bool {
    using T = decltype(v);
    if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>) return int_fits<T>(s);
    else return true;
  });
}

// NEP 50: the dtype a Python scalar takes next to arrays whose result type is `strong`.
DType weak_dtype(const Scalar& s, std::optional<DType> strong, bool comparison, const char* op) {
  if (!strong) return s.default_dtype();
  Kind k = kind(*strong);
  switch (s.kind) {
    case Scalar::Kind::Bool: return DType::Bool;
    case Scalar::Kind::Int:
      // Next to bools a Python int is NumPy's default integer, int64 (2**63 then overflows).
      if (k == Kind::Bool) return DType::Int64;
      if (k == Kind::Int || k == Kind::UInt) {
        if (scalar_fits(s, *strong)) return *strong;
        // Comparisons with an out-of-range integer are well defined.
        if (comparison) return s.default_dtype();
        // Otherwise the strong type stands; NumPy raises OverflowError only when the value is
        // converted to an integer loop type (int8_array / 1000 is fine, int8_array + 1000 is not).
      }
      return *strong;
    case Scalar::Kind::Float:
      return (k == Kind::Float || k == Kind::Complex) ? *strong : DType::Float64;
    case Scalar::Kind::Complex:
      if (k == Kind::Complex) return *strong;
      if (k == Kind::Float) return complex_dtype(*strong);
      return DType::Complex128;
  }
  return DType::Float64;
}

// Promotion of several dtypes. Pairwise promotion is not associative (int8+uint8 -> int16, but
// float16 absorbs both), so NumPy reduces starting from the highest kind: result_type(int8,
// uint8, float16) is float16, not float32.
DType promote_sequence(std::vector<DType> ts) {
  auto rank = [](DType t) {
    Kind k = kind(t);
    return k == Kind::Complex ? 3 : k == Kind::Float ? 2 : k == Kind::Bool ? 0 : 1;
  };
  std::stable_sort(ts.begin(), ts.end(), [&](DType a, DType b) { return rank(a) > rank(b); });
  DType r = ts[0];
  for (DType t : ts) r = promote_types(r, t);
  return r;
}

std::optional<DType> strong_result(const std::vector<Operand>& ops) {
  std::vector<DType> ts;
  for (const auto& o : ops)
    if (auto* a = std::get_if<Array>(&o)) ts.push_back(a->dtype());
  if (ts.empty()) return std::nullopt;
  return promote_sequence(ts);
}

// Ufuncs where an out-of-range Python int is fine (NumPy compares it by value, or only its truth
// value matters): comparisons and logical_and/or/xor.
bool unbounded_int(const Ufunc& uf) {
  return uf.is_comparison || uf.name == "logical_and" || uf.name == "logical_or" || uf.name == "logical_xor";
}

std::vector<DType> operand_dtypes(const Ufunc& uf, const std::vector<Operand>& inputs);

const UfuncLoop* select_loop(const Ufunc& uf, std::vector<DType> in, std::optional<DType> dtype);

// select_loop for calls without dtype=, memoised.
const UfuncLoop* select_loop_cached(const Ufunc& uf, const DType* in) {
  if (uf.nin > 2) return select_loop(uf, std::vector<DType>(in, in + uf.nin), std::nullopt);
  int key = static_cast<int>(in[0]) * kNumDTypes + (uf.nin == 2 ? static_cast<int>(in[1]) : 0);
  auto& slot = registry().caches[uf.id][key];
  const UfuncLoop* loop = slot.load(std::memory_order_relaxed);
  if (!loop) {
    loop = select_loop(uf, std::vector<DType>(in, in + uf.nin), std::nullopt);
    slot.store(loop, std::memory_order_relaxed);
  }
  return loop;
}

std::vector<DType> operand_dtypes(const Ufunc& uf, const std::vector<Operand>& inputs) {
  auto strong = strong_result(inputs);
  std::vector<DType> types;
  for (const auto& o : inputs) {
    if (auto* a = std::get_if<Array>(&o)) types.push_back(a->dtype());
    else types.push_back(weak_dtype(std::get<Scalar>(o), strong, unbounded_int(uf), uf.name.c_str()));
  }
  return types;
}

// Ufuncs whose NumPy type resolver is the "simple uniform" one: without dtype=, every operand and
// the output take the inputs' result type, and there must be a loop for exactly that type (so
// np.positive/np.sign of bool raise instead of running an int8 loop).
bool uniform_resolver(const Ufunc& uf) {
  static const char* names[] = {"positive", "sign", "maximum", "minimum", "fmax", "fmin", "clip"};
  for (const char* n : names)
    if (uf.name == n) return true;
  return false;
}

[[noreturn]] void no_loop(const Ufunc& uf, const std::vector<DType>& in) {
  std::string sig = "(";
  for (size_t i = 0; i < in.size(); ++i) sig += (i ? ", " : "") + dtype_repr(in[i]);
  throw TypeError(msg(uf.name.c_str(), "ufunc '" + uf.name + "' did not contain a loop with signature matching types " +
                                           sig + (in.size() == 1 ? ",)" : ")") + " -> None."));
}

const UfuncLoop* select_loop(const Ufunc& uf, std::vector<DType> in, std::optional<DType> dtype) {
  if (dtype) {
    // dtype= fixes the output types (NumPy's signature=(None, ..., dtype)): the first such loop
    // the inputs cast to safely, else the first such loop at all; call_ufunc then checks the input
    // casts against casting= (np.add(f8, f8, dtype=int32) raises, with casting='unsafe' it runs).
    const UfuncLoop* first = nullptr;
    for (const UfuncLoop* loop : uf.loops) {
      bool ok = true;
      for (int j = 0; j < uf.nout && ok; ++j) ok = loop->types[uf.nin + j] == *dtype;
      if (!ok) continue;
      if (!first) first = loop;
      for (int i = 0; i < uf.nin && ok; ++i) ok = can_cast(in[i], loop->types[i], Casting::Safe);
      if (ok) return loop;
    }
    if (first) return first;
    throw TypeError(msg(uf.name.c_str(), "No loop matching the specified signature and casting was found for ufunc " + uf.name + "."));
  }
  // NumPy's subtract and negative type resolvers reject booleans before looking at loops (a bool
  // input would otherwise cast safely to the int8 loop).
  bool all_bool = true;
  for (DType t : in) all_bool &= t == DType::Bool;
  if (all_bool && uf.name == "subtract")
    throw TypeError(msg("subtract", "numpy boolean subtract, the `-` operator, is not supported, use the bitwise_xor, the `^` operator, or the logical_xor function instead."));
  if (all_bool && uf.name == "negative")
    throw TypeError(msg("negative", "The numpy boolean negative, the `-` operator, is not supported, use the `~` operator or the logical_not function instead."));
  if (uf.name == "true_divide") {
    bool all_int = true;
    for (DType t : in) all_int &= kind(t) == Kind::Bool || is_integer(t);
    if (all_int) for (DType& t : in) t = DType::Float64;  // NumPy's true-division type resolver
  }
  if (uniform_resolver(uf)) {
    DType common = promote_sequence(in);
    for (const UfuncLoop* loop : uf.loops) {
      bool ok = true;
      for (int i = 0; i < uf.nin + uf.nout && ok; ++i) ok = loop->types[i] == common;
      if (ok) return loop;
    }
    no_loop(uf, in);
  }
  for (const UfuncLoop* loop : uf.loops) {
    bool ok = true;
    for (int i = 0; i < uf.nin && ok; ++i) ok = can_cast(in[i], loop->types[i], Casting::Safe);
    if (ok) return loop;
  }
  no_loop(uf, in);
}

}  // namespace

DType Scalar::default_dtype() const {
  switch (kind) {
    case Kind::Bool: return DType::Bool;
    case Kind::Int:
      if (int_too_big) return DType::Float64;
      return int_is_uint64 ? DType::UInt64 : DType::Int64;
    case Kind::Float: return DType::Float64;
    case Kind::Complex: return DType::Complex128;
  }
  return DType::Float64;
}

std::string Scalar::repr() const {
  switch (kind) {
    case Kind::Bool: return b ? "True" : "False";
    case Kind::Int: return int_is_uint64 ? std::to_string(u) : int_too_big ? std::to_string(f) : std::to_string(i);
    case Kind::Float: return std::to_string(f);
    case Kind::Complex: {
      // Appended, not one chain of +: GCC 12 warns (-Wrestrict, a false positive) on the chain.
      std::string s = "(";
      s += std::to_string(c.real());
      s += '+';
      s += std::to_string(c.imag());
      s += "j)";
      return s;
    }
  }
  return "";
}

Array Scalar::to_array(DType dtype, const char* op) const {
  if (kind == Kind::Int && is_integer(dtype) && !scalar_fits(*this, dtype))
    throw OverflowError(msg(op, "Python integer " + repr() + " out of bounds for " + dtype_name(dtype) + "."));
  Array a = Array::empty({}, dtype);
  // A Python float too large for a float16/float32 loop: NumPy reports "overflow encountered in cast".
  bool narrowing = (kind == Kind::Float || kind == Kind::Complex) &&
                   (dtype == DType::Float16 || dtype == DType::Float32 || dtype == DType::Complex64);
  if (narrowing) cpu::fpstatus::clear();
  visit_dtype(dtype, [&](auto v) {
    using T = decltype(v);
    T* p = a.data_as<T>();
    switch (kind) {
      case Kind::Bool: *p = scalar::convert<T>(b); break;
      case Kind::Int:
        if (int_too_big) *p = scalar::convert<T>(f);
        else if (int_is_uint64) *p = scalar::convert<T>(u);
        else *p = scalar::convert<T>(i);
        break;
      case Kind::Float: *p = scalar::convert<T>(f); break;
      case Kind::Complex: *p = scalar::convert<T>(c); break;
    }
  });
  if (narrowing) fperr::report(cpu::fpstatus::take(), "cast");
  return a;
}

const std::vector<DType>& loop_types(const UfuncLoop* loop) { return loop->types; }

const Ufunc* find_ufunc(std::string_view name) {
  const auto& m = registry().ufuncs;
  auto it = m.find(name);
  return it == m.end() ? nullptr : &it->second;
}
const Ufunc& get_ufunc(std::string_view name) {
  if (const Ufunc* u = find_ufunc(name)) return *u;
  throw ValueError(msg("ufunc", "no native ufunc named '" + std::string(name) + "'."));
}
std::vector<std::string> ufunc_names() {
  std::vector<std::string> names;
  for (const auto& [k, v] : registry().ufuncs) names.push_back(k);
  return names;
}

DType result_type(const std::vector<Operand>& operands) {
  auto strong = strong_result(operands);
  std::vector<DType> ts;
  if (strong) ts.push_back(*strong);
  for (const auto& o : operands)
    if (auto* s = std::get_if<Scalar>(&o)) ts.push_back(weak_dtype(*s, strong, false, "result_type"));
  if (ts.empty()) throw ValueError(msg("result_type", "at least one array or dtype is required."));
  return promote_sequence(ts);
}

std::vector<DType> resolve_ufunc_types(const Ufunc& uf, const std::vector<Operand>& inputs, std::optional<DType> dtype) {
  return select_loop(uf, operand_dtypes(uf, inputs), dtype)->types;
}

static bool is_int_power(const Ufunc& uf, const UfuncLoop* loop) {
  return uf.name == "power" && kind(loop->types[0]) == Kind::Int;
}

// NumPy's floating-point error reporting per ufunc: the name its messages use, and the flags it
// never reports for that ufunc (its loops for comparisons, max/min, classification and rounding
// clear the status flags that NaN operands raise in vector compare/min/max instructions).
struct FpInfo {
  const char* name;
  int quiet;
};
static const FpInfo& fp_info(const Ufunc& uf) {
  static const std::vector<FpInfo> table = [] {
    static const char* silent[] = {"maximum", "minimum", "fmax", "fmin", "equal", "not_equal", "less",
                                   "less_equal", "greater", "greater_equal", "isnan", "isinf", "isfinite",
                                   "signbit", "sign", "clip", "floor", "ceil", "trunc", "rint", "copysign",
                                   "heaviside", "logical_and", "logical_or", "logical_xor", "logical_not",
                                   "absolute", "negative", "positive", "conjugate"};
    std::vector<FpInfo> t(registry().ufuncs.size(), FpInfo{nullptr, 0});
    for (const auto& [name, u] : registry().ufuncs) {
      FpInfo info{u.name == "true_divide" ? "divide" : u.name.c_str(), 0};
      for (const char* n : silent)
        if (u.name == n) info.quiet = fperr::kDivide | fperr::kOverflow | fperr::kUnderflow | fperr::kInvalid;
      t[u.id] = info;
    }
    return t;
  }();
  return table[uf.id];
}

// The flags are cleared before the loop (by the caller when cleared is true: the fast path does it
// first thing, where the status read overlaps the allocation of the result).
static void run_loop(const Ufunc& uf, const UfuncLoop* loop, const Shape& shape, const Array* args,
                     bool cleared = false) {
  bool check_power = is_int_power(uf, loop);
  if (check_power) cpu::g_kernel_error = cpu::kNone;
  if (!cleared) cpu::fpstatus::clear();
  cpu::nd_loop(shape, uf.nin + uf.nout, args, loop->cpu_loop, 1 << 14);
  if (check_power && cpu::g_kernel_error == cpu::kNegativeIntPower)
    throw ValueError(msg(uf.name.c_str(), "Integers to negative integer powers are not allowed."));
  if (int flags = cpu::fpstatus::take()) [[unlikely]] {
    const FpInfo& info = fp_info(uf);
    // NumPy's complex comparisons do raise "invalid" for NaN parts (plain float compares).
    int quiet = uf.is_comparison && is_complex(loop->types[0]) ? 0 : info.quiet;
    fperr::report(flags & ~quiet, info.name);
  }
}

// The common case without allocations beyond the result: array inputs of one shape whose dtypes
// are exactly the selected loop's, one new output.
static bool try_fast_call(const Ufunc& uf, const std::vector<Operand>& inputs, Array& out) {
  if (uf.nin > 3) return false;
  cpu::fpstatus::clear();
  DType types[3];
  const Array* arrs[3];
  for (int i = 0; i < uf.nin; ++i) {
    arrs[i] = std::get_if<Array>(&inputs[i]);
    if (!arrs[i] || arrs[i]->device().type != DeviceType::CPU || arrs[i]->shape() != arrs[0]->shape()) return false;
    types[i] = arrs[i]->dtype();
  }
  const UfuncLoop* loop = select_loop_cached(uf, types);
  for (int i = 0; i < uf.nin; ++i)
    if (loop->types[i] != types[i]) return false;
  const Shape& shape = arrs[0]->shape();
  out = Array::empty_like_layout(*arrs[0], shape, loop->types[uf.nin]);
  Array args[4];
  for (int i = 0; i < uf.nin; ++i) args[i] = *arrs[i];
  args[uf.nin] = out;
  run_loop(uf, loop, shape, args, true);
  return true;
}

// Autograd hook: while a tape records, the call is recorded around the untracked one.
std::vector<Array> call_ufunc(const Ufunc& uf, const std::vector<Operand>& inputs, const UfuncOptions& opt) {
  if (autograd::recording()) [[unlikely]] return autograd::call_ufunc_recorded(uf, inputs, opt);
  return call_ufunc_untracked(uf, inputs, opt);
}

std::vector<Array> call_ufunc_untracked(const Ufunc& uf, const std::vector<Operand>& inputs_in, const UfuncOptions& opt) {
  const char* op = uf.name.c_str();
  OpScope op_scope(uf.name);
  // logical_and/or/xor take a Python float or complex by its truth value (NumPy's logical
  // promoter runs them on bools): 1e-08 next to a float16 array is true though float16(1e-08) is 0.
  // (The name test only runs when such a scalar is there: off the path of array calls.)
  std::vector<Operand> truthy;
  if (!opt.dtype && !uf.is_comparison) {
    for (size_t i = 0; i < inputs_in.size(); ++i) {
      const Scalar* s = std::get_if<Scalar>(&inputs_in[i]);
      if (!s || (s->kind != Scalar::Kind::Float && s->kind != Scalar::Kind::Complex)) continue;
      if (!unbounded_int(uf)) break;
      if (truthy.empty()) truthy = inputs_in;
      truthy[i] = Scalar::from_bool(s->kind == Scalar::Kind::Float ? s->f != 0 : s->c != std::complex<double>(0));
    }
  }
  const std::vector<Operand>& inputs = truthy.empty() ? inputs_in : truthy;
  // An integer array compared with a Python int beyond its dtype's range: NumPy compares exactly,
  // so every element is on one side (a float64 loop would round 2**64 - 1 up to 2**64). The
  // constant result runs as equal/not_equal(x, x), which keeps out=, casting= and dtype= checks.
  if (uf.is_comparison && uf.nin == 2) {
    for (int k = 0; k < 2; ++k) {
      const Scalar* s = std::get_if<Scalar>(&inputs[k]);
      const Array* x = std::get_if<Array>(&inputs[1 - k]);
      if (!s || !x || s->kind != Scalar::Kind::Int) continue;
      const Kind xk = kind(x->dtype());
      if ((xk != Kind::Int && xk != Kind::UInt) || scalar_fits(*s, x->dtype())) continue;
      const bool above = s->int_is_uint64 || (s->int_too_big ? s->f > 0 : s->i > 0);
      // x OP s with s above every x: less/less_equal/not_equal hold; mirrored when s is first.
      const bool x_below = k == 1 ? above : !above;  // "the left operand is below the right one"
      bool r;
      if (uf.name == "equal") r = false;
      else if (uf.name == "not_equal") r = true;
      else if (uf.name == "less" || uf.name == "less_equal") r = x_below;
      else r = !x_below;  // greater, greater_equal
      return call_ufunc_untracked(get_ufunc(r ? "equal" : "not_equal"), {*x, *x}, opt);
    }
  }
  if (static_cast<int>(inputs.size()) != uf.nin)
    throw TypeError(msg(op, uf.name + "() takes " + std::to_string(uf.nin) + " positional arguments but " +
                                std::to_string(inputs.size()) + " were given."));
  if (uf.nout == 1 && opt.out.empty() && !opt.dtype) {
    Array out;
    if (try_fast_call(uf, inputs, out)) return {out};
  }
  std::vector<DType> in_types = operand_dtypes(uf, inputs);
  const UfuncLoop* loop = opt.dtype ? select_loop(uf, in_types, opt.dtype) : select_loop_cached(uf, in_types.data());
  // A unary ufunc called on a Python int with dtype= or out=: NumPy converts the int as a strong
  // array, and one beyond int64/uint64 is an object array whose loop cannot reach a numeric dtype.
  if (uf.nin == 1 && (opt.dtype || !opt.out.empty()) && opt.casting != Casting::Unsafe) {
    const Scalar* s = std::get_if<Scalar>(&inputs[0]);
    if (s && s->kind == Scalar::Kind::Int && s->int_too_big) {
      if (opt.dtype)
        throw TypeError(msg(op, "Cannot cast ufunc '" + uf.name + "' input from dtype('O') to " + dtype_repr(*opt.dtype) +
                                    " with casting rule '" + casting_name(opt.casting) + "'."));
      for (const Array& o : opt.out)
        if (o.defined())
          throw TypeError(msg(op, "Cannot cast ufunc '" + uf.name + "' output from dtype('O') to " +
                                      dtype_repr(o.dtype()) + " with casting rule '" + casting_name(opt.casting) + "'."));
    }
  }
  // NumPy checks every input cast against casting= (matters for 'no'/'equiv' and dtype=). With
  // dtype=, a weak Python scalar next to others only needs a loop type of its kind or above (its
  // value is checked when it is converted: np.subtract(bool_array, 258, dtype=uint64) runs).
  auto weak_ok = [&](int i) {
    const Scalar* s = std::get_if<Scalar>(&inputs[i]);
    if (!s || !opt.dtype || uf.nin == 1 || opt.casting == Casting::No || opt.casting == Casting::Equiv) return false;
    Kind k = kind(loop->types[i]);
    switch (s->kind) {
      case Scalar::Kind::Bool: return true;
      case Scalar::Kind::Int: return k != Kind::Bool;
      case Scalar::Kind::Float: return k == Kind::Float || k == Kind::Complex;
      case Scalar::Kind::Complex: return k == Kind::Complex;
    }
    return false;
  };
  for (int i = 0; i < uf.nin; ++i)
    if (!weak_ok(i) && !can_cast(in_types[i], loop->types[i], opt.casting))
      throw TypeError(msg(op, "Cannot cast ufunc '" + uf.name + "' input " + std::to_string(i) + " from " +
                                  dtype_repr(in_types[i]) + " to " + dtype_repr(loop->types[i]) +
                                  " with casting rule '" + casting_name(opt.casting) + "'."));

  // Inputs in the loop's types (casts make new arrays; scalars become 0-d arrays).
  std::vector<Array> args(uf.nin + uf.nout);
  Shape shape;
  for (int i = 0; i < uf.nin; ++i) {
    DType t = loop->types[i];
    if (auto* a = std::get_if<Array>(&inputs[i])) {
      if (a->device().type != DeviceType::CPU)
        throw NotImplementedError(msg(op, "arrays on " + a->device().str() + " are not supported in this build."));
      args[i] = a->dtype() == t ? *a : astype(*a, t);
    } else if (const Scalar& s = std::get<Scalar>(inputs[i]); uf.nin == 1 && opt.dtype && s.kind == Scalar::Kind::Int) {
      // Strong, as above: the int converts to int64/uint64 and then casts (wrapping), so
      // np.negative(300, dtype=int8) is -44.
      Array strong = s.to_array(s.default_dtype(), op);
      args[i] = strong.dtype() == t ? strong : astype(strong, t, Casting::Unsafe);
    } else {
      args[i] = std::get<Scalar>(inputs[i]).to_array(t, op);
    }
    if (i == 0) shape = args[i].shape();
    else if (args[i].shape() != shape) shape = broadcast_shapes(shape, args[i].shape(), op);
  }

  // Outputs: the caller's out= arrays where given, checked as NumPy checks them.
  std::vector<Array> results(uf.nout);
  std::vector<std::pair<Array, Array>> write_back;  // (temporary, out) pairs that need a cast
  for (int j = 0; j < uf.nout; ++j) {
    const Array* out = j < static_cast<int>(opt.out.size()) && opt.out[j].defined() ? &opt.out[j] : nullptr;
    DType t = loop->types[uf.nin + j];
    if (!out) continue;
    if (!out->writeable()) throw ValueError(msg(op, "output array is read-only."));
    if (!can_cast(t, out->dtype(), opt.casting))
      throw TypeError(msg(op, "Cannot cast ufunc '" + uf.name + "' output from " + dtype_repr(t) + " to " +
                                  dtype_repr(out->dtype()) + " with casting rule '" + casting_name(opt.casting) + "'."));
    Shape b = broadcast_shapes(shape, out->shape(), op);
    if (b != out->shape())
      throw ValueError(msg(op, "non-broadcastable output operand with shape " + shape_str(out->shape()) +
                                   " doesn't match the broadcast shape " + shape_str(b) + "."));
  }
  for (int j = 0; j < uf.nout; ++j) {
    if (j < static_cast<int>(opt.out.size()) && opt.out[j].defined()) shape = opt.out[j].shape();
  }
  for (int j = 0; j < uf.nout; ++j) {
    DType t = loop->types[uf.nin + j];
    const Array* out = j < static_cast<int>(opt.out.size()) && opt.out[j].defined() ? &opt.out[j] : nullptr;
    if (out) {
      results[j] = *out;
      if (out->dtype() == t) {
        args[uf.nin + j] = *out;
      } else {
        args[uf.nin + j] = Array::empty(shape, t);
        write_back.push_back({args[uf.nin + j], *out});
      }
    } else {
      // order='K': the new array follows the layout of the first full-shape input.
      Array like;
      for (int i = 0; i < uf.nin && !like.defined(); ++i)
        if (args[i].shape() == shape) like = args[i];
      args[uf.nin + j] = like.defined() ? Array::empty_like_layout(like, shape, t) : Array::empty(shape, t);
      results[j] = args[uf.nin + j];
    }
  }
  // An input that overlaps an output (other than exactly) is read from a copy, as NumPy does.
  for (int i = 0; i < uf.nin; ++i)
    for (int j = 0; j < uf.nout; ++j) {
      const Array& o = args[uf.nin + j];
      if (args[i].may_share_memory(o) && !args[i].same_layout(o)) args[i] = copy(args[i], 'K');
    }
  for (int i = 0; i < uf.nin; ++i)
    if (args[i].shape() != shape) args[i] = broadcast_to(args[i], shape, op);

  run_loop(uf, loop, shape, args.data());
  for (auto& [tmp, out] : write_back) cpu::copy_cast(tmp, out);
  for (const auto& o : opt.out)
    if (o.defined()) ++o.storage()->version;  // an in-place write (autograd checks saved values)
  return results;
}

Array ufunc1(std::string_view name, const Operand& a) { return call_ufunc(get_ufunc(name), {a})[0]; }
Array ufunc2(std::string_view name, const Operand& a, const Operand& b) {
  return call_ufunc(get_ufunc(name), {a, b})[0];
}

}  // namespace minpy
