// Temporary elision for the array operators (see elision.cpp).
#pragma once
#include <vector>

#include "convert.h"

namespace minpy::py {

// Whether the result of uf(ins) may be written into h, one of the operator's operands (a minpy
// array): h is a temporary nothing else can see, of the result's dtype and shape. `ins` holds the
// operands' arrays (moved in: the check counts who holds each array).
bool can_elide_into(nanobind::handle h, const Ufunc& uf, const std::vector<Operand>& ins);

}  // namespace minpy::py
