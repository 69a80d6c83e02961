// C++ tests of the engine core's semantics, the same as the Python suite checks against NumPy:
// the promotion and casting tables, views and aliasing, ufunc dtype resolution (NEP 50 scalars,
// dtype=, casting=) and the exception classes. The tables were generated from NumPy 2.4.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>

#include "minpy/errors.h"
#include "minpy/ops.h"

using namespace minpy;

namespace {

constexpr DType kAll[] = {DType::Bool,    DType::Int8,    DType::Int16,   DType::Int32,    DType::Int64,
                          DType::UInt8,   DType::UInt16,  DType::UInt32,  DType::UInt64,   DType::Float16,
                          DType::Float32, DType::Float64, DType::Complex64, DType::Complex128};

// promote_types[a][b] in DType order, as NumPy type characters.
constexpr const char* kPromote[] = {
    "?bhiqBHIQefdFD",  // bool
    "bbhiqhiqdefdFD",  // int8
    "hhhiqhiqdffdFD",  // int16
    "iiiiqiiqddddDD",  // int32
    "qqqqqqqqddddDD",  // int64
    "BhhiqBHIQefdFD",  // uint8
    "HiiiqHHIQffdFD",  // uint16
    "IqqqqIIIQdddDD",  // uint32
    "QddddQQQQdddDD",  // uint64
    "eefddefddefdFD",  // float16
    "fffddffddffdFD",  // float32
    "ddddddddddddDD",  // float64
    "FFFDDFFDDFFDFD",  // complex64
    "DDDDDDDDDDDDDD",  // complex128
};
constexpr const char* kCanSafe[] = {
    "11111111111111",  // bool
    "01111000011111",  // int8
    "00111000001111",  // int16
    "00011000000101",  // int32
    "00001000000101",  // int64
    "00111111111111",  // uint8
    "00011011101111",  // uint16
    "00001001100101",  // uint32
    "00000000100101",  // uint64
    "00000000011111",  // float16
    "00000000001111",  // float32
    "00000000000101",  // float64
    "00000000000011",  // complex64
    "00000000000001",  // complex128
};
constexpr const char* kCanSameKind[] = {
    "11111111111111",  // bool
    "01111000011111",  // int8
    "01111000011111",  // int16
    "01111000011111",  // int32
    "01111000011111",  // int64
    "01111111111111",  // uint8
    "01111111111111",  // uint16
    "01111111111111",  // uint32
    "01111111111111",  // uint64
    "00000000011111",  // float16
    "00000000011111",  // float32
    "00000000011111",  // float64
    "00000000000011",  // complex64
    "00000000000011",  // complex128
};

template <class T>
Array from_values(std::initializer_list<T> values) {
  Array a = Array::empty({static_cast<int64_t>(values.size())}, dtype_of<T>::value);
  std::memcpy(a.data(), values.begin(), values.size() * sizeof(T));
  return a;
}
Array arange_f64(int64_t n) {
  Array a = Array::empty({n}, DType::Float64);
  for (int64_t i = 0; i < n; ++i) a.data_as<double>()[i] = static_cast<double>(i);
  return a;
}
template <class T> T at(const Array& a, int64_t i) {
  // element i of a 1-d array of any layout
  return *reinterpret_cast<const T*>(a.data() + i * a.strides()[0]);
}
IndexItem slice(int64_t start, int64_t stop, int64_t step, bool has_start = true, bool has_stop = true) {
  IndexItem it;
  it.kind = IndexItem::Kind::Slice;
  it.start = start;
  it.stop = stop;
  it.step = step;
  it.has_start = has_start;
  it.has_stop = has_stop;
  return it;
}

}  // namespace

TEST(CorePromotion, TableMatchesNumPy) {
  for (int i = 0; i < kNumDTypes; ++i)
    for (int j = 0; j < kNumDTypes; ++j) {
      DType r = promote_types(kAll[i], kAll[j]);
      EXPECT_EQ(dtype_char(r), kPromote[i][j]) << dtype_name(kAll[i]) << " + " << dtype_name(kAll[j]);
      EXPECT_EQ(r, promote_types(kAll[j], kAll[i]));  // symmetric
    }
}

