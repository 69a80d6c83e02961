// minpy._core.Philox: the engine's RandomGenerator (Philox4x64-10). minpy.numpy.random wraps it with
// NumPy's RandomState / Generator APIs; argument parsing that needs Python objects lives there.
#include <nanobind/stl/array.h>

#include "convert.h"
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

}  // namespace

void init_random(nb::module_& m) {
  nb::class_<RandomGenerator>(m, "Philox", "The engine's Philox4x64-10 counter-based generator.")
      .def(nb::init<uint64_t, uint64_t, uint64_t>(), nb::arg("key0"), nb::arg("key1"), nb::arg("counter") = 0)
      .def_prop_ro("key", [](const RandomGenerator& g) { return g.key(); })
      .def_prop_ro("counter", [](const RandomGenerator& g) { return g.counter(); })
      .def("set_state", &RandomGenerator::set_state)
      .def("random",
           [](RandomGenerator& g, nb::handle size, nb::handle dtype) {
             return g.random(to_shape(size), dtype.is_none() ? DType::Float64 : to_dtype(dtype));
           },
           nb::arg("size"), nb::arg("dtype").none() = nb::none())
      .def("standard_normal",
           [](RandomGenerator& g, nb::handle size, nb::handle dtype) {
             return g.standard_normal(to_shape(size), dtype.is_none() ? DType::Float64 : to_dtype(dtype));
           },
           nb::arg("size"), nb::arg("dtype").none() = nb::none())
      .def("uniform",
           [](RandomGenerator& g, nb::handle low, nb::handle high, nb::handle size, bool allow_reversed) {
             return g.uniform(to_array(low), to_array(high), opt_shape(size), allow_reversed);
           },
           nb::arg("low"), nb::arg("high"), nb::arg("size").none(), nb::arg("allow_reversed") = true)
      .def("normal",
           [](RandomGenerator& g, nb::handle loc, nb::handle scale, nb::handle size) {
             return g.normal(to_array(loc), to_array(scale), opt_shape(size));
           },
           nb::arg("loc"), nb::arg("scale"), nb::arg("size").none())
      .def("integers",
           [](RandomGenerator& g, nb::handle low, nb::handle high, nb::handle dtype, nb::handle size, bool endpoint) {
             return g.integers(to_array(low), to_array(high), to_dtype(dtype), opt_shape(size), endpoint);
           },
           nb::arg("low"), nb::arg("high"), nb::arg("dtype"), nb::arg("size").none(), nb::arg("endpoint"))
      .def("binomial",
           [](RandomGenerator& g, nb::handle n, nb::handle p, nb::handle size) {
             return g.binomial(to_array(n), to_array(p), opt_shape(size));
           },
           nb::arg("n"), nb::arg("p"), nb::arg("size").none())
      .def("choice_cdf", [](RandomGenerator& g, nb::handle cdf, nb::handle size) {
        return g.choice_cdf(to_array(cdf), to_shape(size));
      })
      .def("sample_without_replacement", &RandomGenerator::sample_without_replacement)
      .def("permutation", [](RandomGenerator& g, int64_t n) { return g.permutation(n); })
      .def("permutation_of", [](RandomGenerator& g, nb::handle x) { return g.permutation(to_array(x)); })
      .def("shuffle", [](RandomGenerator& g, nb::handle x) { g.shuffle(as_array(x)); });
  m.def("philox4x64_10", &philox4x64_10, nb::arg("counter"), nb::arg("key"));
}

}  // namespace minpy::py
