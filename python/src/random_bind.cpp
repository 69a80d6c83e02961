// minpy._core.Philox: the engine's RandomGenerator (Philox4x64-10). minpy.numpy.random wraps it with
// NumPy's RandomState / Generator APIs; argument parsing that needs Python objects lives there.
#include <nanobind/stl/array.h>

#include <mutex>

#include "convert.h"
#include "gil.h"
#include "minpy/errors.h"
#include "minpy/random.h"

namespace minpy::py {
namespace {

Shape to_shape(nb::handle h) {
  Shape s;
  if (PySequence_Check(h.ptr()) && !is_ndarray(h)) {
    for (nb::handle v : h) s.push_back(nb::cast<int64_t>(nb::int_(v)));
  } else {
    s.push_back(nb::cast<int64_t>(nb::int_(h)));
  }
  return s;
}

std::optional<Shape> opt_shape(nb::handle h) {
  if (h.is_none()) return std::nullopt;
  return to_shape(h);
}

// Generators advance their counter on every call: calls that may run without the GIL take this lock
// (after releasing the GIL, so a thread waiting here never blocks one that needs the GIL).
std::mutex g_random_mutex;

// Runs f() with the GIL released when `elements` is large, one generator call at a time.
template <class F>
auto locked_fill(int64_t elements, F&& f) {
  ReleaseGilIfLarge nogil(elements);
  std::lock_guard<std::mutex> lock(g_random_mutex);
  return f();
}

// Elements a call with parameter arrays ps produces: size when given, else their broadcast.
int64_t draw_elements(const std::optional<Shape>& size, std::initializer_list<const Array*> ps) {
  if (size) return shape_elements(*size);
  return max_elements(ps);
}

}  // namespace

void init_random(nb::module_& m) {
  nb::class_<RandomGenerator>(m, "Philox", "The engine's Philox4x64-10 counter-based generator.")
      .def(nb::init<uint64_t, uint64_t, uint64_t>(), nb::arg("key0"), nb::arg("key1"), nb::arg("counter") = 0)
      .def_prop_ro("key", [](const RandomGenerator& g) { return g.key(); })
      .def_prop_ro("counter", [](const RandomGenerator& g) { return g.counter(); })
      .def("set_state", [](RandomGenerator& g, uint64_t key0, uint64_t key1, uint64_t counter) {
        locked_fill(0, [&] { g.set_state(key0, key1, counter); });
      })
      .def("random",
           [](RandomGenerator& g, nb::handle size, nb::handle dtype) {
             Shape s = to_shape(size);
             DType t = dtype.is_none() ? DType::Float64 : to_dtype(dtype);
             return locked_fill(shape_elements(s), [&] { return g.random(s, t); });
           },
           nb::arg("size"), nb::arg("dtype").none() = nb::none())
      .def("standard_normal",
           [](RandomGenerator& g, nb::handle size, nb::handle dtype) {
             Shape s = to_shape(size);
             DType t = dtype.is_none() ? DType::Float64 : to_dtype(dtype);
             return locked_fill(shape_elements(s), [&] { return g.standard_normal(s, t); });
           },
           nb::arg("size"), nb::arg("dtype").none() = nb::none())
      .def("uniform",
           [](RandomGenerator& g, nb::handle low, nb::handle high, nb::handle size, bool allow_reversed) {
             Array lo = to_array(low), hi = to_array(high);
             std::optional<Shape> s = opt_shape(size);
             return locked_fill(draw_elements(s, {&lo, &hi}), [&] { return g.uniform(lo, hi, s, allow_reversed); });
           },
           nb::arg("low"), nb::arg("high"), nb::arg("size").none(), nb::arg("allow_reversed") = true)
      .def("normal",
           [](RandomGenerator& g, nb::handle loc, nb::handle scale, nb::handle size) {
             Array l = to_array(loc), sc = to_array(scale);
             std::optional<Shape> s = opt_shape(size);
             return locked_fill(draw_elements(s, {&l, &sc}), [&] { return g.normal(l, sc, s); });
           },
           nb::arg("loc"), nb::arg("scale"), nb::arg("size").none())
      .def("integers",
           [](RandomGenerator& g, nb::handle low, nb::handle high, nb::handle dtype, nb::handle size, bool endpoint) {
             Array lo = to_array(low), hi = to_array(high);
             DType t = to_dtype(dtype);
             std::optional<Shape> s = opt_shape(size);
             return locked_fill(draw_elements(s, {&lo, &hi}), [&] { return g.integers(lo, hi, t, s, endpoint); });
           },
           nb::arg("low"), nb::arg("high"), nb::arg("dtype"), nb::arg("size").none(), nb::arg("endpoint"))
      .def("binomial",
           [](RandomGenerator& g, nb::handle n, nb::handle p, nb::handle size) {
             Array nn = to_array(n), pp = to_array(p);
             std::optional<Shape> s = opt_shape(size);
             return locked_fill(draw_elements(s, {&nn, &pp}), [&] { return g.binomial(nn, pp, s); });
           },
           nb::arg("n"), nb::arg("p"), nb::arg("size").none())
      .def("choice_cdf", [](RandomGenerator& g, nb::handle cdf, nb::handle size) {
        Array c = to_array(cdf);
        Shape s = to_shape(size);
        return locked_fill(0, [&] { return g.choice_cdf(c, s); });
      })
      .def("sample_without_replacement", [](RandomGenerator& g, int64_t n, int64_t k) {
        return locked_fill(0, [&] { return g.sample_without_replacement(n, k); });
      })
      .def("permutation", [](RandomGenerator& g, int64_t n) { return locked_fill(0, [&] { return g.permutation(n); }); })
      .def("permutation_of", [](RandomGenerator& g, nb::handle x) {
        Array a = to_array(x);
        return locked_fill(0, [&] { return g.permutation(a); });
      })
      .def("shuffle", [](RandomGenerator& g, nb::handle x) {
        Array a = as_array(x);
        locked_fill(0, [&] { g.shuffle(a); });
      });
  m.def("philox4x64_10", &philox4x64_10, nb::arg("counter"), nb::arg("key"));
}

}  // namespace minpy::py