TEST(CorePromotion, CanCastMatchesNumPy) {
  for (int i = 0; i < kNumDTypes; ++i)
    for (int j = 0; j < kNumDTypes; ++j) {
      DType a = kAll[i], b = kAll[j];
      EXPECT_EQ(can_cast(a, b, Casting::Safe), kCanSafe[i][j] == '1') << dtype_name(a) << "->" << dtype_name(b);
      EXPECT_EQ(can_cast(a, b, Casting::SameKind), kCanSameKind[i][j] == '1') << dtype_name(a) << "->" << dtype_name(b);
      EXPECT_EQ(can_cast(a, b, Casting::No), a == b);
      EXPECT_EQ(can_cast(a, b, Casting::Equiv), a == b);
      EXPECT_TRUE(can_cast(a, b, Casting::Unsafe));
    }
  EXPECT_EQ(casting_from_name("same_kind"), Casting::SameKind);
  EXPECT_THROW(casting_from_name("sometimes"), ValueError);
  EXPECT_THROW(dtype_from_name("float128"), TypeError);
  EXPECT_EQ(dtype_from_name("d"), DType::Float64);
}

TEST(CorePromotion, ResultTypeIsOrderIndependent) {
  // Pairwise promotion is not associative; NumPy reduces from the highest kind.
  auto op = [](DType t) { return Operand(Array::empty({1}, t)); };
  EXPECT_EQ(result_type({op(DType::Int8), op(DType::UInt8), op(DType::Float16)}), DType::Float16);
  EXPECT_EQ(result_type({op(DType::Float16), op(DType::Int8), op(DType::UInt8)}), DType::Float16);
  EXPECT_EQ(result_type({op(DType::Int8), op(DType::UInt16), op(DType::Float16)}), DType::Float32);
  EXPECT_EQ(result_type({op(DType::Int64), op(DType::UInt64)}), DType::Float64);
  EXPECT_THROW(result_type({}), ValueError);
}

TEST(CorePromotion, WeakPythonScalars) {
  auto arr = [](DType t) { return Operand(Array::empty({2}, t)); };
  // NEP 50: the array's dtype wins over a Python scalar of the same or lower kind.
  EXPECT_EQ(result_type({arr(DType::Int8), Scalar::from_int(100)}), DType::Int8);
  EXPECT_EQ(result_type({arr(DType::Int8), Scalar::from_int(1000)}), DType::Int8);  // no error here
  EXPECT_EQ(result_type({arr(DType::Float16), Scalar::from_float(1e300)}), DType::Float16);
  EXPECT_EQ(result_type({arr(DType::Int16), Scalar::from_float(1.5)}), DType::Float64);
  EXPECT_EQ(result_type({arr(DType::Float32), Scalar::from_complex({1, 2})}), DType::Complex64);
  EXPECT_EQ(result_type({arr(DType::Bool), Scalar::from_int(1)}), DType::Int64);
  EXPECT_EQ(result_type({arr(DType::UInt8), Scalar::from_bool(true)}), DType::UInt8);
  EXPECT_EQ(result_type({Scalar::from_int(1), Scalar::from_float(2)}), DType::Float64);

  Array u8 = from_values<uint8_t>({1, 2});
  EXPECT_EQ(ufunc2("add", u8, Scalar::from_int(255)).dtype(), DType::UInt8);
  EXPECT_THROW(ufunc2("add", u8, Scalar::from_int(256)), OverflowError);
  EXPECT_THROW(ufunc2("add", u8, Scalar::from_int(-1)), OverflowError);
  Scalar two63;  // 2**63: fits uint64 only
  two63.kind = Scalar::Kind::Int;
  two63.int_is_uint64 = true;
  two63.u = uint64_t(1) << 63;
  two63.f = 9223372036854775808.0;
  EXPECT_THROW(ufunc2("add", from_values<bool>({true}), two63), OverflowError);  // next to bool: int64
  EXPECT_EQ(ufunc2("add", from_values<uint64_t>({1}), two63).dtype(), DType::UInt64);
  EXPECT_EQ(ufunc2("add", from_values<bool>({true}), Scalar::from_float(0)).dtype(), DType::Float64);
  // out-of-range ints are fine where the loop is not the array's integer type
  EXPECT_EQ(ufunc2("true_divide", u8, Scalar::from_int(1000)).dtype(), DType::Float64);
  Array lt = ufunc2("less", u8, Scalar::from_int(1000));
  EXPECT_EQ(lt.dtype(), DType::Bool);
  EXPECT_TRUE(at<bool>(lt, 0) && at<bool>(lt, 1));
  Array gt = ufunc2("greater", u8, Scalar::from_int(-1));
  EXPECT_TRUE(at<bool>(gt, 0));
  EXPECT_EQ(ufunc2("logical_and", u8, Scalar::from_int(300)).dtype(), DType::Bool);
}

