// Floating-point error reporting (minpy/fp_errors.h): which flags each op reports, under which
// NumPy name, from the caller's thread and from the pool's workers.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "minpy/fp_errors.h"
#include "minpy/ops.h"
#include "minpy/reductions.h"
#include "minpy/threading.h"
#include "test_util.h"

using namespace minpy;
using minpy::test::vec;

namespace {

std::vector<std::pair<int, std::string>> g_reports;
std::vector<std::string> g_warnings;

struct Recorder {
  Recorder() {
    g_reports.clear();
    g_warnings.clear();
    fperr::set_handler([](int flags, const char* op) { g_reports.emplace_back(flags, op); });
    fperr::set_warning_handler([](const char* text) { g_warnings.emplace_back(text); });
  }
  ~Recorder() {
    fperr::set_handler(nullptr);
    fperr::set_warning_handler(nullptr);
  }
};

}  // namespace

TEST(FpErrors, UfuncFlagsAndNames) {
  Recorder r;
  ufunc2("true_divide", vec({1.0, 0.0}), vec({0.0, 0.0}));
  ufunc1("log", vec({0.0}));
  ufunc1("exp", vec({1000.0}));
  ufunc1("sqrt", vec({-1.0}));
  ASSERT_EQ(g_reports.size(), 4u);
  EXPECT_EQ(g_reports[0], std::make_pair(fperr::kDivide | fperr::kInvalid, std::string("divide")));
  EXPECT_EQ(g_reports[1], std::make_pair(int(fperr::kDivide), std::string("log")));
  EXPECT_EQ(g_reports[2], std::make_pair(int(fperr::kOverflow), std::string("exp")));
  EXPECT_EQ(g_reports[3], std::make_pair(int(fperr::kInvalid), std::string("sqrt")));
}

TEST(FpErrors, QuietOpsAndNaNInputs) {
  Recorder r;
  Array n = vec({NAN, 1.0, NAN, 2.0});
  ufunc2("maximum", n, vec({1.0, NAN, 3.0, 4.0}));
  ufunc2("less", n, Scalar::from_float(1.0));
  ufunc1("exp", n);
  ufunc1("log", n);
  ufunc1("isnan", n);
  ufunc2("add", n, n);
  EXPECT_TRUE(g_reports.empty());
}

TEST(FpErrors, IntegerDivisionByZero) {
  Recorder r;
  Array a = astype(vec({1.0, 2.0}), DType::Int64), z = astype(vec({0.0, 1.0}), DType::Int64);
  Array q = ufunc2("floor_divide", a, z);
  EXPECT_EQ(q.data_as<int64_t>()[0], 0);
  ASSERT_EQ(g_reports.size(), 1u);
  EXPECT_EQ(g_reports[0], std::make_pair(int(fperr::kDivide), std::string("floor_divide")));
}

TEST(FpErrors, WorkersReportToCaller) {
  Recorder r;
  int64_t n = 1 << 20;
  Array a = Array::empty({n}, DType::Float64);
  for (int64_t i = 0; i < n; ++i) a.data_as<double>()[i] = 1.0;
  a.data_as<double>()[n - 5] = 0.0;  // in the last chunk: a worker's, when there are several threads
  ufunc2("true_divide", Scalar::from_float(1.0), a);
  ASSERT_EQ(g_reports.size(), 1u);
  EXPECT_EQ(g_reports[0].first, int(fperr::kDivide));
}

TEST(FpErrors, ReductionsAndCasts) {
  Recorder r;
  sum(vec({1e308, 1e308}));
  astype(vec({1e300}), DType::Float32);
  mean(Array::empty({0}, DType::Float64));
  ASSERT_EQ(g_reports.size(), 3u);
  EXPECT_EQ(g_reports[0], std::make_pair(int(fperr::kOverflow), std::string("reduce")));
  EXPECT_EQ(g_reports[1], std::make_pair(int(fperr::kOverflow), std::string("cast")));
  EXPECT_EQ(g_reports[2], std::make_pair(int(fperr::kInvalid), std::string("scalar divide")));
  EXPECT_EQ(g_warnings, std::vector<std::string>{"Mean of empty slice"});
}

TEST(FpErrors, QuietAndCapture) {
  Recorder r;
  {
    fperr::Quiet q;
    ufunc1("log", vec({0.0}));
  }
  int flags;
  {
    fperr::Capture c;
    ufunc1("log", vec({-1.0}));
    flags = c.flags();
  }
  EXPECT_TRUE(g_reports.empty());
  EXPECT_EQ(flags, int(fperr::kInvalid));
}

TEST(FpErrors, StaleFlagsAreCleared) {
  Recorder r;
  volatile double big = 1e308;
  volatile double inf = big * 10;  // leaves the overflow flag set, as Python's float ops do
  (void)inf;
  ufunc2("add", vec({1.0}), vec({2.0}));
  EXPECT_TRUE(g_reports.empty());
}
