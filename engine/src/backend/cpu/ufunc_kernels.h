// The CPU loops of every native ufunc, in NumPy's loop order (see tools/gen_ufunc_loops.py).
#pragma once
#include <string>
#include <vector>

#include "nd_loop.h"

namespace minpy::cpu {

struct UfuncKernel {
  std::vector<DType> types;  // inputs then outputs
  StridedLoop loop;
};
struct UfuncKernelTable {
  std::string name;
  int nin, nout;
  std::vector<UfuncKernel> loops;
};

const std::vector<UfuncKernelTable>& ufunc_kernel_tables();

}  // namespace minpy::cpu