TEST(CoreUfunc, LoopSelectionAndTypeResolvers) {
  const Ufunc& add = get_ufunc("add");
  auto arr = [](DType t) { return Operand(Array::empty({1}, t)); };
  auto out_type = [&](const Ufunc& uf, std::vector<Operand> ins, std::optional<DType> dt = std::nullopt) {
    return resolve_ufunc_types(uf, ins, dt).back();
  };
  EXPECT_EQ(out_type(add, {arr(DType::Int8), arr(DType::UInt8)}), DType::Int16);
  EXPECT_EQ(out_type(add, {arr(DType::Int64), arr(DType::UInt64)}), DType::Float64);
  EXPECT_EQ(out_type(add, {arr(DType::Float16), arr(DType::Int16)}), DType::Float32);
  EXPECT_EQ(out_type(get_ufunc("true_divide"), {arr(DType::Int8), arr(DType::Int8)}), DType::Float64);
  EXPECT_EQ(out_type(get_ufunc("sqrt"), {arr(DType::Int8)}), DType::Float16);
  EXPECT_EQ(out_type(get_ufunc("absolute"), {arr(DType::Complex64)}), DType::Float32);
  EXPECT_EQ(out_type(get_ufunc("less"), {arr(DType::Int64), arr(DType::UInt64)}), DType::Bool);
  // dtype= fixes the output; the inputs are cast (checked against casting= when called)
  EXPECT_EQ(out_type(add, {arr(DType::Int8), arr(DType::Int8)}, DType::Float32), DType::Float32);
  EXPECT_THROW(out_type(get_ufunc("absolute"), {arr(DType::Complex128)}, DType::Complex128), TypeError);
  EXPECT_THROW(out_type(get_ufunc("less"), {arr(DType::Int64), arr(DType::Int64)}, DType::Float64), TypeError);
  // no loop: TypeError; bool subtract/negative and positive/sign of bool are refused
  EXPECT_THROW(out_type(get_ufunc("left_shift"), {arr(DType::Float64), arr(DType::Int8)}), TypeError);
  EXPECT_THROW(out_type(get_ufunc("subtract"), {arr(DType::Bool), arr(DType::Bool)}), TypeError);
  EXPECT_THROW(out_type(get_ufunc("negative"), {arr(DType::Bool)}), TypeError);
  EXPECT_THROW(out_type(get_ufunc("positive"), {arr(DType::Bool)}), TypeError);
  EXPECT_THROW(out_type(get_ufunc("sign"), {arr(DType::Bool)}), TypeError);
  EXPECT_EQ(out_type(get_ufunc("subtract"), {arr(DType::Bool), arr(DType::Bool)}, DType::Int8), DType::Int8);
  EXPECT_THROW(get_ufunc("no_such_ufunc"), ValueError);
  EXPECT_EQ(ufunc_names().size(), 75u);
}

TEST(CoreUfunc, OutCastingAndErrors) {
  Array f = arange_f64(3);
  UfuncOptions opt;
  opt.out = {Array::empty({3}, DType::Int64)};
  EXPECT_THROW(call_ufunc(get_ufunc("add"), {f, f}, opt), TypeError);  // float64 -> int64 is not same_kind
  opt.casting = Casting::Unsafe;
  EXPECT_NO_THROW(call_ufunc(get_ufunc("add"), {f, f}, opt));
  EXPECT_EQ(at<int64_t>(opt.out[0], 2), 4);
  UfuncOptions no;
  no.casting = Casting::No;
  EXPECT_THROW(call_ufunc(get_ufunc("add"), {astype(f, DType::Int8), astype(f, DType::Int16)}, no), TypeError);
  UfuncOptions bad_shape;
  bad_shape.out = {Array::empty({4}, DType::Float64)};
  EXPECT_THROW(call_ufunc(get_ufunc("add"), {f, f}, bad_shape), ValueError);
  UfuncOptions ro;
  ro.out = {broadcast_to(arange_f64(1), {3})};
  ro.out[0].set_writeable(false);
  EXPECT_THROW(call_ufunc(get_ufunc("add"), {f, f}, ro), ValueError);
  EXPECT_THROW(call_ufunc(get_ufunc("add"), {f}), TypeError);
  EXPECT_THROW(ufunc2("power", from_values<int32_t>({2}), Scalar::from_int(-1)), ValueError);
}

