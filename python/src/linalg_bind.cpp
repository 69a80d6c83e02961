// Bindings of the linalg family (matmul and the @ operator, dot, vdot, inner, outer, tensordot,
// trace, einsum's sum) and of the range constructors (arange, linspace, eye).
#include <nanobind/stl/optional.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>

#include "convert.h"
#include "gil.h"
#include "minpy/errors.h"
#include "minpy/linalg.h"
#include "minpy/ops.h"
#include "minpy/ranges.h"

namespace minpy::py {
namespace {

std::optional<DType> opt_dtype(nb::handle d) {
  if (d.is_none()) return std::nullopt;
  return to_dtype(d);
}
Array opt_out(nb::handle out, const char* op) {
  if (out.is_none()) return {};
  if (!is_ndarray(out)) throw TypeError(msg(op, "out must be a minpy array."));
  return as_array(out);
}

// The other operand of @ as an array, or false when Python should try its reflected method.
// Multiply-adds of a product are at most |a| * |b| (and at least the larger): the larger size is a
// cheap lower bound that already counts every large product.
int64_t product_work(const Array& a, const Array& b) { return max_elements({&a, &b}); }

bool matmul_operand(nb::handle h, Array& out) {
  Operand o;
  if (!to_operand(h, o)) return false;
  if (auto* s = std::get_if<Scalar>(&o)) out = s->to_array(s->default_dtype(), "matmul");
  else out = std::get<Array>(o);
  return true;
}

}  // namespace

void init_linalg(nb::module_& m) {
  m.def("matmul", [](nb::handle a, nb::handle b, nb::handle out, nb::handle dtype) {
    Array x = to_array(a), y = to_array(b), o = opt_out(out, "matmul");
    std::optional<DType> dt = opt_dtype(dtype);
    return nogil_if_large(product_work(x, y), [&] { return matmul(x, y, o, dt); });
  }, nb::arg("a"), nb::arg("b"), nb::arg("out").none() = nb::none(), nb::arg("dtype").none() = nb::none());
  m.def("dot", [](nb::handle a, nb::handle b, nb::handle out) {
    Array x = to_array(a), y = to_array(b), o = opt_out(out, "dot");
    return nogil_if_large(product_work(x, y), [&] { return dot(x, y, o); });
  }, nb::arg("a"), nb::arg("b"), nb::arg("out").none() = nb::none());
  m.def("vdot", [](nb::handle a, nb::handle b) {
    Array x = to_array(a), y = to_array(b);
    return nogil_if_large(product_work(x, y), [&] { return vdot(x, y); });
  });
  m.def("inner", [](nb::handle a, nb::handle b) {
    Array x = to_array(a), y = to_array(b);
    return nogil_if_large(product_work(x, y), [&] { return inner(x, y); });
  });
  m.def("outer", [](nb::handle a, nb::handle b, nb::handle out) {
    Array x = to_array(a), y = to_array(b), o = opt_out(out, "outer");
    return nogil_if_large(product_work(x, y), [&] { return outer(x, y, o); });
  }, nb::arg("a"), nb::arg("b"), nb::arg("out").none() = nb::none());
  m.def("tensordot", [](nb::handle a, nb::handle b, const std::vector<int64_t>& aa, const std::vector<int64_t>& ab) {
    Array x = to_array(a), y = to_array(b);
    return nogil_if_large(product_work(x, y), [&] { return tensordot(x, y, aa, ab); });
  });
  auto trace_fn = [](nb::handle a, int64_t offset, int64_t axis1, int64_t axis2, nb::handle dtype, nb::handle out) {
    return trace(to_array(a), offset, axis1, axis2, opt_dtype(dtype), opt_out(out, "trace"));
  };
  m.def("trace", trace_fn, nb::arg("a"), nb::arg("offset") = 0, nb::arg("axis1") = 0, nb::arg("axis2") = 1,
        nb::arg("dtype").none() = nb::none(), nb::arg("out").none() = nb::none());
  m.def("sum_axes", [](nb::handle a, const std::vector<int64_t>& axes, nb::handle dtype) {
    Array x = to_array(a);
    std::optional<DType> dt = opt_dtype(dtype);
    return nogil_if_large(x.size(), [&] { return sum_axes(x, axes, dt); });
  }, nb::arg("a"), nb::arg("axes"), nb::arg("dtype").none());

  nb::object cls = m.attr("ndarray");
  cls.attr("__matmul__") = nb::cpp_function(
      [](nb::handle self, nb::handle other) -> nb::object {
        Array b;
        if (!matmul_operand(other, b)) return nb::borrow(Py_NotImplemented);
        Array a = as_array(self);
        return nb::cast(nogil_if_large(product_work(a, b), [&] { return matmul(a, b); }));
      },
      nb::is_method(), nb::name("__matmul__"), nb::scope(cls));
  cls.attr("__rmatmul__") = nb::cpp_function(
      [](nb::handle self, nb::handle other) -> nb::object {
        Array a;
        if (!matmul_operand(other, a)) return nb::borrow(Py_NotImplemented);
        Array b = as_array(self);
        return nb::cast(nogil_if_large(product_work(a, b), [&] { return matmul(a, b); }));
      },
      nb::is_method(), nb::name("__rmatmul__"), nb::scope(cls));
  cls.attr("__imatmul__") = nb::cpp_function(
      [](nb::handle self, nb::handle other) -> nb::object {
        Array b;
        if (!matmul_operand(other, b)) return nb::borrow(Py_NotImplemented);
        Array a = as_array(self);
        ReleaseGilIfLarge nogil(product_work(a, b));
        matmul_inplace(a, b);
        return nb::borrow(self);
      },
      nb::is_method(), nb::name("__imatmul__"), nb::scope(cls));
  cls.attr("dot") = nb::cpp_function(
      [](nb::handle self, nb::handle b, nb::handle out) {
        Array x = as_array(self), y = to_array(b), o = opt_out(out, "dot");
        return nogil_if_large(product_work(x, y), [&] { return dot(x, y, o); });
      },
      nb::is_method(), nb::name("dot"), nb::scope(cls), nb::arg("b"), nb::arg("out").none() = nb::none());
  cls.attr("trace") = nb::cpp_function(
      [](nb::handle self, int64_t offset, int64_t axis1, int64_t axis2, nb::handle dtype, nb::handle out) {
        return trace(as_array(self), offset, axis1, axis2, opt_dtype(dtype), opt_out(out, "trace"));
      },
      nb::is_method(), nb::name("trace"), nb::scope(cls), nb::arg("offset") = 0, nb::arg("axis1") = 0,
      nb::arg("axis2") = 1, nb::arg("dtype").none() = nb::none(), nb::arg("out").none() = nb::none());

  // ---- ranges ----
  m.def("arange", [](nb::handle start, nb::handle stop, nb::handle step, nb::handle dtype) {
    return arange(to_scalar(start), to_scalar(stop), to_scalar(step), opt_dtype(dtype));
  }, nb::arg("start"), nb::arg("stop"), nb::arg("step"), nb::arg("dtype").none());
  m.def("linspace", [](nb::handle start, nb::handle stop, int64_t num, bool endpoint) {
    LinspaceResult r = linspace(to_array(start), to_array(stop), num, endpoint);
    return nb::make_tuple(r.y, r.step, r.step_defined);
  });
  m.def("eye", [](int64_t n, std::optional<int64_t> mm, int64_t k, nb::handle dtype) {
    return eye(n, mm, k, dtype.is_none() ? DType::Float64 : to_dtype(dtype));
  }, nb::arg("n"), nb::arg("m").none() = nb::none(), nb::arg("k") = 0, nb::arg("dtype").none() = nb::none());
}

}  // namespace minpy::py
