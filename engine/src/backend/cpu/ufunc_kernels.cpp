// Instantiates one strided loop per (ufunc, type signature) listed in ufunc_loops.inc.
#include "ufunc_kernels.h"

#include <tuple>

#include "ufunc_functors.h"

namespace minpy::cpu {
namespace {

template <class T> T& at(char* p, int64_t i, int64_t stride) { return *reinterpret_cast<T*>(p + i * stride); }

template <class Op, class A, class R>
void loop_1_1(char** args, const int64_t* s, int64_t n) {
  if (s[0] == sizeof(A) && s[1] == sizeof(R)) {
    const A* a = reinterpret_cast<const A*>(args[0]);
    R* r = reinterpret_cast<R*>(args[1]);
    if constexpr (requires { Op::template contig<A, R>(a, r, n); }) {
      Op::template contig<A, R>(a, r, n);  // whole-array kernels (vector_math.h)
      return;
    }
    for (int64_t i = 0; i < n; ++i) r[i] = Op::template apply<R>(a[i]);
    return;
  }
  for (int64_t i = 0; i < n; ++i) at<R>(args[1], i, s[1]) = Op::template apply<R>(at<A>(args[0], i, s[0]));
}

template <class Op, class A, class B, class R>
void loop_2_1(char** args, const int64_t* s, int64_t n) {
  R* r = reinterpret_cast<R*>(args[2]);
  if (s[2] == sizeof(R)) {
    // The common layouts get their own loops so the compiler can vectorise them.
    if (s[0] == sizeof(A) && s[1] == sizeof(B)) {
      const A* a = reinterpret_cast<const A*>(args[0]);
      const B* b = reinterpret_cast<const B*>(args[1]);
      for (int64_t i = 0; i < n; ++i) r[i] = Op::template apply<R>(a[i], b[i]);
      return;
    }
    if (s[0] == sizeof(A) && s[1] == 0) {
      const A* a = reinterpret_cast<const A*>(args[0]);
      const B b = *reinterpret_cast<const B*>(args[1]);
      for (int64_t i = 0; i < n; ++i) r[i] = Op::template apply<R>(a[i], b);
      return;
    }
    if (s[0] == 0 && s[1] == sizeof(B)) {
      const A a = *reinterpret_cast<const A*>(args[0]);
      const B* b = reinterpret_cast<const B*>(args[1]);
      for (int64_t i = 0; i < n; ++i) r[i] = Op::template apply<R>(a, b[i]);
      return;
    }
  }
  for (int64_t i = 0; i < n; ++i)
    at<R>(args[2], i, s[2]) = Op::template apply<R>(at<A>(args[0], i, s[0]), at<B>(args[1], i, s[1]));
}

template <class Op, class A, class B, class R1, class R2>
void loop_2_2(char** args, const int64_t* s, int64_t n) {
  for (int64_t i = 0; i < n; ++i)
    Op::template apply2<R1>(at<A>(args[0], i, s[0]), at<B>(args[1], i, s[1]), at<R1>(args[2], i, s[2]),
                            at<R2>(args[3], i, s[3]));
}

template <class Op, class A, class B, class C, class R>
void loop_3_1(char** args, const int64_t* s, int64_t n) {
  for (int64_t i = 0; i < n; ++i)
    at<R>(args[3], i, s[3]) =
        Op::template apply<R>(at<A>(args[0], i, s[0]), at<B>(args[1], i, s[1]), at<C>(args[2], i, s[2]));
}

template <class... T> std::vector<DType> dtypes_of() { return {dtype_of<T>::value...}; }

// The loop template for a signature of Nin inputs; T... are input types then output types.
template <class Op, int Nin, class... T>
StridedLoop pick_loop() {
  using Ts = std::tuple<T...>;
  if constexpr (sizeof...(T) == 2) {
    return &loop_1_1<Op, std::tuple_element_t<0, Ts>, std::tuple_element_t<1, Ts>>;
  } else if constexpr (sizeof...(T) == 3) {
    return &loop_2_1<Op, std::tuple_element_t<0, Ts>, std::tuple_element_t<1, Ts>, std::tuple_element_t<2, Ts>>;
  } else if constexpr (Nin == 2) {
    return &loop_2_2<Op, std::tuple_element_t<0, Ts>, std::tuple_element_t<1, Ts>, std::tuple_element_t<2, Ts>,
                     std::tuple_element_t<3, Ts>>;
  } else {
    return &loop_3_1<Op, std::tuple_element_t<0, Ts>, std::tuple_element_t<1, Ts>, std::tuple_element_t<2, Ts>,
                     std::tuple_element_t<3, Ts>>;
  }
}

std::vector<UfuncKernelTable> build() {
  std::vector<UfuncKernelTable> t;
#define MINPY_UFUNC(NAME, NIN, NOUT) t.push_back({#NAME, NIN, NOUT, {}});
#define MINPY_LOOP(NAME, NIN, ...) \
  t.back().loops.push_back({dtypes_of<__VA_ARGS__>(), pick_loop<fn::NAME, NIN, __VA_ARGS__>()});
#include "ufunc_loops.inc"
#undef MINPY_UFUNC
#undef MINPY_LOOP
  return t;
}

}  // namespace

const std::vector<UfuncKernelTable>& ufunc_kernel_tables() {
  static const std::vector<UfuncKernelTable> tables = build();
  return tables;
}

}  // namespace minpy::cpu