TEST(CoreUfunc, IntegerAndComplexSemantics) {
  Array i = from_values<int32_t>({7, -7, INT32_MIN, 0});
  Array z = from_values<int32_t>({0, 0, -1, 0});
  Array q = ufunc2("floor_divide", i, z), r = ufunc2("remainder", i, z);
  EXPECT_EQ(at<int32_t>(q, 0), 0);         // x // 0 == 0
  EXPECT_EQ(at<int32_t>(q, 2), INT32_MIN);  // INT_MIN // -1 wraps
  EXPECT_EQ(at<int32_t>(r, 1), 0);
  Array fd = ufunc2("floor_divide", from_values<int64_t>({-7}), Scalar::from_int(2));
  EXPECT_EQ(at<int64_t>(fd, 0), -4);  // floors
  Array md = ufunc2("remainder", from_values<int64_t>({-7}), Scalar::from_int(2));
  EXPECT_EQ(at<int64_t>(md, 0), 1);  // sign of the divisor
  Array rec = ufunc1("reciprocal", from_values<int64_t>({0, 2, -1}));
  EXPECT_EQ(at<int64_t>(rec, 0), INT64_MIN);  // 1.0/0 = inf converted, as NumPy on x86
  EXPECT_EQ(at<int64_t>(rec, 1), 0);
  // int64 vs uint64 compare exactly
  Array lt = ufunc2("less", from_values<int64_t>({-1}), from_values<uint64_t>({UINT64_MAX}));
  EXPECT_TRUE(at<bool>(lt, 0));
  // complex: NumPy's products and ordering with NaN parts
  double nan = std::numeric_limits<double>::quiet_NaN(), inf = std::numeric_limits<double>::infinity();
  Array c = from_values<complex128>({{0, inf}});
  Array sq = ufunc1("square", c);
  EXPECT_TRUE(std::isinf(at<complex128>(sq, 0).real()) && at<complex128>(sq, 0).real() < 0);
  EXPECT_TRUE(std::isnan(at<complex128>(sq, 0).imag()));
  Array g = ufunc2("greater", from_values<complex128>({{1, 0}}), from_values<complex128>({{0, nan}}));
  EXPECT_FALSE(at<bool>(g, 0));
  Array p = ufunc2("power", from_values<complex128>({{0, 0}}), from_values<complex128>({{1, 1}}));
  EXPECT_EQ(at<complex128>(p, 0), complex128(0, 0));
}

TEST(CoreViews, SlicesTransposesAndReshapesAlias) {
  Array a = reshape(arange_f64(24), {2, 3, 4});
  Array s = basic_index(a, {slice(0, 0, 1, false, false), slice(1, 0, 1, true, false), slice(0, 0, -2, false, false)});
  EXPECT_EQ(s.shape(), Shape({2, 2, 2}));
  EXPECT_EQ(s.strides(), Shape({96, 32, -16}));
  EXPECT_EQ(s.base().impl(), a.base().impl());  // bases collapse to the owner
  s.data_as<double>()[0] = -1;  // s[0, 0, 0] is a[0, 1, 3]
  EXPECT_EQ(a.data_as<double>()[7], -1);
  EXPECT_TRUE(a.may_share_memory(s));

  Array t = transpose(a);
  EXPECT_TRUE(t.f_contiguous() && !t.c_contiguous());
  EXPECT_EQ(t.storage(), a.storage());
  EXPECT_EQ(reshape(t, {24}, 'F').storage(), a.storage());  // F order of an F array: a view
  EXPECT_NE(reshape(t, {24}).storage(), a.storage());        // C order: a copy
  IndexItem all = slice(0, 0, 1, false, false), every2 = slice(0, 0, 2, false, false);
  EXPECT_EQ(reshape(basic_index(a, {all, all, every2}), {2, 6}).storage(), a.storage());  // axes 1, 2 merge
  EXPECT_NE(reshape(basic_index(a, {all, every2}), {2, 8}).storage(), a.storage());      // they cannot
  EXPECT_EQ(reshape(a, {-5, 12}).shape(), Shape({2, 12}));  // any negative is the unknown axis
  EXPECT_THROW(reshape(a, {-1, -1}), ValueError);
  EXPECT_THROW(reshape(a, {5, 5}), ValueError);

  // ravel: view when contiguous in the requested order, else a copy that owns its data
  EXPECT_EQ(ravel(t, 'K').storage(), a.storage());
  EXPECT_EQ(ravel(t, 'F').storage(), a.storage());
  Array rc = ravel(t, 'C');
  EXPECT_NE(rc.storage(), a.storage());
  EXPECT_TRUE(rc.owns_data());

  Array e = expand_dims(a, {0, -1});
  EXPECT_EQ(e.shape(), Shape({1, 2, 3, 4, 1}));
  EXPECT_EQ(squeeze(e).shape(), a.shape());
  EXPECT_THROW(squeeze(a, {0}, false), ValueError);
  EXPECT_THROW(expand_dims(a, {5}), AxisError);
  EXPECT_THROW(transpose(a, {0, 0, 1}), ValueError);
  EXPECT_THROW(swapaxes(a, 0, 3), AxisError);

  Array d = diagonal(reshape(arange_f64(9), {3, 3}));
  EXPECT_EQ(d.shape(), Shape({3}));
  EXPECT_EQ(at<double>(d, 2), 8.0);
  EXPECT_FALSE(d.writeable());  // NumPy's diagonal is a read-only view
  Array b = broadcast_to(arange_f64(3), {2, 3});
  EXPECT_EQ(b.strides(), Shape({0, 8}));
  EXPECT_THROW(broadcast_to(arange_f64(3), {2, 4}), ValueError);
}

