// C++ tests of the engine API: the same semantics as the Python package, without Python.
#include <gtest/gtest.h>

#include <mutex>
#include <thread>
#include <vector>

#include "minpy/errors.h"
#include "minpy/ops.h"

using namespace minpy;

namespace {
Array arange_f64(int64_t n) {
  Array a = Array::empty({n}, DType::Float64);
  for (int64_t i = 0; i < n; ++i) a.data_as<double>()[i] = static_cast<double>(i);
  return a;
}
}  // namespace

TEST(DType, PromotionFollowsNumPy) {
  EXPECT_EQ(promote_types(DType::Int8, DType::UInt8), DType::Int16);
  EXPECT_EQ(promote_types(DType::Int64, DType::UInt64), DType::Float64);
  EXPECT_EQ(promote_types(DType::Int16, DType::Float16), DType::Float32);
  EXPECT_EQ(promote_types(DType::Float32, DType::Complex64), DType::Complex64);
  EXPECT_EQ(promote_types(DType::Float64, DType::Complex64), DType::Complex128);
  EXPECT_EQ(promote_types(DType::Bool, DType::UInt16), DType::UInt16);
  EXPECT_TRUE(can_cast(DType::Int32, DType::Float64, Casting::Safe));
  EXPECT_FALSE(can_cast(DType::Float64, DType::Int64, Casting::SameKind));
  EXPECT_TRUE(can_cast(DType::UInt64, DType::Int8, Casting::SameKind));
}

TEST(Array, ViewsAliasStorage) {
  Array a = arange_f64(6);
  Array v = basic_index(a, {IndexItem{IndexItem::Kind::Slice, 0, 1, 0, 2, true, false, {}}});
  ASSERT_EQ(v.shape(), Shape({3}));
  v.data_as<double>()[0] = 42;  // v[0] is a[1]
  EXPECT_EQ(a.data_as<double>()[1], 42);
  EXPECT_EQ(v.base().impl(), a.impl());
}

TEST(Array, ReshapeIsAViewWhenContiguous) {
  Array a = arange_f64(12);
  Array r = reshape(a, {3, -1});
  EXPECT_EQ(r.shape(), Shape({3, 4}));
  EXPECT_EQ(r.storage(), a.storage());
  Array t = transpose(r);
  EXPECT_TRUE(t.f_contiguous());
  Array flat = reshape(t, {12});  // needs a copy
  EXPECT_NE(flat.storage(), a.storage());
  EXPECT_EQ(flat.data_as<double>()[1], 4.0);
}

TEST(Ufunc, AddBroadcastsAndPromotesWeakScalars) {
  Array a = reshape(arange_f64(6), {2, 3});
  Array b = arange_f64(3);
  Array c = a + b;
  EXPECT_EQ(c.shape(), Shape({2, 3}));
  EXPECT_EQ(c.data_as<double>()[5], 5.0 + 2.0);
  Array i8 = astype(a, DType::Int8);
  EXPECT_EQ(ufunc2("add", i8, Scalar::from_int(3)).dtype(), DType::Int8);
  EXPECT_EQ(ufunc2("add", i8, Scalar::from_float(2.5)).dtype(), DType::Float64);
  EXPECT_THROW(ufunc2("add", astype(a, DType::UInt8), Scalar::from_int(300)), OverflowError);
  EXPECT_EQ(ufunc2("true_divide", i8, i8).dtype(), DType::Float64);
  EXPECT_EQ(ufunc1("sqrt", i8).dtype(), DType::Float16);
}

TEST(Ufunc, ErrorsCarryTheOpName) {
  Array a = arange_f64(3), b = arange_f64(4);
  try {
    (void)(a + b);
    FAIL();
  } catch (const ValueError& e) {
    EXPECT_EQ(std::string(e.what()).rfind("[add] operands could not be broadcast", 0), 0u);
  }
  EXPECT_THROW(normalize_axis(3, 2, "sum"), AxisError);
}

TEST(Array, PooledDescriptorsAcrossThreads) {
  // Descriptors and small storages come from per-thread free lists; blocks freed on another
  // thread join that thread's list, and exiting threads give theirs back.
  std::vector<Array> made;
  std::mutex m;
  std::vector<std::thread> ts;
  for (int t = 0; t < 4; ++t)
    ts.emplace_back([&, t] {
      for (int i = 0; i < 1000; ++i) {
        Array a = Array::empty({i % 20}, DType::Float64);
        for (int64_t k = 0; k < a.size(); ++k) a.data_as<double>()[k] = t * 1000 + i;
        Array v = a.view({a.size() / 2}, {16}, 0);
        if (i % 10 == 0) {
          std::lock_guard<std::mutex> g(m);
          made.push_back(a);
          made.push_back(v);
        }
      }
    });
  for (auto& t : ts) t.join();
  ASSERT_EQ(made.size(), 800u);
  for (size_t k = 0; k < made.size(); k += 2) {
    const Array& a = made[k];
    if (a.size() > 0) EXPECT_EQ(a.data_as<double>()[a.size() - 1], a.data_as<double>()[0]);
    EXPECT_EQ(made[k + 1].storage(), a.storage());
    EXPECT_EQ(reinterpret_cast<uintptr_t>(a.data()) % 16, 0u);  // inline data stays aligned
  }
  std::thread([&] { made.clear(); }).join();  // all freed on a thread that then exits
  EXPECT_TRUE(made.empty());
  auto impl = new_array_impl();
  EXPECT_EQ(impl->size, 1);
  EXPECT_EQ(impl->base, nullptr);
  EXPECT_EQ(impl->binding_object, nullptr);
  EXPECT_TRUE(impl->shape.empty() && impl->writeable);
}