TEST(CoreViews, IndexErrors) {
  Array a = reshape(arange_f64(6), {2, 3});
  IndexItem i;
  i.kind = IndexItem::Kind::Int;
  i.index = 2;
  EXPECT_THROW(basic_index(a, {i}), IndexError);
  i.index = -3;
  EXPECT_THROW(basic_index(a, {i}), IndexError);
  i.index = -2;
  EXPECT_EQ(basic_index(a, {i}).shape(), Shape({3}));
  EXPECT_THROW(basic_index(a, {i, i, i}), IndexError);
  EXPECT_THROW(basic_index(a, {slice(0, 1, 0)}), ValueError);
  IndexItem ell;
  ell.kind = IndexItem::Kind::Ellipsis;
  EXPECT_THROW(basic_index(a, {ell, ell}), IndexError);
}

TEST(CoreViews, ComplexPartsAndCopies) {
  Array c = from_values<complex64>({{1, 2}, {3, 4}});
  Array re = real_part(c), im = imag_part(c);
  EXPECT_EQ(re.dtype(), DType::Float32);
  EXPECT_EQ(re.strides(), Shape({8}));
  im.data_as<float>()[0] = 9;
  EXPECT_EQ(c.data_as<complex64>()[0], complex64(1, 9));
  Array im_real = imag_part(arange_f64(3));
  EXPECT_FALSE(im_real.writeable());
  Array f = copy(reshape(arange_f64(6), {2, 3}), 'F');
  EXPECT_TRUE(f.f_contiguous() && f.owns_data());
  EXPECT_EQ(Array::empty({2, 0}, DType::Float64).strides(), Shape({0, 0}));  // NumPy 2's empty arrays
}

TEST(CoreCast, AstypeRulesAndValues) {
  Array f = from_values<double>({-1.5, 2.7, 300.0});
  EXPECT_THROW(astype(f, DType::Int8, Casting::SameKind), TypeError);
  EXPECT_THROW(astype(f, DType::Float32, Casting::Safe), TypeError);
  Array i = astype(f, DType::Int32);
  EXPECT_EQ(at<int32_t>(i, 0), -1);  // truncates toward zero
  EXPECT_EQ(at<int32_t>(i, 1), 2);
  Array u8 = astype(from_values<int32_t>({300, -1}), DType::UInt8);
  EXPECT_EQ(at<uint8_t>(u8, 0), 44);  // integers wrap
  EXPECT_EQ(at<uint8_t>(u8, 1), 255);
  Array h = astype(from_values<double>({65520.0, 1e-8}), DType::Float16);
  EXPECT_TRUE(std::isinf(static_cast<float>(at<float16>(h, 0))));
  Array same = astype(f, DType::Float64, Casting::No, false);
  EXPECT_EQ(same.impl(), f.impl());
  Array dst = Array::empty({3}, DType::Int8);
  EXPECT_THROW(assign(dst, f, Casting::Safe), TypeError);
  dst.set_writeable(false);
  EXPECT_THROW(assign(dst, Scalar::from_int(1)), ValueError);
  Array small = Array::empty({3}, DType::Int8);
  EXPECT_THROW(assign(small, Scalar::from_int(300)), OverflowError);
  EXPECT_THROW(assign(small, arange_f64(4)), ValueError);
}

TEST(CoreArray, ShapeValidation) {
  EXPECT_THROW(Array::empty({-1}, DType::Float64), ValueError);
  EXPECT_THROW(Array::empty({INT64_MAX, 4}, DType::Float64), ValueError);
  EXPECT_THROW(broadcast_shapes({2, 3}, {4}, "add"), ValueError);
  EXPECT_EQ(broadcast_shapes({2, 1}, {3}, "add"), Shape({2, 3}));
  EXPECT_EQ(shape_str({3}), "(3,)");
  EXPECT_THROW(normalize_axis(-3, 2, "sum"), AxisError);
}
